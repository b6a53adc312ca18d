"""Controls x declaration (x observations) -> the result document of results.md.

One pass over the catalog: applicability, the rule, one finding per subject, waivers, then the
roll-up and the score. The document is plain JSON-able data; every renderer reads only it.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from checker import TOOL_NAME, __version__
from checker.catalog import SEVERITIES, AllOf, Catalog, Control, Every, default_profile
from checker.declaration_refs import named_controls
from checker.errors import InputError
from checker.i18n import t
from checker.locations import error_text
from checker.rules import FAIL, NA, PARTIAL, PASS, UNKNOWN, ItemOutcome, Leaf, Outcome, Scope, evaluate, worst
from checker.validate import LoadedDeclaration
from checker.view import View, build_view, declared_path, law_for

STATUSES = ("pass", "fail", "partial", "unknown", "not_applicable", "waived")
WEIGHTS = {"critical": 10, "high": 5, "medium": 3, "low": 1}
CREDIT = {PASS: Decimal(1), PARTIAL: Decimal("0.5")}
GATING = (FAIL, PARTIAL, UNKNOWN)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(control_id: str, kind: str, subject_id: str, code: str) -> str:
    return hashlib.sha256(f"{control_id}|{kind}|{subject_id}|{code}".encode()).hexdigest()


def score(results: Iterable[dict[str, Any]]) -> float | None:
    num = Decimal(0)
    den = Decimal(0)
    for r in results:
        if r["status"] in (NA, "waived"):
            continue
        weight = Decimal(WEIGHTS[r["severity"]])
        num += weight * CREDIT.get(r["status"], Decimal(0))
        den += weight
    if den == 0:
        return None
    return float((Decimal(100) * num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def counts(results: Iterable[dict[str, Any]]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r["status"]] += 1
    return out


def gating_severity(results: Iterable[dict[str, Any]]) -> str | None:
    failed = {r["severity"] for r in results if r["status"] in GATING}
    return next((s for s in SEVERITIES if s in failed), None)


class _Texts:
    """Sentences of the result, in the report's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        # Asked for once per finding: a /16 scan makes tens of thousands.
        self._absent, self._true, self._false = (t("engine", lang, k) for k in ("value.absent", "value.true",
                                                                                 "value.false"))

    def __call__(self, key: str, **values: Any) -> str:
        return t("engine", self.lang, key, **values)

    def value(self, v: Any) -> str:
        if v is None:
            return self._absent
        if v is True:
            return self._true
        if v is False:
            return self._false
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]" if v else self("value.empty")
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {self.value(x)}" for k, x in v.items()) + "}"
        return str(v)

    def required(self, leaf: Leaf) -> str:
        op, req = leaf.operator, leaf.required
        if op == "equals":
            return self.value(req)
        if op == "exists":
            return self("op.exists_true" if req else "op.exists_false")
        if op == "current":
            return self(f"op.{req}")
        if op in ("every", "some"):
            return self(f"op.{op}")
        values = ", ".join(self.value(x) for x in req) if isinstance(req, list) else self.value(req)
        return self(f"op.{op}", values=values, value=values)


def check_catalog_references(loaded: LoadedDeclaration, catalog: Catalog, lang: str = "es") -> None:
    """Waivers and evidence name controls: each must exist in the catalog (bad input, exit 2)."""
    known = [c.id for c in catalog.controls]
    model = loaded.model
    for i, waiver in enumerate(model.waivers or []):
        control = catalog.get(waiver.control)
        if control is None:
            line, col = loaded.located.where(("waivers", i, "control"))
            close = difflib.get_close_matches(waiver.control, known, n=1)
            hint = error_text(lang, "hint.did_you_mean_control", close=close[0]) if close else \
                error_text(lang, "hint.catalog_list")
            raise InputError(loaded.display, error_text(lang, "waiver.unknown_control", id=waiver.id,
                                                        control=waiver.control), line, col, hint)
        if control.deprecated:
            line, col = loaded.located.where(("waivers", i, "control"))
            loaded.warnings.append(f"{loaded.display}:{line}:{col}: " + error_text(
                lang, "warn.deprecated_control", id=waiver.id, control=waiver.control))
    for i, ev in enumerate(model.evidence or []):
        for j, cid in enumerate(ev.controls or []):
            if catalog.get(cid) is None:
                line, col = loaded.located.where(("evidence", i, "controls", j))
                raise InputError(loaded.display, error_text(lang, "evidence.unknown_control", id=ev.id,
                                                            control=cid),
                                 line, col, error_text(lang, "hint.catalog_list"))
    for path, cid in named_controls(model):
        if catalog.get(cid) is None:
            line, col = loaded.located.where(path)
            close = difflib.get_close_matches(cid, known, n=1)
            hint = error_text(lang, "hint.did_you_mean_control", close=close[0]) if close else \
                error_text(lang, "hint.catalog_list")
            raise InputError(loaded.display, t("errors-1.1", lang, "ref.control", control=cid), line, col, hint)


