"""The comparison of bidders as JSON, Markdown, HTML, PDF or XLSX.

JSON lists the bidders in rank order (`name, path, coverage, score, knocked_out, rank, reasons`, then
the clauses and conditions), then the matrix. The other formats show the ranking, the matrix control x
bidder grouped as compared / offer-specific / verify before signing, and each bidder's clauses.
Bidder names come from the declarations: escaped in every sink (HTML autoescape, Markdown escaping,
spreadsheet cells that cannot start a formula).
"""

from __future__ import annotations

import io
from typing import Any

import orjson
from markupsafe import Markup

from checker import __version__
from checker.i18n import Translator, format_percent
from checker.procurement.compare import COMPARED, NOT_APPLICABLE, OFFER, SCAN, Comparison
from checker.procurement.vocab import severity_word, status_word

FORMATS = ("json", "md", "html", "pdf", "xlsx")
GROUPS = (COMPARED, OFFER, SCAN, NOT_APPLICABLE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_dict(cmp: Comparison) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "tool": {"name": "resguarda", "version": __version__},
        "catalog": {"id": cmp.catalog_id, "version": cmp.catalog_version},
        "profile": cmp.profile,
        "lang": cmp.lang,
        "knockout": cmp.knockout,
        "require": cmp.require,
        "compared_controls": cmp.compared,
        "bidders": [{"name": b.name, "path": b.path, "coverage": b.coverage, "score": b.score,
                     "knocked_out": b.knocked_out, "rank": b.rank, "reasons": b.reasons,
                     "counts": b.counts, "conditions": b.conditions,
                     "clauses": [{"control_id": cid, "text": text} for cid, text in b.clauses]}
                    for b in cmp.bidders],
        "matrix": [{"control_id": r.control_id, "domain": r.domain, "severity": r.severity, "title": r.title,
                    "group": r.group, "statuses": {b.name: st for b, st in zip(cmp.bidders, r.statuses, strict=True)}}
                   for r in cmp.rows],
    }


def render_json(cmp: Comparison) -> bytes:
    return orjson.dumps(to_dict(cmp), option=orjson.OPT_INDENT_2) + b"\n"


def _status_word(status: str, group: str, tr: Translator) -> str:
    if group == SCAN and status not in ("pass", "not_applicable", "fail"):
        return tr("compare.verify")
    return status_word(status, tr.lang)


def render_md(cmp: Comparison) -> bytes:
    from checker.render.markdown import md_text

    tr = Translator("procurement", cmp.lang)
    out = [f"# {md_text(tr('compare.title'))}", "",
           "*" + md_text(tr("compare.subtitle", catalog=cmp.catalog_id, version=cmp.catalog_version,
                            profile=cmp.profile, n=cmp.compared)) + "*",
           "", f"## {md_text(tr('compare.ranking'))}", "",
           "| # | " + " | ".join(md_text(tr(f"compare.col.{k}"))
                                  for k in ("bidder", "score", "coverage", "knocked_out")) + " |",
           "|---|---|---|---|---|"]
    for b in cmp.bidders:
        out.append(f"| {b.rank} | {md_text(b.name)} | {_num(b.score)} | {format_percent(b.coverage, cmp.lang)} | "
                   f"{md_text(tr('compare.yes') if b.knocked_out else tr('compare.no'))} |")
    out.append("")
    for b in cmp.bidders:
        out += [f"### {b.rank}. {md_text(b.name)}", ""]
        out += [f"- {md_text(r)}" for r in b.reasons]
        if b.clauses:
            out += ["", f"**{md_text(tr('compare.clauses'))}**", ""]
            out += [f"- `{cid}`: {md_text(text)}" for cid, text in b.clauses]
        out.append("")
    out += [f"## {md_text(tr('compare.matrix'))}", ""]
    for group in GROUPS:
        rows = [r for r in cmp.rows if r.group == group]
        if not rows:
            continue
        out += [f"### {md_text(tr(f'compare.group.{group}'))}", "", md_text(tr(f"compare.group_help.{group}")), "",
                "| " + " | ".join([md_text(tr("compare.col.control")), md_text(tr("compare.col.severity"))]
                                  + [md_text(b.name) for b in cmp.bidders]) + " |",
                "|" + "---|" * (2 + len(cmp.bidders))]
        for r in rows:
            cells = [f"`{r.control_id}` {md_text(r.title)}", md_text(severity_word(r.severity, cmp.lang))]
            cells += [md_text(_status_word(st, r.group, tr)) for st in r.statuses]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return ("\n".join(out) + "\n").encode("utf-8")


