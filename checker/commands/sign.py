"""`resguarda sign REPORT.pdf --cert FILE --key FILE [--password-file F] [--tsa URL] -o SIGNED.pdf`.

The key's password never comes from the command line (other users see it in the process list and
the shell keeps it in its history): a file, the RESGUARDA_KEY_PASSWORD variable (for CI), or a
prompt without echo. It is never printed.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.commands import placeholder
from checker.errors import InputError, ToolError, UsageError
from checker.i18n import LANGS, t

AREA = "audit"
PASSWORD_VARIABLE = "RESGUARDA_KEY_PASSWORD"


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang

    lang = help_lang()

    def h(key: str) -> str:
        return t(AREA, lang, key)

    p = sub.add_parser("sign", help=h("help.sign"), description=h("help.sign"))
    p.add_argument("report", metavar=placeholder("report_pdf"), help=h("help.sign.report"))
    p.add_argument("--cert", required=True, metavar=placeholder("file"), help=h("help.sign.cert"))
    p.add_argument("--key", metavar=placeholder("file"), help=h("help.sign.key"))
    p.add_argument("--password-file", metavar=placeholder("file"), help=h("help.sign.password_file"))
    p.add_argument("--tsa", metavar=placeholder("url"), help=h("help.sign.tsa"))
    p.add_argument("--reason", metavar=placeholder("reason"), help=h("help.sign.reason"))
    p.add_argument("--location", metavar=placeholder("location"), help=h("help.sign.location"))
    p.add_argument("-o", "--output", required=True, metavar=placeholder("signed_pdf"), help=h("help.sign.output"))
    p.add_argument("--lang", choices=LANGS, help=t("cli", lang, "help.lang"))   # signing needs no catalog
    p.set_defaults(func=run)


def require_libraries(lang: str) -> None:
    """pyHanko and cryptography come with the `sign` extra: say so instead of failing on an import."""
    try:
        import cryptography  # noqa: F401
        import pyhanko  # noqa: F401
    except ImportError:
        raise UsageError(t(AREA, lang, "sign.missing_extra")) from None


def _password(args: argparse.Namespace, lang: str) -> bytes | None:
    if args.password_file:
        try:
            raw = Path(args.password_file).read_bytes()
        except OSError as exc:
            raise InputError(args.password_file, t(AREA, lang, "sign.password_file_unreadable",
                                                   error=exc.strerror or type(exc).__name__)) from None
        return raw.splitlines()[0] if raw.strip(b"\r\n") else b""
    env = os.environ.get(PASSWORD_VARIABLE)
    return env.encode("utf-8") if env is not None else None


def _read_pdf(path: str, lang: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, t(AREA, lang, "sign.unreadable", error=exc.strerror or type(exc).__name__),
                         hint=t(AREA, lang, "sign.unreadable.hint")) from None
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise InputError(path, t(AREA, lang, "sign.not_pdf"), hint=t(AREA, lang, "sign.not_pdf.hint"))
    return data


def run(args: argparse.Namespace) -> int:
    from checker.cli import _check_output_folder, _lang
    from checker.output import write_atomic
    from checker.signing import PasswordNeeded, check_validity, load_credentials, now_utc

    lang = _lang(args)
    require_libraries(lang)
    pdf = _read_pdf(args.report, lang)
    _check_output_folder(args.output, lang)
    cert_path = Path(args.cert)
    key_path = Path(args.key) if args.key else None
    password = _password(args, lang)
    try:
        creds = load_credentials(cert_path, key_path, password, lang)
    except PasswordNeeded:
        if password is not None or not sys.stdin.isatty():
            raise
        prompt = t(AREA, lang, "sign.prompt", file=(key_path or cert_path).name)
        creds = load_credentials(cert_path, key_path, getpass.getpass(prompt).encode("utf-8"), lang)
    check_validity(creds, now_utc(), args.cert, lang)
    signed = _sign(pdf, creds, args, lang)
    write_atomic(args.output, signed, lang)
    rfc = creds.rfc
    key = "sign.done" if rfc else "sign.done_no_rfc"
    print(t(AREA, lang, key, name=creds.name, rfc=rfc, path=args.output), file=sys.stderr)
    return 0


def _sign(pdf: bytes, creds: Any, args: argparse.Namespace, lang: str) -> bytes:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.timestamps import TimestampRequestError

    from checker.signing import sign_pdf

    try:
        return sign_pdf(pdf, creds, lang=lang, reason=args.reason, location=args.location, tsa_url=args.tsa)
    except PdfReadError:
        raise InputError(args.report, t(AREA, lang, "sign.not_pdf"), hint=t(AREA, lang, "sign.not_pdf.hint")) from None
    except (TimestampRequestError, OSError) as exc:
        if not args.tsa:
            raise
        # The authority is an outside service that failed: exit 3, like a failing nmap.
        raise ToolError(t(AREA, lang, "sign.tsa_failed", url=args.tsa, error=exc)) from None
