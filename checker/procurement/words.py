"""Words for declaration fields and their values, in the reader's language: the one place the
questionnaire and the comparison name a field ("Cifrado en reposo · activo") or an enum value
("Servicio de llaves (KMS)").

`checker/labels.py` (stream `result`) holds the project's field and value labels: when it is present
and has a label, that label is used. Otherwise (before that stream is merged, or for a path it does
not cover) the words come from `procurement.<lang>.json`: a field's label from the words of its path
segments, a value's from `value.<field>.<value>`.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from checker.i18n import messages, t


@cache
def _labels() -> Any:
    try:
        return importlib.import_module("checker.labels")
    except ImportError:
        return None


def _word(segment: str, lang: str) -> str:
    return messages("procurement", lang).get(f"segment.{segment}") or t("procurement", "es", f"segment.{segment}")


def field_label(path: str, lang: str) -> str:
    """`systems[].encryption.at_rest.enabled` -> "Cifrado · en reposo · activo" (the item list left out)."""
    whole = messages("procurement", lang).get(f"field.{path}")
    if whole:
        return whole
    labels = _labels()
    if labels is not None and labels.has_field_label(path, lang):
        label: str = labels.field_label(path, lang)
        return label
    parts = [p for p in path.replace("[]", "").split(".")]
    for head in ("systems", "data_inventory", "processors", "transfers", "program", "authentication", "governance"):
        if len(parts) > 1 and parts[0] == head:
            parts = parts[1:]
    if len(parts) > 1 and parts[0] in ("authentication", "data_subjects"):
        parts = parts[1:]
    words = [_word(p, lang) for p in parts]
    text = " · ".join(words)
    return text[:1].upper() + text[1:]


def value_label(path: str, value: str, lang: str) -> str:
    """The label of an enum value; the field's leaf name picks the list (`mfa`, `provider`...)."""
    labels = _labels()
    if labels is not None and labels.has_value_label(path, value, lang):
        label: str = labels.value_label(path, value, lang)
        return label
    words = messages("procurement", lang)
    parts = path.replace("[]", "").split(".")
    for n in (2, 1):   # `hosting.type` and a data subject's `type` are different lists
        text = words.get(f"value.{'.'.join(parts[-n:])}.{value}")
        if text is not None:
            return text
    shared = _shared("values-1.1", f"{'.'.join(parts)}.{value}", lang)   # contract 1.1 values
    return shared or value


def value_spellings(path: str, value: str) -> set[str]:
    """Every label a value is known by, in both languages and from both sources, for reading answers:
    a questionnaire made by another release of the words still reads back."""
    out = {value}
    labels = _labels()
    words_of = [messages("procurement", lang) for lang in ("es", "en")]
    parts = path.replace("[]", "").split(".")
    for lang, words in zip(("es", "en"), words_of, strict=True):
        out.add(value_label(path, value, lang))
        if labels is not None:
            out.add(labels.value_label(path, value, lang))
        for n in (2, 1):
            own = words.get(f"value.{'.'.join(parts[-n:])}.{value}")
            if own:
                out.add(own)
    return out


def _shared(area: str, key: str, lang: str) -> str | None:
    """A label from the catalog stream's `<area>.<lang>.json` ({key: {label, help}}), if it has one."""
    try:
        entry: Any = messages(area, lang).get(key)
    except FileNotFoundError:
        return None
    return entry.get("label") if isinstance(entry, dict) else None
