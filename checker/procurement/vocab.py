"""Words for statuses, severities and domains, and the severity order, as the reports say them: the
project's vocabulary (`checker/vocabulary.py`), read here in one place for procurement."""

from __future__ import annotations

from checker.vocabulary import SEVERITIES, domain_word, severity_word, status_word


def severities() -> tuple[str, ...]:
    """Most severe first."""
    return tuple(SEVERITIES)


__all__ = ["domain_word", "severities", "severity_word", "status_word"]
