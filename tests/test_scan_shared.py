"""The scan import's shortcuts read the same facts as the plain way: the F-grade ciphers found through
the quick looks at a table's texts, and the facts shared by ports with the same HTTP page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from test_nmapxml import PORTAL, TLS10_SCRIPT, UNDECLARED, _cipher, _host, _port, nmap_xml

from checker.scan import nmapxml
from checker.scan.facts import port_facts
from checker.scan.nmapxml import TLS_ORDER, TlsInfo, parse_file
from checker.scan.observed import ScanInput, observe


def _every_entry(script: ET.Element) -> tuple[str | None, list[str]]:
    """The worst grade and the F-grade ciphers, from every entry of every table (no shortcut)."""
    worst: str | None = None
    f_grade: list[str] = []
    for table in script:
        key = table.get("key") or ""
        if table.tag != "table" or key not in TLS_ORDER:
            continue
        for ciphers in table:
            if ciphers.get("key") != "ciphers":
                continue
            for entry in ciphers:
                strength, name = nmapxml._cipher(entry)
                if strength is not None:
                    worst = strength if worst is None or strength > worst else worst
                    if strength == "F":
                        f_grade.append(f"{key} {name or '?'}")
    return worst, f_grade


def _tables(*versions: tuple[str, str]) -> str:
    return "".join(f'<table key="{v}">\n<table key="ciphers">\n{body}</table>\n</table>\n' for v, body in versions)


RC4 = _cipher("TLS_RSA_WITH_RC4_128_SHA", "F")
GCM = _cipher("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "A", "secp256r1")
SCRIPTS = {
    # F only in the first table, among A entries.
    "one_table": _tables(("TLSv1.0", GCM + RC4 + GCM), ("TLSv1.2", GCM * 3)),
    # F in the last table only, and twice.
    "last_table": _tables(("TLSv1.0", GCM), ("TLSv1.1", GCM), ("TLSv1.2", GCM + RC4 + RC4)),
    # "F" as the text of an item that is no grade, and as text between items: no F-grade cipher there.
    "f_elsewhere": _tables(("TLSv1.0", '<table>\n<elem key="kex_info">F</elem>\n<elem key="strength">C</elem>\n'
                                       '<elem key="name">ODD</elem>\n</table>\n'
                                       '<table>\n<elem key="strength">A</elem>F<elem key="name">TAIL</elem>\n'
                                       '</table>\n'),
                           ("TLSv1.2", RC4)),
    # A grade written with spaces: the quick looks miss it, every entry is read after all.
    "spaced": _tables(("TLSv1.0", _cipher("TLS_RSA_WITH_RC4_128_SHA", " F ") + GCM)),
    # An entry whose items are not `elem`s.
    "tables_as_items": _tables(("TLSv1.2", '<table>\n<table key="strength">F</table>\n<table key="name">X</table>\n'
                                           '</table>\n' + RC4)),
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_f_grade_ciphers_are_those_every_entry_gives(name: str) -> None:
    script = ET.fromstring(f'<script id="ssl-enum-ciphers" output="...">{SCRIPTS[name]}'
                           '<elem key="least strength">F</elem>\n</script>')
    worst, f_grade = _every_entry(script)
    found = nmapxml._tls(script)
    assert found.f_grade_ciphers == f_grade
    assert found.weakest_grade == "F"   # nmap's own "least strength" is kept
    assert f_grade and worst == "F"     # each case has F-grade ciphers to find


def test_f_grade_ciphers_of_the_real_structure() -> None:
    script = ET.fromstring(TLS10_SCRIPT)
    assert nmapxml._tls(script) == TlsInfo(["TLSv1.0", "TLSv1.2"], "F", _every_entry(script)[1])


def _page(address: str, title: str, *, cert: bool = False) -> str:
    scripts = f'<script id="http-title" output="{title}"><elem key="title">{title}</elem>\n</script>'
    if cert:
        scripts = ('<script id="ssl-cert" output="..."><table key="subject">\n<elem key="commonName">x</elem>\n'
                   '</table>\n<table key="issuer">\n<elem key="commonName">x</elem>\n</table>\n</script>') + scripts
    return _host(address, _port(80, "http", extra=' product="nginx" version="1.18.0"', scripts=scripts)
                 + _port(6379, "redis", extra=' product="Redis key-value store"'))


def test_observations_read_the_facts_of_each_port(tmp_path: Path) -> None:
    """On a scan with every kind of port (the real structure) and many hosts behind the same page, each
    observation's facts are those the port gives on its own, whatever is shared."""
    hosts = PORTAL + UNDECLARED + "".join(_page(f"201.175.11.{n}", "Panel") for n in range(1, 5)) \
        + _page("201.175.11.9", "Otro") + _page("201.175.11.10", "Panel", cert=True)
    path = tmp_path / "scan.xml"
    path.write_text(nmap_xml(hosts), encoding="utf-8")
    seen = observe([ScanInput("externo", "scan.xml", "external")], [("portal", ["201.175.10.20"])],
                   date(2026, 11, 22), tmp_path)
    by_port = {(o["host"], o["port"]): o["facts"] for o in seen.observations}
    parsed = parse_file(path)
    assert len(by_port) == sum(len(h.ports) for h in parsed.hosts if h.state == "up")
    for host in parsed.hosts:
        for port in host.ports:
            assert by_port[(host.address, port.number)] == port_facts(host, port, parsed.header.date).as_dict()
    panels = [by_port[(f"201.175.11.{n}", 80)] for n in range(1, 5)]
    assert panels[0]["http_title"] == "Panel"
    # One read-only dict for the same page behind the same server; another page, or a certificate,
    # has its own.
    assert all(p is panels[0] for p in panels)
    assert by_port[("201.175.11.9", 80)]["http_title"] == "Otro"
    assert by_port[("201.175.11.9", 80)] is not panels[0]
    assert by_port[("201.175.11.10", 80)] is not panels[0]
    with pytest.raises(TypeError):
        panels[0]["http_title"] = "changed"
