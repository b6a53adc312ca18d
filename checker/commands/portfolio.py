"""`resguarda portfolio DIR|MANIFEST.csv -o OUTDIR`: evaluate many declarations and roll them up.

Exit codes: 0 every declaration evaluated; 1 some could not be (listed in summary.json `errors` and
on the page; every output is written); 2 bad command line or input (nothing written); 3 internal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.commands import placeholder
from checker.errors import UsageError
from checker.i18n import t
from checker.problems import count_text


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang

    lang = help_lang()

    def h(key: str) -> str:
        return t("portfolio", lang, f"help.{key}")

    p = sub.add_parser("portfolio", help=h("verb"), description=h("verb"))
    p.add_argument("target", metavar=placeholder("portfolio_target"), help=h("target"))
    p.add_argument("-o", "--output", required=True, metavar=placeholder("outdir"), help=h("output"))
    p.add_argument("--group-by", action="append", default=[], metavar=placeholder("group_by"), help=h("group_by"))
    p.add_argument("--jobs", type=int, default=0, metavar="N", help=h("jobs"))
    p.add_argument("--engine", choices=["local", "dask"], default="local", help=h("engine"))
    p.add_argument("--scheduler", metavar=placeholder("scheduler"), help=h("scheduler"))
    p.add_argument("--send", choices=["path", "bytes"], default="path", help=h("send"))
    p.add_argument("--previous", metavar=placeholder("outdir"), help=h("previous"))
    p.add_argument("--pdf", action="store_true", help=h("pdf"))
    p.add_argument("--xlsx", action="store_true", help=h("xlsx"))
    p.add_argument("--as-of", metavar=placeholder("date"), help=h("as_of"))
    p.add_argument("--profile", choices=["public-education", "private-school", "vendor"], help=h("profile"))
    p.add_argument("--reports", type=int, default=15, metavar="N", help=h("reports"))
    common(p)
    p.set_defaults(func=cmd_portfolio)


def cmd_portfolio(args: argparse.Namespace) -> int:
    from checker.cli import _as_of, _lang

    lang = _lang(args)
    try:
        from checker.portfolio.run import Options, progress_wanted, run
    except ImportError:
        raise UsageError(t("portfolio", lang, "error.parquet_missing")) from None
    if args.engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError(t("portfolio", lang, "error.dask_missing")) from None
    if args.jobs < 0:
        raise UsageError(f"--jobs {args.jobs}")
    options = Options(target=Path(args.target), output=Path(args.output), group_by=list(args.group_by),
                      jobs=args.jobs, engine=args.engine, scheduler=args.scheduler, send=args.send,
                      previous=Path(args.previous) if args.previous else None, pdf=args.pdf, xlsx=args.xlsx,
                      lang=lang, catalog_dir=args.catalog, as_of=_as_of(args.as_of, lang), profile=args.profile,
                      progress=progress_wanted(), reports=max(0, args.reports))
    outcome = run(options)
    s = outcome.summary
    print(count_text("portfolio", lang, "done", s["programs_evaluated"], errors=s["programs_with_errors"],
                     seconds=f"{outcome.seconds:.1f}", folder=args.output), file=sys.stderr)
    if s["errors"]:
        print(t("portfolio", lang, "done.errors", page=str(Path(args.output) / "portfolio.html")), file=sys.stderr)
    return outcome.code
