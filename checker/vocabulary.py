"""The one place for the words of a result: statuses, severities, domains and subject kinds, their
order, the score's weights and credits, the statuses that gate CI, and their words in each language.

Words come from `checker/locales/vocabulary.<lang>.json`; every renderer, the terminal summary, diff
and thresholds ask here, so a status has one word per language everywhere (glossary:
`docs/glosario.md`). Keys of the locale file: `status.<status>`, `severity.<severity>`,
`severity_letter.<severity>`, `domain.<domain>`, `subject.<kind>` (one), `subjects.<kind>` (many),
`profile.<profile>` (a catalog profile; an unknown one is shown as its id).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final, Literal

from checker.i18n import t

Status = Literal["pass", "fail", "partial", "unknown", "not_applicable", "waived"]
Severity = Literal["critical", "high", "medium", "low"]
Domain = Literal["governance", "privacy_notice", "consent", "minors", "minimization", "retention", "encryption",
                 "access_control", "authentication", "logging", "network_exposure", "incident_response",
                 "arco_rights", "transfers", "processors", "biometrics", "student_exposure", "physical_security",
                 "resilience"]

PASS: Final = "pass"
FAIL: Final = "fail"
PARTIAL: Final = "partial"
UNKNOWN: Final = "unknown"
NA: Final = "not_applicable"
WAIVED: Final = "waived"

# The order of the JSON `counts` (results.md).
STATUSES: tuple[Status, ...] = (PASS, FAIL, PARTIAL, UNKNOWN, NA, WAIVED)
# Worst first: a control's status is its worst finding. A waived finding is accepted but not met, so it
# sits between the open questions and a pass; not_applicable is neutral and only wins when alone.
WORST_FIRST: tuple[Status, ...] = (FAIL, PARTIAL, UNKNOWN, WAIVED, PASS, NA)
RANK: dict[str, int] = {s: i for i, s in enumerate(WORST_FIRST)}
# What the CI gate (exit code 1, highest_failed_severity) counts, and what a report calls a gap.
GATING: tuple[Status, ...] = (FAIL, PARTIAL, UNKNOWN)
# Controls that are not met, or only in part (thresholds' max_failures, JUnit failures).
FAILING: tuple[Status, ...] = (FAIL, PARTIAL)

SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")   # most severe first
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
WEIGHTS: dict[str, int] = {"critical": 10, "high": 5, "medium": 3, "low": 1}
CREDIT: dict[str, Decimal] = {PASS: Decimal(1), PARTIAL: Decimal("0.5")}

DOMAINS: tuple[Domain, ...] = (
    "governance", "privacy_notice", "consent", "minors", "minimization", "retention", "encryption",
    "access_control", "authentication", "logging", "network_exposure", "incident_response", "arco_rights",
    "transfers", "processors", "biometrics", "student_exposure", "physical_security", "resilience")
DOMAIN_RANK: dict[str, int] = {d: i for i, d in enumerate(DOMAINS)}

SUBJECT_KINDS: tuple[str, ...] = ("program", "system", "data_category", "processor", "transfer", "host",
                                  "data_subject", "authentication", "evidence", "scan", "waiver")

# Progress between two evaluations (diff): worse to better. It follows the score's credit (partial earns
# half, fail and unknown nothing); between the two zero-credit statuses a shown failure is worse than an
# open question; waived is accepted but not met; pass and not_applicable are equally good.
PROGRESS: dict[str, int] = {FAIL: 4, UNKNOWN: 3, PARTIAL: 2, WAIVED: 1, PASS: 0, NA: 0}


def worst(statuses: Iterable[str]) -> str:
    """The worst of some statuses (results.md roll-up); not_applicable only when nothing else is there."""
    present = [s for s in statuses if s != NA]
    if not present:
        return NA
    return min(present, key=lambda s: RANK.get(s, RANK[UNKNOWN]))


def is_gating(status: str) -> bool:
    return status in GATING


def _word(key: str, lang: str) -> str:
    return t("vocabulary", lang, key)


def status_word(status: str, lang: str) -> str:
    """`No cumple` / `Not met`: the one word for a status (capitalised; `.lower()` inside a sentence)."""
    return _word(f"status.{status}", lang)


def severity_word(severity: str, lang: str) -> str:
    return _word(f"severity.{severity}", lang)


def severity_letter(severity: str, lang: str) -> str:
    return _word(f"severity_letter.{severity}", lang)


def domain_word(domain: str, lang: str) -> str:
    return _word(f"domain.{domain}", lang)


def subject_word(kind: str, lang: str, many: bool = False) -> str:
    """`Sistema` / `Sistemas`: a subject kind, one or many."""
    return _word(f"{'subjects' if many else 'subject'}.{kind}", lang)


def profile_word(profile: str, lang: str) -> str:
    key = f"profile.{profile}"
    word = t("vocabulary", lang, key)
    return profile if word == key else word
