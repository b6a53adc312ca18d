"""Findings of subjects that look alike, worked out once and stamped (issue 15.3).

A portfolio's declaration lists thousands of systems, most of them alike but for their id and name. A
control over systems gives each the same outcome when it reads neither its id nor its name: the same
status, comparisons and sentence, at the same field of the subject. So for `--format json` the first
system of each shape is evaluated as usual (a shape: what the rule reads of an item, when it has no
`where`; else all its fields but `id` and `name`; compared exactly), and its finding's JSON becomes a
template with a slot for each thing that is the subject's own: its id (in the
subject and in every path), its name, its name in the sentence, the line and column of the field the
finding points at, and the fingerprint. The others of that shape are that template filled in.

What makes a control eligible is read from its rule, once: an `every` over a list at the top of the
declaration, none of whose checks, references or inner lists read an item's `id` or `name` or the
whole item, or the list itself from the top (an `all` of such parts: each part that qualifies). Then
an item's outcome depends only on what it reads of the item's other fields and on the rest of the
declaration, which is the same for every item.

What keeps it honest, at run time: each template, filled in with its own subject, must give back the
bytes of the finding it was made from, and the subject's id and name must appear nowhere in it but in
the slots (a declared value equal to the id, say); the second subject of each shape is also evaluated
in full and compared with its stamp. Anything else (a waiver of the control, two items with one id,
values that are not plain data, an applicability condition that is false, nothing selected, a list
mostly unlike) leaves the control to the usual evaluation, which is always right: this is only a
faster way to the same bytes. `RESGUARDA_STAMP=0` turns it off (tests compare both ways).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import accumulate
from operator import itemgetter
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar

import orjson

from checker import explain
from checker.audit import add_assurance
from checker.catalog import AllOf, Check, Condition, Control, Every, Some, ungrouped
from checker.evaluate import Evaluator, Outline, deciding_leaf, fingerprint_around, item_code
from checker.result import BATCH, FINDING_SEP, Finding, finding_lines, set_trusted, stamped_result_pieces
from checker.rules import SUBJECT_KINDS, Outcome, Resolved, evaluate, item_outcome, resolve, split_path
from checker.vocabulary import FAIL, NA, PASS, UNKNOWN, worst

# The slots of a template: per process random texts, which no declaration can contain.
_TOKEN = secrets.token_hex(12)
_ID, _NAME, _WHO, _LINE, _COLUMN, _FINGERPRINT = (f"{_TOKEN}{n}" for n in "abcdef")
_SLOTS = {_ID.encode(): 0, b'"' + _NAME.encode() + b'"': 1, _WHO.encode(): 2, b'"' + _LINE.encode() + b'"': 3,
          b'"' + _COLUMN.encode() + b'"': 4, _FINGERPRINT.encode(): 5}
# A comparison's fields that hold paths (an item's paths start with `systems[<id>]`).
_PATH_KEYS = ("path", "reference")
_PLAIN = (str, int, float, bool, type(None), date, datetime)


def enabled() -> bool:
    return os.environ.get("RESGUARDA_STAMP", "1") != "0"


# -- which controls ------------------------------------------------------------------------------
# A control's parts: each `every` of its rule (the rule itself, or the parts of its `all`) with whether
# its items' findings may be stamped; other parts are evaluated as usual. None: not a control to stamp.
Parts = list[tuple[Condition, bool]]
_ELIGIBLE: dict[int, tuple[Control, Parts | None]] = {}


def _eligible(control: Control) -> Parts | None:
    entry = _ELIGIBLE.get(id(control))
    if entry is None or entry[0] is not control:
        if len(_ELIGIBLE) > 20_000:
            _ELIGIBLE.clear()
        entry = _ELIGIBLE[id(control)] = (control, _eligible_parts(control))
    return entry[1]


def _eligible_parts(control: Control) -> Parts | None:
    rule = control.rule
    parts: list[Condition] = [rule] if isinstance(rule, Every) else list(rule.all) if isinstance(rule, AllOf) else []
    lists = [p.every for p in parts if isinstance(p, Every)]
    if len(set(lists)) != len(lists):
        return None   # two parts over one list: their findings of one subject are merged
    found = [(p, isinstance(p, Every) and _eligible_rule(p)) for p in parts]
    return found if any(ok for _, ok in found) else None


def _eligible_rule(rule: Every) -> bool:
    """Whether the findings of the items of this `every` may be stamped (module docstring)."""
    _, parts, _ = split_path(rule.every)
    if len(parts) != 1:
        return False
    section = parts[0]
    for path in _paths(_conditions(rule)):
        absolute, steps, _ = split_path(path)
        if not steps:
            return False   # the whole item, or the whole declaration
        if absolute and steps[0] == section:
            return False   # the list itself, which holds every item's id and name
        if not absolute and steps[0] in ("id", "name"):
            return False
    return True


def _conditions(rule: Every) -> list[Condition]:
    return [rule.require] + ([rule.where] if rule.where is not None else [])


def _paths(conditions: list[Condition], into_lists: bool = True) -> Iterator[str]:
    """Every path a condition reads: its checks', their references', its inner lists' (and, with
    `into_lists`, the paths inside those lists' items)."""
    stack: list[Any] = list(conditions)
    while stack:
        for cond in ungrouped(stack.pop()):
            if isinstance(cond, Check):
                yield cond.path
                ref = cond.ref
                if ref is not None and ref.path is not None:
                    yield ref.path
            elif isinstance(cond, Every | Some):
                yield cond.list_path
                if into_lists:
                    stack.append(cond.require)
                    if cond.where is not None:
                        stack.append(cond.where)
            else:
                yield ""   # not a condition this module knows: not eligible


