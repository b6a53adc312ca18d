"""Words for the declaration's fields and enum values, in Spanish and English, for reasons and tables.

Files (all loaded and merged, so other work adds its own without touching these):
- `checker/locales/fields*.<lang>.json`: key = the field's path in the model without list indices, e.g.
  `systems.encryption.at_rest.enabled`; value = `{"label": "Cifrado en reposo activo", "help": "..."}`
  (`help` optional). Derived facts and scan observations have paths too
  (`systems.facts.stores_biometric`, `systems.observed.min_tls_version`, top-level `facts.has_minors`).
  Recurring work (`every`, `last_done`) is labelled once, under those two names.
- `checker/locales/values*.<lang>.json`: key = `<path>.<value>`, where `<path>` is the field's path or any
  tail of it (`authentication.provider.llave_mx` serves `systems.authentication.provider`;
  `category.biometric` serves `data_inventory.category`), or a shared enum name listed in `SHARED_ENUMS`
  (`subject_type.student`); value = the label (lower case unless it is a name), or
  `{"label": ..., "help": ...}`.

`field_label(path, lang)`, `field_help(path, lang)`, `value_label(path, value, lang)` accept paths as the
evaluator writes them (`systems[portal].encryption.at_rest.enabled`, with ids in brackets, or a leading
`/`). A missing label falls back to the other language, then to the path or value itself (tests check
that every field and value of the declaration has both).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

_DIR = Path(__file__).resolve().parent / "locales"
_INDEX = re.compile(r"\[[^\]]*\]")
RECURRING = ("every", "last_done")
# Fields whose values are an enum shared with other fields, by that enum's name.
SHARED_ENUMS = {
    "program.data_subjects.type": "subject_type",
    "data_inventory.subjects": "subject_type",
    "systems.facts.stores_categories": "category",
}


@cache
def _fields(lang: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob(f"fields*.{lang}.json")):
        out.update(json.loads(path.read_text(encoding="utf-8")))
    return out


@cache
def _values(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(_DIR.glob(f"values*.{lang}.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            # A label, or {"label": ..., "help": ...} like the fields.
            out[key] = value["label"] if isinstance(value, dict) else value
    return out


def field_key(path: str) -> str:
    """`systems[portal].encryption.at_rest.enabled` -> `systems.encryption.at_rest.enabled`.

    A path with one item key (the usual shape) is cut by hand: a large declaration words a million
    paths, all different, and the regular expression was most of the cost."""
    start = path.find("[")
    if start < 0:
        return path.lstrip("/")
    end = path.find("]", start)
    if end < 0 or path.find("[", end) >= 0:
        return _INDEX.sub("", path).lstrip("/")   # no closing bracket, or more than one key
    return (path[:start] + path[end + 1:]).lstrip("/")


def _entry(key: str, lang: str) -> dict[str, str] | None:
    for language in (lang, "es" if lang == "en" else "en"):
        entry = _fields(language).get(key)
        if entry is not None:
            return entry
    return None


def has_field_label(path: str, lang: str) -> bool:
    return field_key(path) in _fields(lang)


@lru_cache(maxsize=8192)
def field_label(path: str, lang: str) -> str:
    key = field_key(path)
    entry = _entry(key, lang)
    if entry is not None:
        return entry["label"]
    head, _, last = key.rpartition(".")
    if last in RECURRING and head:
        parent = _entry(head, lang)
        own = _entry(last, lang)
        if parent is not None and own is not None:
            return f"{parent['label']}: {own['label'][0].lower()}{own['label'][1:]}"
    return key


def field_help(path: str, lang: str) -> str:
    entry = _entry(field_key(path), lang)
    return entry.get("help", "") if entry else ""


@lru_cache(maxsize=8192)
def value_label(path: str, value: Any, lang: str) -> str:
    """The word for an enum value of a field (`category.biometric` -> `datos biométricos`)."""
    text = str(value)
    key = field_key(path)
    candidates = []
    if key in SHARED_ENUMS:
        candidates.append(f"{SHARED_ENUMS[key]}.{text}")
    parts = key.split(".")
    candidates += [".".join(parts[i:]) + "." + text for i in range(len(parts))]
    for language in (lang, "es" if lang == "en" else "en"):
        values = _values(language)
        for candidate in candidates:
            if candidate in values:
                return values[candidate]
    return text


def has_value_label(path: str, value: Any, lang: str) -> bool:
    key = field_key(path)
    parts = key.split(".")
    candidates = [f"{SHARED_ENUMS[key]}.{value}"] if key in SHARED_ENUMS else []
    candidates += [".".join(parts[i:]) + f".{value}" for i in range(len(parts))]
    return any(c in _values(lang) for c in candidates)
