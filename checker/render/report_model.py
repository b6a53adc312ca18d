"""The gap report's view model: what the HTML/PDF and Markdown reports show, computed once from the
result document (a pure function of it).

Sorting, grouping, labels and formatted dates live here so that templates stay simple and the two
report formats cannot drift apart. Nothing here produces markup: every string is plain text, and the
renderers escape it for their own format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from checker.i18n import Translator, format_date, format_date_short, format_number
from checker.states import state_name

SEVERITIES = ("critical", "high", "medium", "low")
SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}
STATUSES = ("fail", "partial", "unknown", "pass", "not_applicable", "waived")
STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
GAP_STATUSES = ("fail", "partial", "unknown")
EFFORT_RANK = {"low": 0, "medium": 1, "high": 2}
# Suggested deadlines (calendar days after the as-of date) by severity; stated in the report.
DEADLINE_DAYS = {"critical": 30, "high": 60, "medium": 90, "low": 180}
DOMAINS = (
    "governance", "privacy_notice", "consent", "minors", "minimization", "retention", "encryption",
    "access_control", "authentication", "logging", "network_exposure", "incident_response",
    "arco_rights", "transfers", "processors", "biometrics", "student_exposure", "physical_security",
    "resilience",
)
DOMAIN_RANK = {d: i for i, d in enumerate(DOMAINS)}
XREF_KEYS = ("iso27001", "nist80053", "gdpr")
GLOSSARY = ("arco", "aviso", "responsable", "encargado", "remision", "transferencia", "docseg",
            "sensibles", "bloqueo", "eipd", "ut", "llave", "habiles")
METHOD_PARAGRAPHS = ("method.p1", "method.p2", "method.p3", "method.p4", "method.p5", "method.p6")
LEGAL_PARAGRAPHS = ("legal.p1", "legal.p2", "legal.p3", "legal.p4", "legal.p5", "legal.p6")
TOP_GAPS = 5
HEADER_MAX = 70


@dataclass(frozen=True)
class SubjectView:
    kind: str
    kind_label: str
    id: str
    name: str | None
    status: str
    status_label: str
    declared: str | None      # None: not declared
    required: str | None
    source: str
    source_label: str
    location: str | None
    reason: str | None
    detail: str | None        # the reason without its leading "subject: " (the line already names it)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class CaseGroup:
    """Cases of one control that say the same thing about several subjects of one kind, shown as one
    line (a control over seven data categories that all lack the same key reads as one gap, not seven)."""

    kind: str
    kind_label: str
    status: str
    subjects: list[SubjectView]
    detail: str | None        # the shared reason, with the subject's id replaced by "…"
    source: str
    locations: str | None     # "ai-center.yaml:41:5" or "ai-center.yaml: 41, 49, 57"

    @property
    def first(self) -> SubjectView:
        return self.subjects[0]


@dataclass(frozen=True)
class LegalRefView:
    citation: str
    confidence: str
    note: str | None
    previous: str | None      # the article in the repealed law, e.g. "2017: art. 35"


@dataclass(frozen=True)
class ResultView:
    order: int                # catalog order, for stable sorting
    anchor: str               # our own id for links; never declaration text
    id: str
    domain: str
    domain_label: str
    severity: str
    severity_label: str
    severity_letter: str
    status: str
    status_label: str
    title: str
    statement: str
    reasons: list[str]
    missing: list[str]
    subjects: list[SubjectView]
    legal: list[LegalRefView]
    remediation: str
    evidence_requested: str
    evidence: list[dict[str, str]]
    xref: list[tuple[str, str]]
    effort: str
    effort_label: str
    owner_role: str
    applicability: str | None
    sources: list[str]        # labels of how its cases were established
    waiver: dict[str, str] | None
    underlying_status_label: str | None
    kind_plurals: dict[str, str] = field(default_factory=dict)

    @property
    def gap_subjects(self) -> list[SubjectView]:
        return [s for s in self.subjects if s.status in GAP_STATUSES]

    @property
    def shown_subjects(self) -> list[SubjectView]:
        """The cases a finding details: all but the passing ones (those are only named)."""
        return [s for s in self.subjects if s.status != "pass"]

    @property
    def passed_labels(self) -> list[str]:
        return [s.label for s in self.subjects if s.status == "pass"]

    @property
    def missing_compact(self) -> list[str]:
        return compress_paths(self.missing)

    @property
    def case_groups(self) -> list[CaseGroup]:
        return group_cases(self.shown_subjects, self.kind_plurals)


@dataclass
class DomainGroup:
    domain: str
    label: str
    anchor: str
    score: float | None
    score_text: str
    results: list[ResultView]


@dataclass(frozen=True)
class PlanRow:
    num: int
    result: ResultView
    action: str
    effort: str
    owner: str
    deadline: str


@dataclass(frozen=True)
class WaiverView:
    id: str
    control: str
    systems: str
    reason: str
    approved_by: str
    approved_on: str
    expires: str
    state: str
    state_label: str


@dataclass(frozen=True)
class ObservationView:
    port: str
    system: str | None
    facts: list[tuple[str, str]]


@dataclass
class HostView:
    host: str
    scan: str
    observations: list[ObservationView] = field(default_factory=list)


@dataclass
class ReportModel:
    lang: str
    tr: Translator
    title: str
    program: dict[str, str | None]
    header_name: str          # the running header's program name, cut short so it fits one line
    assessor: str
    cover_rows: list[tuple[str, str]]
    declaration_sha: str | None
    as_of: str
    as_of_iso: str
    footer_line: str
    score: float | None
    score_text: str
    band: str | None
    counts: list[tuple[str, str, int]]
    total: int
    highest_text: str
    domain_scores: list[tuple[str, float | None, str]]
    top_gaps: list[tuple[ResultView, str]]
    law_text: list[str]
    findings: list[DomainGroup]
    passed: list[ResultView]
    plan: list[PlanRow]
    plan_intro: str
    unknown: list[ResultView]
    waivers: list[WaiverView]
    waived: list[ResultView]
    not_applicable: list[ResultView]
    inputs: list[dict[str, str]]
    evidence: list[dict[str, str]]
    scans: list[dict[str, str]]
    hosts: list[HostView]
    method: list[str]
    legal: list[tuple[str, str]]   # (lead, text)
    glossary: list[tuple[str, str]]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def safe_date(value: Any, lang: str) -> str:
    """A locale date, or the value as written when it is not an ISO date (it still gets escaped)."""
    if value is None or value == "":
        return "—"
    try:
        return format_date(value, lang)
    except (TypeError, ValueError):
        return str(value)


def format_value(value: Any) -> str | None:
    """A declared or required value as the declaration would write it; None when not declared."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v) or 'null'}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False, default=str)