class Evaluator:
    def __init__(self, loaded: LoadedDeclaration, catalog: Catalog, *, as_of: date, lang: str = "es",
                 profile: str | None = None, observed: Any | None = None) -> None:
        self.loaded = loaded
        self.catalog = catalog
        self.as_of = as_of
        self.lang = lang
        self.text = _Texts(lang)
        model = loaded.model
        self.profile = profile or default_profile(model.program.operator_type, model.program.role)
        self.law = law_for(model.program.operator_type)
        self.sector = "public" if self.law == "LGPDPPSO" else "private"
        self.file = Path(loaded.display).name
        check_catalog_references(loaded, catalog, lang)
        self.view: View = build_view(model, loaded.data, observed)
        self.root = Scope(self.view.data, (), "", self.view.data, as_of, dict(catalog.index.parameters))
        self.evidence = self._evidence()
        self.scan_pos = {s.id: ("scans", i) for i, s in enumerate(model.scans or [])}

    def _evidence(self) -> list[dict[str, Any]]:
        out = []
        for ev in self.loaded.model.evidence or []:
            out.append({"id": ev.id, "path": ev.path, "description": ev.description,
                        "sha256": _sha256_file(self.loaded.base_dir / ev.path),
                        "controls": list(ev.controls or [])})
        return out

    # -- one control -------------------------------------------------------------------------
    def location(self, leaf: Leaf | None, pos: tuple[str | int, ...]) -> dict[str, Any]:
        if leaf is not None and leaf.source == "scan" and leaf.scan in self.scan_pos:
            pos = self.scan_pos[leaf.scan]
        elif leaf is not None:
            pos = leaf.pos
        line, col = self.loaded.located.where(pos)
        return {"file": self.file, "line": line, "column": col}

    def _finding(self, control: Control, kind: str, sid: str, name: str | None, outcome: Outcome,
                 pos: tuple[str | int, ...], path: str, code: str, has_evidence: bool) -> dict[str, Any]:
        leaf = next((lf for lf in outcome.leaves if lf.status == outcome.status), None) or (
            outcome.leaves[0] if outcome.leaves else None)
        source = "declared"
        if leaf is not None and leaf.source == "scan":
            source = "scan"
        elif has_evidence:
            source = "evidence"
        finding = {
            "subject": {"kind": kind, "id": sid, "name": name},
            "status": outcome.status,
            "code": code,
            "path": leaf.path if leaf else path,
            "location": self.location(leaf, pos),
            "declared": leaf.declared if leaf else None,
            "required": leaf.required if leaf else None,
            "source": source,
            "fingerprint": fingerprint(control.id, kind, sid, code),
            "missing": sorted({declared_path(m) for m in outcome.missing}),
        }
        finding["reason"] = self._reason(finding, leaf, outcome.leaves)
        return finding

    def _reason(self, finding: dict[str, Any], leaf: Leaf | None, leaves: list[Leaf]) -> str:
        subject = finding["subject"]
        who = self.text("subject.program") if subject["kind"] == "program" else subject["id"]
        status = finding["status"]
        if status == UNKNOWN:
            missing = finding["missing"] or [finding["path"]]
            if all(".observed" in m or m.startswith("observed") for m in missing):
                return self.text("reason.not_scanned", subject=who)
            return self.text("reason.unknown", subject=who, missing=", ".join(missing))
        if leaf is None:
            return who
        if status == NA:
            return self.text("reason.empty_selection", path=leaf.path)
        # Every comparison that decided the status, so that the owner sees all that must change
        # (a failed `all`: each failing part; a failed `any`: each alternative).
        deciding = [lf for lf in leaves if lf.status == status][:3] or [leaf]
        parts = []
        for lf in deciding:
            part = self.text(f"reason.{status}", path=lf.path, declared=self.text.value(lf.declared),
                             required=self.text.required(lf))
            if lf.source == "scan" and lf.scan:
                part += self.text("reason.scan", scan=lf.scan)
            parts.append(part)
        return f"{who}: " + "; ".join(parts)

    def _findings(self, control: Control, outcome: Outcome, has_evidence: bool) -> list[dict[str, Any]]:
        rule = control.rule
        parts: list[tuple[Any, Outcome]]
        if isinstance(rule, Every):
            parts = [(rule, outcome)]
        elif isinstance(rule, AllOf):
            parts = list(zip(rule.all, outcome.parts or [], strict=True)) \
                if any(isinstance(c, Every) for c in rule.all) else [(rule, outcome)]
        else:
            parts = [(rule, outcome)]
        findings: dict[tuple[str, str], dict[str, Any]] = {}
        program_parts: list[Outcome] = []
        for cond, out in parts:
            if isinstance(cond, Every) and out.items:
                code = f"{control.id}.{cond.code or cond.every.lstrip('/').rsplit('.', 1)[-1]}"
                for item in out.items:
                    self._merge(findings, self._item_finding(control, item, code, has_evidence))
            else:
                program_parts.append(out)
        if program_parts:
            statuses = [p.status for p in program_parts]
            status = worst(statuses)
            deciding = [p for p in program_parts if p.status == status] or program_parts
            merged = Outcome(status, [lf for p in deciding for lf in p.leaves],
                             [m for p in deciding for m in p.missing] if status == UNKNOWN else [])
            if not findings or status != NA:
                name = self.loaded.model.program.name
                self._merge(findings, self._finding(control, "program", "program", name, merged, (), "",
                                                    f"{control.id}.program", has_evidence))
        return list(findings.values())

    def _item_finding(self, control: Control, item: ItemOutcome, code: str, has_evidence: bool) -> dict[str, Any]:
        return self._finding(control, item.kind, item.id, item.name, item.outcome, item.pos, item.path, code,
                             has_evidence)

    @staticmethod
    def _merge(findings: dict[tuple[str, str], dict[str, Any]], new: dict[str, Any]) -> None:
        key = (new["subject"]["kind"], new["subject"]["id"])
        old = findings.get(key)
        if old is None or worst([old["status"], new["status"]]) == new["status"] != old["status"]:
            findings[key] = new

    def _refs(self, control: Control) -> list[dict[str, Any]]:
        refs = [r for r in control.legal_refs if r.applies_to in ("all", self.sector)]
        return [{"law": r.law, "article": r.article, "fraction": r.fraction, "confidence": r.confidence,
                 "citation": r.citation(self.lang), "previous": r.previous,
                 "note": r.note.get(self.lang) if r.note else None} for r in refs]

    def _waiver_for(self, control: Control) -> tuple[Any, str] | None:
        for waiver in self.loaded.model.waivers or []:
            if waiver.control != control.id:
                continue
            if waiver.approved_on > self.as_of:
                continue
            return waiver, ("active" if waiver.expires >= self.as_of else "expired")
        return None

    def control_result(self, control: Control) -> dict[str, Any]:
        lang = self.lang
        has_evidence = any(control.id in e["controls"] for e in self.evidence)
        applicability = None
        if control.applies_when is not None:
            applies = evaluate(control.applies_when, self.root)
            if applies.status in (FAIL, NA):
                leaf = applies.leaves[0] if applies.leaves else None
                why = control.not_applicable.get(lang) if control.not_applicable else self.text(
                    "reason.na_generic", path=leaf.path if leaf else "", declared=self.text.value(
                        leaf.declared if leaf else None))
                applicability = why
                finding = self._finding(control, "program", "program", self.loaded.model.program.name,
                                        Outcome(NA, applies.leaves), (), "", f"{control.id}.program", has_evidence)
                finding["reason"] = self.text("reason.not_applicable", why=why)
                return self._result(control, NA, [finding], [finding["reason"]], [], has_evidence, applicability)
        outcome = evaluate(control.rule, self.root)
        findings = self._findings(control, outcome, has_evidence)
        status = worst([f["status"] for f in findings]) if findings else outcome.status
        reasons: list[str] = []
        extra: dict[str, Any] = {}
        waiver = self._waiver_for(control)
        if waiver is not None and status in GATING:
            w, state = waiver
            if state == "active":
                covered = set(w.systems or [])
                for f in findings:
                    if f["status"] in GATING and (not covered or (f["subject"]["kind"] == "system"
                                                                  and f["subject"]["id"] in covered)):
                        f["underlying_status"] = f["status"]
                        f["status"] = "waived"
                remaining = [f["status"] for f in findings if f["status"] != "waived"]
                underlying = status
                status = worst(remaining) if remaining and worst(remaining) in GATING else "waived"
                extra["waiver"] = {"id": w.id, "reason": w.reason, "approved_by": w.approved_by,
                                   "approved_on": w.approved_on.isoformat(), "expires": w.expires.isoformat(),
                                   "systems": list(w.systems or [])}
                if status == "waived":
                    extra["underlying_status"] = underlying
                reasons.append(self.text("reason.waived", id=w.id, approver=w.approved_by,
                                         expires=w.expires.isoformat()))
            else:
                reasons.append(self.text("reason.waiver_expired", id=w.id, expires=w.expires.isoformat()))
        shown = [f for f in findings if f["status"] not in (PASS, NA)] or findings
        reasons.extend(f["reason"] for f in shown)
        missing = sorted({m for f in findings if f["status"] == UNKNOWN for m in f["missing"]})
        if status == NA:
            # Why it does not apply: the catalog's words, else what the rule found (nothing in scope).
            applicability = control.not_applicable.get(lang) if control.not_applicable else (
                findings[0]["reason"] if findings else None)
        return self._result(control, status, findings, reasons, missing, has_evidence, applicability, extra)

    def _result(self, control: Control, status: str, findings: list[dict[str, Any]], reasons: list[str],
                missing: list[str], has_evidence: bool, applicability: str | None,
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
        lang = self.lang
        result: dict[str, Any] = {
            "control_id": control.id,
            "domain": control.domain,
            "severity": control.severity,
            "status": status,
            "effective_from": control.effective_from.isoformat(),
            "title": control.title.get(lang),
            "statement": control.statement.get(lang),
            "legal_refs": self._refs(control),
            "xref": control.xref.model_dump(),
            "reasons": reasons,
            "missing": missing,
            "findings": findings,
            "remediation": control.remediation.get(lang),
            "evidence_requested": control.evidence.get(lang),
            "evidence": [{"id": e["id"], "path": e["path"], "sha256": e["sha256"]}
                         for e in self.evidence if control.id in e["controls"]],
            "effort": control.effort,
            "owner_role": control.owner_role.get(lang) if control.owner_role else None,
            "applicability": applicability,
        }
        result.update(extra or {})
        return result

    # -- the document ------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        model = self.loaded.model
        results = [self.control_result(c) for c in self.catalog.select(self.profile)]
        by_domain: dict[str, Any] = {}
        for domain in dict.fromkeys(r["domain"] for r in results):
            mine = [r for r in results if r["domain"] == domain]
            by_domain[domain] = {"score": score(mine), "counts": counts(mine)}
        inputs: list[dict[str, Any]] = [{"role": "declaration", "path": self.file, "sha256": self.loaded.sha256}]
        for s in self.view.scans:
            inputs.append({"role": "scan", "id": s["id"], "path": s["path"], "sha256": s["sha256"]})
        for e in self.evidence:
            inputs.append({"role": "evidence", "id": e["id"], "path": e["path"], "sha256": e["sha256"]})
        program = model.program
        assessment = model.assessment
        doc: dict[str, Any] = {
            "schema_version": 1,
            "tool": {"name": TOOL_NAME, "version": __version__},
            "catalog": {"id": self.catalog.index.id, "version": self.catalog.index.version,
                        "publication_date": self.catalog.index.publication_date.isoformat(),
                        "sha256": self.catalog.sha256, "name": self.catalog.index.name.get(self.lang)},
            "profile": self.profile,
            "law": self.law,
            "lang": self.lang,
            "as_of": self.as_of.isoformat(),
            "inputs": inputs,
            "declaration": {"path": self.file, "sha256": self.loaded.sha256},
            "program": {"name": program.name, "short_name": program.short_name, "operator": program.operator,
                        "operator_type": program.operator_type, "role": program.role,
                        "controller": program.controller,
                        "jurisdiction": program.jurisdiction.model_dump() if program.jurisdiction else None,
                        "status": program.status},
            "assessment": {
                "date": assessment.date.isoformat() if assessment and assessment.date else None,
                "assessor": assessment.assessor if assessment else None,
                "organization": assessment.organization if assessment else None,
                "kind": assessment.kind if assessment else None,
                "scope": assessment.scope if assessment else None,
            },
            "summary": {
                "score": score(results),
                "counts": counts(results),
                "by_domain": by_domain,
                "highest_failed_severity": gating_severity(results),
            },
            "results": results,
            "waivers": [{"id": w.id, "control": w.control, "systems": list(w.systems or []), "reason": w.reason,
                         "approved_by": w.approved_by, "approved_on": w.approved_on.isoformat(),
                         "expires": w.expires.isoformat(),
                         "state": "not_yet_valid" if w.approved_on > self.as_of else (
                             "active" if w.expires >= self.as_of else "expired")}
                        for w in model.waivers or []],
            "evidence": self.evidence,
            "scans": self.view.scans,
            "observed_systems": self.view.observed_systems,
            "observations": self.view.observations,
        }
        return doc


def exit_code(doc: dict[str, Any], fail_on: str) -> int:
    """0 when no control at or above `fail_on` is fail, partial or unknown; else 1."""
    limit = SEVERITIES.index(fail_on)
    for r in doc["results"]:
        if r["status"] in GATING and SEVERITIES.index(r["severity"]) <= limit:
            return 1
    return 0
