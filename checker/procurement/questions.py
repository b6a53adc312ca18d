"""Typed questions: each question of the questionnaire knows the declaration fields it fills and the
kind of answer each one takes, worked out from the catalog rule and the pydantic declaration model.

A control's rule names declaration paths (`systems[].encryption.at_rest.enabled`); the model says
what each path holds (a bool is a yes/no, a Literal a choice, a list of Literals several choices, an
ISO duration a duration in plain words, a Recurring a "how often / when last"). Paths under a list of
items (systems, data categories, sub-processors, transfers, logins) become a per-item table. The
items themselves (which systems, which data) are listed once, on the vendor's sheet, so the
questions only ask about them. Computed facts (`facts.*`) and scan observations (`observed*`) are not
asked: a question whose rule rests on a scan says so and takes no answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from checker import declaration as model
from checker.catalog import AllOf, AnyOf, Catalog, Check, Condition, Control, Every, NotOf, Some
from checker.checklist import _legal
from checker.errors import UsageError
from checker.i18n import Translator
from checker.procurement.vocab import domain_word, severity_word
from checker.procurement.words import field_label

Kind = Literal["yesno", "choice", "multi", "date", "duration", "number", "text", "textlist", "recurring",
               "pairs", "country", "ref", "refs"]

# The lists whose items the vendor names on the systems-and-data sheet, and how many rows each gets.
# `systems[].authentication` are the ways people log in to a system (one row per login, naming its system).
SLOTS = {"program.data_subjects": 4, "systems": 6, "systems[].authentication": 8, "data_inventory": 10,
         "processors": 6, "transfers": 4}
COLLECTIONS = tuple(SLOTS)


@dataclass(frozen=True)
class AnswerField:
    """One declaration field a cell fills."""

    path: str                     # full path, items as `[]`: "systems[].encryption.at_rest.enabled"
    collection: str | None        # "systems", "systems[].authentication", ... or None for one value
    rel: str                      # the path inside the item (or the full path when not in a list)
    kind: Kind
    choices: tuple[str, ...] = ()  # enum values, in the model's order
    label: str = ""


@dataclass(frozen=True)
class Question:
    number: str
    control_id: str
    domain: str
    domain_label: str
    severity: str
    severity_label: str
    text: str
    evidence: str
    legal: str
    fields: tuple[AnswerField, ...]
    scan_only: bool               # decided by a network scan: the vendor has nothing to write
    asked_in: tuple[str, ...] = ()  # numbers of earlier questions that already ask some of its fields


@dataclass(frozen=True)
class Collection:
    key: str
    label: str
    slots: int
    columns: tuple[AnswerField, ...]   # the identity of an item first (its name), then its other columns


@dataclass(frozen=True)
class Questionnaire:
    lang: str
    profile: str
    role: str
    catalog_id: str
    catalog_version: str
    catalog_sha256: str
    program: tuple[AnswerField, ...]
    presence: tuple[str, ...]          # lists a "none" answer may declare empty: processors, transfers
    collections: tuple[Collection, ...]
    questions: tuple[Question, ...]
    domains: tuple[tuple[str, str], ...] = field(default=())   # (domain, label) in questionnaire order

    def collection(self, key: str) -> Collection:
        return next(c for c in self.collections if c.key == key)


# -- the model: what a path holds ------------------------------------------------------------
def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional, `| Literal[False]` and Annotated; True when `false` is also allowed."""
    allows_false = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            parts = []
            for a in typing.get_args(annotation):
                if a is type(None):
                    continue
                if typing.get_origin(a) is Literal and typing.get_args(a) == (False,):
                    allows_false = True
                    continue
                parts.append(a)
            if len(parts) == 1:
                annotation = parts[0]
                continue
            # `list[Text] | bool` (incident contacts): the list is what the vendor writes.
            lists = [p for p in parts if typing.get_origin(p) is list]
            annotation = lists[0] if lists else parts[0]
            continue
        return annotation, allows_false


def annotation_of(path: str) -> Any:
    """The model annotation (Annotated kept) of a `[]` path, e.g. `systems[].hosting.country`."""
    node: type[BaseModel] = model.Declaration
    ann: Any = None
    parts = path.replace("[]", "").split(".")
    for i, part in enumerate(parts):
        info = node.model_fields.get(part)
        if info is None:
            raise KeyError(path)
        ann = info.annotation
        if i == len(parts) - 1:
            return ann
        inner, _ = _unwrap(ann)
        if typing.get_origin(inner) is list:
            inner, _ = _unwrap(typing.get_args(inner)[0])
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            raise KeyError(path)
        node = inner
    return ann


