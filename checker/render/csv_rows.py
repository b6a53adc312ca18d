"""CSV for spreadsheets: one row per control and subject.

Encoding: UTF-8 with a byte-order mark (BOM) and CRLF line ends (RFC 4180). The BOM is what makes Excel
open a double-clicked CSV as UTF-8, so Spanish accents survive; LibreOffice, Google Sheets and Python's
`csv` (with `encoding="utf-8-sig"`) read it as well. The separator is a comma, every field that needs it is
quoted.

Columns: the header row is translated (`lang`); the values of `status`, `severity` and `domain` stay as
the contract's codes (`fail`, `critical`, `encryption`) so that sheets from Spanish and English runs can be
compared and filtered the same way; texts (title, reasons, remediation) come in the report's language.

Hostile text: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by spreadsheets (CSV injection); such cells get a leading apostrophe, which spreadsheets show as
text and do not display.

The row model (`cases`) is shared with the JUnit renderer, which has the same one-per-control-and-subject
shape.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from checker.assurance import weakest
from checker.i18n import Translator, t
from checker.render import RenderOptions

# The roll-up order of results.md (fail, then partial, then unknown, then pass); a waived finding sits
# between unknown and pass: accepted, but not a pass.
_RANK = {"fail": 5, "partial": 4, "unknown": 3, "waived": 2, "pass": 1, "not_applicable": 0}
_BAD = ("fail", "partial", "unknown")

COLUMNS = ("control_id", "title", "domain", "severity", "control_status", "subject_kind", "subject_id",
           "subject_name", "status", "legal_refs", "reasons", "missing", "path", "location", "source",
           "assurance", "remediation", "waiver", "evidence", "fingerprint")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Case:
    """One control looked at for one subject (or for the program as a whole when it has no findings)."""

    result: dict[str, Any]
    subject: dict[str, Any] | None
    status: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    waiver: dict[str, Any] | None = None


def covers(doc: dict[str, Any], waiver: dict[str, Any], subject: dict[str, Any] | None) -> bool:
    """Whether a result's waiver covers this subject (for documents whose findings are not marked `waived`).

    A waiver that names `systems` covers findings about those systems; without `systems` (or with an
    empty list) it covers the whole control.
    """
    systems = waiver.get("systems")
    if systems is None:
        for declared in doc.get("waivers") or []:
            if declared.get("id") == waiver.get("id"):
                systems = declared.get("systems")
                break
    if not systems:
        return True
    return subject is not None and subject.get("kind") == "system" and subject.get("id") in systems


def finding_status(doc: dict[str, Any], result: dict[str, Any], finding: dict[str, Any]) -> str:
    """The finding's own status; `waived` when the evaluator marked it so, or when its control is waived
    and the waiver covers its subject."""
    status = str(finding.get("status") or "unknown")
    waiver = result.get("waiver")
    if status in _BAD and result.get("status") == "waived" and waiver and covers(doc, waiver,
                                                                                 finding.get("subject")):
        return "waived"
    return status


def underlying(finding: dict[str, Any], result: dict[str, Any]) -> str:
    """What a waived finding would be without its waiver."""
    if finding.get("status") == "waived":
        return str(finding.get("underlying_status") or result.get("underlying_status") or "fail")
    return str(finding.get("status") or "unknown")


def cases(doc: dict[str, Any]) -> list[Case]:
    """Every control × subject of the document, in catalog order and then in the findings' order."""
    out: list[Case] = []
    for result in doc.get("results") or []:
        status = result.get("status") or "unknown"
        waiver = result.get("waiver")
        findings = result.get("findings") or []
        if not findings:
            reasons = list(result.get("reasons") or [])
            if status == "not_applicable" and result.get("applicability"):
                reasons = [result["applicability"]]
            out.append(Case(result, None, status, [], reasons, waiver if status == "waived" else None))
            continue
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for finding in findings:
            subject = finding.get("subject") or {}
            groups.setdefault((str(subject.get("kind")), str(subject.get("id"))), []).append(finding)
        for group in groups.values():
            subject = group[0].get("subject") or {}
            statuses = [finding_status(doc, result, f) for f in group]
            worst = max(statuses, key=lambda s: _RANK.get(s, 3))
            case_status = "not_applicable" if status == "not_applicable" else worst
            shown = [f for f, s in zip(group, statuses, strict=True) if s == worst] or group
            reasons = [f["reason"] for f in shown if f.get("reason")]
            out.append(Case(result, subject, case_status, group, reasons,
                            waiver if case_status == "waived" else None))
    return out


def legal_refs_text(result: dict[str, Any]) -> str:
    texts = []
    for ref in result.get("legal_refs") or []:
        text = ref.get("citation") or " ".join(
            str(part) for part in (ref.get("law"), ref.get("article"), ref.get("fraction")) if part)
        if ref.get("confidence"):
            text += f" [{ref['confidence']}]"
        texts.append(text)
    return "; ".join(texts)


def waiver_text(waiver: dict[str, Any] | None, tr: Translator) -> str:
    if not waiver:
        return ""
    reason = " ".join(str(waiver.get("reason") or "").split())   # YAML folded text ends with a newline
    return tr("csv.waiver", id=waiver.get("id") or "", reason=reason,
              approved_by=waiver.get("approved_by") or "—", expires=waiver.get("expires") or "—")


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    # Strip characters no spreadsheet shows (NUL and other controls) except line breaks inside a cell.
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _row(case: Case, tr: Translator) -> list[str]:
    result = case.result
    subject = case.subject or {}
    first = case.findings[0] if case.findings else {}
    location = first.get("location") or {}
    where = ""
    if location.get("file"):
        where = str(location["file"])
        if location.get("line"):
            where += f":{location['line']}"
            if location.get("column"):
                where += f":{location['column']}"
    evidence = "; ".join(f"{e.get('id')} ({e.get('path')})" for e in result.get("evidence") or [])
    values: list[Any] = [
        result.get("control_id"), result.get("title"), result.get("domain"), result.get("severity"),
        result.get("status"), subject.get("kind", ""), subject.get("id", ""), subject.get("name", ""),
        case.status, legal_refs_text(result), " | ".join(case.reasons),
        "; ".join(result.get("missing") or []) if case.status == "unknown" else "",
        first.get("path", ""), where, first.get("source", ""), weakest(case.findings), result.get("remediation"),
        waiver_text(case.waiver, tr), evidence, " ".join(f.get("fingerprint") or "" for f in case.findings),
    ]
    return [_safe(v) for v in values]


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    tr = Translator("export", options.lang or doc.get("lang") or "es")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # The assurance column's header lives with the auditor features' texts.
    writer.writerow([tr("csv.column." + column) if column != "assurance" else
                     t("audit", tr.lang, "csv.column.assurance") for column in COLUMNS])
    for case in cases(doc):
        writer.writerow(_row(case, tr))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
