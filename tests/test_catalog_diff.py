"""`resguarda catalog diff OLD_DIR NEW_DIR` between the 2026.1 catalog (kept in tests/data) and the
shipped 2026.2, through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "tests" / "data" / "catalog-2026.1"
NEW = ROOT / "controls"
CHANGELOG = NEW / "CHANGELOG.md"


def _json(tmp_path: Path) -> dict:
    out = tmp_path / "diff.json"
    assert main(["catalog", "diff", str(OLD), str(NEW), "--format", "json", "-o", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_diff_names_added_and_corrected_controls(tmp_path: Path) -> None:
    doc = _json(tmp_path)
    assert doc["old_version"] == "2026.1" and doc["new_version"] == "2026.2"
    added = {c["id"] for c in doc["added"]}
    assert {"TRF-06", "GOV-12", "PRC-11", "RET-09", "ARC-08"} <= added
    changed = {c["id"]: c for c in doc["changed"]}
    assert "LGDNNA art. 77 [V, all]" in changed["MIN-04"]["refs_removed"]
    assert "rule" in changed["GOV-07"]["aspects"] and "rule" in changed["TRF-01"]["aspects"]
    assert not doc["removed"]


def test_the_text_diff_is_spanish_by_default_and_english_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "diff", str(OLD), str(NEW)]) == 0
    es = capsys.readouterr().out
    assert "Cambios del catálogo 2026.1 → 2026.2" in es and "Controles nuevos" in es
    assert main(["catalog", "diff", str(OLD), str(NEW), "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "Catalog changes 2026.1 → 2026.2" in en and "Controls added" in en and "Controles" not in en


def test_a_missing_folder_is_exit_2_with_one_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "diff", str(tmp_path / "nope"), str(NEW)]) == 2
    err = capsys.readouterr().err
    assert "catalog.yaml" in err and "Traceback" not in err
    assert main(["catalog", "diff", str(OLD)]) == 2


def test_the_changelog_accounts_for_every_control_the_diff_reports(tmp_path: Path) -> None:
    doc = _json(tmp_path)
    text = CHANGELOG.read_text(encoding="utf-8")
    section = text.split("## 2026.2", 1)[1].split("\n## ", 1)[0]
    mentioned = set(re.findall(r"\b[A-Z]{2,5}-\d{2,3}\b", section))
    for entry in doc["added"] + doc["changed"] + doc["removed"]:
        assert entry["id"] in mentioned, f"{entry['id']} changed in 2026.2 but the changelog does not say why"