# -- which items look alike ------------------------------------------------------------------------
class _Shapes(NamedTuple):
    shapes: list[int]       # each item's shape
    sizes: list[int]        # how many items each shape has
    members: _Members       # each item's own values


Reads = tuple[tuple[str, ...], ...]


def _reads(rule: Every) -> Reads:
    """The paths inside an item that `rule` reads (its checks', their references', its inner lists'
    whole), split in steps; paths from the top are the same for every item and are left out."""
    found: list[tuple[str, ...]] = []
    for path in _paths(_conditions(rule), into_lists=False):
        absolute, steps, _ = split_path(path)
        if not absolute and steps not in found:
            found.append(steps)
    return tuple(found)


def _shapes(evaluator: Evaluator, section: str, items: list[Any], reads: Reads | None) -> _Shapes | None:
    """Which items look alike to a rule that reads `reads` in them (the same values there; None: all
    their fields but `id` and `name`), and their own values; None when an item is not a mapping with
    a text id, ids repeat, a value read is not plain data, or most items are unlike any other (a
    template would cost more than it saves). Worked out once per list and paths read, for all the
    controls that read them."""
    cache: dict[tuple[str, Reads | None], tuple[list[Any], _Shapes | None]] = \
        evaluator.__dict__.setdefault("_stamp_shapes", {})
    held = cache.get((section, reads))
    if held is not None and held[0] is items:
        return held[1]
    shapes = _shapes_of(items, reads)
    found: _Shapes | None = None
    if shapes is not None:
        sizes = [0] * (max(shapes) + 1)
        for shape in shapes:
            sizes[shape] += 1
        if 2 * len(sizes) <= len(items):
            found = _Shapes(shapes, sizes, _members(evaluator, section, items))
    cache[(section, reads)] = (items, found)
    return found


T = TypeVar("T")


class _Summed(list[T]):
    """A list's items, and for each of their first `width` texts (`texts(item)`), the running sums of
    the texts' lengths from 0: the lengths of items i..j-1 are `sums[k][j] - sums[k][i]`, so a run's
    length is a few subtractions (`_Run.length`)."""

    def __init__(self, items: list[T], texts: Callable[[T], Sequence[bytes]], width: int) -> None:
        super().__init__(items)
        self.sums = tuple([0, *accumulate(len(texts(item)[k]) for item in items)] for k in range(width))


_Members = _Summed["_Member"]              # each subject's own values (id, name, sentence's subject)
_Spots = _Summed[tuple[bytes, bytes]]     # each item's line and column, as text


def _members(evaluator: Evaluator, section: str, items: list[dict[str, Any]]) -> _Members:
    cache: dict[str, tuple[list[Any], _Members]] = evaluator.__dict__.setdefault("_stamp_members", {})
    held = cache.get(section)
    if held is None or held[0] is not items:
        held = cache[section] = (items, _Summed([_Member(evaluator, section, i) for i in items],
                                                 lambda m: m.own, 3))
    return held[1]


