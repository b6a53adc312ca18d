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

from checker.assurance import observation_methods
from checker.i18n import Translator
from checker.render import RenderOptions
from checker.render.csv_rows import finding_status, underlying

OSCAL_VERSION = "1.1.2"
NS = "urn:resguarda:oscal"
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_TZ = "-06:00"
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
    def __init__(self, doc: dict[str, Any], lang: str) -> None:
        self.doc = doc
        self.tr = Translator("export", lang)
        self.attestation_methods = {str(a.get("id")): a.get("method") for a in doc.get("attestations") or []}
        program = doc.get("program") or {}
        self.program_name = _line(program.get("name") or "?") or "?"
        self.program_key = f"{self.program_name}|{_line(program.get('operator') or '')}"
        self.when = _timestamp(doc.get("as_of"))
        self.results: list[dict[str, Any]] = doc.get("results") or []
        self.resources: list[dict[str, Any]] = []
        self.resource_of_input: dict[tuple[str, str], str] = {}
        self.components: dict[str, dict[str, Any]] = {}

    # -- back matter ---------------------------------------------------------------------------------
    def input_resources(self) -> None:
        described = {e.get("id"): e.get("description") for e in self.doc.get("evidence") or []}
        inputs = list(self.doc.get("inputs") or [])
        declaration = self.doc.get("declaration") or {}
        if declaration.get("path") and not any(i.get("role") == "declaration" for i in inputs):
            inputs.insert(0, {"role": "declaration", **declaration})
        media = {"declaration": "application/yaml", "scan": "application/xml"}
        for item in inputs:
            role, path = str(item.get("role") or "input"), str(item.get("path") or "")
            key = str(item.get("id") or path)
            resource_uuid = _id(self.program_key, "input", role, key, item.get("sha256"))
            resource: dict[str, Any] = {
                "uuid": resource_uuid,
                "title": _line(f"{self.tr('oscal.input.' + role)}: {path or key}"),
                "props": _props(("role", role), ("id", item.get("id"))),
            }
            if described.get(item.get("id")):
                resource["description"] = _text(described[item.get("id")])
            if path:
                rlink: dict[str, Any] = {"href": _href(path)}
                if role in media:
                    rlink["media-type"] = media[role]
                if item.get("sha256"):
                    rlink["hashes"] = [{"algorithm": "SHA-256", "value": item["sha256"]}]
                resource["rlinks"] = [rlink]
            if not resource["props"]:
                del resource["props"]
            self.resources.append(resource)
            self.resource_of_input[(role, key)] = resource_uuid
            if role == "declaration":
                self.resource_of_input[("declaration", "")] = resource_uuid

    def catalog_resource(self) -> str:
        catalog = self.doc.get("catalog") or {}
        resource_uuid = _id("catalog", catalog.get("id"), catalog.get("version"), catalog.get("sha256"))
        resource = {
            "uuid": resource_uuid,
            "title": _line(catalog.get("name") or catalog.get("id") or "catalog"),
            "props": _props(("catalog-id", catalog.get("id")), ("catalog-version", catalog.get("version")),
                            ("publication-date", catalog.get("publication_date")),
                            ("sha256", catalog.get("sha256"))),
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

    def subject_refs(self, subject: dict[str, Any]) -> list[dict[str, Any]]:
        kind = subject.get("kind")
        if kind in ("system", "program"):
            ref_uuid = self.component(str(kind), str(subject.get("id")), subject.get("name"))
            return [{"subject-uuid": ref_uuid, "type": "component",
                     "title": _line(subject.get("name") or subject.get("id"))}]
        return []

    def subject_label(self, subject: dict[str, Any]) -> str:
        kind = str(subject.get("kind") or "")
        if kind == "program":
            return self.tr("subject.program")
        return f"{self.tr('subject.' + kind)} {subject.get('id')}" if kind else str(subject.get("id"))

    # -- observations --------------------------------------------------------------------------------
    def finding_observation(self, result: dict[str, Any], finding: dict[str, Any], status: str) -> dict[str, Any]:
        subject = finding.get("subject") or {}
        source = str(finding.get("source") or "declared")
        methods = observation_methods(finding, self.attestation_methods, bool(result.get("evidence")))
        evidence: list[dict[str, Any]] = []
        location = finding.get("location") or {}
        declaration = self.resource_of_input.get(("declaration", ""))
        if declaration:
            where = f"{location.get('file')}:{location.get('line')}:{location.get('column')}" \
                if location.get("file") else ""
            evidence.append({
                "href": f"#{declaration}",
                "description": _text(self.tr("oscal.evidence.declaration", path=finding.get("path") or "—",
                                             where=where or "—")),
                "props": _props(("line", location.get("line")), ("column", location.get("column"))),
            })
        for item in result.get("evidence") or []:
            ref = self.resource_of_input.get(("evidence", str(item.get("id"))))
            evidence.append({"href": f"#{ref}" if ref else _href(str(item.get("path"))),
                             "description": _text(self.tr("oscal.evidence.document", id=item.get("id"),
                                                          path=item.get("path")))})
        if source == "scan":
            for (role, key), ref in self.resource_of_input.items():
                if role == "scan":
                    evidence.append({"href": f"#{ref}",
                                     "description": _text(self.tr("oscal.evidence.scan", id=key))})
        for item in evidence:
            if not item.get("props"):
                item.pop("props", None)
        observation: dict[str, Any] = {
            "uuid": _id(self.program_key, "observation", finding.get("fingerprint") or finding.get("code")),
            "title": _line(f"{result['control_id']}: {self.subject_label(subject)}"),
            "description": _text(finding.get("reason") or result.get("title") or result["control_id"]),
            "props": _props(("control-id", result["control_id"]), ("status", status),
                            ("underlying-status", underlying(finding, result) if status == "waived" else None),
                            ("code", finding.get("code")), ("path", finding.get("path")),
                            ("source", source), ("assurance", finding.get("assurance")),
                            ("attestation", finding.get("attestation")), ("subject-kind", subject.get("kind")),
                            ("subject-id", subject.get("id")), ("declared", finding.get("declared")),
                            ("required", finding.get("required")), ("fingerprint", finding.get("fingerprint"))),
            "methods": methods,
            "types": ["finding" if status in (*_BAD, "waived") else "control-objective"],
            "subjects": self.subject_refs(subject),
            "relevant-evidence": evidence,
            "collected": self.when,
        }
        return _prune(observation)

    def scan_observations(self) -> list[dict[str, Any]]:
        dated = {s.get("id"): s.get("date") for s in self.doc.get("scans") or []}
        out = []
        for item in self.doc.get("observations") or []:
            scan, host, port = item.get("scan"), item.get("host"), item.get("port")
            ref = self.resource_of_input.get(("scan", str(scan)))
            subjects = (self.subject_refs({"kind": "system", "id": item["system"], "name": item["system"]})
                        if item.get("system") else [])
            out.append(_prune({
                "uuid": _id(self.program_key, "scan-observation", scan, host, port),
                "title": _line(f"{host}:{port}"),
                "description": _text(self.tr("oscal.scan.observed", host=host, port=port,
                                             system=item.get("system") or self.tr("oscal.scan.undeclared"),
                                             facts=json.dumps(item.get("facts") or {}, ensure_ascii=False,
                                                              sort_keys=True))),
                "props": _props(("scan", scan), ("host", host), ("port", port), ("system", item.get("system"))),
                "methods": ["TEST"],
                "types": ["discovery"],
                "subjects": subjects,
                "relevant-evidence": [{"href": f"#{ref}", "description": _text(self.tr("oscal.evidence.scan",
                                                                                       id=scan))}] if ref else [],
                "collected": _timestamp(dated.get(scan) or self.doc.get("as_of")),
            }))
        return out

    # -- findings and risks --------------------------------------------------------------------------
    def risk(self, result: dict[str, Any], waiver: dict[str, Any], observations: list[str]) -> dict[str, Any]:
        waived = [f.get("reason") for f in result.get("findings") or []
                  if finding_status(self.doc, result, f) == "waived" and f.get("reason")]
        reasons = "\n".join(waived) or result.get("title") or result["control_id"]
        risk: dict[str, Any] = {
            "uuid": _id(self.program_key, "risk", waiver.get("id"), result["control_id"]),
            "title": _line(self.tr("oscal.risk.title", control=result["control_id"], id=waiver.get("id"))),
            "description": _text(waiver.get("reason") or "—"),
            "statement": _text(reasons),
            "props": _props(("waiver-id", waiver.get("id")), ("approved-by", waiver.get("approved_by")),
                            ("approved-on", waiver.get("approved_on")), ("expires", waiver.get("expires")),
                            ("systems", ", ".join(waiver.get("systems") or []))),
            "status": "deviation-approved",
            "related-observations": [{"observation-uuid": o} for o in observations],
        }
        if waiver.get("expires"):
            risk["deadline"] = _timestamp(waiver["expires"])
        return _prune(risk)

    def finding(self, result: dict[str, Any], observations: list[str], risk: str | None) -> dict[str, Any]:
        status = result.get("status") or "unknown"
        real = (result.get("underlying_status") or "fail") if status == "waived" else status
        target: dict[str, Any] = {
            "type": "objective-id",
            "target-id": objective_id(result["control_id"]),
            "title": _line(result.get("title") or result["control_id"]),
        }
        remarks = "\n".join(result.get("reasons") or [])
        if real == "pass":
            target["status"] = {"state": "satisfied", "reason": "pass"}
        elif real == "not_applicable":
            target["status"] = {"state": "satisfied", "reason": "other",
                                "remarks": _text(result.get("applicability") or self.tr("oscal.not_applicable"))}
            target["implementation-status"] = {"state": "not-applicable"}
        elif real == "fail":
            target["status"] = {"state": "not-satisfied", "reason": "fail"}
        else:
            if real == "unknown" and result.get("missing"):
                remarks = (remarks + "\n" + self.tr("oscal.missing", paths=", ".join(result["missing"]))).strip()
            target["status"] = {"state": "not-satisfied", "reason": "other"}
            if real == "partial":
                target["implementation-status"] = {"state": "partial"}
        if remarks and "remarks" not in target["status"]:
            target["status"]["remarks"] = _text(remarks)
        refs = "; ".join(str(r.get("citation") or r.get("law")) for r in result.get("legal_refs") or [])
        finding: dict[str, Any] = {
            "uuid": _id(self.program_key, "finding", result["control_id"]),
            "title": _line(f"{result['control_id']} {result.get('title') or ''}"),
            "description": _text(result.get("statement") or result.get("title") or result["control_id"]),
            "props": _props(("control-id", result["control_id"]), ("status", status),
                            ("severity", result.get("severity")), ("domain", result.get("domain")),
                            ("legal-refs", refs), ("effective-from", result.get("effective_from"))),
            "target": target,
            "related-observations": [{"observation-uuid": o} for o in observations],
            "related-risks": [{"risk-uuid": risk}] if risk else [],
            "remarks": _text(f"{self.tr('oscal.remediation')}: {result.get('remediation')}")
            if result.get("remediation") else "",
        }
        return _prune(finding)

    # -- the two documents ---------------------------------------------------------------------------
    def metadata(self, title: str) -> dict[str, Any]:
        program = self.doc.get("program") or {}
        assessment = self.doc.get("assessment") or {}
        parties = [{"uuid": _id(self.program_key, "party", "operator"), "type": "organization",
                    "name": _line(program.get("operator") or self.program_name)}]
        responsible = [{"role-id": "system-owner", "party-uuids": [parties[0]["uuid"]]}]
        assessor = _line(assessment.get("assessor") or assessment.get("organization") or "")
        if assessor:
            parties.append({"uuid": _id(self.program_key, "party", "assessor", assessor),
                            "type": "organization", "name": assessor})
            responsible.append({"role-id": "assessor", "party-uuids": [parties[1]["uuid"]]})
        tool = self.doc.get("tool") or {}
        return _prune({
            "title": _line(title),
            "published": self.when,
            "last-modified": self.when,
            "version": _line(self.doc.get("as_of") or "1"),
            "oscal-version": OSCAL_VERSION,
            "props": _props(("tool", f"{tool.get('name') or 'resguarda'} {tool.get('version') or ''}"),
                            ("lang", self.doc.get("lang")), ("law", self.doc.get("law")),
                            ("profile", self.doc.get("profile")),
                            ("assessment-kind", assessment.get("kind"))),
            "roles": [{"id": "system-owner", "title": self.tr("oscal.role.owner")},
                      {"id": "assessor", "title": self.tr("oscal.role.assessor")}],
            "parties": parties,
            "responsible-parties": responsible,
        })

    def reviewed_controls(self) -> dict[str, Any]:
        controls = [{"control-id": r["control_id"]} for r in self.results]
        return {
            "control-selections": [{"include-controls": controls} if controls else {"include-all": {}}],
            "control-objective-selections": [{"include-all": {}}],
        }

    def plan(self, declaration: str | None, catalog: str) -> dict[str, Any]:
        objectives = [_prune({
            "control-id": r["control_id"],
            "description": _text(r.get("title") or r["control_id"]),
            "props": _props(("domain", r.get("domain")), ("severity", r.get("severity"))),
            "parts": [{"id": objective_id(r["control_id"]), "name": "objective",
                       "prose": _text(r.get("statement") or r.get("title") or r["control_id"])}],
        }) for r in self.results]
        activities = [{
            "uuid": _id(self.program_key, "activity", method),
            "title": _line(self.tr(f"oscal.activity.{method.lower()}")),
            "description": _text(self.tr(f"oscal.activity.{method.lower()}.description")),
            "props": [{"name": "method", "value": method}],
        } for method in ("INTERVIEW", "EXAMINE", "TEST")]
        catalog_info = self.doc.get("catalog") or {}
        plan: dict[str, Any] = {
            "uuid": _id(self.program_key, "plan", catalog_info.get("version"), self.doc.get("profile"),
                        self.doc.get("as_of")),
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
            for finding in result.get("findings") or []:
                status = finding_status(self.doc, result, finding)
                observation = self.finding_observation(result, finding, status)
                observations.append(observation)
                related.append(observation["uuid"])
                if status == "waived":
                    waived.append(observation["uuid"])
            risk_uuid = None
            waiver = result.get("waiver")
            if waiver and waived:
                risk = self.risk(result, waiver, waived)
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

        summary = self.doc.get("summary") or {}
        counts = summary.get("counts") or {}
        catalog_info = self.doc.get("catalog") or {}
        result = {
            "uuid": _id(self.program_key, "result", self.doc.get("as_of"), _declaration_sha(self.doc),
                        catalog_info.get("sha256"), self.doc.get("lang")),
            "title": _line(self.tr("oscal.result.title", program=self.program_name, as_of=self.doc.get("as_of"))),
            "description": _text(self.tr("oscal.result.description", catalog=catalog_info.get("id"),
                                         version=catalog_info.get("version"), profile=self.doc.get("profile"),
                                         law=self.doc.get("law"))),
            "start": self.when,
            "end": self.when,
            "props": _props(("score", summary.get("score")),
                            ("highest-failed-severity", summary.get("highest_failed_severity")),
                            *((f"count-{status.replace('_', '-')}", counts.get(status))
                              for status in ("pass", "fail", "partial", "unknown", "not_applicable", "waived"))),
            "local-definitions": {"components": list(self.components.values())},
            "reviewed-controls": self.reviewed_controls(),
            "observations": observations,
            "risks": risks,
            "findings": findings,
        }
        assessment = {
            "uuid": _id(self.program_key, "assessment-results", self.doc.get("as_of"),
                        _declaration_sha(self.doc), catalog_info.get("sha256"), self.doc.get("lang")),
            "metadata": self.metadata(self.tr("oscal.title", program=self.program_name,
                                              as_of=self.doc.get("as_of"))),
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [_prune(result)],
            "back-matter": {"resources": self.resources},
        }
        return {"assessment-results": assessment}


def objective_id(control_id: str) -> str:
    return f"{control_id}_obj"


def _declaration_sha(doc: dict[str, Any]) -> str:
    declaration = doc.get("declaration") or {}
    if declaration.get("sha256"):
        return str(declaration["sha256"])
    for item in doc.get("inputs") or []:
        if item.get("role") == "declaration":
            return str(item.get("sha256"))
    return ""


def _prune(obj: dict[str, Any]) -> dict[str, Any]:
    """OSCAL forbids empty arrays and empty strings where a value is optional: leave such keys out."""
    return {k: v for k, v in obj.items() if v not in ([], "", None)}


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    builder = _Builder(doc, options.lang or doc.get("lang") or "es")
    return (json.dumps(builder.build(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
