"""Signing a report PDF: the signer's files (a SAT e.firma, PEM or PKCS#12) and a PAdES signature.

An e.firma is a DER X.509 certificate (`.cer`) and a PKCS#8 DER private key encrypted with a
password (`.key`). SAT writes the RFC (and CURP) into the subject's `x500UniqueIdentifier`
(2.5.4.45) as a text string where asn1crypto, which pyHanko uses, expects a BIT STRING: reading
that subject with asn1crypto raises. So the certificate is read with `cryptography`, the signer's
name is handed to pyHanko explicitly, and pyHanko never gets a certificate store that would hash the
subject (tech-notes.md).

The visible signature goes on a page of its own appended to the report (the signature page), so it
never covers the report's text; a second signature stacks below the first on that page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from checker.errors import InputError
from checker.i18n import format_date, t

AREA = "audit"
SIGNATURE_PAGE_MARK = "/ResguardaSignaturePage"   # a key on the page we add, to find it again
# An RFC: 3 letters (a company) or 4 (a person), the date yymmdd, and a 3-character homoclave.
RFC_PATTERN = re.compile(r"\b([A-ZÑ&]{3,4}\d{6}[A-Z\d]{3})\b")
UNIQUE_IDENTIFIER = x509.ObjectIdentifier("2.5.4.45")

# The signature page: where the boxes go, in PDF points from the bottom-left corner of the page.
BOX_WIDTH = 380.0
BOX_HEIGHT = 96.0
BOX_GAP = 18.0
BOX_TOP_MARGIN = 150.0   # below the page's heading


class PasswordNeeded(InputError):
    """The key is encrypted and no password was given: the command may ask for one and retry."""


@dataclass(frozen=True)
class Credentials:
    """The signer's certificate and private key, read and checked to belong together."""

    certificate: x509.Certificate
    key: Any                       # a cryptography private key
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def name(self) -> str:
        return signer_name(self.certificate)

    @property
    def rfc(self) -> str | None:
        return signer_rfc(self.certificate)


# -- who signs -----------------------------------------------------------------------------------
def _attribute_text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def signer_name(cert: x509.Certificate) -> str:
    """The subject's common name (an e.firma holds the person's or the company's name there)."""
    for attr in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME):
        return _attribute_text(attr.value).strip()
    for attr in cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME):
        return _attribute_text(attr.value).strip()
    return cert.subject.rfc4514_string()


def signer_rfc(cert: x509.Certificate) -> str | None:
    """The RFC of an e.firma: the first RFC in `x500UniqueIdentifier` ("RFC / RFC of the legal
    representative" for a company); else one in the serial number attribute; else none."""
    for oid in (UNIQUE_IDENTIFIER, x509.NameOID.SERIAL_NUMBER):
        for attr in cert.subject.get_attributes_for_oid(oid):
            found = RFC_PATTERN.search(_attribute_text(attr.value).upper())
            if found:
                return found.group(1)
    return None


# -- reading the signer's files ------------------------------------------------------------------
def _is_pkcs12(path: Path) -> bool:
    return path.suffix.lower() in (".p12", ".pfx")


def _read(path: Path, lang: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), t(AREA, lang, "sign.unreadable", error=exc.strerror or str(exc)),
                         hint=t(AREA, lang, "sign.unreadable.hint")) from None


def _load_certificate(path: Path, data: bytes, lang: str) -> x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise InputError(str(path), t(AREA, lang, "sign.bad_certificate"),
                         hint=t(AREA, lang, "sign.bad_certificate.hint")) from None


