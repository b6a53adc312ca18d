"""`resguarda catalog diff OLD_DIR NEW_DIR`: what changed between two versions of a control catalog.

For a lawyer or an auditor moving from one catalog version to the next: controls added, removed and
changed, and for each changed control which parts moved (its legal references shown as citations,
its statement, its rule, its severity, its profiles...). Both folders are loaded and validated as
catalogs first, so a broken folder is bad input (exit 2) with its file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.catalog import Catalog, Control, LegalRef
from checker.i18n import t

# The parts of a control compared, in the order a reader wants them.
ASPECTS = ("title", "statement", "legal_refs", "severity", "domain", "profiles", "applies_when", "rule",
           "remediation", "evidence", "question", "deprecated")


@dataclass
class ControlChange:
    id: str
    title: str
    aspects: list[str]
    refs_added: list[str] = field(default_factory=list)
    refs_removed: list[str] = field(default_factory=list)
    severity: tuple[str, str] | None = None


@dataclass
class CatalogDiff:
    old_version: str
    new_version: str
    added: list[tuple[str, str]]
    removed: list[tuple[str, str]]
    changed: list[ControlChange]

    def as_json(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version, "new_version": self.new_version,
            "added": [{"id": i, "title": tt} for i, tt in self.added],
            "removed": [{"id": i, "title": tt} for i, tt in self.removed],
            "changed": [{"id": c.id, "title": c.title, "aspects": c.aspects, "refs_added": c.refs_added,
                         "refs_removed": c.refs_removed,
                         "severity": list(c.severity) if c.severity else None} for c in self.changed],
        }


def _citation(ref: LegalRef, lang: str) -> str:
    # The citation without the note: a changed note alone is reported as a change of legal_refs.
    text = ref.citation(lang) if ref.law != "POLICY" else t("catalog_diff", lang, "policy")
    return f"{text} [{ref.confidence}, {ref.applies_to}]"


def _dump(control: Control, aspect: str) -> Any:
    value = getattr(control, aspect)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, list):
        return [v.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(v, "model_dump") else v
                for v in value]
    return value


def diff_catalogs(old: Catalog, new: Catalog, lang: str) -> CatalogDiff:
    old_by_id = {c.id: c for c in old.controls}
    new_by_id = {c.id: c for c in new.controls}
    added = [(c.id, c.title.get(lang)) for c in new.controls if c.id not in old_by_id]
    removed = [(c.id, c.title.get(lang)) for c in old.controls if c.id not in new_by_id]
    changed: list[ControlChange] = []
    for control in new.controls:
        before = old_by_id.get(control.id)
        if before is None:
            continue
        aspects = [a for a in ASPECTS if _dump(before, a) != _dump(control, a)]
        if not aspects:
            continue
        old_refs = [_citation(r, lang) for r in before.legal_refs]
        new_refs = [_citation(r, lang) for r in control.legal_refs]
        change = ControlChange(control.id, control.title.get(lang), aspects,
                               [r for r in new_refs if r not in old_refs], [r for r in old_refs if r not in new_refs])
        if before.severity != control.severity:
            change.severity = (before.severity, control.severity)
        changed.append(change)
    return CatalogDiff(old.index.version, new.index.version, added, removed, changed)


def render_catalog_diff(diff: CatalogDiff, fmt: str, lang: str) -> str:
    if fmt == "json":
        return json.dumps(diff.as_json(), ensure_ascii=False, indent=2) + "\n"

    def tr(key: str, /, **values: Any) -> str:
        return t("catalog_diff", lang, key, **values)

    md = fmt == "md"
    lines = [("# " if md else "") + tr("title", old=diff.old_version, new=diff.new_version), ""]
    lines.append(tr("counts", added=len(diff.added), removed=len(diff.removed), changed=len(diff.changed)))
    bullet = "- " if md else "  "
    for key, items in (("added", diff.added), ("removed", diff.removed)):
        if items:
            lines += ["", ("## " if md else "") + tr(key)]
            lines += [f"{bullet}{cid}: {title}" for cid, title in items]
    if diff.changed:
        lines += ["", ("## " if md else "") + tr("changed")]
        for c in diff.changed:
            parts = ", ".join(tr(f"aspect.{a}") for a in c.aspects)
            lines.append(f"{bullet}{c.id}: {c.title} ({parts})")
            if c.severity:
                lines.append(f"{bullet}  {tr('severity_change', old=c.severity[0], new=c.severity[1])}")
            for ref in c.refs_removed:
                lines.append(f"{bullet}  - {ref}")
            for ref in c.refs_added:
                lines.append(f"{bullet}  + {ref}")
    return "\n".join(lines) + "\n"


def load_pair(old_dir: Path, new_dir: Path, lang: str) -> tuple[Catalog, Catalog]:
    from checker.catalog import load_catalog

    return load_catalog(old_dir, lang=lang), load_catalog(new_dir, lang=lang)
