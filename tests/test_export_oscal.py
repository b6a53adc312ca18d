"""OSCAL assessment results: validated by a real OSCAL client (compliance-trestle's OSCAL models and its
`trestle validate` command), with the embedded assessment plan, and the same story as the JSON result."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import WAIVER_REASON, document, document_ids, sample_document
from trestle.oscal.assessment_plan import Model as PlanModel
from trestle.oscal.assessment_results import Model as ResultsModel

from checker.render import RenderOptions
from checker.render.oscal import render

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def oscal(doc: dict[str, Any], lang: str = "es") -> dict[str, Any]:
    raw = render(doc, RenderOptions(lang=lang))
    ResultsModel.model_validate_json(raw)   # raises on any schema violation
    out: dict[str, Any] = json.loads(raw)
    return out


def embedded_plan(ar: dict[str, Any]) -> dict[str, Any]:
    href = ar["import-ap"]["href"]
    assert href.startswith("#")
    [resource] = [r for r in ar["back-matter"]["resources"] if r["uuid"] == href[1:]]
    assert resource["base64"]["media-type"] == "application/oscal.ap+json"
    raw = base64.b64decode(resource["base64"]["value"])
    PlanModel.model_validate_json(raw)
    plan: dict[str, Any] = json.loads(raw)
    return plan


def all_uuids(node: Any) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uuid":
                found.append(value)
            found += all_uuids(value)
    elif isinstance(node, list):
        for item in node:
            found += all_uuids(item)
    return found


def references(node: Any) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("observation-uuid", "risk-uuid", "subject-uuid") or (
                    key.endswith("-uuids") and isinstance(value, list)):
                found += value if isinstance(value, list) else [value]
            elif key == "href" and isinstance(value, str) and value.startswith("#"):
                found.append(value[1:])
            else:
                found += references(value)
    elif isinstance(node, list):
        for item in node:
            found += references(item)
    return found


@pytest.mark.parametrize("name", document_ids())
def test_valid_results_and_plan_with_every_reference_resolved(name: str) -> None:
    data = oscal(document(name))
    ar = data["assessment-results"]
    plan = embedded_plan(ar)["assessment-plan"]
    for model in (ar, plan):
        ids = all_uuids(model)
        assert len(ids) == len(set(ids)), "duplicate uuids"
        assert all(UUID.match(i) for i in ids)
        missing = set(references(model)) - set(ids)
        assert not missing, f"dangling references: {missing}"
    # The plan's objectives are the targets of the findings.
    objectives = {p["id"] for o in plan["local-definitions"]["objectives-and-methods"] for p in o["parts"]}
    targets = {f["target"]["target-id"] for f in ar["results"][0]["findings"]}
    assert targets == objectives


@pytest.mark.parametrize("name", document_ids())
def test_findings_observations_and_risks_round_trip_the_result(name: str) -> None:
    doc = document(name)
    result = oscal(doc)["assessment-results"]["results"][0]

    # A finding per control objective, every control reviewed.
    assert [f["target"]["target-id"] for f in result["findings"]] == [f"{r['control_id']}_obj" for r in doc["results"]]
    reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in reviewed] == [r["control_id"] for r in doc["results"]]

    for finding, res in zip(result["findings"], doc["results"], strict=True):
        status = finding["target"]["status"]
        real = res.get("underlying_status", "fail") if res["status"] == "waived" else res["status"]
        assert status["state"] == ("satisfied" if real in ("pass", "not_applicable") else "not-satisfied")
        if real == "not_applicable":
            assert finding["target"]["implementation-status"]["state"] == "not-applicable"
        if real == "partial":
            assert finding["target"]["implementation-status"]["state"] == "partial"
        assert len(finding.get("related-observations", [])) == len(res["findings"])

    # One observation per finding, plus one per observed host and port (TEST).
    observations = result.get("observations", [])
    n_findings = sum(len(r["findings"]) for r in doc["results"])
    assert len(observations) == n_findings + len(doc.get("observations") or [])
    by_fingerprint = {p["value"]: o for o in observations for p in o.get("props", []) if p["name"] == "fingerprint"}
    for res in doc["results"]:
        for f in res["findings"]:
            methods = by_fingerprint[f["fingerprint"]]["methods"]
            assert methods[0] == {"declared": "INTERVIEW", "evidence": "EXAMINE", "scan": "TEST"}[f["source"]]
    scans = [o for o in observations if o["types"] == ["discovery"]]
    assert all(o["methods"] == ["TEST"] for o in scans)

    # Waived findings: one risk per waiver, deviation approved.
    waived = {r["waiver"]["id"] for r in doc["results"]
              if any(f["status"] == "waived" for f in r["findings"])}
    risks = result.get("risks", [])
    assert {p["value"] for r in risks for p in r["props"] if p["name"] == "waiver-id"} == waived
    assert all(r["status"] == "deviation-approved" for r in risks)


def test_sample_details() -> None:
    result = oscal(sample_document())["assessment-results"]["results"][0]
    findings = {f["target"]["target-id"]: f for f in result["findings"]}
    assert findings["ENC-01_obj"]["target"]["status"] == {
        "state": "not-satisfied", "reason": "fail",
        "remarks": "portal-inscripcion: encryption.at_rest.enabled es false; se requiere true porque almacena "
                   "'rostro' (biométrico)"}
    assert findings["ARCO-01_obj"]["target"]["status"]["reason"] == "pass"
    assert "menores de 12" in findings["MIN-03_obj"]["target"]["status"]["remarks"]

    [bio_risk] = [r for r in result["risks"] if any(p["value"] == "w-biometria" for p in r["props"])]
    assert bio_risk["description"] == WAIVER_REASON
    assert bio_risk["deadline"] == "2026-12-31T00:00:00-06:00"
    assert findings["BIO-02_obj"]["related-risks"] == [{"risk-uuid": bio_risk["uuid"]}]
    assert findings["BIO-02_obj"]["target"]["status"]["state"] == "not-satisfied"

    # The scan finding is a TEST observation whose evidence is the scan file, with its hash in back-matter.
    scan_obs = next(o for o in result["observations"] if o["title"].startswith("NET-02"))
    assert scan_obs["methods"] == ["TEST"]
    # Evidence attached to a control makes its declared findings EXAMINE as well.
    enc_obs = next(o for o in result["observations"] if o["title"] == "ENC-01: Sistema portal-inscripcion")
    assert enc_obs["methods"] == ["INTERVIEW", "EXAMINE"]
    described = [e["description"] for e in enc_obs["relevant-evidence"]]
    assert "Declaración: systems[portal-inscripcion].encryption.at_rest.enabled en ai-center.yaml:106:7" in described


def test_back_matter_has_inputs_with_hashes_and_timestamps_follow_as_of() -> None:
    ar = oscal(sample_document())["assessment-results"]
    rlinks = {r["rlinks"][0]["href"]: r["rlinks"][0] for r in ar["back-matter"]["resources"] if "rlinks" in r}
    assert rlinks["ai-center.yaml"]["hashes"] == [{"algorithm": "SHA-256", "value": "01" * 32}]
    assert rlinks["scans/portal.xml"]["media-type"] == "application/xml"
    assert "evidence/pol%C3%ADtica%20cifrado.pdf" in rlinks
    assert ar["metadata"]["last-modified"] == "2026-11-20T00:00:00-06:00"
    assert ar["results"][0]["start"] == "2026-11-20T00:00:00-06:00"


def test_reproducible_and_uuids_stable_across_assessments() -> None:
    doc = sample_document()
    assert render(doc, RenderOptions(lang="es")) == render(doc, RenderOptions(lang="es"))
    later = sample_document()
    later["as_of"] = "2027-05-20"
    first = oscal(doc)["assessment-results"]
    second = oscal(later)["assessment-results"]
    # The document and its result are new; the same control's finding keeps its uuid, as OSCAL asks.
    assert first["uuid"] != second["uuid"]
    assert first["results"][0]["uuid"] != second["results"][0]["uuid"]
    assert [f["uuid"] for f in first["results"][0]["findings"]] == [f["uuid"] for f in second["results"][0]["findings"]]
    for value in all_uuids(first):
        assert uuid.UUID(value).version == 5


def _trestle(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trestle", *args], cwd=workspace, capture_output=True, text=True,
                          timeout=120, check=False)


def _workspace(tmp_path: Path, doc: dict[str, Any]) -> Path:
    assert _trestle(tmp_path, "init").returncode == 0
    folder = tmp_path / "assessment-results" / "ai-center"
    folder.mkdir(parents=True)
    target = folder / "assessment-results.json"
    target.write_bytes(render(doc, RenderOptions(lang="es")))
    return target


@pytest.mark.parametrize("name", ["sample", "ai-center-6-months.yaml"])
def test_trestle_validate_accepts_it(tmp_path: Path, name: str) -> None:
    target = _workspace(tmp_path, document(name))
    ok = _trestle(tmp_path, "validate", "-f", str(target))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID" in ok.stdout + ok.stderr


def test_trestle_validate_rejects_a_corrupted_copy(tmp_path: Path) -> None:
    target = _workspace(tmp_path, sample_document())
    data = json.loads(target.read_text(encoding="utf-8"))
    data["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "not-applicable"
    target.write_text(json.dumps(data), encoding="utf-8")
    bad = _trestle(tmp_path, "validate", "-f", str(target))
    assert bad.returncode != 0


def test_real_waivers_are_risks_tied_to_the_waived_subjects_only() -> None:
    doc = document("ai-center-6-months.yaml")
    result = oscal(doc)["assessment-results"]["results"][0]
    risks = {p["value"]: r for r in result["risks"] for p in r["props"] if p["name"] == "waiver-id"}
    assert set(risks) == {"acceso-sin-biometria", "consola-camaras"}
    observations = {o["uuid"]: o for o in result["observations"]}
    cameras = [observations[o["observation-uuid"]]["title"] for o in risks["consola-camaras"]["related-observations"]]
    assert cameras == ["ACC-02: Sistema control-acceso"]
    assert risks["consola-camaras"]["deadline"] == "2027-08-15T00:00:00-06:00"
    acc = next(f for f in result["findings"] if f["target"]["target-id"] == "ACC-02_obj")
    assert acc["target"]["status"]["state"] == "not-satisfied"   # other systems still fail
    assert acc["related-risks"] == [{"risk-uuid": risks["consola-camaras"]["uuid"]}]
