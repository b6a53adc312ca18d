"""A large scan file read in two halves at once (issue 15.5) gives exactly what one reading from the start
gives: the same hosts in the same order, the same run statistics, the same hash, and for a broken file
the same error with the same line and column. A boundary that falls inside markup (a comment or CDATA
holding "<host", a comment inside a host) is detected and the file read again from the start.

The halves are read in a fresh process (`_read`): the reader forks only from a process with a single
thread, and earlier tests of the suite (Dask) leave threads behind in this one."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ROOT, load_script

import checker.scan.nmapxml as nmapxml
from checker import forked
from checker.errors import InputError
from checker.scan.observed import ScanInput, observe

pytestmark = pytest.mark.skipif(sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
                                reason="two halves need Linux and two CPUs")

# Run in a fresh process: every file counts as large and a CPU as free; reports what was read, which
# boundaries were tried and whether each child's half was used (False: read again from the start).
READER = r'''
import hashlib, json, sys
from datetime import date
from pathlib import Path
import checker.scan.nmapxml as nx
from checker.errors import InputError
from checker import forked
from checker.scan.observed import ScanInput, observe

nx.PARALLEL_MIN_BYTES = 0
forked.spare_cpu = lambda: True
started, kept = [], []
second_half, in_halves = nx.NmapXmlReader._second_half, nx.NmapXmlReader._in_halves

def spy(self):
    half = second_half(self)
    if half is not None:
        started.append(half[0])
    return half

def spy_halves(self, *args):
    used = yield from in_halves(self, *args)
    kept.append(used)
    return used

nx.NmapXmlReader._second_half, nx.NmapXmlReader._in_halves = spy, spy_halves
if "boom" in sys.argv:
    def boom(*args):
        raise MemoryError
    nx._read_second_half = boom
path = Path(sys.argv[1])
if "observe" in sys.argv:
    seen = observe([ScanInput("campus", path.name, "external")], [("portal", ["t0-2.ia.example.gob.mx"])],
                   date(2026, 11, 22), path.parent)
    out = {"observed": hashlib.sha256(repr(seen).encode()).hexdigest()}
else:
    try:
        p = nx.parse_file(path)
        out = {"hosts": hashlib.sha256(repr(p.hosts).encode()).hexdigest(), "count": len(p.hosts),
               "end": repr(p.end), "sha256": p.sha256, "header": repr(p.header)}
    except InputError as exc:
        out = {"error": [exc.message, exc.line, exc.column]}
out.update(started=started, kept=kept, usable=forked.usable())
print(json.dumps(out))
'''


def _read(path: Path, *modes: str, workers: str = "") -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", READER, str(path), *modes], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_WORKERS=workers),
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    assert out.pop("usable") is (workers != "1"), "the reader could not fork in a fresh process"
    return out


def _once(path: Path) -> dict[str, Any]:
    """One reading from the start, in this process."""
    saved = nmapxml.PARALLEL_MIN_BYTES
    nmapxml.PARALLEL_MIN_BYTES = 1 << 62
    try:
        p = nmapxml.parse_file(path)
        return {"hosts": hashlib.sha256(repr(p.hosts).encode()).hexdigest(), "count": len(p.hosts),
                "end": repr(p.end), "sha256": p.sha256, "header": repr(p.header)}
    except InputError as exc:
        return {"error": [exc.message, exc.line, exc.column]}
    finally:
        nmapxml.PARALLEL_MIN_BYTES = saved


def _without_trace(out: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in out.items() if key not in ("started", "kept")}



@pytest.fixture(scope="module")
def heavy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issue 15's TLS-heavy structure, 400 hosts (about 2.6 MB)."""
    path = tmp_path_factory.mktemp("halves") / "heavy.xml"
    load_script("bench_scan").generate(path, 400, shape="tls-heavy")
    return path


def test_two_halves_give_what_one_reading_gives(heavy: Path) -> None:
    halves = _read(heavy)
    assert halves["kept"] == [True]
    assert len(halves["started"]) == 1 and heavy.stat().st_size // 2 <= halves["started"][0] < heavy.stat().st_size
    assert _without_trace(halves) == _once(heavy)
    assert halves["count"] == 400 and "exit='success'" in halves["end"] and "hosts_up=400" in halves["end"]


def test_one_process_asked_for_reads_in_one_pass(heavy: Path) -> None:
    # RESGUARDA_WORKERS=1 keeps every forked job in one process, the scan reader's too.
    one = _read(heavy, workers="1")
    assert one["started"] == [] and one["kept"] == []
    assert _without_trace(one) == _once(heavy)


