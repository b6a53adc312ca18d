"""OSCAL 1.1 assessment results (JSON) for GRC tools, with the assessment plan they rest on.

A pure function of the JSON result document. Choices, and why:
- **The plan is embedded.** OSCAL results must `import-ap` an assessment plan. The CLI writes one file, so
  the minimal plan (the controls reviewed, one objective per control, the methods) is embedded as a
  back-matter resource (base64 of its own OSCAL JSON, media type `application/oscal.ap+json`), and
  `import-ap.href` is `#<that resource's uuid>`, the standard way to point inside the same document.
  The plan imports the declaration as its "SSP" (the declaration is what describes the system).
- **A finding per control objective**: every control of the results has a finding whose target is the
  objective `<CONTROL>_obj` (defined in the plan): `satisfied` for pass, `not-satisfied` for fail, partial
  and unknown (partial adds implementation status `partial`), and for not-applicable `satisfied` with
  reason `other` and implementation status `not-applicable`, the standard's own way of saying so.
  A waived control keeps its real (underlying) state and links the risk that accepts it.
- **Observations**: one per finding of a control. Declared facts are the owner's statements (method
  INTERVIEW); facts backed by an attached evidence document are EXAMINE; network scans are TEST. Each
  observed host and port of a scan is also an observation (TEST, type `discovery`). Relevant evidence
  points at back-matter resources: the declaration (with the key's line and column), evidence files and
  scans, each with its SHA-256.
- **Waivers are risks** with status `deviation-approved`, the waiver's expiry as deadline.
- **Reproducible**: every uuid is a uuid5 of stable ids (program, control id, finding fingerprint, waiver
  id), so the same finding keeps its uuid across assessments as OSCAL asks; timestamps come from `as_of`
  (midnight, Mexico City time, which has had no daylight saving since 2022).
Properties Resguarda adds live in its own namespace (`NS`), as OSCAL requires for non-NIST names.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import quote

from checker import explain
from checker.i18n import Translator
from checker.render import RenderOptions
from checker.render.csv_rows import underlying
from checker.result import (
    AssessmentInfo,
    ControlResult,
    Finding,
    Input,
    ResultDocument,
    Subject,
    WaiverRef,
    as_document,
)
from checker.vocabulary import STATUSES, subject_word

OSCAL_VERSION = "1.1.2"
NS = "urn:resguarda:oscal"
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_TZ = "-06:00"
_METHODS = {"declared": ["INTERVIEW"], "evidence": ["EXAMINE"], "scan": ["TEST"]}
_BAD = ("fail", "partial", "unknown")


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(_UUID_NS, "|".join(str(p) for p in parts)))


def _line(text: Any) -> str:
    """OSCAL titles, names and prop values are one line without surrounding blanks."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())


def _text(text: Any) -> str:
    # Multi-line fields accept any text, except control characters, which JSON escapes but tools choke on.
    return "".join(ch for ch in str(text) if ch in "\n\t" or ch.isprintable()).strip()


def _prop(name: str, value: Any) -> dict[str, Any] | None:
    text = _line(json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict | bool) else value)
    if value is None or not text:
        return None
    return {"name": name, "ns": NS, "value": text}


