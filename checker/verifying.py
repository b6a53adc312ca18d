"""Verifying a signed report: each signature, and the attached JSON result against today's evaluation.

A signature is checked for integrity (the signed bytes and the certificate's key), for changes after
signing (pyHanko's difference analysis: only later signatures may follow one), for the certificate's
validity period at the signing time (the time stamp's time for B-T, else the time the signer
stated), and, with `--trust`, for its issuer. The issuer is checked with `cryptography`, not with
pyHanko's path validation, which hashes the subject and fails on SAT certificates (signing.py).
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from checker.i18n import format_date, t
from checker.signing import AREA, signer_name, signer_rfc

ATTACHMENT_NAME = "resguarda-result.json"   # as checker.render.pdf writes it


@dataclass
class Check:
    ok: bool
    text: str
    note: bool = False   # information only: never fails the verification


@dataclass
class SignatureCheck:
    field_name: str
    name: str
    rfc: str | None
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class NotAPdf(Exception):
    """The file is not a PDF pyHanko can read."""


def _reader(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise NotAPdf(str(exc)) from None


def _crypto_cert(asn1_cert: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(asn1_cert.dump())


def _when(value: datetime, lang: str) -> str:
    return f"{format_date(value.date(), lang)} {value:%H:%M} UTC"


def _issuer(cert: x509.Certificate) -> str:
    for attr in cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME):
        return str(attr.value)
    return cert.issuer.rfc4514_string()


def _issued_by(cert: x509.Certificate, trusted: list[x509.Certificate]) -> bool:
    for ca in trusted:
        try:
            cert.verify_directly_issued_by(ca)
            return True
        except Exception:   # noqa: BLE001 - an invalid signature or another key type: not this issuer
            continue
    return False


def verify_signatures(pdf: bytes, lang: str, trusted: list[x509.Certificate] | None = None) -> list[SignatureCheck]:
    """One `SignatureCheck` per signature, in the file's order. Raises `NotAPdf`."""
    from pyhanko.sign.diff_analysis.policy_api import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    def tr(key: str, **kw: Any) -> str:
        return t(AREA, lang, key, **kw)

    # pyHanko logs a traceback when its (unused) path building meets an e.firma subject: keep it quiet.
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    try:
        signatures = list(_reader(pdf).embedded_signatures)
    except NotAPdf:
        raise
    except Exception as exc:   # noqa: BLE001 - a damaged file is the user's input, not our defect
        raise NotAPdf(str(exc)) from None
    out: list[SignatureCheck] = []
    for i, sig in enumerate(signatures):
        cert = _crypto_cert(sig.signer_cert)
        report = SignatureCheck(field_name=sig.field_name, name=signer_name(cert), rfc=signer_rfc(cert))
        out.append(report)
        try:
            # No trust roots: pyHanko would hash an e.firma subject while building a path and fail.
            context = ValidationContext(trust_roots=[], allow_fetching=False)
            status = validate_pdf_signature(sig, context)
        except Exception as exc:   # noqa: BLE001 - a tampered signature shows up as any parse error
            report.checks.append(Check(False, tr("verify.damaged", error=type(exc).__name__)))
            continue
        report.checks.append(Check(status.intact and status.valid,
                                   tr("verify.intact" if status.intact and status.valid else "verify.not_intact")))
        last = i == len(signatures) - 1
        if sig.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            report.checks.append(Check(True, tr("verify.whole_file")))
        elif not last and status.modification_level is not None and \
                status.modification_level <= ModificationLevel.FORM_FILLING:
            report.checks.append(Check(True, tr("verify.later_signatures")))
        else:
            report.checks.append(Check(False, tr("verify.changed_after")))
        stamped = status.timestamp_validity
        if stamped is not None and not (stamped.intact and stamped.valid):
            report.checks.append(Check(False, tr("verify.timestamp_bad")))
        when = stamped.timestamp if stamped is not None else sig.self_reported_timestamp
        if when is not None:
            start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
            moment = tr("verify.when_stamped" if stamped is not None else "verify.when_claimed",
                        time=_when(when, lang))
            inside = start <= when <= end
            report.checks.append(Check(inside, tr("verify.valid_period" if inside else "verify.outside_period",
                                                  when=moment, start=format_date(start.date(), lang),
                                                  end=format_date(end.date(), lang))))
            if inside and datetime.now(end.tzinfo) > end:
                report.checks.append(Check(True, tr("verify.expired_now", end=format_date(end.date(), lang)),
                                           note=True))
        if trusted:
            ok = _issued_by(cert, trusted)
            report.checks.append(Check(ok, tr("verify.trusted" if ok else "verify.untrusted", issuer=_issuer(cert))))
        else:
            report.checks.append(Check(True, tr("verify.trust_not_checked", issuer=_issuer(cert)), note=True))
    return out


