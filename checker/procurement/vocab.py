"""Words for statuses, severities and domains, and the severity order: the one place procurement
reads them.

Stream `result` moves these into `checker/vocabulary.py` (and out of the report's locale file). Until
that is merged this falls back to the report's words; afterwards it uses the vocabulary, so the
questionnaire and the comparison say what the reports say.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from checker.i18n import t

_FALLBACK_SEVERITIES = ("critical", "high", "medium", "low")


@cache
def _vocabulary() -> Any:
    try:
        return importlib.import_module("checker.vocabulary")
    except ImportError:
        return None


def severities() -> tuple[str, ...]:
    """Most severe first."""
    return tuple(getattr(_vocabulary(), "SEVERITIES", _FALLBACK_SEVERITIES))


def _word(function: str, kind: str, value: str, lang: str) -> str:
    vocabulary = _vocabulary()
    if vocabulary is not None and hasattr(vocabulary, function):
        word: str = getattr(vocabulary, function)(value, lang)
        return word
    return t("report", lang, f"{kind}.{value}")


def status_word(status: str, lang: str) -> str:
    return _word("status_word", "status", status, lang)


def severity_word(severity: str, lang: str) -> str:
    return _word("severity_word", "severity", severity, lang)


def domain_word(domain: str, lang: str) -> str:
    return _word("domain_word", "domain", domain, lang)
