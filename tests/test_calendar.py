"""Business days: LFPA art. 28 for public bodies, LFT art. 74 for private operators, weekends, the
declaration's own non-working days, and the rule operators that count legal periods with them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import control, decl, evaluate, result_of

from checker.calendar import calendar_for, nth_monday, statutory_days

PUBLIC = calendar_for(True)


def period_of(finding: dict[str, Any]) -> dict[str, Any]:
    """The business-day period typed on the finding's deciding comparison."""
    period: dict[str, Any] = next(c["period"] for c in finding["explanation"]["comparisons"] if "period" in c)
    return period
PRIVATE = calendar_for(False)


def test_lfpa_days_for_public_bodies() -> None:
    days = statutory_days("public", 2026)
    for d in ("2026-01-01", "2026-02-05", "2026-03-21", "2026-05-01", "2026-05-05", "2026-09-01",
              "2026-09-16", "2026-11-20", "2026-12-25"):
        assert date.fromisoformat(d) in days
    assert date(2026, 2, 2) not in days  # the LFT's first Monday of February is not an LFPA day
    assert PUBLIC.is_business_day(date(2026, 2, 2)) and not PUBLIC.is_business_day(date(2026, 2, 5))


def test_lft_rest_days_for_private_operators_move_to_mondays() -> None:
    days = statutory_days("private", 2026)
    assert {nth_monday(2026, 2, 1), nth_monday(2026, 3, 3), nth_monday(2026, 11, 3)} == \
        {date(2026, 2, 2), date(2026, 3, 16), date(2026, 11, 16)}
    assert {date(2026, 2, 2), date(2026, 3, 16), date(2026, 11, 16)} <= days
    assert date(2026, 2, 5) not in days and date(2026, 5, 5) not in days  # LFPA-only dates
    assert PRIVATE.is_business_day(date(2026, 2, 5)) and not PRIVATE.is_business_day(date(2026, 2, 2))


def test_the_change_of_federal_executive_every_six_years() -> None:
    assert date(2030, 10, 1) in statutory_days("private", 2030)
    assert date(2030, 10, 1) in statutory_days("public", 2030)
    assert date(2030, 12, 1) in statutory_days("public", 2030)  # the LFPA's letter
    assert date(2026, 10, 1) not in statutory_days("private", 2026)


def test_weekends_and_declared_days() -> None:
    assert not PUBLIC.is_business_day(date(2026, 11, 21)) and not PUBLIC.is_business_day(date(2026, 11, 22))
    vacation = calendar_for(True, ["2026-12-21", "2026-12-22", date(2026, 12, 23)])
    assert not vacation.is_business_day(date(2026, 12, 22)) and PUBLIC.is_business_day(date(2026, 12, 22))


def test_the_impact_assessment_of_the_review_counts_back_thirty_business_days() -> None:
    # Review §2.2: launch on 1 September 2026; between 3 and 31 August there are only 21 business days,
    # and the legal filing date is about 20-21 July.
    assert PUBLIC.between(date(2026, 8, 2), date(2026, 8, 31)) == 21
    assert PUBLIC.subtract(date(2026, 9, 1), 30) == date(2026, 7, 21)
    # A body that declared two weeks of summer vacation must file two weeks earlier.
    summer = calendar_for(True, [date(2026, 7, d) for d in (13, 14, 15, 16, 17, 20, 21, 22, 23, 24)])
    assert summer.subtract(date(2026, 9, 1), 30) == date(2026, 7, 7)


def test_an_arco_period_runs_from_the_day_after_receipt() -> None:
    # Received Friday 11 Dec 2026; 25 Dec is an LFPA day; the body closes 24 and 31 Dec.
    closed = calendar_for(True, ["2026-12-24", "2026-12-31"])
    assert closed.add(date(2026, 12, 11), 20) == date(2027, 1, 14)
    assert PUBLIC.add(date(2026, 12, 11), 20) == date(2027, 1, 12)


DPIA_RULE = {"path": "governance.impact_assessment.filed_on",
             "at_most": {"path": "/program.launch_date", "minus_business_days": 30}}


@pytest.mark.parametrize(("filed_on", "expected"), [("2026-07-21", "pass"), ("2026-07-22", "fail"),
                                                    ("2026-08-02", "fail")])
def test_a_rule_compares_with_a_date_in_business_days(tmp_path: Path, filed_on: str, expected: str) -> None:
    doc = evaluate(tmp_path, decl(program={"launch_date": "2026-09-01"},
                                  governance={"impact_assessment": {"last_done": "2026-07-01", "filed_on": filed_on}}),
                   control("TST-01", DPIA_RULE))
    result = result_of(doc, "TST-01")
    assert result["status"] == expected
    finding = result["findings"][0]
    assert period_of(finding) == {"days": 30, "unit": "business_days", "direction": "before", "start": "2026-09-01",
                                  "start_path": "program.launch_date", "date": "2026-07-21"}
    if expected == "fail":
        assert "21 de julio de 2026" in finding["reason"] and "30 días hábiles" in finding["reason"]


def test_declared_non_working_days_move_the_date(tmp_path: Path) -> None:
    doc = evaluate(tmp_path, decl(program={"launch_date": "2026-09-01"},
                                  calendar={"non_working_days": ["2026-07-20", "2026-07-21"]},
                                  governance={"impact_assessment": {"filed_on": "2026-07-21"}}),
                   control("TST-01", DPIA_RULE), lang="en")
    finding = result_of(doc, "TST-01")["findings"][0]
    assert finding["status"] == "fail" and period_of(finding)["date"] == "2026-07-17"
    assert "17 July 2026" in finding["reason"] and "30 business days" in finding["reason"]


