"""JUnit XML for CI servers (Jenkins, GitLab, Azure DevOps, GitHub test reporters).

Follows the Apache Ant JUnit schema (`tests/schemas/junit.xsd`), the subset every CI server reads:
- one `<testsuite>` per domain, in the order the domains first appear in the results (catalog order);
- one `<testcase>` per control and subject (`classname` = `resguarda.<domain>.<control>`);
- `fail` and `partial` are `<failure>` (type = the status) with the reasons;
- `unknown`, `waived` and `not_applicable` are `<skipped>` with why (missing paths, the waiver, the
  applicability text): none of them is a pass, none is a defect the code proved;
- `pass` has no child;
- the catalog, the evaluation date and the SHA-256 of every input are `<property>` elements of each suite
  (the schema puts properties on suites only).
Times are 0 and the timestamp is `as_of` at midnight, so the same result document gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from checker import explain
from checker.i18n import Translator
from checker.render import RenderOptions
from checker.render.csv_rows import Case, cases, waiver_text
from checker.result import ResultDocument, WaiverInfo, as_document
from checker.vocabulary import FAILING, domain_word, severity_word, status_word, subject_word

SKIPPED = ("unknown", "waived", "not_applicable")
# XML 1.0 cannot carry most control characters, even escaped: drop them.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: Any) -> str:
    return _INVALID_XML.sub("", "" if text is None else str(text))


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


def properties(doc: ResultDocument, lang: str) -> list[tuple[str, str]]:
    props: list[tuple[str, Any]] = [
        ("resguarda.version", doc.tool.version),
        ("catalog.id", doc.catalog.id),
        ("catalog.version", doc.catalog.version),
        ("catalog.sha256", doc.catalog.sha256),
        ("profile", doc.profile),
        ("law", doc.law),
        ("as_of", doc.as_of),
        ("lang", lang),
        ("score", doc.summary.score),
    ]
    for item in doc.inputs:
        name = item.id or item.path or "?"
        props.append((f"input.{item.role}.{name}.sha256", item.sha256))
    return [(_one_line(k), _clean("" if v is None else v)) for k, v in props]


def _subject_label(case: Case, lang: str, tr: Translator) -> str:
    if not case.subject:
        return tr("junit.whole_control")
    kind = case.subject.kind
    if kind == "program":
        return subject_word("program", lang)
    return f"{subject_word(kind, lang)} {case.subject.id}".strip()


def _testcase(suite: ET.Element, case: Case, waivers: list[WaiverInfo], lang: str, tr: Translator) -> None:
    result = case.result
    texts = result.text(lang)
    control_id = result.control_id
    name = f"{control_id} {texts.title} [{_subject_label(case, lang, tr)}]"
    element = ET.SubElement(suite, "testcase", {
        "name": _one_line(name),
        "classname": _one_line(f"resguarda.{result.domain}.{control_id}"),
        "time": "0",
    })
    reasons = case.reasons or explain.result_reasons(result, waivers, lang)
    status_label = status_word(case.status, lang)
    if case.status in FAILING:
        body = [*reasons, "", f"{tr('junit.remediation')}: {texts.remediation or '—'}"]
        refs = "; ".join(r.text(lang).citation for r in result.legal_refs)
        if refs:
            body.append(f"{tr('junit.legal')}: {refs}")
        for finding in case.findings:
            loc = finding.location
            body.append(f"{finding.path} @ {loc.file}:{loc.line}:{loc.column}")
        severity = severity_word(result.severity, lang)
        failure = ET.SubElement(element, "failure", {
            "type": case.status,
            "message": _one_line(f"{status_label} ({severity}): " + (reasons[0] if reasons else "")),
        })
        failure.text = _clean("\n".join(body))
    elif case.status in SKIPPED:
        if case.status == "waived":
            why = waiver_text(case.waiver, tr)
        elif case.status == "not_applicable":
            why = explain.applicability(result, lang) or tr("junit.not_applicable")
        else:
            why = " ".join(reasons)
        skipped = ET.SubElement(element, "skipped", {"message": _one_line(f"{status_label}: {why}")})
        # The paths to declare, as technical references below the sentence (as failures list theirs).
        to_declare = [m for f in case.findings for m in f.missing] or list(result.missing)
        where = case.findings[0].location.file if case.findings else ""
        paths = [f"{m} @ {where}" for m in dict.fromkeys(to_declare)] if case.status == "unknown" else []
        skipped.text = _clean("\n".join([why, *paths]))


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    doc = as_document(doc)
    lang = options.lang_for(doc)
    tr = Translator("export", lang)
    by_domain: dict[str, list[Case]] = {}
    for case in cases(doc, lang):
        by_domain.setdefault(case.result.domain, []).append(case)

    timestamp = f"{doc.as_of or '1970-01-01'}T00:00:00"
    props = properties(doc, lang)
    root = ET.Element("testsuites")
    for index, (domain, domain_cases) in enumerate(by_domain.items()):
        suite = ET.SubElement(root, "testsuite", {
            "name": _one_line(domain_word(domain, lang)),
            "package": _one_line(f"resguarda.{domain}"),
            "id": str(index),
            "timestamp": timestamp,
            "hostname": "localhost",
            "tests": str(len(domain_cases)),
            "failures": str(sum(c.status in FAILING for c in domain_cases)),
            "errors": "0",
            "skipped": str(sum(c.status in SKIPPED for c in domain_cases)),
            "time": "0",
        })
        properties_element = ET.SubElement(suite, "properties")
        for name, value in props:
            ET.SubElement(properties_element, "property", {"name": name, "value": value})
        for case in domain_cases:
            _testcase(suite, case, doc.waivers, lang, tr)
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out + b"\n"