def _label(tr: Translator, prefix: str, value: Any) -> str:
    """A catalog label for an enum value; an unexpected value is shown as it is (escaped later)."""
    if value is None:
        return "—"
    key = f"{prefix}.{value}"
    text = tr(key)
    return str(value) if text == key else text


def _location(loc: Any) -> str | None:
    if not isinstance(loc, dict) or not loc.get("file"):
        return None
    text = str(loc["file"])
    if loc.get("line") is not None:
        text += f":{loc['line']}"
        if loc.get("column") is not None:
            text += f":{loc['column']}"
    return text


def _result_view(r: dict[str, Any], order: int, tr: Translator) -> ResultView:
    subjects = []
    for f in r.get("findings") or []:
        subj = f.get("subject") or {}
        subjects.append(SubjectView(
            kind=_text(subj.get("kind")), kind_label=_label(tr, "subject", subj.get("kind")),
            id=_text(subj.get("id")), name=subj.get("name") or None,
            status=_text(f.get("status")), status_label=_label(tr, "status", f.get("status")),
            declared=format_value(f.get("declared")), required=format_value(f.get("required")),
            source=_text(f.get("source")), source_label=_label(tr, "source", f.get("source")),
            location=_location(f.get("location")), reason=f.get("reason") or None,
            detail=_detail(f.get("reason"), subj),
        ))
    # Cases that pass add nothing to a gap's story but the count; list gaps first.
    subjects.sort(key=lambda s: STATUS_RANK.get(s.status, 9))
    xref = [(tr(f"xref.{k}"), ", ".join(str(x) for x in (r.get("xref") or {}).get(k) or []))
            for k in XREF_KEYS]
    sources = sorted({s.source for s in subjects if s.source})
    waiver = r.get("waiver")
    plurals = {s.kind: _label(tr, "subjects", s.kind) for s in subjects}
    return ResultView(
        order=order, anchor=f"c-{order}", id=_text(r.get("control_id")),
        domain=_text(r.get("domain")), domain_label=_label(tr, "domain", r.get("domain")),
        severity=_text(r.get("severity")), severity_label=_label(tr, "severity", r.get("severity")),
        severity_letter=_label(tr, "severity_letter", r.get("severity")),
        status=_text(r.get("status")), status_label=_label(tr, "status", r.get("status")),
        title=_text(r.get("title")), statement=_text(r.get("statement")),
        reasons=[_text(x) for x in r.get("reasons") or []],
        missing=[_text(x) for x in r.get("missing") or []],
        subjects=subjects,
        legal=[LegalRefView(citation=_text(ref.get("citation") or _citation(ref)),
                            confidence=_text(ref.get("confidence")), note=ref.get("note") or None,
                            previous=ref.get("previous") or None)
               for ref in r.get("legal_refs") or []],
        remediation=_text(r.get("remediation")),
        evidence_requested=_text(r.get("evidence_requested")),
        evidence=[{"id": _text(e.get("id")), "path": _text(e.get("path")), "sha256": _text(e.get("sha256"))}
                  for e in r.get("evidence") or []],
        xref=[(k, v) for k, v in xref if v],
        effort=_text(r.get("effort")), effort_label=_label(tr, "effort", r.get("effort")),
        owner_role=_text(r.get("owner_role")),
        # Why a control does not apply: the catalog's text, else what the evaluator found.
        applicability=(r.get("applicability") or next(iter(r.get("reasons") or []), None)
                       or next((f.get("reason") for f in r.get("findings") or [] if f.get("reason")), None)),
        sources=[_label(tr, "source", s) for s in sources],
        waiver=({k: safe_date(v, tr.lang) if k in ("approved_on", "expires") else _text(v)
                 for k, v in waiver.items()} if isinstance(waiver, dict) else None),
        underlying_status_label=(_label(tr, "status", r["underlying_status"])
                                 if r.get("underlying_status") else None),
        kind_plurals=plurals,
    )