def _is_duration(ann: Any) -> bool:
    while typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) != 1:
            return False
        ann = args[0]
    return ann is model.IsoDuration


def kind_of(path: str) -> tuple[Kind, tuple[str, ...]]:
    ann = annotation_of(path)
    if _is_duration(ann):
        return "duration", ()
    if path.endswith("country"):
        return "country", ()
    inner, _ = _unwrap(ann)
    if inner is bool:
        return "yesno", ()
    if inner is int or inner is float:
        return "number", ()
    if inner is dt.date:
        return "date", ()
    if inner is model.Recurring:
        return "recurring", ()
    if typing.get_origin(inner) is Literal:
        return "choice", tuple(str(v) for v in typing.get_args(inner))
    if typing.get_origin(inner) is list:
        item, _ = _unwrap(typing.get_args(inner)[0])
        if typing.get_origin(item) is Literal:
            return "multi", tuple(str(v) for v in typing.get_args(item))
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "pairs", ()
        return "textlist", ()
    return "text", ()


def _collection_of(path: str) -> tuple[str | None, str]:
    """`systems[].authentication[].mfa` -> ("systems[].authentication", "mfa")."""
    best: str | None = None
    for key in COLLECTIONS:
        if path.startswith(key + "[].") and (best is None or len(key) > len(best)):
            best = key
    if best is None:
        return None, path
    return best, path[len(best) + 3:]


def make_field(path: str, lang: str, kind: Kind | None = None, choices: tuple[str, ...] = ()) -> AnswerField:
    collection, rel = _collection_of(path)
    if kind is None:
        kind, choices = kind_of(path)
    return AnswerField(path=path, collection=collection, rel=rel, kind=kind, choices=choices,
                       label=field_label(path, lang))


# -- the vendor's sheet: the program and the items the questions ask about --------------------
PROGRAM_FIELDS = ("program.name", "program.operator", "program.operator_type", "program.controller",
                  "program.contact.name", "program.contact.email")
# Per list: the identity column first (a name, turned into the item's id), then the other columns.
COLLECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "program.data_subjects": ("type", "count", "includes_minors"),
    "systems": ("name", "hosting.type", "hosting.provider", "hosting.country", "hosts"),
    "systems[].authentication": ("system", "audiences", "provider", "protocol"),
    "data_inventory": ("id", "category", "systems", "subjects"),
    "processors": ("name", "service", "country"),
    "transfers": ("recipient", "country", "purpose"),
}
PRESENCE = ("processors", "transfers")


def _collection(key: str, lang: str) -> Collection:
    tr = Translator("procurement", lang)
    columns = []
    for rel in COLLECTION_FIELDS[key]:
        path = f"{key}[].{rel}"
        if key == "systems[].authentication" and rel == "system":
            columns.append(AnswerField(path, key, rel, "ref", (), tr("column.login_system")))
        elif key == "data_inventory" and rel == "systems":
            columns.append(AnswerField(path, key, rel, "refs", (), field_label(path, lang)))
        elif key == "data_inventory" and rel == "id":
            columns.append(AnswerField(path, key, rel, "text", (), tr("column.data_name")))
        else:
            columns.append(make_field(path, lang))
    return Collection(key, tr(f"collection.{key}"), SLOTS[key], tuple(columns))


ASKED_ON_VENDOR_SHEET = frozenset(PROGRAM_FIELDS) | {f"{k}[].{r}" for k, rels in COLLECTION_FIELDS.items()
                                                     for r in rels}


# -- the rule's paths ---------------------------------------------------------------------------
def _join(prefix: str, path: str) -> str:
    if path.startswith("/"):
        return path[1:]
    return f"{prefix}.{path}" if prefix else path


def rule_paths(cond: Condition | None, prefix: str = "") -> list[str]:
    """Every declaration path a condition reads, items written `[]`, in the order written."""
    out: list[str] = []
    if cond is None:
        return out
    if isinstance(cond, Check):
        out.append(_join(prefix, cond.path))
        if cond.ref is not None and cond.ref.path:
            out.append(_join(prefix, cond.ref.path))
    elif isinstance(cond, AllOf | AnyOf):
        for part in cond.all if isinstance(cond, AllOf) else cond.any:
            out += rule_paths(part, prefix)
    elif isinstance(cond, NotOf):
        out += rule_paths(cond.not_, prefix)
    elif isinstance(cond, Every | Some):
        inner = _join(prefix, cond.list_path) + "[]"
        out += rule_paths(cond.where, inner)
        out += rule_paths(cond.require, inner)
    return out


def _scan_path(path: str) -> bool:
    return path.startswith("observed_hosts") or ".observed" in f".{path}"


