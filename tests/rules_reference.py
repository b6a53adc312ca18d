"""The condition engine as it was before it was compiled (1.x, checker/rules.py at 20b47ee), kept only as
the oracle of tests/test_rule_plans.py: a plain recursive interpreter that builds every leaf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from checker.calendar import BusinessCalendar, calendar_for
from checker.catalog import AllOf, AnyOf, Check, Condition, Every, NotOf, Some
from checker.durations import Duration, is_duration, parse_version

# The statuses and their roll-up order live in checker.vocabulary (the one place).
from checker.vocabulary import FAIL, NA, PARTIAL, PASS, UNKNOWN, worst

Pos = tuple[str | int, ...]

# Lists whose items have no `id`: the natural key that addresses an item in a path.
NATURAL_KEYS = {"authentication": "audiences", "data_subjects": "type", "stored_attributes": "attribute"}
# Which subject kind the items of a list are.
SUBJECT_KINDS = {"systems": "system", "data_inventory": "data_category", "processors": "processor",
                 "transfers": "transfer", "observed_hosts": "host", "data_subjects": "data_subject",
                 "evidence": "evidence", "scans": "scan", "waivers": "waiver", "authentication": "authentication",
                 "modifications": "modification", "published_registers": "published_register"}


Day = date  # the field `date` below shadows the type inside the class


@dataclass(frozen=True, slots=True)
class BusinessPeriod:
    """A legal period in business days that a comparison computed: `days` business days from `start`
    (forward) or before it (backward) ends on `date`. Reasons show the date; nothing is approximated."""

    days: int
    start: date
    date: date
    direction: str          # before | after
    start_path: str | None  # the declared date it counts from; None for the evaluation date
    # The extension the law allows once (LFPDPPP art. 31, LGPDPPSO art. 45) and the date it gives;
    # None where the governing law allows none.
    extension_days: int | None = None
    extended_date: Day | None = None
    counts_from: str | None = None  # request | answer: what happened on `start` (as_of periods only)


class RuleError(Exception):
    """A rule that cannot be applied to the declaration's shape (a catalog bug, not bad input)."""


@dataclass(slots=True)
class Leaf:
    """One comparison that was decided: what was declared (or observed) against what is required."""

    status: str
    pos: Pos                 # positional path into the declaration, for line and column
    path: str                # id-addressed path, for people and fingerprints
    operator: str
    declared: Any
    required: Any
    source: str = "declared"  # declared | scan
    scan: str | None = None
    code: str | None = None
    # What an explanation needs beyond `required` (which keeps the 1.0 wording of the JSON):
    value: Any = None           # the required value itself (a parameter's value, a computed date); raw:
                                # `as_json` makes it JSON data when an explanation needs it
    parameter: str | None = None  # the catalog parameter it comes from
    reference: str | None = None  # "as_of", or the path whose value it was computed from
    offset: str | None = None   # "-P1Y" / "+P30D": the duration added to the reference
    stale: bool = False         # the value comes from a scan older than 90 days
    field: str | None = None    # the path the rule asks about, when an object on the way was `false`
    group: int | None = None    # leaves of one failed `any` share a group: alternatives, none of which holds
    period: BusinessPeriod | None = None  # set when the required value is a period in business days


@dataclass(slots=True)
class Outcome:
    status: str
    leaves: list[Leaf] = field(default_factory=list)      # the leaves that decided this status
    missing: list[str] = field(default_factory=list)      # for unknown: the paths to declare
    items: list[ItemOutcome] | None = None                # for quantifiers: one per selected item
    parts: list[Outcome] | None = None                    # for all/any: each part's outcome


@dataclass(slots=True)
class ItemOutcome:
    kind: str
    id: str
    name: str | None
    pos: Pos
    path: str
    outcome: Outcome


