"""The condition language: paths, comparisons, all/any/not and quantifiers, in three-valued logic.

Semantics (shared/spec/results.md), implemented here once:
- `all`: fail if any part fails, else partial if any is partial, else unknown if any is unknown, else pass.
- `any`: pass if any part passes, else partial, else unknown, else fail. `not` swaps pass and fail.
- parts that are not_applicable are neutral; a combination of nothing but not_applicable is not_applicable.
- a quantifier over an absent list is unknown; over a declared list with no selected item, `every` is
  not_applicable and `some` is fail. An item whose `where` is unknown is checked anyway (Kleene
  implication): it passes if it meets `require`, else it is unknown.
- an absent value is unknown, with its path in `missing`, whatever the comparison (except `exists`).

How it runs: a catalog condition is compiled once, on first use, into two functions of a scope (a
`Plan`). `status` gives only the status; `outcome` gives an `Outcome` whose leaves and missing paths
are built only when someone reads them. A `where` only selects, and a result reads the leaves of the
parts that decided it, so most comparisons of an evaluation are never turned into a `Leaf`.
Paths and single comparisons live in `checker/rule_values.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.catalog import AllOf, AnyOf, Check, Condition, Every, NotOf, Some
from checker.rule_values import (
    SCALARS,
    BusinessPeriod,
    ItemOutcome,
    Leaf,
    Outcome,
    Pos,
    Resolved,
    RuleError,
    Scope,
    as_json,
    business_calendar,
    business_period,
    compare,
    current,
    deferred,
    evaluate_check,
    join_path,
    resolve,
    same,
    split_path,
)
from checker.vocabulary import FAIL, NA, PARTIAL, PASS, UNKNOWN

__all__ = ["NATURAL_KEYS", "SUBJECT_KINDS", "BusinessPeriod", "ItemOutcome", "Leaf", "Outcome", "Pos", "Resolved",
           "RuleError", "Scope", "as_json", "business_calendar", "business_period", "evaluate", "evaluate_check",
           "item_key", "item_outcome", "resolve", "status_of"]

# Lists whose items have no `id`: the natural key that addresses an item in a path.
NATURAL_KEYS = {"authentication": "audiences", "data_subjects": "type", "stored_attributes": "attribute"}
# Which subject kind the items of a list are.
SUBJECT_KINDS = {"systems": "system", "data_inventory": "data_category", "processors": "processor",
                 "transfers": "transfer", "observed_hosts": "host", "data_subjects": "data_subject",
                 "evidence": "evidence", "scans": "scan", "waivers": "waiver", "authentication": "authentication",
                 "modifications": "modification", "published_registers": "published_register"}


def item_key(section: str, item: Any, index: int) -> str:
    if isinstance(item, dict):
        if isinstance(item.get("id"), str):
            return item["id"]
        key = NATURAL_KEYS.get(section)
        if key and item.get(key) is not None:
            value = item[key]
            return "+".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(index)


# The roll-ups of results.md for the statuses a condition can have (never waived).
def _worst(statuses: list[str]) -> str:
    """`all` and `every`: the worst part; not_applicable only when nothing else is there."""
    if FAIL in statuses:
        return FAIL
    if PARTIAL in statuses:
        return PARTIAL
    if UNKNOWN in statuses:
        return UNKNOWN
    return PASS if PASS in statuses else NA


def _combine_any(statuses: list[str]) -> str:
    """`any` and `some`: the best part; not_applicable only when nothing else is there."""
    if PASS in statuses:
        return PASS
    if PARTIAL in statuses:
        return PARTIAL
    if UNKNOWN in statuses:
        return UNKNOWN
    return FAIL if FAIL in statuses else NA


_SWAP = {PASS: FAIL, FAIL: PASS}
# How many values a check remembers its result for (enumerations repeat; free text is forgotten), so
# that a long portfolio run keeps a flat memory.
_MEMO_MAX = 256

StatusFn = Callable[[Scope], str]
OutcomeFn = Callable[[Scope], Outcome]
Plan = tuple[StatusFn, OutcomeFn]

# One plan per catalog condition, kept with the condition so that its id is not reused while the
# entry lives (the catalog itself is loaded once per process).
_PLANS: dict[int, tuple[Any, StatusFn, OutcomeFn]] = {}


def _plan(cond: Condition) -> Plan:
    entry = _PLANS.get(id(cond))
    if entry is None or entry[0] is not cond:
        if len(_PLANS) > 20_000:
            _PLANS.clear()
        entry = (cond, *_compile(cond))
        _PLANS[id(cond)] = entry
    return entry[1], entry[2]


def evaluate(cond: Condition, scope: Scope) -> Outcome:
    """The outcome of a condition at a scope (leaves and missing paths built when first read)."""
    return _plan(cond)[1](scope)


def status_of(cond: Condition, scope: Scope) -> str:
    """Only the status of a condition at a scope."""
    return _plan(cond)[0](scope)


def _compile(cond: Any) -> Plan:
    kind = cond.__class__
    if kind is Check or isinstance(cond, Check):
        return _compile_check(cond)
    if isinstance(cond, AllOf | AnyOf):
        return _compile_group(cond)
    if isinstance(cond, NotOf):
        return _compile_not(cond)
    if isinstance(cond, Every | Some):
        return _compile_quantifier(cond)

    def refuse(scope: Scope) -> Any:
        raise RuleError(f"not a condition: {cond!r}")

    return refuse, refuse


# -- comparisons -------------------------------------------------------------------------------
_ABSENT: Any = object()    # the path leads nowhere (unknown)
_BLOCKED: Any = object()   # an object on the way was declared `false`


def _walker(absolute: bool, parts: tuple[str, ...], dotted: str) -> Callable[[Scope], Any]:
    """Where a path leads from a scope, without the position and id-addressed path `resolve` builds
    for leaves: the value, `_ABSENT` or `_BLOCKED` (same rules as `resolve`)."""

    def walk(scope: Scope) -> Any:
        node = scope.root if absolute else scope.node
        for part in parts:
            if node.__class__ is not dict and not isinstance(node, dict):
                if node is False:
                    return _BLOCKED
                if node is None:
                    return _ABSENT
                raise RuleError(f"path '{dotted}' goes through a {type(node).__name__} at '{part}'")
            node = node.get(part)
            if node is None:
                return _ABSENT
        return node

    return walk


def _decider(check: Check, op: str, operand: Any) -> Callable[[Any, Scope], str]:
    """The status of a check with a constant operand, from what its path led to (before the stale-scan
    rule). Mirrors `evaluate_check`, which builds the leaf when it is read. (`equals` a boolean or
    text: `_equals_status`.)"""
    if op == "exists":
        wanted = check.exists

        def exists(value: Any, scope: Scope) -> str:
            return PASS if (value is not _ABSENT and value is not _BLOCKED) == wanted else FAIL
        return exists
    if op == "not_empty":
        wanted_not_empty = check.not_empty

        def not_empty(value: Any, scope: Scope) -> str:
            if value is _ABSENT:
                return UNKNOWN
            empty = value is _BLOCKED or value in ("", [], {}) or value is False
            return FAIL if empty == wanted_not_empty else PASS
        return not_empty
    if op == "current":
        def is_current(value: Any, scope: Scope) -> str:
            if value is _ABSENT:
                return UNKNOWN
            return current(False if value is _BLOCKED else value, check, scope.as_of)
        return is_current
    # A comparison with a constant is a function of the value: text and whole numbers (enumerations,
    # versions, durations) repeat across items and programs, so each is compared once.
    memo: dict[Any, str] = {}

    def comparison(value: Any, scope: Scope) -> str:
        if value is _ABSENT:
            return UNKNOWN
        if value is _BLOCKED:
            return compare(op, False, True, operand, check)
        kind = value.__class__
        if kind is str or kind is int:
            found = memo.get(value)
            if found is None:
                if len(memo) > _MEMO_MAX:
                    memo.clear()
                found = memo[value] = compare(op, value, False, operand, check)
            return found
        return compare(op, value, False, operand, check)
    return comparison


def _compile_check(check: Check) -> Plan:
    op, operand, ref = check.__dict__["_plan"]
    absolute, parts, _ = split_path(check.path)
    if ref is not None or "observed" in parts or "observed_hosts" in parts:
        # A value taken from elsewhere, or facts a scan observed (the scan a leaf cites changes on the
        # way): few checks, evaluated in full.
        def full_status(scope: Scope) -> str:
            return evaluate_check(check, scope).status

        def full_outcome(scope: Scope) -> Outcome:
            return evaluate_check(check, scope)
        return full_status, full_outcome

    if op == "equals" and (operand.__class__ is bool or operand.__class__ is str):
        status = _equals_status(check, absolute, parts, operand)
    else:
        walk = _walker(absolute, parts, check.path)
        decide = _decider(check, op, operand)

        def status(scope: Scope) -> str:
            found = decide(walk(scope), scope)
            if found == PASS and not absolute and scope.stale and scope.scan:
                return PARTIAL  # a pass that rests only on a stale scan
            return found

    # What the leaf shows as required when the value is there, and when it is absent (evaluate_check).
    shown = {"exists": check.exists, "not_empty": check.not_empty,
             "current": "current" if check.current else "not current"}.get(op, operand)
    shown_absent = {"exists": check.exists, "not_empty": True}.get(op, operand)
    leaf = _LeafPlan(check, op, shown, shown_absent)

    def outcome(scope: Scope) -> Outcome:
        return deferred(status(scope), (_check_leaves, leaf, scope))
    return status, outcome


def _equals_status(check: Check, absolute: bool, parts: tuple[str, ...], operand: bool | str) -> StatusFn:
    """`equals` a constant boolean or text, two thirds of the catalog's checks: the path walked (as
    `_walker`) and the value compared (as `compare`) in one call."""
    dotted = check.path
    is_bool = operand.__class__ is bool
    memo: dict[str, bool] = {}   # text compared as versions, dates or durations, once per text

    def status(scope: Scope) -> str:
        node = scope.root if absolute else scope.node
        for part in parts:
            if node.__class__ is not dict and not isinstance(node, dict):
                if node is False:
                    return FAIL  # through an object declared `false`
                if node is None:
                    return UNKNOWN
                raise RuleError(f"path '{dotted}' goes through a {type(node).__name__} at '{part}'")
            node = node.get(part)
            if node is None:
                return UNKNOWN
        if node is not operand:
            if is_bool:
                return FAIL
            if node.__class__ is str:
                held = memo.get(node)
                if held is None:
                    if len(memo) > _MEMO_MAX:
                        memo.clear()
                    held = memo[node] = same(node, operand)
            else:
                held = same(node, operand)
            if not held:
                return FAIL
        return PARTIAL if not absolute and scope.stale and scope.scan else PASS  # partial: a stale scan
    return status


class _LeafPlan:
    """What a check's leaf holds whatever the declaration."""

    __slots__ = ("check", "op", "shown", "shown_absent", "absolute", "parts", "joined", "code", "operand")

    def __init__(self, check: Check, op: str, shown: Any, shown_absent: Any) -> None:
        self.check, self.op, self.code, self.operand = check, op, check.code, check.operand
        self.shown, self.shown_absent = _as_data(shown), _as_data(shown_absent)
        self.absolute, self.parts, self.joined = split_path(check.path)


