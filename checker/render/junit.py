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

from checker.assurance import weakest
from checker.i18n import Translator, t
from checker.render import RenderOptions
from checker.render.csv_rows import Case, cases, waiver_text

FAILED = ("fail", "partial")
SKIPPED = ("unknown", "waived", "not_applicable")
# XML 1.0 cannot carry most control characters, even escaped: drop them.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: Any) -> str:
    return _INVALID_XML.sub("", "" if text is None else str(text))


def _one_line(text: str) -> str:
    return " ".join(_clean(text).split())


def properties(doc: dict[str, Any]) -> list[tuple[str, str]]:
    catalog = doc.get("catalog") or {}
    tool = doc.get("tool") or {}
    summary = doc.get("summary") or {}
    props = [
        ("resguarda.version", tool.get("version")),
        ("catalog.id", catalog.get("id")),
        ("catalog.version", catalog.get("version")),
        ("catalog.sha256", catalog.get("sha256")),
        ("profile", doc.get("profile")),
        ("law", doc.get("law")),
        ("as_of", doc.get("as_of")),
        ("lang", doc.get("lang")),
        ("score", summary.get("score")),
    ]
    for item in doc.get("inputs") or []:
        name = item.get("id") or item.get("path") or "?"
        props.append((f"input.{item.get('role')}.{name}.sha256", item.get("sha256")))
    return [(_one_line(k), _clean("" if v is None else v)) for k, v in props]


def _subject_label(case: Case, tr: Translator) -> str:
    if not case.subject:
        return tr("junit.whole_control")
    kind = str(case.subject.get("kind") or "")
    if kind == "program":
        return tr("subject.program")
    label = tr("subject." + kind) if kind else ""
    return f"{label} {case.subject.get('id')}".strip()


def _testcase(suite: ET.Element, case: Case, tr: Translator) -> None:
    result = case.result
    control_id = str(result.get("control_id"))
    name = f"{control_id} {result.get('title') or ''} [{_subject_label(case, tr)}]"
    element = ET.SubElement(suite, "testcase", {
        "name": _one_line(name),
        "classname": _one_line(f"resguarda.{result.get('domain')}.{control_id}"),
        "time": "0",
    })
    reasons = case.reasons or list(result.get("reasons") or [])
    status_label = tr("status." + case.status)
    if case.status in FAILED:
        body = [*reasons, "", f"{tr('junit.remediation')}: {result.get('remediation') or '—'}",
                t("audit", tr.lang, "assurance.line", level=t("audit", tr.lang, "assurance." + weakest(case.findings)))]
        refs = "; ".join(str(r.get("citation") or r.get("law")) for r in result.get("legal_refs") or [])
        if refs:
            body.append(f"{tr('junit.legal')}: {refs}")
        for finding in case.findings:
            location = finding.get("location") or {}
            if location.get("file"):
                body.append(f"{finding.get('path')} @ {location.get('file')}:{location.get('line')}:"
                            f"{location.get('column')}")
        severity = tr("severity." + str(result.get("severity")))
        failure = ET.SubElement(element, "failure", {
            "type": case.status,
            "message": _one_line(f"{status_label} ({severity}): " + (reasons[0] if reasons else "")),
        })
        failure.text = _clean("\n".join(body))
    elif case.status in SKIPPED:
        if case.status == "waived":
            why = waiver_text(case.waiver, tr)
        elif case.status == "not_applicable":
            why = result.get("applicability") or tr("junit.not_applicable")
        else:
            missing = [m for f in case.findings for m in f.get("missing") or []] or result.get("missing") or []
            why = " ".join(reasons)
            missing = [m for m in dict.fromkeys(missing) if m not in why]
            if missing:
                why = (why + " " + tr("junit.missing", paths=", ".join(missing))).strip()
        skipped = ET.SubElement(element, "skipped", {"message": _one_line(f"{status_label}: {why}")})
        skipped.text = _clean(why)


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    tr = Translator("export", options.lang or doc.get("lang") or "es")
    by_domain: dict[str, list[Case]] = {}
    for case in cases(doc):
        by_domain.setdefault(str(case.result.get("domain")), []).append(case)

    timestamp = f"{doc.get('as_of') or '1970-01-01'}T00:00:00"
    props = properties(doc)
    root = ET.Element("testsuites")
    for index, (domain, domain_cases) in enumerate(by_domain.items()):
        suite = ET.SubElement(root, "testsuite", {
            "name": _one_line(tr("domain." + domain)),
            "package": _one_line(f"resguarda.{domain}"),
            "id": str(index),
            "timestamp": timestamp,
            "hostname": "localhost",
            "tests": str(len(domain_cases)),
            "failures": str(sum(c.status in FAILED for c in domain_cases)),
            "errors": "0",
            "skipped": str(sum(c.status in SKIPPED for c in domain_cases)),
            "time": "0",
        })
        properties_element = ET.SubElement(suite, "properties")
        # Each test case's assurance (the schema allows properties on suites only).
        for name, value in props + [(f"assurance.{c.result.get('control_id')}.{(c.subject or {}).get('id', '*')}",
                                     weakest(c.findings)) for c in domain_cases]:
            ET.SubElement(properties_element, "property", {"name": _one_line(name), "value": _clean(value)})
        for case in domain_cases:
            _testcase(suite, case, tr)
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
