"""The procurement questionnaire: one plain-language question per applicable control of a profile,
with the evidence to attach and room to answer, grouped by domain; as PDF, Markdown and CSV."""

from __future__ import annotations

import csv
import io
import re

import pypdfium2 as pdfium
import pytest
from report_fixtures import pdf_texts, squash
from test_report_md import github

from checker.catalog import PROFILES, Catalog, load_catalog
from checker.checklist import _cell, build_checklist, render_checklist
from checker.errors import UsageError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _applicable(catalog: Catalog, profile: str) -> list[str]:
    return [c.id for c in catalog.select(profile) if not c.deprecated]


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_csv_one_row_per_applicable_control(catalog: Catalog, profile: str, lang: str) -> None:
    data = render_checklist(catalog, profile, "csv", lang)
    assert data.startswith("\ufeff".encode())   # Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == ("Número" if lang == "es" else "Number")
    assert all(len(r) == len(header) for r in body)
    ids = [r[2] for r in body]
    assert sorted(ids) == sorted(_applicable(catalog, profile))
    # Questions in plain language, evidence to attach, the kind of answer, empty answer columns.
    for row in body:
        assert row[4].strip() and row[5].strip() and row[7].strip()
        assert row[8:] == ["", "", ""]
    kinds = {r[2]: r[7] for r in body}
    if profile == "vendor":
        assert ("cada cuánto" if lang == "es" else "how often") in kinds["GOV-05"]   # "¿Cuándo…?" is not yes/no
        assert "☐" in kinds["ENC-01"] and ("Parcialmente" not in kinds["ENC-01"])
    # Grouped by domain: each domain's rows are contiguous.
    domains = [r[1] for r in body]
    seen: list[str] = []
    for d in domains:
        if not seen or seen[-1] != d:
            assert d not in seen, f"domain {d} split"
            seen.append(d)


def test_questions_use_the_catalog_question_text(catalog: Catalog) -> None:
    cl = build_checklist(catalog, "vendor", "es")
    by_id = {q.control_id: q for s in cl.sections for q in s.questions}
    for control in catalog.select("vendor"):
        if control.question is not None and not control.deprecated:
            assert by_id[control.id].text == control.question.es
    en = build_checklist(catalog, "vendor", "en")
    assert en.sections[0].questions[0].text != cl.sections[0].questions[0].text


def test_vendor_sees_legal_refs_of_both_sectors(catalog: Catalog) -> None:
    public = {q.control_id: q.legal for s in build_checklist(catalog, "public-education", "es").sections
              for q in s.questions}
    assert any("LGPDPPSO" in legal for legal in public.values())
    vendor = " ".join(q.legal for s in build_checklist(catalog, "vendor", "es").sections for q in s.questions)
    assert "LGPDPPSO" in vendor and "LFPDPPP" in vendor
    private = [q.legal for s in build_checklist(catalog, "private-school", "es").sections for q in s.questions]
    assert not any("LGPDPPSO" in legal and "LFPDPPP" not in legal and "RLFPDPPP" not in legal
                   for legal in private if legal)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_markdown(catalog: Catalog, lang: str) -> None:
    text = render_checklist(catalog, "vendor", "md", lang).decode()
    html = github(text)
    ids = _applicable(catalog, "vendor")
    assert all(f"<code>{cid}</code>" in html for cid in ids)
    # Typed answers, not Sí/Parcialmente/No boxes for every question.
    assert "Parcialmente" not in html and "Partially" not in html
    assert ("cada cuánto" if lang == "es" else "how often") in html
    assert ("72 horas" if lang == "es" else "72 hours") in html
    assert len(re.findall(r"<h3>", html)) == len(ids)
    title = "Cuestionario de protección de datos para proveedores" if lang == "es" else \
        "Data protection questionnaire for vendors"
    assert f"<h1>{title}</h1>" in html


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf(catalog: Catalog, lang: str) -> None:
    data = render_checklist(catalog, "vendor", "pdf", lang)
    pages = pdf_texts(data)
    flat = squash("\n".join(pages))
    cl = build_checklist(catalog, "vendor", lang)
    for section in cl.sections:
        assert squash(section.label) in flat
        for q in section.questions:
            assert q.control_id in flat
            assert squash(q.text.replace("`", ""))[:60] in flat   # `code` is set as code, without ticks
    word = "Página" if lang == "es" else "Page"
    assert squash(f"{word} 1 {'de' if lang == 'es' else 'of'} {len(pages)}") in flat
    pdf = pdfium.PdfDocument(data)
    try:
        assert pdf.count_attachments() == 0
    finally:
        pdf.close()
    assert render_checklist(catalog, "vendor", "pdf", lang) == data   # reproducible


def test_bad_profile_or_format(catalog: Catalog) -> None:
    with pytest.raises(UsageError):
        render_checklist(catalog, "nope", "md", "es")
    with pytest.raises(UsageError):
        render_checklist(catalog, "vendor", "docx", "es")


def test_csv_cells_cannot_become_formulas() -> None:
    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("+1") == "'+1" and _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("¿Quién?") == "¿Quién?"
