"""Real nmap against real services on 127.0.0.1, then a real evaluation of what it saw.

The module starts, on free ports of 127.0.0.1 only:
- an `openssl s_server` that accepts only TLS 1.0, with weak (anonymous, F-grade) ciphers and a
  self-signed certificate;
- two `openssl s_server` that accept only TLS 1.2 and 1.3, with a certificate signed by a test CA;
- a plain `python -m http.server`;
- a `redis-server` on a high port (nmap recognises it by service detection, not by the port);
- a data store on its standard port (Redis on 6379, or a bare listener on another data-store port)
  for the quick profile, which only knows services by their port number.
Two `resguarda scan --profile tls` runs go in parallel (about 25 s: -sV waits on the TLS servers).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from checker.api import evaluate_file
from checker.scan.nmapxml import Port, parse_file
from checker.scan.observed import ScanInput, observe
from checker.scan.runner import run_scan

ROOT = Path(__file__).resolve().parent.parent
LOCAL = "127.0.0.1"
SCAN_CONTROLS = ("ENC-51", "ENC-52", "ENC-53", "NET-01", "NET-02", "NET-03", "NET-04", "NET-05")
# Standard data-store ports the quick profile classifies by number, first free one wins.
STANDARD_STORES = (6379, 27017, 5984, 11211, 9200, 5432, 3306)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return int(sock.getsockname()[1])


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((LOCAL, port))
        except OSError:
            return False
        return True


def _wait_listening(port: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"service for port {port} exited: {proc.args!r}")
        try:
            with socket.create_connection((LOCAL, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {LOCAL}:{port}")


def _need(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is required by the network tests (scripts/ensure-system-packages.sh installs it)"
    return path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([_need("openssl"), *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _certificates(folder: Path) -> None:
    """A self-signed certificate, and a leaf signed by a test CA (not self-signed)."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem",
             "-days", "30", "-subj", "/CN=legacy.resguarda.test", cwd=folder)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "30", "-subj", "/CN=Resguarda Test CA", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
             "-subj", "/CN=portal.resguarda.test", cwd=folder)
    _openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "leaf.pem", "-days", "30", cwd=folder)


