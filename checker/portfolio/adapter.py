"""The one place that reads an evaluation's result for the portfolio.

Statuses, counts, scores and the words for domains, severities and statuses are read through the
typed result model (`checker.result`) and the vocabulary (`checker.vocabulary`), never re-derived here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.result import ResultDocument, count_subjects
from checker.vocabulary import DOMAINS, FAILING, SEVERITIES, STATUSES, domain_word, severity_word, status_word

__all__ = ["DOMAINS", "FAILING", "SEVERITIES", "STATUSES", "control_rows", "domain_scores", "finding_rows",
           "highest_failed_severity", "program_fields", "score", "status_counts", "word"]


def score(doc: ResultDocument) -> float | None:
    return doc.summary.score


def status_counts(doc: ResultDocument) -> dict[str, int]:
    return {s: int(doc.summary.counts.get(s, 0)) for s in STATUSES}


def domain_scores(doc: ResultDocument) -> dict[str, float | None]:
    return {d: v.score for d, v in doc.summary.by_domain.items()}


def highest_failed_severity(doc: ResultDocument) -> str | None:
    return doc.summary.highest_failed_severity


def program_fields(doc: ResultDocument) -> tuple[str, str, str]:
    """(name, operator type, state) of the program evaluated."""
    program = doc.program
    state = program.jurisdiction.state if program.jurisdiction else None
    return program.name, program.operator_type or "", state or ""


def control_rows(doc: ResultDocument) -> Iterator[tuple[Any, ...]]:
    """(control_id, domain, severity, status, subjects per status in STATUSES order) per control."""
    for r in doc.results:
        per = count_subjects(r)
        yield (r.control_id, r.domain, r.severity, r.status, *(per[s] for s in STATUSES))


def finding_rows(doc: ResultDocument) -> Iterator[tuple[Any, ...]]:
    """(control_id, domain, severity, status, subject kind, subject id, code, field, line, column, reason)."""
    for r in doc.results:
        for f in r.findings:
            yield (r.control_id, r.domain, r.severity, f.status, f.subject.kind, f.subject.id, f.code,
                   f.path or "", f.location.line, f.location.column, f.reason or "")


_WORDS = {"domain": domain_word, "severity": severity_word, "status": status_word}


def word(kind: str, value: str, lang: str) -> str:
    """The word for a domain, severity or status in the user's language."""
    return _WORDS[kind](value, lang)
