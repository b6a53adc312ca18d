"""ssl-enum-ciphers blocks cut down before parsing (checker/scan/tls_compact.py) give exactly what the
whole blocks give: the same hosts, ports, TLS versions, grades and F-grade ciphers, the same hash, and
for a broken file the same error at the same line and column. Each case is parsed twice, with the
compactor and without it, and the two compared; the cases that have nmap's shape must also have been
cut down (else the test would compare two plain readings).

Hypothesis builds blocks from nmap's vocabulary with the variations a hostile or unusual file may have
(graded items outside entries, " F" and "f", a version's name on an inner table, entities, other
characters, missing or repeated grades), and cuts the file into chunks anywhere."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_helpers import load_script
from hypothesis import given, settings
from hypothesis import strategies as st

import checker.scan.nmapxml as nmapxml
from checker.errors import InputError
from checker.scan import tls_compact

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
        '<nmaprun scanner="nmap" args="nmap -sV --script ssl-enum-ciphers" start="1795324014" version="7.94" '
        'xmloutputversion="1.05">\n')
TAIL = ('<runstats><finished time="1795324100" exit="success"/><hosts up="2" down="0" total="2"/></runstats>\n'
        '</nmaprun>\n')


def _host(n: int, scripts: str) -> str:
    return (f'<host><status state="up"/><address addr="10.0.0.{n}" addrtype="ipv4"/>\n<ports>'
            f'<port protocol="tcp" portid="443"><state state="open"/><service name="https" tunnel="ssl"/>'
            f'{scripts}</port>\n</ports></host>\n')


def document(*scripts: str, between: str = "") -> bytes:
    """Two hosts per script block (the second after `between`), so a block sits between others."""
    hosts = "".join(_host(i + 1, s) + between + _host(i + 100, s) for i, s in enumerate(scripts))
    return (HEAD + hosts + TAIL).encode()


def entry(strength: str, name: str = "TLS_RSA_WITH_RC4_128_SHA", kex: str = "rsa 2048") -> str:
    return (f'<table>\n<elem key="kex_info">{kex}</elem>\n<elem key="name">{name}</elem>\n'
            f'<elem key="strength">{strength}</elem>\n</table>\n')


def version(key: str, *entries: str, extra: str = "") -> str:
    return (f'<table key="{key}">\n<table key="ciphers">\n{"".join(entries)}</table>\n'
            f'<table key="compressors">\n<elem>NULL</elem>\n</table>\n{extra}'
            f'<elem key="cipher preference">server</elem>\n</table>\n')


def block(*versions: str, least: str | None = "F", output: str = "&#xa;  TLSv1.0: &#xa;  least strength: F") -> str:
    grade = f'<elem key="least strength">{least}</elem>\n' if least is not None else ""
    return f'<script id="ssl-enum-ciphers" output="{output}">{"".join(versions)}{grade}</script>'


@contextmanager
def chunk_size(size: int) -> Iterator[None]:
    saved = nmapxml.CHUNK
    nmapxml.CHUNK = size
    try:
        yield
    finally:
        nmapxml.CHUNK = saved


def _read(data: bytes, compact: bool) -> tuple[object, ...]:
    saved = nmapxml.NmapXmlReader._compactor
    if not compact:
        nmapxml.NmapXmlReader._compactor = lambda self, ascii_bytes: None  # type: ignore[method-assign]
    try:
        parsed = nmapxml.parse_bytes(data, "scan.xml")
        return ("ok", repr(parsed.hosts), parsed.sha256, repr(parsed.end))
    except InputError as exc:
        return ("error", exc.message, exc.line, exc.column)
    finally:
        nmapxml.NmapXmlReader._compactor = saved  # type: ignore[method-assign]


@contextmanager
def compactors_made() -> Iterator[list[tls_compact.TlsCompactor]]:
    """The compactors the reader makes inside the block."""
    made: list[tls_compact.TlsCompactor] = []
    real = tls_compact.TlsCompactor.__init__

    def spy(self: tls_compact.TlsCompactor) -> None:
        made.append(self)
        real(self)

    tls_compact.TlsCompactor.__init__ = spy  # type: ignore[method-assign]
    try:
        yield made
    finally:
        tls_compact.TlsCompactor.__init__ = real  # type: ignore[method-assign]


def same_both_ways(data: bytes, *, cut: bool | None = None) -> tuple[object, ...]:
    """The reading with the compactor; asserts it equals the plain one, and (when `cut` says) whether a
    block was cut down."""
    with compactors_made() as made:
        with_it = _read(data, True)
    assert with_it == _read(data, False)
    if cut is not None:
        assert any(c.changed for c in made) == cut
    return with_it


def tls_of(result: tuple[object, ...]) -> str:
    assert result[0] == "ok", result
    return str(result[1])


# -- nmap's shape: cut down, the same facts --------------------------------------------------------
def test_an_f_grade_block_keeps_its_f_ciphers() -> None:
    data = document(block(version("TLSv1.0", entry("A", "TLS_A"), entry("F", "TLS_RC4_ONE"), entry("C")),
                          version("TLSv1.2", entry("A"), entry("F", "TLS_RC4_TWO"))))
    result = same_both_ways(data, cut=True)
    text = tls_of(result)
    assert "TLSv1.0 TLS_RC4_ONE" in text and "TLSv1.2 TLS_RC4_TWO" in text and "weakest_grade='F'" in text


def test_a_block_without_f_keeps_its_versions_and_grade() -> None:
    data = document(block(version("TLSv1.2", entry("A"), entry("B")), version("TLSv1.3", entry("A")), least="B"))
    text = tls_of(same_both_ways(data, cut=True))
    assert "versions=['TLSv1.2', 'TLSv1.3'], weakest_grade='B', f_grade_ciphers=[]" in text


def test_f_in_other_items_and_tables() -> None:
    """An item reading F outside any cipher entry (a version's own item, compressors, warnings), and
    an entry whose name or key exchange is "F": nothing is named that the whole block would not name."""
    data = document(block(
        version("TLSv1.0", entry("A", "F"), entry("C", "TLS_X", "F"), entry("F", "TLS_REAL"),
                extra='<table key="warnings">\n<elem>F</elem>\n</table>\n<elem key="note">F</elem>\n'),
        version("TLSv1.1", entry("A"))))
    text = tls_of(same_both_ways(data, cut=True))
    assert "f_grade_ciphers=['TLSv1.0 TLS_REAL']" in text


def test_the_benchmark_scans_read_the_same(tmp_path: Path) -> None:
    bench = load_script("bench_scan")
    for shape in ("tls-heavy", "campus"):
        path = tmp_path / f"{shape}.xml"
        bench.generate(path, 60, shape=shape)
        data = path.read_bytes()
        with chunk_size(1 << 12):
            same_both_ways(data, cut=True)
        same_both_ways(data, cut=True)


@pytest.mark.parametrize("size", [1, 7, 64, 1000, 4096])
def test_blocks_cut_by_chunks_anywhere(size: int) -> None:
    data = document(block(version("TLSv1.0", entry("F", "TLS_ONE"), entry("A"))),
                    block(version("TLSv1.2", entry("A")), least="A"))
    with chunk_size(size):
        same_both_ways(data, cut=True)


# -- anything else: left alone, the same facts -----------------------------------------------------
@pytest.mark.parametrize("script", [
    block(version("TLSv1.0", entry(" F", "TLS_SPACED")), least="F"),          # " F": nmap never writes it
    block(version("TLSv1.0", entry("f", "TLS_LOWER"), entry("F", "TLS_UP"))),  # "f" reads as F too
    block(version("TLSv1.0", entry("F")), least=None),                        # no grade of nmap's
    block(least="F"),                                                         # no tables: the text is read
    block(version("TLSv1.0", entry("F", "TLS_A&amp;B"))),                     # an entity
    block(version("TLSv1.0", entry("F", "TLS_Ñ"))),                           # not ASCII
    block(version("TLSv1.0", entry("F")), output="a--b"),                     # "--"
    block(version("TLSv1.0", entry("F"))).replace("</script>", '<elem key="least strength">A</elem>\n</script>'),
    # a version's name on an inner table
    block(version("TLSv1.0", entry("F"), extra='<table key="TLSv1.2">\n<elem>F</elem>\n</table>\n')),
    block(version("DTLSv1.2", entry("F"))),                                   # a version nmap's tables do not have
    block(version("TLSv1.0", entry("F"))).replace('<table key="ciphers">', '<table key="ciphers" x="1">'),
])
def test_other_shapes_are_left_alone(script: str) -> None:
    same_both_ways(document(script), cut=False)


def test_a_block_inside_cdata_text_is_not_cut() -> None:
    """Text in a CDATA section is not markup: a block there is part of a page title and stays whole."""
    title = (f'<script id="http-title" output="t"><elem key="title"><![CDATA[{block(version("TLSv1.0", entry("F")))}]]>'
             f'</elem></script>')
    result = same_both_ways(document(title, block(version("TLSv1.0", entry("F", "TLS_AFTER")))), cut=False)
    assert "TLS_AFTER" in tls_of(result) and "ssl-enum-ciphers" in tls_of(result)


def test_a_block_inside_a_comment_changes_nothing() -> None:
    commented = f"<!-- {block(version('TLSv1.0', entry('F', 'TLS_HIDDEN')))} -->"
    result = same_both_ways(document(commented + block(version("TLSv1.2", entry("A")), least="A")), cut=True)
    assert "TLS_HIDDEN" not in tls_of(result)


@pytest.mark.parametrize("broken", ["<port>", "<elem>x</table>", "&bogus;", "\x01"])
def test_an_error_after_a_cut_block_is_reported_where_it_is(broken: str) -> None:
    """Past the first 64 KB (which the header's reading parses whole), after blocks that were cut."""
    heavy = block(version("TLSv1.0", *[entry("F"), entry("A")] * 8), version("TLSv1.2", entry("A")))
    hosts = "".join(_host(n, heavy) for n in range(1, 60))
    data = (HEAD + hosts + f"\n\n  {broken}\n" + _host(200, heavy) + TAIL).encode()
    assert len(data) > 2 * nmapxml.PROLOG_CHUNK
    result = same_both_ways(data, cut=True)
    assert result[0] == "error" and isinstance(result[2], int) and result[2] > 1000


def test_a_pipe_is_read_without_cutting() -> None:
    """A source that cannot be read again (a pipe) is parsed whole: an error could not be re-read."""
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    data = document(block(version("TLSv1.0", entry("F", "TLS_PIPE"))))
    with compactors_made() as made:
        parsed = nmapxml.parse_stream(Pipe(data), "stdin")
    assert made == [] and "TLS_PIPE" in repr(parsed.hosts)


# -- generated blocks --------------------------------------------------------------------------------
# Blocks of nmap's shape, half of them then changed in one way a hostile or unusual file may differ.
_WS = st.sampled_from(["\n", "\n", "", " ", "\r\n"])
_PERTURBATIONS = [
    lambda b: b.replace(">F</elem>", "> F</elem>", 1),                  # a grade with a space
    lambda b: b.replace(">F</elem>", ">f</elem>", 1),                   # lower case
    lambda b: b.replace(">A</elem>", ">F</elem>", 1),                   # one more F anywhere
    lambda b: b.replace('<elem key="least strength">', '<elem key="least">', 1),
    lambda b: b.replace("</script>", '<elem key="least strength">A</elem></script>', 1),
    lambda b: b.replace('key="ciphers"', 'key="TLSv1.3"', 1),           # a version's name inside
    lambda b: b.replace('<table key="ciphers">', '<table key="ciphers"><table key="TLSv1.0"></table>', 1),
    lambda b: b.replace("<table>", '<table key="x">', 1),               # a keyed entry
    lambda b: b.replace("_SHA<", "_SHA&amp;<", 1),                      # an entity
    lambda b: b.replace("</table>", "", 1),                             # malformed
    lambda b: b.replace("<elem", "<elem x='1'", 1),
    lambda b: b.replace('output="', 'output="a--b', 1),
    lambda b: b.replace("</elem>", "</elem><!-- c -->", 1),
    lambda b: b.replace("<table>", "<table><![CDATA[F]]>", 1),
    lambda b: b.replace("TLS_", "TLS_\u00d1", 1),
    lambda b: b.replace("TLSv1.2", "TLSv1.9", 1),
    lambda b: b.replace('<elem key="cipher preference">server', '<elem key="cipher preference">F', 1),
]


@st.composite
def _entry(draw: st.DrawFn) -> str:
    ws = draw(_WS)
    values = {"kex_info": draw(st.sampled_from(["rsa 2048", "ecdh_x25519", "F"])),
              "name": draw(st.sampled_from(["TLS_RSA_WITH_RC4_128_SHA", "TLS_AES_128_GCM_SHA256", "F", "X Y"])),
              "strength": draw(st.sampled_from(["A", "B", "C", "E", "F", "F"]))}
    keys = draw(st.permutations(list(values)))
    return "<table>" + ws + "".join(f'<elem key="{k}">{values[k]}</elem>{ws}' for k in keys) + "</table>" + ws


@st.composite
def _version(draw: st.DrawFn) -> str:
    ws = draw(_WS)
    parts = ['<table key="ciphers">' + ws + "".join(draw(st.lists(_entry(), max_size=5))) + "</table>" + ws]
    if draw(st.booleans()):
        parts.append(f'<table key="compressors">{ws}<elem>NULL</elem>{ws}</table>{ws}')
    parts.append(f'<elem key="cipher preference">{draw(st.sampled_from(["server", "client", "F"]))}</elem>{ws}')
    if draw(st.booleans()):
        parts.append(f'<table key="warnings">{ws}<elem>{draw(st.sampled_from(["F", "64-bit block"]))}</elem>{ws}'
                     f'</table>{ws}')
    order = draw(st.permutations(parts))
    return f'<table key="{draw(st.sampled_from(["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]))}">{ws}' \
        + "".join(order) + f"</table>{ws}"


@st.composite
def _block(draw: st.DrawFn) -> str:
    versions = "".join(draw(st.lists(_version(), min_size=1, max_size=3)))
    least = draw(st.sampled_from(["A", "C", "F", "F"]))
    output = draw(st.sampled_from(["", "&#xa;  TLSv1.0: &#xa;  least strength: F", "plain"]))
    block = (f'<script id="ssl-enum-ciphers" output="{output}">{draw(_WS)}{versions}'
             f'<elem key="least strength">{least}</elem>{draw(_WS)}</script>')
    perturb = draw(st.one_of(st.none(), st.sampled_from(_PERTURBATIONS)))
    return block if perturb is None else perturb(block)


# `make fuzz`'s profile explores 3,000 fresh cases; the suite replays the same 150 every run.
_LONG = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


@settings(max_examples=3000 if _LONG else 150, deadline=None, derandomize=not _LONG)
@given(blocks=st.lists(_block(), min_size=1, max_size=3), size=st.sampled_from([3, 50, 700, 1 << 15]))
def test_generated_blocks_read_the_same(blocks: list[str], size: int) -> None:
    with chunk_size(size):
        same_both_ways(document(*blocks))
