"""The control catalog: pydantic models of `controls/`, loading with located errors, profiles.

A control is data a lawyer can read: texts in Spanish and English, legal references with the fact
sheet's confidence tag, applicability and a rule written in the small condition language of
`checker/rules.py` (documented in the README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import ruamel.yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    model_validator,
)
from ruamel.yaml import YAML

from checker import catalog_cache
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, t
from checker.inputs import decode_utf8, read_input
from checker.locations import MAX_BYTES, Located, data_path, error_text, load_yaml_file, load_yaml_text
from checker.resources import controls_dir
from checker.vocabulary import DOMAINS, Domain, Severity

# ruamel's C parser (ruamel.yaml.clib) is six times faster on the catalog; the pure one is the fallback.
_HAVE_C = bool(getattr(ruamel.yaml, "__with_libyaml__", False))

_ID_LINE = re.compile(r"^(\s*-\s+)id:\s*['\"]?([A-Z]{2,5}-\d{2,3})")

Profile = Literal["public-education", "private-school", "vendor"]
PROFILES: tuple[Profile, ...] = ("public-education", "private-school", "vendor")
ControlId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,5}-\d{2,3}$")]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Frozen):
    """A text in both languages; Spanish first."""

    es: Annotated[str, StringConstraints(min_length=1)]
    en: Annotated[str, StringConstraints(min_length=1)]

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


class LegalRef(Frozen):
    law: Literal["LGPDPPSO", "LFPDPPP", "RLFPDPPP", "LNETB", "LGP", "LGDNNA", "LGA", "LGE", "LGTAIP", "POLICY"]
    article: str | None = None
    fraction: str | None = None
    paragraph: str | None = None
    confidence: Literal["V", "V2", "M"]
    applies_to: Literal["public", "private", "all"] = "all"
    previous: str | None = None     # the article in the repealed law, where it helps (2010 / 2017)
    note: Text | None = None

    @model_validator(mode="after")
    def _article_unless_policy(self) -> LegalRef:
        if self.law != "POLICY" and not self.article:
            raise ValueError(f"a reference to the {self.law} needs its article")
        if self.law == "POLICY" and self.note is None:
            raise ValueError("a POLICY reference needs a note saying which guidance or practice")
        return self

    def citation(self, lang: str) -> str:
        if self.law == "POLICY":
            return ("Buena práctica" if lang == "es" else "Good practice") + (
                f": {self.note.get(lang)}" if self.note else "")
        text = f"{self.law} art. {self.article}"
        if self.fraction:
            text += f" fr. {self.fraction}"
        if self.paragraph:
            text += f", {'párrafo' if lang == 'es' else 'paragraph'} {self.paragraph}"
        return text


class Xref(Frozen):
    iso27001: list[str] = Field(default_factory=list)
    nist80053: list[str] = Field(default_factory=list)
    gdpr: list[str] = Field(default_factory=list)


# -- the condition language ------------------------------------------------------------------
class Extension(Frozen):
    """The business days by which the law lets a period be extended, once, for each regime; absent
    (null) where that law allows no extension. ARCO: LFPDPPP art. 31 (once, an equal period) and
    LGPDPPSO art. 45 (the answer once, up to 10 days; the 15 to make it effective, no extension)."""

    public: Annotated[int, Field(ge=0, le=3650)] | None = None
    private: Annotated[int, Field(ge=0, le=3650)] | None = None


class Ref(Frozen):
    """A value taken from elsewhere instead of a constant."""

    path: str | None = None
    plus: str | None = None
    minus: str | None = None
    # Legal periods in días are business days (checker/calendar.py): `{path: P, minus_business_days: 30}`
    # is the latest date 30 business days before P; `business_days: 20` is the number 20 compared as a
    # period in business days (the result shows the date such a period ends, counted from as_of).
    plus_business_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    minus_business_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    business_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    # With `business_days`: the extension the law allows, shown as a second computed date; and what
    # the period counts from (a request received, or the answer given, on the evaluation date).
    extension_business_days: Extension | None = None
    counts_from: Literal["request", "answer"] | None = None
    as_of_minus: str | None = None
    parameter: str | None = None

    @model_validator(mode="after")
    def _extension_needs_a_period(self) -> Ref:
        if (self.extension_business_days is not None or self.counts_from is not None) and self.business_days is None:
            raise ValueError("extension_business_days and counts_from go with business_days")
        return self


Value = Any  # constants (numbers, text, booleans, dates, lists) or a Ref mapping

OPERATORS = ("equals", "not_equals", "in", "not_in", "at_least", "at_most", "exists", "not_empty", "contains",
             "contains_all", "contains_any", "contains_none", "current")


class Check(Frozen):
    path: str
    equals: Value = None
    not_equals: Value = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    at_least: Value = None
    at_most: Value = None
    exists: bool | None = None
    not_empty: bool | None = None
    contains: Value = None
    contains_all: list[Any] | None = None
    contains_any: list[Any] | None = None
    contains_none: list[Any] | None = None
    current: bool | None = None
    partial_at_least: int | None = None
    code: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ops = [k for k in data if k in OPERATORS]
            if len(ops) != 1:
                raise ValueError(f"a check needs exactly one operator ({', '.join(OPERATORS)}); found "
                                 f"{', '.join(ops) or 'none'}")
        return data

    # The operator and a Ref operand are worked out once, not at every evaluation (a /16 scan
    # evaluates these checks hundreds of thousands of times). Kept in the instance dict, outside
    # the model's fields, because pydantic's private attributes are slow to read.
    def model_post_init(self, context: Any, /) -> None:
        operator = next(name for name in OPERATORS
                        if name in self.model_fields_set or (name == "in" and "in_" in self.model_fields_set))
        operand = getattr(self, "in_" if operator == "in" else operator)
        ref = None
        if isinstance(operand, dict) and operand and set(operand) <= set(Ref.model_fields):
            ref = Ref.model_validate(operand)
        self.__dict__["_plan"] = (operator, operand, ref)

    @property
    def operator(self) -> str:
        op: str = self.__dict__["_plan"][0]
        return op

    @property
    def operand(self) -> Any:
        return self.__dict__["_plan"][1]

    @property
    def ref(self) -> Ref | None:
        ref: Ref | None = self.__dict__["_plan"][2]
        return ref


class AllOf(Frozen):
    all: list[Condition]


class AnyOf(Frozen):
    any: list[Condition]


class NotOf(Frozen):
    not_: Condition = Field(alias="not")


class Every(Frozen):
    every: str
    where: Condition | None = None
    require: Condition
    code: str | None = None

    @property
    def list_path(self) -> str:
        return self.every


class Some(Frozen):
    some: str
    where: Condition | None = None
    require: Condition
    code: str | None = None

    @property
    def list_path(self) -> str:
        return self.some


def ungrouped(cond: Any) -> Iterator[Any]:
    """What a condition is made of through its `all`, `any` and `not` groups: its checks and its
    `every`/`some` (whose conditions about each item are not entered)."""
    stack = [cond]
    while stack:
        part = stack.pop()
        if isinstance(part, AllOf):
            stack.extend(reversed(part.all))
        elif isinstance(part, AnyOf):
            stack.extend(reversed(part.any))
        elif isinstance(part, NotOf):
            stack.append(part.not_)
        else:
            yield part


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "every", "some"):
            if key in value:
                return key
        return "check"
    if isinstance(value, BaseModel):
        return {AllOf: "all", AnyOf: "any", NotOf: "not", Every: "every", Some: "some", Check: "check"}.get(
            type(value))
    return None


Condition = Annotated[
    Annotated[Check, Tag("check")] | Annotated[AllOf, Tag("all")] | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")] | Annotated[Every, Tag("every")] | Annotated[Some, Tag("some")],
    Discriminator(_kind, custom_error_type="condition", custom_error_message=(
        "a condition is a check {path, <operator>}, or all/any/not, or every/some"))]

for _m in (AllOf, AnyOf, NotOf, Every, Some):
    _m.model_rebuild()


class Control(Frozen):
    id: ControlId
    domain: Domain
    severity: Severity
    effective_from: dt.date
    profiles: list[Profile] = Field(default_factory=lambda: list(PROFILES))
    title: Text
    statement: Text
    question: Text | None = None
    legal_refs: Annotated[list[LegalRef], Field(min_length=1)]
    xref: Xref = Field(default_factory=Xref)
    applies_when: Condition | None = None
    not_applicable: Text | None = None
    rule: Condition
    remediation: Text
    evidence: Text
    effort: Literal["low", "medium", "high"] = "medium"
    owner_role: Text | None = None
    # The contract clause a buyer requires of a vendor for this control (vendor-profile controls);
    # `resguarda compare` lists it for each bidder that does not yet meet the control.
    contract_clause: Text | None = None
    deprecated: bool = False


class CatalogIndex(Frozen):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: Text
    version: str
    publication_date: dt.date
    files: list[str]
    parameters: dict[str, float | int | str] = Field(default_factory=dict)
    profiles: dict[Literal["public-education", "private-school", "vendor"], Text]


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: CatalogIndex
    controls: list[Control]
    sha256: str
    locations: dict[str, tuple[str, int, int]] = Field(default_factory=dict)  # control id -> file, line, col
    folder: str = ""  # where it was read from (outputs must not overwrite its files)

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def select(self, profile: str) -> list[Control]:
        return [c for c in self.controls if profile in c.profiles]


def default_profile(operator_type: str, role: str) -> str:
    if role == "encargado":
        return "vendor"
    return "public-education" if operator_type.startswith("public_") else "private-school"


# -- loading ---------------------------------------------------------------------------------
def _located_error(exc: ValidationError, located: Located, base: tuple[str | int, ...] = (),
                   lang: str = DEFAULT_LANG) -> InputError:
    err = exc.errors()[0]
    node: Any = located.data
    for part in base:
        node = node[part]
    path = base + data_path(err["loc"], node)
    line, col = located.where(tuple(path))
    # pydantic's detail stays in English: catalog maintainers read it, the frame and hint are localized.
    msg = err["msg"].removeprefix("Value error, ")
    field = ".".join(str(p) for p in err["loc"]) or error_text(lang, "catalog.top")
    return InputError(located.file, error_text(lang, "catalog.invalid", detail=msg, field=field), line, col,
                      error_text(lang, "catalog.invalid.hint"))


def load_catalog(directory: Path | None = None, lang: str = DEFAULT_LANG) -> Catalog:
    """The catalog in `directory` (default: the built-in one); `lang` words the errors only."""
    return _load(str(directory or controls_dir()), lang)


# Parsing 300 KB of YAML costs a quarter of a second even with ruamel's C parser, and the
# round-trip loader (which keeps lines for error messages) ten times that: too much for a CLI
# that should answer in half a second. The validated catalog is therefore cached as JSON, keyed
# by the bytes of every catalog file and of this module, in the user's cache folder, verified on
# every read (checker/catalog_cache.py). The YAML stays the only source.
CACHE_FORMAT = 2


def _read(path: Path, lang: str) -> tuple[bytes, str]:
    """A catalog file's bytes (read once, bounded) and text."""
    data = read_input(path, str(path), MAX_BYTES, lang).data
    return data, decode_utf8(data, str(path), lang)


