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
from checker.declaration_refs import check_additions
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
    _check_references(loaded, lang)
    _check_files(loaded, lang)
    _check_rules(loaded, lang)
    check_additions(loaded, lang)
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


def _pretty(path: Path_, lang: str) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or error_text(lang, "path.top")


def _message(err: Any, path: Path_, data: Any, lang: str) -> tuple[str, str | None]:
    def tr(key: str, /, **values: Any) -> str:
        return error_text(lang, key, **values)

    kind = err["type"]
    key = path[-1] if path else ""
    where = _pretty(path, lang)
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        valid = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        hint = tr("key.unknown.hint_close", close=close[0]) if close else \
            tr("key.unknown.hint_list", keys=", ".join(valid))
        return tr("key.unknown", key=key, where=_pretty(path[:-1], lang)), hint
    if kind == "missing":
        return tr("key.missing", key=key, where=_pretty(path[:-1], lang)), tr("key.missing.hint", key=key)
    value = err.get("input")
    if kind == "literal_error":
        parent = _model_at(path[:-1]) if isinstance(key, str) else None
        if parent is None and isinstance(key, int):
            parent = _model_at(path[:-2])
            key = path[-2]
        info = parent.model_fields.get(str(key)) if parent else None
        choices = _choices(info.annotation) if info else []
        one_of = tr("hint.one_of", choices=", ".join(choices))
        if isinstance(value, dict | list):
            shape = "value.not_scalar_mapping" if isinstance(value, dict) else "value.not_scalar_list"
            return tr(shape, where=where), one_of if choices else None
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        hint = tr("hint.did_you_mean", close=close[0]) if close else one_of
        return tr("value.not_choice", value=value, where=where), hint
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^P"):
            return tr("value.duration", value=value, where=where), tr("value.duration.hint")
        if "a-z0-9" in pattern:
            return tr("value.id", value=value, where=where), tr("value.id.hint")
        if "A-Z]{2}$" in pattern:
            return tr("value.country", value=value), tr("value.country.hint")
        if "MX-" in pattern:
            return tr("value.state", value=value), tr("value.state.hint")
        if "A-Z]{2,5}-" in pattern:
            return tr("value.control_id", value=value), tr("value.control_id.hint")
        return tr("value.wrong_form", value=value, where=where), None
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        model = _model_at(path)
        if model is None:
            return tr("type.mapping", where=where), tr("type.mapping.hint")
        keys = ", ".join(sorted(model.model_fields))
        return tr("type.mapping_keys", where=where, keys=keys), tr("type.mapping.hint_optional")
    if kind == "list_type":
        return tr("type.list", where=where), tr("type.list.hint")
    if kind.startswith("bool"):
        return tr("type.bool", where=where, value=repr(value)), None
    if kind.startswith(("date", "datetime")):
        return tr("type.date", value=value, where=where), tr("type.date.hint")
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        return _number_message(err, where, lang), None
    if kind.startswith("string"):
        ctx = err.get("ctx", {})
        if kind == "string_type":
            return tr("string.type", where=where), None
        if kind == "string_too_short" and "min_length" in ctx:
            return tr("string.too_short", where=where, n=ctx["min_length"]), None
        if kind == "string_too_long" and "max_length" in ctx:
            return tr("string.too_long", where=where, n=ctx["max_length"]), None
        return tr("detail", where=where, detail=err["msg"].lower()), None
    if kind == "value_error":
        # The only validator that raises is the duration check: a value the pattern accepts but that
        # names no period at all (`P`, `PT`).
        if isinstance(value, str) and re.fullmatch(DURATION_PATTERN, value):
            return tr("value.duration", value=value, where=where), tr("value.duration.hint")
        return tr("detail", where=where, detail=err["msg"].removeprefix("Value error, ")), None
    # Anything else keeps pydantic's own (English) wording as the detail.
    return tr("detail", where=where, detail=err["msg"]), None


_BOUNDS = {"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt"}


def _number_message(err: Any, where: str, lang: str) -> str:
    kind = err["type"]
    shown = repr(err.get("input"))
    if kind.startswith("int"):
        return error_text(lang, "number.int", where=where, value=shown)
    bound = _BOUNDS.get(kind)
    ctx = err.get("ctx", {})
    if bound and bound in ctx:
        return error_text(lang, f"number.{bound}", where=where, limit=ctx[bound], value=shown)
    return error_text(lang, "number.other", where=where, detail=err["msg"].lower(), value=shown)


def _first_error(exc: ValidationError, located: Located, data: Any, lang: str) -> InputError:
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
    message, hint = _message(err, path, data, lang)
    others = len({(e[0], e[1]) for e in located_errors}) - 1
    if others > 0:
        hint = (hint + "; " if hint else "") + error_text(lang, "more_problems", n=others)
    return InputError(located.file, message, line, col, hint)


# -- references, files, rules that span fields -------------------------------------------------
def _err(loaded: LoadedDeclaration, path: Path_, message: str, hint: str | None = None) -> InputError:
    line, col = loaded.located.where(path)
    return InputError(loaded.display, message, line, col, hint)


