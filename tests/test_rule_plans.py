"""The compiled condition engine (checker/rules.py) against the plain interpreter it replaced
(tests/rules_reference.py): on generated condition trees and documents, the same status, leaves, missing
paths, items and parts, and the same error when a rule cannot be applied."""

from __future__ import annotations

from datetime import date
from typing import Any

import rules_reference as reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from checker import rules
from checker.catalog import Condition

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
AS_OF = date(2026, 11, 20)
PARAMETERS = {"p": 3, "q": "1.2"}

SCALARS = st.sampled_from([True, False, None, 0, 3, 7, 2.5, "1.2", "1.10", "2026-01-01", "2025-06-30", "P1Y",
                           "P30D", "x", "y", "", "s1"])
LEAF_VALUES = SCALARS | st.lists(SCALARS, max_size=3)
INNER = st.dictionaries(st.sampled_from(["b", "c", "a"]), LEAF_VALUES, max_size=3)
# Objects with the keys the paths below name, so that most paths lead somewhere.
OBJECTS = st.dictionaries(st.sampled_from(["b", "c", "observed", "last_done", "every", "scan", "stale", "id", "name",
                                           "items"]), LEAF_VALUES | INNER | INNER, max_size=6)
VALUES = OBJECTS | OBJECTS | LEAF_VALUES
ITEM = st.dictionaries(st.sampled_from(["a", "b", "c", "id", "name", "scan", "stale", "observed"]),
                       VALUES | LEAF_VALUES, max_size=6)
ITEMS = st.lists(ITEM, min_size=1, max_size=4) | st.lists(ITEM, max_size=4) | st.lists(ITEM | SCALARS, max_size=2) \
    | SCALARS
DOCUMENT = st.fixed_dictionaries({"a": VALUES, "items": ITEMS}, optional={
    "b": VALUES, "c": LEAF_VALUES,
    "observed": st.dictionaries(st.sampled_from(["a", "b", "scan", "stale", "scan_ids"]), LEAF_VALUES, max_size=3)})

PATHS = st.sampled_from(["a", "b", "a.b", "b.c", "a.b.c", "/a", "/b.c", "items", "observed.a", "a.observed.b",
                         "id", "name", "scan", "/items", "c"])
OPERAND = SCALARS | st.lists(SCALARS, max_size=3)
REFS = st.sampled_from([{"path": "b"}, {"path": "/a"}, {"parameter": "p"}, {"parameter": "q"},
                        {"as_of_minus": "P1Y"}, {"path": "c", "plus": "P30D"}, {"path": "/b", "minus": "P1Y"},
                        {"business_days": 20}, {"path": "a", "plus_business_days": 5}])


@st.composite
def checks(draw: Any) -> dict[str, Any]:
    path = draw(PATHS)
    op = draw(st.sampled_from(["equals", "not_equals", "in", "not_in", "at_least", "at_most", "exists", "not_empty",
                               "contains", "contains_all", "contains_any", "contains_none", "current"]))
    if op in ("exists", "not_empty", "current"):
        check: dict[str, Any] = {"path": path, op: draw(st.booleans())}
    elif op in ("in", "not_in", "contains_all", "contains_any", "contains_none"):
        check = {"path": path, op: draw(st.lists(SCALARS, max_size=3))}
        if op == "contains_all" and draw(st.booleans()):
            check["partial_at_least"] = draw(st.integers(0, 2))
    else:
        check = {"path": path, op: draw(REFS if draw(st.integers(0, 4)) == 0 else OPERAND)}
    if draw(st.booleans()):
        check["code"] = "c1"
    return check