def _context(cmp: Comparison) -> dict[str, Any]:
    from checker.render import RenderOptions
    from checker.render.html import page_size as size_of

    tr = Translator("procurement", cmp.lang)
    groups = []
    for group in GROUPS:
        rows = [r for r in cmp.rows if r.group == group]
        if rows:
            groups.append({"key": group, "label": tr(f"compare.group.{group}"),
                           "help": tr(f"compare.group_help.{group}"),
                           "rows": [{"r": r, "sev": severity_word(r.severity, cmp.lang),
                                     "cells": [(st, _status_word(st, r.group, tr)) for st in r.statuses]}
                                    for r in rows]})
    return {"c": cmp, "tr": tr, "sev": lambda s: severity_word(s, cmp.lang), "lang": cmp.lang, "groups": groups,
            "num": _num, "pct": lambda v: format_percent(v, cmp.lang),
            "subtitle": tr("compare.subtitle", catalog=cmp.catalog_id, version=cmp.catalog_version,
                           profile=cmp.profile, n=cmp.compared),
            "page_size": size_of(RenderOptions(page_size="A4")) + " landscape" if len(cmp.bidders) > 3 else
            size_of(RenderOptions(page_size="A4")),
            "page_header_right": tr("compare.header_right"),
            "page_footer": tr("compare.footer", version=__version__, catalog=cmp.catalog_id,
                              catalog_version=cmp.catalog_version),
            "page_label": Translator("checklist", cmp.lang)("page_label"),
            "page_of": Translator("checklist", cmp.lang)("page_of"),
            "generator": f"resguarda {__version__}"}


def render_html(cmp: Comparison) -> bytes:
    from checker.render.html import environment

    env = environment()
    ctx = _context(cmp)
    css = env.get_template("compare.css.j2").render(ctx)
    return env.get_template("compare.html.j2").render(ctx, css=Markup(css)).encode("utf-8")


def render_pdf(cmp: Comparison) -> bytes:
    from checker.render.pdf import write_pdf

    return write_pdf(render_html(cmp).decode("utf-8"))


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_xlsx(cmp: Comparison) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    tr = Translator("procurement", cmp.lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = tr("compare.sheet.ranking")
    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="D9E2F3")
    ws.append([tr("compare.title")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([tr("compare.subtitle", catalog=cmp.catalog_id, version=cmp.catalog_version, profile=cmp.profile,
                  n=cmp.compared)])
    ws.append([])
    ws.append(["#"] + [tr(f"compare.col.{k}") for k in ("bidder", "score", "coverage", "knocked_out")])
    for cell in ws[4]:
        cell.font, cell.fill = bold, head
    for b in cmp.bidders:
        ws.append([b.rank, _cell(b.name), b.score, b.coverage,
                   tr("compare.yes") if b.knocked_out else tr("compare.no")])
    for col, width in zip("ABCDE", (5, 34, 10, 12, 14), strict=True):
        ws.column_dimensions[col].width = width
    # Reasons and clauses one per row: a spreadsheet does not grow a row for a long wrapped cell.
    rs = wb.create_sheet(tr("compare.sheet.reasons"))
    rs.append(["#", tr("compare.col.bidder"), tr("compare.col.reasons")])
    for b in cmp.bidders:
        for reason in b.reasons:
            rs.append([b.rank, _cell(b.name), _cell(reason)])
    cs = wb.create_sheet(tr("compare.sheet.clauses"))
    cs.append(["#", tr("compare.col.bidder"), tr("compare.col.control"), tr("compare.col.clauses")])
    for b in cmp.bidders:
        for cid, text in b.clauses:
            cs.append([b.rank, _cell(b.name), cid, _cell(text)])
    for sheet, widths in ((rs, (5, 28, 120)), (cs, (5, 28, 10, 120))):
        for cell in sheet[1]:
            cell.font, cell.fill = bold, head
        for i, width in enumerate(widths):
            sheet.column_dimensions["ABCD"[i]].width = width
    mx = wb.create_sheet(tr("compare.sheet.matrix"))
    mx.append([tr("compare.col.control"), tr("compare.col.title"), tr("compare.col.severity"), tr("compare.col.group")]
              + [_cell(b.name) for b in cmp.bidders])
    for cell in mx[1]:
        cell.font, cell.fill = bold, head
    fills = {"pass": "E3EFE3", "fail": "F4CCCC", "partial": "E0E0E0", "unknown": "FFFFFF", "verify": "FFF3CD",
             "not_applicable": "F0F0F0", "waived": "FFFFFF"}
    for r in cmp.rows:
        mx.append([r.control_id, r.title, severity_word(r.severity, cmp.lang), tr(f"compare.group.{r.group}")]
                  + [_status_word(st, r.group, tr) for st in r.statuses])
        for cell, st in zip(mx[mx.max_row][4:], r.statuses, strict=True):
            key = "verify" if r.group == SCAN and st not in ("pass", "fail", "not_applicable") else st
            cell.fill = PatternFill("solid", fgColor=fills.get(key, "FFFFFF"))
    mx.freeze_panes = "E2"
    for col, width in zip("ABCD", (9, 50, 10, 22), strict=True):
        mx.column_dimensions[col].width = width
    for i in range(len(cmp.bidders)):
        mx.column_dimensions[get_column_letter(5 + i)].width = 22
    for sheet in wb.worksheets:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(cmp: Comparison, fmt: str) -> bytes:
    return {"json": render_json, "md": render_md, "html": render_html, "pdf": render_pdf,
            "xlsx": render_xlsx}[fmt](cmp)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
