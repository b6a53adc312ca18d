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

from checker import explain
from checker.i18n import Translator, format_date, format_date_short, format_number
from checker.labels import field_label
from checker.render.bounds import (
    CASE_LINES_MAX,
    FIELDS_MAX,
    FILES_MAX,
    HOSTS_MAX,
    NAMES_MAX,
    PORTS_MAX,
    Cut,
    cut,
)
from checker.result import (
    ControlResult,
    Observation,
    ResultDocument,
    WaiverInfo,
    count_all_subjects,
    count_subjects,
)
from checker.states import state_name
from checker.vocabulary import (
    DOMAIN_RANK,
    GATING,
    SEVERITIES,
    SEVERITY_RANK,
    WORST_FIRST,
    domain_word,
    profile_word,
    severity_letter,
    severity_word,
    status_word,
    subject_word,
)

SEV_RANK = SEVERITY_RANK
# The report lists statuses worst first (the counts box, sorting): the vocabulary's order.
STATUSES = WORST_FIRST
STATUS_RANK: dict[str, int] = {s: i for i, s in enumerate(STATUSES)}
GAP_STATUSES = GATING
EFFORT_RANK = {"low": 0, "medium": 1, "high": 2}
# Suggested deadlines (calendar days after the as-of date) by severity; stated in the report.
DEADLINE_DAYS = {"critical": 30, "high": 60, "medium": 90, "low": 180}
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

    @property
    def names(self) -> Cut[SubjectView]:
        """The subjects the HTML/PDF names on this line (the rest counted, see bounds.py)."""
        return cut(self.subjects, NAMES_MAX)


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
    subject_counts: dict[str, int] = field(default_factory=dict)   # checker.result.count_subjects

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

    # The HTML/PDF shows these bounded views (bounds.py); Markdown and the machine formats do not cut.
    @property
    def cases_cut(self) -> Cut[CaseGroup]:
        return cut(self.case_groups, CASE_LINES_MAX)

    @property
    def passed_cut(self) -> Cut[str]:
        return cut(self.passed_labels, NAMES_MAX)

    @property
    def missing_cut(self) -> Cut[str]:
        return cut(compress_paths(self.missing, NAMES_MAX), FIELDS_MAX)


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
    ports_left_out: int = 0   # observations of this host beyond bounds.PORTS_MAX


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
    counts: list[tuple[str, str, int, int]]   # status, its word, controls, subjects
    total: int
    total_subjects: int
    highest_text: str
    domain_scores: list[tuple[str, float | None, str]]
    top_gaps: list[tuple[ResultView, str]]
    law_text: list[str]
    findings: list[DomainGroup]
    passed: list[ResultView]
    plan: list[PlanRow]
    plan_intro: str
    unknown: list[ResultView]
    waivers: Cut[WaiverView]
    waived: list[ResultView]
    not_applicable: list[ResultView]
    inputs: Cut[dict[str, str]]
    evidence: Cut[dict[str, str]]
    scans: Cut[dict[str, str]]
    hosts: Cut[HostView]
    method: list[str]
    legal: list[tuple[str, str]]   # (lead, text)
    glossary: list[tuple[str, str]]
    severity_legend: list[tuple[str, str, str]]   # severity, its letter, its word


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


