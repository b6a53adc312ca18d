"""The auditor features on examples/audit/ (contract 1.1): golden assurance levels, an expired,
a rejected and a pending evidence item, a contradicted attestation, overdue and done-but-open actions,
the follow-up of the previous result, and each of them in the reports and exports."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "audit" / "colegio.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "audit.yaml"
AS_OF = "2026-11-20"


def golden() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from checker.api import evaluate_file

    result: dict[str, Any] = evaluate_file(EXAMPLE, as_of=AS_OF).to_dict()
    return result


def finding(doc: dict[str, Any], control: str, subject: str) -> dict[str, Any]:
    result = next(r for r in doc["results"] if r["control_id"] == control)
    return next(f for f in result["findings"] if f["subject"]["id"] == subject)


def test_assurance_levels_match_the_golden_table(doc: dict[str, Any]) -> None:
    wrong = [f"{c} {s}: expected {level}, got {finding(doc, c, s)['assurance']} ({why})"
             for c, s, level, why in golden()["assurance"] if finding(doc, c, s)["assurance"] != level]
    assert not wrong, "\n".join(wrong)
    wrong = [f"{c} {s}: expected source {src}, got {finding(doc, c, s)['source']} ({why})"
             for c, s, src, why in golden()["sources"] if finding(doc, c, s)["source"] != src]
    assert not wrong, "\n".join(wrong)
    levels = {f["assurance"] for r in doc["results"] for f in r["findings"]}
    assert levels == {"declared", "evidence", "scan", "verified"}


def test_statuses_and_the_contradicted_attestation(doc: dict[str, Any]) -> None:
    status = {r["control_id"]: r["status"] for r in doc["results"]}
    for control, expected, why in golden()["statuses"]:
        assert status[control] == expected, f"{control}: {why}"
    contradicted = finding(doc, "RES-01", "asistencia")
    assert contradicted["status"] == "fail" and contradicted["attestation"] == "verif-03"
    assert "no existe copia fuera del sitio posterior a julio de 2026" in contradicted["note"]
    res01 = next(r for r in doc["results"] if r["control_id"] == "RES-01")
    assert res01["reasons"][0].startswith("Contradicho por la verificación verif-03 (reejecución;")
    # The summary is recomputed with the contradicted control among the failures.
    assert doc["summary"]["counts"]["fail"] == sum(1 for r in doc["results"] if r["status"] == "fail")
    assert doc["summary"]["highest_failed_severity"] == "high"


def test_evidence_lifecycle_and_items_after_the_evaluation_date(doc: dict[str, Any]) -> None:
    states = {e["id"]: e["state"] for e in doc["evidence_review"]}
    for ev_id, state, why in golden()["evidence"]:
        assert states[ev_id] == state, f"{ev_id}: {why}"
    assert "bitacora-capacitacion" not in states
    assert "verif-07" not in {a["id"] for a in doc["attestations"]}


def test_warnings_name_what_was_ignored(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["evaluate", str(EXAMPLE), "--as-of", AS_OF, "-o", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err
    for kind, item in golden()["ignored"]:
        word = "la evidencia" if kind == "evidence" else "la verificación"
        assert f"se ignora {word} {item}:" in err
    assert "después de la fecha de evaluación (20 de noviembre de 2026)" in err


def test_actions(doc: dict[str, Any]) -> None:
    actions = {a["id"]: a for a in doc["actions"]}
    for action_id, overdue, done_but_open, why in golden()["actions"]:
        assert (actions[action_id]["overdue"], actions[action_id]["done_but_open"]) == (overdue, done_but_open), why
    aut = next(r for r in doc["results"] if r["control_id"] == "AUT-01")
    assert aut["actions"] == ["accion-01"]
    assert aut["responses"][0]["by"] == "Dirección general"


def test_follow_up_of_the_previous_result(doc: dict[str, Any]) -> None:
    items = {i["control_id"]: i for i in doc["audit"]["follow_up"]}
    for control, before, now, state, why in golden()["follow_up"]:
        assert (items[control]["before"], items[control]["now"], items[control]["state"]) == (before, now, state), why
    counted = {state: sum(1 for i in items.values() if i["state"] == state)
               for state in ("worse", "new", "still_open", "closed")}
    assert doc["audit"]["summary"]["follow_up"] == counted
    assert counted["worse"] >= 1 and counted["new"] >= 1 and counted["still_open"] >= 1 and counted["closed"] >= 5
    previous = next(i for i in doc["inputs"] if i["role"] == "previous_result")
    assert previous["path"] == "2025/resultado.json"


def test_previous_result_outside_the_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "decl"
    subprocess.run(["cp", "-r", str(EXAMPLE.parent), str(folder)], check=True)
    text = (folder / "colegio.yaml").read_text(encoding="utf-8")
    (folder / "colegio.yaml").write_text(text.replace("previous_result: 2025/resultado.json",
                                                      "previous_result: ../../etc/passwd"), encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "r.json"
    assert main(["evaluate", str(folder / "colegio.yaml"), "--as-of", AS_OF, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "colegio.yaml:480:3:" in err and "carpeta de la declaración" in err
    assert "Traceback" not in err and not out.exists()


def test_assurance_in_every_export(tmp_path: Path) -> None:
    outputs = {fmt: tmp_path / f"r.{ext}" for fmt, ext in (("csv", "csv"), ("sarif", "sarif"),
                                                          ("junit", "xml"), ("oscal", "json"))}
    for fmt, path in outputs.items():
        assert main(["evaluate", str(EXAMPLE), "--as-of", AS_OF, "--format", fmt, "-o", str(path)]) == 1
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["Control"] == "PRV-01")
    assert row["Aseguramiento"] == "verified"
    assert {r["Aseguramiento"] for r in rows} == {"declared", "evidence", "scan", "verified"}
    sarif = json.loads(outputs["sarif"].read_text(encoding="utf-8"))
    res01 = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "RES-01")
    assert res01["properties"]["assurance"] == "verified" and res01["properties"]["source"] == "attestation"
    junit = outputs["junit"].read_text(encoding="utf-8")
    assert 'name="assurance.PRV-01.program" value="verified"' in junit
    oscal = json.loads(outputs["oscal"].read_text(encoding="utf-8"))
    methods = {}
    for obs in oscal["assessment-results"]["results"][0]["observations"]:
        props = {p["name"]: p["value"] for p in obs.get("props", [])}
        methods[(props.get("control-id"), props.get("subject-id"))] = obs["methods"]
    assert methods[("PRV-01", "program")] == ["EXAMINE"]          # inspection
    assert methods[("GOV-09", "program")] == ["INTERVIEW"]        # inquiry
    assert methods[("RES-01", "asistencia")] == ["TEST"]          # re-performance
    assert methods[("ENC-51", "sis")] == ["TEST"]                 # a scan
    assert methods[("GOV-03", "program")] == ["INTERVIEW"]        # declared, the evidence was rejected


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.parametrize("lang", ["es", "en"])
def test_audit_report_pages(lang: str, tmp_path: Path) -> None:
    out = tmp_path / "informe.pdf"
    assert main(["evaluate", str(EXAMPLE), "--as-of", AS_OF, "-o", str(out), "--lang", lang]) == 1
    text = " ".join(pdftext(out).split())
    words = {
        "es": ["A Dictamen de auditoría", "Opinión del auditor", "Con base en los procedimientos aplicados",
               "Resumen calculado", "Alcance y limitaciones", "No se revisaron los sistemas del proveedor",
               "Método: qué se inspeccionó", "reejecución", "B Seguimiento de la auditoría", "Empeoró",
               "Sigue abierto", "Vencida sin terminar", "Marcada como hecha",
               "Revisión de la evidencia", "vencida", "rechazada", "pendiente de",
               "Respuesta de la administración: Dirección general, 18 de noviembre de 2026",
               "Aseguramiento: declarado · verificación verif-03 (reejecución;"],
        "en": ["A Audit opinion", "The auditor's opinion", "Computed summary", "Scope and limitations",
               "Method: what was inspected", "re-performance", "B Audit follow-up", "Worse", "Still open",
               "Overdue and not finished", "Evidence review", "expired", "rejected", "pending",
               "Management response: Dirección general, 18 November 2026",
               "Assurance: declared · verification verif-03 (re-performance;"],
    }[lang]
    missing = [w for w in words if w not in text]
    assert not missing, missing


def test_report_without_audit_is_unchanged(tmp_path: Path) -> None:
    from checker.render import RenderOptions
    from checker.render.html import render_html

    doc_json = tmp_path / "r.json"
    assert main(["evaluate", str(ROOT / "examples" / "well-run-school.yaml"), "--as-of", AS_OF, "-o",
                 str(doc_json)]) == 0
    doc = json.loads(doc_json.read_text(encoding="utf-8"))
    html = render_html(doc, RenderOptions(lang="es"))
    assert 'id="s-audit"' not in html and 'id="s-follow-up"' not in html and "Aseguramiento" not in html
    assert "audit" not in doc and "actions" not in doc and "attestations" not in doc


def test_diff_reports_action_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "antes"
    subprocess.run(["cp", "-r", str(EXAMPLE.parent), str(folder)], check=True)
    text = (folder / "colegio.yaml").read_text(encoding="utf-8")
    # A month earlier the MFA action was only planned and the off-site backup action did not exist.
    before = text.replace("    due: 2026-10-31\n    status: in_progress", "    due: 2026-10-31\n    status: planned")
    start = before.index("  - id: accion-03")
    before = before[:start] + before[before.index("  - id: accion-04"):]
    (folder / "colegio.yaml").write_text(before, encoding="utf-8")
    old, new = tmp_path / "antes.json", tmp_path / "ahora.json"
    assert main(["evaluate", str(folder / "colegio.yaml"), "--as-of", AS_OF, "-o", str(old)]) == 1
    assert main(["evaluate", str(EXAMPLE), "--as-of", AS_OF, "-o", str(new)]) == 1
    capsys.readouterr()
    main(["diff", str(old), str(new)])
    out = capsys.readouterr().out
    assert "Avance del plan de remediación (2)" in out
    assert "accion-01: planeada → en curso (vencida)" in out
    assert "accion-03: nueva acción (planeada)" in out
    main(["diff", str(old), str(new), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert {a["id"] for a in data["actions"]} == {"accion-01", "accion-03"}


def test_diff_without_actions_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "r.json"
    assert main(["evaluate", str(ROOT / "examples" / "minimal.yaml"), "--as-of", AS_OF, "-o", str(doc)]) == 1
    capsys.readouterr()
    main(["diff", str(doc), str(doc)])
    assert "plan de remediación" not in capsys.readouterr().out


def hostile_audit_copy(tmp_path: Path, hostile: str) -> Path:
    """A copy of the audit example whose auditor's opinion and an evidence note are `hostile`."""
    folder = tmp_path / "hostil"
    subprocess.run(["cp", "-r", str(EXAMPLE.parent), str(folder)], check=True)
    text = (folder / "colegio.yaml").read_text(encoding="utf-8")
    text = text.replace("  opinion: >-\n", f"  opinion: '{hostile}'\n  x_old_opinion: >-\n", 1)
    text = re.sub(r"note: no existe copia.*", f"note: '{hostile}'", text, count=1)
    (folder / "colegio.yaml").write_text(text, encoding="utf-8")
    return folder