# How the evaluator's reasons start when they are about the program itself.
_PROGRAM_PREFIXES = ("el programa: ", "the program: ")


def _detail(reason: Any, subject: dict[str, Any]) -> str | None:
    if not reason:
        return None
    text = str(reason)
    for prefix in (f"{subject.get('id')}: ", f"{subject.get('name')}: ", *_PROGRAM_PREFIXES):
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


_BRACKET = re.compile(r"\[([^\[\]]*)\]")


def compress_paths(paths: list[str]) -> list[str]:
    """`a[x].k`, `a[y].k` -> `a[x, y].k`: the same key missing on several items reads as one line."""
    groups: dict[str, list[str]] = {}
    templates: dict[str, tuple[str, str]] = {}
    for path in paths:
        m = _BRACKET.search(path)
        if not m:
            groups.setdefault(path, [])
            continue
        key = path[: m.start()] + "[\0]" + path[m.end():]
        templates[key] = (path[: m.start()], path[m.end():])
        groups.setdefault(key, []).append(m.group(1))
    out = []
    for key, ids in groups.items():
        if key in templates:
            head, tail = templates[key]
            out.append(f"{head}[{', '.join(ids)}]{tail}")
        else:
            out.append(key)
    return out


def _generic(s: SubjectView) -> str | None:
    if s.detail is None:
        return None
    return s.detail.replace(f"[{s.id}]", "[…]")


def _locations(subjects: list[SubjectView]) -> str | None:
    locs = [s.location for s in subjects if s.location]
    if len(locs) <= 1:
        return locs[0] if locs else None
    files = {loc.split(":", 1)[0] for loc in locs}
    if len(files) == 1:
        # Same file: name it once and list the lines.
        lines = [loc.split(":")[1] if loc.count(":") >= 1 else "?" for loc in locs]
        return f"{files.pop()}: {', '.join(lines)}"
    return ", ".join(locs)