class _BareListener:
    """Accepts connections and closes them: an open port and nothing else."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOCAL, port))
        self.sock.listen(16)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.close()

    def close(self) -> None:
        self.sock.close()


@dataclass
class Lab:
    folder: Path
    tls10: int
    tls12: int
    tls12_alone: int
    http: int
    redis: int
    store: int
    store_kind: str


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    folder = tmp_path_factory.mktemp("lab")
    _certificates(folder)
    procs: list[subprocess.Popen[bytes]] = []
    listeners: list[_BareListener] = []

    def start(args: list[str], port: int) -> int:
        proc = subprocess.Popen(args, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        procs.append(proc)
        _wait_listening(port, proc)
        return port

    openssl = _need("openssl")
    redis = _need("redis-server")
    try:
        tls10 = _free_port()
        start([openssl, "s_server", "-accept", f"{LOCAL}:{tls10}", "-cert", "self.pem", "-key", "self.key",
               "-tls1", "-cipher", "ALL:@SECLEVEL=0", "-quiet", "-www"], tls10)
        modern = []
        for _ in range(2):
            port = _free_port()
            start([openssl, "s_server", "-accept", f"{LOCAL}:{port}", "-cert", "leaf.pem", "-key", "leaf.key",
                   "-cert_chain", "ca.pem", "-no_ssl3", "-no_tls1", "-no_tls1_1", "-quiet", "-www"], port)
            modern.append(port)
        http = _free_port()
        start([sys.executable, "-m", "http.server", str(http), "--bind", LOCAL, "--directory", str(folder)], http)
        high_redis = _free_port()
        start([redis, "--port", str(high_redis), "--bind", LOCAL, "--save", "", "--appendonly", "no"], high_redis)
        store = next((p for p in STANDARD_STORES if _is_free(p)), None)
        assert store is not None, "every standard data-store port of 127.0.0.1 is taken"
        if store == 6379:
            start([redis, "--port", "6379", "--bind", LOCAL, "--save", "", "--appendonly", "no"], store)
        else:
            listeners.append(_BareListener(store))
        kinds = {6379: "redis", 27017: "mongodb", 5984: "couchdb", 11211: "memcached", 9200: "elasticsearch",
                 5432: "postgresql", 3306: "mysql"}
        yield Lab(folder, tls10, modern[0], modern[1], http, high_redis, store, kinds[store])
    finally:
        for listener in listeners:
            listener.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _scan_cli(targets: list[str], ports: str, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_LANG="es")
    return subprocess.Popen([sys.executable, "-m", "checker", "scan", *targets, "--ports", ports, "--profile", "tls",
                             "-o", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@dataclass
class Scans:
    folder: Path          # the declarations' folder; scans live in scans/
    mixed: Path           # TLS 1.0, TLS 1.2, HTTP and Redis
    modern: Path          # one TLS 1.2+ service alone
    stderr: str


@pytest.fixture(scope="module")
def scans(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Scans:
    """The real `resguarda scan` verb, twice in parallel (each waits on its own TLS servers)."""
    folder = tmp_path_factory.mktemp("program")
    (folder / "scans").mkdir()
    mixed, modern = folder / "scans" / "mixed.xml", folder / "scans" / "modern.xml"
    first = _scan_cli([LOCAL], f"{lab.tls10},{lab.tls12},{lab.http},{lab.redis}", mixed)
    second = _scan_cli([LOCAL], str(lab.tls12_alone), modern)
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    return Scans(folder, mixed, modern, err1 + err2)


def _ports(path: Path) -> dict[int, Port]:
    scan = parse_file(path)
    assert [h.address for h in scan.hosts] == [LOCAL]
    return {p.number: p for p in scan.hosts[0].ports}


def test_quick_profile_through_the_api(lab: Lab, tmp_path: Path) -> None:
    calls: list[tuple[float, bool]] = []
    out = tmp_path / "quick.xml"
    summary = run_scan([LOCAL], f"{lab.store},{lab.http}", "quick", out,
                       progress=lambda elapsed, done: calls.append((elapsed, done)))
    assert out.read_bytes().startswith(b"<?xml")
    assert summary.hosts_up == 1 and summary.open_ports == 2
    assert summary.arguments.startswith("-sT ") and "-sV" not in summary.arguments
    assert calls and calls[-1][1] is True and all(not done for _, done in calls[:-1])
    ports = _ports(out)
    assert ports[lab.store].state == "open" and ports[lab.store].method == "table"
    seen = observe([ScanInput("rapido", "quick.xml", "internal")], [("db", [LOCAL])], date.today(), tmp_path)
    summary_db = seen.per_system["db"]
    # Known by its standard port only, and seen from inside: a data store, not an internet exposure.
    assert summary_db["data_stores"] == [f"{LOCAL}:{lab.store} {lab.store_kind}"]
    assert "exposed_data_stores" not in summary_db
    assert "tls_versions" not in summary_db          # the quick profile runs no TLS scripts


def test_quick_scan_refuses_an_unwritable_destination(lab: Lab, tmp_path: Path) -> None:
    from checker.errors import InputError

    with pytest.raises(InputError):
        run_scan([LOCAL], str(lab.http), "quick", tmp_path / "no-such-folder" / "x.xml",
                 progress=lambda elapsed, done: None)


def test_tls_profile_sees_versions_ciphers_certificates_and_services(lab: Lab, scans: Scans) -> None:
    assert "escaneando con nmap (perfil tls)" in scans.stderr      # the progress line
    ports = _ports(scans.mixed)
    legacy, modern = ports[lab.tls10], ports[lab.tls12]
    assert legacy.tunnel == "ssl" and legacy.tls is not None
    assert legacy.tls.versions == ["TLSv1.0"]
    assert legacy.tls.weakest_grade == "F" and legacy.tls.f_grade_ciphers
    assert all("anon" in c for c in legacy.tls.f_grade_ciphers)
    assert legacy.certificate is not None and legacy.certificate.self_signed
    assert legacy.certificate.subject == "CN=legacy.resguarda.test"
    assert modern.tls is not None and modern.tls.versions == ["TLSv1.2", "TLSv1.3"]
    assert modern.tls.weakest_grade == "A"
    assert modern.certificate is not None and not modern.certificate.self_signed
    assert modern.certificate.issuer == "CN=Resguarda Test CA"
    assert modern.certificate.not_after is not None
    assert abs((modern.certificate.not_after - date.today()).days - 30) <= 1
    # Service detection recognises Redis on a port that is not 6379, and HTTP on a random port.
    assert ports[lab.redis].service == "redis" and ports[lab.redis].method == "probed"
    assert ports[lab.http].service == "http" and ports[lab.http].tunnel is None


DECLARATION = """\
schema_version: 1
program:
  name: Portal de inscripción de prueba
  operator: Secretaría de Educación de prueba
  operator_type: public_agency
  role: responsable
