"""One read, one hash (issue 17.5) and inputs that are not files (issue 15.1): a piped declaration
records its real SHA-256; FIFOs, devices and folders are refused before they are opened (no hang);
evidence is hashed once per file within a documented, configurable size limit."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import GOOD, MINI, ROOT


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None,
        env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, env=env, timeout=60,
                          input=stdin if stdin is not None else b"", cwd=cwd)


@pytest.mark.parametrize("name", ["/dev/stdin", "-"])
def test_piped_declaration_records_its_real_sha256(name: str) -> None:
    data = GOOD.encode()
    proc = run("evaluate", name, "--catalog", str(MINI), "--format", "json", stdin=data)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["declaration"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["declaration"]["sha256"] != hashlib.sha256(b"").hexdigest()


def test_file_declaration_hash_matches_its_bytes(tmp_path: Path) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD, encoding="utf-8")
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "--format", "json")
    assert json.loads(proc.stdout)["declaration"]["sha256"] == hashlib.sha256(decl.read_bytes()).hexdigest()


def _odd_inputs(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    return {"fifo": fifo, "zero": zero, "folder": folder}


@pytest.mark.parametrize("kind,words", [("fifo", "FIFO"), ("zero", "dispositivo"), ("folder", "carpeta")])
def test_declaration_that_is_not_a_file_is_refused_without_hanging(tmp_path: Path, kind: str, words: str) -> None:
    target = _odd_inputs(tmp_path)[kind]
    proc = run("evaluate", str(target), "--catalog", str(MINI), "--format", "json")
    assert proc.returncode == 2
    assert words in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_diff_and_thresholds_inputs_that_are_not_files(tmp_path: Path, kind: str) -> None:
    target = _odd_inputs(tmp_path)[kind]
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD, encoding="utf-8")
    good = tmp_path / "r.json"
    assert run("evaluate", str(decl), "--catalog", str(MINI), "-o", str(good), "--format", "json").returncode in (0, 1)
    assert run("diff", str(good), str(target)).returncode == 2
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "--format", "json", "--thresholds", str(target))
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr


def test_catalog_index_that_is_a_fifo(tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    folder.mkdir()
    os.mkfifo(folder / "catalog.yaml")
    proc = run("catalog", "list", "--catalog", str(folder))
    assert proc.returncode == 2 and b"FIFO" in proc.stderr


def test_evidence_is_hashed_once_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.validate as validate

    (tmp_path / "policy.pdf").write_bytes(b"%PDF evidence " * 1000)
    entries = "".join(f"  - id: ev-{i}\n    path: policy.pdf\n    description: Copia {i}\n" for i in range(300))
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD + "evidence:\n" + entries, encoding="utf-8")
    calls: list[Path] = []
    real = validate.hash_file

    def counting(path: Path, *args: object) -> str:
        calls.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate, "hash_file", counting)
    loaded = validate.load_declaration(decl)
    assert len(calls) == 1
    expected = hashlib.sha256((tmp_path / "policy.pdf").read_bytes()).hexdigest()
    assert set(loaded.evidence_sha256.values()) == {expected}


def test_evidence_size_limit_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * (2 << 20))
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD + "evidence:\n  - id: big\n    path: big.bin\n    description: Respaldo\n", encoding="utf-8")
    out = tmp_path / "r.json"
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "-o", str(out), "--format", "json",
               env_extra={"RESGUARDA_MAX_EVIDENCE_MB": "1"})
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert re.search(r"d\.yaml:1[34]:", err) and "RESGUARDA_MAX_EVIDENCE_MB" in err and not out.exists()
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "-o", str(out), "--format", "json",
               env_extra={"RESGUARDA_MAX_EVIDENCE_MB": "3"})
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize("path", ["a\\x00b.pdf", "x" * 300 + ".pdf"])
def test_evidence_path_with_nul_or_long_name(tmp_path: Path, path: str) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD + f'evidence:\n  - id: ev\n    path: "{path}"\n    description: X\n', encoding="utf-8")
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "--format", "json")
    assert proc.returncode == 2, proc.stderr
    assert re.search(rb"d\.yaml:1[34]:", proc.stderr) and b"Traceback" not in proc.stderr


def test_scan_path_with_nul(tmp_path: Path) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD + 'scans:\n  - id: s\n    file: "a\\x00.xml"\n    vantage: external\n', encoding="utf-8")
    proc = run("evaluate", str(decl), "--catalog", str(MINI), "--format", "json")
    assert proc.returncode == 2, proc.stderr