# How often a list's items are checked to still look alike enough to go on.
_SAMPLE = 64


def _shapes_of(items: list[Any], reads: Reads | None) -> list[int] | None:
    shapes: list[int] = []
    numbers: dict[str, int] = {}
    ids: set[str] = set()
    for index, item in enumerate(items):
        if index % _SAMPLE == 0 and 2 * len(numbers) > index > 0:
            return None   # mostly unlike so far: not worth the rest of the list
        if item.__class__ is not dict or item.get("id").__class__ is not str or item["id"] in ids:
            return None
        ids.add(item["id"])
        name = item.get("name")
        if name is not None and name.__class__ is not str:
            return None
        key = _projection(item, reads) if reads is not None else _whole(item)
        if key is None:
            return None
        shapes.append(numbers.setdefault(key, len(numbers)))
    return shapes


def _whole(item: dict[str, Any]) -> str | None:
    """An item's fields but `id` and `name` as text (see `_projection`); None when not plain data."""
    rest = [(k, v) for k, v in item.items() if k != "id" and k != "name"]
    return repr(rest) if _plain(rest) else None


def _projection(item: dict[str, Any], reads: Reads) -> str | None:
    """What a rule that reads `reads` can see of an item, as text: equal texts, equal outcomes.

    For each path: how far the walk went, the value it reached (a subtree whole) and, on the way, each
    mapping's `scan`, `scan_ids` and `stale` (the scan a value is cited from, `rules.resolve`); and the
    item's own `scan` and `stale`. repr of plain data is exact (1, 1.0 and True differ, as do key
    orders); None when something read is not plain data."""
    seen: list[Any] = [item.get("scan"), item.get("stale")]
    for steps in reads:
        node: Any = item
        walked = 0
        for step in steps:
            if node.__class__ is not dict:
                break
            seen.append((node.get("scan"), node.get("scan_ids"), node.get("stale")))
            node = node.get(step)
            walked += 1
        seen.append((walked, node))
    return repr(seen) if _plain(seen) else None


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is dict:
            for k, v in node.items():
                if k.__class__ is not str:
                    return False
                stack.append(v)
        elif kind is list or kind is tuple or (isinstance(node, list) and kind.__repr__ is list.__repr__):
            stack.extend(node)   # a list, or a list that cannot change (the view's), written as a list
        elif kind not in _PLAIN:
            return False
    return True


# -- templates -----------------------------------------------------------------------------------------
_FINGERPRINT_LENGTH = hashlib.sha256().digest_size * 2   # `evaluate.fingerprint`: a SHA-256 in hex
# One finding's own values, in slot order: id, name, sentence's subject (the member's), line, column,
# fingerprint.
Row = tuple[bytes, bytes, bytes, bytes, bytes, bytes]


class _Template:
    """One shape's finding: its bytes with a `%s` at each slot, and what the control's result takes."""

    __slots__ = ("kind", "status", "format", "pick", "fixed", "counts", "suffix", "missing", "detail")

    def __init__(self, kind: str, status: str, parts: list[bytes | int], suffix: tuple[str | int, ...] | None,
                 missing: list[tuple[bool, str]], detail: str) -> None:
        self.kind = kind
        self.status = status
        self.format = b"".join(b"%s" if isinstance(p, int) else p.replace(b"%", b"%%") for p in parts)
        order = tuple(p for p in parts if isinstance(p, int))   # the slots, as they come
        assert len(order) >= 2   # the subject's id and the fingerprint at least (`_template`)
        self.pick = itemgetter(*order)   # a row's values in that order
        self.fixed = sum(len(p) for p in parts if isinstance(p, bytes))
        self.counts = tuple(order.count(n) for n in range(len(_SLOTS)))
        self.suffix = suffix       # where the finding points inside the item; None: a fixed place
        self.missing = missing     # (inside the item, the path after the item's own / the whole path)
        self.detail = detail       # the sentence after the subject's name

    def render(self, rows: list[Row]) -> bytes:
        """The findings of these rows, separated as in a result's `findings`: one formatting for all."""
        values: list[bytes] = []
        pick = self.pick
        for row in rows:
            values += pick(row)
        return FINDING_SEP.join([self.format] * len(rows)) % tuple(values)

    def length(self, lengths: list[int], count: int) -> int:
        """The bytes of `count` findings whose own values (fingerprint aside) are, in all, of these lengths
        (id, name, sentence's subject, line, column)."""
        return count * (self.fixed + self.counts[5] * _FINGERPRINT_LENGTH) + sum(
            c * n for c, n in zip(self.counts[:5], lengths, strict=True))


