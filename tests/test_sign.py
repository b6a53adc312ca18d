"""`resguarda sign` and `resguarda verify` on a real report with an e.firma-shaped certificate from a
test authority: sign, verify, tamper one byte, change an input, wrong password, another key; and
poppler's `pdfsig` as an independent verifier."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pki_fixtures import PASSWORD, Signer, make_ca, make_efirma, make_pkcs12, make_tsa

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
DECLARATION = (ROOT / "examples" / "minimal.yaml").read_text(encoding="utf-8") + """
evidence:
  - id: aviso
    path: evidence/aviso.md
    description: Aviso de privacidad integral
    controls: [PRV-01]
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | Signer]:
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca(folder)
    other_ca = make_ca(folder, "Otra Autoridad")
    signer = make_efirma(folder, ca)
    password = folder / "password.txt"
    password.write_bytes(PASSWORD + b"\n")
    return {"folder": folder, "ca": folder / "autoridad-ca.cer", "other_ca": folder / "otra-ca.cer",
            "signer": signer, "password": password,
            "second": make_efirma(folder, ca, stem="revisor", name="JUAN PÉREZ NÚÑEZ", rfc="PENJ750505XY9"),
            "stranger": make_efirma(folder, other_ca, stem="ajeno"),
            "expired": make_efirma(folder, ca, stem="vencida", days_before=2000, days_after=-10)}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    (folder / "evidence").mkdir()
    (folder / "evidence" / "aviso.md").write_text("# Aviso de privacidad integral\n", encoding="utf-8")
    (folder / "programa.yaml").write_text(DECLARATION, encoding="utf-8")
    code = main(["evaluate", str(folder / "programa.yaml"), "-o", str(folder / "reporte.pdf"),
                 "--as-of", "2026-11-20"])
    assert code in (0, 1)
    return folder / "reporte.pdf"


def sign(report: Path, signer: Signer, out: Path, *extra: str, password: Path | None = None) -> int:
    args = ["sign", str(report), "--cert", str(signer.cert), "--key", str(signer.key), "-o", str(out), *extra]
    if password is not None:
        args += ["--password-file", str(password)]
    return main(args)


@pytest.fixture(scope="module")
def signed(pki: dict[str, Path | Signer], report: Path) -> Path:
    out = report.parent / "reporte-firmado.pdf"
    signer = pki["signer"]
    assert isinstance(signer, Signer)
    assert sign(report, signer, out, password=pki["password"]) == 0   # type: ignore[arg-type]
    return out


def pdftext(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, check=True, text=True).stdout


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def test_signed_report_verifies_and_names_the_signer(signed: Path, report: Path, pki: dict,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["verify", str(signed), "--declaration", str(report.parent / "programa.yaml"),
                 "--trust", str(pki["ca"])])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "MARÍA JOSÉ GÓMEZ ÁLVAREZ, RFC GOAM800101AB1" in out
    assert "la firma es íntegra" in out and "el PDF no cambió después de la firma" in out
    assert "el certificado estaba vigente al firmar" in out
    assert "Autoridad Certificadora de Prueba" in out
    assert "el resultado adjunto es el que da hoy programa.yaml (mismas huellas de 2 entradas" in out
    assert "✗" not in out


def test_signature_page_shows_name_and_rfc(signed: Path, report: Path) -> None:
    assert pages(signed) == pages(report) + 1
    last = pdftext(signed, pages(signed))
    assert "Firma electrónica del informe" in last
    assert "Firmado por: MARÍA JOSÉ GÓMEZ ÁLVAREZ" in last and "RFC: GOAM800101AB1" in last
    assert "Motivo: Aprobación del informe de cumplimiento" in last


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")
def test_pdfsig_independently_finds_a_valid_pades_signature(signed: Path) -> None:
    out = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
    assert "ETSI.CAdES.detached" in out
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert "GOAM800101AB1" in out   # the subject as SAT writes it, read by another library


def test_one_byte_changed_after_signing_fails(signed: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(signed.read_bytes())
    # A byte of the report's first page content, well inside the signed range.
    position = data.index(b"stream", 2000) + 40
    data[position] ^= 0x01
    tampered = tmp_path / "alterado.pdf"
    tampered.write_bytes(bytes(data))
    capsys.readouterr()
    code = main(["verify", str(tampered)])
    captured = capsys.readouterr()
    assert code == 2
    assert "✗ la firma NO corresponde al contenido" in captured.out
    assert "La verificación falló" in captured.err
    if shutil.which("pdfsig"):
        out = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True).stdout
        assert "Signature is Valid" not in out


