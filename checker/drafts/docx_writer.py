"""A draft as an editable Word document (python-docx).

Real structure, so lawyers and administrators can work on it in Word or LibreOffice: headings with
Word's own Heading styles (numbered "1.", "1.1" in the text, so numbering survives any editor), tables
with a repeated header row, bulleted lists, and a character style for placeholders (bold on yellow)
that an editor can search for. Each section heading carries a bookmark `rg_<key>` and the document
properties carry the manifest the draft was built from, so `--check` and the tests can read it back.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from checker.drafts.model import Block, Bullets, Draft, Inline, Para, Placeholder, Table, plain
from checker.i18n import Translator

PLACEHOLDER_STYLE = "Resguarda: por completar"
BASIS_STYLE = "Resguarda: fundamento"
NOTICE_STYLE = "Resguarda: aviso de borrador"
TABLE_STYLE = "Resguarda: tabla"
# Their ids, set by us so runs and cells can name them directly.
_PLACEHOLDER_ID = "ResguardaPorCompletar"
_TABLE_ID = "ResguardaTabla"
KEYWORD = "resguarda-draft"
BOOKMARK_PREFIX = "rg_"
MANIFEST_NS = "urn:resguarda:draft"
MANIFEST_PART = "/customXml/resguarda-draft.xml"


# Characters XML 1.0 cannot hold (a YAML double-quoted "\x01" can carry them): dropped, not fatal.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(5)
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 11.5)):
        st = doc.styles[name]
        st.font.name = "Arial"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x2D, 0x3D)
    ph = doc.styles.add_style(PLACEHOLDER_STYLE, WD_STYLE_TYPE.CHARACTER)
    ph.style_id = _PLACEHOLDER_ID
    ph.font.bold = True
    ph.font.highlight_color = WD_COLOR_INDEX.YELLOW
    basis = doc.styles.add_style(BASIS_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    basis.base_style = normal
    basis.font.size = Pt(8.5)
    basis.font.italic = True
    basis.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    table = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table.style_id = _TABLE_ID
    table.base_style = normal
    table.font.size = Pt(9)
    table.paragraph_format.space_after = Pt(1)
    note = doc.styles.add_style(NOTICE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9.5)
    note.font.color.rgb = RGBColor(0x7F, 0x1D, 0x1D)


def _runs(p: Paragraph, parts: tuple[Inline, ...], prefix: str) -> None:
    for part in parts:
        if isinstance(part, Placeholder):
            text = f"[{prefix}{part.what}" + (f" — {part.why}]" if part.why else "]")
            run = p.add_run(_xml(text))
            # By id, not name: python-docx looks a name up through every style on each call.
            run._r.style = _PLACEHOLDER_ID
            # Also on the run: LibreOffice does not paint a highlight that only a character style sets.
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            run = p.add_run(_xml(part.text))
            run.bold = part.bold or None


def _bookmark(p: Paragraph, name: str, ident: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    p._p.insert(0, start)
    p._p.append(end)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cells(t: DocxTable) -> list[list[_Cell]]:
    # Straight from the XML: python-docx's `row.cells` rebuilds the whole grid on every call, which
    # made a 90-row table take seconds.
    return [[_Cell(tc, t) for tc in tr.tc_lst] for tr in t._tbl.tr_lst]


def _widths(block: Table, prefix: str, total_cm: float = 17.0) -> list[Length]:
    """Columns as wide as their text needs (within bounds): editors keep the grid we give them."""
    weights = []
    for i, head in enumerate(block.header):
        texts = [head] + [plain(row[i], prefix) for row in block.rows]
        longest = max(len(x) for x in texts)
        word = max((len(w) for x in texts for w in x.split()), default=1)
        weights.append(max(word + 3, min(longest, 40)))
    return [Cm(total_cm * w / sum(weights)) for w in weights]


def _table(doc: DocxDocument, block: Table, prefix: str) -> None:
    t = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = _widths(block, prefix)
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width   # the grid, which LibreOffice follows
    grid = _cells(t)
    for cell, text in zip(grid[0], block.header, strict=True):
        p = cell.paragraphs[0]
        p._p.style = _TABLE_ID
        p.add_run(text).bold = True
        _shade(cell, "C9D3DE")
    _repeat_header(t.rows[0])
    for cells, row in zip(grid[1:], block.rows, strict=True):
        for cell, parts in zip(cells, row, strict=True):
            p = cell.paragraphs[0]
            p._p.style = _TABLE_ID
            _runs(p, parts, prefix)
    for cells in grid:
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width   # what Word follows
    doc.add_paragraph()


def _block(doc: DocxDocument, block: Block, prefix: str) -> None:
    if isinstance(block, Para):
        style = {"note": NOTICE_STYLE, "signature": None, "checkbox": None}.get(block.style)
        p = doc.add_paragraph(style=style)
        if block.style == "checkbox":
            p.paragraph_format.left_indent = Cm(0.6)
        if block.style == "signature":
            p.paragraph_format.space_before = Pt(12)
        _runs(p, block.parts, prefix)
    elif isinstance(block, Bullets):
        for item in block.items:
            _runs(doc.add_paragraph(style="List Bullet"), item, prefix)
    else:
        _table(doc, block, prefix)


def _page_number(p: Paragraph) -> None:
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _attach_manifest(doc: DocxDocument, data: dict[str, object]) -> None:
    """The manifest as a custom XML part (the place OOXML gives tools for their own data; Word keeps
    it, and the core properties' 255-character fields are too small)."""
    root = etree.Element(f"{{{MANIFEST_NS}}}draft")
    root.text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI(MANIFEST_PART), "application/xml", blob, doc.part.package)
    doc.part.relate_to(part, RT.CUSTOM_XML)