class _Member:
    """One subject's own values, as its finding's bytes and its result take them."""

    __slots__ = ("id", "name", "who", "prefix", "own", "raw")

    def __init__(self, e: Evaluator, section_path: str, item: dict[str, Any]) -> None:
        self.id: str = item["id"]
        self.name: str | None = item.get("name")
        self.who = explain.who(e.subject(SUBJECT_KINDS.get(section_path, section_path), self.id, self.name), e.lang)
        self.prefix = f"{section_path}[{self.id}]"
        self.raw = self.id.encode()   # as `evaluate.fingerprint` hashes it
        # The first three slots' values (`_SLOTS`): id, name and sentence's subject, as JSON writes them.
        # (Copies of orjson's bytes, not them: each holds a 4 KiB buffer, 64 MB for a scan's hosts.)
        self.own = (orjson.dumps(self.id)[1:-1], bytes(memoryview(orjson.dumps(self.name))),
                    orjson.dumps(self.who)[1:-1])


class _Run:
    """Findings of one template in a row: the members' indexes in the list, in order."""

    __slots__ = ("template", "members", "spots", "indexes", "_before", "_after")

    def __init__(self, template: _Template, members: _Members, spots: _Spots, control_id: str, code: str) -> None:
        self.template, self.members, self.spots = template, members, spots
        self.indexes = array("I")   # 4 bytes a finding: a control's are kept until the output is written
        self._before, self._after = fingerprint_around(control_id, template.kind, code)

    def rows(self, indexes: Iterable[int]) -> list[Row]:
        members, spots, before, after, sha256 = self.members, self.spots, self._before, self._after, hashlib.sha256
        rows: list[Row] = []
        for i in indexes:
            member = members[i]
            own = member.own
            line, column = spots[i]
            rows.append((own[0], own[1], own[2], line, column,
                         sha256(before + member.raw + after).hexdigest().encode()))
        return rows

    def render(self, indexes: Iterable[int]) -> bytes:
        return self.template.render(self.rows(indexes))

    def length(self) -> int:
        indexes = self.indexes
        sums = (*self.members.sums, *self.spots.sums)
        if indexes[-1] - indexes[0] + 1 == len(indexes):   # items one after another: the usual case
            low, high = indexes[0], indexes[-1] + 1
            lengths = [s[high] - s[low] for s in sums]
        else:
            lengths = [sum([s[i + 1] - s[i] for i in indexes]) for s in sums]
        return self.template.length(lengths, len(indexes))