def _suggest(value: str, known: list[str], lang: str) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    if close:
        return error_text(lang, "hint.did_you_mean", close=close[0])
    return error_text(lang, "ref.known", ids=", ".join(known)) if known else error_text(lang, "ref.declare_first")


def _check_references(loaded: LoadedDeclaration, lang: str) -> None:
    def tr(key: str, /, **values: Any) -> str:
        return error_text(lang, key, **values)

    d = loaded.model
    seen: dict[str, Path_] = {}
    sections = ("data_inventory", "systems", "processors", "transfers", "evidence", "waivers", "scans")
    for section in sections:
        for i, item in enumerate(getattr(d, section) or []):
            if item.id in seen:
                raise _err(loaded, (section, i, "id"),
                           tr("id.twice", id=item.id, line=loaded.located.where(seen[item.id])[0]),
                           tr("id.twice.hint"))
            seen[item.id] = (section, i, "id")
    systems = [s.id for s in d.systems or []]
    categories = [c.id for c in d.data_inventory or []]
    processors = [p.id for p in d.processors or []]

    def check(ref: str, known: list[str], path: Path_, what: str) -> None:
        # `what` names the kind of id: ref.system, ref.processor, ref.category in the catalog.
        if ref not in known:
            raise _err(loaded, path, tr(f"ref.{what}", ref=ref), _suggest(ref, known, lang))

    for i, cat in enumerate(d.data_inventory or []):
        for j, sid in enumerate(cat.systems or []):
            check(sid, systems, ("data_inventory", i, "systems", j), "system")
        if cat.category == "biometric" and cat.biometric is None:
            raise _err(loaded, ("data_inventory", i, "category"), tr("biometric.missing", id=cat.id),
                       tr("biometric.missing.hint"))
        if cat.sensitive is False and cat.category in ALWAYS_SENSITIVE:
            line, col = loaded.located.where(("data_inventory", i, "sensitive"))
            loaded.warnings.append(f"{loaded.display}:{line}:{col}: "
                                   + tr("warn.always_sensitive", id=cat.id, category=cat.category))
    for i, sys_ in enumerate(d.systems or []):
        if sys_.hosting and sys_.hosting.processor:
            check(sys_.hosting.processor, processors, ("systems", i, "hosting", "processor"), "processor")
        if sys_.hosting and sys_.hosting.type in ("cloud", "saas") and not sys_.hosting.country:
            raise _err(loaded, ("systems", i, "hosting"), tr("hosting.no_country", id=sys_.id, type=sys_.hosting.type),
                       tr("hosting.no_country.hint"))
    for section in ("processors", "transfers"):
        for i, item in enumerate(getattr(d, section) or []):
            for j, cid in enumerate(item.data_categories or []):
                check(cid, categories, (section, i, "data_categories", j), "category")
    for i, waiver in enumerate(d.waivers or []):
        for j, sid in enumerate(waiver.systems or []):
            check(sid, systems, ("waivers", i, "systems", j), "system")
        if waiver.expires < waiver.approved_on:
            raise _err(loaded, ("waivers", i, "expires"), tr("waiver.before_approval", id=waiver.id),
                       tr("waiver.before_approval.hint"))
        if waiver.expires > Duration.parse("P1Y").add_to(waiver.approved_on):
            raise _err(loaded, ("waivers", i, "expires"), tr("waiver.too_long", id=waiver.id),
                       tr("waiver.too_long.hint"))


def _inside(loaded: LoadedDeclaration, rel: str, path: Path_, what: str, lang: str) -> None:
    # `what` is "evidence" or "scan": the noun comes from the catalog (noun.evidence, noun.scan).
    noun = error_text(lang, f"noun.{what}")
    base = loaded.base_dir
    target = Path(rel)
    if target.is_absolute() or rel.startswith("~"):
        raise _err(loaded, path, error_text(lang, "path.absolute", what=noun, rel=rel),
                   error_text(lang, "path.absolute.hint"))
    resolved = (base / target).resolve()
    if not resolved.is_relative_to(base):
        raise _err(loaded, path, error_text(lang, "path.outside", what=noun, rel=rel),
                   error_text(lang, "path.outside.hint"))
    if not resolved.is_file():
        raise _err(loaded, path, error_text(lang, "path.missing", what=noun, rel=rel),
                   error_text(lang, "path.missing.hint"))


def _check_files(loaded: LoadedDeclaration, lang: str) -> None:
    for i, ev in enumerate(loaded.model.evidence or []):
        _inside(loaded, ev.path, ("evidence", i, "path"), "evidence", lang)
    for i, scan in enumerate(loaded.model.scans or []):
        _inside(loaded, scan.file, ("scans", i, "file"), "scan", lang)


def _check_rules(loaded: LoadedDeclaration, lang: str) -> None:
    p = loaded.model.program
    if p.role == "encargado" and not p.controller:
        raise _err(loaded, ("program", "role"), error_text(lang, "encargado.no_controller"),
                   error_text(lang, "encargado.no_controller.hint"))
