"""Cross-field checks of the contract 1.1 additions (ids that must resolve, one name per value).

Kept apart from `checker.validate` so the 1.0 checks stay as they were; `load_declaration` calls
`check_additions` after them. Messages come from the `errors-1.1` locale area.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.declaration import Declaration
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.locations import Path_

if TYPE_CHECKING:
    from checker.validate import LoadedDeclaration

PROGRAM_SUBJECT = "program"  # the subject id of a finding about the program as a whole


def _tr(lang: str, key: str, /, **values: Any) -> str:
    return t("errors-1.1", lang if lang in LANGS else DEFAULT_LANG, key, **values)


def _err(loaded: LoadedDeclaration, path: Path_, message: str, hint: str | None) -> InputError:
    line, col = loaded.located.where(path)
    return InputError(loaded.display, message, line, col, hint)


def _hint(value: str, known: list[str], lang: str) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    if close:
        return _tr(lang, "hint.did_you_mean", close=close[0])
    return _tr(lang, "hint.known", ids=", ".join(known)) if known else _tr(lang, "hint.declare_first")


def declared_ids(loaded: LoadedDeclaration) -> dict[str, Path_]:
    """Every id of the file with where it is declared (list items by section)."""
    d = loaded.model
    found: dict[str, Path_] = {}
    for section in ("data_inventory", "systems", "processors", "transfers", "evidence", "waivers", "scans",
                    "attestations", "actions"):
        for i, item in enumerate(getattr(d, section) or []):
            found.setdefault(item.id, (section, i, "id"))
    for i, mod in enumerate(d.program.modifications or []):
        found.setdefault(mod.id, ("program", "modifications", i, "id"))
    return found


def _check_unique(loaded: LoadedDeclaration, lang: str) -> None:
    # The 1.0 sections are checked by checker.validate; here the new lists against everything.
    d = loaded.model
    seen: dict[str, Path_] = {}
    new: list[tuple[str, Path_]] = []
    for section in ("data_inventory", "systems", "processors", "transfers", "evidence", "waivers", "scans"):
        for i, item in enumerate(getattr(d, section) or []):
            seen.setdefault(item.id, (section, i, "id"))
    for section in ("attestations", "actions"):
        for i, item in enumerate(getattr(d, section) or []):
            new.append((item.id, (section, i, "id")))
    for i, mod in enumerate(d.program.modifications or []):
        new.append((mod.id, ("program", "modifications", i, "id")))
    for ident, path in sorted(new, key=lambda item: loaded.located.where(item[1])):
        if ident in seen:
            first = min(loaded.located.where(seen[ident]), loaded.located.where(path))
            later = path if loaded.located.where(path) > loaded.located.where(seen[ident]) else seen[ident]
            raise _err(loaded, later, _tr(lang, "id.twice", id=ident, line=first[0]), _tr(lang, "id.twice.hint"))
        seen[ident] = path


def _check_subjects(loaded: LoadedDeclaration, lang: str) -> None:
    d = loaded.model
    known = sorted(set(declared_ids(loaded)) | {PROGRAM_SUBJECT})
    lists: list[tuple[Path_, list[str] | None]] = []
    for i, att in enumerate(d.attestations or []):
        lists.append((("attestations", i, "subjects"), att.subjects))
    for i, act in enumerate(d.actions or []):
        lists.append((("actions", i, "subjects"), act.subjects))
    for i, resp in enumerate((d.audit.responses if d.audit else None) or []):
        lists.append((("audit", "responses", i, "subjects"), resp.subjects))
    for path, subjects in lists:
        for j, sid in enumerate(subjects or []):
            if sid not in known:
                raise _err(loaded, (*path, j), _tr(lang, "ref.subject", ref=sid), _hint(sid, known, lang))
    systems = [s.id for s in d.systems or []]
    for i, mod in enumerate(d.program.modifications or []):
        for j, sid in enumerate(mod.systems or []):
            if sid not in systems:
                raise _err(loaded, ("program", "modifications", i, "systems", j), _tr(lang, "ref.system", ref=sid),
                           _hint(sid, systems, lang))


def _check_values(loaded: LoadedDeclaration, lang: str) -> None:
    d = loaded.model
    for i, transfer in enumerate(loaded.data.get("transfers") or []):
        if "consent" in transfer and "consent_obtained" in transfer:
            raise _err(loaded, ("transfers", i, "consent_obtained"), _tr(lang, "transfer.consent_twice",
                                                                        id=transfer["id"]),
                       _tr(lang, "transfer.consent_twice.hint"))
    for i, system in enumerate(d.systems or []):
        if system.cctv is not None and system.kind not in (None, "cctv"):
            raise _err(loaded, ("systems", i, "cctv"), _tr(lang, "cctv.wrong_kind", id=system.id, kind=system.kind),
                       _tr(lang, "cctv.wrong_kind.hint"))
    p = d.program
    if p.controller_type is not None and p.role != "encargado":
        raise _err(loaded, ("program", "controller_type"), _tr(lang, "controller_type.not_encargado"),
                   _tr(lang, "controller_type.not_encargado.hint"))


def _check_previous_result(loaded: LoadedDeclaration, lang: str) -> None:
    audit = loaded.model.audit
    if audit is None or audit.previous_result is None:
        return
    rel = audit.previous_result
    path: Path_ = ("audit", "previous_result")
    base = loaded.base_dir
    if Path(rel).is_absolute() or rel.startswith("~"):
        raise _err(loaded, path, _tr(lang, "previous.absolute", rel=rel), _tr(lang, "previous.hint"))
    resolved = (base / rel).resolve()
    if not resolved.is_relative_to(base):
        raise _err(loaded, path, _tr(lang, "previous.outside", rel=rel), _tr(lang, "previous.hint"))
    if not resolved.is_file():
        raise _err(loaded, path, _tr(lang, "previous.missing", rel=rel), _tr(lang, "previous.missing.hint"))


def named_controls(d: Declaration) -> list[tuple[Path_, str]]:
    """The control ids that attestations, actions and management responses name (checked against the
    catalog by `checker.evaluate.check_catalog_references`)."""
    out: list[tuple[Path_, str]] = []
    for i, att in enumerate(d.attestations or []):
        if att.control:
            out.append((("attestations", i, "control"), att.control))
    for i, act in enumerate(d.actions or []):
        out.extend((("actions", i, "controls", j), cid) for j, cid in enumerate(act.controls or []))
    for i, resp in enumerate((d.audit.responses if d.audit else None) or []):
        if resp.control:
            out.append((("audit", "responses", i, "control"), resp.control))
    return out


def check_additions(loaded: LoadedDeclaration, lang: str) -> None:
    _check_unique(loaded, lang)
    _check_subjects(loaded, lang)
    _check_values(loaded, lang)
    _check_previous_result(loaded, lang)
