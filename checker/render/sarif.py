"""SARIF 2.1.0 for code-scanning tools (GitHub code scanning, GitLab, Azure DevOps, SonarQube).

A pure function of the JSON result document. The mapping:
- `tool.driver.rules`: every control in `results` (not-applicable ones included), so a code-scanning tool
  knows each rule ran; an earlier alert (same fingerprint) absent from a later run is closed as fixed.
- one SARIF result per finding whose status is `fail`, `partial` or `unknown` (a `pass` finding is not an
  alert); `level` follows the control's severity: critical and high `error`, medium `warning`, low `note`.
- waived findings are still reported (with the status they would have), with a `suppressions` entry
  (kind `external`, status `accepted`, the waiver's reason as justification): SARIF's "known and accepted".
- `physicalLocation` is the finding's file, line and column in the declaration. The URI is the file as the
  result names it (relative to the declaration's folder), optionally under `options.extra["sarif_uri_base"]`
  (for example `compliance/`) so that a code-scanning tool that resolves URIs against the repository root
  finds the file. Columns count Unicode code points (`columnKind`), as the YAML parser does.
- `partialFingerprints["resguarda/v1"]` is the finding's fingerprint, stable across runs and languages.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from checker.i18n import Translator
from checker.render import RenderOptions
from checker.render.csv_rows import finding_status, legal_refs_text, underlying

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
REPORTED = ("fail", "partial", "unknown")
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub ranks alerts by this property (CVSS-like scale); the numbers sit inside its bands.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
FINGERPRINT_KEY = "resguarda/v1"


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    lang = options.lang or doc.get("lang") or "es"
    tr = Translator("export", lang)
    base = str((options.extra or {}).get("sarif_uri_base") or "")
    results = doc.get("results") or []

    rules = [_rule(result, tr) for result in results]
    sarif_results: list[dict[str, Any]] = []
    for index, result in enumerate(results):
        for finding in result.get("findings") or []:
            status = finding_status(doc, result, finding)
            if status in REPORTED or status == "waived":
                sarif_results.append(_result(doc, result, index, finding, status, base, tr))

    tool = doc.get("tool") or {}
    catalog = doc.get("catalog") or {}
    declaration = _declaration(doc)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": tool.get("name") or "resguarda",
            "version": str(tool.get("version") or "0"),
            "semanticVersion": str(tool.get("version") or "0"),
            "rules": rules,
            "properties": {"catalog": {k: catalog.get(k) for k in ("id", "name", "version", "publication_date",
                                                                    "sha256")}},
        }},
        "language": "es-MX" if lang == "es" else "en",
        "columnKind": "unicodeCodePoints",
        "artifacts": [_artifact(declaration, base)] if declaration.get("path") else [],
        "results": sarif_results,
        "properties": {
            "as_of": doc.get("as_of"),
            "profile": doc.get("profile"),
            "law": doc.get("law"),
            "program": (doc.get("program") or {}).get("name"),
            "score": (doc.get("summary") or {}).get("score"),
            "counts": (doc.get("summary") or {}).get("counts"),
            "inputs": doc.get("inputs") or [],
        },
    }
    if not run["artifacts"]:
        del run["artifacts"]
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return (json.dumps(sarif, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _declaration(doc: dict[str, Any]) -> dict[str, Any]:
    declared = doc.get("declaration")
    if isinstance(declared, dict) and declared.get("path"):
        return declared
    for item in doc.get("inputs") or []:
        if item.get("role") == "declaration":
            return item
    return {}


def _uri(path: str, base: str) -> str:
    # SARIF URIs are URI references: keep the slashes, percent-encode spaces and accents.
    joined = path.replace("\\", "/")
    if base:
        joined = base.rstrip("/") + "/" + joined.lstrip("/")
    return quote(joined, safe="/-._~")


def _artifact(declaration: dict[str, Any], base: str) -> dict[str, Any]:
    artifact: dict[str, Any] = {"location": {"uri": _uri(_file_name(declaration["path"]), base)},
                                "roles": ["analysisTarget"], "mimeType": "application/yaml"}
    if declaration.get("sha256"):
        artifact["hashes"] = {"sha-256": declaration["sha256"]}
    return artifact


def _file_name(path: str) -> str:
    # Locations name the file relative to the declaration's folder; use the same form for the artifact.
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _refs_text(result: dict[str, Any]) -> list[str]:
    refs = []
    for ref in result.get("legal_refs") or []:
        text = legal_refs_text({"legal_refs": [ref]})
        if ref.get("note"):
            text += f" ({ref['note']})"
        refs.append(text)
    return refs


def _rule(result: dict[str, Any], tr: Translator) -> dict[str, Any]:
    control_id = result["control_id"]
    title = _one_line(result.get("title") or control_id)
    statement = result.get("statement") or title
    refs = _refs_text(result)
    remediation = result.get("remediation") or ""
    evidence = result.get("evidence_requested") or ""

    help_lines = [statement, ""]
    if refs:
        help_lines += [tr("sarif.help.legal") + ": " + "; ".join(refs), ""]
    if remediation:
        help_lines += [tr("sarif.help.remediation") + ": " + remediation, ""]
    if evidence:
        help_lines += [tr("sarif.help.evidence") + ": " + evidence, ""]
    markdown = [_md(statement), ""]
    if refs:
        markdown += [f"**{tr('sarif.help.legal')}**", ""] + [f"- {_md(r)}" for r in refs] + [""]
    if remediation:
        markdown += [f"**{tr('sarif.help.remediation')}**", "", _md(remediation), ""]
    if evidence:
        markdown += [f"**{tr('sarif.help.evidence')}**", "", _md(evidence), ""]

    severity = result.get("severity") or "medium"
    # GitHub reads `security-severity` only on rules tagged "security".
    tags = ["security", "privacy", "compliance", result.get("domain") or "", severity]
    tags += sorted({str(ref.get("law")) for ref in result.get("legal_refs") or [] if ref.get("law")})
    return {
        "id": control_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": statement},
        "help": {"text": "\n".join(help_lines).strip(), "markdown": "\n".join(markdown).strip()},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
        "properties": {
            "tags": [tag for tag in tags if tag],
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "domain": result.get("domain"),
            "severity": severity,
            "status": result.get("status"),
            "effective_from": result.get("effective_from"),
            "legal_refs": result.get("legal_refs") or [],
            "xref": result.get("xref") or {},
        },
    }


def _result(doc: dict[str, Any], result: dict[str, Any], index: int, finding: dict[str, Any], shown: str,
            base: str, tr: Translator) -> dict[str, Any]:
    # A waived finding is reported with the status it would have without the waiver, and suppressed.
    status = underlying(finding, result) if shown == "waived" else shown
    subject = finding.get("subject") or {}
    reason = finding.get("reason") or "; ".join(result.get("reasons") or []) or result.get("title") or ""
    text = f"{tr('status.' + status)}: {reason}"
    missing = finding.get("missing") or result.get("missing")
    if status == "unknown" and missing and not any(path in reason for path in missing):
        text += " " + tr("sarif.missing", paths=", ".join(missing))

    location = finding.get("location") or {}
    region: dict[str, int] = {}
    if isinstance(location.get("line"), int) and location["line"] >= 1:
        region["startLine"] = location["line"]
        if isinstance(location.get("column"), int) and location["column"] >= 1:
            region["startColumn"] = location["column"]
    # Without a location, point at the top of the declaration: code scanning needs a file for every alert.
    file = location.get("file") or _file_name(_declaration(doc).get("path") or "declaration.yaml")
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file, base)},
                                "region": region or {"startLine": 1}}
    sarif_location: dict[str, Any] = {"physicalLocation": physical}
    if finding.get("path"):
        sarif_location["logicalLocations"] = [{"fullyQualifiedName": finding["path"], "kind": "member"}]

    severity = result.get("severity") or "medium"
    out: dict[str, Any] = {
        "ruleId": result["control_id"],
        "ruleIndex": index,
        "level": LEVELS.get(severity, "warning"),
        "message": {"text": _one_line(text)},
        "locations": [sarif_location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.get("fingerprint") or ""},
        "properties": {
            "status": shown,
            "underlying_status": status if shown == "waived" else None,
            "control_status": result.get("status"),
            "severity": severity,
            "code": finding.get("code"),
            "subject": subject,
            "source": finding.get("source"),
            "assurance": finding.get("assurance"),
            "attestation": finding.get("attestation"),
            "declared": finding.get("declared"),
            "required": finding.get("required"),
        },
    }
    if not out["partialFingerprints"][FINGERPRINT_KEY]:
        del out["partialFingerprints"]
    waiver = result.get("waiver")
    if shown == "waived" and waiver:
        justification = tr("sarif.waiver", id=waiver.get("id") or "", reason=waiver.get("reason") or "",
                           approved_by=waiver.get("approved_by") or "—", expires=waiver.get("expires") or "—")
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": _one_line(justification),
            "properties": {k: waiver.get(k) for k in ("id", "approved_by", "approved_on", "expires")},
        }]
    return out


def _one_line(text: str) -> str:
    # SARIF viewers show messages as one paragraph; control characters only break them.
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())


def _md(text: str) -> str:
    # Rule help comes from the catalog only (trusted, written with Markdown code spans): keep it as is,
    # just on its own lines.
    return str(text).strip()
