"""`resguarda draft aviso|seguridad DECL.yaml [--simplificado] --format docx|html|md|pdf -o FILE`,
and `--check EXISTING.docx` to see what an existing document no longer matches.

Exit codes: 0 written (or, with --check, in step); 1 with --check when the document is out of step;
2 bad input or usage (nothing written); 3 internal error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.commands import placeholder
from checker.errors import InputError, UsageError
from checker.i18n import t
from checker.inputs import not_a_file
from checker.problems import count_text


def _lang(args: argparse.Namespace) -> str:
    from checker.cli import _lang as cli_lang

    return cli_lang(args)


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang
    from checker.drafts import FORMATS, KINDS

    lang = help_lang()

    def h(key: str) -> str:
        return t("drafts", lang, f"cli.help.{key}") if key else t("drafts", lang, "cli.help")

    p = sub.add_parser("draft", help=h(""), description=h(""))
    p.add_argument("kind", choices=KINDS, help=h("kind"))
    p.add_argument("declaration", metavar=placeholder("declaration"), help=h("declaration"))
    p.add_argument("--simplificado", action="store_true", help=h("simplificado"))
    p.add_argument("--format", choices=FORMATS, help=h("format"))
    p.add_argument("-o", "--output", metavar=placeholder("file"), help=h("output"))
    p.add_argument("--as-of", metavar=placeholder("date"), help=h("as_of"))
    p.add_argument("--page-size", choices=["A4", "Letter"], default="Letter", help=h("page_size"))
    p.add_argument("--check", metavar=placeholder("existing_docx"), help=h("check"))
    common(p)
    p.set_defaults(func=run)


def _format(args: argparse.Namespace, lang: str) -> str:
    from checker.drafts import EXTENSIONS

    if args.format:
        return str(args.format)
    fmt = EXTENSIONS.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise UsageError(t("drafts", lang, "cli.error.format", file=args.output) + "\n  -> "
                         + t("drafts", lang, "cli.error.format.hint"))
    return fmt


def run(args: argparse.Namespace) -> int:
    from checker.cli import _as_of, _catalog, _check_output_folder, _warn
    from checker.validate import load_declaration

    lang = _lang(args)
    if args.simplificado and args.kind != "aviso":
        raise UsageError(t("drafts", lang, "cli.error.simplificado"))
    if args.check:
        return _check(args, lang)
    if not args.output:
        raise UsageError(t("drafts", lang, "cli.error.output") + "\n  -> " + t("drafts", lang, "cli.error.output.hint"))
    fmt = _format(args, lang)
    _check_output_folder(args.output, lang, [("declaration", args.declaration)])
    as_of = _as_of(args.as_of, lang)
    loaded = load_declaration(Path(args.declaration), args.declaration, lang=lang)
    _warn(loaded.warnings, lang)

    from checker.drafts import build_draft, count_placeholders, render_draft
    from checker.output import write_atomic

    draft = build_draft(loaded, args.kind, lang=lang, simplified=args.simplificado, as_of=as_of,
                        catalog=_catalog(args))
    content = render_draft(draft, fmt, page_size=args.page_size.lower())
    write_atomic(args.output, content, lang)
    print(count_text("drafts", lang, "cli.written", count_placeholders(draft), path=args.output),
          file=sys.stderr)
    return 0


def _check(args: argparse.Namespace, lang: str) -> int:
    from checker.drafts.check import report
    from checker.drafts.docx_reader import read_docx
    from checker.validate import load_declaration

    path = Path(args.check)
    if not path.is_file():
        raise InputError(args.check, not_a_file(path, lang) or t("drafts", lang, "check.no_file"),
                         hint=t("drafts", lang, "check.no_file.hint"))
    loaded = load_declaration(Path(args.declaration), args.declaration, lang=lang)
    try:
        content = read_docx(path)
    except ValueError:
        # What the zip or XML library met is no help to whoever saved the file: damaged or not a DOCX.
        raise InputError(args.check, t("drafts", lang, "check.not_docx"),
                         hint=t("drafts", lang, "check.not_docx.hint")) from None
    kind = "aviso_simplificado" if args.simplificado else args.kind
    lines, count = report(content, loaded.model, loaded.sha256, kind, file=args.check,
                          declaration=args.declaration, lang=lang)
    print("\n".join(lines))
    return 1 if count else 0