@st.composite
def conditions(draw: Any, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.integers(0, 9)) if depth < 3 else 0
    if kind <= 2:
        return draw(checks())
    if kind <= 6:
        parts = [draw(conditions(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
        return {"all" if kind <= 4 else "any": parts}
    if kind == 7:
        return {"not": draw(conditions(depth + 1))}
    cond: dict[str, Any] = {draw(st.sampled_from(["every", "some"])): draw(st.sampled_from(
        ["items", "/items", "a", "b.c", "b"])), "require": draw(conditions(depth + 1))}
    if draw(st.booleans()):
        cond["where"] = draw(conditions(depth + 1))
    return cond


def _leaf(lf: Any, groups: dict[int, int]) -> dict[str, Any]:
    data = {name: getattr(lf, name) for name in ("status", "pos", "path", "operator", "declared", "required",
                                                  "source", "scan", "code", "value", "parameter", "reference",
                                                  "offset", "stale", "field", "period")}
    data["period"] = repr(data["period"])
    data["group"] = None if lf.group is None else groups.setdefault(lf.group, len(groups))
    return data


def plain(outcome: Any, groups: dict[int, int] | None = None) -> dict[str, Any]:
    """An outcome as data, read top-down (as the evaluator reads it), groups numbered by first use."""
    groups = {} if groups is None else groups
    leaves = [_leaf(lf, groups) for lf in outcome.leaves]
    return {"status": outcome.status, "leaves": leaves, "missing": list(outcome.missing),
            "items": None if outcome.items is None else [
                (i.kind, i.id, i.name, i.pos, i.path, plain(i.outcome, groups)) for i in outcome.items],
            "parts": None if outcome.parts is None else [plain(p, groups) for p in outcome.parts]}


def run(engine: Any, cond: Any, doc: dict[str, Any], node: Any, scan: str | None, stale: bool) -> Any:
    scope = engine.Scope(node, ("x",), "x", doc, AS_OF, PARAMETERS, scan, stale)
    try:
        out = engine.evaluate(cond, scope)
        return plain(out)
    except Exception as exc:  # noqa: BLE001 - the same error (type and message) is the expected behaviour
        return ("error", type(exc).__name__, str(exc))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=conditions(), docs=st.lists(DOCUMENT, min_size=1, max_size=3), at_top=st.booleans(),
       scan=st.sampled_from([None, "", "s1"]), stale=st.booleans())
def test_compiled_engine_matches_the_reference(raw: dict[str, Any], docs: list[dict[str, Any]], at_top: bool,
                                                scan: str | None, stale: bool) -> None:
    cond = CONDITION.validate_python(raw)
    # one condition over several documents, as a catalog over a portfolio (what a plan remembers
    # from one document must not leak into the next)
    for doc in docs:
        node = doc if at_top else doc.get("a")
        expected = run(reference, cond, doc, node, scan, stale)
        assert run(rules, cond, doc, node, scan, stale) == expected
        # and the status alone, as applicability and `where` ask for it
        if not isinstance(expected, tuple):
            scope = rules.Scope(node, ("x",), "x", doc, AS_OF, PARAMETERS, scan, stale)
            assert rules.status_of(cond, scope) == expected["status"]


def test_a_where_is_read_only_when_it_decides() -> None:
    """An item whose `where` is unknown and which does not comply is unknown, with the where's missing
    path; a selected compliant item carries no trace of its `where`."""
    cond = CONDITION.validate_python({"every": "items", "where": {"path": "a", "equals": True},
                                      "require": {"path": "b", "equals": 1}})
    doc = {"items": [{"id": "i1", "b": 2}, {"id": "i2", "a": True, "b": 1}, {"id": "i3", "a": False}]}
    out = rules.evaluate(cond, rules.Scope(doc, (), "", doc, AS_OF, {}))
    assert out.status == "unknown"
    assert rules.status_of(cond, rules.Scope(doc, (), "", doc, AS_OF, {})) == "unknown"
    assert [(i.id, i.outcome.status) for i in out.items or []] == [("i1", "unknown"), ("i2", "pass")]
    assert out.missing == ["items[i1].a"]
    assert [lf.path for lf in out.leaves] == ["items[i1].b", "items[i1].a"]
    assert plain(out) == plain(reference.evaluate(cond, reference.Scope(doc, (), "", doc, AS_OF, {})))


def test_recurring_work_done_but_without_a_period_asks_for_it() -> None:
    cond = CONDITION.validate_python({"all": [{"path": "backup", "current": True},
                                              {"path": "review", "current": True}]})
    doc = {"backup": {"last_done": "2026-10-01"}, "review": {"last_done": "2026-10-01", "every": "P1Y"}}
    out = rules.evaluate(cond, rules.Scope(doc, (), "", doc, AS_OF, {}))
    assert (out.status, out.missing) == ("unknown", ["backup.every"])
    assert plain(out) == plain(reference.evaluate(cond, reference.Scope(doc, (), "", doc, AS_OF, {})))


def test_a_pass_on_a_stale_scan_is_partial_unless_the_path_starts_at_the_top() -> None:
    cond = CONDITION.validate_python({"all": [{"path": "tls", "equals": True},
                                              {"path": "/program.ok", "equals": True}]})
    doc = {"program": {"ok": True}}
    item = {"tls": True}
    for engine in (rules, reference):
        out = engine.evaluate(cond, engine.Scope(item, ("systems", 0), "systems[web]", doc, AS_OF, {}, "scan-1", True))
        assert [(lf.path, lf.status, lf.stale) for lf in out.parts[0].leaves + out.parts[1].leaves] == [
            ("systems[web].tls", "partial", True), ("program.ok", "pass", False)]
        assert out.status == "partial"


def test_the_same_check_over_many_values_compares_each() -> None:
    """Text compared as a version, a date or a duration, and numbers, over several programs in a row."""
    for raw in ({"path": "a", "equals": "1.2"}, {"path": "a", "in": ["1.2", "P1Y", 3]},
                {"path": "a", "at_least": "1.10"}, {"path": "a", "not_equals": "2026-01-01"}):
        cond = CONDITION.validate_python(raw)
        for value in ("1.2.0", "1.3", "x", "1.2", "P12M", "P1Y", "2026-01-01", 3, 4, "1.2.0", "1.9", True):
            doc = {"a": value}
            got = rules.evaluate(cond, rules.Scope(doc, (), "", doc, AS_OF, {}))
            want = reference.evaluate(cond, reference.Scope(doc, (), "", doc, AS_OF, {}))
            assert plain(got) == plain(want), (raw, value)
