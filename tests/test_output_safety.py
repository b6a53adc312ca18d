"""Safe output targets (issue 17.1): devices, FIFOs and symlinks to them are written in place, never
replaced; `-o -` and `-o /dev/stdout` write to standard output; a target that is an input is refused
with the input unchanged; write failures are exit 2 with nothing left behind."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import GOOD, MINI, ROOT

from checker.errors import InputError
from checker.output import SPOOL_MEMORY, Spool, SpoolPart, pieces, write_atomic


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, env=env, timeout=120,
                          input=stdin)


@pytest.fixture()
def decl(tmp_path: Path) -> Path:
    path = tmp_path / "decl.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def evaluate(decl: Path, target: str, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return run("evaluate", str(decl), "--catalog", str(MINI), "--format", "json", "-o", target, *extra)


def test_device_node_is_written_in_place_not_replaced(tmp_path: Path, decl: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    proc = evaluate(decl, str(node))
    assert proc.returncode in (0, 1), proc.stderr
    assert stat.S_ISCHR(os.lstat(node).st_mode), "the device node was replaced by a regular file"
    assert not list(tmp_path.glob(".null.*")), "a temporary file was left behind"


def test_symlink_to_device_keeps_both(tmp_path: Path, decl: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    link = tmp_path / "link"
    link.symlink_to(node)
    proc = evaluate(decl, str(link))
    assert proc.returncode in (0, 1), proc.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(node).st_mode)


def test_fifo_is_written_in_place(tmp_path: Path, decl: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = evaluate(decl, str(fifo))
    reader.join(60)
    assert proc.returncode in (0, 1), proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(got[0])["program"]["name"] == "Escuela Prueba"


@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_stdout_targets(decl: Path, target: str) -> None:
    proc = evaluate(decl, target)
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["program"]["name"] == "Escuela Prueba"
    assert b"Traceback" not in proc.stderr


def test_symlink_to_file_replaces_the_file_not_the_link(tmp_path: Path, decl: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    proc = evaluate(decl, str(link))
    assert proc.returncode in (0, 1), proc.stderr
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["program"]["name"] == "Escuela Prueba"


@pytest.mark.parametrize("lang,words", [("es", "mismo archivo"), ("en", "same file")])
def test_output_naming_the_declaration_is_refused(decl: Path, lang: str, words: str) -> None:
    before = decl.read_bytes()
    proc = evaluate(decl, str(decl), "--lang", lang)
    assert proc.returncode == 2
    assert words in proc.stderr.decode()
    assert decl.read_bytes() == before


def test_output_naming_the_declaration_through_a_symlink_is_refused(tmp_path: Path, decl: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(decl)
    before = decl.read_bytes()
    proc = evaluate(decl, str(link))
    assert proc.returncode == 2, proc.stderr
    assert decl.read_bytes() == before


def test_output_naming_evidence_is_refused(tmp_path: Path) -> None:
    (tmp_path / "policy.pdf").write_bytes(b"%PDF-1.4 evidence")
    decl = tmp_path / "decl.yaml"
    decl.write_text(GOOD + "evidence:\n  - id: policy\n    path: policy.pdf\n    description: Política\n",
                    encoding="utf-8")
    proc = evaluate(decl, str(tmp_path / "policy.pdf"))
    assert proc.returncode == 2, proc.stderr
    assert (tmp_path / "policy.pdf").read_bytes() == b"%PDF-1.4 evidence"


def test_output_naming_thresholds_is_refused(tmp_path: Path, decl: Path) -> None:
    gate = tmp_path / "gate.yaml"
    gate.write_text("min_score: 10\n", encoding="utf-8")
    proc = evaluate(decl, str(gate), "--thresholds", str(gate))
    assert proc.returncode == 2
    assert gate.read_text(encoding="utf-8") == "min_score: 10\n"


def test_diff_output_naming_an_input_is_refused(tmp_path: Path, decl: Path) -> None:
    old = tmp_path / "old.json"
    assert evaluate(decl, str(old)).returncode in (0, 1)
    before = old.read_bytes()
    proc = run("diff", str(old), str(old), "--format", "json", "-o", str(old))
    assert proc.returncode == 2, proc.stderr
    assert old.read_bytes() == before


def test_full_disk_is_exit_2(decl: Path) -> None:
    proc = evaluate(decl, "/dev/full")
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.decode()
    assert "/dev/full" in err and "espacio" in err and "Traceback" not in err
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


@pytest.mark.parametrize("verb", ["evaluate", "scan", "checklist"])
def test_directory_target_is_exit_2_before_work(tmp_path: Path, decl: Path, verb: str) -> None:
    target = tmp_path / "out"
    target.mkdir()
    if verb == "evaluate":
        proc = evaluate(decl, str(target))
    elif verb == "scan":
        proc = run("scan", "127.0.0.1", "--ports", "1", "-o", str(target))
    else:
        proc = run("checklist", "--format", "md", "-o", str(target))
    assert proc.returncode == 2, proc.stderr
    assert "carpeta" in proc.stderr.decode()
    assert target.is_dir() and not any(target.iterdir())


def test_target_ending_in_a_slash_names_a_folder(tmp_path: Path, decl: Path) -> None:
    """`-o reportes/` asks for a folder even when it does not exist: exit 2, no file "reportes"."""
    target = str(tmp_path / "reportes") + "/"
    proc = evaluate(decl, target)
    assert proc.returncode == 2, proc.stderr
    assert "la salida es una carpeta" in proc.stderr.decode()
    saved = tmp_path / "r.json"
    assert evaluate(decl, str(saved)).returncode in (0, 1)
    proc = run("render", str(saved), "--format", "md", "-o", target)
    assert proc.returncode == 2, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["r.json", decl.name])


def test_write_failure_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.errors import InputError
    from checker.output import write_atomic

    def refuse(*_args: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as info:
        write_atomic(tmp_path / "report.json", b"{}", "en")
    assert "read-only" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_output_written_in_pieces_is_whole_or_absent(tmp_path: Path) -> None:
    """A large JSON result is written piece by piece as it is serialised; if producing a piece fails,
    nothing is left behind and an earlier file of that name is kept."""
    from checker.output import write_atomic

    def failing() -> Iterator[bytes]:
        yield b'{"a": 1'
        raise RuntimeError("serialiser broke")

    target = tmp_path / "r.json"
    with pytest.raises(RuntimeError):
        write_atomic(target, failing())
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"earlier")
    with pytest.raises(RuntimeError):
        write_atomic(target, failing())
    assert target.read_bytes() == b"earlier" and list(tmp_path.iterdir()) == [target]
    write_atomic(target, iter([b'{"a": ', b"1}\n"]))
    assert target.read_bytes() == b'{"a": 1}\n'


# -- a spool's bytes copied into the output by the kernel (checker.output.SpoolPart) ----------------------
def _spooled(target: Path) -> tuple[Spool, bytes]:
    spool = Spool(target)
    data = b"".join(b"%07d: resultado de un control\n" % i for i in range(200_000))   # 6.2 MB: past the memory
    for start in range(0, len(data), 1 << 20):
        spool.write(data[start:start + (1 << 20)])
    return spool, data


def _content(spool: Spool) -> list[bytes | SpoolPart]:
    return [b"{cabeza}", *spool.part(0, spool.size), b"{medio}", *spool.part(10, 100), *spool.part(0, SPOOL_MEMORY)]


@pytest.mark.parametrize("kernel", ["copy_file_range", "not supported", "absent"])
def test_a_spools_part_is_written_whole_whichever_way_it_is_copied(tmp_path: Path, kernel: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    spool, data = _spooled(target)
    with spool:
        content = _content(spool)
        assert any(isinstance(p, SpoolPart) for p in content)   # the kernel's way is taken when it can be
        expected = b"{cabeza}" + data + b"{medio}" + data[10:110] + data[:SPOOL_MEMORY]
        if kernel == "not supported":
            def refuse(*args: object) -> int:
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            monkeypatch.setattr(os, "copy_file_range", refuse)
        elif kernel == "absent":
            monkeypatch.delattr(os, "copy_file_range", raising=False)
        write_atomic(target, content)
        assert target.read_bytes() == expected
        assert b"".join(pieces(content)) == expected   # what standard output and devices are given


def test_a_failure_while_the_kernel_copies_leaves_the_old_report(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"{}\n")
    spool, _ = _spooled(target)

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "copy_file_range", full)
    with spool, pytest.raises(InputError) as failed:
        write_atomic(target, _content(spool), "en")
    assert "report.json" in str(failed.value) and "space" in str(failed.value).lower()
    assert target.read_bytes() == b"{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
