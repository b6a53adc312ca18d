"""The one place for waiver logic: which waiver applies to a control, its state on the evaluation date,
which subjects it covers, and what it does to a control's findings.

A waiver names a control and, optionally, `systems`. Without systems it covers every subject of the
control; with systems it covers the findings about those systems only. Covered findings that are fail,
partial or unknown become `waived` (keeping `underlying_status`); the rest keep their own status. The
control is `waived` only when nothing uncovered is still a gap; otherwise it keeps the worst status of its
uncovered findings (a scoped waiver never hides another system's failure).

A waiver approved after the evaluation date is not valid yet (ignored); one whose `expires` is before
it has expired (ignored, and said so in the reasons).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from checker.result import Finding
from checker.vocabulary import GATING, WAIVED, worst

WaiverState = Literal["active", "expired", "not_yet_valid"]


class DeclaredWaiver(Protocol):
    """What a waiver of the declaration (`checker.declaration.Waiver`) provides."""

    @property
    def id(self) -> str: ...
    @property
    def control(self) -> str: ...
    @property
    def systems(self) -> list[str] | None: ...
    @property
    def approved_on(self) -> date: ...
    @property
    def expires(self) -> date: ...


def state(waiver: DeclaredWaiver, as_of: date) -> WaiverState:
    if waiver.approved_on > as_of:
        return "not_yet_valid"
    return "active" if waiver.expires >= as_of else "expired"


def waiver_for(waivers: Sequence[DeclaredWaiver], control_id: str,
               as_of: date) -> tuple[DeclaredWaiver, WaiverState] | None:
    """The first waiver of the control that is already approved on `as_of`, with its state."""
    for waiver in waivers:
        if waiver.control == control_id and waiver.approved_on <= as_of:
            return waiver, state(waiver, as_of)
    return None


def covers(systems: Sequence[str] | None, kind: str, subject_id: str) -> bool:
    """Whether a waiver with these `systems` covers a finding about this subject."""
    if not systems:
        return True
    return kind == "system" and subject_id in systems


@dataclass(frozen=True)
class Applied:
    status: str                  # the control's status after the waiver
    underlying: str | None       # set when the whole control is waived: its status without the waiver
    waived: int                  # how many findings the waiver covered


def apply(findings: Sequence[Finding], systems: Sequence[str] | None, status: str) -> Applied:
    """Mark the covered gaps of an active waiver as waived; return the control's new status."""
    count = 0
    for finding in findings:
        if finding.status in GATING and covers(systems, finding.subject.kind, finding.subject.id):
            finding.underlying_status = finding.status
            finding.status = "waived"
            count += 1
    remaining = [f.status for f in findings if f.status != WAIVED]
    rest = worst(remaining) if remaining else None
    if rest is not None and rest in GATING:
        return Applied(rest, None, count)
    return Applied(WAIVED, status, count)
