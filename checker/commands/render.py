"""`resguarda render RESULT.json --format pdf|html|md|csv|sarif|junit|oscal|json --lang es|en -o FILE`:
render a saved result (the JSON of `evaluate --format json`) in any format and either language.

An auditor archives the JSON and prints it later; a portfolio renders many. The result carries the
catalog's texts in both languages and language-neutral explanations, so rendering a Spanish result in
English gives what evaluating in English gives. Without `--lang` the output uses the result's language;
without `--format` the format follows `-o`'s extension. Bad input exits 2 with file, line and column.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from checker.commands import placeholder
from checker.i18n import LANGS, t

RENDERABLE = ("pdf", "html", "md", "csv", "sarif", "junit", "oscal", "json")


def _help(key: str) -> str:
    from checker.cli import help_lang

    return t("render", help_lang(), key)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("render", help=_help("help"), description=_help("description"))
    p.add_argument("result", metavar=placeholder("result_json"), help=_help("arg.result"))
    p.add_argument("--format", choices=RENDERABLE, help=_help("arg.format"))
    p.add_argument("-o", "--output", metavar=placeholder("file"), help=_help("arg.output"))
    p.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help=_help("arg.page_size"))
    p.add_argument("--pdf-variant", choices=["pdf/a-3b"], default=None, help=_help("arg.pdf_variant"))
    p.add_argument("--sarif-uri-base", metavar=placeholder("dir"), default=None, help=_help("arg.sarif_uri_base"))
    p.add_argument("--lang", choices=LANGS, help=_help("arg.lang"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from checker.cli import _check_output_folder
    from checker.diff import load_result
    from checker.errors import UsageError
    from checker.output import is_stdout, write_atomic
    from checker.render import EXTENSIONS, RenderOptions, render_pieces, sarif_uri_base

    ui = args.lang or os.environ.get("RESGUARDA_LANG", "es")
    ui = ui if ui in LANGS else "es"
    fmt = args.format
    if fmt is None and args.output:
        fmt = EXTENSIONS.get(Path(args.output).suffix.lower())
        if fmt is None:
            raise UsageError(t("render", ui, "error.format", file=args.output, formats=", ".join(RENDERABLE)))
    fmt = fmt or "md"
    _check_output_folder(args.output, ui, [("result", args.result)])   # before reading and rendering
    if fmt == "pdf" and not args.output:
        raise UsageError(t("render", ui, "error.binary_stdout"))
    doc = load_result(Path(args.result), ui)
    lang = args.lang or doc.lang
    # As `evaluate` does: the declaration sat next to the result when it was evaluated.
    uri_base = sarif_uri_base(args.sarif_uri_base, Path(args.result).parent)
    options = RenderOptions(lang=lang, page_size=args.page_size, pdf_variant=args.pdf_variant,
                            extra={"sarif_uri_base": uri_base})
    write_atomic(args.output or "-", render_pieces(doc, fmt, options), ui)
    if args.output and not is_stdout(args.output):
        print(t("render", lang, "written", path=args.output), file=sys.stderr)
    return 0
