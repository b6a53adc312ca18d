"""Static checks of a catalog's rules against the shape of what they read.

A rule reads the evaluation view: the declaration model's fields, the derived `facts` (view.py) and
what scans `observed`. A user's catalog (`--catalog DIR`) whose rule names a key the model does not
have, walks through a scalar or a list (`program.name.x`), quantifies over something that is not a
list, cites an unknown parameter or a malformed period, or adds a period to a non-date would either
fail at evaluation time or silently stay "unknown" forever. `catalog check` reports every such rule,
and loading a user's catalog refuses the first one (exit 2, located), so `evaluate` never meets one.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from checker.catalog import AllOf, AnyOf, Catalog, Check, Every, NotOf, Some
from checker.declaration import Declaration
from checker.durations import is_duration
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.view import FACTS_AT


@dataclass(frozen=True)
class Shape:
    """What sits at a path: a mapping with known keys, a list of items, a scalar, or anything (observed)."""

    kind: str                                   # "map" | "list" | "scalar" | "open"
    keys: dict[str, Any] = field(default_factory=dict, compare=False)   # map: key -> annotation or Shape
    item: Shape | None = None                   # list: the item's shape
    is_date: bool = False                       # scalar: a date (plus/minus need one)
    section: str = ""                           # list: the declaration section its items belong to


OPEN = Shape("open")
_SHAPES: dict[tuple[Any, str], Shape] = {}


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _facts(section: str) -> Shape:
    return Shape("map", {name: Shape("scalar") for name in FACTS_AT[section]})


def shape_of(annotation: Any, section: str = "") -> Shape:
    """The shape of a field's annotation; models become maps (with facts and observed where the view
    adds them), `Model | false` the model, `list[X] | bool` the list."""
    annotation = _strip(annotation)
    key = (annotation, section)
    if key in _SHAPES:
        return _SHAPES[key]
    origin = typing.get_origin(annotation)
    result: Shape
    if origin is typing.Union or origin is types.UnionType:
        options = [shape_of(a, section) for a in typing.get_args(annotation) if a is not type(None)]
        result = next((o for o in options if o.kind == "map"), None) or next(
            (o for o in options if o.kind == "list"), None) or next(
            (o for o in options if o.is_date), None) or Shape("scalar")
    elif origin is list:
        result = Shape("list", item=shape_of(typing.get_args(annotation)[0], section), section=section)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        result = Shape("map", {})
        _SHAPES[key] = result  # recursive models: register before filling
        for name, info in annotation.model_fields.items():
            result.keys[name] = (info.annotation, name)
        if section in FACTS_AT and (annotation is Declaration or section):
            result.keys["facts"] = _facts(section)
        if annotation is Declaration:
            result.keys["observed_hosts"] = Shape("list", item=OPEN, section="observed_hosts")
        if section == "systems":
            result.keys["observed"] = OPEN
        return result
    elif annotation in (dt.date, dt.datetime):
        result = Shape("scalar", is_date=True)
    else:
        result = Shape("scalar")
    _SHAPES[key] = result
    return result


def _child(shape: Shape, name: str) -> Shape | None:
    found = shape.keys.get(name)
    if found is None:
        return None
    if isinstance(found, Shape):
        return found
    annotation, key = found
    # A list field's items are addressed as that section (`systems` items carry facts, observed).
    return shape_of(annotation, key if _is_list(annotation) else "")


def _is_list(annotation: Any) -> bool:
    annotation = _strip(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_list(a) for a in typing.get_args(annotation))
    return origin is list


class _Checker:
    def __init__(self, parameters: dict[str, Any], lang: str) -> None:
        self.parameters = parameters
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.root = shape_of(Declaration)
        self.problems: list[str] = []

    def tr(self, message: str, /, **values: Any) -> str:
        return t("integrity", self.lang, message, **values)

    def resolve(self, scope: Shape, dotted: str) -> Shape | None:
        shape = self.root if dotted.startswith("/") else scope
        parts = [p for p in dotted.lstrip("/").split(".") if p]
        for i, part in enumerate(parts):
            if shape.kind == "open":
                return OPEN
            if shape.kind != "map":
                kind = self.tr("rule.kind_list") if shape.kind == "list" else self.tr("rule.kind_scalar")
                self.problems.append(self.tr("rule.through", path=dotted, part=".".join(parts[:i]) or "/",
                                             kind=kind))
                return None
            child = _child(shape, part)
            if child is None:
                known = ", ".join(sorted(shape.keys))
                self.problems.append(self.tr("rule.unknown_key", path=dotted, key=part, known=known))
                return None
            shape = child
        return shape

    def check(self, cond: Any, scope: Shape) -> None:
        if isinstance(cond, AllOf):
            for part in cond.all:
                self.check(part, scope)
        elif isinstance(cond, AnyOf):
            for part in cond.any:
                self.check(part, scope)
        elif isinstance(cond, NotOf):
            self.check(cond.not_, scope)
        elif isinstance(cond, Every | Some):
            list_path = cond.list_path
            target = self.resolve(scope, list_path)
            if target is None:
                return
            if target.kind == "open":
                item = OPEN
            elif target.kind != "list" or target.item is None:
                self.problems.append(self.tr("rule.not_list", path=list_path))
                return
            else:
                item = target.item
            if cond.where is not None:
                self.check(cond.where, item)
            self.check(cond.require, item)
        elif isinstance(cond, Check):
            self.resolve(scope, cond.path)
            ref = cond.ref
            if ref is None:
                return
            if ref.parameter is not None and ref.parameter not in self.parameters:
                self.problems.append(self.tr("rule.unknown_parameter", name=ref.parameter,
                                             known=", ".join(sorted(self.parameters)) or "—"))
            for period in (ref.plus, ref.minus, ref.as_of_minus):
                if period is not None and not is_duration(period):
                    self.problems.append(self.tr("rule.not_duration", value=period))
            if ref.path is not None:
                target = self.resolve(scope, ref.path)
                if target is not None and (ref.plus or ref.minus) and not (target.is_date or target.kind == "open"):
                    self.problems.append(self.tr("rule.not_date", path=ref.path))


def rule_problems(catalog: Catalog, lang: str = DEFAULT_LANG) -> list[tuple[str, str]]:
    """(control id, problem) for every rule or applicability condition that cannot run as written."""
    out: list[tuple[str, str]] = []
    for control in catalog.controls:
        checker = _Checker(dict(catalog.index.parameters), lang)
        if control.applies_when is not None:
            checker.check(control.applies_when, checker.root)
        checker.check(control.rule, checker.root)
        out.extend((control.id, problem) for problem in dict.fromkeys(checker.problems))
    return out