def render_docx(draft: Draft) -> bytes:
    tr = Translator("drafts", draft.lang)
    prefix = tr("placeholder.prefix")
    m = draft.meta
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(27.94), Cm(21.59)   # carta, the Mexican office size
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2.0)
    footer = section.footer.paragraphs[0]
    footer.add_run(tr("meta.footer", catalog=f"{m.catalog_id} {m.catalog_version}", date=m.date_text)
                   + f" · {tr('meta.page')} ").font.size = Pt(8)
    _page_number(footer)

    doc.add_paragraph(draft.title, style="Title")
    doc.add_paragraph(_xml(draft.subtitle)).runs[0].bold = True
    for text in draft.notice:
        doc.add_paragraph(text, style=NOTICE_STYLE)
    rows = ((tr("meta.program"), m.program), (tr("meta.operator"), m.operator), (tr("meta.law"), m.law_name),
            (tr("meta.catalog"), f"{m.catalog_id} {m.catalog_version}"), (tr("meta.declaration"), m.declaration),
            (tr("meta.sha"), m.declaration_sha256), (tr("meta.date"), m.date_text))
    t = doc.add_table(rows=0, cols=2)
    t.style = doc.styles["Table Grid"]
    for label, value in rows:
        cells = t.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(_xml(value)).font.size = Pt(8.5 if label == tr("meta.sha") else 10)
    doc.add_paragraph()

    for ident, (number, s) in enumerate(draft.walk(), 1):
        level = number.count(".") + 1
        h = doc.add_heading(f"{number}. {s.heading}", level=min(level, 3))
        _bookmark(h, BOOKMARK_PREFIX + s.key, ident)
        h.paragraph_format.keep_with_next = True
        if s.basis:
            basis = doc.add_paragraph(f"{tr('meta.basis')}: {s.basis}", style=BASIS_STYLE)
            basis.paragraph_format.keep_with_next = True   # a heading never ends a page alone
        for block in s.blocks:
            _block(doc, block, prefix)

    props = doc.core_properties
    props.title = _xml(f"{draft.title} · {m.program}")[:255]   # core properties hold 255 characters
    props.subject = draft.kind
    props.keywords = KEYWORD
    props.author = "Resguarda"
    props.language = "es-MX" if draft.lang == "es" else "en"
    when = datetime.fromisoformat(m.date).replace(tzinfo=UTC)
    props.created = props.modified = when
    props.comments = f"{draft.kind} · {m.catalog_id} {m.catalog_version} · {m.date}"
    _attach_manifest(doc, {"kind": draft.kind, "law": m.law, "catalog": f"{m.catalog_id} {m.catalog_version}",
                           "declaration_sha256": m.declaration_sha256, "date": m.date, "manifest": draft.manifest})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
