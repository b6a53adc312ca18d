r"""The gap report as Markdown, for a pull-request comment or a wiki page (GitHub-flavoured).

Same data and order as the PDF (the shared view model in report_model.py), shorter: no glossary or
sign-off. Every piece of text from a declaration goes through `md_text` or `md_code`, so it cannot
become markup: no HTML, no links or images, no emphasis, no table breaks, no math. Plain text is
backslash-escaped where it is markup (CommonMark treats any escaped ASCII punctuation as a literal;
an escaped `:` or `www\.` stops GitHub's bare-URL autolinks); identifiers and paths go into code
spans. The
one thing GitHub still links is a bare e-mail address (a harmless `mailto:`).
"""

from __future__ import annotations

import re
from typing import Any

from checker.i18n import Translator
from checker.neutral import inert_links
from checker.render import RenderOptions
from checker.render.audit_view import AuditView, build_audit_view, control_assurance
from checker.render.bounds import Cut, left_out_note
from checker.render.first_steps import FirstSteps, first_steps
from checker.render.report_model import CaseGroup, ReportModel, ResultView, build
from checker.result import ResultDocument, as_document

ICON = {"fail": "✗", "partial": "◐", "unknown": "?", "pass": "✓", "not_applicable": "–", "waived": "⊘"}
# Characters that are markup anywhere in a line: code, emphasis, links and images (brackets), raw
# HTML and entities, table cells, strikethrough, GitHub math, and `:` (bare URL autolinks).
_ESCAPE = set("\\`*_[]<>&|~$:")
# Markup only at the start of a line: headings, block quotes, lists, setext underlines, indented code
# never arises (text is stripped). Escaped when a value starts with one of them.
_LINE_START = re.compile(r"^([#>+=-]|\d+[.)])")
_WWW = re.compile(r"(www)\.", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TICKS = re.compile(r"`+")


def _left_out(items: Cut[Any], kind: str, lang: str) -> list[str]:
    """The line that says a list was cut (bounds.py): how many were left out and where they all are."""
    return [f"- *{md_text(left_out_note(kind, items.left_out, items.total, lang))}*"] if items.left_out else []


def md_text(value: Any, strip: bool = True) -> str:
    """Declaration text as inert Markdown: one line, every active character escaped."""
    text = _SPACE.sub(" ", str(value))
    text = text.strip() if strip else text
    text = "".join("\\" + ch if ch in _ESCAPE else ch for ch in text)
    text = _WWW.sub(r"\1\\.", text)   # `www.` autolinks
    return inert_links(_LINE_START.sub(lambda m: "\\" + m.group(0) if not m.group(0)[0].isdigit()
                                       else m.group(0)[:-1] + "\\" + m.group(0)[-1], text))


def md_ticks(value: Any, in_table: bool = False) -> str:
    """Catalog text that quotes `code` in backticks: the quoted parts become code spans."""
    text = _SPACE.sub(" ", str(value)).strip()
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return md_text(text)
    return "".join(md_code(p, in_table) if i % 2 else md_text(p, strip=False) for i, p in enumerate(parts))


def md_code(value: Any, in_table: bool = False) -> str:
    """A code span that holds any text: the fence is longer than any run of backticks inside."""
    text = _SPACE.sub(" ", str(value)).strip()
    if not text:
        return ""
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if in_table:
        # GitHub splits table cells on `|` before it parses code spans; `\|` is a literal pipe there.
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _value(v: str | None, tr: Any, in_table: bool = False) -> str:
    if v is None:
        return f"*{md_text(tr('value.undeclared'))}*"
    if v == "":
        return f"*{md_text(tr('value.empty'))}*"
    return md_code(v, in_table)


def _sev(r: ResultView) -> str:
    return md_text(r.severity_label)


def _case(g: CaseGroup, tr: Any) -> str:
    """One line per group of cases, as in the PDF: who, what was declared against what is required,
    where, and how it was established."""
    who = md_text(g.kind_label)
    if g.kind != "program":
        who += " **" + md_text(", ".join(m.label for m in g.subjects)) + "**"
    s = g.first
    what = md_text(g.detail) if g.detail else (
        f"{md_text(tr('findings.declared'))} {_value(s.declared, tr)}; "
        f"{md_text(tr('findings.required').lower())} {_value(s.required, tr)}")
    where = f" {md_code(g.locations)}" if g.locations else ""
    return f"- {ICON.get(g.status, '·')} {who}: {what}{where} · *{md_text(tr('source_short.' + g.source))}*"


# In the compact layout a citation longer than this is cut (a POLICY reference carries its reason).
BRIEF_CITATION = 60


def _legal(r: ResultView, brief: bool = False) -> str:
    """The legal basis; `brief` (the compact layout) keeps each citation short and drops the notes and
    the 2017 numbering, which the PDF, HTML and full Markdown carry."""
    parts = []
    for ref in r.legal:
        citation = ref.citation
        if brief and len(citation) > BRIEF_CITATION:
            citation = citation[:BRIEF_CITATION].rstrip() + "…"
        text = f"{md_ticks(citation)} ({md_text(ref.confidence)})"
        if brief:
            parts.append(text)
            continue
        if ref.previous:
            text += f" \\[{md_text(ref.previous)}\\]"
        if ref.note and ref.note not in ref.citation:
            text += f" *{md_ticks(ref.note)}*"
        parts.append(text)
    return " · ".join(parts) or "—"


def _control(r: ResultView, tr: Any, level: str = "####") -> list[str]:
    out = [f"{level} {ICON.get(r.status, '·')} {md_code(r.id)} {md_ticks(r.title)}", "",
           f"**{_sev(r)}** · {md_text(r.status_label)}", ""]
    groups = r.case_groups
    out += [_case(g, tr) for g in groups]
    if r.passed_labels:
        out.append(f"- ✓ {md_text(tr('findings.passed_cases'))}: {md_text(', '.join(r.passed_labels))}")
    if not groups and not r.passed_labels:
        out += [f"- {md_text(x)}" for x in r.reasons]
    return out + [""]


def _details(r: ResultView, tr: Any, au: FindingExtras) -> list[str]:
    out = [f"- **{md_text(tr('findings.legal'))}:** {_legal(r)}",
           f"- **{md_text(tr('findings.remediation'))}:** {md_ticks(r.remediation)}",
           f"- **{md_text(tr('findings.evidence_requested'))}:** {md_ticks(r.evidence_requested)}"]
    if r.evidence:
        out.append(f"- **{md_text(tr('findings.evidence_on_file'))}:** "
                   + ", ".join(md_code(e["path"]) for e in r.evidence))
    return out + au.extras(r.id) + [""]


class FindingExtras:
    """Each control's assurance, and with the auditor features its verification, actions and
    management responses: the lines the HTML report's `control_extras` shows, from the same view."""

    def __init__(self, doc: dict[str, Any], view: AuditView | None, lang: str) -> None:
        self.tr = view.tr if view is not None else Translator("audit", lang)
        self.view = view
        self.levels = control_assurance(doc)

    def label(self, control_id: str) -> str | None:
        level = self.levels.get(control_id)
        return self.tr(f"assurance.{level}") if level else None

    def short(self, control_id: str) -> str:
        """` · Aseguramiento: verificado por auditor` for a one-line finding; empty without assurance."""
        label = self.label(control_id)
        return f" · *{md_text(self.tr('control.assurance'))}:* {md_text(label)}" if label else ""

    def extras(self, control_id: str) -> list[str]:
        tr = self.tr
        x = self.view.control(control_id) if self.view is not None else None
        label = x.assurance if x is not None else self.label(control_id)
        if label is None:
            return []
        notes = [label, *x.attestations] if x is not None else [label]
        out = [f"- **{md_text(tr('control.assurance'))}:** " + " · ".join(md_text(n) for n in notes)]
        if x is None:
            return out
        for act in x.actions:
            late = "".join(f" ({md_text(tr(key))})" for key, on in
                           (("action.overdue", act.overdue), ("action.done_but_open", act.done_but_open)) if on)
            status = f"**{md_text(act.status_label)}{late}**" if late else md_text(act.status_label)
            out.append(f"- **{md_text(tr('control.action'))}:** {md_code(act.id)} · {md_text(act.description)} · "
                       f"{md_text(act.owner)} · {md_text(tr('action.due', date=act.due))} · {status}")
        out += [f"- **{md_text(tr('control.response_label'))}:** {md_text(resp)}" for resp in x.responses]
        return out


def _opinion_chapter(a: AuditView) -> list[str]:
    """Chapter A, as in the PDF: the auditor's opinion and the computed summary, scope and
    limitations, the method (the attestations by method). Lettered so the numbering stays as it is."""
    tr = a.tr
    out = [f"## A. {md_text(tr('chapter.opinion'))}", "", f"### {md_text(tr('opinion.title'))}", "",
           f"> {md_text(a.opinion or tr('opinion.none'))}", "", f"### {md_text(tr('summary.title'))}", ""]
    out += [f"- **{md_text(label)}:** {md_text(value)}" for label, value in a.summary_rows]
    out += ["", f"*{md_text(tr('summary.note'))}*", "", f"### {md_text(tr('scope.title'))}", "",
            f"- **{md_text(tr('scope.scope'))}:** {md_text(a.scope or '—')}",
            f"- **{md_text(tr('scope.limitations'))}:** {md_text(a.limitations or tr('scope.none'))}", "",
            f"### {md_text(tr('method.title'))}", ""]
    if not a.method:
        return out + [md_text(tr("method.none_attested")), ""]
    out += [md_text(tr("method.intro")), "",
            _head(tr, "method.col", ("method", "id", "control", "sample", "result", "verified"))]
    for row in a.method:
        result = md_text(row.result) + ("" if row.in_force else f" ({md_text(tr('method.expired'))})")
        out.append(f"| {_cell(row.method)} | {md_code(row.id, True)} | {_id(row.control)} · {md_text(row.subjects)} | "
                   f"{_cell(row.sample)} | {result} | {_cell(row.verified)} |")
    return out + [""]


def _follow_up_chapter(a: AuditView) -> list[str]:
    """Chapter B, as in the PDF: the follow-up of the previous result, the actions that need
    attention and the declared plan, the evidence review."""
    tr = a.tr
    out = [f"## B. {md_text(tr('chapter.follow_up' if a.present else 'chapter.tracking'))}", ""]
    if a.previous:
        counts = " · ".join(f"{md_text(label)}: {n}" for label, n in a.follow_up_counts)
        out += [f"### {md_text(tr('follow_up.title'))}", "", f"{md_text(a.previous)} {counts}".strip(), ""]
        if a.follow_up:
            out.append(_head(tr, "follow_up.col", ("state", "control", "severity", "before", "now")))
            out += [f"| **{md_text(row.state_label)}** | {_id(row.control)} {md_text(row.title)} | "
                    f"{_cell(row.severity)} | {_cell(row.before)} | {_cell(row.now)} |" for row in a.follow_up]
            out.append("")
    if a.actions:
        out += [f"### {md_text(tr('actions.findings_title'))}", ""]
        if a.action_findings:
            out += [md_text(tr("actions.findings_intro")), "",
                    _head(tr, "actions.col", ("id", "finding", "description", "owner", "due", "status"))]
            for act in a.action_findings:
                finding = tr("action.overdue_finding") if act.overdue else \
                    tr("action.done_but_open_finding", done=act.done_on)
                out.append(f"| {md_code(act.id, True)} | **{md_text(finding)}** | {_id(act.controls)} "
                           f"{md_text(act.description)} | {_cell(act.owner)} | {_cell(act.due)} | "
                           f"{_cell(act.status_label)} |")
        else:
            out.append(md_text(tr("actions.findings_none")))
        out += ["", f"### {md_text(tr('actions.all_title'))}", "",
                _head(tr, "actions.col", ("id", "description", "owner", "due", "status"))]
        for act in a.actions:
            done = f" ({md_text(act.done_on)})" if act.status == "done" else ""
            out.append(f"| {md_code(act.id, True)} | {_id(act.controls)} {md_text(act.description)} | "
                       f"{_cell(act.owner)} | {_cell(act.due)} | {md_text(act.status_label)}{done} |")
        out.append("")
    if a.evidence:
        out += [f"### {md_text(tr('evidence.title'))}", "", md_text(tr("evidence.intro")), "",
                _head(tr, "evidence.col", ("id", "state", "controls", "reviewed"))]
        out += [f"| {md_code(e.id, True)} {md_code(e.path, True)} | {_cell(e.state_label)} | {_id(e.controls)} | "
                f"{_cell(e.reviewed)} |" for e in a.evidence]
        out.append("")
    return out


def _head(tr: Any, prefix: str, columns: tuple[str, ...]) -> str:
    """A table's header row and delimiter row, the headers from the auditor features' locale."""
    return ("| " + " | ".join(md_text(tr(f"{prefix}.{c}")) for c in columns) + " |\n"
            + "|" + "---|" * len(columns))


def _id(value: str) -> str:
    """Control or item ids in a table cell: a code span, or the dash the view uses for none."""
    return md_code(value, True) if value and value != "—" else "—"


def _cell(text: str) -> str:
    return md_text(text) or " "


def _compact(r: ResultView, tr: Any, au: FindingExtras) -> str:
    """A finding in one bullet: for reports too long for a pull-request comment."""
    who = ", ".join(dict.fromkeys(s.label for s in r.gap_subjects if s.kind != "program"))
    line = f"- {ICON.get(r.status, '·')} {md_code(r.id)} **{md_ticks(r.title)}** ({_sev(r)})"
    if who:
        line += f" · {md_text(who)}"
    return (line + f" · {_legal(r, brief=True)} · *{md_text(tr('findings.remediation'))}:* {md_ticks(r.remediation)}"
            + au.short(r.id))


def _first_steps(fs: FirstSteps, lang: str, compact: bool) -> list[str]:
    """What to do first, then what is left to declare: right after the cover, as in the PDF."""
    st = Translator("report_start", lang)
    out = [f"## {md_text(st('actions.title'))}", ""]
    if not fs.actions:
        return out + [md_text(st("actions.none")), ""] + _undeclared(fs, st, compact)
    out += [md_text(fs.actions_intro) + " " + md_text(st("actions.gain_total", points=fs.gain_total_text)), ""]
    for a in fs.actions:
        closes = "; ".join(f"{md_code(c.id)} {md_ticks(c.title)}" for c in a.controls)
        systems = md_text(", ".join(a.systems)) if a.systems else md_text(st("actions.program_wide"))
        out += [f"{a.num}. **{md_text(a.domain_label)}** · {md_text(a.owner)} · {md_text(a.gain_text)}",
                f"   {md_ticks(a.what)}",
                f"   - **{md_text(st('actions.closes'))}:** {closes}",
                f"   - **{md_text(st('actions.systems'))}:** {systems}",
                f"   - **{md_text(st('actions.deadline'))}:** {md_text(a.deadline)} · "
                f"{md_text(st('actions.severity'))} {md_text(a.severity_label.lower())} · "
                f"{md_text(st('actions.effort'))} {md_text(a.effort_label.lower())}"]
    return out + [""] + _undeclared(fs, st, compact)


def _undeclared(fs: FirstSteps, st: Translator, compact: bool) -> list[str]:
    out = [f"## {md_text(st('undeclared.title'))}", "", md_text(fs.undeclared_intro), ""]
    for u in fs.undeclared:
        fields = ", ".join(md_code(f) for f in u.fields[:3 if compact else None]) or md_text(st("undeclared.no_fields"))
        more = " …" if compact and len(u.fields) > 3 else ""
        out.append(f"- {md_code(u.id)} **{md_ticks(u.title)}** ({md_text(u.severity_label)}) · "
                   f"{md_text(st('undeclared.fields'))}: {fields}{more}")
    return out + ([""] if fs.undeclared else [])


def render_markdown(m: ReportModel, compact: bool = False, fs: FirstSteps | None = None,
                    au: FindingExtras | None = None) -> str:
    """The report; `au` adds each control's assurance and, with the auditor features, chapters A and B
    (as the PDF has them) and each gap's verification, action and management response."""
    tr = m.tr
    au = au or FindingExtras({}, None, m.lang)
    audit = au.view
    out: list[str] = [
        f"# {md_text(m.title)}", "",
        f"**{md_text(m.program['name'])}** · {md_text(m.program['operator'])}", "",
    ]
    for label, value in m.cover_rows[1:]:
        out.append(f"- **{md_text(label)}:** {md_text(value)}")
    out += [f"- **{md_text(tr('cover.declaration_sha'))}:** {md_code(m.declaration_sha or '—')}", "",
            f"> **{md_text(tr('confidential'))}.** {md_text(tr('confidential_note'))}", ""]
    if fs is not None:
        out += _first_steps(fs, m.lang, compact)
    if audit is not None and audit.present:
        out += _opinion_chapter(audit)

    # 1. Executive summary
    out += [f"## 1. {md_text(tr('sec.summary'))}", "",
            f"**{md_text(tr('summary.score'))}: {md_text(m.score_text)} {md_text(tr('summary.score_of'))}.** "
            + (md_text(tr(f"summary.band.{m.band}")) if m.band else md_text(tr("summary.score_none")))
            + f" {md_text(m.highest_text)}", "",
            f"| {md_text(tr('summary.counts'))} | # | {md_text(tr('summary.cases_head'))} |", "|---|---:|---:|"]
    out += [f"| {ICON[code]} {_cell(label)} | {n} | {cases} |" for code, label, n, cases in m.counts]
    out += ["", md_text(tr("summary.cases_note"))]
    out += ["", f"### {md_text(tr('summary.chart'))}", "", f"| {md_text(tr('summary.chart'))} | /100 |",
            "|---|---:|"]
    none = f"*{md_text(tr('summary.chart_none'))}*"
    out += [f"| {_cell(label)} | {md_text(text) if score is not None else none} |"
            for label, score, text in m.domain_scores]
    out += ["", f"### {md_text(tr('summary.top_gaps'))}", ""]
    if m.top_gaps:
        out += [f"{i}. **{_sev(r)}** {md_code(r.id)} **{md_ticks(r.title)}.** {md_text(detail)}"
                for i, (r, detail) in enumerate(m.top_gaps, 1)]
    else:
        out.append(md_text(tr("summary.top_gaps_none")))
    out += ["", f"### {md_text(tr('summary.law'))}", ""]
    out += [md_text(p) + "\n" for p in m.law_text]

    # 2. Findings
    out += [f"## 2. {md_text(tr('sec.findings'))}", ""]
    if compact:
        out += [f"> {md_text(tr('md.compact_note'))}", ""]
    if not m.findings:
        out += [md_text(tr("findings.none")), ""]
    for i, g in enumerate(m.findings, 1):
        out += [f"### 2.{i} {md_text(g.label)}", "",
                f"*{md_text(tr('findings.domain_score', score=g.score_text))}*", ""]
        for r in g.results:
            out += [_compact(r, tr, au)] if compact else _control(r, tr) + _details(r, tr, au)
        if compact:
            out.append("")
    out += [f"### 2.{len(m.findings) + 1} {md_text(tr('findings.passed'))}", ""]
    if m.passed:
        out += [f"- ✓ {md_code(r.id)} {md_ticks(r.title)} · {md_text(', '.join(r.sources) or '—')}"
                + au.short(r.id) for r in m.passed]
    else:
        out.append(md_text(tr("findings.passed_none")))
    out.append("")

    # 3. Remediation plan
    out += [f"## 3. {md_text(tr('sec.plan'))}", "", md_text(m.plan_intro), ""]
    if m.plan and compact:
        out.append(md_text(tr("md.compact_plan")))
    elif m.plan:
        heads = ["plan.num", "plan.action", "plan.severity", "plan.effort", "plan.owner", "plan.deadline",
                 "plan.assignee", "plan.commitment"]
        out += ["| " + " | ".join(md_text(tr(h)) for h in heads) + " |",
                "|---:|---|---|---|---|---|---|---|"]
        for p in m.plan:
            r = p.result
            action = md_ticks(p.action, True) or " "
            out.append(f"| {p.num} | {md_code(r.id, True)} {action} | {_cell(r.severity_label)} | "
                       f"{_cell(p.effort)} | {_cell(p.owner)} | {_cell(p.deadline)} |   |   |")
    else:
        out.append(md_text(tr("plan.none")))
    out.append("")

    # 4. Undecided
    out += [f"## 4. {md_text(tr('sec.unknown'))}", "", md_text(tr("unknown.intro")), ""]
    # The compact layout lists them once, in "what is left to declare" at the start.
    pointed = compact and fs is not None and bool(m.unknown)
    if pointed:
        out += [md_text(tr("md.compact_unknown")), ""]
    for r in [] if pointed else m.unknown:
        fields = " · ".join(md_code(p) for p in r.missing_compact) or md_text(" ".join(r.reasons))
        out.append(f"- **{_sev(r)}** {md_code(r.id)} {md_ticks(r.title)}: {fields}")
    out.append("")
    if not m.unknown:
        out += [md_text(tr("unknown.none")), ""]

    # 5. Waivers and not applicable
    out += [f"## 5. {md_text(tr('sec.waivers'))}", "", f"### {md_text(tr('waivers.title'))}", ""]
    for w in m.waivers.shown:
        flag = "⚠ " if w.state == "expired" else ""
        out.append(f"- {md_code(w.id)} · {md_text(tr('waivers.control'))} {md_code(w.control)} · "
                   f"{md_text(w.systems)} · **{flag}{md_text(w.state_label)}**: {md_text(w.reason)} "
                   f"({md_text(tr('waivers.approved_by'))}: {md_text(w.approved_by)}, {md_text(w.approved_on)}; "
                   f"{md_text(tr('waivers.expires'))}: {md_text(w.expires)})")
    out += _left_out(m.waivers, "files", m.lang)
    if not m.waivers.shown:
        out.append(md_text(tr("waivers.none")))
    out += ["", f"### {md_text(tr('na.title'))}", ""]
    out += [f"- {md_code(r.id)} {md_ticks(r.title)}: {md_text(r.applicability or '—')}" for r in m.not_applicable]
    if not m.not_applicable:
        out.append(md_text(tr("na.none")))
    out.append("")

    # 6. Evidence appendix
    out += [f"## 6. {md_text(tr('sec.evidence'))}", "",
            f"| {md_text(tr('evidence.role'))} | {md_text(tr('evidence.path'))} | "
            f"{md_text(tr('evidence.sha'))} |", "|---|---|---|"]
    out += [f"| {_cell(i['role'])} | {md_code(i['path'], True)} | {md_code(i['sha256'], True)} |"
            for i in m.inputs.shown]
    out += _left_out(m.inputs, "files", m.lang)
    out.append("")
    for e in m.evidence.shown:
        out.append(f"- {md_code(e['path'])}: {md_text(e['description'])}"
                   + (f" ({md_text(tr('evidence.controls'))}: {md_text(e['controls'])})" if e["controls"] else ""))
    out += _left_out(m.evidence, "files", m.lang)
    if m.hosts.shown:
        out += ["", f"### {md_text(tr('evidence.observations'))}", ""]
        for h in m.hosts.shown:
            for o in h.observations:
                system = md_code(o.system) if o.system else f"**⚠ {md_text(tr('evidence.undeclared_host'))}**"
                facts = "; ".join(f"{md_text(k)}: {md_text(v)}" for k, v in o.facts)
                out.append(f"- {md_code(h.host + ':' + o.port)} · {system} · {facts}")
            if h.ports_left_out:
                out += _left_out(Cut(h.observations, h.ports_left_out, len(h.observations) + h.ports_left_out),
                                 "ports", m.lang)
        out += _left_out(m.hosts, "hosts", m.lang)
    if audit is not None:
        out += ["", *_follow_up_chapter(audit)]
        while out[-1] == "":
            out.pop()
    out += ["", f"## 7. {md_text(tr('sec.method.method'))}", ""]
    out += [md_text(p) + "\n" for p in m.method]
    out += [f"*{md_text(m.footer_line)}*", ""]
    return "\n".join(out)


# GitHub refuses comments longer than this many characters.
GITHUB_COMMENT_LIMIT = 65536


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    """Full detail when it fits in a pull-request comment, else the compact layout (one bullet per
    finding, no plan table). `options.extra = {"markdown": "full" | "compact"}` forces either."""
    doc = as_document(doc)
    mode = (options.extra or {}).get("markdown", "auto")
    model = build(doc, options.lang_for(doc))
    fs = first_steps(doc, model.lang)
    data = doc.to_dict()
    au = FindingExtras(data, build_audit_view(data, model.lang), model.lang)
    text = render_markdown(model, compact=mode == "compact", fs=fs, au=au)
    if mode == "auto" and len(text) > GITHUB_COMMENT_LIMIT:
        text = render_markdown(model, compact=True, fs=fs, au=au)
    return text.encode("utf-8")