def _result_view(r: ControlResult, order: int, tr: Translator, waivers: list[WaiverInfo]) -> ResultView:
    lang = tr.lang
    texts = r.text(lang)
    subjects = []
    for f in r.findings:
        subj = f.subject
        reason = explain.reason(f, lang, r)
        subjects.append(SubjectView(
            kind=subj.kind, kind_label=subject_word(subj.kind, lang),
            id=subj.id, name=subj.name or None,
            status=f.status, status_label=status_word(f.status, lang),
            declared=format_value(f.declared), required=format_value(f.required),
            source=f.source, source_label=_label(tr, "source", f.source),
            location=f"{f.location.file}:{f.location.line}:{f.location.column}", reason=reason or None,
            detail=(explain.detail(f, lang, r) if f.explanation is not None else _detail(reason, subj.id, subj.name))
            or None,
        ))
    # Cases that pass add nothing to a gap's story but the count; list gaps first.
    subjects.sort(key=lambda s: STATUS_RANK.get(s.status, 9))
    xref = [(tr(f"xref.{k}"), ", ".join(r.xref.get(k) or [])) for k in XREF_KEYS]
    sources = sorted({s.source for s in subjects if s.source})
    waiver = r.waiver
    plurals = {s.kind: subject_word(s.kind, lang, many=True) for s in subjects}
    return ResultView(
        order=order, anchor=f"c-{order}", id=r.control_id,
        domain=r.domain, domain_label=domain_word(r.domain, lang),
        severity=r.severity, severity_label=severity_word(r.severity, lang),
        severity_letter=severity_letter(r.severity, lang),
        status=r.status, status_label=status_word(r.status, lang),
        title=texts.title, statement=_text(texts.statement),
        reasons=explain.result_reasons(r, waivers, lang),
        missing=list(r.missing),
        subjects=subjects,
        legal=[LegalRefView(citation=ref.text(lang).citation, confidence=ref.confidence,
                            note=ref.text(lang).note or None, previous=ref.previous or None)
               for ref in r.legal_refs],
        remediation=texts.remediation,
        evidence_requested=_text(texts.evidence_requested),
        evidence=[{"id": e.id, "path": e.path, "sha256": e.sha256} for e in r.evidence],
        xref=[(k, v) for k, v in xref if v],
        effort=_text(r.effort), effort_label=_label(tr, "effort", r.effort),
        owner_role=_text(texts.owner_role),
        # Why a control does not apply: the catalog's text, else what the evaluator found.
        applicability=explain.applicability(r, lang),
        sources=[_label(tr, "source", s) for s in sources],
        waiver=({"id": waiver.id, "reason": waiver.reason, "approved_by": waiver.approved_by,
                 "approved_on": safe_date(waiver.approved_on, lang), "expires": safe_date(waiver.expires, lang),
                 "systems": ", ".join(waiver.systems)} if waiver else None),
        underlying_status_label=status_word(r.underlying_status, lang) if r.underlying_status else None,
        kind_plurals=plurals,
        subject_counts={str(k): n for k, n in count_subjects(r).items()},
    )


# How the evaluator's reasons start when they are about the program itself.
_PROGRAM_PREFIXES = ("el programa: ", "the program: ")


def _detail(reason: str | None, subject_id: str, subject_name: str | None) -> str | None:
    if not reason:
        return None
    text = reason
    for prefix in (f"{subject_id}: ", f"{subject_name}: ", *_PROGRAM_PREFIXES):
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


_BRACKET = re.compile(r"\[([^\[\]]*)\]")


def compress_paths(paths: list[str], names: int | None = None) -> list[str]:
    """`a[x].k`, `a[y].k` -> `a[x, y].k`: the same key missing on several items reads as one line;
    with `names`, at most that many items are named and the rest counted (`a[x, y, … +9,998].k`)."""
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
            more = f", … +{format_number(len(ids) - names, 'es', 0)}" if names is not None and len(ids) > names else ""
            out.append(f"{head}[{', '.join(ids[:names])}{more}]{tail}")
        else:
            out.append(key)
    return out


def _generic(s: SubjectView) -> str | None:
    if s.detail is None:
        return None
    return s.detail.replace(f"[{s.id}]", "[…]")


def _locations(subjects: list[SubjectView]) -> str | None:
    # Only the named subjects' places (bounds.NAMES_MAX); "…" says there are more.
    locs = [s.location for s in subjects[:NAMES_MAX] if s.location]
    more = ", …" if len(subjects) > NAMES_MAX else ""
    if len(locs) <= 1 and not more:
        return locs[0] if locs else None
    files = {loc.split(":", 1)[0] for loc in locs}
    if len(files) == 1:
        # Same file: name it once and list the lines (each once).
        lines = dict.fromkeys(loc.split(":")[1] if loc.count(":") >= 1 else "?" for loc in locs)
        return f"{files.pop()}: {', '.join(lines)}{more}"
    return ", ".join(locs) + more


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


def _law_text(doc: ResultDocument, tr: Translator) -> list[str]:
    program = doc.program
    operator = _text(program.operator or program.name)
    op_type = _label(tr, "operator_type", program.operator_type)
    law = doc.law
    public = law == "LGPDPPSO"
    out: list[str] = []
    if program.role == "encargado":
        controller = program.controller or tr("law.controller_unknown")
        out.append(tr("law.encargado", operator=operator, controller=controller, law=law))
    elif public:
        out.append(tr("law.public", operator=operator, operator_type=op_type))
    else:
        out.append(tr("law.private", operator=operator, operator_type=op_type))
    jurisdiction = program.jurisdiction
    if public and jurisdiction is not None and jurisdiction.level in ("state", "municipal"):
        state = f" ({state_name(jurisdiction.state)})" if jurisdiction.state else ""
        out.append(tr("law.public_state", level=_label(tr, "level", jurisdiction.level), state=state))
    out.append(tr("law.authority_public" if public else "law.authority"))
    return out