def _load_key(path: Path, data: bytes, password: bytes | None, lang: str) -> Any:
    pem = data.lstrip().startswith(b"-----BEGIN")
    load = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    try:
        try:
            return load(data, password)
        except TypeError as exc:
            # "Password was given but private key is not encrypted": use it without one.
            if password is not None and "not encrypted" in str(exc):
                return load(data, None)
            raise
    except TypeError:   # an encrypted key and no password
        raise PasswordNeeded(str(path), t(AREA, lang, "sign.password_needed"),
                         hint=t(AREA, lang, "sign.password_hint")) from None
    except ValueError as exc:
        if password is not None and _looks_like_wrong_password(exc):
            raise InputError(str(path), t(AREA, lang, "sign.wrong_password"),
                             hint=t(AREA, lang, "sign.password_hint")) from None
        raise InputError(str(path), t(AREA, lang, "sign.bad_key"),
                         hint=t(AREA, lang, "sign.bad_key.hint")) from None


def _looks_like_wrong_password(exc: ValueError) -> bool:
    text = str(exc).lower()
    return "decrypt" in text or "password" in text


def _same_key(cert: x509.Certificate, key: Any) -> bool:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return bool(cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki))


def load_credentials(cert_path: Path, key_path: Path | None, password: bytes | None, lang: str) -> Credentials:
    """Read a certificate and its key (DER or PEM; or one PKCS#12 file) and check they belong together.

    Every problem is an `InputError` naming the file: unreadable, not a certificate, not a key,
    encrypted without a password, a wrong password, a key of another certificate.
    """
    data = _read(cert_path, lang)
    if _is_pkcs12(cert_path):
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password)
        except ValueError:
            if password is None:
                raise PasswordNeeded(str(cert_path), t(AREA, lang, "sign.password_needed"),
                                     hint=t(AREA, lang, "sign.password_hint")) from None
            raise InputError(str(cert_path), t(AREA, lang, "sign.wrong_password_p12"),
                             hint=t(AREA, lang, "sign.password_hint")) from None
        if key is None or cert is None:
            raise InputError(str(cert_path), t(AREA, lang, "sign.p12_incomplete"),
                             hint=t(AREA, lang, "sign.p12_incomplete.hint"))
        return Credentials(cert, key, list(extra))
    cert = _load_certificate(cert_path, data, lang)
    if key_path is None:
        raise InputError(str(cert_path), t(AREA, lang, "sign.key_missing"), hint=t(AREA, lang, "sign.key_missing.hint"))
    key = _load_key(key_path, _read(key_path, lang), password, lang)
    if not _same_key(cert, key):
        raise InputError(str(key_path), t(AREA, lang, "sign.mismatch", cert=cert_path.name),
                         hint=t(AREA, lang, "sign.mismatch.hint"))
    return Credentials(cert, key)


def check_validity(creds: Credentials, when: datetime, cert_file: str, lang: str) -> None:
    """A certificate outside its validity period cannot sign (the signature would not verify)."""
    cert = creds.certificate
    if when < cert.not_valid_before_utc:
        raise InputError(cert_file, t(AREA, lang, "sign.not_yet_valid",
                                      date=format_date(cert.not_valid_before_utc.date(), lang)),
                         hint=t(AREA, lang, "sign.validity.hint"))
    if when > cert.not_valid_after_utc:
        raise InputError(cert_file, t(AREA, lang, "sign.expired",
                                      date=format_date(cert.not_valid_after_utc.date(), lang)),
                         hint=t(AREA, lang, "sign.validity.hint"))


# -- signing -------------------------------------------------------------------------------------
def _asn1(creds: Credentials) -> tuple[Any, Any, list[Any]]:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509

    der = serialization.Encoding.DER
    cert = asn1_x509.Certificate.load(creds.certificate.public_bytes(der))
    key = asn1_keys.PrivateKeyInfo.load(creds.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in creds.chain]
    return cert, key, chain


