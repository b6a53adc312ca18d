"""Mutation tests: one field changed in the well-run school moves exactly the controls it should.

Each row changes one declared value and lists every control (the whole catalog, scan-based ones
included) whose status must change, with its new status. A rule that reads a field it should not, or
ignores one it should read, moves a control that is not listed or leaves a listed one where it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_catalog_controls import base_declaration, mutate, write_declaration

from checker.api import evaluate_file

NOTICE_WITHOUT_SENSITIVE = ["controller_identity", "data_categories", "purposes", "purposes_needing_consent",
                            "secondary_purposes_opt_out", "transfers", "arco_mechanism", "consent_revocation",
                            "limit_use_options", "changes_mechanism", "cookies_tracking"]

MUTATIONS: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("encryption at rest off on the school system",
     {"systems[sis].encryption.at_rest.enabled": False}, {"ENC-01": "fail"}),
    ("health data under tacit consent",
     {"data_inventory[salud].consent.type": "tacit"}, {"CNS-02": "fail"}),
    ("staff MFA only optional",
     {"systems[sis].authentication[staff+admins].mfa": "optional"}, {"AUT-01": "fail"}),
    ("the notice no longer flags sensitive data",
     {"privacy_notice.elements": NOTICE_WITHOUT_SENSITIVE}, {"PRV-04": "fail"}),
    ("training declared not in place",
     {"governance.training": False}, {"GOV-09": "fail"}),
    ("breach notice committed within five days",
     {"incident_response.breach_notification.within": "P5D"}, {"INC-07": "fail"}),
    ("ARCO answer in 25 business days",
     {"arco.committed_response_days": 25}, {"ARC-02": "fail"}),
    # A foreign processor without processor clauses breaks both the processor contract and the
    # international remisión safeguard (LGPDPPSO arts. 53 and 62).
    ("foreign backup provider without processor clauses",
     {"processors[respaldo-externo].dpa_clauses": False}, {"PRC-02": "fail", "TRF-04": "fail"}),
    ("fingerprints stored as images",
     {"data_inventory[huella-personal].biometric.stored_as": "image"}, {"BIO-02": "fail"}),
    ("TLS 1.0 accepted",
     {"systems[sis].encryption.in_transit.tls_min_version": "1.0"}, {"ENC-04": "fail"}),
    ("no paper records any more",
     {"governance.physical.paper_records": False}, {"PHY-01": "not_applicable", "PHY-02": "not_applicable"}),
    # Grades of minors used for model training: the general finalidad rule and the minors' rule.
    ("grades used to train models",
     {"data_inventory[academico].model_training": True}, {"CNS-07": "fail", "MIN-06": "fail"}),
    ("insurer transfer without the consent it relies on",
     {"transfers[aseguradora-escolar].consent_obtained": False}, {"TRF-01": "fail"}),
    # The CURP category is about students (minors): publishing it breaks minimisation and minors' privacy.
    ("CURP published",
     {"data_inventory[curp].publicly_exposed": True}, {"DMN-04": "fail", "MIN-04": "fail"}),
    ("risk analysis overdue",
     {"governance.risk_assessment.last_done": "2025-10-01"}, {"GOV-05": "fail"}),
    ("health data kept three years",
     {"data_inventory[salud].retention.period": "P3Y"}, {"RET-06": "fail"}),
    ("logging declared not in place on the school system",
     {"systems[sis].logging": False},
     {f"LOG-0{i}": "fail" for i in range(1, 8)}),
    # Changes that must move nothing.
    ("admission lists published, but by folio only",
     {"student_exposure.public_admission_lists": True}, {}),
    ("students declared adults (applicants still minors)",
     {"program.data_subjects[student].includes_minors": False}, {}),
]


def _statuses(path: Path) -> dict[str, str]:
    return {r["control_id"]: r["status"] for r in evaluate_file(path).to_dict()["results"]}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("baseline")
    return _statuses(write_declaration(folder, base_declaration("well-run-school"), fast=True))


@pytest.mark.parametrize(("label", "change", "expected"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_one_field_moves_exactly_the_expected_controls(tmp_path: Path, baseline: dict[str, str], label: str,
                                                        change: dict[str, Any], expected: dict[str, str]) -> None:
    assert len(change) == 1, "a mutation changes one field"
    mutated = mutate(base_declaration("well-run-school"), {"set": change})
    after = _statuses(write_declaration(tmp_path, mutated, fast=True))
    assert set(after) == set(baseline), "the same controls must be evaluated"
    moved = {cid: status for cid, status in after.items() if status != baseline[cid]}
    assert moved == expected, f"{label}: moved {moved}, expected {expected}"


def test_baseline_has_no_declared_failure(baseline: dict[str, str]) -> None:
    assert not [cid for cid, s in baseline.items() if s in ("fail", "partial")]
