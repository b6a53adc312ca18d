"""A declaration written as commented YAML: declared values, and every other field as a comment.

`resguarda init` writes the owner's answers through this module. Each field left undeclared is a
commented line with the values it takes and what it decides (its help text and the controls that
read it), so the file itself is the guide to completing it. Walks the pydantic models, so fields
added to the contract appear without touching this module.
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from checker.declaration import Declaration
from checker.i18n import DEFAULT_LANG, LANGS, t


# -- reading annotations -----------------------------------------------------------------------
def _parts(annotation: Any) -> list[Any]:
    """The non-None members of a union (or the annotation itself)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _strip(annotation: Any) -> tuple[Any, list[Any]]:
    """Annotated[X, meta...] -> (X, meta)."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return base, meta
    return annotation, []


def model_of(annotation: Any) -> type[BaseModel] | None:
    for part in _parts(annotation):
        base, _ = _strip(part)
        if isinstance(base, type) and issubclass(base, BaseModel):
            return base
        if typing.get_origin(base) is list:
            inner, _ = _strip(typing.get_args(base)[0])
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def is_list(annotation: Any) -> bool:
    return any(typing.get_origin(_strip(p)[0]) is list for p in _parts(annotation))


def accepts_false(annotation: Any) -> bool:
    return any(typing.get_origin(p) is Literal and False in typing.get_args(p) for p in _parts(annotation))


def choices(annotation: Any) -> list[str]:
    """The allowed values of an enum field (or of the items of an enum list)."""
    found: list[str] = []
    for part in _parts(annotation):
        base, _ = _strip(part)
        if typing.get_origin(base) is list:
            found += choices(typing.get_args(base)[0])
        elif typing.get_origin(base) is Literal:
            found += [str(a) for a in typing.get_args(base) if not isinstance(a, bool)]
    return found


def _pattern(annotation: Any, meta: list[Any]) -> str | None:
    for m in meta:
        if getattr(m, "pattern", None):
            return str(m.pattern)
    for part in _parts(annotation):
        base, inner = _strip(part)
        if typing.get_origin(base) is list:
            return _pattern(typing.get_args(base)[0], [])
        for m in inner:
            if getattr(m, "pattern", None):
                return str(m.pattern)
    return None


def placeholder(info: FieldInfo | Any, lang: str) -> str:
    """What to write for a field, shown after the commented key: `true | false`, `P1Y`, `a | b`."""
    annotation = info.annotation if isinstance(info, FieldInfo) else info
    meta = list(info.metadata) if isinstance(info, FieldInfo) else []
    values = choices(annotation)
    listed = is_list(annotation)
    if values:
        text = " | ".join(values)
        return f"[{text}]" if listed else text
    pattern = _pattern(annotation, meta) or ""
    example = None
    if pattern.startswith("^P"):
        example = "P1Y"
    elif "MX-" in pattern:
        example = "MX-JAL"
    elif "A-Z]{2}$" in pattern:
        example = "MX"
    elif "A-Z]{2,5}-" in pattern:
        example = "ENC-01"
    elif "a-z0-9" in pattern:
        example = "id"
    kinds = {typing.get_origin(_strip(p)[0]) or _strip(p)[0] for p in _parts(annotation)}
    if example is None:
        if bool in kinds:
            example = "true | false"
        elif int in kinds or float in kinds:
            example = "0"
        elif dt.date in kinds:
            example = t("init", lang, "template.date")
        else:
            example = t("init", lang, "template.text")
    return f"[{example}]" if listed and not example.startswith("[") else example


# -- writing ---------------------------------------------------------------------------------
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    # Plain when it cannot be misread (ids, enum values, codes); JSON-quoted otherwise (safe YAML).
    if text and all(c.isalnum() or c in "-_" for c in text) and text.isascii() and text[0].isalpha() \
            and text.lower() not in ("true", "false", "yes", "no", "null", "on", "off", "y", "n"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _explain(path: str, decides: dict[str, list[str]], lang: str) -> str:
    from checker.field_controls import controls_for
    from checker.reference import help_of

    help_text = help_of(path, lang)
    ids = controls_for(decides, path)
    parts = [help_text.rstrip(".")] if help_text else []
    if ids:
        shown = ", ".join(ids[:6]) + (" …" if len(ids) > 6 else "")
        parts.append(t("init", lang, "template.decides", ids=shown))
    elif not help_text:
        parts.append(t("init", lang, "template.informative"))
    return "; ".join(parts)


class _Writer:
    def __init__(self, lang: str, decides: dict[str, list[str]]) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.decides = decides
        self.lines: list[str] = []

    def model(self, model: type[BaseModel], values: dict[str, Any], indent: str, path: str,
              first_prefix: str | None = None) -> None:
        # Declared fields first: a list item must open with a real key, not a comment.
        fields = sorted(model.model_fields.items(), key=lambda kv: (kv[1].alias or kv[0]) not in values)
        for n, (name, info) in enumerate(fields):
            key = info.alias or name
            lead = first_prefix if (n == 0 and first_prefix is not None) else indent
            sub = f"{path}.{key}" if path else key
            if key in values:
                self.value(key, values[key], info, lead, indent, sub)
            else:
                self.absent(key, info, indent, sub)

    def value(self, key: str, value: Any, info: FieldInfo, lead: str, indent: str, path: str) -> None:
        sub_model = model_of(info.annotation)
        if isinstance(value, dict) and sub_model is not None:
            if not value:
                self.lines.append(f"{lead}{key}: {{}}")
                self.comment_children(sub_model, indent + "  ", "", path)
                return
            self.lines.append(f"{lead}{key}:")
            self.model(sub_model, value, indent + "  ", path)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and sub_model:
            self.lines.append(f"{lead}{key}:")
            for item in value:
                self.model(sub_model, item, indent + "    ", path, first_prefix=indent + "  - ")
        elif isinstance(value, list):
            self.lines.append(f"{lead}{key}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            self.lines.append(f"{lead}{key}: {_scalar(value)}")

    def absent(self, key: str, info: FieldInfo, indent: str, path: str) -> None:
        self.comment_field(key, info, indent, "", path)

    def comment_field(self, key: str, info: FieldInfo, base: str, rel: str, path: str) -> None:
        """`{base}# {rel}key: ...`: removing "# " from each line gives valid YAML."""
        note = _explain(path, self.decides, self.lang)
        sub_model = model_of(info.annotation)
        if sub_model is None:
            self.lines.append(f"{base}# {rel}{key}: {placeholder(info, self.lang)}  # {note}")
            return
        if accepts_false(info.annotation):
            note = t("init", self.lang, "template.or_false") + "; " + note
        self.lines.append(f"{base}# {rel}{key}:  # {note}")
        plain_rel = rel.replace("-", " ")
        if is_list(info.annotation):
            self.comment_children(sub_model, base, plain_rel + "  ", path, item=True)
        else:
            self.comment_children(sub_model, base, plain_rel + "  ", path)

    def comment_children(self, model: type[BaseModel], base: str, rel: str, path: str, item: bool = False) -> None:
        for n, (name, info) in enumerate(model.model_fields.items()):
            key = info.alias or name
            dash = ("- " if n == 0 else "  ") if item else ""
            self.comment_field(key, info, base, rel + dash, f"{path}.{key}")


def commented_declaration(values: dict[str, Any], header: list[str], lang: str,
                          decides: dict[str, list[str]]) -> str:
    writer = _Writer(lang, decides)
    writer.lines += [f"# {line}" if line else "#" for line in header]
    for name, info in Declaration.model_fields.items():
        key = info.alias or name
        writer.lines.append("")
        if key in values:
            writer.value(key, values[key], info, "", "", key)
        else:
            writer.absent(key, info, "", key)
    return "\n".join(writer.lines).strip("\n") + "\n"
