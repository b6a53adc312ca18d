"""Load a declaration: safe YAML -> pydantic model -> cross-reference and path checks.

Every problem becomes an InputError naming the file, line and column, with a fix. Pydantic's error
locations are mapped back through the located tree; unknown keys get a "did you mean". Messages come
from the `errors` catalog in the user's language (Spanish by default).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from checker import suggestions
from checker.declaration import ALWAYS_SENSITIVE, ID_PATTERN, Declaration
from checker.declaration_refs import check_additions
from checker.durations import DURATION_PATTERN, Duration
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, t
from checker.inputs import evidence_limit, hash_file, is_stdin, path_problem, read_yaml_input
from checker.labels import value_label
from checker.locations import Located, Path_, data_path, error_text
from checker.problems import count_text, raise_all
from checker.states import state_name
from checker.strict_types import MAX_INT
from checker.suggestions import nearest_id


@dataclass
class LoadedDeclaration:
    path: Path
    display: str             # the name shown in messages and results (as the user gave it)
    sha256: str
    located: Located
    model: Declaration
    data: dict[str, Any]     # the declared values only (x_ notes removed), as validated
    warnings: list[str] = field(default_factory=list)
    evidence_sha256: dict[str, str] = field(default_factory=dict)  # evidence path -> SHA-256, one hash per file

    @property
    def base_dir(self) -> Path:
        return _base_dir(self.path)


def _base_dir(path: Path) -> Path:
    if is_stdin(str(path)):
        return Path.cwd().resolve()  # a piped declaration's relative paths start where the user is
    return path.resolve().parent


def strip_notes(value: Any) -> Any:
    """Drop the owner's `x_` keys at any depth (they are allowed and ignored)."""
    # Scalars (most values) are kept as they are without a call each.
    if isinstance(value, dict):
        return {k: strip_notes(v) if isinstance(v, dict | list) else v for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("x_"))}
    if isinstance(value, list):
        return [strip_notes(v) if isinstance(v, dict | list) else v for v in value]
    return value


def load_declaration(path: Path, display: str | None = None, lang: str = DEFAULT_LANG) -> LoadedDeclaration:
    """Load and check a declaration; every problem found is raised at once (InputProblems).

    A YAML syntax error stops the parser, so it comes alone; past the parser, field errors,
    references, file paths and cross-field rules are all collected in one run.
    """
    name = display or str(path)
    # Read once: the bytes parsed are the bytes hashed (a piped declaration records its real SHA-256).
    located, sha256 = read_yaml_input(path, name, lang)
    if not isinstance(located.data, dict):
        raise InputError(name, error_text(lang, "decl.not_mapping"), 1, 1, error_text(lang, "decl.not_mapping.hint"))
    data = strip_notes(located.data)
    problems: list[InputError] = []
    model: Declaration | None = None
    try:
        model = Declaration.model_validate(data)
    except ValidationError as exc:
        problems.extend(_model_problems(exc, located, data, lang))
    # The checks below read the plain data, so they run even when a field elsewhere is wrong.
    checks = _Checks(located, name, data, lang)
    checks.references()
    checks.files(_base_dir(path))
    checks.rules()
    problems += checks.problems
    if model is None:
        raise_all(name, problems, lang)
    assert model is not None  # pydantic either builds the model or reports why
    loaded = LoadedDeclaration(path=path, display=name, sha256=sha256,
                               located=located, model=model, data=data, warnings=checks.warnings)
    if not problems:
        problems += _hash_evidence(loaded, lang)
    try:
        check_additions(loaded, lang)  # contract 1.1 references: read the model, stop at the first
    except InputError as exc:
        problems.append(exc)
    raise_all(name, problems, lang)
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
    """The field's name (its label, where one exists) with its exact place: «Tipo» (program.data_subjects[0].type)."""
    from checker.reference import label_of

    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    if not text:
        return error_text(lang, "path.top")
    label = label_of(".".join(str(p) for p in path if isinstance(p, str)), lang)
    return t("problems", lang, "where.labeled", label=label, path=text) if label else text


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
        return tr("value.not_choice", value=value, where=where), _choice_hint(value, choices, lang) or one_of
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^P"):
            return tr("value.duration", value=value, where=where), tr("value.duration.hint")
        if "a-z0-9" in pattern:
            return tr("value.id", value=value, where=where), _id_hint(value, path, data, lang)
        if "A-Z]{2}$" in pattern:
            code = suggestions.country(value)
            return tr("value.country", value=value), \
                t("problems", lang, "hint.country", code=code) if code else tr("value.country.hint")
        if "MX-" in pattern:
            state = suggestions.state(value)
            hint = t("problems", lang, "hint.state", name=state_name(state), code=state) if state else \
                t("problems", lang, "hint.state_generic")
            return tr("value.state", value=value), hint
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
        meant = suggestions.boolean(value)
        hint = t("problems", lang, "hint.bool", value=str(meant).lower()) if meant is not None else \
            t("problems", lang, "hint.bool_generic")
        return tr("type.bool", where=where, value=repr(value)), hint
    if kind.startswith(("date", "datetime")):
        return tr("type.date", value=value, where=where), tr("type.date.hint")
    if kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        number_hint: str | None = None
        if kind == "int_type" and isinstance(value, str):
            number_hint = t("integrity", lang, "strict.int.hint")
        elif kind == "less_than_equal" and err.get("ctx", {}).get("le") == MAX_INT:
            number_hint = t("integrity", lang, "strict.int_range.hint")
        return _number_message(err, where, lang), number_hint
    if kind.startswith("string"):
        ctx = err.get("ctx", {})
        if kind == "string_type":
            return tr("string.type", where=where), None
        if kind == "string_too_short" and "min_length" in ctx:
            return count_text("problems", lang, "string.too_short", int(ctx["min_length"]), where=where), None
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


