"""The procurement questionnaire: the controls of a profile as plain-language questions a buyer sends
to a vendor, with the evidence to attach and room for the answer, grouped by domain.

`render_checklist(catalog, profile, fmt, lang)` writes it as Markdown or CSV here, and as the typed,
answerable questionnaire (XLSX, fillable PDF) through `checker/procurement`. The text comes
from the catalog (its `question`, else the control's statement) and from `checklist.<lang>.json`;
the catalog is our own data, but it is escaped like anything else. A vendor's answers are a
declaration, so the same evaluation scores them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from checker import __version__
from checker.catalog import Catalog, Control
from checker.errors import UsageError
from checker.i18n import Translator, format_date
from checker.vocabulary import SEVERITY_RANK, domain_word, severity_word

FORMATS = ("pdf", "md", "csv", "xlsx")
# Which legal references a questionnaire cites: public bodies the LGPDPPSO, private ones the LFPDPPP;
# a vendor may serve either, so it sees both.
_REF_SCOPE = {"public-education": ("public", "all"), "private-school": ("private", "all"),
              "vendor": ("public", "private", "all")}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Question:
    number: str
    control_id: str
    severity: str
    severity_label: str
    text: str
    evidence: str
    legal: str
    answers: tuple[str, ...] = ()   # what to write, one line per field (typed: "Sí / No", a date, "72 horas")


@dataclass(frozen=True)
class Section:
    number: int
    domain: str
    label: str
    anchor: str
    questions: list[Question]


@dataclass(frozen=True)
class Checklist:
    lang: str
    profile: str
    title: str
    subtitle: str
    scope: str
    footer: str
    count: str
    published: date
    sections: list[Section]


def _legal(control: Control, profile: str, lang: str) -> str:
    scope = _REF_SCOPE.get(profile, ("public", "private", "all"))
    return " · ".join(ref.citation(lang) for ref in control.legal_refs if ref.applies_to in scope)


def build_checklist(catalog: Catalog, profile: str, lang: str) -> Checklist:
    if profile not in catalog.index.profiles:
        raise UsageError(f"unknown profile {profile!r}; the catalog has: {', '.join(catalog.index.profiles)}")
    tr = Translator("checklist", lang)
    lang = tr.lang
    controls = [c for c in catalog.select(profile) if not c.deprecated]
    from checker.procurement.questions import answer_lines

    typed = answer_lines(catalog, profile, lang)
    domains: dict[str, list[Control]] = {}
    for c in controls:   # catalog order of domains; most severe first inside each
        domains.setdefault(c.domain, []).append(c)
    sections = []
    for i, (domain, items) in enumerate(domains.items(), 1):
        items = sorted(items, key=lambda c: SEVERITY_RANK[c.severity])   # stable: catalog order within
        questions = [Question(
            number=f"{i}.{j}", control_id=c.id, severity=c.severity,
            severity_label=severity_word(c.severity, lang),
            text=c.question.get(lang) if c.question else tr("question_fallback", statement=c.statement.get(lang)),
            evidence=c.evidence.get(lang), legal=_legal(c, profile, lang), answers=typed.get(c.id, ()),
        ) for j, c in enumerate(items, 1)]
        sections.append(Section(number=i, domain=domain, label=domain_word(domain, lang),
                                anchor=f"q-{i}", questions=questions))
    index = catalog.index
    return Checklist(
        lang=lang, profile=profile, title=tr(f"title.{profile}"),
        subtitle=tr("subtitle", catalog=index.id, version=index.version,
                    date=format_date(index.publication_date, lang), profile=profile),
        scope=index.profiles[profile].get(lang),
        footer=tr("footer_line", version=__version__, catalog=index.id, catalog_version=index.version,
                  profile=profile),
        count=tr("questions_count", n=len(controls), d=len(sections)),
        published=index.publication_date, sections=sections,
    )


# -- CSV -------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    # CSV injection: spreadsheets run a cell that starts like a formula; an apostrophe makes it text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(cl: Checklist) -> bytes:
    tr = Translator("checklist", cl.lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([tr(f"csv.{k}") for k in ("number", "domain", "control_id", "severity", "question",
                                               "evidence", "legal", "answer_type", "answer", "explanation",
                                               "evidence_file")])
    for s in cl.sections:
        for q in s.questions:
            writer.writerow([_cell(x) for x in (q.number, s.label, q.control_id, q.severity_label, q.text,
                                                 q.evidence, q.legal, " | ".join(q.answers), "", "", "")])
    # A byte-order mark so Excel opens it as UTF-8 (as the results CSV does).
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# -- Markdown --------------------------------------------------------------------------------
def render_md(cl: Checklist) -> bytes:
    from checker.render.markdown import md_code, md_text, md_ticks

    tr = Translator("checklist", cl.lang)
    out = [f"# {md_text(cl.title)}", "", f"*{md_text(cl.subtitle)}*", "",
           f"## {md_text(tr('profile_heading'))}", "", md_text(cl.scope), "", f"*{md_text(cl.count)}*", "",
           f"## {md_text(tr('instructions_heading'))}", ""]
    out += [md_text(tr(f"instructions.p{i}")) + "\n" for i in (1, 2, 3)]
    out += [f"## {md_text(tr('respondent_heading'))}", "", "| | |", "|---|---|"]
    out += [f"| {md_text(tr('respondent.' + k))} | |" for k in ("company", "service", "contact", "email",
                                                                  "date", "signature")]
    out.append("")
    for s in cl.sections:
        out += [f"## {s.number}. {md_text(s.label)}", ""]
        for q in s.questions:
            out += [f"### {q.number} {md_text(q.text)}", "",
                    f"{md_code(q.control_id)} · **{md_text(q.severity_label)}**"
                    + (f" · {md_text(tr('legal'))}: {md_text(q.legal)}" if q.legal else ""), "",
                    f"**{md_text(tr('evidence'))}:** {md_ticks(q.evidence)}", "",
                    *[f"- {md_ticks(a)}" for a in q.answers], "",
                    tr("md.explanation_line"), "", tr("md.evidence_file_line"), "",
                    "---", ""]
    out.append(f"*{md_text(cl.footer)}*")
    return ("\n".join(out) + "\n").encode("utf-8")


def render_checklist(catalog: Catalog, profile: str, fmt: str, lang: str) -> bytes:
    """The questionnaire of `profile` as `fmt`: typed and answerable as xlsx or (fillable) pdf; md, csv."""
    if fmt not in FORMATS:
        raise UsageError(f"the checklist is written as {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "xlsx":   # the typed questionnaires live in checker/procurement
        from checker.procurement.workbook import write_xlsx

        return write_xlsx(catalog, profile, lang)
    if fmt == "pdf":   # the fillable form: typed answer fields the import reads back
        from checker.procurement.pdfform import write_pdf_form

        return write_pdf_form(catalog, profile, lang)
    cl = build_checklist(catalog, profile, lang)
    if fmt == "csv":
        return render_csv(cl)
    return render_md(cl)
