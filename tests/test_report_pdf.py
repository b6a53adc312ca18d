"""The gap report as PDF, read back: text, table of contents, page box, fonts, PDF/A attachment.

Each document is rendered once per module (WeasyPrint is the slow part); the tests then look at the
bytes with pypdfium2 (text and character boxes), pdffonts (embedding) and the PDF's own objects.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from report_fixtures import PROGRAM_NAME, pdf_texts, real_doc, sample_doc, squash

from checker.render import RenderOptions
from checker.render import pdf as pdf_render
from checker.render.json_doc import render as render_json
from checker.resources import templates_dir

MM = 72 / 25.4
SIDE_MARGIN = 17 * MM   # the page's left and right margins (report_templates/_page.css.j2)


def _render(doc: dict[str, Any], **kw: Any) -> bytes:
    return pdf_render.render(doc, RenderOptions(lang=doc["lang"], **kw))


@pytest.fixture(scope="module")
def fixture_es() -> tuple[dict[str, Any], bytes]:
    doc = sample_doc("es")
    return doc, _render(doc)


@pytest.fixture(scope="module", params=["es", "en"])
def real(request: pytest.FixtureRequest) -> tuple[dict[str, Any], bytes]:
    doc = real_doc(request.param)
    assert doc is not None, "checker.api is part of the project: the report must run on real evaluations"
    return doc, _render(doc)


def _failed_ids(doc: dict[str, Any]) -> list[str]:
    return [r["control_id"] for r in doc["results"] if r["status"] in ("fail", "partial")]


def test_real_report_holds_program_ids_and_legal_refs(real: tuple[dict[str, Any], bytes]) -> None:
    doc, data = real
    pages = pdf_texts(data)
    text = "\n".join(pages)
    flat = squash(text)
    assert PROGRAM_NAME in text.replace("\r\n", " ") or squash(PROGRAM_NAME) in flat
    assert "Público" in text and "Formación" in text and "Inteligencia" in text
    missing = [cid for cid in _failed_ids(doc) if cid not in text]
    assert not missing, f"failed controls absent from the PDF: {missing}"
    assert len(_failed_ids(doc)) > 10   # the example is poorly protected on purpose
    citations = {ref["citation"] for r in doc["results"] if r["status"] in ("fail", "partial")
                 for ref in r["legal_refs"] if ref["law"] != "POLICY"}
    absent = [c for c in citations if squash(c) not in flat]
    assert not absent, f"legal references absent from the PDF: {absent}"
    # The authority today, never the extinct one: the report's own text names the Secretaría, and
    # the only mentions of the INAI (from the catalog) say it no longer is the authority.
    oneline = text.replace("\r\n", " ")
    assert "Secretaría Anticorrupción y Buen Gobierno" in oneline
    for m in re.finditer("INAI", oneline):
        context = oneline[max(0, m.start() - 40): m.end() + 40]
        assert re.search(r"extint|ya no es|no longer|defunct|abolish", context), context


def test_real_report_speaks_its_language(real: tuple[dict[str, Any], bytes]) -> None:
    doc, data = real
    text = squash("\n".join(pdf_texts(data)))
    if doc["lang"] == "es":
        expected = ["Resumenejecutivo", "Hallazgospordominio", "Plan de remediación", "Confidencial",
                    "20denoviembrede2026", "Página2de", "Fundamentolegal", "Firmas"]
        foreign = ["Executivesummary", "Remediationplan"]
    else:
        expected = ["Executivesummary", "Findingsbydomain", "Remediationplan", "Confidential",
                    "20November2026", "Page2of", "Legalbasis", "Sign-off"]
        foreign = ["Resumenejecutivo", "Plande remediación"]
    for word in expected:
        assert squash(word) in text, word
    for word in foreign:
        assert squash(word) not in text, word


def _has_toc_title(page_text: str) -> bool:
    return any(line.strip() in ("Contenido", "Contents") for line in page_text.splitlines())


def _toc_entries(page_text: str) -> list[tuple[str, str, int]]:
    entries = []
    for line in page_text.splitlines():
        m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(.+?)\s*\.{3,}\s*(\d+)\s*$", line)
        if m:
            entries.append((m.group(1), m.group(2).strip(), int(m.group(3))))
    return entries


def test_toc_page_numbers_match_section_starts(real: tuple[dict[str, Any], bytes]) -> None:
    _, data = real
    pages = pdf_texts(data)
    # The contents may share a page with the end of "what is left to declare": find its title line.
    toc_index = next(i for i, t in enumerate(pages) if _has_toc_title(t))
    entries = _toc_entries(pages[toc_index])
    assert len(entries) >= 12, entries
    numbers = [n for n, _, _ in entries]
    assert numbers[:2] == ["1", "2"] and "8" in numbers
    last_page = 0
    for number, title, page in entries:
        heading = squash(number + title)
        assert 1 <= page <= len(pages)
        assert heading in squash(pages[page - 1]), f"{number} {title}: not on page {page}"
        # ...and that is where it starts: no earlier page after the contents has it.
        earlier = [i + 1 for i in range(toc_index + 1, page - 1) if heading in squash(pages[i])]
        assert not earlier, f"{number} {title} already on page(s) {earlier}"
        assert page >= last_page   # sections come in order
        last_page = page


def test_plan_table_repeats_its_header_on_every_page(real: tuple[dict[str, Any], bytes]) -> None:
    doc, data = real
    pages = [squash(t) for t in pdf_texts(data)]
    if doc["lang"] == "es":
        start_heading, next_heading, header = "3Plande remediación", "4Controlesque", "Plazosugerido"
    else:
        start_heading, next_heading, header = "3Remediationplan", "4Controlsthat", "Suggesteddeadline"
    toc = next(i for i, t in enumerate(pdf_texts(data)) if _has_toc_title(t))
    start = next(i for i, t in enumerate(pages) if squash(start_heading) in t and i > toc)
    end = next(i for i, t in enumerate(pages) if squash(next_heading) in t and i > start)
    assert end - start >= 2, "the AI center's plan spans several pages"
    for i in range(start, end):
        assert header in pages[i], f"page {i + 1} of the plan lacks the table header"


def test_running_header_and_page_x_of_y(fixture_es: tuple[dict[str, Any], bytes]) -> None:
    _, data = fixture_es
    pages = pdf_texts(data)
    total = len(pages)
    for i, text in enumerate(pages[1:], start=2):   # the cover has no running header
        flat = squash(text)
        assert f"Página{i}de{total}" in flat
        assert squash(PROGRAM_NAME) in flat
        assert "CONFIDENCIAL" in flat
    assert "Confidencial" in pages[0]


def test_program_name_is_read_once_per_page(real: tuple[dict[str, Any], bytes]) -> None:
    # The element that feeds the running header with the program's name is not drawn: before, its
    # clipped text made a copy from the PDF, or a screen reader, give the name twice on page 2.
    doc, data = real
    name = squash(doc["program"]["name"])
    pages = pdf_texts(data)
    assert [squash(text).count(name) for text in pages[1:]] == [1] * (len(pages) - 1)


def _char_boxes(data: bytes) -> list[tuple[int, float, float, list[tuple[float, float, float, float]]]]:
    pdf = pdfium.PdfDocument(data)
    out = []
    try:
        for n, page in enumerate(pdf):
            width, height = page.get_size()
            tp = page.get_textpage()
            # Spaces and line ends get zero-width boxes wherever the line ended; only glyphs count.
            boxes = [tp.get_charbox(i) for i in range(tp.count_chars())
                     if not tp.get_text_range(i, 1).isspace()]
            out.append((n + 1, width, height, boxes))
    finally:
        pdf.close()
    return out


@pytest.mark.parametrize("which", ["fixture", "real"])
def test_no_text_outside_the_page_or_its_side_margins(
        which: str, fixture_es: tuple[dict[str, Any], bytes], real: tuple[dict[str, Any], bytes]) -> None:
    data = fixture_es[1] if which == "fixture" else real[1]
    tol = 1.0
    for page, width, height, boxes in _char_boxes(data):
        assert boxes, f"page {page} has no text"
        for left, bottom, right, top in boxes:
            assert bottom >= 0 and top <= height, f"page {page}: text above or below the page"
            # Running text, headers and footers all live between the side margins: a glyph beyond
            # them is text that overflowed its box (a long unbreakable word, a table too wide).
            assert left >= SIDE_MARGIN - tol and right <= width - SIDE_MARGIN + tol, (
                f"page {page}: text at x={left:.1f}..{right:.1f} outside {SIDE_MARGIN:.1f}..{width - SIDE_MARGIN:.1f}")


def test_fonts_are_embedded(fixture_es: tuple[dict[str, Any], bytes], tmp_path: Path) -> None:
    assert shutil.which("pdffonts"), "poppler-utils (pdffonts) is a test dependency"
    path = tmp_path / "r.pdf"
    path.write_bytes(fixture_es[1])
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        # columns: name type encoding emb sub uni object ID (the type may be two words)
        emb = row[-5]
        assert emb == "yes", f"font not embedded: {row}"
        assert "DejaVu" in row[0], row
    names = {row[0].split("+")[-1] for row in rows}
    assert {"DejaVu-Sans", "DejaVu-Sans-Bold"} <= names


def test_letter_page_size() -> None:
    doc = sample_doc("en")
    data = pdf_render.render(doc, RenderOptions(lang="en", page_size="Letter"))
    pdf = pdfium.PdfDocument(data)
    try:
        width, height = pdf[0].get_size()
    finally:
        pdf.close()
    assert (round(width), round(height)) == (612, 792)


def test_same_inputs_same_bytes(fixture_es: tuple[dict[str, Any], bytes]) -> None:
    doc, first = fixture_es
    assert _render(doc) == first
    pdf = pdfium.PdfDocument(first)
    try:
        meta = pdf.get_metadata_dict()
    finally:
        pdf.close()
    # The dates come from the as-of date, not the clock.
    assert meta["CreationDate"].startswith("D:20261120") and meta["ModDate"].startswith("D:20261120")


def test_pdfa_carries_the_json_result_byte_for_byte() -> None:
    doc = real_doc("es")
    assert doc is not None
    options = RenderOptions(lang="es", pdf_variant="pdf/a-3b")
    data = pdf_render.render(doc, options)
    pdf = pdfium.PdfDocument(data)
    try:
        assert pdf.count_attachments() == 1
        attachment = pdf.get_attachment(0)
        assert attachment.get_name() == pdf_render.ATTACHMENT_NAME
        embedded = bytes(attachment.get_data())
    finally:
        pdf.close()
    assert embedded == render_json(doc, options)
    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(="|>)3', xmp) and re.search(r'pdfaid:conformance(="|>)B', xmp)
    filespec = root["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data"
    # Archival copies are reproducible too.
    assert pdf_render.render(doc, options) == data


def test_plain_pdf_carries_the_json_result_too(fixture_es: tuple[dict[str, Any], bytes]) -> None:
    # `resguarda verify` compares a signed report's attached result with a fresh evaluation.
    doc, data = fixture_es
    pdf = pdfium.PdfDocument(data)
    try:
        assert pdf.count_attachments() == 1
        attachment = pdf.get_attachment(0)
        assert attachment.get_name() == pdf_render.ATTACHMENT_NAME
        embedded = bytes(attachment.get_data())
    finally:
        pdf.close()
    assert embedded == render_json(doc, RenderOptions(lang="es"))


def test_render_fetches_nothing() -> None:
    fetcher = pdf_render.LockedFetcher(templates_dir())
    pdf_render.render_with(sample_doc("es"), RenderOptions(), fetcher)
    assert fetcher.calls == []


def test_unknown_variant_is_a_usage_error() -> None:
    from checker.errors import UsageError

    with pytest.raises(UsageError):
        pdf_render.render(sample_doc("es"), RenderOptions(pdf_variant="pdf/z-9"))