def _fast_yaml(text: str) -> Any:
    """Data only, no locations: ruamel's C loader when present. Only for the built-in catalog."""
    yaml = YAML(typ="safe", pure=not _HAVE_C)
    return yaml.load(text)


def _start_lines(text: str) -> dict[str, tuple[int, int]]:
    """Where each `- id: XXX-00` starts, without a round-trip parse."""
    out: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        m = _ID_LINE.match(line)
        if m:
            out.setdefault(m.group(2), (number, len(m.group(1)) + 1))
    return out


def _validate_file(path: Path, data: Any, located: Located | None, lang: str = DEFAULT_LANG) -> list[Control]:
    if not isinstance(data, list):
        raise InputError(str(path), error_text(lang, "catalog.not_list"), 1, 1,
                         error_text(lang, "catalog.not_list.hint"))
    controls = []
    for i, raw in enumerate(data):
        try:
            controls.append(Control.model_validate(raw))
        except ValidationError as exc:
            located = located or load_yaml_file(path, str(path), lang)
            raise _located_error(exc, located, (i,), lang) from None
    return controls


@cache
def _load(directory: str, lang: str = DEFAULT_LANG) -> Catalog:
    root = Path(directory)
    builtin = root.resolve() == controls_dir().resolve()
    index_path = root / "catalog.yaml"
    index_raw, index_text = _read(index_path, lang)
    index_loc = load_yaml_text(index_text, str(index_path), lang)
    try:
        index = CatalogIndex.model_validate(index_loc.data)
    except ValidationError as exc:
        raise _located_error(exc, index_loc, lang=lang) from None
    digest = hashlib.sha256(index_raw)
    texts: dict[str, str] = {}
    for number, name in enumerate(index.files):
        path = root / name
        line, col = index_loc.where(("files", number))
        if not builtin and not _inside_folder(root, name):
            raise InputError(str(index_path), error_text(lang, "catalog.unreadable_file", name=name,
                                                         reason=t("integrity", lang, "catalog.outside")),
                             line, col, t("integrity", lang, "catalog.outside.hint"))
        try:
            raw, texts[name] = _read(path, lang)
        except InputError as exc:
            raise InputError(str(index_path), error_text(lang, "catalog.unreadable_file", name=name,
                                                         reason=exc.message),
                             line, col, error_text(lang, "catalog.unreadable_file.hint")) from None
        digest.update(name.encode() + b"\0" + raw)
    sha = digest.hexdigest()
    code = Path(__file__).read_bytes() + Path(catalog_cache.__file__).read_bytes()
    key = hashlib.sha256(sha.encode() + code).hexdigest()
    cache_name = f"catalog-{CACHE_FORMAT}-{key}.json"
    cached = _from_cache(catalog_cache.read_cache(cache_name, sha, lang), index, sha, str(root))
    if cached is not None:
        if not builtin:
            _refuse_unrunnable_rules(cached, lang)
        return cached
    controls: list[Control] = []
    raw_files: list[Any] = []
    where: dict[str, tuple[str, int, int]] = {}
    for name in index.files:
        path = root / name
        if builtin:
            located = None
            data = _fast_yaml(texts[name])
            starts = _start_lines(texts[name])
        else:
            # a user's catalog: the hostile-input limits apply
            located = load_yaml_text(texts[name], str(path), lang)
            data = located.data
            starts = {}
        file_controls = _validate_file(path, data, located, lang)
        for i, control in enumerate(file_controls):
            line, col = located.where((i,)) if located else starts.get(control.id, (1, 1))
            if control.id in where:
                first = where[control.id]
                raise InputError(str(path), error_text(lang, "catalog.duplicate_id", id=control.id, file=first[0],
                                                       line=first[1]),
                                 line, col, error_text(lang, "catalog.duplicate_id.hint"))
            where[control.id] = (str(path), line, col)
        controls.extend(file_controls)
        raw_files.append(data)
    catalog = Catalog(index=index, controls=controls, sha256=sha, locations=where, folder=str(root))
    if not builtin:
        _refuse_unrunnable_rules(catalog, lang)
    catalog_cache.write_cache(cache_name, sha, {"files": raw_files, "locations": where}, lang)
    return catalog


