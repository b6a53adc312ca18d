"""Parsing nmap XML (real structure) into facts, and matching what was seen to the declared systems."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import nmap
import pytest
from cli_helpers import load_script

import checker.scan.nmapxml as nmapxml
from checker.errors import InputError
from checker.scan.facts import data_store_kind, plaintext_kind, port_facts, remote_admin_kind, service_label
from checker.scan.nmapxml import Host, Port, TlsInfo, parse_bytes, parse_file
from checker.scan.observed import ScanInput, observe

START = 1795324014  # 2026-11-22 05:06:54 UTC, as <nmaprun start> writes it


def _cipher(name: str, grade: str, kex: str = "rsa 2048") -> str:
    return (f'<table>\n<elem key="kex_info">{kex}</elem>\n<elem key="strength">{grade}</elem>\n'
            f'<elem key="name">{name}</elem>\n</table>\n')


TLS10_SCRIPT = (
    '<script id="ssl-enum-ciphers" output="&#xa;  TLSv1.0: &#xa;    ciphers: ...&#xa;  least strength: F">'
    '<table key="TLSv1.0">\n<table key="ciphers">\n'
    + _cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "A", "dh 2048")
    + _cipher("TLS_DH_anon_WITH_AES_128_CBC_SHA", "F", "dh 1024")
    + _cipher("TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "F", "secp256r1")
    + '</table>\n<table key="compressors">\n<elem>NULL</elem>\n</table>\n'
    '<elem key="cipher preference">client</elem>\n<table key="warnings">\n'
    '<elem>Anonymous key exchange, score capped at F</elem>\n</table>\n</table>\n'
    '<table key="TLSv1.2">\n<table key="ciphers">\n'
    + _cipher("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "A", "secp256r1")
    + '</table>\n</table>\n<elem key="least strength">F</elem>\n</script>')

TLS12_SCRIPT = (
    '<script id="ssl-enum-ciphers" output="..."><table key="TLSv1.3">\n<table key="ciphers">\n'
    + _cipher("TLS_AKE_WITH_AES_128_GCM_SHA256", "A", "ecdh_x25519")
    + '</table>\n</table>\n<table key="TLSv1.2">\n<table key="ciphers">\n'
    + _cipher("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "A", "secp256r1")
    + '</table>\n</table>\n<elem key="least strength">A</elem>\n</script>')


def _cert(subject_cn: str, issuer_cn: str, not_after: str, issuer_org: str = "") -> str:
    org = f'<elem key="organizationName">{issuer_org}</elem>\n' if issuer_org else ""
    return (f'<script id="ssl-cert" output="Subject: commonName={subject_cn}"><table key="subject">\n'
            f'<elem key="commonName">{subject_cn}</elem>\n</table>\n<table key="issuer">\n'
            f'<elem key="commonName">{issuer_cn}</elem>\n{org}</table>\n<table key="pubkey">\n'
            '<elem key="type">rsa</elem>\n<elem key="bits">2048</elem>\n</table>\n<table key="validity">\n'
            f'<elem key="notBefore">2026-01-01T00:00:00</elem>\n<elem key="notAfter">{not_after}</elem>\n'
            '</table>\n<elem key="pem">-----BEGIN CERTIFICATE-----&#xa;MIIB&#xa;-----END CERTIFICATE-----&#xa;</elem>\n'
            '</script>')


def _port(number: int, service: str = "", *, state: str = "open", method: str = "probed", extra: str = "",
          scripts: str = "") -> str:
    svc = f'<service name="{service}"{extra} method="{method}" conf="10"/>' if service else ""
    return (f'<port protocol="tcp" portid="{number}"><state state="{state}" reason="syn-ack" reason_ttl="0"/>'
            f'{svc}{scripts}</port>\n')


def _host(address: str, ports: str, names: tuple[str, ...] = (), state: str = "up", addrtype: str = "ipv4") -> str:
    hostnames = "".join(f'<hostname name="{n}" type="PTR"/>\n' for n in names)
    return (f'<host starttime="{START}" endtime="{START + 30}"><status state="{state}" reason="syn-ack" '
            f'reason_ttl="0"/>\n<address addr="{address}" addrtype="{addrtype}"/>\n'
            f'<address addr="00:16:3E:AA:BB:CC" addrtype="mac" vendor="Xensource"/>\n'
            f'<hostnames>\n{hostnames}</hostnames>\n<ports><extraports state="closed" count="995">\n'
            '<extrareasons reason="conn-refused" count="995" proto="tcp" ports="1-21"/>\n</extraports>\n'
            f'{ports}</ports>\n<times srtt="443" rttvar="2300" to="100000"/>\n</host>\n')


def nmap_xml(hosts: str, start: int = START) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
            '<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n'
            '<!-- Nmap 7.93 scan initiated Sun Nov 22 05:06:54 2026 as: nmap -oX - -sT 127.0.0.1 -->\n'
            f'<nmaprun scanner="nmap" args="nmap -oX - -sT -sV --script ssl-enum-ciphers,ssl-cert" start="{start}" '
            'startstr="Sun Nov 22 05:06:54 2026" version="7.93" xmloutputversion="1.05">\n'
            '<scaninfo type="connect" protocol="tcp" numservices="1000" services="1-1000"/>\n'
            '<verbose level="0"/>\n<debugging level="0"/>\n'
            f'{hosts}'
            '<runstats><finished time="1795324039" timestr="Sun Nov 22 05:07:19 2026" elapsed="24.41" '
            'exit="success"/><hosts up="3" down="1" total="4"/>\n</runstats>\n</nmaprun>\n')


PORTAL = _host("201.175.10.20", (
    _port(22, "ssh", extra=' product="OpenSSH" version="8.9p1"')
    + _port(80, "http", extra=' product="nginx"',
            scripts='<script id="http-title" output="Did not follow redirect to https://portal.example.gob.mx/">'
                    '<elem key="redirect_url">https://portal.example.gob.mx/</elem>\n</script>')
    + _port(443, "http", extra=' product="nginx" tunnel="ssl"',
            scripts=TLS12_SCRIPT + _cert("portal.example.gob.mx", "R3", "2027-02-01T12:00:00", "Let's Encrypt")
            + '<script id="http-title" output="Inscripciones"><elem key="title">Inscripciones</elem>\n</script>')
    + _port(4443, "unknown", method="table", extra=' tunnel="ssl"',
            scripts=TLS10_SCRIPT + _cert("old.example.gob.mx", "old.example.gob.mx", "2026-10-01T00:00:00"))
    + _port(16379, "redis", extra=' product="Redis key-value store"')
    + _port(8080, "http-proxy", method="table")
    + _port(3389, "ms-wbt-server", method="table")
    + _port(25, "smtp", state="closed", method="table")), names=("PORTAL.example.gob.mx",))
UNDECLARED = _host("201.175.10.99", _port(27017, "mongod", method="table") + _port(5900, "vnc", method="table"),
                   names=("olvidado.example.gob.mx",))
DOWN = _host("201.175.10.98", "", state="down")
EMPTY = _host("201.175.10.97", "", names=())


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "scans" / "externo.xml"
    path.parent.mkdir()
    path.write_text(nmap_xml(PORTAL + UNDECLARED + DOWN + EMPTY), encoding="utf-8")
    return path


def test_parse_real_structure(sample: Path) -> None:
    scan = parse_file(sample)
    assert scan.header.scanner == "nmap" and scan.header.version == "7.93"
    assert scan.header.date == date(2026, 11, 22)
    assert (scan.end.exit, scan.end.hosts_up, scan.end.hosts_down) == ("success", 3, 1)
    assert scan.sha256 == hashlib.sha256(sample.read_bytes()).hexdigest()
    assert [h.address for h in scan.hosts] == ["201.175.10.20", "201.175.10.99", "201.175.10.98", "201.175.10.97"]
    portal = scan.hosts[0]
    assert portal.addrtype == "ipv4"          # the MAC address is not taken as the host's address
    assert portal.hostnames == ["PORTAL.example.gob.mx"]
    ports = {p.number: p for p in portal.ports}
    assert sorted(ports) == [22, 25, 80, 443, 3389, 4443, 8080, 16379]
    https = ports[443]
    assert (https.service, https.tunnel, https.product, https.method) == ("http", "ssl", "nginx", "probed")
    assert https.tls == TlsInfo(["TLSv1.2", "TLSv1.3"], "A", [])
    assert https.http_title == "Inscripciones"
    assert https.certificate is not None
    assert https.certificate.subject == "CN=portal.example.gob.mx"
    assert https.certificate.issuer == "CN=R3, O=Let's Encrypt"
    assert https.certificate.self_signed is False
    assert https.certificate.not_after == date(2027, 2, 1)
    legacy = ports[4443]
    assert legacy.tls is not None
    assert legacy.tls.versions == ["TLSv1.0", "TLSv1.2"]
    # nmap grades TLS 1.0 suites "A"; the weakest grade here comes from the anonymous suites.
    assert legacy.tls.weakest_grade == "F"
    assert legacy.tls.f_grade_ciphers == ["TLSv1.0 TLS_DH_anon_WITH_AES_128_CBC_SHA",
                                          "TLSv1.0 TLS_ECDH_anon_WITH_AES_256_CBC_SHA"]
    assert legacy.certificate is not None and legacy.certificate.self_signed
    assert ports[80].http_redirect == "https://portal.example.gob.mx/"
    assert ports[25].state == "closed"
    assert scan.hosts[2].state == "down"


def test_text_only_cipher_output_of_old_nmap() -> None:
    script = ('<script id="ssl-enum-ciphers" output="&#xa;  SSLv3: &#xa;    ciphers: &#xa;      '
              'TLS_RSA_WITH_RC4_128_SHA - C&#xa;  TLSv1.0: &#xa;  least strength: C"/>')
    scan = parse_bytes(nmap_xml(_host("10.0.0.5", _port(443, "https", scripts=script))).encode(), "old.xml")
    tls = scan.hosts[0].ports[0].tls
    assert tls is not None and tls.versions == ["SSLv3", "TLSv1.0"] and tls.weakest_grade == "C"


def _p(number: int, service: str | None = None, method: str | None = "table", **kw: Any) -> Port:
    return Port("tcp", number, "open", service=service, method=method, **kw)


@pytest.mark.parametrize(("port", "kind"), [
    (_p(6379, "redis"), "redis"),
    (_p(16379, "redis", "probed", product="Redis key-value store"), "redis"),   # service detection, any port
    (_p(6379, "http", "probed", product="nginx"), None),                        # detection beats the port
    (_p(9200, "wap-wsp"), "elasticsearch"),                                     # nmap-services' name for 9200
    (_p(9200, "http", "probed", product="Elasticsearch REST API"), "elasticsearch"),
    (_p(9201, "http", "probed", product="OpenSearch"), "opensearch"),
    (_p(27017, "mongod"), "mongodb"),
    (_p(27017, "unknown"), "mongodb"),
    (_p(3306, "mysql", "probed", product="MariaDB"), "mariadb"),
    (_p(3306, "mysql", "probed", product="MySQL"), "mysql"),
    (_p(5432, "postgresql"), "postgresql"),
    (_p(1433, "ms-sql-s"), "mssql"),
    (_p(11211, "memcache"), "memcached"),
    (_p(5984, "http", "probed", product="CouchDB httpd"), "couchdb"),
    (_p(9042, None, None), "cassandra"),
    (_p(443, "https"), None),
])
def test_data_store_classification(port: Port, kind: str | None) -> None:
    assert data_store_kind(port) == kind


@pytest.mark.parametrize(("port", "kind"), [
    (_p(80, "http"), "http"),
    (_p(8080, "http-proxy"), "http"),
    (_p(18080, "http", "probed", product="SimpleHTTPServer"), "http"),
    (_p(443, "http", "probed", tunnel="ssl"), None),
    (_p(80, "http", "probed", http_redirect="https://portal.example.mx/"), None),
    (_p(80, "http", "probed", http_redirect="http://otro.example.mx/"), "http"),
    (_p(21, "ftp"), "ftp"),
    (_p(990, "ftp", "probed", tunnel="ssl"), None),
    (_p(23, "telnet"), "telnet"),
    (_p(2323, "unknown"), None),
    (_p(8443, "https-alt"), None),
])
def test_plaintext_classification(port: Port, kind: str | None) -> None:
    assert plaintext_kind(port) == kind


@pytest.mark.parametrize(("port", "kind"), [
    (_p(3389, "ms-wbt-server"), "rdp"),
    (_p(5901, "vnc-1"), "vnc"),
    (_p(5905, None, None), "vnc"),
    (_p(22, "ssh"), "ssh"),
    (_p(2222, "ssh", "probed", product="OpenSSH"), "ssh"),
    (_p(22, "http", "probed"), None),
])
def test_remote_admin_classification(port: Port, kind: str | None) -> None:
    assert remote_admin_kind(port) == kind


def test_service_labels() -> None:
    assert service_label(_p(443, "http", "probed", tunnel="ssl")) == "https"
    assert service_label(_p(4443, "unknown", tunnel="ssl")) == "ssl"
    assert service_label(_p(993, "imap", "probed", tunnel="ssl")) == "ssl/imap"
    assert service_label(Port("udp", 53, "open", service="domain")) == "domain/udp"


def test_certificate_expiry_is_judged_on_the_scan_date() -> None:
    scan = parse_bytes(nmap_xml(PORTAL).encode(), "x.xml")
    host: Host = scan.hosts[0]
    legacy = next(p for p in host.ports if p.number == 4443)
    assert port_facts(host, legacy, date(2026, 11, 22)).cert_expired is True
    assert port_facts(host, legacy, date(2026, 9, 1)).cert_expired is False


SYSTEMS = [("portal", ["portal.example.gob.mx"]), ("control-acceso", ["10.20.0.0/24"]),
           ("sin-escaneo", ["otro.example.gob.mx"])]


def _observe(tmp_path: Path, as_of: date = date(2026, 11, 22)) -> Any:
    internal = tmp_path / "scans" / "interno.xml"
    internal.write_text(nmap_xml(_host("10.20.0.15", _port(3306, "mysql", extra=' product="MySQL"')
                                       + _port(22, "ssh"))), encoding="utf-8")
    return observe([ScanInput("externo", "scans/externo.xml", "external"),
                    ScanInput("interno", "scans/interno.xml", "internal")], SYSTEMS, as_of, tmp_path)


def test_observe_matches_hosts_to_systems(sample: Path, tmp_path: Path) -> None:
    seen = _observe(tmp_path)
    assert list(seen.per_system) == ["portal", "control-acceso"]   # not scanned: no entry at all
    portal = seen.per_system["portal"]
    assert portal["scan"] == "externo" and portal["scan_ids"] == ["externo"]
    assert portal["stale"] is False and portal["scan_date"] == "2026-11-22"
    assert portal["hosts"] == ["201.175.10.20"]
    assert portal["exposed_data_stores"] == ["201.175.10.20:16379 redis"]
    assert portal["plaintext_services"] == ["201.175.10.20:8080 http"]   # port 80 only redirects to HTTPS
    assert portal["exposed_remote_admin"] == ["201.175.10.20:22 ssh", "201.175.10.20:3389 rdp"]
    assert portal["tls_versions"] == ["TLSv1.0", "TLSv1.2", "TLSv1.3"]
    assert portal["min_tls_version"] == "1.0"
    assert portal["legacy_tls_ports"] == ["201.175.10.20:4443 ssl TLSv1.0"]
    assert portal["weakest_cipher_grade"] == "F"
    assert portal["f_grade_cipher_ports"] == [
        "201.175.10.20:4443 ssl TLS_DH_anon_WITH_AES_128_CBC_SHA, TLS_ECDH_anon_WITH_AES_256_CBC_SHA"]
    assert portal["self_signed_certificates"] == ["201.175.10.20:4443 ssl CN=old.example.gob.mx"]
    assert portal["expired_certificates"] == [
        "201.175.10.20:4443 ssl CN=old.example.gob.mx (not after 2026-10-01)"]
    assert "201.175.10.20:25 smtp" not in portal["open_ports"]        # closed ports are not open services

    internal = seen.per_system["control-acceso"]
    # Seen only from inside: a data store there is not an internet exposure, and the exposure keys are
    # absent (unknown), not empty (which would pass).
    assert internal["data_stores"] == ["10.20.0.15:3306 mysql"]
    assert "exposed_data_stores" not in internal and "exposed_remote_admin" not in internal
    assert internal["remote_admin"] == ["10.20.0.15:22 ssh"]
    assert "tls_versions" not in internal and "certificates" not in internal   # no TLS scripts ran there


def test_observe_hosts_observations_and_scans(sample: Path, tmp_path: Path) -> None:
    seen = _observe(tmp_path)
    hosts = {h["id"]: h for h in seen.hosts}
    # Down hosts are not assets seen; an up host without open ports is.
    assert list(hosts) == ["201.175.10.20", "201.175.10.99", "201.175.10.97", "10.20.0.15"]
    stray = hosts["201.175.10.99"]
    assert stray["system"] is None and stray["name"] == "olvidado.example.gob.mx"
    assert stray["vantage"] == "external" and stray["scan"] == "externo"
    assert stray["declared"] is False and stray["exposes_data_store"] and stray["exposes_remote_admin"]
    assert stray["observed"]["exposed_data_stores"] == ["201.175.10.99:27017 mongodb"]
    assert stray["observed"]["exposed_remote_admin"] == ["201.175.10.99:5900 vnc"]
    assert stray["observed"]["declared"] is False and stray["observed"]["stale"] is False
    assert "stale" not in stray          # only `observed` says how old the evidence is
    assert hosts["201.175.10.20"]["system"] == "portal"
    inside = hosts["10.20.0.15"]
    assert inside["system"] == "control-acceso" and inside["vantage"] == "internal"
    assert inside["exposes_data_store"] is False and "exposed_data_stores" not in inside["observed"]

    obs = seen.observations
    assert len(obs) == 8 + 2 + 1 + 2          # every listed port, and a line for the host with none
    first = obs[0]
    assert first["scan"] == "externo" and first["host"] == "201.175.10.20" and first["system"] == "portal"
    by_port = {(o["host"], o["port"]): o for o in obs}
    assert by_port[("201.175.10.20", 4443)]["facts"]["tls_versions"] == ["TLSv1.0", "TLSv1.2"]
    assert by_port[("201.175.10.20", 4443)]["facts"]["certificate"]["expired"] is True
    assert by_port[("201.175.10.99", 27017)]["system"] is None
    assert by_port[("201.175.10.97", None)]["facts"] == {"state": "up"}

    scans = {s["id"]: s for s in seen.scans}
    assert scans["externo"]["sha256"] == hashlib.sha256(sample.read_bytes()).hexdigest()
    assert scans["externo"]["path"] == "scans/externo.xml" and scans["externo"]["date"] == "2026-11-22"
    assert scans["interno"]["vantage"] == "internal" and scans["externo"]["hosts_up"] == 3


def test_staleness(sample: Path, tmp_path: Path) -> None:
    # 91 days after the scan: stale. Exactly 90: current. Before the scan (dated after as_of): current.
    assert _observe(tmp_path, date(2027, 2, 21)).per_system["portal"]["stale"] is True
    assert _observe(tmp_path, date(2027, 2, 20)).per_system["portal"]["stale"] is False
    early = _observe(tmp_path, date(2026, 1, 1))
    assert early.per_system["portal"]["stale"] is False
    assert all(s["stale"] is False for s in early.scans)


def test_a_system_is_stale_only_when_all_its_scans_are(tmp_path: Path) -> None:
    (tmp_path / "old.xml").write_text(nmap_xml(_host("10.0.0.1", _port(443, "https")), start=START - 200 * 86400))
    (tmp_path / "new.xml").write_text(nmap_xml(_host("10.0.0.1", _port(443, "https"))))
    systems = [("web", ["10.0.0.1"])]
    both = observe([ScanInput("old", "old.xml", "internal"), ScanInput("new", "new.xml", "internal")], systems,
                   date(2026, 11, 30), tmp_path)
    assert both.per_system["web"]["stale"] is False
    assert both.per_system["web"]["scan"] == "new"            # findings point at the most recent scan
    assert both.per_system["web"]["scan_ids"] == ["old", "new"]
    assert len(both.hosts) == 1 and both.hosts[0]["scan_ids"] == ["old", "new"]
    old_only = observe([ScanInput("old", "old.xml", "internal")], systems, date(2026, 11, 30), tmp_path)
    assert old_only.per_system["web"]["stale"] is True


def test_matching_is_case_insensitive_and_normalises_addresses(tmp_path: Path) -> None:
    (tmp_path / "v6.xml").write_text(nmap_xml(
        _host("2001:db8::1", _port(443, "https"), addrtype="ipv6")
        + _host("10.0.0.7", _port(80, "http"), names=("WWW.Escuela.MX.",))))
    seen = observe([ScanInput("s", "v6.xml", "external")],
                   [("a", ["2001:DB8:0::1"]), ("b", ["www.escuela.mx"])], date(2026, 11, 22), tmp_path)
    assert seen.per_system["a"]["hosts"] == ["2001:db8::1"]
    assert seen.per_system["a"]["open_ports"] == ["[2001:db8::1]:443 https"]
    assert seen.per_system["b"]["plaintext_services"] == ["10.0.0.7:80 http"]


def test_scan_files_must_exist_inside_the_declarations_folder(tmp_path: Path) -> None:
    (tmp_path / "decl").mkdir()
    (tmp_path / "outside.xml").write_text(nmap_xml(""))
    with pytest.raises(InputError, match="fuera de la carpeta"):
        observe([ScanInput("s", "../outside.xml", "external")], [], date(2026, 11, 22), tmp_path / "decl")
    with pytest.raises(InputError, match="does not exist"):
        observe([ScanInput("s", "missing.xml", "external")], [], date(2026, 11, 22), tmp_path / "decl", lang="en")



def test_agrees_with_python_nmap_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A synthetic multi-megabyte scan, read in small chunks so hosts straddle them: the same hosts and
    ports as python-nmap's own parser finds, plus the TLS tunnel flag it loses."""
    path = tmp_path / "big.xml"
    load_script("bench_scan").generate(path, 700)
    assert path.stat().st_size > 2 * nmapxml.CHUNK
    theirs = nmap.PortScanner().analyse_nmap_xml_scan(nmap_xml_output=path.read_bytes())["scan"]
    full = parse_file(path)
    monkeypatch.setattr(nmapxml, "CHUNK", 4096)
    small = parse_file(path)
    assert small.hosts == full.hosts and small.sha256 == full.sha256
    assert len(full.hosts) == len(theirs) == 700
    for host in full.hosts:
        ours = {p.number: p.state for p in host.ports}
        assert host.address is not None
        assert ours == {n: v["state"] for n, v in theirs[host.address].get("tcp", {}).items()}
    https = [p for h in full.hosts for p in h.ports if p.number == 443]
    assert https and all(p.tunnel == "ssl" and p.tls is not None for p in https)
    assert all(theirs[h.address]["tcp"][443]["name"] == "http" for h in full.hosts
               if h.address and 443 in theirs[h.address].get("tcp", {}))