def test_content_appended_after_signing_fails(signed: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed.read_bytes()))
    page = writer.find_page_for_modification(0)[0].get_object()
    page[generic.pdf_name("/Rotate")] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    changed = tmp_path / "cambiado.pdf"
    changed.write_bytes(out.getvalue())
    capsys.readouterr()
    assert main(["verify", str(changed)]) == 2
    assert "✗ el PDF cambió después de la firma" in capsys.readouterr().out


def test_changed_evidence_is_named(signed: Path, report: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "hoy"
    shutil.copytree(report.parent / "evidence", folder / "evidence")
    shutil.copy(report.parent / "programa.yaml", folder / "programa.yaml")
    (folder / "evidence" / "aviso.md").write_text("# Aviso de privacidad integral (otra versión)\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["verify", str(signed), "--declaration", str(folder / "programa.yaml")])
    out = capsys.readouterr().out
    assert code == 2
    assert "✗ cambió la evidencia «aviso (evidence/aviso.md)»: su huella SHA-256 ya no es la que se firmó" in out
    assert "la declaración" not in out   # only the input that changed is named
    assert "✓ la firma es íntegra" in out   # the signature itself is fine


def test_changed_declaration_is_named_in_english(signed: Path, report: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "today"
    shutil.copytree(report.parent / "evidence", folder / "evidence")
    text = (report.parent / "programa.yaml").read_text(encoding="utf-8")
    (folder / "programa.yaml").write_text(text.replace("tutorías en línea", "tutorías en línea 2027"),
                                          encoding="utf-8")
    capsys.readouterr()
    code = main(["verify", str(signed), "--declaration", str(folder / "programa.yaml"), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 2
    assert "✗ the declaration “programa.yaml” changed: its SHA-256 hash is no longer the one signed" in out
    assert "evidence “aviso" not in out


def test_wrong_password_is_exit_2_and_writes_nothing(pki: dict, report: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "pw"
    wrong.write_text("no-es-la-contraseña\n", encoding="utf-8")
    out = tmp_path / "firmado.pdf"
    capsys.readouterr()
    assert sign(report, pki["signer"], out, password=wrong) == 2
    err = capsys.readouterr().err
    assert "efirma.key: la contraseña no abre esta llave privada" in err
    assert "--password-file" in err
    assert "no-es-la-contraseña" not in err and PASSWORD.decode() not in err
    assert not out.exists() and list(tmp_path.glob(".*part")) == []


def test_key_of_another_certificate_is_exit_2(pki: dict, report: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    mixed = Signer(cert=pki["signer"].cert, key=pki["second"].key, name="", rfc="")
    out = tmp_path / "firmado.pdf"
    capsys.readouterr()
    assert sign(report, mixed, out, password=pki["password"]) == 2
    err = capsys.readouterr().err
    assert "revisor.key: esta llave privada no corresponde al certificado efirma.cer" in err
    assert not out.exists()


def test_encrypted_key_without_password_is_exit_2(pki: dict, report: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RESGUARDA_KEY_PASSWORD", raising=False)
    capsys.readouterr()
    assert sign(report, pki["signer"], tmp_path / "f.pdf") == 2
    assert "la llave privada está cifrada y no se dio contraseña" in capsys.readouterr().err


def test_password_from_environment_and_pkcs12(pki: dict, report: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGUARDA_KEY_PASSWORD", PASSWORD.decode("utf-8"))
    p12 = make_pkcs12(tmp_path, pki["signer"])
    out = tmp_path / "firmado.pdf"
    assert main(["sign", str(report), "--cert", str(p12), "-o", str(out), "--lang", "en"]) == 0
    assert "Signed by: MARÍA JOSÉ GÓMEZ ÁLVAREZ" in pdftext(out, pages(out))
    assert main(["verify", str(out)]) == 0


def test_expired_certificate_cannot_sign(pki: dict, report: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert sign(report, pki["expired"], tmp_path / "f.pdf", password=pki["password"]) == 2
    assert "vencida.cer: el certificado venció el" in capsys.readouterr().err


def test_issuer_not_trusted_fails_only_when_trust_is_asked(signed: Path, pki: dict, report: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["verify", str(signed), "--trust", str(pki["other_ca"])]) == 2
    assert "✗ el certificado NO lo emitió ninguna de las autoridades indicadas" in capsys.readouterr().out
    out = tmp_path / "ajeno.pdf"
    assert sign(report, pki["stranger"], out, password=pki["password"]) == 0
    assert main(["verify", str(out), "--trust", str(pki["ca"])]) == 2


def test_second_signature_stacks_on_the_signature_page(signed: Path, pki: dict, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    twice = tmp_path / "dos-firmas.pdf"
    assert sign(signed, pki["second"], twice, password=pki["password"]) == 0
    assert pages(twice) == pages(signed)   # the same signature page, a second box
    last = pdftext(twice, pages(twice))
    assert "GOAM800101AB1" in last and "PENJ750505XY9" in last
    capsys.readouterr()
    assert main(["verify", str(twice), "--trust", str(pki["ca"])]) == 0
    out = capsys.readouterr().out
    assert "después de esta firma solo se añadieron otras firmas" in out
    assert "JUAN PÉREZ NÚÑEZ, RFC PENJ750505XY9" in out


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_sat_style_triple_des_key(pki: dict, report: Path, tmp_path: Path) -> None:
    # SAT's .key files are PKCS#8 encrypted with PBES2 and DES-EDE3-CBC: make one the way OpenSSL does.
    signer = pki["signer"]
    pem = tmp_path / "plain.pem"
    subprocess.run(["openssl", "pkcs8", "-inform", "DER", "-in", str(signer.key), "-passin",
                    f"file:{pki['password']}", "-nocrypt", "-topk8", "-out", str(pem)], check=True)
    des = tmp_path / "sat.key"
    subprocess.run(["openssl", "pkcs8", "-topk8", "-v2", "des3", "-in", str(pem), "-outform", "DER",
                    "-out", str(des), "-passout", f"file:{pki['password']}"], check=True)
    out = tmp_path / "firmado.pdf"
    assert sign(report, Signer(signer.cert, des, "", ""), out, password=pki["password"]) == 0
    assert main(["verify", str(out)]) == 0


def test_unsigned_or_not_a_pdf_is_exit_2(report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["verify", str(report)]) == 2
    assert "el PDF no lleva ninguna firma electrónica" in capsys.readouterr().err
    junk = tmp_path / "x.pdf"
    junk.write_bytes(b"no soy un pdf")
    assert main(["verify", str(junk)]) == 2
    assert main(["sign", str(junk), "--cert", "a.cer", "--key", "a.key", "-o", str(tmp_path / "y.pdf")]) == 2
    assert "x.pdf: no es un archivo PDF legible" in capsys.readouterr().err


class _TimeStampHandler(http.server.BaseHTTPRequestHandler):
    """An RFC 3161 time-stamping authority on 127.0.0.1, answering with pyHanko's test stamper."""

    stamper: Any = None

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        from asn1crypto import tsp

        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = self.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def tsa(tmp_path: Path) -> Iterator[str]:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps import DummyTimeStamper

    ca = make_ca(tmp_path, "Raíz de sellos")
    cert, key = make_tsa(ca)
    der = serialization.Encoding.DER
    _TimeStampHandler.stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption())))
    server = http.server.HTTPServer(("127.0.0.1", 0), _TimeStampHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()


def test_time_stamped_signature_b_t(pki: dict, report: Path, tmp_path: Path, tsa: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sellado.pdf"
    assert sign(report, pki["signer"], out, "--tsa", tsa, password=pki["password"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "el certificado estaba vigente al firmar (sello de tiempo" in capsys.readouterr().out
    if shutil.which("pdfsig"):
        text = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in text


def test_unreachable_time_stamping_authority_is_exit_3(pki: dict, report: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:   # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "sellado.pdf"
    capsys.readouterr()
    assert sign(report, pki["signer"], out, "--tsa", f"http://127.0.0.1:{port}/", password=pki["password"]) == 3
    assert f"la autoridad de sellado de tiempo http://127.0.0.1:{port}/ no respondió" in capsys.readouterr().err
    assert not out.exists()