def _choice_hint(value: Any, choices: list[str], lang: str) -> str | None:
    meant = suggestions.enum_value(value, choices)
    if meant is None:
        return None
    if suggestions.plain_words(str(value)) in suggestions.SYNONYMS:
        return t("problems", lang, "hint.meant_word", word=value, value=meant)
    return t("problems", lang, "hint.meant", value=meant)


# Where an id is a reference, the section whose ids it names (by the key that holds it).
_REFERENCE_TO = {"systems": "systems", "processor": "processors", "data_categories": "data_inventory"}


def _id_hint(value: Any, path: Path_, data: Any, lang: str) -> str:
    holder = next((p for p in reversed(path) if isinstance(p, str)), "")
    section = _REFERENCE_TO.get(holder) if len(path) > 1 else None
    if section:
        close = nearest_id(value, declared_ids(data, section))
        if close:
            return t("problems", lang, "hint.id_ref", id=close)
    example = suggestions.plain_words(str(value)).replace(" ", "-") or "portal-inscripcion"
    if not re.fullmatch(ID_PATTERN, example):
        example = "portal-inscripcion"
    return t("problems", lang, "hint.id_form", example=example)


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


def _model_problems(exc: ValidationError, located: Located, data: Any, lang: str) -> list[InputError]:
    errors = exc.errors()
    # Union branches produce noise (e.g. "should be False" beside the real model error): keep the
    # errors that say the most about the value the owner wrote.
    def noise(err: Any) -> bool:
        return err["type"] == "literal_error" and err.get("ctx", {}).get("expected") == "False"
    useful = [e for e in errors if not noise(e)] or errors
    problems = []
    seen: set[tuple[int, int]] = set()
    for err in useful:
        path = data_path(err["loc"], data)
        line, col = located.where(path)
        if (line, col) in seen:  # one problem per place: the other union branches say the same
            continue
        seen.add((line, col))
        message, hint = _message(err, path, data, lang)
        problems.append(InputError(located.file, message, line, col, hint))
    return problems


# -- references, files, rules that span fields -------------------------------------------------
def _suggest(value: str, known: list[str], lang: str) -> str:
    close = nearest_id(value, known)
    if close:
        return error_text(lang, "hint.did_you_mean", close=close)
    return error_text(lang, "ref.known", ids=", ".join(known)) if known else error_text(lang, "ref.declare_first")


_ID_SECTIONS = ("data_inventory", "systems", "processors", "transfers", "evidence", "waivers", "scans")


