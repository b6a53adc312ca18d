"""`resguarda diff`: what changed between two evaluations, by fingerprint."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import evaluated_document, fingerprint, later_document, sample_document

from checker.cli import main
from checker.diff import diff_documents, diff_exit_code, load_result
from checker.errors import InputError
from checker.evaluate import summarize
from checker.render.diff_text import render_diff
from checker.result import ResultDocument

BAD = ("fail", "partial", "unknown")


def finding(doc: dict[str, Any], control: str, subject: str) -> dict[str, Any]:
    result = next(r for r in doc["results"] if r["control_id"] == control)
    found: dict[str, Any] = next(f for f in result["findings"] if f["subject"]["id"] == subject)
    return found


def test_sample_before_and_after() -> None:
    diff = diff_documents(sample_document(), later_document())
    assert [c.key for c in diff.new] == [fingerprint("ENC-01", "system", "analitica", "ENC-01.at_rest_disabled")]
    assert [c.key for c in diff.fixed] == [
        fingerprint("ENC-01", "system", "portal-inscripcion", "ENC-01.at_rest_disabled")]
    assert [(c.control_id, c.old_status, c.new_status) for c in diff.worse] == [("ARCO-01", "pass", "fail")]
    assert [(c.control_id, c.old_status, c.new_status) for c in diff.better] == [("GOV-02", "fail", "partial")]
    # LOG-01 left the catalog: reported as a removed control, not as a fixed finding.
    assert diff.gone == []
    assert diff.controls_removed == ["LOG-01"]
    assert diff.controls_added == ["IR-01"]
    assert (diff.score_old, diff.score_new, diff.score_delta) == (23.1, 41.7, 18.6)
    assert (diff.old_catalog, diff.new_catalog) == ("2026.1", "2027.1")
    assert [(w.id, w.window, w.newly_expired) for w in diff.waivers] == [
        ("w-vieja", "expired", False), ("w-cuentas", "expired", True), ("w-biometria", "30", False)]
    assert diff.waivers[-1].days_left == 21
    assert diff_exit_code(diff) == 1


def test_same_document_twice_changes_nothing() -> None:
    diff = diff_documents(sample_document(), sample_document())
    assert (diff.new, diff.fixed, diff.worse, diff.better, diff.gone) == ([], [], [], [], [])
    assert diff.controls_added == diff.controls_removed == []
    assert diff.score_delta == 0.0
    assert diff_exit_code(diff) == 0


def test_reordering_and_language_do_not_count_as_changes() -> None:
    old = sample_document("es")
    new = sample_document("en")
    new["results"].reverse()
    for result in new["results"]:
        result["findings"].reverse()
        for f in result["findings"]:
            f["reason"] = "English sentence"
    diff = diff_documents(old, new)
    assert (diff.new, diff.fixed, diff.worse, diff.better, diff.gone) == ([], [], [], [], [])


@pytest.mark.parametrize(("before", "after", "section", "code"), [
    ("partial", "fail", "worse", 1),        # a new failure
    ("unknown", "fail", "worse", 1),
    ("pass", "unknown", "worse", 1),        # left pass
    ("pass", "waived", "worse", 1),         # left pass, even if accepted
    ("waived", "fail", "worse", 1),         # the waiver ran out
    ("partial", "unknown", "worse", 0),     # worse, but it neither left pass nor is a failure
    ("unknown", "partial", "better", 0),    # now known, and met in part
    ("fail", "unknown", "better", 0),
    ("fail", "waived", "better", 0),
    ("fail", "pass", "fixed", 0),
    ("waived", "pass", "fixed", 0),
    ("unknown", "not_applicable", "fixed", 0),
    ("pass", "not_applicable", None, 0),    # both are fine
])
def test_moves_and_exit_codes(before: str, after: str, section: str | None, code: int) -> None:
    old, new = sample_document(), sample_document()
    finding(old, "ENC-01", "plataforma-aprendizaje")["status"] = before
    finding(new, "ENC-01", "plataforma-aprendizaje")["status"] = after
    diff = diff_documents(old, new)
    moved = {name: [c.key for c in getattr(diff, name)] for name in ("new", "fixed", "worse", "better", "gone")}
    key = finding(new, "ENC-01", "plataforma-aprendizaje")["fingerprint"]
    assert moved == {name: ([key] if name == section else []) for name in moved}
    assert diff_exit_code(diff) == code


def test_new_unknown_finding_fails_and_a_removed_subject_is_gone() -> None:
    old, new = sample_document(), sample_document()
    log = next(r for r in new["results"] if r["control_id"] == "LOG-01")
    extra = copy.deepcopy(log["findings"][0])
    extra["subject"] = {"kind": "system", "id": "nuevo", "name": "Nuevo"}
    extra["fingerprint"] = fingerprint("LOG-01", "system", "nuevo", extra["code"])
    log["findings"].append(extra)
    diff = diff_documents(old, new)
    assert [c.subject["id"] for c in diff.new if c.subject] == ["nuevo"]
    assert diff_exit_code(diff) == 1

    # The other way round: the subject left the declaration, the control still runs.
    diff = diff_documents(new, old)
    assert [c.subject["id"] for c in diff.gone if c.subject] == ["nuevo"]
    assert diff.new == [] and diff_exit_code(diff) == 0


@pytest.mark.parametrize(("expires", "window"), [
    ("2026-11-19", "expired"), ("2026-11-20", "30"), ("2026-12-20", "30"), ("2026-12-21", "60"),
    ("2027-01-19", "60"), ("2027-02-18", "90"), ("2027-02-19", None)])
def test_waiver_windows(expires: str, window: str | None) -> None:
    new = sample_document()
    new["waivers"] = [{**new["waivers"][0], "expires": expires,
                       "state": "expired" if expires < new["as_of"] else "active"}]
    alerts = diff_documents(sample_document(), new).waivers
    assert [a.window for a in alerts] == ([window] if window else [])


def test_renderings_in_both_languages() -> None:
    diff = diff_documents(sample_document(), later_document())
    text_es = render_diff(diff, "text", "es")
    assert "Hallazgos nuevos (1)" in text_es and "Corregidos (1)" in text_es
    assert "No cumple → Cumple" in text_es
    assert "Puntuación: 23.1 → 41.7 (+18.6)" in text_es
    assert "w-biometria (BIO-02) vence el 10 de junio de 2027, en 21 días" in text_es
    assert "Controles retirados del catálogo: LOG-01" in text_es
    text_en = render_diff(diff, "text", "en")
    assert "New findings (1)" in text_en and "Not met → Met" in text_en

    md = render_diff(diff, "md", "es")
    assert md.startswith("## Cambios entre la evaluación del 20 de noviembre de 2026 y la del 20 de mayo de 2027")
    assert "| Crítica | ENC-01 Los datos sensibles se cifran en reposo | Sistema analitica | No cumple |" in md

    data = json.loads(render_diff(diff, "json", "en"))
    assert data["new"][0]["subject"]["id"] == "analitica"
    assert data["fixed"][0]["new_status"] == "pass"
    assert data["controls_removed"] == ["LOG-01"]
    with pytest.raises(ValueError):
        render_diff(diff, "html", "es")


def test_markdown_keeps_declaration_text_inside_its_cell() -> None:
    old, new = sample_document(), sample_document()
    f = finding(new, "ENC-01", "plataforma-aprendizaje")
    f["status"] = "fail"
    f["reason"] = "a | b\n# título <img src=x>"
    md = render_diff(diff_documents(old, new), "md", "es")
    row = next(line for line in md.splitlines() if "plataforma-aprendizaje" in line)
    assert row.count(" | ") == 4
    assert row.endswith("| a \\| b # título \\<img src=x\\> |")
    assert "\n# título" not in md


# -- loading -------------------------------------------------------------------------------------------
def test_load_result_reads_a_real_result_file(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(sample_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = ResultDocument.model_validate(sample_document())
    # The fixture's summary is written by hand; a saved summary is always counted again from the results.
    assert load_result(path) == expected.model_copy(update={"summary": summarize(expected.results)})
    real = copy.deepcopy(evaluated_document("ai-center.yaml", "2026-11-20"))
    path.write_text(json.dumps(real, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert load_result(path) == ResultDocument.model_validate(real)   # an evaluation's summary is kept as is


def test_a_saved_summary_that_disagrees_with_its_results_is_counted_again(tmp_path: Path) -> None:
    """An edited score ("1e308 of 100", found by hand) or results cut with jq: every reader of a saved
    result shows what the results count to, never the saved figure."""
    doc = copy.deepcopy(evaluated_document("ai-center.yaml", "2026-11-20"))
    true_score = doc["summary"]["score"]
    doc["summary"]["score"] = 1e308
    doc["summary"]["counts"]["pass"] += 50
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert load_result(path).summary.score == true_score
    out = tmp_path / "r.md"
    assert main(["render", str(path), "-o", str(out), "--lang", "en"]) in (0, 1)
    text = out.read_text(encoding="utf-8")
    assert f"Compliance score: {true_score}" in text.replace("\\", "") and "000,000,000" not in text
    cut = copy.deepcopy(evaluated_document("ai-center.yaml", "2026-11-20"))
    cut["results"] = [r for r in cut["results"] if r["domain"] == "encryption"]
    path.write_text(json.dumps(cut, ensure_ascii=False), encoding="utf-8")
    assert load_result(path).summary == summarize(ResultDocument.model_validate(cut).results)
    assert set(load_result(path).summary.by_domain) == {"encryption"}


def test_a_control_listed_twice_or_a_nan_is_refused_where_it_is(tmp_path: Path) -> None:
    doc = copy.deepcopy(evaluated_document("ai-center.yaml", "2026-11-20"))
    doc["results"].append(copy.deepcopy(doc["results"][0]))
    path = tmp_path / "twice.json"
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    cid = doc["results"][0]["control_id"]
    with pytest.raises(InputError) as err:
        load_result(path, "en")
    assert err.value.message == f"control {cid} appears more than once in 'results'"
    second = [i for i, line in enumerate(text.splitlines(), 1) if f'"control_id": "{cid}"' in line][1]
    assert err.value.line == second
    out = tmp_path / "r.pdf"
    assert main(["render", str(path), "-o", str(out)]) == 2 and not out.exists()

    nan = tmp_path / "nan.json"
    saved = json.dumps(evaluated_document("ai-center.yaml", "2026-11-20"), indent=2)
    nan.write_text(saved.replace('"score": ', '"score": NaN, "was": ', 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_result(nan, "en")
    assert err.value.message == "not valid JSON: NaN"
    assert err.value.line == _line_of(nan, "NaN") and err.value.column == 14


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schema_version": 1,\n  "results": [,]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_result(path)
    assert (err.value.file, err.value.line, err.value.column) == (str(path), 3, 15)
    assert err.value.hint and "resguarda evaluate" in err.value.hint


def test_other_json_is_not_a_result_document(tmp_path: Path) -> None:
    sarif = tmp_path / "results.sarif"
    sarif.write_text(json.dumps({"version": "2.1.0", "runs": []}), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_result(sarif, "en")
    assert "not a result document" in err.value.message and err.value.line == 1

    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="objeto JSON"):
        load_result(listed)

    future = tmp_path / "v2.json"
    doc = sample_document()
    doc["schema_version"] = 2
    future.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_result(future)
    assert (err.value.line, err.value.column) == (2, 3)

    shapeless = tmp_path / "shapeless.json"
    doc = sample_document()
    doc["results"] = [{"control_id": "X"}]
    shapeless.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match="results"):
        load_result(shapeless)

    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"a": "inscripción"}'.encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        load_result(latin1)

    with pytest.raises(InputError):
        load_result(tmp_path / "missing.json")


# -- the AI center six months later (real evaluations) ----------------------------------------------
@pytest.mark.parametrize("as_of", ["", "2026-13-01", "20 de noviembre", 20261120, None])
def test_an_evaluation_date_that_is_no_day_is_bad_input(tmp_path: Path, as_of: object) -> None:
    # Found by the fuzzer: `as_of: ""` in a saved result reached the date formatting of diff's text
    # (exit 3). diff and render read results through load_result, which now refuses it, located.
    path = tmp_path / "old.json"
    doc = sample_document()
    doc["as_of"] = as_of
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_result(path, "en")
    assert "'as_of' is not a YYYY-MM-DD date" in err.value.message
    assert (err.value.line, err.value.column) == (_line_of(path, '"as_of"'), 3)
    assert err.value.hint and "resguarda evaluate" in err.value.hint


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def _bad(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for r in doc["results"] for f in r["findings"] if f["status"] in BAD}


def _all(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for r in doc["results"] for f in r["findings"]}


def test_ai_center_six_months_later_lists_exactly_the_fixed_and_new_findings() -> None:
    old = evaluated_document("ai-center.yaml")
    new = evaluated_document("ai-center-6-months.yaml")
    diff = diff_documents(old, new)

    old_all, new_all = _all(old), _all(new)
    expected_new = {k for k, f in _bad(new).items() if k not in old_all}
    expected_fixed = {k for k, f in _bad(old).items() if k in new_all
                      and new_all[k]["status"] in ("pass", "not_applicable")}
    assert {c.key for c in diff.new} == expected_new
    assert {c.key for c in diff.fixed} == expected_fixed
    assert expected_new and expected_fixed

    # What we changed on purpose shows up where it should.
    fixed_paths = {old_all[k]["path"] for k in expected_fixed}
    assert any(p.startswith("systems[portal-inscripcion].encryption.at_rest") for p in fixed_paths)
    assert any(p.startswith("systems[control-acceso].encryption.at_rest") for p in fixed_paths)
    assert any("state_checked" in p for p in fixed_paths)
    assert any(p.startswith("incident_response.plan") for p in fixed_paths)
    moved = {(c.control_id, (c.subject or {}).get("id")) for c in diff.fixed}
    assert {("ENC-01", "portal-inscripcion"), ("ENC-01", "control-acceso"), ("AUT-06", "portal-inscripcion"),
            ("INC-01", "program"), ("PRV-04", "program")} <= moved
    assert ("ENC-01", "analitica-becas") in {(c.control_id, (c.subject or {}).get("id")) for c in diff.new}
    new_subjects = {new_all[k]["subject"]["id"] for k in expected_new}
    assert "analitica-becas" in new_subjects
    assert any(new_all[k]["path"].startswith("systems[analitica-becas].encryption.at_rest") for k in expected_new)
    # Accepted risks: better, not fixed; and both waivers are about to expire.
    assert {("BIO-04", "rostro"), ("ACC-02", "control-acceso")} <= {
        (c.control_id, (c.subject or {}).get("id")) for c in diff.better if c.new_status == "waived"}
    assert [(w.id, w.window) for w in diff.waivers] == [("acceso-sin-biometria", "30"), ("consola-camaras", "90")]
    assert diff.score_new is not None and diff.score_old is not None and diff.score_new > diff.score_old
    assert diff.controls_added == diff.controls_removed == []
    assert diff_exit_code(diff) == 1


def test_the_same_declaration_in_two_languages_has_no_changes() -> None:
    diff = diff_documents(evaluated_document("ai-center.yaml"),
                          evaluated_document("ai-center.yaml", lang="en"))
    assert (diff.new, diff.fixed, diff.worse, diff.better, diff.gone) == ([], [], [], [], [])