@dataclass(slots=True)
class Scope:
    """Where paths start: the item being looked at (or the top), and the top of the declaration."""

    node: Any
    pos: Pos
    path: str
    root: Any
    as_of: date
    parameters: dict[str, Any]
    scan: str | None = None     # the scan an observed value comes from
    stale: bool = False         # that scan is older than 90 days before as_of

    def enter(self, node: Any, pos: Pos, path: str) -> Scope:
        scan, stale = self.scan, self.stale
        if isinstance(node, dict) and "scan" in node and isinstance(node.get("scan"), str):
            scan, stale = node["scan"], bool(node.get("stale"))
        return Scope(node, pos, path, self.root, self.as_of, self.parameters, scan, stale)


def _combine_any(statuses: list[str]) -> str:
    present = [s for s in statuses if s != NA]
    if not present:
        return NA
    for s in (PASS, PARTIAL, UNKNOWN):
        if s in present:
            return s
    return FAIL


def item_key(section: str, item: Any, index: int) -> str:
    if isinstance(item, dict):
        if isinstance(item.get("id"), str):
            return item["id"]
        key = NATURAL_KEYS.get(section)
        if key and item.get(key) is not None:
            value = item[key]
            return "+".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(index)


def _join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


@dataclass(slots=True)
class Resolved:
    value: Any
    present: bool
    pos: Pos
    path: str
    blocked_by_false: bool = False   # an object on the way was declared `false`
    source: str = "declared"
    scan: str | None = None
    stale: bool = False
    rest: str = ""     # blocked by `false`: the part of the path under that object


@lru_cache(maxsize=4096)
def _split(dotted: str) -> tuple[bool, tuple[str, ...], str]:
    """`/a.b.c` -> (True, ("a", "b", "c"), "a.b.c"): paths are split once, not at every evaluation."""
    absolute = dotted.startswith("/")
    parts = tuple(p for p in dotted.lstrip("/").split(".") if p)
    return absolute, parts, ".".join(parts)


def resolve(scope: Scope, dotted: str) -> Resolved:
    node: Any
    pos: Pos
    path: str
    absolute, parts, joined = _split(dotted)
    if absolute:
        node, pos, path = scope.root, (), ""
        scan, stale = None, False
    else:
        node, pos, path = scope.node, scope.pos, scope.path
        scan, stale = scope.scan, scope.stale
    source = "scan" if scan else "declared"
    # The position and the id-addressed path are built once, at the end (or where the walk stops).
    full = f"{path}.{joined}" if path and joined else (path or joined)
    for i, part in enumerate(parts):
        if part == "observed" or part == "observed_hosts":
            source = "scan"
        if node.__class__ is not dict and not isinstance(node, dict):
            if node is False:
                head = ".".join(parts[:i])
                return Resolved(False, True, pos + parts[:i], _join(path, head) if head else path, True, source,
                                scan, stale, ".".join(parts[i:]))
            if node is None:
                return Resolved(None, False, pos + parts[:i], full, False, source, scan, stale)
            raise RuleError(f"path '{dotted}' goes through a {type(node).__name__} at '{part}'")
        child = node.get(part)
        if child is None:
            return Resolved(None, False, pos + parts[:i], full, False, source, scan, stale)
        node = child
        if part == "observed" and isinstance(node, dict):
            # Observed facts carry the scan(s) they come from: findings point at that scan entry.
            ids = node.get("scan_ids") or ([node["scan"]] if isinstance(node.get("scan"), str) else [])
            scan, stale = (ids[0] if ids else None), bool(node.get("stale"))
    return Resolved(node, True, pos + parts, full, False, source, scan, stale)