def test_auditor_text_is_inert_in_the_report(tmp_path: Path) -> None:
    from checker.api import evaluate_file
    from checker.render import RenderOptions
    from checker.render import pdf as pdf_render
    from checker.render.html import render_html
    from checker.resources import templates_dir

    hostile = '<img src="http://127.0.0.1:9/x"> {{ 7*7 }} <script>alert(1)</script>'
    folder = hostile_audit_copy(tmp_path, hostile)
    doc = evaluate_file(folder / "colegio.yaml", as_of=AS_OF).to_dict()
    html = render_html(doc, RenderOptions(lang="es"))
    assert "<img src=\"http://127.0.0.1:9/x\">" not in html and "<script>alert(1)" not in html
    assert "&lt;img src=" in html and "{{ 7*7 }}" in html
    fetcher = pdf_render.LockedFetcher(templates_dir())
    pdf_render.render_with(doc, RenderOptions(lang="es"), fetcher)
    assert fetcher.calls == []


def test_contradiction_on_a_subject_without_a_finding(tmp_path: Path) -> None:
    from checker.api import evaluate_file
    from checker.result import ResultDocument

    folder = tmp_path / "extra"
    subprocess.run(["cp", "-r", str(EXAMPLE.parent), str(folder)], check=True)
    text = (folder / "colegio.yaml").read_text(encoding="utf-8")
    extra = """  - id: verif-08
    control: PHY-03
    subjects: [asistencia]
    result: contradicted
    method: observation
    verified_by: C.P. Laura Méndez Ríos
    verified_on: 2026-11-11
    note: la puerta del cuarto de servidores estaba abierta y sin registro
"""
    text = text.replace("\nactions:\n", "\n" + extra + "\nactions:\n", 1)
    (folder / "colegio.yaml").write_text(text, encoding="utf-8")
    doc = evaluate_file(folder / "colegio.yaml", as_of=AS_OF).to_dict()
    phy = next(r for r in doc["results"] if r["control_id"] == "PHY-03")
    assert phy["status"] == "fail"
    added = next(f for f in phy["findings"] if f["subject"]["id"] == "asistencia")
    assert added["subject"]["kind"] == "system" and added["source"] == "attestation"
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "id: verif-08" in row)
    assert added["location"]["file"] == "colegio.yaml" and line < added["location"]["line"] <= line + 4
    ResultDocument.model_validate(doc)   # the result contract holds with the new source and assurance
