"""The DuckDB examples of docs/cartera.md and docs/cartera.en.md run, as written, on a generated
portfolio and answer something."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from checker.cli import main

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_portfolio import generate  # noqa: E402


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("queries")
    generate(60, folder / "src", seed=11, mistakes=0.0)
    for name in ("cartera", "portfolio"):
        code = main(["portfolio", str(folder / "src" / "manifest.csv"), "-o", str(folder / name),
                     "--as-of", "2026-11-20", "--jobs", "1", "--reports", "0"])
        assert code == 0
    return folder


def queries(doc: str) -> list[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, re.DOTALL)


@pytest.mark.parametrize("doc", ["cartera.md", "cartera.en.md"])
def test_documented_queries_run(outputs: Path, doc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = queries(doc)
    assert len(found) == 4
    monkeypatch.chdir(outputs)
    for sql in found:
        rows = duckdb.sql(sql).fetchall()
        assert rows, sql
    # The worst-controls query gives at most three controls per state.
    per_state: dict[str, int] = {}
    for state, _control, _n in duckdb.sql(found[0]).fetchall():
        per_state[state] = per_state.get(state, 0) + 1
    assert per_state and max(per_state.values()) <= 3
