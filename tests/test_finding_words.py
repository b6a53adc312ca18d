"""The shortcuts of the per-finding path (issue 15.3/15.5) give what the long way gives.

- A clause is worded once per key (`checker.explain._CLAUSES`) and lent to every comparison with that
  key: a key that leaves out something the words depend on would put one subject's words in another's
  finding, a silent lie in a legal report. Comparisons that share a shape and differ in one thing must
  get their own words, in whatever order they are met.
- `labels.field_key` cut by hand (one item key) is what its regular expression gives.
- Findings, explanations and comparisons are built with their fields in the model's order
  (`trusted_exact`), and `_shallow` leaves out exactly what `plain_dict` leaves out.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from checker import explain
from checker.api import evaluate_file
from checker.labels import _INDEX, field_key
from checker.result import (
    BusinessPeriodOut,
    Comparison,
    Explanation,
    Finding,
    Model,
    Subject,
    _shallow,
    plain_dict,
    trusted,
)

ROOT = Path(__file__).resolve().parent.parent

# One comparison, and variants that each change one thing the words may depend on. The paths of the
# item keys (`systems[a]` / `systems[b]`) are the subject: they must not change the clause.
BASE: dict[str, Any] = {"status": "fail", "operator": "equals",
                        "path": "systems[a].encryption.in_transit.internal_traffic_encrypted", "declared": False,
                        "required": True}
VARIANTS: list[dict[str, Any]] = [
    {},
    {"declared": True, "status": "pass"},
    {"declared": 0},                       # 0 and False read differently: the key keeps the type
    {"declared": 1, "status": "pass"},
    {"declared": "tal vez"},
    {"declared": None},
    {"declared": [False, True]},
    {"declared": {"every": "P1Y", "last_done": "2026-01-02"}},
    {"required": False},
    {"required": 1},
    {"status": "pass"},
    {"status": "partial", "stale": True, "source": "scan", "scan": "s1", "scan_date": "2026-01-01",
     "scan_age_days": 323},
    {"path": "systems[a].encryption.in_transit.hsts"},   # a field with its own sentence
    {"path": "systems[a].encryption.at_rest.enabled"},
    {"path": "systems[a].encryption.at_rest.enabled", "status": "pass", "declared": True},
    {"operator": "in", "declared": False, "required": ["llave_mx"], "path": "systems[a].authentication"},
    {"operator": "in", "declared": False, "required": ["llave_mx"], "path": "systems[a].authentication",
     "field": "systems[a].authentication.provider"},
    {"operator": "not_equals"},
    {"operator": "at_least", "declared": "P6M", "required": "P1Y", "path": "systems[a].retention"},
    {"operator": "at_least", "declared": "P6M", "required": "P2Y", "path": "systems[a].retention"},
    {"operator": "at_most", "declared": 14, "required": 5, "path": "systems[a].admin_accounts"},
    {"operator": "at_most", "declared": 15, "required": 5, "path": "systems[a].admin_accounts"},
    {"operator": "at_most", "declared": 14, "required": 6, "path": "systems[a].admin_accounts"},
    {"operator": "at_most", "declared": 14, "required": 5, "path": "systems[a].admin_accounts",
     "parameter": "max_admins"},
    {"operator": "at_least", "declared": "2025-01-01", "required": "2025-06-01", "path": "systems[a].reviewed",
     "reference": "as_of", "offset": "-P1Y"},
    {"operator": "at_least", "declared": "2025-01-01", "required": "2025-06-01", "path": "systems[a].reviewed",
     "reference": "as_of", "offset": "-P2Y"},
    {"operator": "in", "declared": "x", "required": ["llave_mx", "password"],
     "path": "systems[a].authentication.provider"},
    {"operator": "in", "declared": "x", "required": ["llave_mx"], "path": "systems[a].authentication.provider"},
    {"operator": "contains_all", "declared": ["a"], "required": ["a", "b", "c"], "path": "systems[a].roles"},
    {"operator": "contains_all", "declared": ["b"], "required": ["a", "b", "c"], "path": "systems[a].roles"},
    {"source": "scan", "scan": "s1", "scan_date": "2026-11-20", "scan_age_days": 0},
    {"source": "scan", "scan": "s2", "scan_date": "2026-11-20", "scan_age_days": 0},
    {"source": "scan", "scan": "s1", "scan_date": "2026-11-19", "scan_age_days": 1},
    {"source": "scan", "scan": "s1", "scan_date": "2026-11-18", "scan_age_days": 1},   # only the date differs
    {"source": "scan", "scan": "s1", "scan_date": "2026-01-01", "scan_age_days": 323, "stale": True},
    {"source": "scan", "scan": "s1", "scan_date": "2026-01-01", "scan_age_days": 324, "stale": True},
    {"operator": "exists", "declared": None, "required": True},
    {"operator": "exists", "declared": None, "required": False},
    {"operator": "current", "declared": {"every": "P1Y", "last_done": "2025-01-02"}, "required": "current",
     "path": "systems[a].backup_test"},
    {"operator": "current", "declared": {"every": "P6M", "last_done": "2025-01-02"}, "required": "current",
     "path": "systems[a].backup_test"},
]


def _period(days: int, date: str) -> BusinessPeriodOut:
    return trusted(BusinessPeriodOut, days=days, unit="business_days", direction="before", start="2026-09-01",
                   start_path="program.launch_date", date=date)


VARIANTS += [
    {"operator": "at_most", "declared": "2026-08-01", "required": "2026-07-21", "path": "program.notice_date",
     "period": _period(30, "2026-07-21")},
    {"operator": "at_most", "declared": "2026-08-01", "required": "2026-07-21", "path": "program.notice_date",
     "period": _period(31, "2026-07-20")},
]


def _comparison(variant: dict[str, Any], subject: str = "a") -> Comparison:
    values = {**BASE, **variant}
    for key in ("path", "field"):
        if values.get(key):
            values[key] = values[key].replace("systems[a]", f"systems[{subject}]")
    return trusted(Comparison, **values)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_shared_clause_is_never_another_comparisons(lang: str) -> None:
    fresh = [explain._comparison_words(_comparison(v), lang) for v in VARIANTS]
    # the variants read differently, so a key that confuses two of them is caught below
    assert len(set(fresh)) == len(VARIANTS), [v for v, w in zip(VARIANTS, fresh, strict=True) if fresh.count(w) > 1]
    for order in (VARIANTS, VARIANTS[::-1]):
        explain._CLAUSES.clear()
        for variant in order:
            for subject in ("a", "b", "c"):   # other subjects, same shape: the words lent are the right ones
                c = _comparison(variant, subject)
                assert explain.comparison_words(c, lang) == explain._comparison_words(c, lang), (variant, subject)
    # the other language's clauses are not lent either
    other = "en" if lang == "es" else "es"
    for variant in VARIANTS:
        c = _comparison(variant, "d")
        assert explain.comparison_words(c, other) == explain._comparison_words(c, other)


def test_a_finding_names_its_own_subject() -> None:
    """Two hosts with the same clause: the words are shared, each sentence names its own host."""
    findings = []
    for host, name in (("10.0.0.1", "uno.example.mx"), ("10.0.0.2", None)):
        c = trusted(Comparison, status="pass", operator="equals", path=f"observed_hosts[{host}].observed.declared",
                    declared=True, required=True, source="scan", scan="campus", scan_date="2026-11-22",
                    scan_age_days=0)
        findings.append(trusted(Finding, subject=trusted(Subject, kind="host", id=host, name=name), status="pass",
                                code="NET-04.undeclared_host", path=c.path, location=None, source="scan",
                                fingerprint="", explanation=trusted(Explanation, code="compare", comparisons=[c])))
    first, second = (explain.reason(f, "es") for f in findings)
    assert first.startswith("uno.example.mx: ") and second.startswith("10.0.0.2: ")
    assert first.split(": ", 1)[1] == second.split(": ", 1)[1]


def test_field_key_without_its_expression() -> None:
    for n in range(8):
        for chars in itertools.product("ab[]/.", repeat=n):
            path = "".join(chars)
            assert field_key(path) == _INDEX.sub("", path).lstrip("/"), path


def _models(value: Any) -> Any:
    if isinstance(value, Model):
        yield value
        for v in value.__dict__.values():
            yield from _models(v)
    elif isinstance(value, list):
        for v in value:
            yield from _models(v)


@pytest.mark.parametrize("name", ["ai-center", "well-run-school", "vendor-review"])
def test_built_models_hold_their_fields_in_order(name: str) -> None:
    doc = evaluate_file(ROOT / "examples" / f"{name}.yaml", as_of="2026-11-20")
    seen: set[type] = set()
    for result in doc.results:
        for model in _models(result.findings):
            assert list(model.__dict__) == list(type(model).model_fields), type(model)
            # what orjson is given is what plain_dict gives, key for key
            shallow = _shallow(model)
            assert list(shallow) == list(plain_dict(model)), type(model)
            seen.add(type(model))
    assert {Finding, Explanation, Comparison} <= seen


def test_shallow_leaves_out_what_plain_dict_leaves_out() -> None:
    c = trusted(Comparison, status="fail", operator="equals", path="p", declared=None, required=None, stale=None)
    c.__pydantic_extra__.update({"stale_note": None, "alternative": None, "later": 1})
    assert list(_shallow(c)) == list(plain_dict(c)) == ["status", "operator", "path", "declared", "required",
                                                         "source", "stale_note", "later"]