def _as_data(value: Any) -> Callable[[], Any]:
    """A constant as the JSON data a leaf shows, a fresh copy for each leaf (leaves do not share lists)."""
    if value.__class__ in SCALARS:
        return lambda: value
    if value.__class__ is list and all(v.__class__ in SCALARS for v in value):
        return value.copy  # a list of values (`in`, `contains_all`): copying it is enough
    return lambda: as_json(value)


def _check_leaves(plan: _LeafPlan, scope: Scope, status: str) -> tuple[list[Leaf], list[str]]:
    """The leaf of a check with a constant operand whose status is known (as `evaluate_check` makes it)."""
    check = plan.check
    node = scope.root if plan.absolute else scope.node
    parts = plan.parts
    for at, part in enumerate(parts):
        if node.__class__ is not dict:
            break
        node = node.get(part)
        if node is None:
            # Absent (unknown): the leaf points where the walk stopped and asks for the whole path.
            apos: Pos
            if plan.absolute:
                apos, apath, ascan = parts[:at], plan.joined, None
            else:
                base = scope.path
                apos = scope.pos + parts[:at]
                apath = f"{base}.{plan.joined}" if base and plan.joined else (base or plan.joined)
                ascan = scope.scan
            lf = Leaf(status, apos, apath, plan.op, None, plan.shown_absent(),
                      "scan" if ascan else "declared", ascan, plan.code, plan.operand, None, None, None,
                      bool(ascan) and scope.stale)
            return [lf], [apath] if status == UNKNOWN else []
    else:
        # The value is there (most leaves): its place without `resolve`'s general walk.
        pos: Pos
        if plan.absolute:
            pos, path, scan, source = plan.parts, plan.joined, None, "declared"
        else:
            base = scope.path
            pos = scope.pos + plan.parts
            path = f"{base}.{plan.joined}" if base and plan.joined else (base or plan.joined)
            scan = scope.scan
            source = "scan" if scan else "declared"
        lf = Leaf(status, pos, path, plan.op, node if node.__class__ in SCALARS else as_json(node),
                  plan.shown(), source, scan, plan.code, plan.operand, None, None, None,
                  bool(scan) and scope.stale and not plan.absolute)
        if status != UNKNOWN:
            return [lf], []
        return [lf], [f"{path}.every"]  # only `current` is unknown with a value: how often is not declared
    got = resolve(scope, check.path)
    value = got.value
    lf = Leaf(status, got.pos, got.path, plan.op, value if value.__class__ in SCALARS else as_json(value),
              (plan.shown if got.present else plan.shown_absent)(), got.source, got.scan, plan.code,
              plan.operand, None, None, None, got.stale and got.source == "scan",
              join_path(got.path, got.rest) if got.rest else None)
    if status != UNKNOWN:
        return [lf], []
    if got.present:
        return [lf], [f"{got.path}.every"]
    return [lf], [got.path]


