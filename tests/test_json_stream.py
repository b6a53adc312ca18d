"""`--format json` written as it is evaluated (issue 15.3, checker/render/json_stream.py): the same bytes
as the whole document, nothing left behind when a write fails midway, and a peak memory that no
longer grows with the whole result."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import ROOT, load_script

from checker.api import evaluate_file

EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))
AS_OF = "2026-11-20"
write_declaration = load_script("bench_json").write_declaration


def cli(*args: str, tmpdir: Path | None = None, file_limit: int | None = None) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)

    def limit_files() -> None:
        # Writes past `file_limit` bytes fail with EFBIG (Python ignores SIGXFSZ): a disk that fills
        # up midway, even for root, who writes to read-only folders.
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.Popen([sys.executable, "-m", "checker", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, preexec_fn=limit_files)


def evaluate(decl: Path, target: str, *extra: str, **kw: object) -> tuple[int, bytes, bytes]:
    proc = cli("evaluate", str(decl), "--format", "json", "--as-of", AS_OF, "-o", target, *extra, **kw)  # type: ignore[arg-type]
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT / "examples").as_posix())
def test_streamed_json_is_the_whole_documents_bytes(tmp_path: Path, path: Path, lang: str) -> None:
    out = tmp_path / "r.json"
    code, _, err = evaluate(path, str(out), "--lang", lang)
    assert code in (0, 1), err
    assert out.read_bytes() == evaluate_file(path, as_of=AS_OF, lang=lang).to_json()


def test_only_declarations_without_auditor_fields_are_evaluated_in_steps() -> None:
    """The auditor's pass (attestations, actions, the audit section) reads the whole document."""
    from checker.api import in_steps
    from checker.validate import load_declaration

    def steps(name: str) -> bool:
        path = ROOT / "examples" / name
        return in_steps(load_declaration(path, str(path)))

    assert steps("minimal.yaml") and steps("private-school.yaml")
    assert not steps("audit/colegio.yaml")


def test_streamed_json_to_stdout_is_the_same(tmp_path: Path) -> None:
    path = ROOT / "examples" / "private-school.yaml"
    code, out, err = evaluate(path, "-")
    assert code in (0, 1), err
    assert out == evaluate_file(path, as_of=AS_OF).to_json()


@pytest.mark.slow
def test_many_systems_stream_the_same_bytes_and_exit_code(tmp_path: Path) -> None:
    decl = write_declaration(tmp_path / "many.yaml", 300)
    out = tmp_path / "many.json"
    code, _, err = evaluate(decl, str(out))
    whole = evaluate_file(decl, as_of=AS_OF)
    from checker.evaluate import exit_code

    assert code == exit_code(whole, "high"), err
    data = whole.to_json()
    assert len(data) > 8 * 1024 * 1024   # the results went past the spool's memory, to its file
    assert out.read_bytes() == data


def test_full_device_is_exit_2_and_leaves_no_spool(tmp_path: Path) -> None:
    spools = tmp_path / "tmp"
    spools.mkdir()
    code, _, err = evaluate(ROOT / "examples" / "private-school.yaml", "/dev/full", tmpdir=spools)
    assert code == 2, err
    assert b"/dev/full" in err and b"Traceback" not in err
    assert list(spools.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize(("systems", "limit_mib"), [(300, 2), (300, 12), (3000, 100)])
def test_disk_full_midway_leaves_nothing_and_keeps_the_old_report(tmp_path: Path, systems: int,
                                                                   limit_mib: int) -> None:
    """2 MiB: the spool fails while the results are being evaluated; 12 MiB: the spool holds them
    and the final file fails while it is being written; 100 MiB of 3,000 systems' 175 MB: the laid-out
    output fails while two processes write it (checker/output.py `_write_laid`)."""
    decl = write_declaration(tmp_path / "many.yaml", systems)
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "report.json"
    old.write_bytes(b"{}\n")
    code, _, err = evaluate(decl, str(old), file_limit=limit_mib * 1024 * 1024, tmpdir=folder)
    assert code == 2, err
    assert str(old).encode() in err and b"Traceback" not in err
    assert b"ulimit -f" in err   # why, in the user's words
    assert sorted(p.name for p in folder.iterdir()) == ["report.json"]
    assert old.read_bytes() == b"{}\n"


# The CLI, then its own peak resident memory (VmHWM, of this process image only): a child's ru_maxrss
# carries its parent's resident size across fork and exec, and pytest's is hundreds of MiB into a suite.
_PEAK = """import sys
from checker.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as status:
    print(next(line for line in status if line.startswith("VmHWM:")).strip(), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.slow
def test_peak_memory_of_3000_systems_is_far_below_the_whole_document(tmp_path: Path) -> None:
    decl = write_declaration(tmp_path / "big.yaml", 3000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _PEAK, "evaluate", str(decl), "--format", "json", "--as-of", AS_OF,
                           "-o", str(tmp_path / "big.json")], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    mib = int(proc.stderr.rsplit("VmHWM:", 1)[1].split()[0]) / 1024
    # Measured: about 100 MiB written as evaluated; 325 MiB with the whole document in memory (the
    # interpreter, the catalog and the declaration alone take some 60).
    assert mib < 200, f"peak {mib:.0f} MiB"


def test_odd_values_are_written_as_pydantic_writes_them() -> None:
    """Values orjson would write its own way (dates, sets, NaN, keys that are not text, subclasses of
    dict) come out as in the whole document's plain data, which is pydantic's JSON."""
    from collections import OrderedDict
    from datetime import date as day

    from checker.result import dumps_bytes, result_json

    doc = evaluate_file(ROOT / "examples" / "minimal.yaml", as_of=AS_OF)
    result = next(r for r in doc.results if r.findings)
    odd: list[object] = [day(2026, 1, 2), {3, 1}, float("nan"), float("inf"), (1, "a"), OrderedDict(b=1, a=2),
                         {"x": day(2026, 3, 4)}, {1: "one"}]
    for value in odd:
        finding = result.findings[0].model_copy(update={"declared": value})
        one = result.model_copy(update={"findings": [finding]})
        expected = dumps_bytes([one.model_dump(mode="json")]).rstrip(b"\n")
        got = b"[" + result_json(one, True) + b"\n]"
        assert got.replace(b"\n    ", b"\n  ") == expected, value


@pytest.mark.parametrize("example", ["ai-center.yaml", "SCANNED"])
def test_findings_and_observations_written_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch, example: str) -> None:
    """A result with more findings than a batch (16,000 for a large scan) and more observations than a
    batch are written in pieces: the same bytes as the whole document's plain data, with batches
    small enough here that every list of the examples is cut, one of a kind odd values included."""
    import checker.result as result_module
    from checker.result import dumps_bytes

    path = ROOT / "examples" / example
    if example == "SCANNED":   # the example that cites scans
        path = next(p for p in EXAMPLES if "\nscans:" in p.read_text(encoding="utf-8"))
    doc = evaluate_file(path, as_of=AS_OF)
    odd = next(r for r in doc.results if len(r.findings) > 1)
    odd.findings[1] = odd.findings[1].model_copy(update={"declared": {1: "a key that is not text"}})
    whole = dumps_bytes(doc.to_dict())
    monkeypatch.setattr(result_module, "BATCH", 1)
    assert max(len(r.findings) for r in doc.results) > 2
    assert example == "ai-center.yaml" or len(doc.observations) > 1
    pieces = list(doc.json_pieces())
    assert b"".join(pieces) == whole
    assert len(pieces) > len(doc.results) + 20