# -- comparisons -----------------------------------------------------------------------------
def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _order_key(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Bring two values to comparable keys: numbers, durations, dates or versions."""
    if type(a) is str and type(b) is str:
        return _text_order_key(a, b)
    return _order_key_any(a, b)


def _order_key_any(a: Any, b: Any) -> tuple[Any, Any] | None:
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a, b
    if is_duration(a) and is_duration(b):
        return Duration.parse(a).approx_seconds(), Duration.parse(b).approx_seconds()
    da, db = _to_date(a), _to_date(b)
    if da is not None and db is not None:
        return da, db
    va, vb = parse_version(a), parse_version(b)
    if va is not None and vb is not None:
        width = max(len(va), len(vb))
        return va + (0,) * (width - len(va)), vb + (0,) * (width - len(vb))
    return None


# Text pairs repeat across controls and programs (versions, durations, dates): parsing them was a
# tenth of an evaluation's time in a profile, so each pair is parsed once per process.
_text_order_key = lru_cache(maxsize=8192)(_order_key_any)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if a == b:
        return True
    if not isinstance(a, str | int | float) or not isinstance(b, str | int | float):
        return False  # lists, mappings, None: plain equality already said no
    keys = _order_key(a, b)
    if keys is not None:
        return bool(keys[0] == keys[1])
    return bool(a == b)


@dataclass(slots=True)
class _Origin:
    """Where a required value came from, for explanations."""

    parameter: str | None = None
    reference: str | None = None
    offset: str | None = None


_CONSTANT = _Origin()


def business_calendar(scope: Scope) -> BusinessCalendar:
    """The declaration's calendar: public bodies count with LFPA art. 28, private operators with LFT
    art. 74, both with `calendar.non_working_days`."""
    root = scope.root if isinstance(scope.root, dict) else {}
    facts = root.get("facts") or {}
    declared = (root.get("calendar") or {}).get("non_working_days")
    return calendar_for(bool(facts.get("calendar_public")), declared)


def business_period(check: Check, scope: Scope) -> BusinessPeriod | None:
    """For `{business_days: N}`: the day a period of N business days that starts the day after the
    evaluation date ends (shown beside the comparison: "a request received today is due on ...")."""
    ref = check.ref
    if ref is None or ref.business_days is None:
        return None
    cal = business_calendar(scope)
    end = cal.add(scope.as_of, ref.business_days)
    ext = ref.extension_business_days
    extension = None if ext is None else (ext.public if cal.regime == "public" else ext.private)
    # The extension runs on from the end of the ordinary period: N + extension business days in all.
    extended = cal.add(end, extension) if extension else None
    return BusinessPeriod(ref.business_days, scope.as_of, end, "after", None,
                          extension if extended else None, extended, ref.counts_from)


def _period(check: Check, scope: Scope) -> BusinessPeriod | None:
    ref = check.ref
    if ref is None:
        return None
    if ref.business_days is not None:
        return business_period(check, scope)
    if ref.path is None or (ref.plus_business_days is None and ref.minus_business_days is None):
        return None
    got = resolve(scope, ref.path)
    start = _to_date(got.value) if got.present else None
    if start is None:
        return None
    cal = business_calendar(scope)
    if ref.plus_business_days is not None:
        return BusinessPeriod(ref.plus_business_days, start, cal.add(start, ref.plus_business_days), "after",
                              got.path)
    days = ref.minus_business_days or 0
    return BusinessPeriod(days, start, cal.subtract(start, days), "before", got.path)


def _operand(check: Check, scope: Scope) -> tuple[Any, list[str], str | None, _Origin]:
    """The required value: a constant, or a Ref resolved now. Returns (value, missing, description, origin)."""
    raw = check.operand
    ref = check.ref
    if ref is not None:
        if ref.business_days is not None:
            return ref.business_days, [], None, _CONSTANT
        if ref.parameter is not None:
            if ref.parameter not in scope.parameters:
                raise RuleError(f"unknown catalog parameter '{ref.parameter}'")
            return scope.parameters[ref.parameter], [], f"parameter {ref.parameter}", _Origin(ref.parameter)
        if ref.as_of_minus is not None:
            return (Duration.parse(ref.as_of_minus).subtract_from(scope.as_of), [], f"as_of - {ref.as_of_minus}",
                    _Origin(None, "as_of", f"-{ref.as_of_minus}"))
        if ref.path is not None:
            got = resolve(scope, ref.path)
            offset = f"+{ref.plus}" if ref.plus else (f"-{ref.minus}" if ref.minus else None)
            if not got.present:
                return None, [got.path], got.path, _Origin(None, got.path, offset)
            value = got.value
            if ref.plus_business_days is not None or ref.minus_business_days is not None:
                d = _to_date(value)
                if d is None:
                    raise RuleError(f"'{ref.path}' is not a date; business days need a date")
                cal = business_calendar(scope)
                days = ref.plus_business_days if ref.plus_business_days is not None else ref.minus_business_days
                end = cal.add(d, days or 0) if ref.plus_business_days is not None else cal.subtract(d, days or 0)
                sign = "+" if ref.plus_business_days is not None else "-"
                return end, [], None, _Origin(None, got.path, f"{sign}{days} business days")
            if ref.plus or ref.minus:
                d = _to_date(value)
                if d is None:
                    raise RuleError(f"'{ref.path}' is not a date; plus/minus need a date")
                value = Duration.parse(ref.plus).add_to(d) if ref.plus else Duration.parse(
                    ref.minus or "P0D").subtract_from(d)
            text = got.path + (f" + {ref.plus}" if ref.plus else "") + (f" - {ref.minus}" if ref.minus else "")
            return value, [], f"{_jsonable(value)} ({text})", _Origin(None, got.path, offset)
    return raw, [], None, _CONSTANT


def _as_list(value: Any) -> list[Any] | None:
    return value if isinstance(value, list) else None


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
            status = _compare(op, got, required, check)
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
    lf = Leaf(status, got.pos, got.path, op, value if value.__class__ in _SCALARS else _jsonable(value),
              required if required.__class__ in _SCALARS else _jsonable(required), got.source,
              got.scan, check.code, actual, how.parameter, how.reference, how.offset,
              stale, _join(got.path, got.rest) if got.rest else None, period=period)
    return Outcome(status, [lf], [got.path] if status == UNKNOWN else [])


def _compare(op: str, got: Resolved, required: Any, check: Check) -> str:
    """The status of a comparison whose value is present and whose operand is resolved."""
    value = got.value
    if got.blocked_by_false and op not in ("not_equals", "not_in", "contains_none"):
        return FAIL
    if op == "equals":
        return PASS if _same(value, required) else FAIL
    if op == "not_equals":
        return FAIL if _same(value, required) else PASS
    if op == "in":
        return PASS if any(_same(value, r) for r in required) else FAIL
    if op == "not_in":
        return FAIL if any(_same(value, r) for r in required) else PASS
    if op in ("at_least", "at_most"):
        keys = _order_key(value, required)
        if keys is None:
            return FAIL  # fails closed: a value of the wrong kind cannot meet a minimum
        ok = keys[0] >= keys[1] if op == "at_least" else keys[0] <= keys[1]
        return PASS if ok else FAIL
    items = _as_list(value)
    if items is None:
        return FAIL
    if op == "contains":
        return PASS if any(_same(v, required) for v in items) else FAIL
    if op == "contains_any":
        return PASS if any(_same(v, r) for r in required for v in items) else FAIL
    if op == "contains_none":
        return FAIL if any(_same(v, r) for r in required for v in items) else PASS
    if op == "contains_all":
        held = sum(1 for r in required if any(_same(v, r) for v in items))
        if held == len(required):
            return PASS
        if check.partial_at_least is not None and held >= check.partial_at_least:
            return PARTIAL
        return FAIL
    raise RuleError(f"unknown operator {op}")


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


_SCALARS = frozenset({str, int, float, bool, type(None)})


def as_json(value: Any) -> Any:
    """A value as JSON data (dates as ISO text)."""
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value.__class__ in _SCALARS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "facts"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


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
