"""Words for declaration fields and their values, in the reader's language: the one place the
questionnaire and the comparison name a field ("Cifrado en reposo · activo") or an enum value
("Servicio de llaves (KMS)").

`checker/labels.py` (stream `result`) will hold the project's field and value labels; until it is
merged, these come from `procurement.<lang>.json`: a field's label from the words of its path
segments, a value's from `value.<field>.<value>`.
"""

from __future__ import annotations

from typing import Any

from checker.i18n import messages, t


def _word(segment: str, lang: str) -> str:
    return messages("procurement", lang).get(f"segment.{segment}") or t("procurement", "es", f"segment.{segment}")


def field_label(path: str, lang: str) -> str:
    """`systems[].encryption.at_rest.enabled` -> "Cifrado · en reposo · activo" (the item list left out)."""
    whole = messages("procurement", lang).get(f"field.{path}")
    if whole:
        return whole
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
    words = messages("procurement", lang)
    parts = path.replace("[]", "").split(".")
    for n in (2, 1):   # `hosting.type` and a data subject's `type` are different lists
        text = words.get(f"value.{'.'.join(parts[-n:])}.{value}")
        if text is not None:
            return text
    shared = _shared("values-1.1", f"{'.'.join(parts)}.{value}", lang)   # contract 1.1 values
    return shared or value


def _shared(area: str, key: str, lang: str) -> str | None:
    """A label from the catalog stream's `<area>.<lang>.json` ({key: {label, help}}), if it has one."""
    try:
        entry: Any = messages(area, lang).get(key)
    except FileNotFoundError:
        return None
    return entry.get("label") if isinstance(entry, dict) else None
