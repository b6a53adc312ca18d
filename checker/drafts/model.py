"""The shape of a drafted document, shared by every writer (DOCX, HTML, Markdown, PDF).

A draft is a list of numbered sections made of paragraphs, bullet lists and tables. Text is either
declared data or our own wording (`Text`), or a `Placeholder`: something the declaration does not say,
which the writers show highlighted, with what to write and why. Each section carries a stable `key`
(a privacy-notice element such as `controller_identity`, or a security-document content such as
`inventory`) so that tests, `--check` and the notice controls can find it again in the DOCX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Placeholder:
    what: str          # what to write, e.g. "the controller's address"
    why: str = ""      # why it is needed (the article), empty in tables that explain it once above


Inline = Text | Placeholder
Cell = tuple[Inline, ...]
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Para:
    parts: tuple[Inline, ...]
    style: str = "body"     # body, note, checkbox, signature


@dataclass(frozen=True)
class Bullets:
    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


Block = Para | Bullets | Table


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    basis: str = ""                      # the article it answers, shown under the heading
    children: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Meta:
    program: str
    operator: str
    law: str                 # LGPDPPSO or LFPDPPP
    law_name: str            # its full name, in the draft's language
    catalog_id: str
    catalog_version: str
    declaration: str         # the file name as given
    declaration_sha256: str
    date: str                # ISO date of the draft (the evaluation date)
    date_text: str           # the same, written out


@dataclass
class Draft:
    kind: str                # aviso, aviso_simplificado, seguridad
    lang: str
    title: str
    subtitle: str
    meta: Meta
    notice: tuple[str, ...]  # the "draft, not legal advice" paragraphs
    sections: list[Section]
    manifest: dict[str, Any]  # what the draft was built from, for `--check`

    def walk(self) -> list[tuple[str, Section]]:
        """Every section with its number ("2", "2.1"), in reading order."""
        out: list[tuple[str, Section]] = []

        def visit(sections: list[Section], prefix: str) -> None:
            for i, s in enumerate(sections, 1):
                number = f"{prefix}{i}"
                out.append((number, s))
                visit(s.children, number + ".")

        visit(self.sections, "")
        return out

    def keys(self) -> list[str]:
        return [s.key for _, s in self.walk()]


def para(*parts: Inline | str, style: str = "body") -> Para:
    return Para(tuple(Text(p) if isinstance(p, str) else p for p in parts), style)


def cell(*parts: Inline | str) -> tuple[Inline, ...]:
    return tuple(Text(p) if isinstance(p, str) else p for p in parts)


def plain(parts: tuple[Inline, ...], placeholder_prefix: str = "") -> str:
    """The text of some inline parts, placeholders written as the writers show them."""
    out = []
    for p in parts:
        if isinstance(p, Placeholder):
            out.append(f"[{placeholder_prefix}{p.what}" + (f" — {p.why}]" if p.why else "]"))
        else:
            out.append(p.text)
    return "".join(out)
