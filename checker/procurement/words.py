"""Words for declaration fields and their values, in the reader's language: the one place the
questionnaire and the comparison name a field ("Cifrado en reposo · activo") or an enum value
("Servicio de llaves (KMS)").

`checker/labels.py` holds the project's field and value labels and is used first. The questionnaire's
own names for the vendor sheet's columns (`field.<path>` in `procurement.<lang>.json`) come before it;
for a path it does not cover, the words of the path's segments (`segment.<name>`) and
`value.<field>.<value>` are the fallback.
"""

from __future__ import annotations

from typing import Any

from checker import labels
from checker.i18n import messages, t


def _word(segment: str, lang: str) -> str:
    return messages("procurement", lang).get(f"segment.{segment}") or t("procurement", "es", f"segment.{segment}")


def field_label(path: str, lang: str) -> str:
    """`systems[].encryption.at_rest.enabled` -> "Cifrado · en reposo · activo" (the item list left out)."""
    whole = messages("procurement", lang).get(f"field.{path}")
    if whole:
        return whole
    if labels.has_field_label(path, lang):
        return labels.field_label(path, lang)
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
    if labels.has_value_label(path, value, lang):
        return labels.value_label(path, value, lang)
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
    words_of = [messages("procurement", lang) for lang in ("es", "en")]
    parts = path.replace("[]", "").split(".")
    for lang, words in zip(("es", "en"), words_of, strict=True):
        out.add(value_label(path, value, lang))
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
