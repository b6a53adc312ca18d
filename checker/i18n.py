"""Message catalogs (Spanish first, English second) and locale formatting.

Each area of the tool keeps its own catalog file, `checker/locales/<area>.<lang>.json`
(for example `cli.es.json`, `report.en.json`), so interface text never lives in code or templates.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("es", "en")
DEFAULT_LANG = "es"
_DIR = Path(__file__).resolve().parent / "locales"

_MONTHS = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


@cache
def messages(area: str, lang: str) -> dict[str, str]:
    path = _DIR / f"{area}.{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def t(area: str, lang: str, key: str, /, **values: Any) -> str:
    """The text for `key` in `lang`, falling back to Spanish, then to the key itself."""
    text = messages(area, lang).get(key)
    if text is None:
        text = messages(area, DEFAULT_LANG).get(key, key)
    return text.format(**values) if values else text


class Translator:
    """`tr = Translator("report", "en"); tr("title", program=...)`: handy inside templates."""

    def __init__(self, area: str, lang: str) -> None:
        self.area = area
        self.lang = lang if lang in LANGS else DEFAULT_LANG

    def __call__(self, key: str, /, **values: Any) -> str:
        return t(self.area, self.lang, key, **values)


def format_date(value: date | str | None, lang: str) -> str:
    """20 de noviembre de 2026 / 20 November 2026."""
    if value is None:
        return "—"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    month = _MONTHS.get(lang, _MONTHS["es"])[d.month - 1]
    if lang == "en":
        return f"{d.day} {month} {d.year}"
    return f"{d.day} de {month} de {d.year}"


_MONTHS_SHORT = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def format_date_short(value: date | str | None, lang: str) -> str:
    """20 nov 2026 / 20 Nov 2026: for narrow table columns (the report's remediation plan)."""
    if value is None:
        return "—"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.day} {_MONTHS_SHORT.get(lang, _MONTHS_SHORT['es'])[d.month - 1]} {d.year}"


def format_number(value: float | int | None, lang: str, decimals: int = 1) -> str:
    """Mexico writes 1,234.5 (point for decimals, comma for thousands), as English does."""
    if value is None:
        return "—"
    return f"{value:,.{decimals}f}"


def format_percent(value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    return f"{format_number(value, lang, 1)} %"
