"""The roll-up page of a portfolio (HTML, and PDF from the same HTML) and its workbook (XLSX).

Everything shown comes from summary.json; declaration text is escaped by Jinja2's autoescape in
HTML and written as plain text cells (never formulas) in the workbook.
"""

from __future__ import annotations

import io
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from checker.i18n import format_number, t
from checker.portfolio.adapter import STATUSES, word
from checker.resources import templates_dir

TOP_CONTROLS = 15
WORST_PROGRAMS = 15
ERRORS_SHOWN = 50


def _tr(lang: str) -> Any:
    def tr(key: str, /, **values: Any) -> str:
        return t("portfolio", lang, key, **values)
    return tr


def heat_color(value: float | None) -> str:
    """Red (0) through amber to green (100); grey when there is no score."""
    if value is None:
        return "#eeeeee"
    return f"hsl({round(max(0.0, min(100.0, value)) * 1.2)}, 70%, 78%)"


def _bars(hist: list[int]) -> list[dict[str, Any]]:
    top = max(hist, default=0) or 1
    return [{"count": n, "height": round(100 * n / top), "label": f"{i * 10}"} for i, n in enumerate(hist)]


def worst_programs(summary: dict[str, Any], n: int = WORST_PROGRAMS) -> list[dict[str, Any]]:
    scored = [p for p in summary["programs"] if p["score"] is not None]
    return sorted(scored, key=lambda p: (p["score"], p["path"]))[:n]


def page_view(summary: dict[str, Any], catalog: Any, lang: str, reports: dict[str, str]) -> dict[str, Any]:
    tr = _tr(lang)

    def label(value: str) -> str:
        return value if value else tr("no_value")

    grouping = None
    group_by = summary["group_by"][0] if summary["group_by"] else None
    if group_by is not None:
        values = summary["groups"][group_by]
        domains = [d for d in dict.fromkeys(d for v in values.values() for d in v["domains"])]
        rows = [{"label": label(value), "programs": v["programs"], "score": v["score"],
                 "bars": _bars(v["histogram"]),
                 "cells": [{"value": v["domains"].get(d), "color": heat_color(v["domains"].get(d))} for d in domains]}
                for value, v in values.items()]
        grouping = {"label": group_by, "rows": rows,
                    "domains": [{"id": d, "word": word("domain", d, lang)} for d in domains]}
    evaluated = summary["programs_evaluated"] or 1
    controls = []
    for c in summary["controls"][:TOP_CONTROLS]:
        if c["programs_failing"] == 0:
            break
        controls.append({**c, "title": _title(catalog, c["control_id"], lang),
                         "domain": word("domain", c["domain"], lang), "severity": word("severity", c["severity"], lang),
                         "share": f"{format_number(100 * c['programs_failing'] / evaluated, lang, 0)} %"})
    worst = [{"path": p["path"], "program": p["program"], "score": p["score"],
              "group": label(p["groups"].get(group_by, "")) if group_by else "",
              "highest": word("severity", p["highest_failed_severity"], lang) if p["highest_failed_severity"] else "",
              "report": reports.get(p["path"])} for p in worst_programs(summary)]
    change = summary.get("change")
    change_groups = []
    if change and group_by and group_by in change["groups"]:
        for value, g in change["groups"][group_by].items():
            css = "up" if (g["delta"] or 0) > 0 else "down" if (g["delta"] or 0) < 0 else ""
            change_groups.append({"label": label(value), **g, "css": css})
    return {
        "lang": lang, "tr": tr, "summary": summary,
        "meta": {"catalog": summary["catalog"]["id"], "catalog_version": summary["catalog"]["version"],
                 "as_of": summary["as_of"] or tr("as_of_each")},
        "statuses": [{"word": word("status", s, lang), "count": summary["counts"].get(s, 0)} for s in STATUSES],
        "overall_bars": _bars(summary["histogram"]),
        "grouping": grouping, "controls": controls, "worst": worst, "change": change,
        "change_groups": change_groups,
        "errors": summary["errors"][:ERRORS_SHOWN],
        "more_errors": max(0, len(summary["errors"]) - ERRORS_SHOWN),
        "num": lambda v: "—" if v is None else format_number(v, lang, 1),
        "signed": lambda v: "—" if v is None else ("+" if v > 0 else "") + format_number(v, lang, 1),
    }


def render_html(view: dict[str, Any]) -> bytes:
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=False, lstrip_blocks=False)
    return env.get_template("portfolio.html.j2").render(**view).encode("utf-8")


def render_pdf(html: bytes) -> bytes:
    from weasyprint import HTML

    from checker.render.pdf import LockedFetcher

    root = templates_dir()
    document = HTML(string=html.decode("utf-8"), base_url=root.as_uri() + "/",
                    url_fetcher=LockedFetcher(root)).render()
    out = io.BytesIO()
    document.write_pdf(out)
    return out.getvalue()


def render_xlsx(summary: dict[str, Any], catalog: Any, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tr = _tr(lang)
    wb = Workbook()
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    group_cols = list(summary["programs"][0]["groups"]) if summary["programs"] else []
    sheets.append((tr("sheet.programs"),
                   [tr("col.declaration"), tr("col.program"), *group_cols, tr("col.score"), tr("col.highest"),
                    *(word("status", s, lang) for s in STATUSES)],
                   [[p["path"], p["program"], *(p["groups"].get(g, "") for g in group_cols), p["score"],
                     word("severity", p["highest_failed_severity"], lang) if p["highest_failed_severity"] else "",
                     *(p["counts"].get(s, 0) for s in STATUSES)] for p in summary["programs"]]))
    sheets.append((tr("sheet.controls"),
                   [tr("col.control"), tr("col.title"), tr("col.domain"), tr("col.severity"),
                    tr("col.programs_failing"), tr("col.subjects_failing"), tr("col.programs_unknown")],
                   [[c["control_id"], _title(catalog, c["control_id"], lang), word("domain", c["domain"], lang),
                     word("severity", c["severity"], lang), c["programs_failing"], c["subjects_failing"],
                     c["programs_unknown"]] for c in summary["controls"]]))
    for g in summary["group_by"]:
        values = summary["groups"][g]
        domains = list(dict.fromkeys(d for v in values.values() for d in v["domains"]))
        sheets.append((tr("sheet.group", group=g)[:31],
                       [g, tr("col.programs"), tr("col.mean"), tr("col.median"), tr("col.min"), tr("col.max"),
                        *(word("domain", d, lang) for d in domains)],
                       [[value or tr("no_value"), v["programs"], v["score"]["mean"], v["score"]["median"],
                         v["score"]["min"], v["score"]["max"], *(v["domains"].get(d) for d in domains)]
                        for value, v in values.items()]))
    sheets.append((tr("sheet.errors"), [tr("col.declaration"), tr("col.message")],
                   [[e["path"], e["message"]] for e in summary["errors"]]))
    first = True
    for title, header, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = _sheet_title(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([None] * len(row))
            for col, value in enumerate(row, start=1):
                cell = ws.cell(row=ws.max_row, column=col)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"   # text stays text: a value starting with '=' is never a formula
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(catalog: Any, control_id: str, lang: str) -> str:
    control = catalog.get(control_id)
    return str(control.title.get(lang)) if control else ""


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]
