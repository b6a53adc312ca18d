"""SARIF export: valid against the OASIS schema, and the same story as the JSON result."""

from __future__ import annotations

import json
from typing import Any

import pytest
from export_fixtures import HOSTILE, SCHEMAS, WAIVER_REASON, document, document_ids, sample_document
from jsonschema import Draft4Validator

from checker.render import RenderOptions
from checker.render.sarif import render

SCHEMA = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def sarif(doc: dict[str, Any], lang: str = "es", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(render(doc, RenderOptions(lang=lang, extra=extra or None)).decode("utf-8"))
    return out


def schema_errors(data: dict[str, Any]) -> list[str]:
    return [e.message for e in Draft4Validator(SCHEMA).iter_errors(data)]


@pytest.mark.parametrize("name", document_ids())
def test_valid_sarif_that_round_trips_the_findings(name: str) -> None:
    doc = document(name)
    data = sarif(doc)
    assert schema_errors(data) == []
    run = data["runs"][0]

    # Every control is a rule, not-applicable ones included, in catalog order.
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r["control_id"] for r in doc["results"]]

    # One SARIF result per finding that is not passing; waived ones are there, suppressed.
    expected = [(r["control_id"], f["fingerprint"]) for r in doc["results"] for f in r["findings"]
                if f["status"] in ("fail", "partial", "unknown", "waived")]
    got = [(res["ruleId"], res["partialFingerprints"]["resguarda/v1"]) for res in run["results"]]
    assert got == expected
    unsuppressed = [res for res in run["results"] if "suppressions" not in res]
    assert len(unsuppressed) == sum(1 for r in doc["results"] for f in r["findings"]
                                    if f["status"] in ("fail", "partial", "unknown"))

    by_id = {r["control_id"]: r for r in doc["results"]}
    findings = {f["fingerprint"]: f for r in doc["results"] for f in r["findings"]}
    for res in run["results"]:
        result = by_id[res["ruleId"]]
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == LEVEL[result["severity"]]
        finding = findings[res["partialFingerprints"]["resguarda/v1"]]
        physical = res["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding["location"]["file"]
        assert physical["region"]["startLine"] == finding["location"]["line"]
        assert physical["region"]["startColumn"] == finding["location"]["column"]


@pytest.mark.parametrize("name", document_ids())
def test_rules_carry_help_and_legal_references(name: str) -> None:
    doc = document(name)
    rules = {r["id"]: r for r in sarif(doc)["runs"][0]["tool"]["driver"]["rules"]}
    for result in doc["results"]:
        rule = rules[result["control_id"]]
        assert rule["shortDescription"]["text"] == " ".join(result["title"].split())
        assert result["remediation"] in rule["help"]["text"]
        for ref in result["legal_refs"]:
            assert ref["citation"] in rule["help"]["text"]
        neutral = ("law", "article", "fraction", "confidence", "citation")
        assert rule["properties"]["legal_refs"] == [{k: ref.get(k) for k in neutral} for ref in result["legal_refs"]]
        assert rule["defaultConfiguration"]["level"] == LEVEL[result["severity"]]


def test_waivers_become_external_accepted_suppressions() -> None:
    run = sarif(sample_document())["runs"][0]
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for res in run["results"]:
        by_rule.setdefault(res["ruleId"], []).append(res)

    [bio] = by_rule["BIO-02"]
    [suppression] = bio["suppressions"]
    assert suppression["kind"] == "external"
    assert suppression["status"] == "accepted"
    assert WAIVER_REASON in suppression["justification"]
    assert "w-biometria" in suppression["justification"]
    # The alert says what it would be without the waiver.
    assert bio["properties"]["underlying_status"] == "fail"
    assert bio["level"] == "error"

    # A waiver limited to one system suppresses that system's alert only.
    acc = {res["properties"]["subject"]["id"]: res for res in by_rule["ACC-01"]}
    assert "suppressions" in acc["portal-inscripcion"]
    assert "suppressions" not in acc["control-acceso"]


def test_passing_and_not_applicable_findings_are_not_alerts() -> None:
    rules = {res["ruleId"] for res in sarif(sample_document())["runs"][0]["results"]}
    assert "ARCO-01" not in rules   # pass
    assert "MIN-03" not in rules    # not applicable (still a rule)
    assert "ENC-01" in rules


def test_unknown_names_what_to_declare_and_hostile_text_stays_one_plain_line() -> None:
    [log] = [r for r in sarif(sample_document())["runs"][0]["results"] if r["ruleId"] == "LOG-01"]
    text = log["message"]["text"]
    assert text.startswith("Sin decidir:")
    assert "\n" not in text and "\x07" not in text
    assert '<script>alert(1)</script>' in text   # kept as text: SARIF messages are plain text


def test_output_is_reproducible_and_fingerprints_do_not_depend_on_language() -> None:
    doc = sample_document()
    assert render(doc, RenderOptions(lang="es")) == render(doc, RenderOptions(lang="es"))
    es = sarif(doc, "es")["runs"][0]
    en = sarif(sample_document("en"), "en")["runs"][0]
    assert [r["partialFingerprints"] for r in es["results"]] == [r["partialFingerprints"] for r in en["results"]]
    assert es["language"] == "es-MX" and en["language"] == "en"
    assert en["results"][0]["message"]["text"].startswith("Not met:")


def test_uri_base_places_the_file_in_the_repository() -> None:
    run = sarif(sample_document(), sarif_uri_base="compliance/programas")["runs"][0]
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]}
    assert uris == {"compliance/programas/ai-center.yaml"}
    assert run["artifacts"][0]["location"]["uri"] == "compliance/programas/ai-center.yaml"
    assert run["artifacts"][0]["hashes"]["sha-256"] == "01" * 32


def test_the_schema_check_catches_a_broken_sarif() -> None:
    data = sarif(sample_document())
    data["runs"][0]["results"][0]["level"] = "fatal"
    data["runs"][0]["results"][1]["suppressions"] = [{"kind": "inBrowser"}]
    assert len(schema_errors(data)) >= 2


def test_hostile_subject_does_not_break_json() -> None:
    doc = sample_document()
    doc["results"][0]["findings"][0]["reason"] = HOSTILE + "\u2028\x00"
    data = sarif(doc)
    assert schema_errors(data) == []
    assert "\x00" not in data["runs"][0]["results"][0]["message"]["text"]


def test_real_partial_waiver_suppresses_only_the_named_system() -> None:
    doc = document("ai-center-6-months.yaml")
    results = [r for r in sarif(doc)["runs"][0]["results"] if r["ruleId"] == "ACC-02"]
    suppressed = {r["properties"]["subject"]["id"] for r in results if "suppressions" in r}
    assert suppressed == {"control-acceso"}
    assert {r["properties"]["subject"]["id"] for r in results} >= {"portal-inscripcion", "analitica-becas"}
    [bio] = [r for r in sarif(doc)["runs"][0]["results"] if r["ruleId"] == "BIO-04"]
    assert bio["suppressions"][0]["justification"].startswith("Excepción acceso-sin-biometria aprobada por "
                                                              "Comité de Transparencia")
