"""The condition engine as it was before it was compiled (1.x, checker/rules.py at 20b47ee), kept only as
the oracle of tests/test_rule_plans.py: a plain recursive interpreter that builds every leaf.

Only what the compilation changed is kept here (the tree walk, the quantifiers and the outcome a leaf
builds); paths, operands, periods, the comparison of one value and leaves did not change and are imported
from the package, so the oracle checks the compiled plans, not a second copy of the path resolver or of
the operators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.catalog import AllOf, AnyOf, Check, Condition, Every, NotOf, Some
from checker.durations import Duration
from checker.rule_values import (
    _CONSTANT,
    SCALARS,
    BusinessPeriod,
    ItemOutcome,
    Leaf,
    Resolved,
    RuleError,
    Scope,
    _jsonable,
    _operand,
    _Origin,
    _period,
    _to_date,
    compare,
    join_path,
    resolve,
)
from checker.rules import SUBJECT_KINDS, _combine_any, item_key

# The statuses and their roll-up order live in checker.vocabulary (the one place).
from checker.vocabulary import FAIL, NA, PARTIAL, PASS, UNKNOWN, worst


@dataclass(slots=True)
class Outcome:
    status: str
    leaves: list[Leaf] = field(default_factory=list)      # the leaves that decided this status
    missing: list[str] = field(default_factory=list)      # for unknown: the paths to declare
    items: list[ItemOutcome] | None = None                # for quantifiers: one per selected item
    parts: list[Outcome] | None = None                    # for all/any: each part's outcome


def evaluate_check(check: Check, scope: Scope) -> Outcome:
    got = resolve(scope, check.path)
    op, operand, ref = check.__dict__["_plan"]
    period = _period(check, scope) if ref is not None else None
    # The required value and its origin, for explanations (set once the operand is resolved).
    actual: Any = None if ref is not None else operand
    origin = _CONSTANT
    missing: list[str] | None = None
    shown: Any
    if op == "exists":
        # The presence test itself: never unknown. Through an object declared `false`, it is absent.
        present = got.present and not got.blocked_by_false
        status, shown = (PASS if present == check.exists else FAIL), check.exists
    elif op == "not_empty":
        if not got.present:
            status, shown = UNKNOWN, True
        else:
            empty = got.blocked_by_false or got.value in ("", [], {}) or got.value is False
            status, shown = (FAIL if empty == check.not_empty else PASS), check.not_empty
    elif not got.present:
        status, shown = UNKNOWN, operand
    elif op == "current":
        return _current(got.value, check, scope,
                        lambda st, req: _leaf_outcome(st, req, got, op, check, actual, origin, period))
    else:
        required, missing, description, origin = _operand(check, scope)
        actual = required
        if missing:
            status, shown = UNKNOWN, description
        else:
            shown = description or required
            status = compare(op, got.value, got.blocked_by_false, required, check)
    out = _leaf_outcome(status, shown, got, op, check, actual, origin, period)
    if missing:
        out.missing = missing
    return out


def _leaf_outcome(status: str, required: Any, got: Resolved, op: str, check: Check, actual: Any, how: _Origin,
                  period: BusinessPeriod | None) -> Outcome:
    stale = got.stale and got.source == "scan"
    if stale and status == PASS:
        status = PARTIAL  # a pass that rests only on a stale scan
    value = got.value
    lf = Leaf(status, got.pos, got.path, op, value if value.__class__ in SCALARS else _jsonable(value),
              required if required.__class__ in SCALARS else _jsonable(required), got.source,
              got.scan, check.code, actual, how.parameter, how.reference, how.offset,
              stale, join_path(got.path, got.rest) if got.rest else None, period=period)
    return Outcome(status, [lf], [got.path] if status == UNKNOWN else [])


def _current(value: Any, check: Check, scope: Scope, leaf: Any) -> Outcome:
    """Recurring work {every, last_done}: done, and not overdue at the evaluation date."""
    required = "current" if check.current else "not current"
    if value is False or not isinstance(value, dict):
        status = FAIL
    elif value.get("last_done") is None:
        status = FAIL  # never done
    elif value.get("every") is None:
        out: Outcome = leaf(UNKNOWN, required)
        out.missing = [f"{resolve(scope, check.path).path}.every"]
        return out
    else:
        last = _to_date(value["last_done"])
        due = Duration.parse(value["every"]).add_to(last) if last else None
        status = PASS if due is not None and due >= scope.as_of else FAIL
    if not check.current:
        status = {PASS: FAIL, FAIL: PASS}.get(status, status)
    result: Outcome = leaf(status, required)
    return result


# -- the tree --------------------------------------------------------------------------------
def evaluate(cond: Condition, scope: Scope) -> Outcome:
    kind = cond.__class__
    if kind is Check:
        return evaluate_check(cond, scope)  # type: ignore[arg-type]
    if kind is Every or kind is Some:
        return _quantify(cond, scope)  # type: ignore[arg-type]
    if isinstance(cond, Check):
        return evaluate_check(cond, scope)
    if isinstance(cond, AllOf | AnyOf):
        parts = [evaluate(c, scope) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
        statuses = [p.status for p in parts]
        status = worst(statuses) if isinstance(cond, AllOf) else _combine_any(statuses)
        deciding = [p for p in parts if p.status == status] or parts
        leaves = [lf for p in deciding for lf in p.leaves]
        if isinstance(cond, AnyOf) and status == FAIL and len(deciding) > 1:
            group = id(cond)   # renumbered by the evaluator; an inner `any` keeps its own group
            for lf in leaves:
                if lf.group is None:
                    lf.group = group
        return Outcome(status, leaves, [m for p in deciding for m in p.missing] if status == UNKNOWN else [],
                       parts=parts)
    if isinstance(cond, NotOf):
        inner = evaluate(cond.not_, scope)
        status = {PASS: FAIL, FAIL: PASS}.get(inner.status, inner.status)
        return Outcome(status, inner.leaves, inner.missing)
    if isinstance(cond, Every | Some):
        return _quantify(cond, scope)
    raise RuleError(f"not a condition: {cond!r}")


_SELECTED = Outcome(PASS)   # an item of a quantifier without `where` (read, never changed)


def _quantify(cond: Every | Some, scope: Scope) -> Outcome:
    every = cond.__class__ is Every or isinstance(cond, Every)
    list_path = cond.every if isinstance(cond, Every) else cond.some
    got = resolve(scope, list_path)
    section = list_path.rsplit(".", 1)[-1].lstrip("/")
    if not got.present:
        lf = Leaf(UNKNOWN, got.pos, got.path, "every" if every else "some", None, None, got.source, got.scan)
        return Outcome(UNKNOWN, [lf], [got.path], items=[])
    if got.value is False or not isinstance(got.value, list):
        lf = Leaf(FAIL, got.pos, got.path, "some", _jsonable(got.value), None, got.source, got.scan)
        return Outcome(NA if every else FAIL, [lf], [], items=[])
    base = Scope(scope.node, scope.pos, scope.path, scope.root, scope.as_of, scope.parameters, scope.scan,
                 scope.stale)
    kind = SUBJECT_KINDS.get(section, section)
    where, require = cond.where, cond.require
    items: list[ItemOutcome] = []
    for index, item in enumerate(got.value):
        key = item_key(section, item, index)
        ipos = got.pos + (index,)
        ipath = f"{got.path}[{key}]"
        iscope = base.enter(item, ipos, ipath)
        selected = evaluate(where, iscope) if where is not None else _SELECTED
        if selected.status == FAIL or selected.status == NA:
            continue
        result = evaluate(require, iscope)
        if selected.status == UNKNOWN and result.status != PASS:
            # Kleene: we cannot tell whether the item is in scope, and it does not comply.
            result = Outcome(UNKNOWN, result.leaves + selected.leaves,
                             result.missing + selected.missing)
        name = item.get("name") if isinstance(item, dict) else None
        items.append(ItemOutcome(kind, key, name if isinstance(name, str) else None, ipos, ipath, result))
    if not items:
        status = NA if every else FAIL
        lf = Leaf(status, got.pos, got.path, "every" if every else "some", len(got.value), None,
                  got.source, got.scan)
        return Outcome(status, [lf], [], items=[])
    statuses = [i.outcome.status for i in items]
    status = worst(statuses) if every else _combine_any(statuses)
    deciding = [i.outcome for i in items if i.outcome.status == status] or [i.outcome for i in items]
    if isinstance(cond, Some) and status == PASS:
        deciding = deciding[:1]
    return Outcome(status, [lf for o in deciding for lf in o.leaves],
                   [m for o in deciding for m in o.missing] if status == UNKNOWN else [], items=items)
