"""Load a declaration: safe YAML -> pydantic model -> cross-reference and path checks.

Every problem becomes an InputError naming the file, line and column, with a fix. Pydantic's error
locations are mapped back through the located tree; unknown keys get a "did you mean". Messages come
from the `errors` catalog in the user's language (Spanish by default).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from checker.declaration import ALWAYS_SENSITIVE, Declaration
from checker.durations import DURATION_PATTERN, Duration
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG
from checker.locations import Located, Path_, data_path, error_text, load_yaml_file


@dataclass
class LoadedDeclaration:
    path: Path
    display: str             # the name shown in messages and results (as the user gave it)
    sha256: str
    located: Located
    model: Declaration
    data: dict[str, Any]     # the declared values only (x_ notes removed), as validated
    warnings: list[str] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent


def strip_notes(value: Any) -> Any:
    """Drop the owner's `x_` keys at any depth (they are allowed and ignored)."""
    if isinstance(value, dict):
        return {k: strip_notes(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("x_"))}
    if isinstance(value, list):
        return [strip_notes(v) for v in value]
    return value


def load_declaration(path: Path, display: str | None = None, lang: str = DEFAULT_LANG) -> LoadedDeclaration:
    name = display or str(path)
    located = load_yaml_file(path, name, lang)
    raw = path.read_bytes()
    if not isinstance(located.data, dict):
        raise InputError(name, error_text(lang, "decl.not_mapping"), 1, 1, error_text(lang, "decl.not_mapping.hint"))
    data = strip_notes(located.data)
    try:
        model = Declaration.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, located, data, lang) from None
    loaded = LoadedDeclaration(path=path, display=name, sha256=hashlib.sha256(raw).hexdigest(),
                               located=located, model=model, data=data)
    _check_references(loaded)
    _check_files(loaded)
    _check_rules(loaded)
    return loaded


# -- pydantic errors -> located messages -------------------------------------------------------
def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _model_at(path: Path_) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Declaration
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue  # list item: the element model was already taken from the list annotation
        info = model.model_fields.get(part)
        if info is None:
            return None
        models = _models_in(info.annotation)
        model = models[0] if models else None
    return model


def _choices(annotation: Any) -> list[str]:
    out: list[str] = []
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation) if not isinstance(a, bool)]
    for arg in typing.get_args(annotation):
        out.extend(_choices(arg))
    return out


