"""`resguarda compare A B C… --format pdf|html|md|xlsx|json [--require IDS] [--knockout SEVERITY]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from checker.commands import placeholder
from checker.errors import UsageError
from checker.i18n import t

_EXTENSIONS = {".json": "json", ".md": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx"}


def register(sub: argparse._SubParsersAction,  # type: ignore[type-arg]
             common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang
    from checker.procurement.compare_render import FORMATS
    from checker.procurement.vocab import severities

    lang = help_lang()

    def h(key: str) -> str:
        return t("procurement", lang, key)

    p = sub.add_parser("compare", help=h("help.compare"), description=h("help.compare"))
    p.add_argument("bidders", nargs="+", metavar=placeholder("bid"), help=h("help.compare.bidders"))
    p.add_argument("--format", choices=list(FORMATS), help=h("help.compare.format"))
    p.add_argument("-o", "--output", metavar=placeholder("file"), help=h("help.compare.output"))
    p.add_argument("--require", metavar=placeholder("ids"), default="", help=h("help.compare.require"))
    p.add_argument("--knockout", choices=list(severities()), metavar=placeholder("severity"),
                   help=h("help.compare.knockout"))
    p.add_argument("--profile", choices=["public-education", "private-school", "vendor"],
                   help=h("help.compare.profile"))
    p.add_argument("--as-of", metavar=placeholder("date"), help=h("help.compare.as_of"))
    common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from checker.cli import _catalog, _emit, _lang
    from checker.procurement.compare import compare, load_bidder
    from checker.procurement.compare_render import render

    lang = _lang(args)
    fmt = args.format or (_EXTENSIONS.get(Path(args.output).suffix.lower(), "md") if args.output else "md")
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(t("cli", lang, "error.as_of", value=args.as_of)) from None
    catalog = _catalog(args)
    require = [x.strip().upper() for x in args.require.split(",") if x.strip()]
    views = [load_bidder(Path(p), catalog, args.profile, as_of, lang) for p in args.bidders]
    cmp = compare(views, catalog, knockout=args.knockout, require=require, lang=lang)
    _emit(render(cmp, fmt), args.output, fmt, lang)
    return 0