def _signature_page(writer: Any, lang: str) -> tuple[int, int]:
    """The index of our signature page (appending it when the report has none yet) and how many
    signature boxes it holds already."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PageObject

    pages = int(writer.root["/Pages"]["/Count"])
    last = writer.find_page_for_modification(pages - 1)[0].get_object()
    if SIGNATURE_PAGE_MARK in last:
        annots = last.get("/Annots") or []
        boxes = sum(1 for a in annots if a.get_object().get("/FT") == "/Sig")
        return pages - 1, boxes
    media_box = [float(v) for v in last.get("/MediaBox", [0, 0, 595.28, 841.89])]
    page = PageObject(contents=writer.add_object(generic.StreamObject(stream_data=_heading(media_box, lang))),
                      media_box=media_box, resources=_heading_resources())
    page[generic.pdf_name(SIGNATURE_PAGE_MARK)] = generic.BooleanObject(True)
    writer.insert_page(page)
    return pages, 0


def _pdf_text(text: str) -> bytes:
    # The standard Helvetica with WinAnsi covers Spanish letters; the heading is our own text.
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", "replace")


def _wrap(text: str, width: int = 95) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _heading(media_box: list[float], lang: str) -> bytes:
    y = media_box[3] - 72
    out = b"BT /F1 16 Tf 56 %.1f Td (" % y + _pdf_text(t(AREA, lang, "page.title")) + b") Tj ET\n"
    y -= 26
    for line in _wrap(t(AREA, lang, "page.note")) + _wrap(t(AREA, lang, "page.note2")):
        out += b"BT /F1 9 Tf 56 %.1f Td (" % y + _pdf_text(line) + b") Tj ET\n"
        y -= 13
    return out


def _heading_resources() -> Any:
    from pyhanko.pdf_utils import generic

    font = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Font"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
        generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding"),
    })
    return generic.DictionaryObject({generic.pdf_name("/Font"): generic.DictionaryObject({
        generic.pdf_name("/F1"): font})})


def _box(media_box: list[float], index: int) -> tuple[int, int, int, int]:
    left = 56.0
    top = media_box[3] - BOX_TOP_MARGIN - index * (BOX_HEIGHT + BOX_GAP)
    return int(left), int(top - BOX_HEIGHT), int(left + BOX_WIDTH), int(top)


def _stamp_style(lang: str) -> Any:
    from pyhanko.stamp import TextStampStyle

    # pyHanko's built-in font covers the Spanish letters of names (Á, É, Ñ…); an embedded TrueType
    # font would need HarfBuzz bindings for a small gain.
    text = "\n".join([t(AREA, lang, "stamp.signed_by"), t(AREA, lang, "stamp.rfc"), t(AREA, lang, "stamp.date"),
                      t(AREA, lang, "stamp.reason")])
    return TextStampStyle(stamp_text=text, border_width=1)


def sign_pdf(pdf: bytes, creds: Credentials, *, lang: str, reason: str | None = None,
             location: str | None = None, tsa_url: str | None = None) -> bytes:
    """A PAdES baseline signature (B-B; B-T with a time-stamping authority) with a visible block on
    the signature page. `pdf` must be a PDF; errors from pyHanko propagate to the caller."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key, chain = _asn1(creds)
    # An empty store: registering the certificate would hash its subject (the asn1crypto trap).
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore())
    if chain:
        signer.cert_registry.register_multiple(chain)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page, index = _signature_page(writer, lang)
    media_box = [float(v) for v in writer.find_page_for_modification(page)[0].get_object()["/MediaBox"]]
    field_name = f"Firma{index + 1}"
    reason = reason or t(AREA, lang, "stamp.default_reason")
    timestamper = None
    if tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url, timeout=30)
    meta = PdfSignatureMetadata(field_name=field_name, name=creds.name, reason=reason, location=location,
                                md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=_stamp_style(lang),
                           new_field_spec=fields.SigFieldSpec(field_name, on_page=page, box=_box(media_box, index)))
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params={
        "name": creds.name, "rfc": creds.rfc or "—", "reason": reason})
    return out.getvalue()


def now_utc() -> datetime:
    return datetime.now(UTC)
