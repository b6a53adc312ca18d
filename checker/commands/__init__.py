"""Verbs added beside the core ones in `checker/cli.py`: one module per verb.

Each module named in `VERBS` exposes

    def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None

which adds its sub-parser (help texts from its locale file, in the language of `checker.cli.help_lang()`)
and sets `func` to a function `(args) -> int` returning the exit code. Keeping each verb in its own
module keeps `cli.py` small and lets verbs be added without touching each other.
"""

from __future__ import annotations

# Module names under `checker.commands`, in the order `--help` lists them.
VERBS: tuple[str, ...] = (
    "draft",
    "render",
    "portfolio",
    "compare",
    "sign",
    "verify",
)
