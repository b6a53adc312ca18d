"""The auditor's pass over an evaluation (contract 1.1): assurance of every finding, attestations,
the evidence lifecycle, tracked actions, and the audit section (opinion, computed summary, scope and
limitations, method, management responses, follow-up of the previous result).

It runs after the evaluator, on the result document, so the rules engine stays as it was: a 1.0
declaration only gains each finding's `assurance`. Everything else is added only when the declaration
uses the new fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from checker.actions import GAPS, action_states
from checker.assurance import ASSURANCE_LEVELS, attestation_states, evidence_states, finding_assurance
from checker.evaluate import fingerprint, summarize
from checker.followup import follow_up, follow_up_counts, load_previous
from checker.i18n import format_date, t

AREA = "audit"
ORDER = ("fail", "partial", "unknown", "pass", "not_applicable")   # worst first (results.md)
METHODS = ("inspection", "observation", "inquiry", "reperformance")


def _subject_kinds(model: Any) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for attr, kind in (("systems", "system"), ("data_inventory", "data_category"), ("processors", "processor"),
                       ("transfers", "transfer")):
        for item in getattr(model, attr, None) or []:
            item_id = getattr(item, "id", None)
            if item_id:
                kinds[item_id] = kind
    return kinds


def _worst(statuses: list[str]) -> str:
    return min(statuses, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER))


def _reason(att: Any, lang: str) -> str:
    method = t(AREA, lang, f"method.{att.method}") if att.method else t(AREA, lang, "method.none")
    return t(AREA, lang, "attestation.contradicted", id=att.id, method=method, by=att.verified_by or "—",
             date=format_date(att.verified_on, lang) if att.verified_on else "—", note=att.note or "—")


def _apply_attestations(doc: dict[str, Any], loaded: Any, accepted: set[str], atts: list[Any], lang: str,
                        lifecycle: bool) -> bool:
    """Sets each finding's assurance; contradicted attestations fail what they cover. True if a status changed.

    With the evidence lifecycle in use, a finding rests on evidence (source `evidence`) only when the
    evidence was accepted and is in force: a rejected or expired file no longer reads as "backed by
    evidence". A 1.0 declaration (no lifecycle) keeps its sources as they were."""
    model = loaded.model
    kinds = _subject_kinds(model)
    positions = {a.id: i for i, a in enumerate(getattr(model, "attestations", None) or [])}
    changed = False
    for r in doc["results"]:
        findings: list[dict[str, Any]] = r.get("findings") or []
        contradicted_here: list[Any] = []
        for f in findings:
            level, att = finding_assurance(r["control_id"], f["subject"]["id"], f.get("source", "declared"),
                                           accepted, atts)
            f["assurance"] = level
            if lifecycle and f.get("source") == "evidence" and r["control_id"] not in accepted:
                f["source"] = "declared"
            if att is None:
                continue
            f["attestation"] = att.id
            if att.result == "contradicted":
                f["status"], f["source"], f["note"] = "fail", "attestation", att.note
                f["reason"] = f"{f['subject']['id']}: {_reason(att, lang)}"
                contradicted_here.append(att)
        # A contradicted attestation naming a subject the control had no finding for still fails it there.
        for att in atts:
            if not (att.in_force and att.result == "contradicted" and att.control == r["control_id"]):
                continue
            seen = {f["subject"]["id"] for f in findings}
            for subject in att.subjects or ("program",):
                if subject in seen:
                    continue
                kind = kinds.get(subject, "program")
                line, column = loaded.located.where(("attestations", positions.get(att.id, 0), "result"))
                findings.append({
                    "subject": {"kind": kind, "id": subject}, "status": "fail",
                    "code": f"{r['control_id']}.attestation", "path": f"attestations[{att.id}]",
                    "location": {"file": Path(loaded.display).name, "line": line, "column": column},
                    "declared": None, "required": None, "source": "attestation",
                    "fingerprint": fingerprint(r["control_id"], kind, subject, "attestation"),
                    "assurance": "verified", "attestation": att.id, "note": att.note,
                    "reason": f"{subject}: {_reason(att, lang)}"})
                contradicted_here.append(att)
            r["findings"] = findings
        if not contradicted_here:
            continue
        for att in dict.fromkeys(contradicted_here):
            r.setdefault("reasons", []).insert(0, _reason(att, lang))
        if r["status"] == "waived":
            r["underlying_status"] = "fail"
        elif r["status"] != "fail":
            r["status"] = _worst([f["status"] for f in findings if f.get("status") in ORDER] or ["fail"])
            changed = True
    return changed


def _resummarize(doc: Any) -> None:
    """The summary again, on the typed result, after a contradicted attestation changed statuses."""
    doc.summary = summarize(doc.results)


def _assurance_counts(results: list[dict[str, Any]]) -> dict[str, int]:
    out = dict.fromkeys(ASSURANCE_LEVELS, 0)
    for r in results:
        for f in r.get("findings") or []:
            if f.get("assurance") in out:
                out[f["assurance"]] += 1
    return out


def _method(atts: list[Any]) -> list[dict[str, Any]]:
    out = []
    for method in METHODS:
        mine = [a.to_dict() for a in atts if a.method == method]
        if mine:
            out.append({"method": method, "attestations": mine})
    return out


def _responses(audit: Any, results: list[dict[str, Any]]) -> None:
    for resp in getattr(audit, "responses", None) or []:
        for r in results:
            if r["control_id"] != resp.control:
                continue
            r.setdefault("responses", []).append({
                "subjects": list(resp.subjects or []), "response": resp.response, "by": resp.by,
                "date": resp.date.isoformat() if resp.date else None})


