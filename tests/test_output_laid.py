"""A laid-out output (checker/output.py `Laid`, issue 15.3): every piece's length is known before its
bytes, so each is written once, at its place, by one process or two. The file is the pieces' bytes in
order whoever writes which part, whatever happens to the second process; a piece that comes out
longer or shorter than it announced is Resguarda's defect, never a corrupt report; a failure to write
leaves the earlier report and no temporary file.

The two-process cases run in a fresh process (`_in_fresh_process`): a fork is made only from a process
with a single thread, and earlier tests of the suite leave threads behind in this one."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import ROOT

from checker import output
from checker.errors import InputError
from checker.output import Laid, Spool, pieces, write_atomic

two_cpus = pytest.mark.skipif(sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
                              reason="a second process needs Linux and two CPUs")


class Made:
    """A deferred piece: `count` numbered lines, made as they are asked for (which process made them
    is recorded in `log`); `lie` bytes more or less announced than made."""

    def __init__(self, tag: str, count: int, log: Path | None = None, lie: int = 0) -> None:
        self.tag, self.count, self.log, self.lie = tag, count, log, lie

    def _line(self, i: int) -> bytes:
        return b"%s %07d: hallazgo estampado\n" % (self.tag.encode(), i)

    @property
    def length(self) -> int:
        return sum(len(self._line(i)) for i in range(self.count)) + self.lie

    def chunks(self) -> Iterator[bytes]:
        if self.log is not None:
            with self.log.open("a") as fh:
                fh.write(f"{self.tag} {os.getpid()}\n")
        for start in range(0, self.count, 1000):
            yield b"".join(self._line(i) for i in range(start, min(start + 1000, self.count)))


def _content(target: Path, log: Path | None = None) -> tuple[Spool, Laid]:
    spool = Spool(target)
    data = b"".join(b"%07d: resultado copiado\n" % i for i in range(300_000))   # 7.2 MB: in its file
    spool.write(data)
    laid = Laid([b"{cabeza}", Made("a", 60_000, log), *spool.part(0, spool.size), b"{medio}",
                 *spool.part(5, 50), Made("b", 80_000, log), b"{cola}\n"])
    return spool, laid


def test_one_process_writes_each_piece_at_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGUARDA_WORKERS", "1")
    target = tmp_path / "report.json"
    spool, laid = _content(target)
    with spool:
        expected = b"".join(pieces(laid))   # what standard output and devices are given
        assert expected.startswith(b"{cabeza}a 0000000")
        assert expected.endswith(b"b 0079999: hallazgo estampado\n{cola}\n")
        write_atomic(target, laid)
        assert target.read_bytes() == expected


def test_without_writes_at_an_offset_the_pieces_go_in_order(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A system without `pwrite` (not POSIX) gets the same file, written in order."""
    target = tmp_path / "report.json"
    spool, laid = _content(target)
    with spool:
        expected = b"".join(pieces(laid))
        monkeypatch.delattr(os, "pwrite")
        write_atomic(target, laid)
        assert target.read_bytes() == expected


def test_a_piece_longer_or_shorter_than_announced_is_a_defect_not_a_report(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGUARDA_WORKERS", "1")
    target = tmp_path / "report.json"
    target.write_bytes(b"{}\n")
    for lie in (-1, 1):
        with pytest.raises(RuntimeError, match="announced"):
            write_atomic(target, Laid([b"{", Made("a", 10, lie=lie), b"}"]))
        with pytest.raises(RuntimeError, match="announced"):
            b"".join(pieces(Laid([Made("a", 10, lie=lie)])))
    assert target.read_bytes() == b"{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_full_disk_while_placing_leaves_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESGUARDA_WORKERS", "1")
    target = tmp_path / "report.json"
    target.write_bytes(b"{}\n")
    real = os.pwrite
    budget = [3_000_000]

    def pwrite(fd: int, data: bytes, at: int) -> int:
        budget[0] -= len(data)
        if budget[0] < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data, at)

    monkeypatch.setattr(os, "pwrite", pwrite)
    spool, laid = _content(target)
    with spool, pytest.raises(InputError) as failed:
        write_atomic(target, laid, "en")
    assert "report.json" in str(failed.value) and "space" in str(failed.value).lower()
    assert target.read_bytes() == b"{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