def _gap_sentence(r: ResultView, tr: Translator) -> str:
    """One plain sentence for the executive summary: what is wrong and where, status by status, from the
    findings' own statuses (one failing system and two undecided ones read as exactly that)."""
    parts = []
    for status in GAP_STATUSES:
        mine = [s for s in r.subjects if s.status == status]
        if not mine:
            continue
        label = tr(f"summary.gap.{status}")
        by_kind: dict[str, list[str]] = {}
        for s in mine:
            by_kind.setdefault(s.kind, []).append(s.label)
        where = []
        for kind, labels in by_kind.items():
            if kind == "program":
                where.append(tr("summary.where_program"))
                continue
            names = ", ".join(labels[:4]) + (", …" if len(labels) > 4 else "")
            noun = subject_word(kind, tr.lang, many=len(labels) > 1)
            where.append(tr("summary.where", n=len(labels), what=noun.lower(), names=names))
        parts.append(tr("summary.gap_part", status=label, where="; ".join(where)))
    if not parts:
        bare = tr(f"summary.gap.{r.status}") if r.status in GAP_STATUSES else r.status_label
        return tr("summary.gap_sentence_bare", status=bare)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _deadline(as_of: str, severity: str, lang: str) -> str:
    try:
        start = date.fromisoformat(as_of)
    except ValueError:
        return "—"
    return format_date_short(start + timedelta(days=DEADLINE_DAYS.get(severity, 180)), lang)


def _fact(key: str, value: Any, lang: str) -> tuple[str, str]:
    """An observed fact in plain words: its label and its value (labels of `observations.facts.*`)."""
    path = f"observations.facts.{key}"
    if isinstance(value, dict):
        words = "; ".join(f"{explain.field_words(f'{path}.{k}', lang)}: "
                          f"{explain.value_words(f'facts.{key}.{k}', v, lang)}" for k, v in value.items())
    else:
        words = explain.value_words(f"facts.{key}", value, lang)
    return field_label(path, lang), words


def _hosts(observations: list[Observation], lang: str) -> Cut[HostView]:
    """The first HOSTS_MAX hosts, each with its first PORTS_MAX observations in words; the rest are
    only counted (putting 20,000 hosts into words is what made large scans slow)."""
    hosts: dict[tuple[str, str], HostView] = {}
    others: set[tuple[str, str]] = set()
    for o in observations:
        key = (o.host, o.scan)
        view = hosts.get(key)
        if view is None:
            if len(hosts) >= HOSTS_MAX:
                others.add(key)
                continue
            view = hosts[key] = HostView(host=key[0], scan=key[1])
        if len(view.observations) >= PORTS_MAX:
            view.ports_left_out += 1
            continue
        facts = [_fact(str(k), v, lang) for k, v in o.facts.items()]
        view.observations.append(ObservationView(port=_text(o.port), system=o.system or None, facts=facts))
    return Cut(shown=list(hosts.values()), left_out=len(others), total=len(hosts) + len(others))


def _named(lang: str, kind: str, code: str) -> str:
    """A law by its name (the code in parentheses), not its code alone."""
    from checker.i18n import messages

    return messages("report_start", lang).get(f"{kind}.{code}", code) if code else code


