"""Part files of a portfolio run: the process that evaluated a partition writes it when it sees the
run's parts folder, the client otherwise; declarations can travel as bytes (`--send bytes`); the
joined files are the same whichever way they were made."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from checker.cli import main
from checker.portfolio.engines import partitions
from checker.portfolio.sources import discover
from checker.portfolio.tables import join_parts, part_paths, write_part
from checker.portfolio.worker import Settings, evaluate_partition

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_portfolio import generate  # noqa: E402

AS_OF = "2026-11-20"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio")
    generate(40, folder, seed=11, mistakes=0.1)
    return folder


def _settings() -> Settings:
    return Settings(as_of=date.fromisoformat(AS_OF), parquet_groups=("state",))


def test_a_process_that_sees_the_parts_folder_writes_its_part(portfolio: Path, tmp_path: Path) -> None:
    sources, _ = discover(portfolio / "manifest.csv", "es")
    number, part = partitions(sources, 10)[1]
    probe = tmp_path / ".probe"
    probe.touch()
    programs = evaluate_partition(number, part, _settings(), str(tmp_path), str(probe))
    results, findings = part_paths(tmp_path, number)
    assert results.is_file() and findings.is_file()
    assert all(p.written and not p.findings for p in programs)
    ok = [p for p in programs if p.error is None]
    table = pq.read_table(results)
    assert table.num_rows == sum(len(p.results) for p in ok) > 0
    assert set(table.column("path").to_pylist()) == {p.path for p in ok}
    assert pq.read_table(findings).num_rows > 0


def test_without_the_probe_the_rows_come_back_to_the_client(portfolio: Path, tmp_path: Path) -> None:
    sources, _ = discover(portfolio / "manifest.csv", "es")
    number, part = partitions(sources, 10)[0]
    programs = evaluate_partition(number, part, _settings(), str(tmp_path), str(tmp_path / ".absent"))
    assert not list(tmp_path.iterdir())
    assert not any(p.written for p in programs)
    assert any(p.findings for p in programs if p.error is None)


def test_joined_parts_equal_one_write(portfolio: Path, tmp_path: Path) -> None:
    sources, _ = discover(portfolio / "manifest.csv", "es")
    programs = [p for _, part in partitions(sources, 7) for p in evaluate_partition(0, part, _settings())]
    whole, pieces, out = tmp_path / "whole", tmp_path / "pieces", tmp_path / "out"
    for folder in (whole, pieces, out):
        folder.mkdir()
    write_part(whole, 0, programs, ["state"])
    for n, i in enumerate(range(0, len(programs), 7)):
        write_part(pieces, n, programs[i:i + 7], ["state"])
    join_parts(pieces, out, -(-len(programs) // 7), 7, ["state"])
    for k, name in enumerate(("results", "findings")):
        assert pq.read_table(out / f"{name}.parquet").equals(pq.read_table(part_paths(whole, 0)[k])), name


def test_dask_with_declarations_sent_as_bytes_gives_the_local_files(portfolio: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    base = ["portfolio", str(portfolio / "manifest.csv"), "--as-of", AS_OF, "--group-by", "state",
            "--jobs", "2", "--reports", "0"]
    assert main([*base, "-o", str(tmp_path / "local")]) == 1
    assert main([*base, "-o", str(tmp_path / "dask"), "--engine", "dask", "--send", "bytes"]) == 1
    for name in ("results.parquet", "findings.parquet"):
        assert pq.read_table(tmp_path / "dask" / name).equals(pq.read_table(tmp_path / "local" / name)), name
    a = json.loads((tmp_path / "dask" / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "local" / "summary.json").read_text(encoding="utf-8"))
    for key in ("counts", "groups", "controls", "programs", "errors"):
        assert a[key] == b[key], key
    # nothing of the run's own machinery is left in OUTDIR
    assert not [p for p in (tmp_path / "dask").iterdir() if p.name.startswith(".") or p.name == "parts"]


def test_when_no_worker_sees_the_parts_folder_the_client_writes_the_same_files(
        portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = ["portfolio", str(portfolio / "manifest.csv"), "--as-of", AS_OF, "--group-by", "state",
            "--jobs", "1", "--reports", "0"]
    assert main([*base, "-o", str(tmp_path / "workers")]) == 1
    import checker.portfolio.worker as worker

    seen: list[str] = []

    def blind(path: str) -> bool:   # as on a cluster node without the shared folder
        seen.append(path)
        return False

    monkeypatch.setattr(worker, "sees", blind)
    assert main([*base, "-o", str(tmp_path / "client")]) == 1
    assert seen and all(".probe-" in p for p in seen)
    for name in ("results.parquet", "findings.parquet"):
        assert pq.read_table(tmp_path / "client" / name).equals(pq.read_table(tmp_path / "workers" / name)), name
