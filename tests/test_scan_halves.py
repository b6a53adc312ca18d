"""A large scan file read in two halves at once (issue 15.5) gives exactly what one reading from the start
gives: the same hosts in the same order, the same run statistics, the same hash, and for a broken file
the same error with the same line and column. A boundary that falls inside markup (a comment holding
"<host", an attribute) is detected and the file read again from the start."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import checker.scan.nmapxml as nmapxml
from checker.errors import InputError
from checker.scan import forked
from checker.scan.nmapxml import ParsedScan, parse_file, parse_stream
from checker.scan.observed import ScanInput, observe

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not forked.usable(), reason="needs Linux, one thread and two CPUs")


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_scan", ROOT / "scripts" / "bench_scan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issue 15's TLS-heavy structure, 400 hosts (about 2.6 MB)."""
    path = tmp_path_factory.mktemp("halves") / "heavy.xml"
    _bench().generate(path, 400, shape="tls-heavy")
    return path


def _split(monkeypatch: pytest.MonkeyPatch, kept: list[bool] | None = None) -> list[int]:
    """Every file counts as large. Returns the boundaries of the children started; `kept` receives, per
    child, whether its half was used (False: the file was read again from the start)."""
    monkeypatch.setattr(nmapxml, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpu", lambda: True)   # whatever else the machine is doing
    started: list[int] = []
    real = nmapxml.NmapXmlReader._second_half
    real_halves = nmapxml.NmapXmlReader._in_halves

    def spy(self: nmapxml.NmapXmlReader) -> Any:
        half = real(self)
        if half is not None:
            started.append(half[0])
        return half

    def spy_halves(self: nmapxml.NmapXmlReader, *args: Any) -> Any:
        used = yield from real_halves(self, *args)
        if kept is not None:
            kept.append(used)
        return used

    monkeypatch.setattr(nmapxml.NmapXmlReader, "_second_half", spy)
    monkeypatch.setattr(nmapxml.NmapXmlReader, "_in_halves", spy_halves)
    return started


def _same(a: ParsedScan, b: ParsedScan) -> None:
    assert a.hosts == b.hosts
    assert a.end == b.end
    assert a.sha256 == b.sha256
    assert a.header == b.header


def test_two_halves_give_what_one_reading_gives(heavy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = parse_file(heavy)
    kept: list[bool] = []
    started = _split(monkeypatch, kept)
    halves = parse_file(heavy)
    assert kept == [True]
    assert len(started) == 1 and heavy.stat().st_size // 2 <= started[0] < heavy.stat().st_size
    _same(halves, whole)
    assert len(halves.hosts) == 400 and halves.end.exit == "success" and halves.end.hosts_up == 400
    # TLS facts from both halves, F-grade ciphers named.
    tls = [p.tls for h in halves.hosts for p in h.ports if p.tls is not None]
    assert len(tls) == 2 * 80 and all(t.weakest_grade == "F" and t.f_grade_ciphers for t in tls)


def test_observe_in_halves_is_unchanged(heavy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scans = [ScanInput("campus", heavy.name, "external")]
    systems = [("portal", ["t0-2.ia.example.gob.mx", "10.60.0.3"])]
    from datetime import date

    whole = observe(scans, systems, date(2026, 11, 22), heavy.parent)
    _split(monkeypatch)
    halves = observe(scans, systems, date(2026, 11, 22), heavy.parent)
    assert halves == whole


def _with_trap(data: bytes, at: int, trap: bytes) -> bytes:
    """`trap` inserted at `at`, and whitespace added inside the root before its end tag so that the
    middle of the file falls just before `at`: the first "<host" after the middle is the trap's."""
    new = data[:at] + trap + data[at:]
    pad = 2 * (at - 1) - len(new)
    assert pad >= 0
    end = new.rindex(b"</nmaprun>")
    out = new[:end] + b" " * pad + new[end:]
    assert len(out) // 2 == at - 1
    return out


@pytest.mark.parametrize(("name", "trap", "inside"), [
    ("comment", b'<!-- <host starttime="1"> looks like a host -->\n', False),
    ("cdata", b'<![CDATA[ <host starttime="1"> ]]>\n', False),
    ("comment-in-a-host", b'<!-- <host> -->', True),
])
def test_a_boundary_inside_markup_is_refused_and_the_file_read_again(
        heavy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, trap: bytes, inside: bool) -> None:
    data = heavy.read_bytes()
    start = data.index(b"<host ", len(data) * 2 // 3)
    # Between two hosts (depth 1), or inside a host just before its end tag (depth 2).
    at = data.index(b"</host>", start) if inside else start
    path = tmp_path / f"{name}.xml"
    path.write_bytes(_with_trap(data, at, trap))
    whole = parse_file(path)
    kept: list[bool] = []
    started = _split(monkeypatch, kept)
    halves = parse_file(path)
    _same(halves, whole)
    assert kept == [False]
    assert started == [at + trap.index(b"<host")], "the trap was taken as the boundary (and then refused)"
    assert len(halves.hosts) == 400


@pytest.mark.parametrize("where", ["first", "second"])
def test_a_broken_host_gives_the_same_error_as_one_reading(heavy: Path, tmp_path: Path, where: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    data = heavy.read_bytes()
    at = data.index(b"<host ", len(data) // 4 if where == "first" else len(data) * 3 // 4)
    broken = data[:at] + b'<host><status state="up"/></hosts>\n' + data[at:]
    path = tmp_path / "broken.xml"
    path.write_bytes(broken)
    with pytest.raises(InputError) as one:
        parse_file(path)
    _split(monkeypatch)
    with pytest.raises(InputError) as two:
        parse_file(path)
    assert (two.value.message, two.value.line, two.value.column) == (one.value.message, one.value.line,
                                                                    one.value.column)


def test_truncated_second_half_is_reported_as_truncated(heavy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = heavy.read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) * 9 // 10])
    _split(monkeypatch)
    with pytest.raises(InputError, match="truncado"):
        parse_file(path)


def test_runstats_between_hosts_and_at_the_end(heavy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = heavy.read_bytes()
    at = data.index(b"<host ", len(data) // 4)
    early = b'<runstats><finished exit="error" errormsg="interrupted"/><hosts up="1" down="2"/></runstats>\n'
    path = tmp_path / "runstats.xml"
    path.write_bytes(data[:at] + early + data[at:])
    whole = parse_file(path)
    kept: list[bool] = []
    _split(monkeypatch, kept)
    halves = parse_file(path)
    _same(halves, whole)
    assert kept == [True]
    assert halves.end.exit == "success" and halves.end.errormsg is None


def test_a_pipe_and_small_files_are_read_once(heavy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = _split(monkeypatch)
    with heavy.open("rb") as raw:
        class Pipe:
            def read(self, n: int = -1) -> bytes:
                return raw.read(min(n, 1000) if n >= 0 else 1000)

        parsed = parse_stream(Pipe(), "pipe.xml")  # type: ignore[arg-type]
    assert started == [] and len(parsed.hosts) == 400
    monkeypatch.setattr(nmapxml, "PARALLEL_MIN_BYTES", 24 << 20)
    parse_file(heavy)
    assert started == []


def test_a_child_that_fails_is_replaced_by_one_reading(heavy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = parse_file(heavy)
    kept: list[bool] = []
    started = _split(monkeypatch, kept)

    def boom(*_args: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(nmapxml, "_read_second_half", boom)
    _same(parse_file(heavy), whole)
    assert started and kept == [False]