def test_a_private_operator_counts_with_the_lft(tmp_path: Path) -> None:
    # 16 November 2026 (third Monday) is an LFT rest day but a business day for the LFPA.
    rule = {"path": "governance.impact_assessment.filed_on",
            "at_most": {"path": "/program.launch_date", "minus_business_days": 1}}
    sections = {"governance": {"impact_assessment": {"filed_on": "2026-11-13"}}}
    public = evaluate(tmp_path, decl(program={"launch_date": "2026-11-17"}, **sections), control("TST-01", rule))
    private = evaluate(tmp_path, decl(program={"launch_date": "2026-11-17", "operator_type": "private_school"},
                                      **sections), control("TST-01", rule))
    assert period_of(result_of(public, "TST-01")["findings"][0])["date"] == "2026-11-16"
    assert period_of(result_of(private, "TST-01")["findings"][0])["date"] == "2026-11-13"


def test_an_encargado_counts_with_its_controllers_calendar(tmp_path: Path) -> None:
    rule = {"path": "governance.impact_assessment.filed_on",
            "at_most": {"path": "/program.launch_date", "minus_business_days": 1}}
    doc = evaluate(tmp_path, decl(program={"launch_date": "2026-11-17", "operator_type": "private_company",
                                           "role": "encargado", "controller": "SEP",
                                           "controller_type": "public_agency"},
                                  governance={"impact_assessment": {"filed_on": "2026-11-13"}}),
                   control("TST-01", rule))
    assert period_of(result_of(doc, "TST-01")["findings"][0])["date"] == "2026-11-16"


def test_a_period_in_business_days_shows_the_date_it_ends(tmp_path: Path) -> None:
    rule = {"path": "arco.committed_response_days", "at_most": {"business_days": 20}}
    doc = evaluate(tmp_path, decl(arco={"committed_response_days": 25}), control("TST-01", rule),
                   as_of="2026-12-11")
    finding = result_of(doc, "TST-01")["findings"][0]
    assert finding["status"] == "fail" and period_of(finding)["date"] == "2027-01-12"
    assert "12 de enero de 2027" in finding["reason"]
    ok = evaluate(tmp_path, decl(arco={"committed_response_days": 20}), control("TST-01", rule))
    assert result_of(ok, "TST-01")["status"] == "pass"


def _arco(cid: str) -> Any:
    """The shipped ARCO control itself (its rule, not a copy of it)."""
    from checker.catalog import load_catalog
    return next(c for c in load_catalog().controls if c.id == cid)


@pytest.mark.parametrize(("operator_type", "days", "ordinary", "extension", "extended"), [
    # Public (LGPDPPSO art. 45, LFPA art. 28): 20 days, extendable once by up to 10.
    ("public_school", 25, "2027-01-12", 10, "2027-01-26"),
    # Private (LFPDPPP art. 31, LFT art. 74): 20 days, extendable once by 20; 1 Feb 2027 is the
    # first Monday of February, an LFT rest day.
    ("private_school", 25, "2027-01-12", 20, "2027-02-10"),
])
def test_arco_answer_period_shows_the_extension_the_law_allows(
        tmp_path: Path, operator_type: str, days: int, ordinary: str, extension: int, extended: str) -> None:
    doc = evaluate(tmp_path, decl(program={"operator_type": operator_type},
                                  arco={"committed_response_days": days}),
                   _arco("ARC-02"), as_of="2026-12-11")
    finding = result_of(doc, "ARC-02")["findings"][0]
    assert finding["status"] == "fail"
    period = period_of(finding)
    assert (period["date"], period["extension_days"], period["extended_date"], period["counts_from"]) == (
        ordinary, extension, extended, "request")
    day, month = int(extended[-2:]), {"01": "enero", "02": "febrero"}[extended[5:7]]
    assert f"{day} de {month} de 2027" in finding["reason"]
    assert f"{extension} días hábiles más" in finding["reason"]


def test_arco_effective_period_extends_only_in_the_private_sector(tmp_path: Path) -> None:
    arco = {"committed_effective_days": 20}
    public = result_of(evaluate(tmp_path, decl(arco=arco), _arco("ARC-03"), as_of="2026-12-11",
                                lang="en"), "ARC-03")["findings"][0]
    # LGPDPPSO art. 45 allows no extension of the 15 days to make the answer effective.
    assert period_of(public)["date"] == "2027-01-05" and "extended_date" not in period_of(public)
    assert "an answer given on 11 December 2026 must take effect by 5 January 2027" in public["reason"]
    assert "extension" not in public["reason"]
    private = result_of(evaluate(tmp_path, decl(program={"operator_type": "private_school"}, arco=arco),
                                 _arco("ARC-03"), as_of="2026-12-11", lang="en"), "ARC-03")["findings"][0]
    assert (period_of(private)["extension_days"], period_of(private)["extended_date"]) == (15, "2027-01-26")
    assert "26 January 2027" in private["reason"]


def test_an_extension_without_a_period_is_refused() -> None:
    from pydantic import ValidationError

    from checker.catalog import Ref
    with pytest.raises(ValidationError, match="go with business_days"):
        Ref.model_validate({"path": "/program.launch_date", "extension_business_days": {"public": 10}})