def _refuse_unrunnable_rules(catalog: Catalog, lang: str) -> None:
    """A user's catalog whose rule cannot run as written is bad input (exit 2), not a crash later."""
    from checker.rule_check import rule_problems

    for control_id, problem in rule_problems(catalog, lang)[:1]:
        file, line, col = catalog.locations[control_id]
        raise InputError(file, t("integrity", lang, "rule.problem", id=control_id, problem=problem), line, col,
                         t("integrity", lang, "rule.problem.hint"))


def _inside_folder(root: Path, name: str) -> bool:
    """An index entry names a file inside the catalog folder (no absolute path, no `..` out, no
    symlink leading elsewhere)."""
    if Path(name).is_absolute() or "\x00" in name:
        return False
    base = root.resolve()
    return (base / name).resolve().is_relative_to(base)


def _from_cache(blob: Any, index: CatalogIndex, sha: str, folder: str) -> Catalog | None:
    if blob is None:
        return None
    try:
        controls = [Control.model_validate(raw) for data in blob["files"] for raw in data]
        where = {k: (v[0], v[1], v[2]) for k, v in blob["locations"].items()}
        return Catalog(index=index, controls=controls, sha256=sha, locations=where, folder=folder)
    except (ValueError, KeyError, TypeError, IndexError, ValidationError):
        return None  # verified but not the shape this version writes: rebuild from the YAML


def check_catalog(catalog: Catalog, lang: str = DEFAULT_LANG) -> list[str]:
    """Problems that span controls: domain coverage, parameters, references to unknown laws."""
    from checker.rule_check import rule_problems

    problems: list[str] = [t("integrity", lang, "rule.problem", id=cid, problem=problem)
                           for cid, problem in rule_problems(catalog, lang)]
    covered = {c.domain for c in catalog.controls}
    for domain in DOMAINS:
        if domain not in covered:
            problems.append(error_text(lang, "catalog.domain_uncovered", domain=domain))
    for profile in catalog.index.profiles:
        if not catalog.select(profile):
            problems.append(error_text(lang, "catalog.profile_empty", profile=profile))
    return problems
