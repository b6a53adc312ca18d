"""CSV for spreadsheets: one row per control and subject.

Encoding: UTF-8 with a byte-order mark (BOM) and CRLF line ends (RFC 4180). The BOM is what makes Excel
open a double-clicked CSV as UTF-8, so Spanish accents survive; LibreOffice, Google Sheets and Python's
`csv` (with `encoding="utf-8-sig"`) read it as well. The separator is a comma, every field that needs it is
quoted.

Columns: the header row is in the output's language (`options.lang`, else the result's); the values of
`status`, `severity` and `domain` stay as the contract's codes (`fail`, `critical`, `encryption`) so that
sheets from Spanish and English runs can be compared and filtered the same way; texts (title, reasons,
remediation) come in the output's language.

Hostile text: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by spreadsheets (CSV injection); such cells get a leading apostrophe, which spreadsheets show as
text and do not display.

The row model (`cases`) is shared with the JUnit renderer, which has the same one-per-control-and-subject
shape. Statuses are the evaluator's: a finding a waiver covers is already `waived` (`checker.waivers`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from checker import explain
from checker.i18n import Translator
from checker.render import RenderOptions
from checker.result import ControlResult, Finding, ResultDocument, Subject, WaiverRef, as_document
from checker.vocabulary import NA, RANK, WAIVED

COLUMNS = ("control_id", "title", "domain", "severity", "control_status", "subject_kind", "subject_id",
           "subject_name", "status", "legal_refs", "reasons", "missing", "path", "location", "source",
           "remediation", "waiver", "evidence", "fingerprint")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Case:
    """One control looked at for one subject (or for the program as a whole when it has no findings)."""

    result: ControlResult
    subject: Subject | None
    status: str
    findings: list[Finding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    waiver: WaiverRef | None = None


def underlying(finding: Finding, result: ControlResult) -> str:
    """What a waived finding would be without its waiver."""
    if finding.status == WAIVED:
        return finding.underlying_status or result.underlying_status or "fail"
    return finding.status


def cases(doc: ResultDocument, lang: str) -> list[Case]:
    """Every control × subject of the document, in catalog order and then in the findings' order; the
    reasons in `lang`."""
    out: list[Case] = []
    for result in doc.results:
        status = result.status
        if not result.findings:
            reasons = explain.result_reasons(result, doc.waivers, lang)
            if status == NA:
                reasons = [explain.applicability(result, lang) or ""]
            out.append(Case(result, None, status, [], reasons, result.waiver if status == WAIVED else None))
            continue
        groups: dict[tuple[str, str], list[Finding]] = {}
        for finding in result.findings:
            groups.setdefault((finding.subject.kind, finding.subject.id), []).append(finding)
        for group in groups.values():
            worst = min((f.status for f in group), key=lambda s: RANK.get(s, 9))
            case_status = NA if status == NA else worst
            shown = [f for f in group if f.status == worst] or group
            reasons = [text for f in shown if (text := explain.reason(f, lang, result))]
            out.append(Case(result, group[0].subject, case_status, group, reasons,
                            result.waiver if case_status == WAIVED else None))
    return out


def legal_refs_text(result: ControlResult, lang: str) -> str:
    texts = []
    for ref in result.legal_refs:
        text = ref.text(lang).citation + f" [{ref.confidence}]"
        texts.append(text)
    return "; ".join(texts)


def waiver_text(waiver: WaiverRef | None, tr: Translator) -> str:
    if not waiver:
        return ""
    reason = " ".join(waiver.reason.split())   # YAML folded text ends with a newline
    return tr("csv.waiver", id=waiver.id, reason=reason, approved_by=waiver.approved_by or "—",
              expires=waiver.expires or "—")


def _safe(value: Any) -> str:
    text = "" if value is None else str(value)
    # Strip characters no spreadsheet shows (NUL and other controls) except line breaks inside a cell.
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def _row(case: Case, tr: Translator) -> list[str]:
    result = case.result
    texts = result.text(tr.lang)
    subject = case.subject
    first = case.findings[0] if case.findings else None
    where = ""
    if first is not None:
        loc = first.location
        where = f"{loc.file}:{loc.line}:{loc.column}"
    evidence = "; ".join(f"{e.id} ({e.path})" for e in result.evidence)
    values: list[Any] = [
        result.control_id, texts.title, result.domain, result.severity,
        result.status, subject.kind if subject else "", subject.id if subject else "",
        (subject.name or "") if subject else "",
        case.status, legal_refs_text(result, tr.lang), " | ".join(case.reasons),
        "; ".join(result.missing) if case.status == "unknown" else "",
        first.path if first else "", where, first.source if first else "", texts.remediation,
        waiver_text(case.waiver, tr), evidence, " ".join(f.fingerprint for f in case.findings),
    ]
    return [_safe(v) for v in values]


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    doc = as_document(doc)
    tr = Translator("export", options.lang_for(doc))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([tr("csv.column." + column) for column in COLUMNS])
    for case in cases(doc, tr.lang):
        writer.writerow(_row(case, tr))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
