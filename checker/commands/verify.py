"""`resguarda verify SIGNED.pdf [--declaration D.yaml] [--trust CA.cer]`: exit 0 when every check
passes, 2 when one fails or the input is bad (as `validate`), 3 on an internal error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.commands import placeholder
from checker.errors import InputError
from checker.i18n import t
from checker.problems import count_text

AREA = "audit"


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang

    lang = help_lang()

    def h(key: str) -> str:
        return t(AREA, lang, key)

    p = sub.add_parser("verify", help=h("help.verify"), description=h("help.verify"))
    p.add_argument("report", metavar=placeholder("signed_pdf"), help=h("help.verify.report"))
    p.add_argument("--declaration", metavar=placeholder("declaration_yaml"), help=h("help.verify.declaration"))
    p.add_argument("--trust", metavar=placeholder("ca_cer"), action="append", default=[], help=h("help.verify.trust"))
    common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from checker.cli import _catalog, _lang
    from checker.commands.sign import require_libraries
    from checker.verifying import (
        NotAPdf,
        attached_result,
        check_against_declaration,
        load_trusted,
        verify_signatures,
    )

    lang = _lang(args)
    require_libraries(lang)

    def tr(key: str, **kw: Any) -> str:
        return t(AREA, lang, key, **kw)

    try:
        pdf = Path(args.report).read_bytes()
    except OSError as exc:
        raise InputError(args.report, tr("sign.unreadable", error=exc.strerror or type(exc).__name__),
                         hint=tr("sign.unreadable.hint")) from None
    trusted = load_trusted(args.trust, lang)
    try:
        signatures = verify_signatures(pdf, lang, trusted)
    except NotAPdf:
        raise InputError(args.report, tr("verify.not_pdf")) from None
    if not signatures:
        raise InputError(args.report, tr("verify.none"), hint=tr("verify.none.hint"))
    print(tr("verify.title", file=args.report))
    failures = 0
    for n, sig in enumerate(signatures, 1):
        key = "verify.signature_rfc" if sig.rfc else "verify.signature"
        print(tr(key, n=n, field=sig.field_name, name=sig.name, rfc=sig.rfc))
        for check in sig.checks:
            failures += _show(check)
    if args.declaration:
        attached = attached_result(pdf)
        if attached is None:
            failures += 1
            print(f"  ✗ {tr('verify.no_attachment')}\n    -> {tr('verify.no_attachment.hint')}")
        else:
            for check in check_against_declaration(attached, args.declaration, lang, _catalog(args)):
                failures += _show(check)
    if failures:
        print(f"{args.report}: {count_text(AREA, lang, 'verify.failed', failures)}", file=sys.stderr)
        return 2
    print(tr("verify.ok"))
    return 0


def _show(check: Any) -> int:
    mark = "·" if check.note else ("✓" if check.ok else "✗")
    print(f"  {mark} {check.text}")
    return 0 if check.ok else 1
