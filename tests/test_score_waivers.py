"""The score formula, the roll-up, waivers before and after expiry, and fingerprints."""

from __future__ import annotations

from pathlib import Path

from engine_helpers import control, decl, evaluate, result_of, status_of

from checker.evaluate import score

P = {"path": "arco.identity_verification", "equals": True}
F = {"path": "arco.identity_verification", "equals": False}
U = {"path": "arco.guardian_requests", "equals": True}
PART = {"path": "arco.channels", "contains_all": ["email", "pnt"], "partial_at_least": 1}
ARCO = {"identity_verification": True, "channels": ["email"]}


def test_score_on_a_hand_computed_case(tmp_path: Path) -> None:
    controls = [
        control("AAA-01", P, severity="critical"),   # 10 x 1
        control("AAA-02", F, severity="high"),       # 5 x 0
        control("AAA-03", PART, severity="medium"),  # 3 x 0.5
        control("AAA-04", U, severity="low"),        # 1 x 0
        control("AAA-05", P, severity="high", applies_when=F),  # not applicable: not counted
    ]
    doc = evaluate(tmp_path, decl(arco=ARCO), *controls)
    # 100 * (10 + 1.5) / (10 + 5 + 3 + 1) = 60.526... -> 60.5
    assert doc["summary"]["score"] == 60.5
    assert doc["summary"]["counts"] == {"pass": 1, "fail": 1, "partial": 1, "unknown": 1, "not_applicable": 1,
                                        "waived": 0}
    assert doc["summary"]["highest_failed_severity"] == "high"
    assert doc["summary"]["by_domain"]["governance"]["score"] == 60.5


def test_score_rounds_half_even_and_null_when_nothing_scored() -> None:
    # 100 * 0.5 * 1 / 8 = 6.25 -> 6.2 (half-even), not 6.3
    results = [("low", "partial")] + [("low", "fail")] * 7
    assert score(results) == 6.2
    assert score([("high", "not_applicable")]) is None


def test_worst_finding_rolls_up(tmp_path: Path) -> None:
    systems = [{"id": "a", "backups": {"encrypted": True}}, {"id": "b"}, {"id": "c", "backups": {"encrypted": False}}]
    rule = {"every": "systems", "require": {"path": "backups.encrypted", "equals": True}}
    doc = evaluate(tmp_path, decl(systems=systems), control("RES-01", rule))
    r = result_of(doc, "RES-01")
    assert [f["status"] for f in r["findings"]] == ["pass", "unknown", "fail"]
    assert r["status"] == "fail"
    doc = evaluate(tmp_path, decl(systems=systems[:2]), control("RES-01", rule))
    assert status_of(doc, "RES-01") == "unknown"


WAIVER = {"id": "w1", "control": "AAA-02", "reason": "migración en curso", "approved_by": "Directora",
          "approved_on": "2026-06-01", "expires": "2026-12-31"}


def test_waiver_before_and_after_expiry(tmp_path: Path) -> None:
    c = control("AAA-02", F, severity="high")
    d = decl(arco=ARCO, waivers=[WAIVER])
    doc = evaluate(tmp_path, d, c, as_of="2026-11-20")
    r = result_of(doc, "AAA-02")
    assert r["status"] == "waived" and r["underlying_status"] == "fail"
    assert r["waiver"]["id"] == "w1" and r["waiver"]["expires"] == "2026-12-31"
    assert doc["summary"]["score"] is None  # waived results are not scored
    assert doc["summary"]["highest_failed_severity"] is None
    doc = evaluate(tmp_path, d, c, as_of="2027-01-01")
    r = result_of(doc, "AAA-02")
    assert r["status"] == "fail" and any("w1" in reason for reason in r["reasons"])
    assert doc["waivers"][0]["state"] == "expired"


def test_waiver_for_some_systems_only(tmp_path: Path) -> None:
    systems = [{"id": "a", "backups": {"encrypted": False}}, {"id": "b", "backups": {"encrypted": False}}]
    rule = {"every": "systems", "require": {"path": "backups.encrypted", "equals": True}}
    waiver = dict(WAIVER, control="RES-01", systems=["a"])
    doc = evaluate(tmp_path, decl(systems=systems, waivers=[waiver]), control("RES-01", rule))
    r = result_of(doc, "RES-01")
    assert r["status"] == "fail"
    assert {f["subject"]["id"]: f["status"] for f in r["findings"]} == {"a": "waived", "b": "fail"}
    doc = evaluate(tmp_path, decl(systems=systems[:1], waivers=[waiver]), control("RES-01", rule))
    assert status_of(doc, "RES-01") == "waived"


def test_fingerprints_survive_reordering_and_language(tmp_path: Path) -> None:
    systems = [{"id": "a", "backups": {"encrypted": False}}, {"id": "b", "backups": {"encrypted": True}}]
    rule = {"every": "systems", "require": {"path": "backups.encrypted", "equals": True}}
    c = control("RES-01", rule)

    def prints(doc: dict) -> dict[str, str]:
        return {f["subject"]["id"]: f["fingerprint"] for f in result_of(doc, "RES-01")["findings"]}

    es = evaluate(tmp_path, decl(systems=systems), c, lang="es")
    en = evaluate(tmp_path, decl(systems=systems), c, lang="en")
    swapped = evaluate(tmp_path, decl(systems=list(reversed(systems))), c)
    fixed = evaluate(tmp_path, decl(systems=[dict(s, backups={"encrypted": True}) for s in systems]), c)
    assert prints(es) == prints(en) == prints(swapped) == prints(fixed)
    assert prints(es)["a"] != prints(es)["b"]
    assert result_of(es, "RES-01")["reasons"] != result_of(en, "RES-01")["reasons"]
