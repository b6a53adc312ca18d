"""Scan files as nmap writes them (issues 17.3 and 15.2): no DOCTYPE internal subset, attributes only
from elements, a reader linear in file size whatever sits before or on the root element, and the
file read once with the hash of the bytes parsed."""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.scan.nmapxml import parse_bytes, parse_stream

ROOT = Path(__file__).resolve().parent.parent
HEAD = '<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n'
HOST = ('<host><status state="up"/><address addr="10.0.0.{n}" addrtype="ipv4"/><ports>'
        '<port protocol="tcp" portid="80"><state state="open"/><service name="http" method="probed"/></port>'
        '</ports></host>\n')


def scan(hosts: int = 3, before_root: str = "", root_attr: str = "", inside: str = "") -> bytes:
    body = "".join(HOST.format(n=i + 1) for i in range(hosts))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n{before_root}'
            f'<nmaprun scanner="nmap" start="1795324014" version="7.93"{root_attr}>\n'
            f"{inside}{body}<runstats><finished exit=\"success\"/></runstats></nmaprun>\n").encode()


def test_attlist_internal_subset_is_refused() -> None:
    data = ('<?xml version="1.0"?>\n<!DOCTYPE nmaprun [\n<!ATTLIST service tunnel CDATA "ssl">\n]>\n'
            '<nmaprun scanner="nmap" start="1795324014">' + HOST.format(n=1) + "</nmaprun>\n").encode()
    with pytest.raises(InputError) as info:
        parse_bytes(data, "s.xml", "en")
    assert "internal DTD subset" in info.value.message
    assert info.value.line == 4


def test_without_subset_attributes_come_from_elements() -> None:
    parsed = parse_bytes(scan(), "s.xml")
    assert [p.tunnel for h in parsed.hosts for p in h.ports] == [None, None, None]


def test_empty_internal_subset_is_refused_too() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE nmaprun []>\n<nmaprun scanner="nmap"></nmaprun>\n'
    with pytest.raises(InputError):
        parse_bytes(data, "s.xml", "en")


@pytest.mark.parametrize("where", ["comment", "attribute"])
def test_huge_token_before_or_on_the_root_is_refused_fast(where: str) -> None:
    big = "x" * (16 << 20)
    data = scan(before_root=f"<!--{big}-->\n") if where == "comment" else scan(root_attr=f' args="{big}"')
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        parse_bytes(data, "s.xml", "es")
    assert time.monotonic() - started < 5  # was 8 s for 16 MB, quadratic
    assert "KB" in info.value.message


def test_huge_comment_between_hosts_parses_in_linear_time() -> None:
    big = "y" * (24 << 20)
    data = scan(inside=f"<!--{big}-->\n")
    started = time.monotonic()
    parsed = parse_bytes(data, "s.xml")
    assert time.monotonic() - started < 8  # quadratic feeding took well over a minute at this size
    assert len(parsed.hosts) == 3


def test_hash_is_of_the_bytes_parsed_and_a_pipe_works() -> None:
    data = scan(hosts=2000)

    class Pipe(io.RawIOBase):
        """Not seekable, short reads: what a pipe gives."""

        def __init__(self, blob: bytes) -> None:
            self.blob, self.at = blob, 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            n = min(n if n >= 0 else len(self.blob), 1000)
            out = self.blob[self.at:self.at + n]
            self.at += len(out)
            return out

    parsed = parse_stream(Pipe(data), "pipe.xml")  # type: ignore[arg-type]
    assert len(parsed.hosts) == 2000
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()


def test_example_scans_still_parse() -> None:
    for path in sorted((ROOT / "examples" / "scans").glob("*.xml")):
        parsed = parse_bytes(path.read_bytes(), path.name)
        assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