def build(doc: ResultDocument, lang: str | None = None) -> ReportModel:
    tr = Translator("report", lang or doc.lang)
    lang = tr.lang
    program = doc.program
    assessment = doc.assessment
    catalog = doc.catalog
    summary = doc.summary
    as_of_iso = doc.as_of
    as_of = safe_date(as_of_iso, lang)
    tool = doc.tool

    results = [_result_view(r, i, tr, doc.waivers) for i, r in enumerate(doc.results)]
    declared = doc.declaration or doc.declaration_input()
    declaration_sha = declared.sha256 if declared else None
    declaration_path = declared.path if declared else None

    cover_rows = [
        (tr("cover.operator"), program.operator),
        (tr("cover.kind"), _label(tr, "kind", assessment.kind if assessment else None)),
        (tr("cover.assessor"), _text(assessment.assessor if assessment else None) or "—"),
        (tr("cover.organization"), _text(assessment.organization if assessment else None) or "—"),
        (tr("cover.scope"), _text(assessment.scope if assessment else None) or "—"),
        (tr("cover.as_of"), as_of),
        (tr("cover.law"), _named(lang, "law", doc.law)),
        (tr("cover.catalog"), tr("cover.catalog_value", id=catalog.id, version=catalog.version,
                                 date=safe_date(catalog.publication_date, lang))),
        (tr("cover.profile"), profile_word(doc.profile, lang) if doc.profile else "—"),
        (tr("cover.declaration"), declaration_path or "—"),
    ]

    # The one counting function (checker.result): controls by status, and the subjects they looked at.
    subjects = count_all_subjects(doc.results)
    counts: list[tuple[str, str, int, int]] = [
        (s, status_word(s, lang), summary.counts.get(s) or 0, subjects[s]) for s in STATUSES]
    score = summary.score
    highest = summary.highest_failed_severity

    by_domain = summary.by_domain
    domain_scores = sorted(((d, v.score) for d, v in by_domain.items()),
                           key=lambda dv: (dv[1] is None, dv[1] if dv[1] is not None else 0,
                                           DOMAIN_RANK.get(dv[0], 99)))
    domain_score_rows = [(domain_word(d, lang), sc, _score_text(sc, lang)) for d, sc in domain_scores]

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
        dscore = by_domain[domain].score if domain in by_domain else None
        findings.append(DomainGroup(domain=domain, label=domain_word(domain, lang), anchor=f"d-{i}",
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

    waivers = cut([WaiverView(
        id=w.id, control=w.control,
        systems=", ".join(w.systems) or tr("waivers.all_systems"),
        reason=w.reason, approved_by=w.approved_by,
        approved_on=safe_date(w.approved_on, lang), expires=safe_date(w.expires, lang),
        state=w.state, state_label=_label(tr, "waivers.state", w.state),
    ) for w in doc.waivers], FILES_MAX)

    inputs = cut([{"role": _label(tr, "evidence.role", i.role), "id": _text(i.id), "path": i.path,
               "sha256": i.sha256} for i in doc.inputs], FILES_MAX)
    evidence = cut([{"id": e.id, "path": e.path, "description": _text(e.description), "sha256": e.sha256,
                 "controls": ", ".join(e.controls)} for e in doc.evidence], FILES_MAX)
    scans = cut([{"id": s.id, "path": s.path, "vantage": _label(tr, "evidence.vantage", s.vantage),
              "date": safe_date(s.date, lang),
              "state": tr("evidence.stale") if s.stale else tr("evidence.current"),
              "stale": "1" if s.stale else "", "sha256": _text(s.sha256)}
             for s in doc.scans], FILES_MAX)

    program_view: dict[str, str | None] = {
        "name": program.name, "short_name": program.short_name or None,
        "operator": program.operator,
        "role": _label(tr, "role", program.role),
        "status": _label(tr, "program_status", program.status) if program.status else None,
    }
    return ReportModel(
        lang=lang, tr=tr, title=tr("doc_title"), program=program_view, cover_rows=cover_rows,
        header_name=_shorten(program.name, HEADER_MAX),
        assessor=_text(assessment.assessor if assessment else None),
        declaration_sha=declaration_sha, as_of=as_of, as_of_iso=as_of_iso,
        footer_line=tr("footer_line", version=tool.version, catalog=catalog.id,
                       catalog_version=catalog.version, as_of=as_of),
        score=score, score_text=_score_text(score, lang), band=_band(score),
        counts=counts, total=sum(c for _, _, c, _ in counts), total_subjects=sum(subjects.values()),
        highest_text=(tr("summary.highest", severity=severity_word(highest, lang).lower())
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
        hosts=_hosts(doc.observations, lang),
        method=[tr(k, catalog=catalog.id, version=catalog.version, profile=profile_word(doc.profile, lang),
                   as_of=as_of)
                for k in METHOD_PARAGRAPHS],
        legal=[(tr(f"{k}.lead"), tr(k)) for k in LEGAL_PARAGRAPHS],
        glossary=[(tr(f"glossary.{g}.term"), tr(f"glossary.{g}.def")) for g in GLOSSARY],
        severity_legend=[(s, severity_letter(s, lang), severity_word(s, lang)) for s in SEVERITIES],
    )
