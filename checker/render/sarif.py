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

from checker import explain
from checker.i18n import Translator
from checker.render import RenderOptions
from checker.render.csv_rows import underlying
from checker.result import ControlResult, Finding, ResultDocument, as_document
from checker.vocabulary import WAIVED, status_word

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
REPORTED = ("fail", "partial", "unknown", "waived")
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub ranks alerts by this property (CVSS-like scale); the numbers sit inside its bands.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
FINGERPRINT_KEY = "resguarda/v1"


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    doc = as_document(doc)
    lang = options.lang_for(doc)
    tr = Translator("export", lang)
    base = str((options.extra or {}).get("sarif_uri_base") or "")

    rules = [_rule(result, lang, tr) for result in doc.results]
    sarif_results: list[dict[str, Any]] = []
    for index, result in enumerate(doc.results):
        for finding in result.findings:
            if finding.status in REPORTED:
                sarif_results.append(_result(doc, result, index, finding, base, lang, tr))

    catalog = doc.catalog
    declaration = doc.declaration_input()
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": doc.tool.name,
            "version": doc.tool.version,
            "semanticVersion": doc.tool.version,
            "rules": rules,
            "properties": {"catalog": {"id": catalog.id, "name": catalog.name_in(lang), "version": catalog.version,
                                       "publication_date": catalog.publication_date, "sha256": catalog.sha256}},
        }},
        "language": "es-MX" if lang == "es" else "en",
        "columnKind": "unicodeCodePoints",
        "artifacts": [_artifact(declaration.path, declaration.sha256, base)] if declaration else [],
        "results": sarif_results,
        "properties": {
            "as_of": doc.as_of,
            "profile": doc.profile,
            "law": doc.law,
            "program": doc.program.name,
            "score": doc.summary.score,
            "counts": dict(doc.summary.counts),
            "inputs": [i.model_dump(mode="json") for i in doc.inputs],
        },
    }
    if not run["artifacts"]:
        del run["artifacts"]
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return (json.dumps(sarif, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _uri(path: str, base: str) -> str:
    # SARIF URIs are URI references: keep the slashes, percent-encode spaces and accents.
    joined = path.replace("\\", "/")
    if base:
        joined = base.rstrip("/") + "/" + joined.lstrip("/")
    return quote(joined, safe="/-._~")


def _artifact(path: str, sha256: str, base: str) -> dict[str, Any]:
    artifact: dict[str, Any] = {"location": {"uri": _uri(_file_name(path), base)},
                                "roles": ["analysisTarget"], "mimeType": "application/yaml"}
    if sha256:
        artifact["hashes"] = {"sha-256": sha256}
    return artifact


def _file_name(path: str) -> str:
    # Locations name the file relative to the declaration's folder; use the same form for the artifact.
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _refs_text(result: ControlResult, lang: str) -> list[str]:
    refs = []
    for ref in result.legal_refs:
        texts = ref.text(lang)
        text = texts.citation + f" [{ref.confidence}]"
        if texts.note:
            text += f" ({texts.note})"
        refs.append(text)
    return refs


def _rule(result: ControlResult, lang: str, tr: Translator) -> dict[str, Any]:
    control_id = result.control_id
    texts = result.text(lang)
    title = _one_line(texts.title or control_id)
    statement = texts.statement or title
    refs = _refs_text(result, lang)
    remediation = texts.remediation or ""
    evidence = texts.evidence_requested or ""

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

    severity = result.severity
    # GitHub reads `security-severity` only on rules tagged "security".
    tags = ["security", "privacy", "compliance", result.domain, severity]
    tags += sorted({ref.law for ref in result.legal_refs})
    return {
        "id": control_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": statement},
        "help": {"text": "\n".join(help_lines).strip(), "markdown": "\n".join(markdown).strip()},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": [tag for tag in tags if tag],
            "security-severity": SECURITY_SEVERITY[severity],
            "domain": result.domain,
            "severity": severity,
            "status": result.status,
            "effective_from": result.effective_from,
            "legal_refs": [{"law": ref.law, "article": ref.article, "fraction": ref.fraction,
                            "confidence": ref.confidence, "citation": ref.text(lang).citation}
                           for ref in result.legal_refs],
            "xref": result.xref,
        },
    }


def _result(doc: ResultDocument, result: ControlResult, index: int, finding: Finding, base: str, lang: str,
            tr: Translator) -> dict[str, Any]:
    # A waived finding is reported with the status it would have without the waiver, and suppressed.
    shown = finding.status
    status = underlying(finding, result) if shown == WAIVED else shown
    subject = finding.subject
    reason = explain.reason(finding, lang, result) or result.text(lang).title
    text = f"{status_word(status, lang)}: {reason}"

    location = finding.location
    region: dict[str, int] = {}
    if location.line >= 1:
        region["startLine"] = location.line
        if location.column >= 1:
            region["startColumn"] = location.column
    # Without a location, point at the top of the declaration: code scanning needs a file for every alert.
    declaration = doc.declaration_input()
    file = location.file or _file_name(declaration.path if declaration else "declaration.yaml")
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file, base)},
                                "region": region or {"startLine": 1}}
    sarif_location: dict[str, Any] = {"physicalLocation": physical}
    if finding.path:
        sarif_location["logicalLocations"] = [{"fullyQualifiedName": finding.path, "kind": "member"}]

    severity = result.severity
    out: dict[str, Any] = {
        "ruleId": result.control_id,
        "ruleIndex": index,
        "level": LEVELS[severity],
        "message": {"text": _one_line(text)},
        "locations": [sarif_location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "status": shown,
            "underlying_status": status if shown == WAIVED else None,
            "control_status": result.status,
            "severity": severity,
            "code": finding.code,
            "subject": subject.model_dump(mode="json"),
            "source": finding.source,
            "declared": finding.declared,
            "required": finding.required,
        },
    }
    if not finding.fingerprint:
        del out["partialFingerprints"]
    waiver = result.waiver
    if shown == WAIVED and waiver:
        justification = tr("sarif.waiver", id=waiver.id, reason=waiver.reason, approved_by=waiver.approved_by or "—",
                           expires=waiver.expires or "—")
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": _one_line(justification),
            "properties": {"id": waiver.id, "approved_by": waiver.approved_by, "approved_on": waiver.approved_on,
                           "expires": waiver.expires},
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
