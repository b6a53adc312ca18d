"""A catalog cache that cannot change a result (issue 17.4): verified on every read, per user,
private, bounded; a poisoned, deep, oversized or odd cache gives the same result as no cache."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-center.yaml"


def evaluate(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_CACHE_DIR=str(tmp_path / "cache"),
               RESGUARDA_STATE_DIR=str(tmp_path / "state"))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", "evaluate", str(EXAMPLE), "--format", "json",
                           "--as-of", "2026-11-20"], capture_output=True, text=True, env=env, timeout=180)


def outcome(proc: subprocess.CompletedProcess[str]) -> tuple[int, object, list[tuple[str, str]]]:
    doc = json.loads(proc.stdout)
    return proc.returncode, doc["summary"]["score"], [(r["control_id"], r["status"]) for r in doc["results"]]


def cache_file(tmp_path: Path) -> Path:
    files = list((tmp_path / "cache" / "resguarda").glob("catalog-*.json"))
    assert len(files) == 1
    return files[0]


@pytest.fixture()
def baseline(tmp_path: Path) -> tuple[int, object, list[tuple[str, str]]]:
    first = evaluate(tmp_path)  # no cache yet: built from the YAML, then written
    assert first.returncode == 1, first.stderr
    second = evaluate(tmp_path)  # from the cache
    assert outcome(second) == outcome(first)
    return outcome(first)


def test_cache_is_private(tmp_path: Path, baseline: object) -> None:
    path = cache_file(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "state" / "resguarda" / "cache.key").st_mode) == 0o600


def _poison(path: Path) -> None:
    head, _, payload = path.read_bytes().partition(b"\n")
    data = json.loads(payload)
    for controls in data["files"]:
        for control in controls:
            control["rule"] = {"path": "/program.name", "exists": True}  # every control passes
            control.pop("applies_when", None)
    new_payload = json.dumps(data).encode()
    header = json.loads(head)
    header["payload_sha256"] = hashlib.sha256(new_payload).hexdigest()  # the attacker fixes the digest
    path.write_bytes(json.dumps(header).encode() + b"\n" + new_payload)


def test_poisoned_cache_gives_the_same_result_as_none(tmp_path: Path, baseline: object) -> None:
    _poison(cache_file(tmp_path))
    proc = evaluate(tmp_path)
    assert outcome(proc) == baseline
    assert "caché" in proc.stderr and "descart" in proc.stderr
    # Rebuilt: the next run is clean and silent.
    again = evaluate(tmp_path)
    assert outcome(again) == baseline and "caché" not in again.stderr


def test_poisoned_cache_with_its_key_stolen_elsewhere_still_fails(tmp_path: Path, baseline: object) -> None:
    # A cache restored from another machine or CI run: its key is not this user's key.
    (tmp_path / "state" / "resguarda" / "cache.key").write_bytes(os.urandom(32))
    proc = evaluate(tmp_path)
    assert outcome(proc) == baseline


@pytest.mark.parametrize("content", [b'{"format": 2}\n' + b"[" * 200_000 + b"]" * 200_000,
                                     b"\x00\xff garbage", b""])
def test_damaged_cache_is_rebuilt(tmp_path: Path, baseline: object, content: bytes) -> None:
    cache_file(tmp_path).write_bytes(content)
    proc = evaluate(tmp_path)
    assert outcome(proc) == baseline and "Traceback" not in proc.stderr


def test_fifo_as_cache_file_does_not_hang(tmp_path: Path, baseline: object) -> None:
    path = cache_file(tmp_path)
    path.unlink()
    os.mkfifo(path)
    proc = evaluate(tmp_path)
    assert outcome(proc) == baseline


def test_shared_writable_cache_folder_is_not_used(tmp_path: Path, baseline: object) -> None:
    folder = tmp_path / "cache" / "resguarda"
    _poison(cache_file(tmp_path))
    os.chmod(folder, 0o777)
    proc = evaluate(tmp_path)
    assert outcome(proc) == baseline
    assert "otro usuario" in proc.stderr or "otros pueden escribir" in proc.stderr