def _props(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
    return [p for p in (_prop(name, value) for name, value in pairs) if p is not None]


def _timestamp(day: Any) -> str:
    return f"{day or '1970-01-01'}T00:00:00{_TZ}"


def _href(path: str) -> str:
    return quote(str(path).replace("\\", "/"), safe="/-._~")


class _Builder:
    def __init__(self, doc: ResultDocument, lang: str) -> None:
        self.doc = doc
        self.lang = lang
        self.tr = Translator("export", lang)
        self.program_name = _line(doc.program.name or "?") or "?"
        self.program_key = f"{self.program_name}|{_line(doc.program.operator or '')}"
        self.when = _timestamp(doc.as_of)
        self.results: list[ControlResult] = doc.results
        self.resources: list[dict[str, Any]] = []
        self.resource_of_input: dict[tuple[str, str], str] = {}
        self.components: dict[str, dict[str, Any]] = {}

    # -- back matter ---------------------------------------------------------------------------------
    def input_resources(self) -> None:
        described = {e.id: e.description for e in self.doc.evidence}
        inputs = list(self.doc.inputs)
        declaration = self.doc.declaration
        if declaration is not None and declaration.path and not any(i.role == "declaration" for i in inputs):
            inputs.insert(0, Input(role="declaration", path=declaration.path, sha256=declaration.sha256))
        media = {"declaration": "application/yaml", "scan": "application/xml"}
        for item in inputs:
            role, path = item.role, item.path
            key = item.id or path
            resource_uuid = _id(self.program_key, "input", role, key, item.sha256)
            resource: dict[str, Any] = {
                "uuid": resource_uuid,
                "title": _line(f"{self.tr('oscal.input.' + role)}: {path or key}"),
                "props": _props(("role", role), ("id", item.id)),
            }
            description = described.get(item.id) if item.id else None
            if description:
                resource["description"] = _text(description)
            if path:
                rlink: dict[str, Any] = {"href": _href(path)}
                if role in media:
                    rlink["media-type"] = media[role]
                if item.sha256:
                    rlink["hashes"] = [{"algorithm": "SHA-256", "value": item.sha256}]
                resource["rlinks"] = [rlink]
            if not resource["props"]:
                del resource["props"]
            self.resources.append(resource)
            self.resource_of_input[(role, key)] = resource_uuid
            if role == "declaration":
                self.resource_of_input[("declaration", "")] = resource_uuid

    def catalog_resource(self) -> str:
        catalog = self.doc.catalog
        resource_uuid = _id("catalog", catalog.id, catalog.version, catalog.sha256)
        resource = {
            "uuid": resource_uuid,
            "title": _line(catalog.name_in(self.lang)),
            "props": _props(("catalog-id", catalog.id), ("catalog-version", catalog.version),
                            ("publication-date", catalog.publication_date),
                            ("sha256", catalog.sha256)),
        }
        if not resource["props"]:
            del resource["props"]
        self.resources.append(resource)
        return resource_uuid

    # -- subjects ------------------------------------------------------------------------------------
    def component(self, kind: str, ident: str, name: str | None) -> str:
        """The uuid of a local component for the program or one of its systems."""
        key = f"{kind}:{ident}"
        if key not in self.components:
            this = kind == "program"
            self.components[key] = {
                "uuid": _id(self.program_key, "component", key),
                "type": "this-system" if this else "software",
                "title": _line(name or ident) or ident,
                "description": _text(self.tr("oscal.component.program" if this else "oscal.component.system",
                                             id=ident)),
                "props": _props(("declaration-id", ident)),
                "status": {"state": "operational"},
            }
        return str(self.components[key]["uuid"])

    def subject_refs(self, kind: str, ident: str, name: str | None) -> list[dict[str, Any]]:
        if kind in ("system", "program"):
            ref_uuid = self.component(kind, ident, name)
            return [{"subject-uuid": ref_uuid, "type": "component", "title": _line(name or ident)}]
        return []

    def subject_label(self, subject: Subject) -> str:
        if subject.kind == "program":
            return subject_word("program", self.lang)
        return f"{subject_word(subject.kind, self.lang)} {subject.id}"

    # -- observations --------------------------------------------------------------------------------
    def finding_observation(self, result: ControlResult, finding: Finding) -> dict[str, Any]:
        status = finding.status
        subject = finding.subject
        source = finding.source
        methods = list(_METHODS.get(source, ["UNKNOWN"]))
        if source == "declared" and result.evidence:
            methods.append("EXAMINE")
        evidence: list[dict[str, Any]] = []
        location = finding.location
        declaration = self.resource_of_input.get(("declaration", ""))
        if declaration:
            where = f"{location.file}:{location.line}:{location.column}" if location.file else ""
            evidence.append({
                "href": f"#{declaration}",
                "description": _text(self.tr("oscal.evidence.declaration", path=finding.path or "—",
                                             where=where or "—")),
                "props": _props(("line", location.line), ("column", location.column)),
            })
        for item in result.evidence:
            ref = self.resource_of_input.get(("evidence", item.id))
            evidence.append({"href": f"#{ref}" if ref else _href(item.path),
                             "description": _text(self.tr("oscal.evidence.document", id=item.id,
                                                          path=item.path))})
        if source == "scan":
            for (role, key), ref in self.resource_of_input.items():
                if role == "scan":
                    evidence.append({"href": f"#{ref}",
                                     "description": _text(self.tr("oscal.evidence.scan", id=key))})
        for item_ev in evidence:
            if not item_ev.get("props"):
                item_ev.pop("props", None)
        observation: dict[str, Any] = {
            "uuid": _id(self.program_key, "observation", finding.fingerprint or finding.code),
            "title": _line(f"{result.control_id}: {self.subject_label(subject)}"),
            "description": _text(explain.reason(finding, self.lang, result) or result.text(self.lang).title),
            "props": _props(("control-id", result.control_id), ("status", status),
                            ("underlying-status", underlying(finding, result) if status == "waived" else None),
                            ("code", finding.code), ("path", finding.path),
                            ("source", source), ("subject-kind", subject.kind),
                            ("subject-id", subject.id), ("declared", finding.declared),
                            ("required", finding.required), ("fingerprint", finding.fingerprint)),
            "methods": methods,
            "types": ["finding" if status in (*_BAD, "waived") else "control-objective"],
            "subjects": self.subject_refs(subject.kind, subject.id, subject.name),
            "relevant-evidence": evidence,
            "collected": self.when,
        }
        return _prune(observation)

    def scan_observations(self) -> list[dict[str, Any]]:
        dated = {s.id: s.date for s in self.doc.scans}
        out = []
        for item in self.doc.observations:
            scan, host, port = item.scan, item.host, item.port
            ref = self.resource_of_input.get(("scan", scan))
            subjects = self.subject_refs("system", item.system, item.system) if item.system else []
            out.append(_prune({
                "uuid": _id(self.program_key, "scan-observation", scan, host, port),
                "title": _line(f"{host}:{port}"),
                "description": _text(self.tr("oscal.scan.observed", host=host, port=port,
                                             system=item.system or self.tr("oscal.scan.undeclared"),
                                             facts=json.dumps(item.facts, ensure_ascii=False, sort_keys=True))),
                "props": _props(("scan", scan), ("host", host), ("port", port), ("system", item.system)),
                "methods": ["TEST"],
                "types": ["discovery"],
                "subjects": subjects,
                "relevant-evidence": [{"href": f"#{ref}", "description": _text(self.tr("oscal.evidence.scan",
                                                                                       id=scan))}] if ref else [],
                "collected": _timestamp(dated.get(scan) or self.doc.as_of),
            }))
        return out

    # -- findings and risks --------------------------------------------------------------------------
    def risk(self, result: ControlResult, waiver: WaiverRef, observations: list[str]) -> dict[str, Any]:
        waived = [explain.reason(f, self.lang, result) for f in result.findings if f.status == "waived"]
        reasons = "\n".join(w for w in waived if w) or result.text(self.lang).title
        risk: dict[str, Any] = {
            "uuid": _id(self.program_key, "risk", waiver.id, result.control_id),
            "title": _line(self.tr("oscal.risk.title", control=result.control_id, id=waiver.id)),
            "description": _text(waiver.reason or "—"),
            "statement": _text(reasons),
            "props": _props(("waiver-id", waiver.id), ("approved-by", waiver.approved_by),
                            ("approved-on", waiver.approved_on), ("expires", waiver.expires),
                            ("systems", ", ".join(waiver.systems))),
            "status": "deviation-approved",
            "related-observations": [{"observation-uuid": o} for o in observations],
        }
        if waiver.expires:
            risk["deadline"] = _timestamp(waiver.expires)
        return _prune(risk)

    def finding(self, result: ControlResult, observations: list[str], risk: str | None) -> dict[str, Any]:
        status = result.status
        texts = result.text(self.lang)
        real = (result.underlying_status or "fail") if status == "waived" else status
        target: dict[str, Any] = {
            "type": "objective-id",
            "target-id": objective_id(result.control_id),
            "title": _line(texts.title),
        }
        remarks = "\n".join(explain.result_reasons(result, self.doc.waivers, self.lang))
        if real == "pass":
            target["status"] = {"state": "satisfied", "reason": "pass"}
        elif real == "not_applicable":
            target["status"] = {"state": "satisfied", "reason": "other",
                                "remarks": _text(explain.applicability(result, self.lang)
                                                 or self.tr("oscal.not_applicable"))}
            target["implementation-status"] = {"state": "not-applicable"}
        elif real == "fail":
            target["status"] = {"state": "not-satisfied", "reason": "fail"}
        else:
            if real == "unknown" and result.missing:
                remarks = (remarks + "\n" + self.tr("oscal.missing", paths=", ".join(result.missing))).strip()
            target["status"] = {"state": "not-satisfied", "reason": "other"}
            if real == "partial":
                target["implementation-status"] = {"state": "partial"}
        if remarks and "remarks" not in target["status"]:
            target["status"]["remarks"] = _text(remarks)
        refs = "; ".join(r.text(self.lang).citation for r in result.legal_refs)
        finding: dict[str, Any] = {
            "uuid": _id(self.program_key, "finding", result.control_id),
            "title": _line(f"{result.control_id} {texts.title}"),
            "description": _text(texts.statement or texts.title),
            "props": _props(("control-id", result.control_id), ("status", status),
                            ("severity", result.severity), ("domain", result.domain),
                            ("legal-refs", refs), ("effective-from", result.effective_from)),
            "target": target,
            "related-observations": [{"observation-uuid": o} for o in observations],
            "related-risks": [{"risk-uuid": risk}] if risk else [],
            "remarks": _text(f"{self.tr('oscal.remediation')}: {texts.remediation}")
            if texts.remediation else "",
        }
        return _prune(finding)

    # -- the two documents ---------------------------------------------------------------------------
    def metadata(self, title: str) -> dict[str, Any]:
        program = self.doc.program
        assessment = self.doc.assessment or AssessmentInfo()
        parties = [{"uuid": _id(self.program_key, "party", "operator"), "type": "organization",
                    "name": _line(program.operator or self.program_name)}]
        responsible = [{"role-id": "system-owner", "party-uuids": [parties[0]["uuid"]]}]
        assessor = _line(assessment.assessor or assessment.organization or "")
        if assessor:
            parties.append({"uuid": _id(self.program_key, "party", "assessor", assessor),
                            "type": "organization", "name": assessor})
            responsible.append({"role-id": "assessor", "party-uuids": [parties[1]["uuid"]]})
        tool = self.doc.tool
        return _prune({
            "title": _line(title),
            "published": self.when,
            "last-modified": self.when,
            "version": _line(self.doc.as_of or "1"),
            "oscal-version": OSCAL_VERSION,
            "props": _props(("tool", f"{tool.name} {tool.version}"),
                            ("lang", self.lang), ("law", self.doc.law),
                            ("profile", self.doc.profile),
                            ("assessment-kind", assessment.kind)),
            "roles": [{"id": "system-owner", "title": self.tr("oscal.role.owner")},
                      {"id": "assessor", "title": self.tr("oscal.role.assessor")}],
            "parties": parties,
            "responsible-parties": responsible,
        })

    def reviewed_controls(self) -> dict[str, Any]:
        controls = [{"control-id": r.control_id} for r in self.results]
        return {
            "control-selections": [{"include-controls": controls} if controls else {"include-all": {}}],
            "control-objective-selections": [{"include-all": {}}],
        }

    def plan(self, declaration: str | None, catalog: str) -> dict[str, Any]:
        objectives = [_prune({
            "control-id": r.control_id,
            "description": _text(r.text(self.lang).title),
            "props": _props(("domain", r.domain), ("severity", r.severity)),
            "parts": [{"id": objective_id(r.control_id), "name": "objective",
                       "prose": _text(r.text(self.lang).statement or r.text(self.lang).title)}],
        }) for r in self.results]
        activities = [{
            "uuid": _id(self.program_key, "activity", method),
            "title": _line(self.tr(f"oscal.activity.{method.lower()}")),
            "description": _text(self.tr(f"oscal.activity.{method.lower()}.description")),
            "props": [{"name": "method", "value": method}],
        } for method in ("INTERVIEW", "EXAMINE", "TEST")]
        catalog_info = self.doc.catalog
        plan: dict[str, Any] = {
            "uuid": _id(self.program_key, "plan", catalog_info.version, self.doc.profile, self.doc.as_of),
            "metadata": self.metadata(self.tr("oscal.plan.title", program=self.program_name)),
            "import-ssp": {"href": f"#{declaration}" if declaration else "#"},
            "local-definitions": _prune({"objectives-and-methods": objectives, "activities": activities}),
            "reviewed-controls": self.reviewed_controls(),
            "assessment-subjects": [{"type": "component", "include-all": {}}],
            "back-matter": {"resources": [r for r in self.resources
                                          if r["uuid"] in (declaration, catalog)]},
        }
        return {"assessment-plan": _prune(plan)}

    def build(self) -> dict[str, Any]:
        self.input_resources()
        catalog = self.catalog_resource()
        declaration = self.resource_of_input.get(("declaration", ""))
        self.component("program", "program", self.program_name)

        observations: list[dict[str, Any]] = []
        risks: list[dict[str, Any]] = []
        findings: list[dict[str, Any]] = []
        for result in self.results:
            related: list[str] = []
            waived: list[str] = []
            for finding in result.findings:
                observation = self.finding_observation(result, finding)
                observations.append(observation)
                related.append(observation["uuid"])
                if finding.status == "waived":
                    waived.append(observation["uuid"])
            risk_uuid = None
            if result.waiver and waived:
                risk = self.risk(result, result.waiver, waived)
                risks.append(risk)
                risk_uuid = risk["uuid"]
            findings.append(self.finding(result, related, risk_uuid))
        observations += self.scan_observations()

        plan = self.plan(declaration, catalog)
        plan_bytes = (json.dumps(plan, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        plan_uuid = _id(self.program_key, "plan-resource", plan["assessment-plan"]["uuid"])
        self.resources.insert(0, {
            "uuid": plan_uuid,
            "title": _line(self.tr("oscal.plan.title", program=self.program_name)),
            "description": _text(self.tr("oscal.plan.embedded")),
            "props": _props(("plan-uuid", plan["assessment-plan"]["uuid"])),
            "base64": {"filename": "assessment-plan.json", "media-type": "application/oscal.ap+json",
                       "value": base64.b64encode(plan_bytes).decode("ascii")},
        })

        summary = self.doc.summary
        counts = summary.counts
        catalog_info = self.doc.catalog
        declaration_sha = _declaration_sha(self.doc)
        run: dict[str, Any] = {
            "uuid": _id(self.program_key, "result", self.doc.as_of, declaration_sha, catalog_info.sha256,
                        self.lang),
            "title": _line(self.tr("oscal.result.title", program=self.program_name, as_of=self.doc.as_of)),
            "description": _text(self.tr("oscal.result.description", catalog=catalog_info.id,
                                         version=catalog_info.version, profile=self.doc.profile,
                                         law=self.doc.law)),
            "start": self.when,
            "end": self.when,
            "props": _props(("score", summary.score),
                            ("highest-failed-severity", summary.highest_failed_severity),
                            *((f"count-{status.replace('_', '-')}", counts.get(status)) for status in STATUSES)),
            "local-definitions": {"components": list(self.components.values())},
            "reviewed-controls": self.reviewed_controls(),
            "observations": observations,
            "risks": risks,
            "findings": findings,
        }
        assessment = {
            "uuid": _id(self.program_key, "assessment-results", self.doc.as_of, declaration_sha,
                        catalog_info.sha256, self.lang),
            "metadata": self.metadata(self.tr("oscal.title", program=self.program_name, as_of=self.doc.as_of)),
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [_prune(run)],
            "back-matter": {"resources": self.resources},
        }
        return {"assessment-results": assessment}


def objective_id(control_id: str) -> str:
    return f"{control_id}_obj"


def _declaration_sha(doc: ResultDocument) -> str:
    if doc.declaration is not None and doc.declaration.sha256:
        return doc.declaration.sha256
    item = doc.declaration_input()
    return item.sha256 if item else ""


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    """OSCAL forbids empty arrays and empty strings where a value is optional: leave such keys out."""
    return {k: v for k, v in obj.items() if v not in ([], "", None)}


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    doc = as_document(doc)
    builder = _Builder(doc, options.lang_for(doc))
    return (json.dumps(builder.build(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