data_inventory:
  - id: identidad
    category: identification
    fields: [nombre, curp]
    subjects: [applicant]
    systems: [portal]
systems:
  - id: portal
    name: Portal de inscripción
    hosts: [127.0.0.1]
    encryption:
      in_transit: {{tls_min_version: "1.2", hsts: true}}
    authentication:
      - {{audiences: [applicants], provider: local, protocol: password, mfa: required}}
scans:
  - id: portal-externo
    file: scans/{scan}
    vantage: external
    authorized_by: Coordinación de TI
"""


def _evaluate(scans: Scans, scan_file: str, name: str, as_of: date) -> dict[str, Any]:
    decl = scans.folder / name
    decl.write_text(DECLARATION.format(scan=scan_file), encoding="utf-8")
    return evaluate_file(decl, as_of=as_of, lang="es").to_dict()


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["control_id"]: r for r in doc["results"]}


def test_evaluation_names_the_tls10_port_the_data_store_and_plaintext_http(lab: Lab, scans: Scans) -> None:
    doc = _evaluate(scans, "mixed.xml", "mixto.yaml", date.today())
    results = _by_id(doc)

    def failing(control: str) -> str:
        result = results[control]
        assert result["status"] == "fail", (control, result["reasons"])
        finding = next(f for f in result["findings"] if f["status"] == "fail")
        assert finding["source"] == "scan" and finding["subject"] == {
            "kind": "system", "id": "portal", "name": "Portal de inscripción"}
        assert finding["location"]["line"] == 22               # the scan entry of the declaration
        return " ".join(result["reasons"])

    assert f"{LOCAL}:{lab.tls10} ssl TLSv1.0" in failing("ENC-51")
    assert f"{LOCAL}:{lab.tls10}" in failing("ENC-52")
    enc53 = failing("ENC-53")                                 # declared 1.2, observed 1.0
    assert "«1.0»" in enc53 and "«1.2»" in enc53
    assert f"{LOCAL}:{lab.redis} redis" in failing("NET-01")
    assert f"{LOCAL}:{lab.http} http" in failing("NET-02")
    net05 = failing("NET-05")
    assert f"{LOCAL}:{lab.tls10} ssl CN=legacy.resguarda.test" in net05 and str(lab.tls12) not in net05
    assert results["NET-03"]["status"] == "pass"              # SSH, RDP, VNC: none
    assert results["NET-04"]["status"] == "pass"              # 127.0.0.1 is declared
    assert results["ENC-04"]["status"] == "pass"              # the declaration alone looks fine

    observed_ports = {o["port"] for o in doc["observations"]}
    assert observed_ports == {lab.tls10, lab.tls12, lab.http, lab.redis}
    assert all(o["system"] == "portal" and o["scan"] == "portal-externo" for o in doc["observations"])
    scan_entry = doc["scans"][0]
    assert scan_entry["id"] == "portal-externo" and scan_entry["stale"] is False
    assert {"role": "scan", "id": "portal-externo", "path": "scans/mixed.xml",
            "sha256": scan_entry["sha256"]} in doc["inputs"]
    json.dumps(doc)   # JSON-able as the contract requires


def test_a_tls12_only_service_gives_no_high_failure(scans: Scans) -> None:
    doc = _evaluate(scans, "modern.xml", "moderno.yaml", date.today())
    results = _by_id(doc)
    for control in SCAN_CONTROLS:
        assert results[control]["status"] == "pass", (control, results[control]["reasons"])
    for result in doc["results"]:
        if result["severity"] in ("critical", "high"):
            assert not [f for f in result["findings"] if f["source"] == "scan" and f["status"] in ("fail", "partial")]
    assert _by_id(doc)["ENC-53"]["findings"][0]["declared"] == "1.2"


def test_stale_scans_turn_passes_into_partial_but_keep_failures(scans: Scans) -> None:
    later = date.today() + timedelta(days=120)
    modern = _by_id(_evaluate(scans, "modern.xml", "moderno-tarde.yaml", later))
    assert modern["ENC-51"]["status"] == "partial"
    assert modern["NET-01"]["status"] == "partial"
    mixed = _by_id(_evaluate(scans, "mixed.xml", "mixto-tarde.yaml", later))
    assert mixed["ENC-51"]["status"] == "fail"
    assert mixed["NET-01"]["status"] == "fail"