def test_observe_in_halves_is_unchanged(heavy: Path) -> None:
    halves = _read(heavy, "observe")
    assert halves["kept"] == [True]
    saved = nmapxml.PARALLEL_MIN_BYTES
    nmapxml.PARALLEL_MIN_BYTES = 1 << 62
    try:
        seen = observe([ScanInput("campus", heavy.name, "external")], [("portal", ["t0-2.ia.example.gob.mx"])],
                       date(2026, 11, 22), heavy.parent)
    finally:
        nmapxml.PARALLEL_MIN_BYTES = saved
    assert halves["observed"] == hashlib.sha256(repr(seen).encode()).hexdigest()


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
    ("comment-in-a-host", b"<!-- <host> -->", True),
])
def test_a_boundary_inside_markup_is_refused_and_the_file_read_again(heavy: Path, tmp_path: Path, name: str,
                                                                     trap: bytes, inside: bool) -> None:
    data = heavy.read_bytes()
    start = data.index(b"<host ", len(data) * 2 // 3)
    # Between two hosts (depth 1), or inside a host just before its end tag (depth 2).
    at = data.index(b"</host>", start) if inside else start
    path = tmp_path / f"{name}.xml"
    path.write_bytes(_with_trap(data, at, trap))
    halves = _read(path)
    assert halves["started"] == [at + trap.index(b"<host")], "the trap was taken as the boundary"
    assert halves["kept"] == [False], "and then refused"
    assert _without_trace(halves) == _once(path)
    assert halves["count"] == 400


@pytest.mark.parametrize("where", ["first", "second"])
def test_a_broken_host_gives_the_same_error_as_one_reading(heavy: Path, tmp_path: Path, where: str) -> None:
    data = heavy.read_bytes()
    at = data.index(b"<host ", len(data) // 4 if where == "first" else len(data) * 3 // 4)
    path = tmp_path / "broken.xml"
    path.write_bytes(data[:at] + b'<host><status state="up"/></hosts>\n' + data[at:])
    once = _once(path)
    halves = _read(path)
    assert "error" in once and halves["started"]
    assert _without_trace(halves) == once


def test_truncated_second_half_is_reported_as_truncated(heavy: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(heavy.read_bytes()[: heavy.stat().st_size * 9 // 10])
    halves = _read(path)
    assert halves["kept"] == [False]
    assert _without_trace(halves) == _once(path)
    assert "truncado" in halves["error"][0]


def test_runstats_between_hosts_and_at_the_end(heavy: Path, tmp_path: Path) -> None:
    data = heavy.read_bytes()
    at = data.index(b"<host ", len(data) // 4)
    early = b'<runstats><finished exit="error" errormsg="interrupted"/><hosts up="1" down="2"/></runstats>\n'
    path = tmp_path / "runstats.xml"
    path.write_bytes(data[:at] + early + data[at:])
    halves = _read(path)
    assert halves["kept"] == [True]
    assert _without_trace(halves) == _once(path)
    assert "exit='success', errormsg=None" in halves["end"]


def test_a_child_that_fails_is_replaced_by_one_reading(heavy: Path) -> None:
    halves = _read(heavy, "boom")
    assert halves["started"] and halves["kept"] == [False]
    assert _without_trace(halves) == _once(heavy)


def test_a_pipe_and_small_files_are_read_once(heavy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No child for a pipe, nor for a file under PARALLEL_MIN_BYTES (24 MB), nor on a busy machine."""
    calls: list[int] = []
    monkeypatch.setattr(forked, "start", lambda job: calls.append(1))
    monkeypatch.setattr(forked, "usable", lambda: True)
    monkeypatch.setattr(forked, "spare_cpu", lambda: True)
    with heavy.open("rb") as raw:
        class Pipe:
            def read(self, n: int = -1) -> bytes:
                return raw.read(min(n, 1000) if n >= 0 else 1000)

        monkeypatch.setattr(nmapxml, "PARALLEL_MIN_BYTES", 0)
        parsed = nmapxml.parse_stream(Pipe(), "pipe.xml")  # type: ignore[arg-type]
    assert len(parsed.hosts) == 400 and calls == []
    monkeypatch.setattr(nmapxml, "PARALLEL_MIN_BYTES", 24 << 20)
    nmapxml.parse_file(heavy)
    assert calls == []
    monkeypatch.setattr(nmapxml, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(forked, "spare_cpu", lambda: False)
    nmapxml.parse_file(heavy)
    assert calls == []
    monkeypatch.setattr(forked, "spare_cpu", lambda: True)   # the same file, a free CPU: a child is asked for
    assert len(nmapxml.parse_file(heavy).hosts) == 400
    assert calls == [1]
