"""The questionnaire as a fillable PDF (WeasyPrint's `pdf_forms`), and reading a filled one back.

The same cells as the spreadsheet, each a form field: a list of options for yes/no and one-choice
answers, a text field for the rest. Field names are made from the question number and the
declaration path, so an error names the field a PDF reader shows. The PDF's keywords carry the
catalog version and checksums; the import checks them and the set of field names before it reads
any answer.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from checker import __version__
from checker.catalog import Catalog
from checker.errors import InputError
from checker.i18n import Translator
from checker.procurement.answers import Cell
from checker.procurement.questions import Questionnaire, build_questionnaire, layout_checksum
from checker.procurement.words import value_label
from checker.procurement.workbook import FORMAT, Read, _answer_parts, build_layout, check_catalog

_NAME = re.compile(r"[^A-Za-z0-9_]+")


def field_name(cell: Cell) -> str:
    """`q4_1-systems-2-encryption_at_rest_enabled`: no dots (a dot nests fields in a PDF form)."""
    head = "q" + cell.question.split(" ", 1)[0].replace(".", "_") if cell.control_id else "v"
    path = _NAME.sub("_", cell.field.path.replace("[]", ""))
    slot = "" if cell.slot is None else f"-{cell.slot + 1}"
    part = f"-{cell.part}" if cell.part else ""
    return f"{head}-{path}{slot}{part}"


def _meta(q: Questionnaire, names: list[str]) -> str:
    return ";".join([FORMAT, q.catalog_id, q.catalog_version, q.catalog_sha256, q.profile, q.lang,
                     layout_checksum([[n] for n in names])])


def _widget(cell: Cell, q: Questionnaire, tr: Translator) -> dict[str, Any]:
    f = cell.field
    kind = "yesno" if cell.part == "presence" else f.kind
    options: list[str] = []
    if kind == "yesno":
        options = [tr("answer.yes"), tr("answer.no")]
    elif kind == "choice":
        options = [value_label(f.path, v, q.lang) for v in f.choices]
    hint_key = cell.part if cell.part in ("every", "last_done") else kind
    hint = tr("prompt.multi", options=", ".join(value_label(f.path, v, q.lang) for v in f.choices)) \
        if kind == "multi" else tr(f"prompt.{hint_key}")
    return {"name": field_name(cell), "options": options, "hint": hint}


def write_pdf_form(catalog: Catalog, profile: str, lang: str) -> bytes:
    from checker.render import RenderOptions
    from checker.render.html import environment
    from checker.render.html import page_size as size_of
    from checker.render.pdf import write_pdf

    q = build_questionnaire(catalog, profile, lang)
    lay = build_layout(q)
    tr = Translator("procurement", q.lang)
    ck = Translator("checklist", q.lang)
    by_key = {c.key: c for c in lay.cells}
    # Group the cells as the spreadsheet does: the vendor's part, then each question's blocks.
    vendor_program = [c for c in lay.cells if not c.control_id and c.field.collection is None and c.part != "presence"]
    collections = []
    for coll in q.collections:
        presence = next((c for c in lay.cells if c.part == "presence" and c.field.path == coll.key), None)
        rows = [[_widget(c, q, tr) for c in lay.cells if not c.control_id and c.field.collection == coll.key
                 and c.slot == slot] for slot in range(coll.slots)]
        collections.append({"label": coll.label, "help": tr(f"collection_help.{coll.key}"),
                            "columns": [col.label for col in coll.columns], "rows": rows,
                            "presence": (presence.field.label, _widget(presence, q, tr)) if presence else None})
    questions = []
    for question in q.questions:
        title = f"{question.number} {question.text}"
        mine = [c for c in lay.cells if c.control_id and c.question == title]
        blocks = []
        for coll_key in dict.fromkeys(c.field.collection for c in mine):
            cells = [c for c in mine if c.field.collection == coll_key]
            heads = [label for f in dict.fromkeys(c.field for c in cells) for _, label in _answer_parts(f, q.lang)]
            slots = list(dict.fromkeys(c.slot for c in cells))
            item_label = q.collection(coll_key).label if coll_key else ""
            table: list[dict[str, Any]] = [
                {"item": f"{item_label} {s + 1}" if s is not None else "",
                 "cells": [_widget(c, q, tr) for c in cells if c.slot == s]} for s in slots]
            blocks.append({"item_label": item_label, "heads": heads, "rows": table})
        questions.append({"q": question, "blocks": blocks})
    names = [field_name(c) for c in lay.cells]
    assert len(set(names)) == len(names) and len(by_key) == len(names)
    env = environment()
    ctx: dict[str, Any] = {
        "q": q, "tr": tr, "ck": ck, "lang": q.lang,
        "title": tr("instructions.title"),
        "subtitle": ck("subtitle", catalog=q.catalog_id, version=q.catalog_version,
                       date=catalog.index.publication_date.isoformat(), profile=q.profile),
        "program": [(c.field.label, _widget(c, q, tr)) for c in vendor_program],
        "collections": collections, "questions": questions,
        "meta": _meta(q, names),
        "page_size": size_of(RenderOptions(page_size="A4")),
        "page_header_right": ck("header_right"),
        "page_footer": ck("footer_line", version=__version__, catalog=q.catalog_id,
                          catalog_version=q.catalog_version, profile=q.profile),
        "page_label": ck("page_label"), "page_of": ck("page_of"),
        "meta_date": catalog.index.publication_date.isoformat() + "T00:00:00Z",
        "generator": f"resguarda {__version__}",
    }
    css = env.get_template("questionnaire_form.css.j2").render(ctx)
    html = env.get_template("questionnaire_form.html.j2").render(ctx, css=Markup(css))
    return write_pdf(html, pdf_forms=True)


def read_pdf(path: Path, catalog: Catalog, lang: str) -> Read:
    """The answers in a filled PDF form, after checking it is ours, of this catalog, unmodified."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs what it meets in a damaged file ("EOF marker not found"): with no handler Python would
    # print it on standard error beside our one message. (Not a handler for the whole CLI: importing
    # logging there adds fork hooks in which a SIGTERM's exception is swallowed.)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)

    tr = Translator("procurement", lang)
    try:
        if path.stat().st_size > 50 * 1024 * 1024:
            raise ValueError("over 50 MB")
        reader = PdfReader(path)
        info: dict[str, Any] = dict(reader.metadata or {})
        keywords = str(info.get("/Keywords") or "")
        fields = reader.get_fields() or {}
    except (OSError, PdfReadError, ValueError, KeyError, TypeError):
        raise InputError(str(path), tr("import.not_pdf"), hint=tr("import.not_pdf.hint")) from None
    parts = keywords.split(";")
    if len(parts) != 7 or parts[0] != FORMAT:
        raise InputError(str(path), tr("import.no_map"), hint=tr("import.not_pdf.hint"))
    _, cat_id, version, sha, profile, lang_q, checksum = parts
    check_catalog(path, {"catalog_id": cat_id, "catalog_version": version, "catalog_sha256": sha}, catalog, lang)
    if profile not in catalog.index.profiles:
        raise InputError(str(path), tr("import.map_modified", cell="Keywords"), hint=tr("import.map_modified.hint"))
    q = build_questionnaire(catalog, profile, lang_q)
    lay = build_layout(q)
    names = [field_name(c) for c in lay.cells]
    missing = [n for n in names if n not in fields]
    if checksum != layout_checksum([[n] for n in names]) or missing:
        raise InputError(str(path), tr("import.map_modified", cell=missing[0] if missing else "Keywords"),
                         hint=tr("import.map_modified.hint"))
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for cell, name in zip(lay.cells, names, strict=True):
        raw = fields[name].get("/V")
        values[cell.key] = None if raw in (None, "", "/Off") else str(raw)
        where[cell.key] = tr("pdf_field", name=name)
    return Read(q, lay.cells, values, where)
