"""Every operator of the rule language and the three-valued semantics of results.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import control, decl, evaluate, result_of, status_of

SYSTEMS = [
    {"id": "portal", "encryption": {"at_rest": {"enabled": True, "key_management": "kms"},
                                    "in_transit": {"tls_min_version": "1.2"}},
     "logging": {"events": ["read", "write", "export"], "retention": "P1Y"}},
    {"id": "lms", "encryption": {"at_rest": {"enabled": False}, "in_transit": {"tls_min_version": "1.0"}},
     "logging": {"events": ["login"], "retention": "P30D"}},
]


def one(tmp_path: Path, rule: object, **sections: object) -> str:
    doc = evaluate(tmp_path, decl(**sections), control("TST-01", rule))
    return status_of(doc, "TST-01")


@pytest.mark.parametrize("rule, expected", [
    ({"path": "arco.committed_response_days", "equals": 20}, "pass"),
    ({"path": "arco.committed_response_days", "equals": 30}, "fail"),
    ({"path": "arco.committed_response_days", "not_equals": 30}, "pass"),
    ({"path": "arco.channels", "contains": "email"}, "pass"),
    ({"path": "arco.channels", "contains": "pnt"}, "fail"),
    ({"path": "arco.channels", "contains_all": ["email", "web_form"]}, "pass"),
    ({"path": "arco.channels", "contains_all": ["email", "pnt"]}, "fail"),
    ({"path": "arco.channels", "contains_all": ["email", "pnt", "mail"], "partial_at_least": 1}, "partial"),
    ({"path": "arco.channels", "contains_any": ["pnt", "web_form"]}, "pass"),
    ({"path": "arco.channels", "contains_none": ["mail"]}, "pass"),
    ({"path": "arco.channels", "contains_none": ["email"]}, "fail"),
    ({"path": "arco.committed_response_days", "in": [15, 20]}, "pass"),
    ({"path": "arco.committed_response_days", "not_in": [15, 20]}, "fail"),
    ({"path": "arco.committed_response_days", "at_most": 20}, "pass"),
    ({"path": "arco.committed_response_days", "at_most": 19}, "fail"),
    ({"path": "arco.committed_response_days", "at_least": 21}, "fail"),
    ({"path": "arco.identity_verification", "exists": True}, "pass"),
    ({"path": "arco.guardian_requests", "exists": True}, "fail"),
    ({"path": "arco.guardian_requests", "exists": False}, "pass"),
    # an absent value is unknown whatever the comparison
    ({"path": "arco.guardian_requests", "equals": True}, "unknown"),
    ({"path": "arco.guardian_requests", "not_equals": True}, "unknown"),
    ({"path": "arco.requests_last_year", "at_most": 5}, "unknown"),
])
def test_comparisons(tmp_path: Path, rule: dict, expected: str) -> None:
    arco = {"channels": ["email", "web_form"], "committed_response_days": 20, "identity_verification": True}
    assert one(tmp_path, rule, arco=arco) == expected


def test_durations_versions_and_dates(tmp_path: Path) -> None:
    systems = SYSTEMS
    every = lambda req: {"every": "systems", "require": req}  # noqa: E731
    assert one(tmp_path, every({"path": "logging.retention", "at_least": "P6M"}), systems=systems) == "fail"
    assert one(tmp_path, every({"path": "logging.retention", "at_least": "P3W"}), systems=systems) == "pass"
    assert one(tmp_path, every({"path": "logging.retention", "at_most": "PT8784H"}), systems=systems) == "pass"
    assert one(tmp_path, every({"path": "encryption.in_transit.tls_min_version", "at_least": "1.2"}),
               systems=systems) == "fail"
    assert one(tmp_path, every({"path": "encryption.in_transit.tls_min_version", "at_least": "1.0"}),
               systems=systems) == "pass"
    notice = {"published": True, "last_updated": "2026-01-10"}
    assert one(tmp_path, {"path": "privacy_notice.last_updated", "at_least": {"as_of_minus": "P1Y"}},
               privacy_notice=notice) == "pass"
    assert one(tmp_path, {"path": "privacy_notice.last_updated", "at_least": {"as_of_minus": "P6M"}},
               privacy_notice=notice) == "fail"


def test_compare_two_paths(tmp_path: Path) -> None:
    rule = {"path": "governance.impact_assessment.last_done",
            "at_most": {"path": "/program.launch_date", "minus": "P30D"}}
    early = {"impact_assessment": {"last_done": "2026-07-01"}}
    late = {"impact_assessment": {"last_done": "2026-08-20"}}
    program = {"launch_date": "2026-09-01"}
    assert one(tmp_path, rule, program=program, governance=early) == "pass"
    assert one(tmp_path, rule, program=program, governance=late) == "fail"
    assert one(tmp_path, rule, governance=early) == "unknown"  # launch date not declared


def test_catalog_parameter(tmp_path: Path) -> None:
    rule = {"path": "incident_response.breach_notification.within", "at_most": {"parameter": "breach_notice_max"}}
    c = control("INC-01", rule)
    params = {"breach_notice_max": "PT72H"}
    slow = decl(incident_response={"breach_notification": {"within": "P5D"}})
    fast = decl(incident_response={"breach_notification": {"within": "PT48H"}})
    assert status_of(evaluate(tmp_path, slow, c, parameters=params), "INC-01") == "fail"
    assert status_of(evaluate(tmp_path, fast, c, parameters=params), "INC-01") == "pass"


def test_recurring_current(tmp_path: Path) -> None:
    rule = {"path": "governance.training", "current": True}
    assert one(tmp_path, rule, governance={"training": {"every": "P1Y", "last_done": "2026-01-15"}}) == "pass"
    assert one(tmp_path, rule, governance={"training": {"every": "P1Y", "last_done": "2025-11-19"}}) == "fail"
    assert one(tmp_path, rule, governance={"training": {"every": "P1Y"}}) == "fail"  # never done
    assert one(tmp_path, rule, governance={"training": False}) == "fail"
    assert one(tmp_path, rule, governance={"training": {"last_done": "2026-01-15"}}) == "unknown"
    assert one(tmp_path, rule, governance={}) == "unknown"


def test_object_declared_false_fails_rather_than_unknown(tmp_path: Path) -> None:
    rule = {"path": "governance.security_document.contents", "contains_all": ["inventory"]}
    assert one(tmp_path, rule, governance={"security_document": False}) == "fail"
    assert one(tmp_path, rule, governance={}) == "unknown"


def test_three_valued_all_any_not(tmp_path: Path) -> None:
    p, f, u = ({"path": "arco.identity_verification", "equals": True},
               {"path": "arco.identity_verification", "equals": False},
               {"path": "arco.guardian_requests", "equals": True})
    arco = {"identity_verification": True}
    cases = [
        ({"all": [p, p]}, "pass"), ({"all": [p, f]}, "fail"), ({"all": [p, u]}, "unknown"),
        ({"all": [f, u]}, "fail"), ({"any": [f, p]}, "pass"), ({"any": [f, u]}, "unknown"),
        ({"any": [p, u]}, "pass"), ({"any": [f, f]}, "fail"), ({"not": p}, "fail"), ({"not": f}, "pass"),
        ({"not": u}, "unknown"),
    ]
    for rule, expected in cases:
        assert one(tmp_path, rule, arco=arco) == expected, rule


def test_quantifiers_over_absent_and_empty_lists(tmp_path: Path) -> None:
    every = {"every": "systems", "require": {"path": "encryption.at_rest.enabled", "equals": True}}
    some = {"some": "systems", "require": {"path": "encryption.at_rest.enabled", "equals": True}}
    assert one(tmp_path, every) == "unknown"               # absent list
    assert one(tmp_path, some) == "unknown"
    assert one(tmp_path, every, systems=[]) == "not_applicable"  # declared, nothing selected
    assert one(tmp_path, some, systems=[]) == "fail"
    selective = dict(every, where={"path": "id", "equals": "nothing-matches"})
    assert one(tmp_path, selective, systems=SYSTEMS) == "not_applicable"
    assert one(tmp_path, every, systems=SYSTEMS) == "fail"
    assert one(tmp_path, some, systems=SYSTEMS) == "pass"


def test_every_gives_one_finding_per_subject_with_location(tmp_path: Path) -> None:
    rule = {"every": "systems", "require": {"path": "encryption.at_rest.enabled", "equals": True}}
    doc = evaluate(tmp_path, decl(systems=SYSTEMS), control("ENC-01", rule))
    r = result_of(doc, "ENC-01")
    assert r["status"] == "fail"
    by_id = {f["subject"]["id"]: f for f in r["findings"]}
    assert set(by_id) == {"portal", "lms"}
    assert by_id["portal"]["status"] == "pass" and by_id["lms"]["status"] == "fail"
    lms = by_id["lms"]
    assert lms["path"] == "systems[lms].encryption.at_rest.enabled"
    assert lms["declared"] is False and lms["required"] is True
    text = (tmp_path / "decl.yaml").read_text().splitlines()
    line = text[lms["location"]["line"] - 1]
    assert line[lms["location"]["column"] - 1:].startswith("enabled")
    assert any("lms" in reason for reason in r["reasons"])


def test_where_unknown_is_kleene_implication(tmp_path: Path) -> None:
    # `where` cannot be decided for a system without hosting: it is still checked.
    rule = {"every": "systems", "where": {"path": "hosting.country", "not_equals": "MX"},
            "require": {"path": "encryption.at_rest.enabled", "equals": True}}
    doc = evaluate(tmp_path, decl(systems=SYSTEMS), control("TST-01", rule))
    by_id = {f["subject"]["id"]: f for f in result_of(doc, "TST-01")["findings"]}
    assert by_id["portal"]["status"] == "pass"       # complies anyway
    assert by_id["lms"]["status"] == "unknown"       # might be in scope and does not comply
    assert "systems[lms].hosting.country" in by_id["lms"]["missing"]


def test_missing_lists_paths_for_unknown(tmp_path: Path) -> None:
    rule = {"all": [{"path": "arco.channels", "contains": "email"},
                    {"path": "arco.committed_response_days", "at_most": 20}]}
    doc = evaluate(tmp_path, decl(arco={"channels": ["email"]}), control("ARC-01", rule))
    r = result_of(doc, "ARC-01")
    assert r["status"] == "unknown"
    assert r["missing"] == ["arco.committed_response_days"]


def test_applicability(tmp_path: Path) -> None:
    minors = {"path": "/facts.has_minors", "equals": True}
    rule = {"path": "privacy_notice.accessible_to_minors", "equals": True}
    c = control("MNR-01", rule, applies_when=minors,
                not_applicable={"es": "el programa no trata datos de menores", "en": "no minors"})
    adults = decl(program={"data_subjects": [{"type": "staff", "includes_minors": False}]})
    doc = evaluate(tmp_path, adults, c)
    r = result_of(doc, "MNR-01")
    assert r["status"] == "not_applicable" and "menores" in r["reasons"][0]
    kids = decl(program={"data_subjects": [{"type": "student", "includes_minors": True}]})
    assert status_of(evaluate(tmp_path, kids, c), "MNR-01") == "unknown"
    # unknown applicability (no data subjects declared): evaluated, never a silent pass
    assert status_of(evaluate(tmp_path, decl(), c), "MNR-01") == "unknown"


def test_natural_keys_address_items_without_ids(tmp_path: Path) -> None:
    systems = [{"id": "portal", "authentication": [
        {"audiences": ["students"], "provider": "llave_mx", "mfa": "none"},
        {"audiences": ["staff", "admins"], "provider": "local", "mfa": "optional"}]}]
    rule = {"every": "systems", "require": {
        "every": "authentication", "where": {"path": "audiences", "contains_any": ["staff", "admins"]},
        "require": {"path": "mfa", "equals": "required"}}}
    doc = evaluate(tmp_path, decl(systems=systems), control("AUT-01", rule))
    f = result_of(doc, "AUT-01")["findings"][0]
    assert f["status"] == "fail"
    assert f["path"] == "systems[portal].authentication[staff+admins].mfa"
    assert f["declared"] == "optional"


def test_not_empty_and_exists_through_false(tmp_path: Path) -> None:
    not_empty = {"path": "governance.policies", "not_empty": True}
    assert one(tmp_path, not_empty, governance={"policies": ["uso de datos"]}) == "pass"
    assert one(tmp_path, not_empty, governance={"policies": []}) == "fail"
    assert one(tmp_path, not_empty, governance={}) == "unknown"
    exists = {"path": "governance.security_document.approved_by", "exists": True}
    assert one(tmp_path, exists, governance={"security_document": False}) == "fail"
    assert one(tmp_path, exists, governance={"security_document": {"approved_by": "Comité"}}) == "pass"


def test_system_facts_are_unknown_without_an_inventory(tmp_path: Path) -> None:
    # Nobody said what the systems store: a control about systems with personal data is undecided,
    # not "not applicable".
    rule = {"every": "systems", "where": {"path": "facts.stores_personal_data", "equals": True},
            "require": {"path": "encryption.at_rest.enabled", "equals": True}}
    systems = [{"id": "portal", "encryption": {"at_rest": {"enabled": False}}}]
    doc = evaluate(tmp_path, decl(systems=systems), control("ENC-01", rule))
    r = result_of(doc, "ENC-01")
    assert r["status"] == "unknown"
    assert r["missing"] == ["data_inventory"]  # the declared data behind the fact, not the fact
    inventory = [{"id": "notas", "category": "academic", "systems": ["portal"]}]
    doc = evaluate(tmp_path, decl(systems=systems, data_inventory=inventory), control("ENC-01", rule))
    assert status_of(doc, "ENC-01") == "fail"