def _items(data: Any, *path: str) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of the list at `path` (anything else is pydantic's to report)."""
    node = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return []
    return [(i, item) for i, item in enumerate(node) if isinstance(item, dict)]


def _texts(value: Any) -> list[tuple[int, str]]:
    return [(j, v) for j, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def declared_ids(data: Any, section: str) -> list[str]:
    return [item["id"] for _, item in _items(data, section) if isinstance(item.get("id"), str)]


class _Checks:
    """Checks that span fields (ids, references, paths, rules), collected rather than raised."""

    def __init__(self, located: Located, display: str, data: dict[str, Any], lang: str) -> None:
        self.located = located
        self.display = display
        self.data = data
        self.lang = lang
        self.problems: list[InputError] = []
        self.warnings: list[str] = []

    def tr(self, key: str, /, **values: Any) -> str:
        return error_text(self.lang, key, **values)

    def add(self, path: Path_, message: str, hint: str | None = None) -> None:
        line, col = self.located.where(path)
        self.problems.append(InputError(self.display, message, line, col, hint))

    def references(self) -> None:
        tr, data = self.tr, self.data
        seen: dict[str, Path_] = {}
        for section in _ID_SECTIONS:
            for i, item in _items(data, section):
                item_id = item.get("id")
                if not isinstance(item_id, str):
                    continue
                if item_id in seen:
                    self.add((section, i, "id"), tr("id.twice", id=item_id, line=self.located.where(seen[item_id])[0]),
                             tr("id.twice.hint"))
                else:
                    seen[item_id] = (section, i, "id")
        systems = declared_ids(data, "systems")
        categories = declared_ids(data, "data_inventory")
        processors = declared_ids(data, "processors")

        def check(ref: str, known: list[str], path: Path_, what: str) -> None:
            # `what` names the kind of id: ref.system, ref.processor, ref.category in the catalog.
            # A reference that is not even an id is pydantic's to report (with the same suggestion).
            if ref not in known and re.fullmatch(ID_PATTERN, ref):
                self.add(path, tr(f"ref.{what}", ref=ref), _suggest(ref, known, self.lang))

        for i, cat in _items(data, "data_inventory"):
            for j, sid in _texts(cat.get("systems")):
                check(sid, systems, ("data_inventory", i, "systems", j), "system")
            if cat.get("category") == "biometric" and cat.get("biometric") is None:
                self.add(("data_inventory", i, "category"), tr("biometric.missing", id=cat.get("id")),
                         tr("biometric.missing.hint"))
            if cat.get("sensitive") is False and cat.get("category") in ALWAYS_SENSITIVE:
                line, col = self.located.where(("data_inventory", i, "sensitive"))
                self.warnings.append(f"{self.display}:{line}:{col}: "
                                     + tr("warn.always_sensitive", id=cat.get("id"),
                                        category=value_label("data_inventory.category", cat["category"], self.lang)))
        for i, sys_ in _items(data, "systems"):
            hosting = sys_.get("hosting")
            if not isinstance(hosting, dict):
                continue
            if isinstance(hosting.get("processor"), str):
                check(hosting["processor"], processors, ("systems", i, "hosting", "processor"), "processor")
            if hosting.get("type") in ("cloud", "saas") and not hosting.get("country"):
                where = value_label("systems.hosting.type", hosting["type"], self.lang)
                self.add(("systems", i, "hosting"), tr("hosting.no_country", id=sys_.get("id"), type=where),
                         tr("hosting.no_country.hint"))
        for section in ("processors", "transfers"):
            for i, item in _items(data, section):
                for j, cid in _texts(item.get("data_categories")):
                    check(cid, categories, (section, i, "data_categories", j), "category")
        for i, waiver in _items(data, "waivers"):
            for j, sid in _texts(waiver.get("systems")):
                check(sid, systems, ("waivers", i, "systems", j), "system")
            self._waiver_dates(i, waiver)

    def _waiver_dates(self, i: int, waiver: dict[str, Any]) -> None:
        try:
            approved = dt.date.fromisoformat(str(waiver.get("approved_on")))
            expires = dt.date.fromisoformat(str(waiver.get("expires")))
        except ValueError:
            return  # a missing or malformed date is reported by the model
        if expires < approved:
            self.add(("waivers", i, "expires"), self.tr("waiver.before_approval", id=waiver.get("id")),
                     self.tr("waiver.before_approval.hint"))
        elif expires > Duration.parse("P1Y").add_to(approved):
            self.add(("waivers", i, "expires"), self.tr("waiver.too_long", id=waiver.get("id")),
                     self.tr("waiver.too_long.hint"))

    def _inside(self, base: Path, rel: str, path: Path_, what: str) -> None:
        # `what` is "evidence" or "scan": the noun comes from the catalog (noun.evidence, noun.scan).
        noun = self.tr(f"noun.{what}")
        problem = path_problem(rel, self.lang)
        if problem:
            self.add(path, f"{noun} '{rel[:80]}': {problem}", self.tr("path.missing.hint"))
            return
        target = Path(rel)
        if target.is_absolute() or rel.startswith("~"):
            self.add(path, self.tr("path.absolute", what=noun, rel=rel), self.tr("path.absolute.hint"))
            return
        resolved = (base / target).resolve()
        if not resolved.is_relative_to(base):
            self.add(path, self.tr("path.outside", what=noun, rel=rel), self.tr("path.outside.hint"))
        elif not resolved.is_file():
            self.add(path, self.tr("path.missing", what=noun, rel=rel), self.tr("path.missing.hint"))

    def files(self, base: Path) -> None:
        for i, ev in _items(self.data, "evidence"):
            if isinstance(ev.get("path"), str) and ev["path"]:
                self._inside(base, ev["path"], ("evidence", i, "path"), "evidence")
        for i, scan in _items(self.data, "scans"):
            if isinstance(scan.get("file"), str) and scan["file"]:
                self._inside(base, scan["file"], ("scans", i, "file"), "scan")

    def rules(self) -> None:
        program = self.data.get("program")
        if isinstance(program, dict) and program.get("role") == "encargado" and not program.get("controller"):
            self.add(("program", "role"), self.tr("encargado.no_controller"), self.tr("encargado.no_controller.hint"))


def _hash_evidence(loaded: LoadedDeclaration, lang: str) -> list[InputError]:
    """Hash each evidence file once, however many entries cite it, within the size limit."""
    problems: list[InputError] = []
    limit = evidence_limit()
    by_file: dict[Path, str] = {}
    for i, ev in enumerate(loaded.model.evidence or []):
        real = (loaded.base_dir / ev.path).resolve()
        if real not in by_file:
            try:
                by_file[real] = hash_file(real, ev.path, limit, lang)
            except InputError as exc:
                line, column = loaded.located.where(("evidence", i, "path"))
                problems.append(InputError(loaded.display, f"{ev.path}: {exc.message}", line, column, exc.hint))
                continue
        loaded.evidence_sha256[ev.path] = by_file[real]
    return problems
