"""How well each finding is backed: declared, evidence, scan or verified (contract 1.1).

- *verified*: a confirmed attestation in force covers the finding (an auditor inspected, observed,
  asked or re-performed it);
- *scan*: the deciding value came from a scan;
- *evidence*: an accepted, unexpired evidence item names the finding's control;
- *declared*: nothing but the declaration says so.

A contradicted attestation in force makes the findings it covers fail, with source `attestation` and
the verifier's note, whatever was declared. Evidence that is expired, rejected, pending or not reviewed
raises nothing and is listed as such. Evidence and attestations dated after the evaluation date did not
exist then: they are ignored, with a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ASSURANCE_LEVELS = ("declared", "evidence", "scan", "verified")   # weakest first
EVIDENCE_STATES = ("accepted", "expired", "rejected", "pending", "unreviewed")
# OSCAL's observation methods for each assurance level.
OSCAL_METHODS = {"declared": "INTERVIEW", "evidence": "EXAMINE", "scan": "TEST", "verified": "EXAMINE"}
# An attestation's method as OSCAL names it (reperformance re-runs the control: a test).
OSCAL_ATTESTATION_METHODS = {"inspection": "EXAMINE", "observation": "EXAMINE", "inquiry": "INTERVIEW",
                             "reperformance": "TEST"}


@dataclass(frozen=True)
class EvidenceState:
    id: str
    path: str
    controls: tuple[str, ...]
    state: str                     # one of EVIDENCE_STATES
    verdict: str | None
    date: dt.date | None
    valid_until: dt.date | None
    reviewed_by: str | None
    reviewed_on: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "controls": list(self.controls), "state": self.state,
                "verdict": self.verdict, "date": _iso(self.date), "valid_until": _iso(self.valid_until),
                "reviewed_by": self.reviewed_by, "reviewed_on": _iso(self.reviewed_on)}


@dataclass(frozen=True)
class AttestationState:
    id: str
    control: str | None
    subjects: tuple[str, ...]
    result: str | None             # confirmed / contradicted
    method: str | None             # inspection / observation / inquiry / reperformance
    sample: str | None
    verified_by: str | None
    verified_on: dt.date | None
    valid_until: dt.date | None
    note: str | None
    in_force: bool                 # not expired on the evaluation date

    def covers(self, control_id: str, subject_id: str) -> bool:
        return self.control == control_id and (not self.subjects or subject_id in self.subjects)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "control": self.control, "subjects": list(self.subjects), "result": self.result,
                "method": self.method, "sample": self.sample, "verified_by": self.verified_by,
                "verified_on": _iso(self.verified_on), "valid_until": _iso(self.valid_until), "note": self.note,
                "in_force": self.in_force}


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Ignored:
    """An item dated after the evaluation date: the warning says which."""

    kind: str                      # "evidence" or "attestation"
    id: str
    date: dt.date


def evidence_states(items: Iterable[Any], as_of: dt.date) -> tuple[list[EvidenceState], list[Ignored]]:
    states: list[EvidenceState] = []
    ignored: list[Ignored] = []
    for ev in items:
        date = getattr(ev, "date", None)
        if date is not None and date > as_of:
            ignored.append(Ignored("evidence", ev.id, date))
            continue
        verdict = getattr(ev, "verdict", None)
        valid_until = getattr(ev, "valid_until", None)
        reviewed_on = getattr(ev, "reviewed_on", None)
        if reviewed_on is not None and reviewed_on > as_of:
            verdict = None   # the review had not happened yet on the evaluation date
        if verdict == "accepted":
            state = "expired" if valid_until is not None and valid_until < as_of else "accepted"
        elif verdict in ("rejected", "pending"):
            state = verdict
        else:
            state = "unreviewed"
        states.append(EvidenceState(ev.id, ev.path, tuple(ev.controls or ()), state, verdict, date, valid_until,
                                    getattr(ev, "reviewed_by", None), reviewed_on))
    return states, ignored


def attestation_states(items: Iterable[Any], as_of: dt.date) -> tuple[list[AttestationState], list[Ignored]]:
    states: list[AttestationState] = []
    ignored: list[Ignored] = []
    for a in items:
        if a.verified_on is not None and a.verified_on > as_of:
            ignored.append(Ignored("attestation", a.id, a.verified_on))
            continue
        in_force = a.valid_until is None or a.valid_until >= as_of
        states.append(AttestationState(a.id, a.control, tuple(a.subjects or ()), a.result, a.method, a.sample,
                                       a.verified_by, a.verified_on, a.valid_until, a.note, in_force))
    return states, ignored


def finding_assurance(control_id: str, subject_id: str, source: str, accepted_controls: set[str],
                      attestations: list[AttestationState]) -> tuple[str, AttestationState | None]:
    """The finding's assurance level, and the attestation that decided it (if one did).

    A contradicted attestation wins over a confirmed one for the same finding: the auditor found
    the control not working somewhere."""
    covering = [a for a in attestations if a.in_force and a.result and a.covers(control_id, subject_id)]
    contradicted = next((a for a in covering if a.result == "contradicted"), None)
    if contradicted is not None:
        return "verified", contradicted
    confirmed = next((a for a in covering if a.result == "confirmed"), None)
    if confirmed is not None:
        return "verified", confirmed
    if source == "scan":
        return "scan", None
    if control_id in accepted_controls:
        return "evidence", None
    return "declared", None


def _field(finding: Any, name: str) -> Any:
    """A finding's value whether it is plain JSON data or the typed model (new keys are its extras)."""
    return finding.get(name) if isinstance(finding, dict) else getattr(finding, name, None)


def weakest(findings: Iterable[Any]) -> str:
    """The assurance of several findings together (one subject's row in a table): the weakest one."""
    levels = [str(_field(f, "assurance")) for f in findings if _field(f, "assurance") in ASSURANCE_LEVELS]
    return min(levels, key=ASSURANCE_LEVELS.index) if levels else "declared"


def observation_methods(finding: Any, attestation_methods: dict[str, str | None],
                        has_evidence: bool = False) -> list[str]:
    """OSCAL's methods for a finding: the attestation's method when an auditor decided it, else what
    its assurance rests on (what was declared was asked: INTERVIEW; a document: EXAMINE; a scan: TEST)."""
    method = attestation_methods.get(str(_field(finding, "attestation")))
    if method in OSCAL_ATTESTATION_METHODS:
        return [OSCAL_ATTESTATION_METHODS[str(method)]]
    level = _field(finding, "assurance")
    if level in OSCAL_METHODS:
        return [OSCAL_METHODS[str(level)]]
    # A result written before assurance existed: its source, and EXAMINE for attached evidence.
    source = str(_field(finding, "source"))
    if source == "scan":
        return ["TEST"]
    if source == "evidence":
        return ["EXAMINE"]
    return ["INTERVIEW", "EXAMINE"] if has_evidence else ["INTERVIEW"]