# -- all / any / not -------------------------------------------------------------------------
def _compile_group(cond: AllOf | AnyOf) -> Plan:
    is_all = isinstance(cond, AllOf)
    plans = [_compile(c) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    statuses = [p[0] for p in plans]
    outcomes = [p[1] for p in plans]
    combine = _worst if is_all else _combine_any
    group = None if is_all else id(cond)   # renumbered by the evaluator; an inner `any` keeps its own group

    def status(scope: Scope) -> str:
        return combine([s(scope) for s in statuses])

    def outcome(scope: Scope) -> Outcome:
        parts = [o(scope) for o in outcomes]
        found = combine([p.status for p in parts])
        return deferred(found, (_group_leaves, parts, group), parts=parts)
    return status, outcome


def _group_leaves(parts: list[Outcome], group: int | None, status: str) -> tuple[list[Leaf], list[str]]:
    deciding = [p for p in parts if p.status == status] or parts
    leaves = [lf for p in deciding for lf in p.leaves]
    if group is not None and status == FAIL and len(deciding) > 1:
        # a failed `any`: its alternatives, none of which holds, are shown together
        for lf in leaves:
            if lf.group is None:
                lf.group = group
    return leaves, [m for p in deciding for m in p.missing] if status == UNKNOWN else []


def _compile_not(cond: NotOf) -> Plan:
    inner_status, inner_outcome = _compile(cond.not_)

    def status(scope: Scope) -> str:
        found = inner_status(scope)
        return _SWAP.get(found, found)

    def outcome(scope: Scope) -> Outcome:
        inner = inner_outcome(scope)
        return deferred(_SWAP.get(inner.status, inner.status), (_inner_leaves, inner, None))
    return status, outcome


def _inner_leaves(inner: Outcome, _: Any, status: str) -> tuple[list[Leaf], list[str]]:
    return inner.leaves, inner.missing


# -- quantifiers -----------------------------------------------------------------------------
def _compile_quantifier(cond: Every | Some) -> Plan:
    every = isinstance(cond, Every)
    list_path = cond.list_path
    section = list_path.rsplit(".", 1)[-1].lstrip("/")
    kind = SUBJECT_KINDS.get(section, section)
    word = "every" if every else "some"
    empty = NA if every else FAIL   # a declared list with no selected item
    combine = _worst if every else _combine_any
    where_status: StatusFn | None = None
    where_outcome: OutcomeFn | None = None
    if cond.where is not None:
        where_status, where_outcome = _compile(cond.where)
    require_status, require_outcome = _compile(cond.require)
    walk = _walker(*split_path(list_path)[:2], list_path)

    def status(scope: Scope) -> str:
        value = walk(scope)
        if value is _ABSENT:
            return UNKNOWN
        if value is _BLOCKED or value is False or not isinstance(value, list):
            return empty
        scan, stale = scope.scan, scope.stale
        # One scope for every item, moved along: a status keeps no reference to the scope it read.
        probe = Scope(None, (), "", scope.root, scope.as_of, scope.parameters, scan, stale)
        statuses = []
        for item in value:
            probe.node = item
            if isinstance(item, dict) and "scan" in item and isinstance(item.get("scan"), str):
                probe.scan, probe.stale = item["scan"], bool(item.get("stale"))
            else:
                probe.scan, probe.stale = scan, stale
            selected = PASS
            if where_status is not None:
                selected = where_status(probe)
                if selected in (FAIL, NA):
                    continue
            found = require_status(probe)
            statuses.append(UNKNOWN if selected == UNKNOWN and found != PASS else found)
        return combine(statuses) if statuses else empty

    one = _ItemPlan(kind, section, where_status, where_outcome, require_outcome)
    if len(_ITEM_PLANS) > 20_000:
        _ITEM_PLANS.clear()
    _ITEM_PLANS[id(cond)] = (cond, one)

    def outcome(scope: Scope) -> Outcome:
        got = resolve(scope, list_path)
        if not got.present:
            lf = Leaf(UNKNOWN, got.pos, got.path, word, None, None, got.source, got.scan)
            return Outcome(UNKNOWN, [lf], [got.path], items=[])
        value = got.value
        if value is False or not isinstance(value, list):
            lf = Leaf(FAIL, got.pos, got.path, "some", as_json(value), None, got.source, got.scan)
            return Outcome(empty, [lf], [], items=[])
        probe = Scope(None, (), "", scope.root, scope.as_of, scope.parameters, scope.scan, scope.stale) \
            if where_status is not None else None
        items: list[ItemOutcome] = []
        for index, item in enumerate(value):
            found = one(scope, got, index, item, probe)
            if found is not None:
                items.append(found)
        if not items:
            lf = Leaf(empty, got.pos, got.path, word, len(value), None, got.source, got.scan)
            return Outcome(empty, [lf], [], items=[])
        found_status = combine([i.outcome.status for i in items])
        return deferred(found_status, (_quantifier_leaves, items, not every), items=items)
    return status, outcome


class _ItemPlan:
    """One item of a quantifier's list: selected by `where` or not, and its outcome under `require`."""

    __slots__ = ("kind", "section", "where_status", "where_outcome", "require_outcome")

    def __init__(self, kind: str, section: str, where_status: StatusFn | None, where_outcome: OutcomeFn | None,
                 require_outcome: OutcomeFn) -> None:
        self.kind, self.section = kind, section
        self.where_status, self.where_outcome, self.require_outcome = where_status, where_outcome, require_outcome

    def __call__(self, scope: Scope, got: Resolved, index: int, item: Any, probe: Scope | None) -> ItemOutcome | None:
        is_map = isinstance(item, dict)
        iscan, istale = scope.scan, scope.stale
        if is_map and "scan" in item and isinstance(item.get("scan"), str):
            iscan, istale = item["scan"], bool(item.get("stale"))
        selected = PASS
        where_status = self.where_status
        if where_status is not None:
            # Selecting needs no position or path: they are made for the selected items only.
            if probe is None:
                probe = Scope(None, (), "", scope.root, scope.as_of, scope.parameters)
            probe.node, probe.scan, probe.stale = item, iscan, istale
            selected = where_status(probe)
            if selected in (FAIL, NA):
                return None
        key = item.get("id") if is_map else None
        if key.__class__ is not str:
            key = item_key(self.section, item, index)
        ipos = got.pos + (index,)
        iscope = Scope(item, ipos, f"{got.path}[{key}]", scope.root, scope.as_of, scope.parameters, iscan, istale)
        result = self.require_outcome(iscope)
        if selected == UNKNOWN and result.status != PASS:
            # Kleene: we cannot tell whether the item is in scope, and it does not comply.
            result = deferred(UNKNOWN, (_kleene_leaves, result, (self.where_outcome, iscope)))
        name = item.get("name") if is_map else None
        return ItemOutcome(self.kind, key, name if name.__class__ is str or isinstance(name, str) else None,
                           ipos, iscope.path, result)


# The item plan of each `every`/`some` compiled, kept with its condition (as `_PLANS`).
_ITEM_PLANS: dict[int, tuple[Any, _ItemPlan]] = {}


def item_outcome(cond: Every, scope: Scope, got: Resolved, index: int) -> ItemOutcome | None:
    """The outcome of one item of `cond`'s list (`got`, as `resolve` found it from `scope`) as the whole
    quantifier's evaluation has it; None when `where` leaves the item out."""
    entry = _ITEM_PLANS.get(id(cond))
    if entry is None or entry[0] is not cond:
        _compile(cond)   # registers it
        entry = _ITEM_PLANS[id(cond)]
    return entry[1](scope, got, index, got.value[index], None)


def _kleene_leaves(result: Outcome, where: tuple[Any, Scope], status: str) -> tuple[list[Leaf], list[str]]:
    selected: Outcome = where[0](where[1])
    return result.leaves + selected.leaves, result.missing + selected.missing


def _quantifier_leaves(items: list[ItemOutcome], some: bool, status: str) -> tuple[list[Leaf], list[str]]:
    deciding = [i.outcome for i in items if i.outcome.status == status] or [i.outcome for i in items]
    if some and status == PASS:
        deciding = deciding[:1]
    return [lf for o in deciding for lf in o.leaves], [m for o in deciding for m in o.missing] \
        if status == UNKNOWN else []

