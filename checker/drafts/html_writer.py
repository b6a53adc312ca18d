"""A draft as one self-contained HTML page (and, through WeasyPrint, as PDF).

It goes through the report's sandboxed, autoescaping Jinja environment and the PDF renderer's locked
fetcher (`checker.render.pdf.write_pdf`): declaration text is only ever element text, the page
references nothing outside itself, and the CSS takes only our own locale strings through `css_string`.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from checker.drafts.model import Block, Bullets, Draft, Inline, Para, Placeholder
from checker.i18n import Translator
from checker.render.html import environment


def _parts(parts: tuple[Inline, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, Placeholder):
            out.append({"ph": True, "what": p.what, "why": p.why})
        else:
            out.append({"ph": False, "text": p.text, "bold": p.bold})
    return out


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Para):
        return {"type": "para", "style": block.style, "parts": _parts(block.parts)}
    if isinstance(block, Bullets):
        return {"type": "bullets", "entries": [_parts(i) for i in block.items]}
    return {"type": "table", "header": list(block.header), "rows": [[_parts(c) for c in row] for row in block.rows]}


def context(draft: Draft, page_size: str = "letter") -> dict[str, Any]:
    tr = Translator("drafts", draft.lang)
    m = draft.meta
    sections = [{"number": n, "level": n.count(".") + 1, "key": s.key, "heading": s.heading, "basis": s.basis,
                 "anchor": "s-" + n.replace(".", "-"), "blocks": [_block(b) for b in s.blocks]}
                for n, s in draft.walk()]
    meta_rows = [(tr("meta.program"), m.program), (tr("meta.operator"), m.operator), (tr("meta.law"), m.law_name),
                 (tr("meta.catalog"), f"{m.catalog_id} {m.catalog_version}"), (tr("meta.declaration"), m.declaration),
                 (tr("meta.sha"), m.declaration_sha256), (tr("meta.date"), m.date_text)]
    return {"d": draft, "tr": tr, "lang": draft.lang, "sections": sections, "meta_rows": meta_rows,
            "prefix": tr("placeholder.prefix"), "basis_label": tr("meta.basis"),
            "page_size": page_size,
            "page_footer": tr("meta.footer", catalog=f"{m.catalog_id} {m.catalog_version}", date=m.date_text),
            "page_label": tr("meta.page"), "page_of": tr("meta.of"), "meta_date": m.date + "T00:00:00Z"}


def render_html(draft: Draft, page_size: str = "letter") -> str:
    env = environment()
    ctx = context(draft, page_size)
    css = env.get_template("drafts/draft.css.j2").render(ctx)
    return env.get_template("drafts/draft.html.j2").render(ctx, css=Markup(css))


def render_pdf(draft: Draft, page_size: str = "letter") -> bytes:
    from checker.render.pdf import write_pdf  # WeasyPrint only when a PDF is asked for

    return write_pdf(render_html(draft, page_size))
