"""From the vendor's answers to a declaration: each answer checked against its field's kind, every
problem collected (where, which question, what to write), the declaration built and validated.

The questionnaire (XLSX or PDF) hands over a list of `Cell`s (what each answer place holds) and the
raw values read from them. Nothing unanswered is guessed: an empty cell leaves its field undeclared,
so the evaluation reports it as undecided.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from checker.declaration import Declaration, Program
from checker.durations import Duration
from checker.i18n import Translator, t
from checker.procurement.questions import AnswerField, Questionnaire
from checker.procurement.words import value_label, value_spellings


@dataclass(frozen=True)
class Cell:
    """One place an answer is written: a spreadsheet cell or a PDF form field."""

    key: str               # "Preguntas!D12", or the PDF field's name
    field: AnswerField
    part: str = ""         # "", "every" / "last_done" of recurring work, "presence" of a list
    slot: int | None = None
    question: str = ""     # "4.1 ¿Los sistemas...?", or the label on the vendor's sheet
    control_id: str = ""


@dataclass(frozen=True)
class Problem:
    where: str
    question: str
    message: str

    def text(self, lang: str) -> str:
        q = f" ({self.question})" if self.question else ""
        return f"{self.where}{q}: {self.message}"


@dataclass
class Built:
    declaration: dict[str, Any]
    comments: dict[tuple[str | int, ...], str] = field(default_factory=dict)   # position -> question
    problems: list[Problem] = field(default_factory=list)
    answered: int = 0


class _Bad(Exception):
    """An answer that does not fit its field; the message says what to write."""


# -- reading one answer ------------------------------------------------------------------------
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return str(raw).strip()


def yes_no_words(lang: str) -> tuple[str, str]:
    tr = Translator("procurement", lang)
    return tr("answer.yes"), tr("answer.no")


@cache
def _choices(f: AnswerField) -> dict[str, str]:
    """Every way of writing a value: its label in either language, and the value itself."""
    out: dict[str, str] = {}
    for v in f.choices:
        for spelling in value_spellings(f.path, v):
            out.setdefault(_fold(spelling), v)
    return out


_SPLIT = re.compile(r"[;\n]+")
_UNITS = {"ano": "Y", "anos": "Y", "year": "Y", "years": "Y", "mes": "M", "meses": "M", "month": "M",
          "months": "M", "semana": "W", "semanas": "W", "week": "W", "weeks": "W", "dia": "D", "dias": "D",
          "day": "D", "days": "D", "hora": "H", "horas": "H", "hour": "H", "hours": "H", "h": "H"}
_DURATION = re.compile(r"^(\d{1,5})\s*([a-z]+)$")
_NEVER = {"no se hace", "nunca", "no", "never", "not done"}


def duration(raw: Any, tr: Translator) -> str:
    text = _fold(_text(raw))
    if re.fullmatch(r"p[0-9ymwdths]+", text):
        try:
            return Duration.parse(text.upper()).text
        except ValueError:
            pass
    m = _DURATION.match(text)
    if not m or m.group(2) not in _UNITS:
        raise _Bad(tr("fix.duration", value=_text(raw)))
    unit = _UNITS[m.group(2)]
    return f"PT{int(m.group(1))}H" if unit == "H" else f"P{int(m.group(1))}{unit}"


def _date(raw: Any, tr: Translator) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Bad(tr("fix.date", value=text)) from None


def parse(f: AnswerField, part: str, raw: Any, lang: str) -> Any:
    """The typed value of one answer; raises _Bad with what to write instead."""
    tr = Translator("procurement", lang)
    kind = f.kind
    if part == "presence" or kind == "yesno":
        if isinstance(raw, bool):
            return raw
        word = _fold(_text(raw))
        if word in ("si", "yes", "s", "y"):
            return True
        if word in ("no", "n"):
            return False
        yes, no = yes_no_words(lang)
        raise _Bad(tr("fix.yesno", yes=yes, no=no, value=_text(raw)))
    if part == "every":
        if _fold(_text(raw)) in _NEVER:
            return False
        return duration(raw, tr)
    if part == "last_done" or kind == "date":
        return _date(raw, tr)
    if kind == "choice":
        found = _choices(f).get(_fold(_text(raw)))
        if found is None:
            raise _Bad(tr("fix.choice", value=_text(raw), options=_options(f, lang)))
        return found
    if kind == "multi":
        table = _choices(f)
        values: list[str] = []
        bad: list[str] = []
        for piece in (p for p in _SPLIT.split(_text(raw)) if p.strip()):
            got = table.get(_fold(piece))
            (values if got else bad).append(got or piece.strip())
        if bad:
            raise _Bad(tr("fix.multi", value="; ".join(bad), options=_options(f, lang)))
        return list(dict.fromkeys(values))
    if kind == "duration":
        return duration(raw, tr)
    if kind == "number":
        if isinstance(raw, bool):
            raise _Bad(tr("fix.number", value=_text(raw)))
        if isinstance(raw, int | float) and float(raw).is_integer() and raw >= 0:
            return int(raw)
        text = _text(raw).replace(",", "")
        if text.isdigit():
            return int(text)
        raise _Bad(tr("fix.number", value=_text(raw)))
    if kind == "country":
        text = _text(raw).upper()
        if not re.fullmatch(r"[A-Z]{2}", text):
            raise _Bad(tr("fix.country", value=_text(raw)))
        return text
    if kind == "textlist":
        return [p.strip() for p in _SPLIT.split(_text(raw)) if p.strip()]
    if kind == "pairs":
        out = []
        for piece in (p for p in _SPLIT.split(_text(raw)) if p.strip()):
            name, _, purpose = piece.partition(":")
            item = {"attribute": name.strip()}
            if purpose.strip():
                item["purpose"] = purpose.strip()
            out.append(item)
        return out
    text = _text(raw)
    if len(text) > 4000:
        raise _Bad(tr("fix.too_long"))
    return text


def _options(f: AnswerField, lang: str) -> str:
    return ", ".join(f"«{value_label(f.path, v, lang)}»" for v in f.choices)


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", _fold(text)).strip("-")[:63].strip("-")


# -- building the declaration ------------------------------------------------------------------
def _set(node: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = node[p] = {}
        node = nxt
    node[parts[-1]] = value


def _pos(base: tuple[str | int, ...], dotted: str) -> tuple[str | int, ...]:
    return base + tuple(dotted.split("."))


def build(q: Questionnaire, cells: list[Cell], values: dict[str, Any], where: dict[str, str] | None = None) -> Built:
    """The declaration the answers make, with a comment per answered field, or the problems found."""
    lang = q.lang
    tr = Translator("procurement", lang)
    where = where or {}
    out = Built({"schema_version": 1, "program": {"role": q.role}})
    decl = out.declaration
    parsed: dict[str, Any] = {}
    for cell in cells:
        raw = values.get(cell.key)
        if is_empty(raw):
            continue
        try:
            parsed[cell.key] = parse(cell.field, cell.part, raw, lang)
        except _Bad as exc:
            out.problems.append(Problem(where.get(cell.key, cell.key), cell.question, str(exc)))

    def problem(cell: Cell, message: str) -> None:
        out.problems.append(Problem(where.get(cell.key, cell.key), cell.question, message))

    # The items the vendor listed: a name gives the item and its id.
    items: dict[str, dict[int, dict[str, Any]]] = {c.key: {} for c in q.collections}
    ids: dict[str, dict[int, str]] = {c.key: {} for c in q.collections}
    by_slot: dict[tuple[str, int], list[Cell]] = {}
    for cell in cells:
        if cell.field.collection is not None and cell.slot is not None:
            by_slot.setdefault((cell.field.collection, cell.slot), []).append(cell)
    for coll in q.collections:
        identity = coll.columns[0]
        seen: dict[str, Cell] = {}
        for slot in range(coll.slots):
            mine = [c for c in by_slot.get((coll.key, slot), []) if not c.control_id]
            head = next((c for c in mine if c.field.rel == identity.rel), None)
            if head is None:
                continue
            name = parsed.get(head.key)
            filled = [c for c in mine if c.key in parsed and c is not head]
            if name is None:
                if filled:
                    problem(filled[0], tr("fix.item_without_name", column=identity.label))
                continue
            if coll.key == "program.data_subjects":
                key = str(name)
            elif coll.key == "systems[].authentication":
                key = f"{slot}"
            else:
                key = slug(str(name))
                if not key:
                    problem(head, tr("fix.name_letters"))
                    continue
                if key in seen:
                    problem(head, tr("fix.name_twice", name=str(name), other=where.get(seen[key].key, seen[key].key)))
                    continue
                seen[key] = head
            ids[coll.key][slot] = key
            items[coll.key][slot] = {}
    system_names = {_fold(str(parsed.get(c.key, ""))): slot for (k, slot), cs in by_slot.items() if k == "systems"
                    for c in cs if not c.control_id and c.field.rel == "name" and c.key in parsed}

    def system_slot(cell: Cell, text: str) -> int | None:
        slot = system_names.get(_fold(text))
        if slot is None:
            problem(cell, tr("fix.unknown_system", value=text))
        return slot

    notes: dict[tuple[str | None, int | None, str], str] = {}
    taken: dict[str, str] = {}   # ids are unique across the lists (systems, data, sub-processors, transfers)
    for coll in q.collections:
        if coll.key in ("program.data_subjects", "systems[].authentication"):
            continue
        for slot, ident in sorted(ids[coll.key].items()):
            head = next(c for c in by_slot[(coll.key, slot)] if not c.control_id and c.field.rel == coll.columns[0].rel)
            if ident in taken:
                problem(head, tr("fix.name_twice", name=str(parsed.get(head.key)), other=taken[ident]))
            taken[ident] = where.get(head.key, head.key)
    for cell in cells:
        if cell.key not in parsed:
            if not cell.control_id and cell.field.path in REQUIRED.get(q.role, ()):
                problem(cell, tr("fix.required"))
            continue
        value = parsed[cell.key]
        f = cell.field
        out.answered += 1
        if f.path == "systems[].hosting.processor":   # names a sub-processor of the vendor's list
            value = slug(str(value))
            if value not in ids["processors"].values():
                problem(cell, tr("fix.unknown_processor", value=str(parsed[cell.key])))
                continue
        if cell.part == "presence":
            if value is False:
                if any(items[f.path].values()):
                    problem(cell, tr("fix.presence_but_listed"))
                else:
                    decl[f.path] = []
            continue
        if f.collection is None:
            target, rel = decl, f.path
        else:
            if cell.slot not in items[f.collection]:
                problem(cell, tr("fix.row_without_item", collection=q.collection(f.collection).label))
                continue
            target, rel = items[f.collection][cell.slot], f.rel
        if f.kind == "ref":
            owner = system_slot(cell, str(value))
            if owner is not None:
                target["_system"] = owner
            continue
        if f.kind == "refs":
            names = [p.strip() for p in _SPLIT.split(str(value)) if p.strip()]
            owners = [system_slot(cell, n) for n in names]
            if None not in owners:
                target[rel] = [ids["systems"][s] for s in owners if s is not None and s in ids["systems"]]
            continue
        if f.kind == "recurring":
            current = _get(target, rel)
            if value is False:
                if isinstance(current, dict) and current:
                    problem(cell, tr("fix.never_but_dated"))
                    continue
                _set(target, rel, False)
            else:
                if current is False:
                    problem(cell, tr("fix.never_but_dated"))
                    continue
                key = "every" if cell.part == "every" else "last_done"
                _set(target, rel + "." + key, value)
        else:
            _set(target, rel, value)
        if cell.control_id:
            notes.setdefault((f.collection, cell.slot, rel), cell.question)
    _consistency(q, cells, items, problem, tr)
    placed = _assemble(q, decl, items, ids)
    # The declaration's own order (program first), so the file reads like a hand-written one.
    decl["program"] = {k: decl["program"][k] for k in Program.model_fields if k in decl["program"]}
    out.declaration = decl = {k: decl[k] for k in Declaration.model_fields if k in decl}
    for (coll_key, note_slot, rel), text in notes.items():
        base = () if coll_key is None else placed.get((coll_key, note_slot if note_slot is not None else -1))
        if base is not None:
            out.comments.setdefault(_pos(base, rel), text)
    if not out.problems:
        _validate(out, cells, where, lang)
    return out


# What a declaration cannot do without (the model and `validate` refuse it otherwise).
REQUIRED = {"encargado": ("program.name", "program.operator", "program.operator_type", "program.controller"),
            "responsable": ("program.name", "program.operator", "program.operator_type")}


def _consistency(q: Questionnaire, cells: list[Cell], items: dict[str, dict[int, dict[str, Any]]],
                 problem: Any, tr: Translator) -> None:
    """What `validate` also requires: a cloud system says its country; biometric data has its block."""
    for slot, system in items["systems"].items():
        hosting = system.get("hosting") or {}
        if hosting.get("type") in ("cloud", "saas") and not hosting.get("country"):
            cell = next(c for c in cells if c.slot == slot and c.field.path == "systems[].hosting.country"
                        and not c.control_id)
            problem(cell, tr("fix.hosting_country"))
    for data in items["data_inventory"].values():
        if data.get("category") == "biometric":
            data.setdefault("biometric", {})   # an empty block: its answers stay undeclared


def _get(node: dict[str, Any], dotted: str) -> Any:
    for p in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(p)  # type: ignore[assignment]
    return node


def _assemble(q: Questionnaire, decl: dict[str, Any], items: dict[str, dict[int, dict[str, Any]]],
              ids: dict[str, dict[int, str]]) -> dict[tuple[str, int], tuple[str | int, ...]]:
    """Put the listed items in place: systems with their logins, data, sub-processors, transfers.
    Returns where each (list, row) ended up, for the comments."""
    placed: dict[tuple[str, int], tuple[str | int, ...]] = {}
    logins = items.pop("systems[].authentication")
    systems = items["systems"]
    for slot, login in sorted(logins.items()):
        owner = login.pop("_system", None)
        if owner is not None and owner in systems:
            mine = systems[owner].setdefault("authentication", [])
            placed[("systems[].authentication", slot)] = (owner, len(mine))
            mine.append(login)
    for key, slots in items.items():
        if not slots:
            continue
        listed = []
        for index, (slot, item) in enumerate(sorted(slots.items())):
            placed[(key, slot)] = (*key.split("."), index)
            if key == "program.data_subjects":
                listed.append(item)
                continue
            ident = {"id": ids[key][slot]}
            listed.append({**ident, **{k: v for k, v in item.items() if k != "id"}})
        if key == "program.data_subjects":
            decl["program"]["data_subjects"] = listed
        else:
            decl[key] = listed
    order = {slot: i for i, slot in enumerate(sorted(systems))}
    for k, where in list(placed.items()):
        if k[0] == "systems[].authentication":
            owner, n = where
            placed[k] = ("systems", order[int(owner)], "authentication", n)
    return placed


def _validate(out: Built, cells: list[Cell], where: dict[str, str], lang: str) -> None:
    """The model's own checks (required fields, limits): each error named by the cell it comes from."""
    try:
        Declaration.model_validate(out.declaration)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            cell = _cell_for(loc, cells, out.declaration)
            key = where.get(cell.key, cell.key) if cell else ".".join(str(p) for p in loc)
            out.problems.append(Problem(key, cell.question if cell else "",
                                        t("procurement", lang, "fix.model", detail=err["msg"])))


def _cell_for(loc: tuple[Any, ...], cells: list[Cell], decl: dict[str, Any]) -> Cell | None:
    dotted = ".".join(str(p) for p in loc if not isinstance(p, int))
    for cell in cells:
        if cell.field.path.replace("[]", "") == dotted:
            return cell
    return None
