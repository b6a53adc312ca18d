"""`draft … --check EXISTING.docx`: which elements of an existing document no longer match the
declaration. A system, transfer, processor, purpose or data item the declaration has and the document
does not mention is reported (and flagged as new when the document's manifest predates it); one the
manifest had, the declaration dropped and the document still mentions is reported as removed. Text is
compared loosely (case, spacing, underscores), so a document edited by hand still matches its data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from checker.declaration import Declaration
from checker.drafts.docx_reader import DocxContent
from checker.drafts.inputs import manifest
from checker.i18n import Translator
from checker.problems import count_text

# What each kind of document must keep in step with (the notice lists no systems or processors).
WATCHED = {
    "aviso": ("transfers", "purposes", "data"),
    "aviso_simplificado": ("transfers", "purposes"),
    "seguridad": ("systems", "processors", "transfers", "data"),
}
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.replace("_", " ").casefold()).strip()


def _names(m: dict[str, Any], what: str) -> list[str]:
    value = m.get(what) or {}
    if what == "purposes":
        return [str(v) for v in value] if isinstance(value, list) else []
    if what == "data":   # each data item's fields
        out: list[str] = []
        if isinstance(value, dict):
            for fields in value.values():
                out += [str(f) for f in fields or [] if str(f) not in out]
        return out
    return [str(v) for v in value.values()] if isinstance(value, dict) else []


@dataclass(frozen=True)
class Difference:
    change: str     # missing, removed
    what: str       # systems, transfers, processors, purposes, data
    name: str
    new: bool = False


def differences(content: DocxContent, decl: Declaration, kind: str) -> list[Difference]:
    kind = str(content.properties.get("kind") or kind)
    now = manifest(decl)
    then = content.properties.get("manifest") if isinstance(content.properties.get("manifest"), dict) else None
    text = _norm(content.full_text)
    out: list[Difference] = []
    for what in WATCHED.get(kind, WATCHED["aviso"]):
        current = _names(now, what)
        before = _names(then, what) if then is not None else []
        for name in current:
            if _norm(name) and _norm(name) not in text:
                out.append(Difference("missing", what, name, new=then is not None and name not in before))
        for name in before:
            if name not in current and _norm(name) and _norm(name) in text:
                out.append(Difference("removed", what, name))
    return out


def report(content: DocxContent, decl: Declaration, sha256: str, kind: str, *, file: str, declaration: str,
           lang: str) -> tuple[list[str], int]:
    """The lines to print and the number of differences (placeholders left are told, not counted:
    they are unfinished work, not a mismatch with the declaration)."""
    tr = Translator("drafts", lang)
    lines = [tr("check.title", file=file, declaration=declaration)]
    found = differences(content, decl, kind)
    for d in found:
        line = tr(f"check.{d.change}.{d.what}", name=d.name)
        lines.append("  - " + line + (tr("check.new") if d.new else ""))
    left = content.all_placeholders()
    count = len(found)
    if left:
        lines.append("  - " + tr("check.placeholders", n=str(len(left))))
    old = str(content.properties.get("declaration_sha256") or "")
    if old and old != sha256:
        lines.append("  - " + tr("check.changed_declaration", old=old[:12], new=sha256[:12]))
    lines.append(count_text("drafts", lang, "check.summary", count) if count else tr("check.in_step"))
    return lines, count
