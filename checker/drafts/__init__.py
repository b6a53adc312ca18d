"""Drafting documents from a declaration: the privacy notice (`aviso`) and the security document
(`seguridad`), in DOCX, HTML, Markdown or PDF, and `check` to see what an existing DOCX no longer
matches. Data flows one way: load -> evaluate -> build a `Draft` (model.py) -> write it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checker.catalog import Catalog
from checker.drafts.aviso import build_aviso
from checker.drafts.common import meta
from checker.drafts.inputs import catalog_info, gaps_from_result
from checker.drafts.model import Draft
from checker.drafts.seguridad import build_seguridad
from checker.validate import LoadedDeclaration

FORMATS = ("docx", "html", "md", "pdf")
EXTENSIONS = {".docx": "docx", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".pdf": "pdf"}
KINDS = ("aviso", "seguridad")


def build_draft(loaded: LoadedDeclaration, kind: str, *, lang: str = "es", simplified: bool = False,
                as_of: date | None = None, catalog: Catalog | None = None) -> Draft:
    """The evaluation runs for both kinds: the notice carries the catalog version it was checked
    against, the security document its risks and gaps."""
    from checker.api import evaluate_loaded
    from checker.view import as_of_default

    when = as_of or as_of_default(loaded.model, date.today())
    result: Any = evaluate_loaded(loaded, as_of=when, lang=lang, catalog=catalog)
    cat_id, cat_version = catalog_info(result)
    # The file name only: a draft is shared outside the team, the folders it came from stay private.
    m = meta(loaded.model, declaration=Path(loaded.display).name, sha256=loaded.sha256, catalog_id=cat_id,
             catalog_version=cat_version, when=when, lang=lang)
    if kind == "aviso":
        return build_aviso(loaded.model, m, lang, simplified=simplified)
    return build_seguridad(loaded.model, gaps_from_result(result), m, lang, when)


def render_draft(draft: Draft, fmt: str, page_size: str = "letter") -> bytes:
    if fmt == "docx":
        from checker.drafts.docx_writer import render_docx

        return render_docx(draft)
    if fmt == "md":
        from checker.drafts.markdown_writer import render_markdown

        return render_markdown(draft).encode("utf-8")
    from checker.drafts.html_writer import render_html, render_pdf

    if fmt == "pdf":
        return render_pdf(draft, page_size)
    return render_html(draft, page_size).encode("utf-8")


def count_placeholders(draft: Draft) -> int:
    from checker.drafts.model import Bullets, Para, Placeholder

    n = 0
    for _, s in draft.walk():
        for b in s.blocks:
            groups = [b.parts] if isinstance(b, Para) else list(b.items) if isinstance(b, Bullets) \
                else [c for row in b.rows for c in row]
            n += sum(1 for g in groups for p in g if isinstance(p, Placeholder))
    return n
