"""The questionnaire as a spreadsheet (openpyxl), and reading a filled one back.

Sheets: instructions; the vendor's service, systems and data; the questions grouped by domain (each
answer cell with its data validation: lists, dates, numbers; per-item questions as tables with one
row per item the vendor listed); the lists the validations use (hidden); and a hidden, protected
mapping sheet (cell -> question -> declaration path, with the catalog version and checksums) that the
import checks before it trusts any cell. The layout is a pure function of the catalog, profile and
language, so the import rebuilds it and compares instead of believing what the file says.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__
from checker.catalog import Catalog
from checker.errors import InputError
from checker.i18n import Translator
from checker.neutral import terminal
from checker.problems import count_text
from checker.procurement.answers import Cell, Problem
from checker.procurement.questions import AnswerField, Questionnaire, build_questionnaire, layout_checksum
from checker.procurement.words import value_label

MAP_SHEET = "_resguarda"
FORMAT = "resguarda-questionnaire-1"
ANSWER_COLS = ("D", "E", "F", "G", "H", "I")
_MAX_BYTES = 20 * 1024 * 1024
_MAX_UNPACKED = 200 * 1024 * 1024


@dataclass
class Layout:
    """Where each answer goes, as rows of the questionnaire sheets; built the same way on both ends."""

    q: Questionnaire
    sheets: dict[str, str]
    cells: list[Cell] = field(default_factory=list)
    # sheet -> rows of (column -> value or callable-free description); written by `write_xlsx`
    vendor_rows: list[list[tuple[str, Any, str]]] = field(default_factory=list)
    question_rows: list[list[tuple[str, Any, str]]] = field(default_factory=list)
    identity_cells: dict[tuple[str, int], str] = field(default_factory=dict)   # (list, row) -> vendor cell

    def map_rows(self) -> list[list[str]]:
        return [[c.key, c.question.split(" ", 1)[0] if c.control_id else "", c.control_id, c.field.path,
                 c.part, "" if c.slot is None else str(c.slot)] for c in self.cells]


def _sheet_names(lang: str) -> dict[str, str]:
    tr = Translator("procurement", lang)
    return {k: tr(f"sheet.{k}") for k in ("instructions", "vendor", "questions", "lists")}


def _answer_parts(f: AnswerField, lang: str) -> list[tuple[str, str]]:
    """The cells one field takes, with their column headings: recurring work takes two."""
    tr = Translator("procurement", lang)
    if f.kind == "recurring":
        return [("every", f"{f.label} · {tr('part.every')}"), ("last_done", f"{f.label} · {tr('part.last_done')}")]
    return [("", f.label)]


def build_layout(q: Questionnaire) -> Layout:
    lang = q.lang
    tr = Translator("procurement", lang)
    names = _sheet_names(lang)
    lay = Layout(q, names)
    vendor, questions = names["vendor"], names["questions"]
    rows = lay.vendor_rows
    rows.append([("A", tr("vendor.title"), "title")])
    rows.append([("A", tr("vendor.intro"), "note")])
    rows.append([])
    rows.append([("A", tr("vendor.program_heading"), "heading")])
    for f in q.program:
        r = len(rows) + 1
        rows.append([("A", f.label, "label"), ("B", "", "answer")])
        lay.cells.append(Cell(f"{vendor}!B{r}", f, question=f.label))
    for coll in q.collections:
        rows.append([])
        rows.append([("A", coll.label, "heading")])
        rows.append([("A", tr(f"collection_help.{coll.key}"), "note")])
        if coll.key in q.presence:
            r = len(rows) + 1
            presence = AnswerField(coll.key, None, coll.key, "yesno", (), tr(f"presence.{coll.key}"))
            rows.append([("A", presence.label, "label"), ("B", "", "answer")])
            lay.cells.append(Cell(f"{vendor}!B{r}", presence, "presence", question=presence.label))
        header = [("A", "#", "header")]
        for i, col in enumerate(coll.columns):
            header.append((chr(ord("B") + i), col.label, "header"))
        rows.append(header)
        for slot in range(coll.slots):
            r = len(rows) + 1
            row: list[tuple[str, Any, str]] = [("A", slot + 1, "label")]
            for i, col in enumerate(coll.columns):
                letter = chr(ord("B") + i)
                row.append((letter, "", "answer"))
                lay.cells.append(Cell(f"{vendor}!{letter}{r}", col, slot=slot,
                                      question=f"{coll.label} {slot + 1} · {col.label}"))
                if i == 0:
                    lay.identity_cells[(coll.key, slot)] = f"B{r}"
            rows.append(row)

    qrows = lay.question_rows
    qrows.append([("A", tr("questions.title"), "title")])
    qrows.append([("A", tr("questions.intro"), "note")])
    head = [("A", tr("col.number"), "header"), ("B", tr("col.question"), "header"), ("C", tr("col.item"), "header"),
            ("D", tr("col.answers"), "header"), ("J", tr("col.control"), "header"),
            ("K", tr("col.severity"), "header"), ("L", tr("col.evidence"), "header"), ("M", tr("col.legal"), "header")]
    qrows.append(head)
    domain = None
    for question in q.questions:
        if question.domain != domain:
            domain = question.domain
            qrows.append([("A", question.domain_label, "domain")])
        title = f"{question.number} {question.text}"
        qrows.append([("A", question.number, "qnum"), ("B", question.text, "question"),
                      ("J", question.control_id, "meta"), ("K", question.severity_label, "meta"),
                      ("L", question.evidence, "meta"), ("M", question.legal, "meta")])
        if question.scan_only:
            qrows.append([("B", tr("questions.scan_only"), "note")])
        if question.asked_in:
            qrows.append([("B", tr("questions.asked_in", numbers=", ".join(question.asked_in)), "note")])
        if not question.fields and not question.scan_only and not question.asked_in:
            qrows.append([("B", tr("questions.vendor_sheet"), "note")])
        blocks: dict[str | None, list[AnswerField]] = {}
        for f in question.fields:
            blocks.setdefault(f.collection, []).append(f)
        for coll_key, fields in blocks.items():
            parts = [(f, part, label) for f in fields for part, label in _answer_parts(f, lang)]
            header = [("C", q.collection(coll_key).label if coll_key else "", "subheader")]
            header += [(ANSWER_COLS[i], label, "subheader") for i, (_, _, label) in enumerate(parts)]
            qrows.append(header)
            slots: list[int | None] = [None] if coll_key is None else list(range(q.collection(coll_key).slots))
            for item_slot in slots:
                r = len(qrows) + 1
                cells_row: list[tuple[str, Any, str]] = []
                if coll_key is not None and item_slot is not None:
                    ref = f"'{vendor}'!{lay.identity_cells[(coll_key, item_slot)]}"
                    cells_row.append(("C", f'=IF({ref}="","",{ref})', "item"))
                for i, (f, part, _) in enumerate(parts):
                    cells_row.append((ANSWER_COLS[i], "", "answer"))
                    lay.cells.append(Cell(f"{questions}!{ANSWER_COLS[i]}{r}", f, part, item_slot, title,
                                          question.control_id))
                qrows.append(cells_row)
        qrows.append([])
    return lay


# -- writing -------------------------------------------------------------------------------------
def write_xlsx(catalog: Catalog, profile: str, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    q = build_questionnaire(catalog, profile, lang)
    lay = build_layout(q)
    tr = Translator("procurement", q.lang)
    ck = Translator("checklist", q.lang)
    wb = Workbook()
    ins = wb.active
    assert ins is not None
    ins.title = lay.sheets["instructions"]
    vendor = wb.create_sheet(lay.sheets["vendor"])
    qs = wb.create_sheet(lay.sheets["questions"])
    lists = wb.create_sheet(lay.sheets["lists"])
    mapping = wb.create_sheet(MAP_SHEET)

    wrap = Alignment(wrap_text=True, vertical="top")
    styles: dict[str, dict[str, Any]] = {
        "title": {"font": Font(bold=True, size=14, color="1F3A5F")},
        "heading": {"font": Font(bold=True, size=12, color="1F3A5F")},
        "domain": {"font": Font(bold=True, size=12, color="FFFFFF"), "fill": PatternFill("solid", fgColor="1F3A5F")},
        "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor="D9E2F3"), "alignment": wrap},
        "subheader": {"font": Font(italic=True, size=9), "fill": PatternFill("solid", fgColor="EEF2F8"),
                      "alignment": wrap},
        "question": {"font": Font(bold=True), "alignment": wrap},
        "qnum": {"font": Font(bold=True), "alignment": wrap},
        "meta": {"font": Font(size=9), "alignment": wrap},
        "note": {"font": Font(italic=True, size=9, color="555555")},
        "label": {"alignment": wrap},
        "item": {"font": Font(size=9, color="333333")},
        "answer": {"fill": PatternFill("solid", fgColor="FFF8DC"), "protection": Protection(locked=False),
                   "alignment": wrap},
    }

    def put(ws: Any, rows: list[list[tuple[str, Any, str]]], widths: dict[str, int]) -> None:
        for col, w in widths.items():
            ws.column_dimensions[col].width = w
        for r, row in enumerate(rows, 1):
            lines = 1
            for col, value, style in row:
                cell = ws[f"{col}{r}"]
                if value != "":
                    cell.value = value
                for attr, v in styles.get(style, {}).items():
                    setattr(cell, attr, v)
                if style == "domain":   # the band runs across the sheet
                    for c in "BCDEFGHIJKLM":
                        ws[f"{c}{r}"].fill = styles["domain"]["fill"]
                if isinstance(value, str) and style not in ("note", "title", "heading", "domain", "item") and value:
                    # Neither Excel nor LibreOffice grows a row for wrapped text it did not lay out itself.
                    per_line = max(widths.get(col, 10) - 1, 6)
                    lines = max(lines, -(-len(value) // per_line))
            if lines > 1:
                ws.row_dimensions[r].height = 12.5 * min(lines, 12)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    # Instructions
    info = [(tr("instructions.title"), "title"),
            (ck("subtitle", catalog=q.catalog_id, version=q.catalog_version,
                date=catalog.index.publication_date.isoformat(),
                profile=q.profile), "note"), ("", "")]
    info += [(tr(f"instructions.p{i}"), "label") for i in range(1, 8)]
    put(ins, [[("A", text, "label" if style == "label" else style)] for text, style in info], {"A": 90})

    put(vendor, lay.vendor_rows, {"A": 34, "B": 26, "C": 26, "D": 26, "E": 26, "F": 26})
    put(qs, lay.question_rows, {"A": 7, "B": 58, "C": 20, "J": 9, "K": 10, "L": 38, "M": 24}
        | {col: 20 for col in ANSWER_COLS})
    qs.freeze_panes = "A4"

    # Lists for the validations, one column each.
    list_ranges: dict[str, str] = {}
    yes, no = tr("answer.yes"), tr("answer.no")

    def list_range(name: str, labels: list[str]) -> str:
        if name not in list_ranges:
            col = len(list_ranges) + 1
            letter = lists.cell(row=1, column=col).column_letter
            for i, label in enumerate(labels, 1):
                lists.cell(row=i, column=col, value=label)
            list_ranges[name] = f"'{lay.sheets['lists']}'!${letter}$1:${letter}${len(labels)}"
        return list_ranges[name]

    validations: dict[str, DataValidation] = {}

    def validation(key: str, **kw: Any) -> DataValidation:
        if key not in validations:
            validations[key] = DataValidation(allow_blank=True, **kw)
        return validations[key]

    systems_range = None
    for coll in q.collections:
        if coll.key == "systems":
            first, last = lay.identity_cells[("systems", 0)], lay.identity_cells[("systems", coll.slots - 1)]
            systems_range = f"'{lay.sheets['vendor']}'!${first[0]}${first[1:]}:${last[0]}${last[1:]}"

    for cell in lay.cells:
        f = cell.field
        ref = cell.key.split("!", 1)[1]
        sheet = vendor if cell.key.startswith(lay.sheets["vendor"] + "!") else qs
        kind = "yesno" if cell.part == "presence" else f.kind
        prompt_key = kind if not cell.part or cell.part == "presence" else cell.part
        prompt_title, prompt = f.label[:32], tr(f"prompt.{prompt_key}")
        if kind == "yesno":
            dv = validation(f"{sheet.title}:yesno",
                type="list", formula1=list_range("yesno", [yes, no]), showErrorMessage=True,
                errorTitle=tr("validation.title"), error=tr("validation.yesno", yes=yes, no=no))
        elif kind == "choice":
            labels = [value_label(f.path, v, q.lang) for v in f.choices]
            dv = validation(f"{sheet.title}:{f.path}",
                type="list", formula1=list_range(f.path, labels), showErrorMessage=True,
                errorTitle=tr("validation.title"), error=tr("validation.choice"))
        elif cell.part == "last_done" or kind == "date":
            dv = validation(f"{sheet.title}:date",
                type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2100,12,31)",
                showErrorMessage=True, errorTitle=tr("validation.title"), error=tr("validation.date"))
            sheet[ref].number_format = "yyyy-mm-dd"
        elif kind == "number":
            dv = validation(f"{sheet.title}:number",
                type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                errorTitle=tr("validation.title"), error=tr("validation.number"))
        elif cell.part == "every":
            dv = validation(f"{sheet.title}:every",
                type="list", formula1=list_range("every", tr("suggest.every").split(";")),
                showErrorMessage=False)
        elif kind == "ref" and systems_range:
            dv = validation(f"{sheet.title}:ref",
                type="list", formula1=systems_range, showErrorMessage=True, errorTitle=tr("validation.title"),
                error=tr("validation.ref"))
        else:
            dv = validation(f"{sheet.title}:free:{kind}:{f.path}", showErrorMessage=False)
        if kind in ("multi",):
            prompt = tr("prompt.multi", options=", ".join(value_label(f.path, v, q.lang) for v in f.choices))
        dv.promptTitle = prompt_title
        dv.prompt = prompt[:255]
        dv.showInputMessage = True
        dv.add(ref)
    for key, dv in validations.items():
        (vendor if key.startswith(lay.sheets["vendor"] + ":") else qs).add_data_validation(dv)

    # The mapping sheet: what the import checks.
    meta = [("format", FORMAT), ("catalog_id", q.catalog_id), ("catalog_version", q.catalog_version),
            ("catalog_sha256", q.catalog_sha256), ("profile", q.profile), ("lang", q.lang),
            ("generator", f"resguarda {__version__}")]
    rows = lay.map_rows()
    meta.append(("layout_sha256", layout_checksum(rows)))
    for r, (k, v) in enumerate(meta, 1):
        mapping.cell(row=r, column=1, value=k)
        mapping.cell(row=r, column=2, value=v)
    start = len(meta) + 2
    for r, row in enumerate(rows, start):
        for c, value in enumerate(row, 1):
            mapping.cell(row=r, column=c, value=value)
    mapping.sheet_state = "hidden"
    lists.sheet_state = "hidden"
    for ws in (vendor, qs, mapping, lists, ins):
        ws.protection.sheet = True
        ws.protection.formatColumns = False   # widening a column stays allowed
        ws.protection.formatRows = False
    wb.security = WorkbookProtection(lockStructure=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading -------------------------------------------------------------------------------------
@dataclass
class Read:
    q: Questionnaire
    cells: list[Cell]
    values: dict[str, Any]
    where: dict[str, str]


def _refuse(path: Path, lang: str, key: str, hint: str, **values: Any) -> InputError:
    tr = Translator("procurement", lang)
    return InputError(str(path), tr(key, **values), hint=tr(hint, **values))


def read_xlsx(path: Path, catalog: Catalog, lang: str) -> Read:
    """The answers of a filled questionnaire, after checking it is ours, of this catalog, unmodified."""
    import openpyxl

    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise _refuse(path, lang, "import.too_big", "import.too_big.hint", mb=_MAX_BYTES // 2**20)
        with zipfile.ZipFile(path) as z:   # a zip bomb is refused before openpyxl unpacks it
            if sum(i.file_size for i in z.infolist()) > _MAX_UNPACKED:
                raise _refuse(path, lang, "import.too_big", "import.too_big.hint", mb=_MAX_UNPACKED // 2**20)
        wb = openpyxl.load_workbook(path, data_only=True)
    except InputError:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError):
        # What broke inside the archive is no help to the person who saved it: damaged or not a workbook.
        raise _refuse(path, lang, "import.not_xlsx", "import.not_xlsx.hint") from None
    if MAP_SHEET not in wb.sheetnames:
        raise _refuse(path, lang, "import.no_map", "import.no_map.hint")
    ws = wb[MAP_SHEET]
    meta: dict[str, str] = {}
    r = 1
    while r < 20:
        k = ws.cell(row=r, column=1).value
        if k is None:
            break
        meta[str(k)] = str(ws.cell(row=r, column=2).value or "")
        r += 1
    if meta.get("format") != FORMAT:
        raise _refuse(path, lang, "import.no_map", "import.no_map.hint")
    lang_q = meta.get("lang", "es")
    check_catalog(path, meta, catalog, lang)
    profile = meta.get("profile", "")
    if profile not in catalog.index.profiles:
        raise _refuse(path, lang, "import.map_modified", "import.map_modified.hint", cell=f"{MAP_SHEET}!B5")
    q = build_questionnaire(catalog, profile, lang_q)
    lay = build_layout(q)
    expected = lay.map_rows()
    start = r + 1
    for i, row in enumerate(expected):
        cells = [ws.cell(row=start + i, column=c + 1).value for c in range(len(row))]
        got = ["" if v is None else str(v) for v in cells]
        if got != row:
            raise _refuse(path, lang, "import.map_modified", "import.map_modified.hint",
                          cell=f"{MAP_SHEET}!A{start + i}")
    if ws.cell(row=start + len(expected), column=1).value not in (None, ""):
        raise _refuse(path, lang, "import.map_modified", "import.map_modified.hint",
                      cell=f"{MAP_SHEET}!A{start + len(expected)}")
    if meta.get("layout_sha256") != layout_checksum(expected):
        raise _refuse(path, lang, "import.map_modified", "import.map_modified.hint", cell=f"{MAP_SHEET}!B8")
    values: dict[str, Any] = {}
    for cell in lay.cells:
        sheet, ref = cell.key.split("!", 1)
        if sheet not in wb.sheetnames:
            raise _refuse(path, lang, "import.map_modified", "import.map_modified.hint", cell=sheet)
        values[cell.key] = wb[sheet][ref].value
    return Read(q, lay.cells, values, {c.key: c.key for c in lay.cells})


def check_catalog(path: Path, meta: dict[str, str], catalog: Catalog, lang: str) -> None:
    """A questionnaire of another catalog asks other questions: refused, with the reason."""
    if meta.get("catalog_id") != catalog.index.id or meta.get("catalog_version") != catalog.index.version:
        raise _refuse(path, lang, "import.other_catalog", "import.other_catalog.hint",
                      theirs=f"{meta.get('catalog_id')} {meta.get('catalog_version')}",
                      ours=f"{catalog.index.id} {catalog.index.version}")
    if meta.get("catalog_sha256") != catalog.sha256:
        raise _refuse(path, lang, "import.changed_catalog", "import.changed_catalog.hint",
                      version=catalog.index.version)


class AnswerProblems(InputError):
    """The answers to correct, each on its own line (a message's own line breaks are neutralised, so the
    list cannot be one message)."""

    def __init__(self, path: Path, header: str, items: list[str], hint: str) -> None:
        super().__init__(str(path), header, hint=hint)
        self.items = items

    def __str__(self) -> str:
        head, _, hint = super().__str__().partition("\n")
        return "\n".join([head, *(f"  - {terminal(item)}" for item in self.items), hint])


def problems_error(path: Path, problems: list[Problem], lang: str) -> InputError:
    """All the problems at once, one per line, each with its place, question and fix."""
    tr = Translator("procurement", lang)
    return AnswerProblems(path, count_text("procurement", lang, "import.problems", len(problems)),
                          [p.text(lang) for p in problems], tr("import.problems.hint"))
