"""What the report shows of the auditor features (contract 1.1), computed once from the result document:
the audit opinion with its computed summary, scope and limitations, the method (from the attestations),
the follow-up of the previous result, each gap's action and management response, the action findings
(overdue, done but still open) and the evidence review. Plain text only; the templates escape it.

`build_audit_view` returns None for a result without any of it, so the report stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.assurance import ASSURANCE_LEVELS, weakest
from checker.i18n import Translator, format_date, format_number
from checker.vocabulary import severity_word, status_word

GAPS = ("fail", "partial", "unknown")
FOLLOW_UP_STATES = ("worse", "new", "still_open", "closed")
SEVERITIES = ("critical", "high", "medium", "low")


def _date(value: Any, lang: str) -> str:
    try:
        return format_date(str(value), lang) if value else "—"
    except ValueError:
        return "—"


@dataclass(frozen=True)
class ActionView:
    id: str
    description: str
    owner: str
    due: str
    status: str
    status_label: str
    done_on: str
    overdue: bool
    done_but_open: bool
    controls: str


@dataclass(frozen=True)
class ControlExtras:
    assurance: str                                   # the weakest assurance of the control's findings, as words
    assurance_code: str
    attestations: list[str] = field(default_factory=list)   # "verif-03 (reejecución): contradicho: …"
    actions: list[ActionView] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)      # "Dirección general, 18 de noviembre de 2026: …"


@dataclass(frozen=True)
class MethodRow:
    method: str
    id: str
    control: str
    subjects: str
    sample: str
    result: str
    result_code: str
    verified: str                                    # "por …, el …"
    in_force: bool


@dataclass(frozen=True)
class FollowUpRow:
    control: str
    title: str
    severity: str
    before: str
    now: str
    state: str
    state_label: str


@dataclass(frozen=True)
class EvidenceRow:
    id: str
    path: str
    controls: str
    state: str
    state_label: str
    reviewed: str


@dataclass
class AuditView:
    tr: Translator
    present: bool                                    # the declaration has an `audit` section
    opinion: str = ""
    scope: str = ""
    limitations: str = ""
    summary_rows: list[tuple[str, str]] = field(default_factory=list)
    method: list[MethodRow] = field(default_factory=list)
    previous: str = ""                               # "resultado.json, evaluado el …, puntuación …"
    follow_up: list[FollowUpRow] = field(default_factory=list)
    follow_up_counts: list[tuple[str, int]] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    action_findings: list[ActionView] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    extras: dict[str, ControlExtras] = field(default_factory=dict)

    def control(self, control_id: str) -> ControlExtras | None:
        return self.extras.get(control_id)


def _action(a: dict[str, Any], tr: Translator) -> ActionView:
    status = str(a.get("status") or "planned")
    return ActionView(id=str(a.get("id")), description=str(a.get("description") or "—"),
                      owner=str(a.get("owner") or "—"), due=_date(a.get("due"), tr.lang), status=status,
                      status_label=tr(f"action.status.{status}"), done_on=_date(a.get("done_on"), tr.lang),
                      overdue=bool(a.get("overdue")), done_but_open=bool(a.get("done_but_open")),
                      controls=", ".join(a.get("controls") or []))


def _evidence_row(e: dict[str, Any], tr: Translator) -> EvidenceRow:
    reviewed = tr("evidence.reviewed", by=e.get("reviewed_by"), date=_date(e.get("reviewed_on"), tr.lang)) \
        if e.get("reviewed_by") else "—"
    return EvidenceRow(id=str(e.get("id")), path=str(e.get("path")), controls=", ".join(e.get("controls") or []),
                       state=str(e.get("state")), state_label=tr(f"evidence.state.{e.get('state')}"), reviewed=reviewed)


def _percent(part: int, total: int, lang: str) -> str:
    return f"{format_number(100 * part / total, lang)} %" if total else "—"


def control_assurance(doc: dict[str, Any]) -> dict[str, str]:
    """Each control's assurance code, the weakest of its findings' (one word for one control of the
    report); empty for a result written before assurance existed, which should not claim any."""
    results = doc.get("results") or []
    if not any(f.get("assurance") for r in results for f in r.get("findings") or []):
        return {}
    return {str(r.get("control_id")): weakest(r.get("findings") or []) for r in results}


def _extras(doc: dict[str, Any], tr: Translator, actions: dict[str, ActionView],
            attestations: dict[str, dict[str, Any]]) -> dict[str, ControlExtras]:
    out: dict[str, ControlExtras] = {}
    levels = control_assurance(doc)
    for r in doc.get("results") or []:
        findings = r.get("findings") or []
        level = levels[str(r.get("control_id"))]
        notes = []
        for att_id in dict.fromkeys(f.get("attestation") for f in findings if f.get("attestation")):
            a = attestations.get(str(att_id)) or {}
            notes.append(tr("control.attestation", id=att_id, method=tr(f"method.{a.get('method') or 'none'}"),
                            result=tr(f"result.{a.get('result') or 'confirmed'}"), note=a.get("note") or "",
                            by=a.get("verified_by") or "—").rstrip(": "))
        responses = [tr("control.response", by=x.get("by") or "—", date=_date(x.get("date"), tr.lang),
                        response=x.get("response") or "—") for x in r.get("responses") or []]
        mine = [actions[a] for a in r.get("actions") or [] if a in actions]
        out[str(r.get("control_id"))] = ControlExtras(tr(f"assurance.{level}"), level, notes, mine, responses)
    return out


def build_audit_view(doc: dict[str, Any], lang: str) -> AuditView | None:
    has_assurance = bool(control_assurance(doc))
    audit = doc.get("audit")
    if not (audit or doc.get("actions") or doc.get("attestations") or doc.get("evidence_review")):
        return None
    tr = Translator("audit", lang)
    lang = tr.lang
    actions = {str(a.get("id")): _action(a, tr) for a in doc.get("actions") or []}
    attestations = {str(a.get("id")): a for a in doc.get("attestations") or []}
    view = AuditView(tr=tr, present=bool(audit))
    view.actions = list(actions.values())
    view.action_findings = [a for a in view.actions if a.overdue or a.done_but_open]
    view.evidence = [_evidence_row(e, tr) for e in doc.get("evidence_review") or []]
    view.extras = _extras(doc, tr, actions, attestations) if has_assurance else {}
    if not audit:
        return view
    view.opinion = str(audit.get("opinion") or "")
    view.limitations = str(audit.get("limitations") or "")
    view.scope = str((doc.get("assessment") or {}).get("scope") or "")
    s = audit.get("summary") or {}
    counts = s.get("counts") or {}
    gaps = s.get("gaps_by_severity") or {}
    levels = s.get("assurance") or {}
    total = sum(levels.values())
    view.summary_rows = [
        (tr("summary.score"), format_number(s.get("score"), lang) if s.get("score") is not None else "—"),
        (tr("summary.controls"), tr("summary.controls_value", passed=counts.get("pass", 0),
                                    gaps=sum(counts.get(k, 0) for k in GAPS), na=counts.get("not_applicable", 0))),
        (tr("summary.gaps"), tr("summary.gaps_value", **{k: gaps.get(k, 0) for k in SEVERITIES})),
        (tr("summary.assurance"), " · ".join(f"{tr('assurance.' + k)} {_percent(levels.get(k, 0), total, lang)}"
                                            for k in reversed(ASSURANCE_LEVELS))),
        (tr("summary.attestations"), tr("summary.attestations_value", confirmed=s.get("confirmed", 0),
                                        contradicted=s.get("contradicted", 0))),
        (tr("summary.actions"), tr("summary.actions_value", overdue=s.get("overdue_actions", 0),
                                   open=s.get("done_but_open_actions", 0))),
    ]
    if s.get("follow_up"):
        fu = s["follow_up"]
        view.summary_rows.append((tr("summary.follow_up"), tr("summary.follow_up_value", **{k: fu.get(k, 0)
                                                                                         for k in FOLLOW_UP_STATES})))
    for group in audit.get("method") or []:
        for a in group.get("attestations") or []:
            view.method.append(MethodRow(
                method=tr(f"method.{group.get('method')}"), id=str(a.get("id")), control=str(a.get("control") or "—"),
                subjects=", ".join(a.get("subjects") or []) or tr("method.all_subjects"),
                sample=str(a.get("sample") or "—"), result=tr(f"result.{a.get('result') or 'confirmed'}"),
                result_code=str(a.get("result") or "confirmed"),
                verified=tr("method.verified", by=a.get("verified_by") or "—", date=_date(a.get("verified_on"), lang)),
                in_force=bool(a.get("in_force", True))))
    previous = audit.get("previous_result")
    if previous:
        score = previous.get("score")
        view.previous = tr("follow_up.previous", path=previous.get("path"), date=_date(previous.get("as_of"), lang),
                           score=format_number(score, lang) if score is not None else "—")
        view.follow_up = [FollowUpRow(control=str(i.get("control_id")), title=str(i.get("title") or ""),
                                      severity=severity_word(str(i.get("severity")), lang),
                                      before=status_word(str(i["before"]), lang) if i.get("before") else "—",
                                      now=status_word(str(i.get("now")), lang), state=str(i.get("state")),
                                      state_label=tr(f"follow_up.{i.get('state')}"))
                          for i in audit.get("follow_up") or []]
        fu_counts = (audit.get("summary") or {}).get("follow_up") or {}
        view.follow_up_counts = [(tr(f"follow_up.{k}"), int(fu_counts.get(k, 0))) for k in FOLLOW_UP_STATES]
    return view
