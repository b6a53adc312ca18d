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
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
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
BOX_HEIGHT = 84.0
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


def read_file(path: Path, lang: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), t(AREA, lang, "sign.unreadable", error=exc.strerror or str(exc)),
                         hint=t(AREA, lang, "sign.unreadable.hint")) from None


def load_certificate(path: Path, data: bytes, lang: str) -> x509.Certificate:
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
    data = read_file(cert_path, lang)
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
    cert = load_certificate(cert_path, data, lang)
    if key_path is None:
        raise InputError(str(cert_path), t(AREA, lang, "sign.key_missing"), hint=t(AREA, lang, "sign.key_missing.hint"))
    key = _load_key(key_path, read_file(key_path, lang), password, lang)
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
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import PageObject

    pages = int(writer.root["/Pages"]["/Count"])
    last = writer.find_page_for_modification(pages - 1)[0].get_object()
    if SIGNATURE_PAGE_MARK in last:
        annots = last.get("/Annots") or []
        boxes = sum(1 for a in annots if a.get_object().get("/FT") == "/Sig")
        return pages - 1, boxes
    media_box = [float(v) for v in last.get("/MediaBox", [0, 0, 595.28, 841.89])]
    heading = PdfFileReader(io.BytesIO(_heading_pdf(media_box, lang)))
    xobject = writer.import_page_as_xobject(heading, 0)
    resources = generic.DictionaryObject({generic.pdf_name("/XObject"): generic.DictionaryObject({
        generic.pdf_name("/Heading"): xobject})})
    page = PageObject(contents=writer.add_object(generic.StreamObject(stream_data=b"q /Heading Do Q")),
                      media_box=media_box, resources=resources)
    page[generic.pdf_name(SIGNATURE_PAGE_MARK)] = generic.BooleanObject(True)
    writer.insert_page(page)
    return pages, 0


def _heading_pdf(media_box: list[float], lang: str) -> bytes:
    """The signature page's heading and note, set by WeasyPrint with the report's fonts (embedded, as
    PDF/A wants), on a page the size of the report's last one."""
    from checker.render.pdf import write_pdf

    width, height = media_box[2] - media_box[0], media_box[3] - media_box[1]
    html = (f'<html lang="{lang}"><head><meta charset="utf-8"><style>'
            f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 54pt 56pt; }}"
            'body { font-family: "DejaVu Sans"; font-size: 9pt; color: #1f2d3d; }'
            "h1 { font-size: 15pt; border-bottom: 1pt solid #1f2d3d; padding-bottom: 4pt; margin: 0 0 8pt 0; }"
            "p { margin: 0 0 4pt 0; line-height: 1.4; }</style></head><body>"
            f"<h1>{escape(t(AREA, lang, 'page.title'))}</h1><p>{escape(t(AREA, lang, 'page.note'))}</p>"
            f"<p>{escape(t(AREA, lang, 'page.note2'))}</p></body></html>")
    return write_pdf(html)


def _box(media_box: list[float], index: int) -> tuple[int, int, int, int]:
    left = 56.0
    top = media_box[3] - BOX_TOP_MARGIN - index * (BOX_HEIGHT + BOX_GAP)
    return int(left), int(top - BOX_HEIGHT), int(left + BOX_WIDTH), int(top)


def _stamp_pdf(creds: Credentials, lang: str, reason: str, location: str | None, when: datetime,
               size: tuple[float, float]) -> bytes:
    """The visible signature block, set by WeasyPrint with the report's fonts (embedded, as PDF/A wants)
    on a page the size of the box. The name and RFC come from the certificate: escaped like any input."""
    from checker.render.pdf import write_pdf

    lines = [t(AREA, lang, "stamp.signed_by", name=creds.name), t(AREA, lang, "stamp.rfc", rfc=creds.rfc or "—"),
             t(AREA, lang, "stamp.date", date=format_date(when.date(), lang), time=f"{when:%H:%M}"),
             t(AREA, lang, "stamp.reason", reason=reason)]
    if location:
        lines.append(t(AREA, lang, "stamp.location", location=location))
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (f'<html lang="{lang}"><head><meta charset="utf-8"><style>'
            f"@page {{ size: {size[0]:.2f}pt {size[1]:.2f}pt; margin: 8pt 10pt; }}"
            'body { font-family: "DejaVu Sans"; font-size: 10pt; color: #1f2d3d; }'
            "p { margin: 0 0 1.5pt 0; overflow-wrap: anywhere; } p:first-child { font-weight: bold; }"
            f"</style></head><body>{body}</body></html>")
    return write_pdf(html)


def sign_pdf(pdf: bytes, creds: Credentials, *, lang: str, reason: str | None = None,
             location: str | None = None, tsa_url: str | None = None) -> bytes:
    """A PAdES baseline signature (B-B; B-T with a time-stamping authority) with a visible block on
    the signature page. `pdf` must be a PDF; errors from pyHanko propagate to the caller."""
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import StaticStampStyle
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
    box = _box(media_box, index)
    block = _stamp_pdf(creds, lang, reason, location, now_utc(), (box[2] - box[0], box[3] - box[1]))
    with tempfile.TemporaryDirectory(prefix="resguarda-sign-") as folder:
        # pyHanko imports a stamp's background from a file.
        background = Path(folder) / "block.pdf"
        background.write_bytes(block)
        style = StaticStampStyle(background=ImportedPdfPage(str(background)), border_width=1)
        pdf_signer = PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=style,
                               new_field_spec=fields.SigFieldSpec(field_name, on_page=page, box=box))
        out = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def now_utc() -> datetime:
    return datetime.now(UTC)