def group_cases(subjects: list[SubjectView], plurals: dict[str, str]) -> list[CaseGroup]:
    groups: dict[tuple[str, str, str | None, str, str | None, str | None], list[SubjectView]] = {}
    for s in subjects:
        generic = _generic(s)
        # Without a reason the values are shown, so only identical values may share a line.
        values = (None, None) if generic is not None else (s.declared, s.required)
        key = (s.kind, s.status, generic, s.source, *values)
        groups.setdefault(key, []).append(s)
    out = []
    for (kind, status, generic, source, _, _), members in groups.items():
        one = len(members) == 1
        out.append(CaseGroup(
            kind=kind, kind_label=members[0].kind_label if one else plurals.get(kind, members[0].kind_label),
            status=status, subjects=members, detail=members[0].detail if one else generic, source=source,
            locations=_locations(members)))
    return out


def _citation(ref: dict[str, Any]) -> str:
    text = f"{ref.get('law', '')} art. {ref.get('article', '')}"
    if ref.get("fraction"):
        text += f" fr. {ref['fraction']}"
    return text


def _gap_key(r: ResultView) -> tuple[int, int, int, int]:
    return (SEV_RANK.get(r.severity, 9), STATUS_RANK.get(r.status, 9), -len(r.gap_subjects), r.order)


def _score_text(score: float | None, lang: str) -> str:
    return "—" if score is None else format_number(score, lang, 1)


def _band(score: float | None) -> str | None:
    if score is None:
        return None
    if score >= 85:
        return "high"
    if score >= 60:
        return "medium"
    if score >= 30:
        return "low"
    return "critical"


def _law_text(doc: dict[str, Any], tr: Translator) -> list[str]:
    program = doc.get("program") or {}
    operator = _text(program.get("operator") or program.get("name"))
    op_type = _label(tr, "operator_type", program.get("operator_type"))
    law = _text(doc.get("law"))
    public = law == "LGPDPPSO"
    out: list[str] = []
    if program.get("role") == "encargado":
        controller = program.get("controller") or tr("law.controller_unknown")
        out.append(tr("law.encargado", operator=operator, controller=controller, law=law))
    elif public:
        out.append(tr("law.public", operator=operator, operator_type=op_type))
    else:
        out.append(tr("law.private", operator=operator, operator_type=op_type))
    jurisdiction = program.get("jurisdiction") or {}
    if public and jurisdiction.get("level") in ("state", "municipal"):
        state = f" ({state_name(jurisdiction['state'])})" if jurisdiction.get("state") else ""
        out.append(tr("law.public_state", level=_label(tr, "level", jurisdiction["level"]), state=state))
    out.append(tr("law.authority_public" if public else "law.authority"))
    return out


def _gap_sentence(r: ResultView, tr: Translator) -> str:
    """One plain sentence for the executive summary: what is wrong and where, without key paths."""
    by_kind: dict[str, list[str]] = {}
    for s in r.gap_subjects:
        by_kind.setdefault(s.kind, []).append(s.label)
    where = []
    for kind, labels in by_kind.items():
        if kind == "program":
            where.append(tr("summary.where_program"))
            continue
        names = ", ".join(labels[:4]) + (", …" if len(labels) > 4 else "")
        noun = r.kind_plurals.get(kind, kind) if len(labels) > 1 else _label(tr, "subject", kind)
        where.append(tr("summary.where", n=len(labels), what=noun.lower(), names=names))
    status = tr(f"summary.gap.{r.status}") if r.status in GAP_STATUSES else r.status_label
    if not where:
        return tr("summary.gap_sentence_bare", status=status)
    return tr("summary.gap_sentence", status=status, where="; ".join(where))


def _deadline(as_of: str, severity: str, lang: str) -> str:
    try:
        start = date.fromisoformat(as_of)
    except ValueError:
        return "—"
    return format_date_short(start + timedelta(days=DEADLINE_DAYS.get(severity, 180)), lang)


def _hosts(observations: list[dict[str, Any]], tr: Translator) -> list[HostView]:
    hosts: dict[tuple[str, str], HostView] = {}
    for o in observations:
        key = (_text(o.get("host")), _text(o.get("scan")))
        view = hosts.setdefault(key, HostView(host=key[0], scan=key[1]))
        facts = [(str(k), format_value(v) or "—") for k, v in (o.get("facts") or {}).items()]
        view.observations.append(ObservationView(port=_text(o.get("port")),
                                                 system=o.get("system") or None, facts=facts))
    return list(hosts.values())


def _named(lang: str, kind: str, code: str) -> str:
    """A law or profile by its name (the code in parentheses), not its code alone."""
    from checker.i18n import messages

    return messages("report_start", lang).get(f"{kind}.{code}", code) if code else code