def attached_result(pdf: bytes) -> bytes | None:
    """The JSON result attached to the report (the embedded file `resguarda-result.json`), if any."""
    try:
        root = _reader(pdf).root
        tree = root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError, NotAPdf):
        return None
    return _find_embedded(tree, ATTACHMENT_NAME, depth=0)


def _find_embedded(node: Any, name: str, depth: int) -> bytes | None:
    if depth > 8:   # a name tree is shallow; a deep one is hostile
        return None
    names = node.get("/Names") or []
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) == name:
            spec = names[i + 1].get_object()
            stream = spec["/EF"].get("/UF") or spec["/EF"]["/F"]
            data: bytes = stream.get_object().data
            return data
    for kid in node.get("/Kids") or []:
        found = _find_embedded(kid.get_object(), name, depth + 1)
        if found is not None:
            return found
    return None


def load_trusted(paths: list[str], lang: str) -> list[x509.Certificate]:
    from checker.signing import load_certificate, read_file

    return [load_certificate(Path(p), read_file(Path(p), lang), lang) for p in paths]


# -- the attached result against today's evaluation --------------------------------------------------
def _input_key(item: dict[str, Any]) -> tuple[str, str]:
    return str(item.get("role")), str(item.get("id") or item.get("path"))


def _input_name(item: dict[str, Any]) -> str:
    if item.get("id") and item.get("path"):
        return f"{item['id']} ({item['path']})"
    return str(item.get("id") or item.get("path"))


def compare_results(signed: dict[str, Any], today: dict[str, Any], same_bytes: bool, file: str,
                    lang: str) -> list[Check]:
    """What differs between the signed result and today's, naming each input whose hash changed."""
    def tr(key: str, **kw: Any) -> str:
        return t(AREA, lang, key, **kw)

    def role(item: dict[str, Any]) -> str:
        return tr(f"verify.role.{item.get('role')}")

    old = {_input_key(i): i for i in signed.get("inputs") or []}
    new = {_input_key(i): i for i in today.get("inputs") or []}
    checks: list[Check] = []
    for key, item in old.items():
        if key not in new:
            checks.append(Check(False, tr("verify.input_missing", role=role(item), name=_input_name(item))))
        elif new[key].get("sha256") != item.get("sha256"):
            checks.append(Check(False, tr("verify.input_changed", role=role(item), name=_input_name(item))))
    for key, item in new.items():
        if key not in old:
            checks.append(Check(False, tr("verify.input_added", role=role(item), name=_input_name(item))))
    old_cat, new_cat = signed.get("catalog") or {}, today.get("catalog") or {}
    if old_cat.get("sha256") != new_cat.get("sha256"):
        checks.append(Check(False, tr("verify.catalog_changed",
                                      old=f"{old_cat.get('id')} {old_cat.get('version')}",
                                      new=f"{new_cat.get('id')} {new_cat.get('version')}")))
    if not checks and not same_bytes:
        checks.append(Check(False, tr("verify.result_differs", old=(signed.get("tool") or {}).get("version"),
                                      new=(today.get("tool") or {}).get("version"))))
    if not checks:
        checks.append(Check(True, tr("verify.result_same", file=file, n=len(new))))
    return checks


def check_against_declaration(attached: bytes, declaration: str, lang: str, catalog: Any) -> list[Check]:
    """Evaluate the declaration today with the signed result's date, language and profile, and compare."""
    from checker.api import evaluate_loaded
    from checker.render import RenderOptions
    from checker.render.json_doc import render as render_json
    from checker.validate import load_declaration

    try:
        signed = json.loads(attached)
        as_of = signed["as_of"]
        doc_lang = signed.get("lang") or lang
        profile = signed.get("profile")
    except (ValueError, KeyError, TypeError):
        return [Check(False, t(AREA, lang, "verify.bad_attachment"))]
    from datetime import date

    loaded = load_declaration(Path(declaration), declaration, lang=lang)
    today = evaluate_loaded(loaded, as_of=date.fromisoformat(as_of), lang=doc_lang, profile=profile, catalog=catalog)
    fresh = render_json(today, RenderOptions(lang=doc_lang))
    return compare_results(signed, json.loads(fresh), fresh == attached, Path(declaration).name, lang)