def answer_paths(control: Control) -> tuple[list[str], bool]:
    """The fields a vendor fills for a control, and whether its rule rests on a scan."""
    paths = rule_paths(control.applies_when) + rule_paths(control.rule)
    scan = any(_scan_path(p) for p in paths)
    out: list[str] = []
    for p in paths:
        if _scan_path(p) or ".facts." in f".{p}." or p.startswith("facts."):
            continue
        folded = _fold(p)
        if folded is None or folded in ASKED_ON_VENDOR_SHEET or folded in out:
            continue
        out.append(folded)
    return out, scan


def _fold(path: str) -> str | None:
    """A path to the field a cell holds: inside a Recurring -> the Recurring; inside a list of pairs
    (Llave MX's stored attributes) -> the list; an object (a whole `retention`) -> not a cell."""
    parts = path.split(".")
    for i in range(1, len(parts) + 1):
        head = ".".join(parts[:i])
        if head.endswith("[]") and head[:-2] not in COLLECTIONS:
            return head[:-2]   # a list of objects that is not one of the vendor's item lists
        try:
            inner, _ = _unwrap(annotation_of(head))
        except KeyError:
            return None
        if inner is model.Recurring:
            return head
    inner, _ = _unwrap(annotation_of(path))
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return None
    return path


# -- the questionnaire -------------------------------------------------------------------------
_SEV_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def build_questionnaire(catalog: Catalog, profile: str, lang: str) -> Questionnaire:
    if profile not in catalog.index.profiles:
        raise UsageError(f"unknown profile {profile!r}; the catalog has: {', '.join(catalog.index.profiles)}")
    lang = Translator("procurement", lang).lang
    controls = [c for c in catalog.select(profile) if not c.deprecated]
    by_domain: dict[str, list[Control]] = {}
    for c in controls:
        by_domain.setdefault(c.domain, []).append(c)
    questions: list[Question] = []
    first_asked: dict[str, str] = {}
    for i, (domain, items) in enumerate(by_domain.items(), 1):
        for j, c in enumerate(sorted(items, key=lambda c: _SEV_RANK[c.severity]), 1):
            number = f"{i}.{j}"
            paths, scan = answer_paths(c)
            fields = tuple(make_field(p, lang) for p in paths if p not in first_asked)
            earlier = tuple(dict.fromkeys(first_asked[p] for p in paths if p in first_asked))
            for p in paths:
                first_asked.setdefault(p, number)
            tr = Translator("checklist", lang)
            questions.append(Question(
                number=number, control_id=c.id, domain=domain, domain_label=domain_word(domain, lang),
                severity=c.severity, severity_label=severity_word(c.severity, lang),
                text=c.question.get(lang) if c.question else tr("question_fallback", statement=c.statement.get(lang)),
                evidence=c.evidence.get(lang), legal=_legal(c, profile, lang), fields=fields,
                scan_only=scan and not paths, asked_in=earlier))
    return Questionnaire(
        lang=lang, profile=profile, role="encargado" if profile == "vendor" else "responsable",
        catalog_id=catalog.index.id, catalog_version=catalog.index.version, catalog_sha256=catalog.sha256,
        program=tuple(make_field(p, lang) for p in PROGRAM_FIELDS), presence=PRESENCE,
        collections=tuple(_collection(k, lang) for k in COLLECTIONS), questions=tuple(questions),
        domains=tuple((d, domain_word(d, lang)) for d in by_domain))


def layout_checksum(rows: list[list[str]]) -> str:
    """The checksum of the mapping sheet's rows: the import refuses a questionnaire whose map changed."""
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def answer_lines(catalog: Catalog, profile: str, lang: str) -> dict[str, tuple[str, ...]]:
    """Per control: what to write for each of its fields, in words (Markdown and CSV questionnaires)."""
    from checker.procurement.words import value_label

    q = build_questionnaire(catalog, profile, lang)
    tr = Translator("procurement", q.lang)
    out: dict[str, tuple[str, ...]] = {}
    for question in q.questions:
        lines = []
        for f in question.fields:
            where = tr("hint.per_item", collection=q.collection(f.collection).label) if f.collection else ""
            if f.kind in ("choice", "multi"):
                options = " ".join(f"☐ {value_label(f.path, v, q.lang)}" for v in f.choices)
                what = tr(f"hint.{f.kind}", options=options)
            else:
                what = tr(f"hint.{f.kind}")
            lines.append(f"{f.label}{where}: {what}")
        if question.scan_only:
            lines.append(tr("questions.scan_only"))
        if question.asked_in:
            lines.append(tr("questions.asked_in", numbers=", ".join(question.asked_in)))
        if not lines:
            lines.append(tr("questions.vendor_sheet"))
        out[question.control_id] = tuple(lines)
    return out