def _template(finding: Any, finding_bytes: bytes, suffix: tuple[str | int, ...] | None,
              line_column: tuple[int, int], member: _Member) -> _Template | None:
    """The template of a finding made for `member`, or None when it cannot be one (module docstring)."""
    data = orjson.loads(finding_bytes)
    if orjson.dumps(data, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n        ") != finding_bytes:
        return None
    reason: str = data["reason"]
    if not reason.startswith(member.who + ": ") or len(finding.fingerprint) != _FINGERPRINT_LENGTH:
        return None
    data["subject"]["id"] = _ID
    data["subject"]["name"] = _NAME
    data["reason"] = _WHO + reason[len(member.who):]
    data["fingerprint"] = _FINGERPRINT
    if suffix is not None:
        data["location"]["line"], data["location"]["column"] = _LINE, _COLUMN
    own = member.prefix
    ours = own[:-len(member.id) - 1] + _ID + "]"

    def moved(holder: dict[str, Any], key: str) -> None:
        value = holder.get(key)
        if isinstance(value, str):
            holder[key] = _moved(value, own, ours)
        elif isinstance(value, list):
            holder[key] = [_moved(m, own, ours) if isinstance(m, str) else m for m in value]

    # The paths of the finding and of its explanation (never its declared or required values, which
    # are the same for the whole shape whatever they hold).
    moved(data, "path")
    moved(data, "missing")
    explanation = data.get("explanation")
    if isinstance(explanation, dict):
        moved(explanation, "missing")
        for comparison in explanation.get("comparisons") or []:
            for key in _PATH_KEYS:
                moved(comparison, key)
            if isinstance(comparison.get("period"), dict):
                moved(comparison["period"], "start_path")
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n        ")
    if _own_text_outside_slots(text, member):
        return None
    parts = _split(text)
    if not {0, 5} <= {p for p in parts if isinstance(p, int)}:
        return None
    missing = [(True, m[len(own):]) if _inside(m, own) else (False, m) for m in finding.missing]
    template = _Template(finding.subject.kind, finding.status, parts, suffix, missing, reason[len(member.who):])
    row = (*member.own, b"%d" % line_column[0], b"%d" % line_column[1], finding.fingerprint.encode())
    if template.render([row]) != finding_bytes:
        return None
    return template


def _own_text_outside_slots(text: bytes, member: _Member) -> bool:
    """The subject's id or name in a template outside its slots: a value that would be stamped on the
    others of its shape although it is this one's own (or, harmless but not told apart, equal to it)."""
    return member.own[0] in text or bool(member.name and member.own[1][1:-1] in text)


def _inside(path: str, own: str) -> bool:
    """Whether `path` is the item at `own` (`systems[portal]`) or a path inside it."""
    return path == own or path.startswith(own + ".") or path.startswith(own + "[")


def _moved(path: str, own: str, ours: str) -> str:
    return ours + path[len(own):] if _inside(path, own) else path


def _split(text: bytes) -> list[bytes | int]:
    """The template's bytes cut at its slots: literal bytes and slot numbers, in order."""
    parts: list[bytes | int] = []
    rest = text
    while True:
        found = [(rest.find(token), token) for token in _SLOTS]
        found = [(at, token) for at, token in found if at >= 0]
        if not found:
            parts.append(rest)
            return parts
        at, token = min(found)
        parts.append(rest[:at])
        parts.append(_SLOTS[token])
        rest = rest[at + len(token):]


_UNSEEN, _OWN = object(), object()


# -- a control's result --------------------------------------------------------------------------
class _Findings:
    """A control's findings as they are made: their bytes, and what its result takes from them.

    It is also their bytes in the result (`checker.output.Deferred`): comma-separated at the findings'
    indent, made only as they are written (a control's are never all in memory at once), and their
    length, known before."""

    def __init__(self) -> None:
        # The findings in order: bytes, or a run of stamped ones to fill in.
        self.texts: list[bytes | _Run] = []
        self.own: list[tuple[str, str]] = []   # the status and sentence of each finding given as bytes
        self.statuses: set[str] = set()
        self.missing: set[str] = set()         # what those findings miss (runs: `all_missing`)
        self._length: int | None = None

    def add(self, finding: Any, text: bytes) -> None:
        self.texts.append(text)
        self.own.append((finding.status, finding.reason))
        self.statuses.add(finding.status)
        if finding.status == UNKNOWN:
            self.missing.update(finding.missing)

    def shown_reasons(self) -> list[str]:
        """The findings' sentences the result shows: those of findings neither met nor not applicable,
        or all when there are none (`Evaluator._result`'s rule), in the findings' order."""
        quiet = (PASS, NA)
        some = any(status not in quiet for status in self.statuses)
        shown: list[str] = []
        own = iter(self.own)
        for text in self.texts:
            if isinstance(text, bytes):
                status, reason = next(own)
                if not some or status not in quiet:
                    shown.append(reason)
            elif not some or text.template.status not in quiet:
                detail, members = text.template.detail, text.members
                shown += [members[i].who + detail for i in text.indexes]
        return shown

    def all_missing(self) -> set[str]:
        missing = set(self.missing)
        for text in self.texts:
            if isinstance(text, _Run) and text.template.status == UNKNOWN:
                members = text.members
                for inside, path in text.template.missing:
                    if inside:
                        missing.update([members[i].prefix + path for i in text.indexes])
                    else:
                        missing.add(path)
        return missing

    def done(self) -> None:
        """The result is made: only the bytes are left to make (what else was kept is let go)."""
        self.own, self.missing = [], set()

    @property
    def length(self) -> int:
        if self._length is None:
            count = sum(1 if isinstance(t, bytes) else len(t.indexes) for t in self.texts)
            self._length = sum(len(t) if isinstance(t, bytes) else t.length() for t in self.texts) \
                + (count - 1) * len(FINDING_SEP)
        return self._length

    def chunks(self) -> Iterator[bytes]:
        # About BATCH findings at a time, whatever the runs' lengths (a run of 30,000 is 40 MB).
        lead = b""
        batch: list[bytes] = []
        size = 0
        for part, count in self._parts():
            batch.append(part)
            size += count
            if size >= BATCH:
                yield lead + FINDING_SEP.join(batch)
                lead, batch, size = FINDING_SEP, [], 0
        if batch:
            yield lead + FINDING_SEP.join(batch)

    def _parts(self) -> Iterator[tuple[bytes, int]]:
        """The findings' bytes in order, a finding or a batch of a run at a time, and how many."""
        for text in self.texts:
            if isinstance(text, bytes):
                yield text, 1
                continue
            indexes = text.indexes
            for start in range(0, len(indexes), BATCH):
                some = indexes[start:start + BATCH]
                yield text.render(some), len(some)


def stamped(evaluator: Evaluator, control: Control,
            first: bool) -> tuple[Iterator[bytes | _Findings], Outline] | None:
    """The control's result as `result_pieces(result_of(evaluator, control), first)` writes it, and its
    outline; None when the control is not one to stamp (then evaluate it as usual)."""
    parts = _eligible(control) if enabled() else None
    if parts is None:
        return None
    e = evaluator
    if any(w.control == control.id for w in e.loaded.model.waivers or []):
        return None
    if control.applies_when is not None and evaluate(control.applies_when, e.root).status in (FAIL, NA):
        return None
    # Which parts' lists have subjects alike: if none, the control is evaluated as usual, from the start.
    plans: list[tuple[Condition, Resolved | None, _Shapes | None]] = []
    for cond, ok in parts:
        got = resolve(e.root, cond.every) if isinstance(cond, Every) else None
        items = got.value if got is not None and got.present else None
        # A rule without `where` looks only at what it reads (a scan's hosts differ in all but that); one
        # with `where` at whole items: what it reads in the many items it leaves out would be looked at
        # for nothing.
        plans.append((cond, got, _shapes(e, got.path, items, _reads(cond) if cond.where is None else None)
                      if ok and isinstance(cond, Every) and got is not None and items.__class__ is list
                      and len(items) > 1 else None))
    if all(found is None for _, _, found in plans):
        return None
    has_evidence = any(control.id in ev.controls for ev in e.evidence)
    made = _Findings()
    program_parts: list[Outcome] = []   # as `Evaluator._findings`: parts without items speak for the program
    for cond, got, found in plans:
        if not isinstance(cond, Every):
            program_parts.append(evaluate(cond, e.root))
            continue
        if found is not None:
            assert got is not None
            before = len(made.texts)
            if not _stamp(e, control, cond, got, found, has_evidence, made):
                return None
            if len(made.texts) == before:   # no item selected
                program_parts.append(evaluate(cond, e.root))
            continue
        outcome = evaluate(cond, e.root)
        items = outcome.items or []
        if len({(i.kind, i.id) for i in items}) != len(items):
            return None   # two items with one id: their findings are merged (`Evaluator._merge`)
        code = item_code(control, cond)
        for item in items:
            made.add(*_finished(e, control, e._finding(control, item.kind, item.id, item.name, item.outcome,
                                                       item.pos, item.path, code, has_evidence)))
        if not items:
            program_parts.append(outcome)
    program = e.program_finding(control, program_parts, bool(made.texts), has_evidence) if program_parts else None
    if program is not None:
        made.add(*_finished(e, control, program))
    status = worst(made.statuses)
    if status == NA or not made.texts:
        return None
    result = e._result(control, status, [], sorted(made.all_missing()), has_evidence)
    shown = made.shown_reasons()
    made.done()
    set_trusted(result, "reasons", explain.with_waiver_words(result, shown, e.waiver_infos, e.lang))
    set_trusted(result, "waiver", None)
    set_trusted(result, "underlying_status", None)
    return stamped_result_pieces(result, first, made), Outline(result.domain, result.severity, result.status)


def _stamp(e: Evaluator, control: Control, rule: Every, got: Resolved, alike: _Shapes, has_evidence: bool,
           made: _Findings) -> bool:
    """The findings of `rule`'s items added to `made`, stamped where a shape allows; False when a
    stamp is found wrong (then the control is evaluated as usual)."""
    code = item_code(control, rule)
    # A shape's template; None: `where` leaves the shape out; _OWN: no template (each evaluated in full).
    templates: dict[int, _Template | None | object] = {}
    checked: set[int] = set()
    texts = made.texts
    shapes, sizes, members = alike.shapes, alike.sizes, alike.members
    run: _Run | None = None
    for index, member in enumerate(members):
        shape = shapes[index]
        template = templates.get(shape, _UNSEEN)
        if shape in checked:
            if template is None:
                continue
            if template.__class__ is _Template:
                # The hot loop of a large declaration: the finding is an index in a run of its
                # template, filled in as it is written (`_Findings.chunks`); its sentence and what it
                # misses are the run's, worked out for all at once.
                if run is None or run.template is not template or texts[-1] is not run:
                    assert isinstance(template, _Template)
                    run = _Run(template, members, _spots(e, got, template.suffix), control.id, code)
                    texts.append(run)
                    made.statuses.add(template.status)
                run.indexes.append(index)
                continue
        found = _evaluated(e, control, rule, got, index, member, code, has_evidence)
        if template is _UNSEEN:   # the first of its shape: its template (none for a shape of one)
            templates[shape] = None if found is None else \
                (_template(*found, member) if sizes[shape] > 1 else None) or _OWN
        elif template is not _OWN:   # the second: what the template gives must be what it is
            checked.add(shape)
            if (found is None) != (template is None) or (isinstance(template, _Template) and found is not None and
                                                         _filled(e, template, control, code, members, got,
                                                                 index) != found[1]):
                return False
        if found is not None:
            made.add(found[0], found[1])
    return True


def _spots(e: Evaluator, got: Resolved, suffix: tuple[str | int, ...] | None) -> _Spots:
    """Line and column, as text, of the place `suffix` inside each item of the list (the list's own
    place for None): the same for every control that points there, worked out once."""
    cache: dict[tuple[str, Any], tuple[list[Any], _Spots]] = e.__dict__.setdefault("_stamp_spots", {})
    held = cache.get((got.path, suffix))
    if held is None or held[0] is not got.value:
        where = e.loaded.located.where
        spots = _Summed([(b"%d" % line, b"%d" % column) for line, column in
                         (where(got.pos + (index,) + suffix) if suffix is not None else (0, 0)
                          for index in range(len(got.value)))], lambda spot: spot, 2)
        held = cache[(got.path, suffix)] = (got.value, spots)
    return held[1]


def _finished(e: Evaluator, control: Control, finding: Finding) -> tuple[Finding, bytes]:
    """A finding made as usual, with its sentence and assurance, and its bytes."""
    finding.__dict__["reason"] = explain.reason(finding, e.lang, None)
    add_assurance(SimpleNamespace(control_id=control.id, findings=[finding]))
    return finding, finding_lines(finding)


def _evaluated(e: Evaluator, control: Control, rule: Every, got: Resolved, index: int, member: _Member,
               code: str, has_evidence: bool) -> tuple[Any, bytes, tuple[str | int, ...] | None,
                                                       tuple[int, int]] | None:
    """The item's finding evaluated as usual, its bytes, and where it points (`_Template.suffix`)."""
    found = item_outcome(rule, e.root, got, index)
    if found is None:
        return None
    finding, text = _finished(e, control, e._finding(control, found.kind, found.id, found.name, found.outcome,
                                                     found.pos, found.path, code, has_evidence))
    at, n = tuple(e.pointed_at(deciding_leaf(found.outcome), found.pos)), len(found.pos)
    suffix = at[n:] if at[:n] == found.pos else None   # inside the item, or a place of its own
    location = finding.location
    return finding, text, suffix, (location.line, location.column)


def _filled(e: Evaluator, template: _Template, control: Control, code: str, members: _Members, got: Resolved,
            index: int) -> bytes:
    """The stamp of the item at `index`, as the others of its shape are made (`_Findings.chunks`)."""
    return _Run(template, members, _spots(e, got, template.suffix), control.id, code).render([index])
