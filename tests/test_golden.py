"""Golden tables: the expected status of every declared-value control for each example.

`tests/golden/<example>.csv` holds one row per control (`control_id,status,justification`), each with a
one-line justification a reviewer can check against the law and the example's declaration. The rows
were written by hand, independently of the rules, so a rule changed by mistake shows up here even when
its own cases in `controls/cases.yaml` were changed with it. The scan-based controls are in the tables
too: the well-run school cites an external and an internal scan; the other examples cite none.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from checker.api import evaluate_file

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = ("well-run-school", "vendor-review", "ai-center", "minimal")
STATUSES = {"pass", "fail", "partial", "unknown", "not_applicable", "waived"}


def _golden(name: str) -> dict[str, tuple[str, str]]:
    with (GOLDEN / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    table = {r["control_id"]: (r["status"], r["justification"]) for r in rows}
    assert len(table) == len(rows), f"{name}: a control appears twice in the golden table"
    return table


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_matches_its_golden_table(name: str) -> None:
    golden = _golden(name)
    doc = evaluate_file(ROOT / "examples" / f"{name}.yaml").to_dict()
    actual = {r["control_id"]: r["status"] for r in doc["results"]}
    assert set(actual) == set(golden), (
        f"{name}: controls evaluated but not in the table: {sorted(set(actual) - set(golden))}; "
        f"in the table but not evaluated: {sorted(set(golden) - set(actual))}")
    wrong = [f"{cid}: expected {golden[cid][0]}, got {status} ({golden[cid][1]})"
             for cid, status in actual.items() if golden[cid][0] != status]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_rows_are_reviewable(name: str) -> None:
    for cid, (status, justification) in _golden(name).items():
        assert status in STATUSES, f"{name} {cid}: unknown status {status!r}"
        assert len(justification) >= 15, f"{name} {cid}: the justification must say why"
        assert "\n" not in justification


def test_the_careful_school_has_no_failure_and_the_empty_declaration_no_pass() -> None:
    careful = _golden("well-run-school")
    assert not [c for c, (s, _) in careful.items() if s in ("fail", "partial", "unknown")]
    assert sum(1 for s, _ in careful.values() if s == "pass") >= 0.9 * len(careful)
    empty = _golden("minimal")
    assert {s for s, _ in empty.values()} <= {"unknown", "fail", "not_applicable"}
