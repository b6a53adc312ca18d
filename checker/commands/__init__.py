"""Verbs added beside the core ones in `checker/cli.py`: one module per verb.

Each module named in `VERBS` exposes

    def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None

which adds its sub-parser (help texts from its locale file, in the language of `checker.cli.help_lang()`)
and sets `func` to a function `(args) -> int` returning the exit code. Keeping each verb in its own
module keeps `cli.py` small and lets verbs be added without touching each other.

The pattern, for a verb `draft` with its texts in `checker/locales/drafts.<es|en>.json`:

    def register(sub, common):
        lang = help_lang()                       # --lang, else RESGUARDA_LANG, else Spanish
        def h(key): return t("drafts", lang, "help." + key).replace("%", "%%")
        p = sub.add_parser("draft", help=h("draft"), description=h("draft.description"))
        p.add_argument("kind", choices=["aviso", "seguridad"], help=h("draft.kind"))
        p.add_argument("-o", "--output", metavar=placeholder("file"), help=h("draft.output"))
        common(p)                                # --lang and --catalog, already localized
        p.set_defaults(func=run)                 # run(args) -> exit code; read the language with
                                                 # checker.cli._lang(args) for messages

Every help text and metavar comes from a locale file in both languages (a literal `%` is doubled:
argparse %-formats help). argparse's own words ("usage:", "options", "invalid choice", ...) are
already translated by `checker.argparse_words.use_language`, which `build_parser` calls first.
"""

from __future__ import annotations

from checker.i18n import t

# Module names under `checker.commands`, in the order `--help` lists them.
VERBS: tuple[str, ...] = (
    "init",
    "draft",
    "render",
    "portfolio",
    "compare",
    "sign",
    "verify",
)


def placeholder(key: str) -> str:
    """The placeholder `--help` shows for an argument's value (ARCHIVO / FILE), in the help's language."""
    from checker.cli import help_lang

    return t("cli", help_lang(), f"help.meta.{key}")