def build(doc: dict[str, Any], lang: str) -> ReportModel:
    tr = Translator("report", lang)
    lang = tr.lang
    program = doc.get("program") or {}
    assessment = doc.get("assessment") or {}
    catalog = doc.get("catalog") or {}
    summary = doc.get("summary") or {}
    as_of_iso = _text(doc.get("as_of"))
    as_of = safe_date(as_of_iso, lang)
    tool = doc.get("tool") or {}

    results = [_result_view(r, i, tr) for i, r in enumerate(doc.get("results") or [])]
    declaration_sha = (doc.get("declaration") or {}).get("sha256") or next(
        (i.get("sha256") for i in doc.get("inputs") or [] if i.get("role") == "declaration"), None)
    declaration_path = (doc.get("declaration") or {}).get("path") or next(
        (i.get("path") for i in doc.get("inputs") or [] if i.get("role") == "declaration"), None)

    cover_rows = [
        (tr("cover.operator"), _text(program.get("operator"))),
        (tr("cover.kind"), _label(tr, "kind", assessment.get("kind"))),
        (tr("cover.assessor"), _text(assessment.get("assessor")) or "—"),
        (tr("cover.organization"), _text(assessment.get("organization")) or "—"),
        (tr("cover.scope"), _text(assessment.get("scope")) or "—"),
        (tr("cover.as_of"), as_of),
        (tr("cover.law"), _named(lang, "law", _text(doc.get("law")))),
        (tr("cover.catalog"), tr("cover.catalog_value", id=_text(catalog.get("id")),
                                 version=_text(catalog.get("version")),
                                 date=safe_date(catalog.get("publication_date"), lang))),
        (tr("cover.profile"), _named(lang, "profile", _text(doc.get("profile"))) or "—"),
        (tr("cover.declaration"), _text(declaration_path) or "—"),
    ]

    counts_doc = summary.get("counts") or {}
    counts = [(s, tr(f"status.{s}"), int(counts_doc.get(s, 0))) for s in STATUSES]
    score = summary.get("score")
    highest = summary.get("highest_failed_severity")

    by_domain = summary.get("by_domain") or {}
    domain_scores = sorted(
        ((d, v.get("score") if isinstance(v, dict) else None) for d, v in by_domain.items()),
        key=lambda dv: (dv[1] is None, dv[1] if dv[1] is not None else 0, DOMAIN_RANK.get(dv[0], 99)))
    domain_score_rows = [(_label(tr, "domain", d), s, _score_text(s, lang)) for d, s in domain_scores]

    gaps = sorted((r for r in results if r.status in GAP_STATUSES), key=_gap_key)
    # The worst gaps are controls that fail or are partial: an undecided control is not a gap (it is
    # listed under "what is left to declare").
    top_gaps = [(r, _gap_sentence(r, tr)) for r in gaps if r.status != "unknown"][:TOP_GAPS]

    # Findings: failed and partial controls, grouped by domain, the most severe domain first.
    groups: dict[str, list[ResultView]] = {}
    for r in sorted((r for r in results if r.status in ("fail", "partial")), key=_gap_key):
        groups.setdefault(r.domain, []).append(r)
    ordered = sorted(groups.items(), key=lambda kv: (
        _gap_key(kv[1][0])[0], -sum(1 for r in kv[1] if r.severity == kv[1][0].severity),
        DOMAIN_RANK.get(kv[0], 99)))
    findings = []
    for i, (domain, rs) in enumerate(ordered):
        dscore = by_domain.get(domain, {}).get("score") if isinstance(by_domain.get(domain), dict) else None
        findings.append(DomainGroup(domain=domain, label=_label(tr, "domain", domain), anchor=f"d-{i}",
                                    score=dscore, score_text=_score_text(dscore, lang), results=rs))

    # The plan lists what to fix (failed and partial controls, by severity then effort); the undecided
    # ones share a single action, to declare what is missing, so they take one row.
    plan_rows = sorted((r for r in gaps if r.status != "unknown"),
                       key=lambda r: (SEV_RANK.get(r.severity, 9), EFFORT_RANK.get(r.effort, 9),
                                      STATUS_RANK.get(r.status, 9), r.order))
    plan = [PlanRow(num=i + 1, result=r, action=r.title, effort=r.effort_label, owner=r.owner_role,
                    deadline=_deadline(as_of_iso, r.severity, lang))
            for i, r in enumerate(plan_rows)]
    undecided = sorted((r for r in gaps if r.status == "unknown"), key=_gap_key)
    if undecided:
        worst = undecided[0]
        plan.append(PlanRow(num=len(plan) + 1, result=worst,
                            action=tr("plan.unknown_action", n=len(undecided)),
                            effort=_label(tr, "effort", "low"), owner=tr("plan.unknown_owner"),
                            deadline=_deadline(as_of_iso, worst.severity, lang)))
    rule = tr("plan.rule", **{k: str(v) for k, v in DEADLINE_DAYS.items()})

    waivers = [WaiverView(
        id=_text(w.get("id")), control=_text(w.get("control")),
        systems=", ".join(_text(s) for s in w.get("systems") or []) or tr("waivers.all_systems"),
        reason=_text(w.get("reason")), approved_by=_text(w.get("approved_by")),
        approved_on=safe_date(w.get("approved_on"), lang), expires=safe_date(w.get("expires"), lang),
        state=_text(w.get("state")), state_label=_label(tr, "waivers.state", w.get("state")),
    ) for w in doc.get("waivers") or []]

    inputs = [{"role": _label(tr, "evidence.role", i.get("role")),
               "id": _text(i.get("id")), "path": _text(i.get("path")), "sha256": _text(i.get("sha256"))}
              for i in doc.get("inputs") or []]
    evidence = [{"id": _text(e.get("id")), "path": _text(e.get("path")),
                 "description": _text(e.get("description")), "sha256": _text(e.get("sha256")),
                 "controls": ", ".join(_text(c) for c in e.get("controls") or [])}
                for e in doc.get("evidence") or []]
    scans = [{"id": _text(s.get("id")), "path": _text(s.get("path")),
              "vantage": _label(tr, "evidence.vantage", s.get("vantage")),
              "date": safe_date(s.get("date"), lang),
              "state": tr("evidence.stale") if s.get("stale") else tr("evidence.current"),
              "stale": "1" if s.get("stale") else "", "sha256": _text(s.get("sha256"))}
             for s in doc.get("scans") or []]

    program_view: dict[str, str | None] = {
        "name": _text(program.get("name")), "short_name": program.get("short_name") or None,
        "operator": _text(program.get("operator")),
        "role": _label(tr, "role", program.get("role")),
        "status": _label(tr, "program_status", program.get("status")) if program.get("status") else None,
    }
    return ReportModel(
        lang=lang, tr=tr, title=tr("doc_title"), program=program_view, cover_rows=cover_rows,
        header_name=_shorten(_text(program.get("name")), HEADER_MAX),
        assessor=_text(assessment.get("assessor")),
        declaration_sha=declaration_sha, as_of=as_of, as_of_iso=as_of_iso,
        footer_line=tr("footer_line", version=_text(tool.get("version")), catalog=_text(catalog.get("id")),
                       catalog_version=_text(catalog.get("version")), as_of=as_of),
        score=score, score_text=_score_text(score, lang), band=_band(score),
        counts=counts, total=sum(c for _, _, c in counts),
        highest_text=(tr("summary.highest", severity=_label(tr, "severity", highest).lower())
                      if highest else tr("summary.highest_none")),
        domain_scores=domain_score_rows, top_gaps=top_gaps, law_text=_law_text(doc, tr),
        findings=findings,
        passed=[r for r in results if r.status == "pass"],
        plan=plan, plan_intro=tr("plan.intro", as_of=as_of, rule=rule),
        unknown=sorted((r for r in results if r.status == "unknown"), key=_gap_key),
        waivers=waivers,
        waived=[r for r in results if r.status == "waived"],
        not_applicable=[r for r in results if r.status == "not_applicable"],
        inputs=inputs, evidence=evidence, scans=scans,
        hosts=_hosts(doc.get("observations") or [], tr),
        method=[tr(k, catalog=_text(catalog.get("id")), version=_text(catalog.get("version")),
                   profile=_text(doc.get("profile")), as_of=as_of) for k in METHOD_PARAGRAPHS],
        legal=[(tr(f"{k}.lead"), tr(k)) for k in LEGAL_PARAGRAPHS],
        glossary=[(tr(f"glossary.{g}.term"), tr(f"glossary.{g}.def")) for g in GLOSSARY],
    )