def _pretty(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def _message(err: Any, path: Path_, data: Any) -> tuple[str, str | None]:
    kind = err["type"]
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        valid = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys here: {', '.join(valid)}"
        return f"unknown key '{key}' in {_pretty(path[:-1])}", hint + " (keys starting with x_ are free notes)"
    if kind == "missing":
        return f"required key '{key}' is missing in {_pretty(path[:-1])}", f"add `{key}:` here"
    value = err.get("input")
    if kind == "literal_error":
        parent = _model_at(path[:-1]) if isinstance(key, str) else None
        if parent is None and isinstance(key, int):
            parent = _model_at(path[:-2])
            key = path[-2]
        info = parent.model_fields.get(str(key)) if parent else None
        choices = _choices(info.annotation) if info else []
        if isinstance(value, dict | list):
            return f"{_pretty(path)} must be a value, not a {'mapping' if isinstance(value, dict) else 'list'}", \
                f"write one of: {', '.join(choices)}" if choices else None
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"write one of: {', '.join(choices)}"
        return f"'{value}' is not a valid value for {_pretty(path)}", hint
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^P"):
            return f"'{value}' is not an ISO 8601 duration ({_pretty(path)})", "write e.g. P30D, P6M, P1Y or PT72H"
        if "a-z0-9" in pattern:
            return f"'{value}' is not a valid id ({_pretty(path)})", \
                "ids are lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters"
        if "A-Z]{2}$" in pattern:
            return f"'{value}' is not an ISO 3166-1 alpha-2 country code", "write e.g. MX or US"
        if "MX-" in pattern:
            return f"'{value}' is not an ISO 3166-2 Mexican state code", "write e.g. MX-CHP, MX-CMX"
        if "A-Z]{2,5}-" in pattern:
            return f"'{value}' is not a control id", "control ids look like ENC-01 (see `resguarda catalog list`)"
        return f"'{value}' has the wrong form for {_pretty(path)}", None
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        model = _model_at(path)
        keys = f" with keys {', '.join(sorted(model.model_fields))}" if model else ""
        return f"{_pretty(path)} must be a mapping{keys}", "write it as `key: value` lines or `{key: value}`" \
            + (" (or `false` if it is not in place)" if model else "")
    if kind == "list_type":
        return f"{_pretty(path)} must be a list", "write it as `[a, b]` or as `- item` lines"
    if kind.startswith("bool"):
        return f"{_pretty(path)} must be true or false, not {value!r}", None
    if kind.startswith(("date", "datetime")):
        return f"'{value}' is not a date ({_pretty(path)})", "write an ISO 8601 date: YYYY-MM-DD"
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        return f"{_pretty(path)}: {err['msg'].lower()} (got {value!r})", None
    if kind.startswith("string"):
        return f"{_pretty(path)}: {err['msg'].lower()}", None
    if kind == "value_error":
        return f"{_pretty(path)}: {err['msg'].removeprefix('Value error, ')}", None
    return f"{_pretty(path)}: {err['msg']}", None


def _first_error(exc: ValidationError, located: Located, data: Any) -> InputError:
    errors = exc.errors()
    # Union branches produce noise (e.g. "should be False" beside the real model error): keep the
    # errors that say the most about the value the owner wrote.
    def noise(err: Any) -> bool:
        return err["type"] == "literal_error" and err.get("ctx", {}).get("expected") == "False"
    useful = [e for e in errors if not noise(e)] or errors
    located_errors = []
    for err in useful:
        path = data_path(err["loc"], data)
        line, col = located.where(path)
        located_errors.append((line, col, err, path))
    located_errors.sort(key=lambda item: (item[0], item[1]))
    line, col, err, path = located_errors[0]
    message, hint = _message(err, path, data)
    others = len({(e[0], e[1]) for e in located_errors}) - 1
    if others > 0:
        hint = (hint + "; " if hint else "") + f"{others} more problem(s) after this one"
    return InputError(located.file, message, line, col, hint)


# -- references, files, rules that span fields -------------------------------------------------
def _err(loaded: LoadedDeclaration, path: Path_, message: str, hint: str | None = None) -> InputError:
    line, col = loaded.located.where(path)
    return InputError(loaded.display, message, line, col, hint)


def _suggest(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known ids: {', '.join(known)}" if known else "declare it first"


def _check_references(loaded: LoadedDeclaration) -> None:
    d = loaded.model
    seen: dict[str, Path_] = {}
    sections = ("data_inventory", "systems", "processors", "transfers", "evidence", "waivers", "scans")
    for section in sections:
        for i, item in enumerate(getattr(d, section) or []):
            if item.id in seen:
                raise _err(loaded, (section, i, "id"), f"id '{item.id}' is used twice in this file "
                           f"(first at line {loaded.located.where(seen[item.id])[0]})",
                           "ids must be unique across the whole declaration")
            seen[item.id] = (section, i, "id")
    systems = [s.id for s in d.systems or []]
    categories = [c.id for c in d.data_inventory or []]
    processors = [p.id for p in d.processors or []]

    def check(ref: str, known: list[str], path: Path_, what: str) -> None:
        if ref not in known:
            raise _err(loaded, path, f"'{ref}' is not a declared {what}", _suggest(ref, known))

    for i, cat in enumerate(d.data_inventory or []):
        for j, sid in enumerate(cat.systems or []):
            check(sid, systems, ("data_inventory", i, "systems", j), "system id")
        if cat.category == "biometric" and cat.biometric is None:
            raise _err(loaded, ("data_inventory", i, "category"),
                       f"'{cat.id}' is biometric but has no `biometric:` block",
                       "add biometric: {modality, stored_as, matching, storage, alternative_offered}")
        if cat.sensitive is False and cat.category in ALWAYS_SENSITIVE:
            line, col = loaded.located.where(("data_inventory", i, "sensitive"))
            loaded.warnings.append(f"{loaded.display}:{line}:{col}: '{cat.id}' is {cat.category} data, which is "
                                   "always sensitive; `sensitive: false` is ignored")
    for i, sys_ in enumerate(d.systems or []):
        if sys_.hosting and sys_.hosting.processor:
            check(sys_.hosting.processor, processors, ("systems", i, "hosting", "processor"), "processor id")
        if sys_.hosting and sys_.hosting.type in ("cloud", "saas") and not sys_.hosting.country:
            raise _err(loaded, ("systems", i, "hosting"), f"system '{sys_.id}' is hosted in {sys_.hosting.type} "
                       "but its country is not declared", "add `country:` (ISO 3166-1, e.g. MX or US)")
    for section in ("processors", "transfers"):
        for i, item in enumerate(getattr(d, section) or []):
            for j, cid in enumerate(item.data_categories or []):
                check(cid, categories, (section, i, "data_categories", j), "data category id (data_inventory)")
    for i, waiver in enumerate(d.waivers or []):
        for j, sid in enumerate(waiver.systems or []):
            check(sid, systems, ("waivers", i, "systems", j), "system id")
        if waiver.expires < waiver.approved_on:
            raise _err(loaded, ("waivers", i, "expires"), f"waiver '{waiver.id}' expires before it was approved",
                       "set `expires` after `approved_on`")
        if waiver.expires > Duration.parse("P1Y").add_to(waiver.approved_on):
            raise _err(loaded, ("waivers", i, "expires"), f"waiver '{waiver.id}' lasts more than one year",
                       "a waiver expires at most one year after `approved_on`; renew it when it ends")


def _inside(loaded: LoadedDeclaration, rel: str, path: Path_, what: str) -> None:
    base = loaded.base_dir
    target = Path(rel)
    if target.is_absolute() or rel.startswith("~"):
        raise _err(loaded, path, f"{what} path '{rel}' is absolute",
                   "write it relative to the declaration's folder, e.g. evidence/aviso.pdf")
    resolved = (base / target).resolve()
    if not resolved.is_relative_to(base):
        raise _err(loaded, path, f"{what} path '{rel}' leaves the declaration's folder",
                   "keep evidence and scans inside the folder that holds the declaration")
    if not resolved.is_file():
        raise _err(loaded, path, f"{what} file '{rel}' does not exist", "check the path (relative to the declaration)")


def _check_files(loaded: LoadedDeclaration) -> None:
    for i, ev in enumerate(loaded.model.evidence or []):
        _inside(loaded, ev.path, ("evidence", i, "path"), "evidence")
    for i, scan in enumerate(loaded.model.scans or []):
        _inside(loaded, scan.file, ("scans", i, "file"), "scan")


def _check_rules(loaded: LoadedDeclaration) -> None:
    p = loaded.model.program
    if p.role == "encargado" and not p.controller:
        raise _err(loaded, ("program", "role"), "an encargado must name the responsable it works for",
                   "add `controller:` under program")

