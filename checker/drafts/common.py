"""Pieces every draft shares: the front matter (law, catalog, hash, date, "not legal advice") and
placeholders worded from the locale file."""

from __future__ import annotations

from datetime import date

from checker.declaration import Declaration
from checker.drafts.inputs import law
from checker.drafts.model import Meta, Placeholder
from checker.i18n import Translator, format_date


def meta(decl: Declaration, *, declaration: str, sha256: str, catalog_id: str, catalog_version: str,
         when: date, lang: str) -> Meta:
    tr = Translator("drafts", lang)
    which = law(decl)
    return Meta(program=decl.program.name, operator=decl.program.operator, law=which,
                law_name=tr(f"law.{which}"), catalog_id=catalog_id, catalog_version=catalog_version,
                declaration=declaration, declaration_sha256=sha256, date=when.isoformat(),
                date_text=format_date(when, lang))


def front_notice(m: Meta, tr: Translator) -> tuple[str, ...]:
    return (tr("front.draft"), tr("front.law", law_name=m.law_name),
            tr("front.placeholders"), tr("front.confidence"))


def ph(tr: Translator, key: str, **values: str) -> Placeholder:
    """A placeholder: `ph.<key>` says what to write, `ph.<key>.why` why the document needs it."""
    why = tr(f"ph.{key}.why", **values).replace(" ()", "")   # no article to cite: no empty brackets
    return Placeholder(tr(f"ph.{key}", **values), why)


def short(tr: Translator, key: str, **values: str) -> Placeholder:
    """A placeholder in a table cell: only what to write (the table's intro says why, once)."""
    return Placeholder(tr(f"ph.{key}", **values))
