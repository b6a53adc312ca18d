"""The control catalog: pydantic models of `controls/`, loading with located errors, profiles.

A control is data a lawyer can read: texts in Spanish and English, legal references with the fact
sheet's confidence tag, applicability and a rule written in the small condition language of
`checker/rules.py` (documented in the README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

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

from checker.errors import InputError
from checker.locations import Located, data_path, load_yaml_file
from checker.resources import controls_dir

DOMAINS = ("governance", "privacy_notice", "consent", "minors", "minimization", "retention", "encryption",
           "access_control", "authentication", "logging", "network_exposure", "incident_response",
           "arco_rights", "transfers", "processors", "biometrics", "student_exposure", "physical_security",
           "resilience")
Domain = Literal["governance", "privacy_notice", "consent", "minors", "minimization", "retention", "encryption",
                 "access_control", "authentication", "logging", "network_exposure", "incident_response",
                 "arco_rights", "transfers", "processors", "biometrics", "student_exposure", "physical_security",
                 "resilience"]
Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES = ("critical", "high", "medium", "low")
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
    law: Literal["LGPDPPSO", "LFPDPPP", "RLFPDPPP", "LNETB", "LGP", "LGDNNA", "LGA", "POLICY"]
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
class Ref(Frozen):
    """A value taken from elsewhere instead of a constant."""

    path: str | None = None
    plus: str | None = None
    minus: str | None = None
    as_of_minus: str | None = None
    parameter: str | None = None


Value = Any  # constants (numbers, text, booleans, dates, lists) or a Ref mapping

OPERATORS = ("equals", "not_equals", "in", "not_in", "at_least", "at_most", "exists", "contains", "contains_all",
             "contains_any", "contains_none", "current")


class Check(Frozen):
    path: str
    equals: Value = None
    not_equals: Value = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    at_least: Value = None
    at_most: Value = None
    exists: bool | None = None
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

    @property
    def operator(self) -> str:
        for name in OPERATORS:
            if name in self.model_fields_set or (name == "in" and "in_" in self.model_fields_set):
                return name
        raise AssertionError("validated check without operator")

    @property
    def operand(self) -> Any:
        op = self.operator
        return getattr(self, "in_" if op == "in" else op)


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


class Some(Frozen):
    some: str
    where: Condition | None = None
    require: Condition
    code: str | None = None


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

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def select(self, profile: str) -> list[Control]:
        return [c for c in self.controls if profile in c.profiles]


def default_profile(operator_type: str, role: str) -> str:
    if role == "encargado":
        return "vendor"
    return "public-education" if operator_type.startswith("public_") else "private-school"


# -- loading ---------------------------------------------------------------------------------
def _located_error(exc: ValidationError, located: Located, base: tuple[str | int, ...] = ()) -> InputError:
    err = exc.errors()[0]
    node: Any = located.data
    for part in base:
        node = node[part]
    path = base + data_path(err["loc"], node)
    line, col = located.where(tuple(path))
    msg = err["msg"].removeprefix("Value error, ")
    field = ".".join(str(p) for p in err["loc"])
    return InputError(located.file, f"{msg} (at {field or 'top level'})", line, col,
                      "see the catalog format in the README (`resguarda catalog check` validates it)")


def load_catalog(directory: Path | None = None) -> Catalog:
    return _load(str(directory or controls_dir()))


@cache
def _load(directory: str) -> Catalog:
    root = Path(directory)
    digest = hashlib.sha256()
    index_loc = load_yaml_file(root / "catalog.yaml", str(root / "catalog.yaml"))
    try:
        index = CatalogIndex.model_validate(index_loc.data)
    except ValidationError as exc:
        raise _located_error(exc, index_loc) from None
    digest.update((root / "catalog.yaml").read_bytes())
    controls: list[Control] = []
    where: dict[str, tuple[str, int, int]] = {}
    for name in index.files:
        path = root / name
        located = load_yaml_file(path, str(path))
        digest.update(name.encode() + b"\0" + path.read_bytes())
        if not isinstance(located.data, list):
            raise InputError(str(path), "a control file is a YAML list of controls", 1, 1,
                             "start each control with `- id:`")
        for i, raw in enumerate(located.data):
            try:
                control = Control.model_validate(raw)
            except ValidationError as exc:
                raise _located_error(exc, located, (i,)) from None
            line, col = located.where((i,))
            if control.id in where:
                first = where[control.id]
                raise InputError(str(path), f"control id {control.id} is used twice (first in {first[0]}:{first[1]})",
                                 line, col, "give each control its own id")
            where[control.id] = (str(path), line, col)
            controls.append(control)
    return Catalog(index=index, controls=controls, sha256=digest.hexdigest(), locations=where)


def check_catalog(catalog: Catalog) -> list[str]:
    """Problems that span controls: domain coverage, parameters, references to unknown laws."""
    problems: list[str] = []
    covered = {c.domain for c in catalog.controls}
    for domain in DOMAINS:
        if domain not in covered:
            problems.append(f"no control covers the domain '{domain}'")
    for profile in catalog.index.profiles:
        if not catalog.select(profile):
            problems.append(f"profile '{profile}' selects no control")
    return problems
