"""The JSON writer's fast paths give exactly pydantic's document, and the result grows in proportion
to the subjects (a declaration with twice the systems gives twice the findings and about twice the
bytes; no per-pair or per-control growth)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from checker.api import evaluate_file
from checker.result import ResultDocument, dumps_bytes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_json import write_declaration  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(ROOT / "examples").as_posix())
def test_fast_json_is_pydantics_json(path: Path) -> None:
    doc = evaluate_file(path, as_of="2026-11-20")
    data = doc.to_json()
    assert data == dumps_bytes(doc.model_dump(mode="json"))
    assert doc.to_dict() == doc.model_dump(mode="json")
    # and a saved result, validated back into the model, writes the same bytes
    assert ResultDocument.from_json(data).to_json() == data


def test_awkward_values_are_written_as_pydantic_writes_them() -> None:
    doc = evaluate_file(ROOT / "examples" / "ai-center.yaml", as_of="2026-11-20")
    finding = doc.results[0].findings[0]
    finding.declared = {"when": date(2026, 1, 2), "pair": (1, 2), "inf": float("inf"), 3: "x"}
    finding.required = [float("nan"), {"a": (True,)}]
    assert doc.to_json() == dumps_bytes(doc.model_dump(mode="json"))


def test_result_grows_linearly_with_systems(tmp_path: Path) -> None:
    findings, sizes = [], []
    for n in (150, 300, 450):
        path = write_declaration(tmp_path / f"systems-{n}.yaml", n)
        doc = evaluate_file(path, as_of="2026-11-20")
        findings.append(sum(len(r.findings) for r in doc.results))
        sizes.append(len(doc.to_json()))
    # each 150 more systems add the same findings and (ids are of fixed width) the same bytes
    assert findings[2] - findings[1] == findings[1] - findings[0] > 150 * 10
    assert abs((sizes[2] - sizes[1]) - (sizes[1] - sizes[0])) < 0.001 * sizes[2]
