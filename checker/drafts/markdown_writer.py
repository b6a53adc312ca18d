"""A draft as GitHub-flavoured Markdown. Declaration text goes through the report's `md_text`, so it
cannot become markup; placeholders are bold, in brackets, marked so an editor can search for them."""

from __future__ import annotations

from checker.drafts.model import Bullets, Draft, Inline, Para, Placeholder
from checker.i18n import Translator
from checker.render.markdown import md_text


def _parts(parts: tuple[Inline, ...], prefix: str) -> str:
    out = []
    for p in parts:
        if isinstance(p, Placeholder):
            body = md_text(f"[{prefix}{p.what}" + (f" — {p.why}]" if p.why else "]"))
            out.append(f"**{body}**")
        elif p.bold and p.text.strip():
            out.append(f"**{md_text(p.text)}**")
        else:
            out.append(md_text(p.text, strip=False))
    return "".join(out).strip()


def render_markdown(draft: Draft) -> str:
    tr = Translator("drafts", draft.lang)
    prefix = tr("placeholder.prefix")
    m = draft.meta
    lines = [f"# {md_text(draft.title)}", "", f"**{md_text(draft.subtitle)}**", ""]
    lines += [f"> {md_text(text)}" for text in draft.notice for _ in (0,)]
    lines.append("")
    lines += [f"| {md_text(tr('meta.program'))} | {md_text(m.program)} |", "|---|---|"]
    for label, value in ((tr("meta.operator"), m.operator), (tr("meta.law"), m.law_name),
                         (tr("meta.catalog"), f"{m.catalog_id} {m.catalog_version}"),
                         (tr("meta.declaration"), m.declaration), (tr("meta.sha"), f"`{m.declaration_sha256}`"),
                         (tr("meta.date"), m.date_text)):
        shown = value if value.startswith("`") else md_text(value)
        lines.append(f"| {md_text(label)} | {shown} |")
    lines.append("")
    for number, s in draft.walk():
        hashes = "#" * min(number.count(".") + 2, 4)
        lines += [f"{hashes} {number}. {md_text(s.heading)}", ""]
        if s.basis:
            lines += [f"*{md_text(tr('meta.basis'))}: {md_text(s.basis)}*", ""]
        for block in s.blocks:
            if isinstance(block, Para):
                lines += [_parts(block.parts, prefix), ""]
            elif isinstance(block, Bullets):
                lines += [f"- {_parts(item, prefix)}" for item in block.items] + [""]
            else:
                lines.append("| " + " | ".join(md_text(h) for h in block.header) + " |")
                lines.append("|" + "---|" * len(block.header))
                for row in block.rows:
                    lines.append("| " + " | ".join(_parts(c, prefix) or " " for c in row) + " |")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
