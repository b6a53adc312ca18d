"""NET-05 in catalog 2026.2: certificates are checked on every system reachable from the internet, and
one with fewer than 30 days left on the day the scan saw it is `partial` (real nmap XML, real engine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.api import evaluate_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _school_with_certificate_until(tmp_path: Path, not_after: str) -> Path:
    shutil.copy(EXAMPLES / "well-run-school.yaml", tmp_path / "school.yaml")
    shutil.copytree(EXAMPLES / "evidence", tmp_path / "evidence")
    shutil.copytree(EXAMPLES / "scans", tmp_path / "scans")
    xml = tmp_path / "scans" / "externo.xml"
    text = xml.read_text(encoding="utf-8")
    assert text.count("2027-06-01T23:59:59") == 2  # the ssl-cert output line and its notAfter element
    xml.write_text(text.replace("2027-06-01T23:59:59", not_after), encoding="utf-8")
    return tmp_path / "school.yaml"


@pytest.mark.parametrize(("not_after", "status"), [
    ("2027-06-01T23:59:59", "pass"),      # months left when scanned on 2026-11-12
    ("2026-11-30T23:59:59", "partial"),   # 18 days left: within the 30-day policy margin
    ("2026-11-01T23:59:59", "fail"),      # already expired when scanned
])
def test_certificate_margin(tmp_path: Path, not_after: str, status: str) -> None:
    doc = evaluate_file(_school_with_certificate_until(tmp_path, not_after)).to_dict()
    net05 = next(r for r in doc["results"] if r["control_id"] == "NET-05")
    assert net05["status"] == status
    # Only the system reachable from the internet is looked at; the attendance server is on 10.10.0.20.
    assert [f["subject"]["id"] for f in net05["findings"]] == ["sis"]
    if status == "partial":
        assert "más de 30 días de vigencia" in net05["findings"][0]["reason"]
