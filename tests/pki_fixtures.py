"""A test certification authority and e.firma-shaped certificates, made on the spot.

SAT's e.firma: the subject carries the holder's name (CN), the RFC in `x500UniqueIdentifier`
(2.5.4.45) as a text string ("RFC / " for a person), the CURP in `serialNumber`; the key is PKCS#8
DER encrypted with a password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

PASSWORD = b"Contrase\xc3\xb1a-de-prueba 2026"   # "Contraseña-de-prueba 2026" in UTF-8
NOW = dt.datetime.now(dt.UTC)


@dataclass
class Signer:
    cert: Path
    key: Path
    name: str
    rfc: str


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(folder: Path, name: str = "Autoridad Certificadora de Prueba"
            ) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pruebas de Resguarda"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "MX")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=400)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    (folder / f"{name.split()[0].lower()}-ca.cer").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    return cert, key


def make_efirma(folder: Path, ca: tuple[x509.Certificate, rsa.RSAPrivateKey], *, stem: str = "efirma",
                name: str = "MARÍA JOSÉ GÓMEZ ÁLVAREZ", rfc: str = "GOAM800101AB1",
                curp: str = "GOAM800101MDFMLR05", days_before: int = 30, days_after: int = 1460,
                password: bytes = PASSWORD) -> Signer:
    ca_cert, ca_key = ca
    key = _key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(x509.ObjectIdentifier("2.5.4.41"), name),   # name
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, "auditora@example.org"),
        # As SAT writes it: a text string where the X.500 standard has a BIT STRING.
        x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, f"{rfc} / ", _ASN1Type.UTF8String),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f" / {curp}"),
    ])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=days_before))
            .not_valid_after(NOW + dt.timedelta(days=days_after))
            .add_extension(x509.KeyUsage(True, True, False, True, False, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = folder / f"{stem}.cer", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                           serialization.BestAvailableEncryption(password)))
    return Signer(cert_path, key_path, name, rfc)


def make_pkcs12(folder: Path, signer: Signer, password: bytes = PASSWORD) -> Path:
    cert = x509.load_der_x509_certificate(signer.cert.read_bytes())
    key = serialization.load_der_private_key(signer.key.read_bytes(), password)
    data = pkcs12.serialize_key_and_certificates(b"firma", key, cert, None,  # type: ignore[arg-type]
                                                 serialization.BestAvailableEncryption(password))
    path = folder / f"{signer.cert.stem}.p12"
    path.write_bytes(data)
    return path


def make_tsa(ca: tuple[x509.Certificate, rsa.RSAPrivateKey]) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A time-stamping authority's certificate (extended key usage timeStamping, critical)."""
    ca_cert, ca_key = ca
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sellos de Tiempo de Prueba"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "MX")])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=30)).not_valid_after(NOW + dt.timedelta(days=1000))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return cert, key
