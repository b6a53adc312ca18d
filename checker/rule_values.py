"""The leaves of the condition language: where a path leads, what one comparison says, and the
`Leaf` and `Outcome` objects a result is explained with.

`checker/rules.py` combines these into all/any/not and quantifiers (its docstring has the semantics).
An absent value is unknown, with its path in `missing`, whatever the comparison (except `exists`); a
pass that rests only on a scan older than 90 days is partial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from checker.calendar import BusinessCalendar, calendar_for
from checker.catalog import Check
from checker.durations import Duration, is_duration, parse_version

# The statuses and their roll-up order live in checker.vocabulary (the one place).
from checker.vocabulary import FAIL, PARTIAL, PASS, UNKNOWN

Pos = tuple[str | int, ...]

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


# (function, a, b): function(a, b, status) gives the leaves and the missing paths.
Later = tuple[Callable[[Any, Any, str], tuple[list[Leaf], list[str]]], Any, Any]


class Outcome:
    """What a condition gave: its status, the leaves that decided it and, for unknown, the paths to
    declare. `leaves` and `missing` may be worked out only when first read (`deferred`): most outcomes
    of an evaluation only count for their status (a `where`, the parts of an `all` that did not
    decide it), so their leaves are never built."""

    __slots__ = ("status", "_leaves", "_missing", "items", "parts", "_later")

    def __init__(self, status: str, leaves: list[Leaf] | None = None, missing: list[str] | None = None,
                 items: list[ItemOutcome] | None = None, parts: list[Outcome] | None = None) -> None:
        self.status = status
        self._leaves = leaves if leaves is not None else []
        self._missing = missing if missing is not None else []
        self.items = items      # for quantifiers: one per selected item
        self.parts = parts      # for all/any: each part's outcome
        self._later: Later | None = None  # how to work out leaves and missing when first read (`deferred`)

    def _settle(self) -> None:
        later = self._later
        if later is not None:
            self._later = None
            self._leaves, missing = later[0](later[1], later[2], self.status)
            # `missing` is only ever non-empty for an unknown status (results.md)
            self._missing = missing if self.status == UNKNOWN else []

    @property
    def leaves(self) -> list[Leaf]:
        """The leaves that decided this status."""
        if self._later is not None:
            self._settle()
        return self._leaves

    @leaves.setter
    def leaves(self, value: list[Leaf]) -> None:
        self._settle()
        self._leaves = value

    @property
    def missing(self) -> list[str]:
        """For unknown: the paths to declare."""
        if self._later is not None and self.status == UNKNOWN:
            self._settle()
        return self._missing

    @missing.setter
    def missing(self, value: list[str]) -> None:
        self._settle()
        self._missing = value

    def __repr__(self) -> str:
        return (f"Outcome(status={self.status!r}, leaves={self.leaves!r}, missing={self.missing!r}, "
                f"items={self.items!r}, parts={self.parts!r})")


_new = object.__new__


def deferred(status: str, later: Later, items: list[ItemOutcome] | None = None,
             parts: list[Outcome] | None = None) -> Outcome:
    """An outcome whose leaves and missing paths `later` works out when first read. Built without
    `Outcome.__init__`: an evaluation makes hundreds, most of which are only counted for their status."""
    out: Outcome = _new(Outcome)
    out.status = status
    out._missing = []
    out.items = items
    out.parts = parts
    out._later = later
    return out


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


def join_path(base: str, key: str) -> str:
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
def split_path(dotted: str) -> tuple[bool, tuple[str, ...], str]:
    """`/a.b.c` -> (True, ("a", "b", "c"), "a.b.c"): paths are split once, not at every evaluation."""
    absolute = dotted.startswith("/")
    parts = tuple(p for p in dotted.lstrip("/").split(".") if p)
    return absolute, parts, ".".join(parts)


def resolve(scope: Scope, dotted: str) -> Resolved:
    node: Any
    pos: Pos
    path: str
    absolute, parts, joined = split_path(dotted)
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
                return Resolved(False, True, pos + parts[:i], join_path(path, head) if head else path, True, source,
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


def same(a: Any, b: Any) -> bool:
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
        status = current(got.value, check, scope.as_of)
        out = _leaf_outcome(status, "current" if check.current else "not current", got, op, check, actual, origin,
                            period)
        if status == UNKNOWN:
            out.missing = [f"{got.path}.every"]  # done, but how often is not declared
        return out
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


def compare(op: str, value: Any, blocked_by_false: bool, required: Any, check: Check) -> str:
    """The status of a comparison whose value is present and whose operand is resolved."""
    if blocked_by_false and op not in ("not_equals", "not_in", "contains_none"):
        return FAIL
    if op == "equals":
        return PASS if same(value, required) else FAIL
    if op == "not_equals":
        return FAIL if same(value, required) else PASS
    if op == "in":
        return PASS if any(same(value, r) for r in required) else FAIL
    if op == "not_in":
        return FAIL if any(same(value, r) for r in required) else PASS
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
        return PASS if any(same(v, required) for v in items) else FAIL
    if op == "contains_any":
        return PASS if any(same(v, r) for r in required for v in items) else FAIL
    if op == "contains_none":
        return FAIL if any(same(v, r) for r in required for v in items) else PASS
    if op == "contains_all":
        held = sum(1 for r in required if any(same(v, r) for v in items))
        if held == len(required):
            return PASS
        if check.partial_at_least is not None and held >= check.partial_at_least:
            return PARTIAL
        return FAIL
    raise RuleError(f"unknown operator {op}")


def current(value: Any, check: Check, as_of: date) -> str:
    """Recurring work {every, last_done}: done, and not overdue at the evaluation date. Unknown when
    done but how often is not declared."""
    if value is False or not isinstance(value, dict):
        status = FAIL
    elif value.get("last_done") is None:
        status = FAIL  # never done
    elif value.get("every") is None:
        return UNKNOWN
    else:
        last = _to_date(value["last_done"])
        due = Duration.parse(value["every"]).add_to(last) if last else None
        status = PASS if due is not None and due >= as_of else FAIL
    if not check.current:
        status = {PASS: FAIL, FAIL: PASS}.get(status, status)
    return status


SCALARS = frozenset({str, int, float, bool, type(None)})


def as_json(value: Any) -> Any:
    """A value as JSON data (dates as ISO text)."""
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value.__class__ in SCALARS:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "facts"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