def needs_audit_pass(model: Any) -> bool:
    """Whether the declaration uses the auditor's fields (attestations, actions, the audit section, the
    evidence lifecycle): then the pass needs the whole document. Else each result only gains its
    findings' assurance (`add_assurance`), which a streamed write does one result at a time."""
    return bool(getattr(model, "attestations", None) or getattr(model, "actions", None)
                or getattr(model, "audit", None)
                or any(e.verdict or e.date or e.valid_until for e in model.evidence or []))


def add_assurance(result: Any) -> None:
    """Each finding's assurance when no auditor field is used (no evidence was accepted: 1.0 evidence
    has no verdict), set in place."""
    accepted: set[str] = set()
    # Without attestations the level depends on the source alone: worked out once per source.
    levels: dict[str, str] = {}
    for f in result.findings:
        level = levels.get(f.source)
        if level is None:
            level = levels[f.source] = finding_assurance(result.control_id, f.subject.id, f.source, accepted, [])[0]
        # an extra key of the model (results.md allows them), set without pydantic's
        # per-assignment bookkeeping: a large declaration has hundreds of thousands of findings
        extra = f.__pydantic_extra__
        assert extra is not None
        extra["assurance"] = level


def apply_audit(result: Any, loaded: Any, as_of: dt.date, lang: str) -> Any:
    """The typed result (`checker.result.ResultDocument`) with assurance, attestations, evidence review,
    actions and the audit section added. Warnings (items dated after the evaluation date) go to
    `loaded.warnings`.

    The pass works on the result's plain data and validates it back: the additions are keys the
    contract allows (results.md: keys may be added), kept by the model as extra fields."""
    from checker.result import ResultDocument

    if not needs_audit_pass(loaded.model):
        # The common case (no auditor fields): only each finding's assurance, set in place.
        for r in result.results:
            add_assurance(r)
        return result
    doc: dict[str, Any] = result.to_dict()
    changed = _apply(doc, loaded, as_of, lang)
    typed = ResultDocument.model_validate(doc)
    if changed:
        _resummarize(typed)
        section = (typed.model_extra or {}).get("audit")
        if section:   # the computed summary beside the opinion reads the new one
            section["summary"].update({"score": typed.summary.score, "counts": dict(typed.summary.counts)})
    return typed


def _apply(doc: dict[str, Any], loaded: Any, as_of: dt.date, lang: str) -> bool:
    model = loaded.model
    ev_states, ev_ignored = evidence_states(model.evidence or [], as_of)
    atts, att_ignored = attestation_states(getattr(model, "attestations", None) or [], as_of)
    for item in ev_ignored + att_ignored:
        loaded.warnings.append(t(AREA, lang, f"ignored.{item.kind}", id=item.id, date=format_date(item.date, lang),
                                 as_of=format_date(as_of, lang)))
    accepted = {c for e in ev_states if e.state == "accepted" for c in e.controls}
    lifecycle = any(getattr(e, "verdict", None) or getattr(e, "date", None) or getattr(e, "valid_until", None)
                    for e in model.evidence or [])
    changed = _apply_attestations(doc, loaded, accepted, atts, lang, lifecycle)
    results: list[dict[str, Any]] = doc["results"]
    if lifecycle or ev_ignored:
        doc["evidence_review"] = [e.to_dict() for e in ev_states]
    if atts or att_ignored:
        doc["attestations"] = [a.to_dict() for a in atts]
    actions = getattr(model, "actions", None) or []
    if actions:
        states = action_states(actions, results, as_of)
        doc["actions"] = [a.to_dict() for a in states]
        for r in results:
            if r["status"] in GAPS:
                r["actions"] = [a.id for a in states if a.covers(r["control_id"])]
    audit = getattr(model, "audit", None)
    if audit is None:
        return changed
    _responses(audit, results)
    section: dict[str, Any] = {
        "opinion": audit.opinion, "limitations": audit.limitations,
        "summary": {"score": doc["summary"]["score"], "counts": doc["summary"]["counts"],
                    "gaps_by_severity": _gaps_by_severity(results), "assurance": _assurance_counts(results),
                    "contradicted": sum(1 for a in atts if a.result == "contradicted"),
                    "confirmed": sum(1 for a in atts if a.result == "confirmed"),
                    "overdue_actions": sum(1 for a in doc.get("actions") or [] if a["overdue"]),
                    "done_but_open_actions": sum(1 for a in doc.get("actions") or [] if a["done_but_open"])},
        "method": _method(atts),
        "previous_result": None, "follow_up": [],
    }
    if audit.previous_result:
        where = loaded.located.where(("audit", "previous_result"))
        previous = load_previous(loaded.base_dir, audit.previous_result, loaded.display, where, lang)
        items = follow_up(previous, results)
        raw = (Path(loaded.base_dir) / audit.previous_result).read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        section["previous_result"] = {"path": audit.previous_result, "as_of": previous.get("as_of"), "sha256": sha,
                                      "score": (previous.get("summary") or {}).get("score")}
        section["follow_up"] = items
        section["summary"]["follow_up"] = follow_up_counts(items)
        doc["inputs"].append({"role": "previous_result", "path": audit.previous_result, "sha256": sha})
    doc["audit"] = section
    return changed


def _gaps_by_severity(results: list[dict[str, Any]]) -> dict[str, int]:
    out = {s: 0 for s in ("critical", "high", "medium", "low")}
    for r in results:
        if r["status"] in GAPS:
            out[r["severity"]] += 1
    return out