# -- two processes ------------------------------------------------------------------------------------
RUNNER = r'''
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import test_output_laid as t
from checker import output

mode, folder = sys.argv[1], Path(sys.argv[2])
parent = os.getpid()
output.LAID_TWO_PROCESSES = 0
real_place = output._place
def place(fd, spans):
    if os.getpid() != parent and mode == "child-dies":
        os.kill(os.getpid(), signal.SIGKILL)
    if os.getpid() != parent and mode == "child-fails":
        raise OSError(28, "No space left on device")
    return real_place(fd, spans)
output._place = place
target = folder / "report.json"
spool, laid = t._content(target, folder / "made.log")
with spool:
    output.write_atomic(target, laid)
    (folder / "expected.json").write_bytes(b"".join(output.pieces(laid)))
print(parent)
'''


def _in_fresh_process(folder: Path, mode: str) -> tuple[int, dict[str, set[int]]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_WORKERS="")
    proc = subprocess.run([sys.executable, "-c", RUNNER, mode, str(folder), str(ROOT / "tests")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    made: dict[str, set[int]] = {}
    for line in (folder / "made.log").read_text().splitlines():
        tag, pid = line.split()
        made.setdefault(tag, set()).add(int(pid))
    return int(proc.stdout.split()[-1]), made


@two_cpus
def test_two_processes_write_the_bytes_of_one(tmp_path: Path) -> None:
    parent, made = _in_fresh_process(tmp_path, "plain")
    assert (tmp_path / "report.json").read_bytes() == (tmp_path / "expected.json").read_bytes()
    # The first deferred piece was made here, the second (the work's second half) by the child; the
    # expected bytes were then made again here.
    assert made["a"] == {parent}
    assert len(made["b"]) == 2 and parent in made["b"]


@two_cpus
@pytest.mark.parametrize("mode", ["child-fails", "child-dies"])
def test_what_the_child_did_not_write_is_written_here(tmp_path: Path, mode: str) -> None:
    parent, made = _in_fresh_process(tmp_path, mode)
    assert (tmp_path / "report.json").read_bytes() == (tmp_path / "expected.json").read_bytes()
    assert made["b"] == {parent}   # the child never made it: this process did, for the report and again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected.json", "made.log", "report.json"]


def test_the_json_of_many_systems_is_laid_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--format json` of a large declaration hands its output over laid out: stamped findings as
    deferred pieces (never spooled by the process that writes), and the file is what standard output
    gets."""
    monkeypatch.setenv("RESGUARDA_WORKERS", "1")
    from cli_helpers import load_script

    from checker.render.json_stream import StreamedJson
    from checker.validate import load_declaration

    decl = load_script("bench_json").write_declaration(tmp_path / "many.yaml", 300)
    loaded = load_declaration(decl, str(decl), lang="es")
    target = tmp_path / "many.json"
    with StreamedJson(loaded, str(target), as_of=None, lang="es", profile=None, catalog=None) as streamed:
        laid = streamed.pieces()
        deferred = [p for p in laid.pieces if isinstance(p, output.Deferred) and not isinstance(p, bytes)]
        assert len(deferred) >= 30
        write_atomic(target, laid)
        assert target.read_bytes() == b"".join(pieces(laid))
    doc = json.loads(target.read_bytes())
    assert sum(len(r["findings"]) for r in doc["results"]) > 300 * 30


@pytest.mark.slow
def test_a_run_terminated_while_writing_leaves_the_old_report_and_nothing_else(tmp_path: Path) -> None:
    """SIGTERM (a cancelled CI job) while the large JSON is being written: exit 143, the earlier report
    as it was, no temporary file beside it."""
    import signal
    import time

    from cli_helpers import load_script

    decl = load_script("bench_json").write_declaration(tmp_path / "many.yaml", 10_000)
    folder = tmp_path / "out"
    folder.mkdir()
    report = folder / "report.json"
    report.write_bytes(b"{}\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "checker", "evaluate", str(decl), "--format", "json", "-o",
                             str(report), "--as-of", "2026-11-20"], stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not list(folder.glob(".report.json.*.part")) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "the run ended before its output was being written"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert report.read_bytes() == b"{}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["report.json"]


def test_a_forked_worker_ends_quietly_on_sigterm() -> None:
    """The CLI's SIGTERM handler is inherited by forked workers (a portfolio's process pool, which
    stops its workers with SIGTERM): there it ends the worker as SIGTERM does, without raising into the
    worker's code (which printed a multiprocessing traceback)."""
    code = r'''
import os, signal
from checker import cli
cli._OWNER[0] = os.getpid()
signal.signal(signal.SIGTERM, cli._terminated)
ready, said = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        os.write(said, b"r")   # past the fork (a signal during it is dropped), then waiting
        signal.pause()
    except BaseException as exc:
        print("raised", type(exc).__name__, flush=True)
        os._exit(5)
    os._exit(0)
os.read(ready, 1)
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
print("signal", os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
'''
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.stdout.split() == ["signal", "15"], proc.stdout + proc.stderr