def test_evaluation_of_undeclared_hosts_and_stale_scans(sample: Path, tmp_path: Path) -> None:
    """Through the real catalog: one finding per undeclared host, exposures on undeclared hosts, and a
    stale scan that turns passes into partial while failures stay failures."""
    from checker.api import evaluate_file

    decl = tmp_path / "decl.yaml"
    decl.write_text(
        "schema_version: 1\n"
        "program: {name: Escuela, operator: SEP, operator_type: public_school, role: responsable}\n"
        "systems:\n  - {id: portal, name: Portal, hosts: [portal.example.gob.mx, 201.175.10.97]}\n"
        "scans:\n  - {id: externo, file: scans/externo.xml, vantage: external}\n", encoding="utf-8")

    def results(as_of: date) -> dict[str, dict[str, Any]]:
        return {r["control_id"]: r for r in evaluate_file(decl, as_of=as_of, lang="es").to_dict()["results"]}

    now = results(date(2026, 11, 22))
    net04 = now["NET-04"]
    assert net04["status"] == "fail"
    by_host = {f["subject"]["id"]: f for f in net04["findings"]}
    assert set(by_host) == {"201.175.10.20", "201.175.10.99", "201.175.10.97"}
    stray = by_host["201.175.10.99"]
    assert stray["status"] == "fail" and stray["source"] == "scan"
    assert stray["subject"] == {"kind": "host", "id": "201.175.10.99", "name": "olvidado.example.gob.mx"}
    assert by_host["201.175.10.20"]["status"] == "pass"
    for control, text in (("NET-01", "201.175.10.99:27017 mongodb"), ("NET-03", "201.175.10.99:5900 vnc")):
        hosts = {f["subject"]["id"]: f for f in now[control]["findings"] if f["subject"]["kind"] == "host"}
        assert set(hosts) == {"201.175.10.99"}, control      # only the undeclared, exposing host
        assert hosts["201.175.10.99"]["status"] == "fail" and text in hosts["201.175.10.99"]["reason"]
    assert "201.175.10.20:16379 redis" in " ".join(now["NET-01"]["reasons"])

    later = results(date(2027, 6, 1))          # the scan is now older than 90 days
    assert later["NET-01"]["status"] == "fail"
    assert {f["subject"]["id"]: f["status"] for f in later["NET-04"]["findings"]}["201.175.10.20"] == "partial"
    assert later["NET-04"]["status"] == "fail"
