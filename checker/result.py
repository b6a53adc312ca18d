"""The result of an evaluation as typed pydantic models: what the evaluator builds, what `--format json`
writes (the contract of shared/spec/results.md, `schema_version: 1`) and what every renderer, `diff`,
thresholds and the terminal summary read. No renderer indexes a dict of the result.

How to read it (for the drafts, procurement, audit and portfolio work):
- `ResultDocument.results` holds one `ControlResult` per control, in catalog order. `status` is the
  control's status; `findings` holds one `Finding` per subject looked at (a system, a data category,
  a processor, a transfer, an observed host, or the program itself: `finding.subject.kind`).
- Statuses, severities and domains, their order and their words in each language live in
  `checker.vocabulary` (`status_word(status, lang)`, `worst`, `GATING`, ...). Never compare against
  other spellings.
- Counts: `count_subjects(result)` counts a control's findings by status (how many subjects fail, are
  partial, undecided, waived...); `count_controls(results)` counts controls. Every summary, chart and
  sentence uses these two; nothing re-derives a status from text.
- Waivers (`checker.waivers`): a covered finding has `status == "waived"` and its `underlying_status`;
  the control is `waived` only when no uncovered subject is a gap, and then carries `underlying_status`.
  `ControlResult.waiver` is the waiver that acted on it.
- Language: `lang` is the language the document's sentences (`reasons`, `reason`, titles) were written
  in. Renderers do not reuse them: they make sentences in the language asked for.
- Reading a saved file: `ResultDocument.from_json(bytes)`; writing: `doc.to_json()` (bytes, exactly what
  `--format json` writes). JSON -> model -> JSON is byte-identical.
"""

from __future__ import annotations

import io
import json
import math
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from types import ModuleType
from typing import Annotated, Any, ClassVar, Literal, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer
from pydantic_core import to_jsonable_python

from checker.vocabulary import STATUSES, Domain, Severity, Status


def _iso_day(value: str) -> str:
    # A saved result is read back by diff, render and verify, which count days from it: a text that is
    # no calendar day is bad input there, not a crash later.
    date.fromisoformat(value)
    return value


IsoDay = Annotated[str, AfterValidator(_iso_day)]

orjson: ModuleType | None
try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; the standard library is the fallback
    orjson = None


def dumps_bytes(data: Any) -> bytes:
    """JSON as results.md writes it. orjson writes exactly what `json.dumps(data, ensure_ascii=False,
    indent=2)` writes, six times faster (a /16 scan's result is 50 MB); a test checks both agree."""
    if orjson is not None:
        out: bytes = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        return out
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


SubjectKind = Literal["system", "data_category", "processor", "transfer", "host", "program", "data_subject",
                      "authentication", "evidence", "scan", "waiver", "modification", "published_register"]
# `attestation`: an auditor contradicted what was declared (contract 1.1).
Source = Literal["declared", "evidence", "scan", "attestation"]


class Model(BaseModel):
    """Keys may be added to the document (results.md): unknown ones are kept and written back as read.

    Fields named in `OMIT_NONE` are written only when they have a value (keys that results.md adds only
    in some cases, such as `waiver` and `underlying_status`)."""

    model_config = ConfigDict(extra="allow", validate_assignment=False)
    OMIT_NONE: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.OMIT_NONE and isinstance(data, dict):
            for key in self.OMIT_NONE:
                if key in data and data[key] is None:
                    del data[key]
        return data


# -- building from trusted data --------------------------------------------------------------------
_object_setattr = object.__setattr__
_TEMPLATES: dict[type[BaseModel], tuple[dict[str, Any], tuple[str, ...], set[str]]] = {}


def _template(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[str, ...], set[str]]:
    """Every field of `cls` in declaration order with its default (None for a required one), the
    fields whose default is mutable (copied for each instance), and the set of all its field names."""
    entry = _TEMPLATES.get(cls)
    if entry is None:
        fields: dict[str, Any] = {}
        mutable: list[str] = []
        for name, info in cls.model_fields.items():
            default = None if info.is_required() else info.get_default(call_default_factory=True)
            fields[name] = default
            if isinstance(default, list | dict | set):
                mutable.append(name)
        entry = _TEMPLATES[cls] = (fields, tuple(mutable), set(fields))
    return entry


M = TypeVar("M", bound=BaseModel)
# A piece of a document's bytes made elsewhere (`checker.output.Piece`: bytes already in a file, or
# bytes made only as they are written).
P = TypeVar("P")


def trusted(cls: type[M], /, **values: Any) -> M:
    """An instance of a result model made from data the evaluator itself built, without validating it
    again (what `model_construct` does, at a fraction of its cost). Give every required field, with
    the types the model declares: nothing checks them here. Data read from files is validated
    (`ResultDocument.from_json`, `as_document`)."""
    return trusted_from(cls, values)


def trusted_from(cls: type[M], values: dict[str, Any], /) -> M:
    """`trusted` with the values in a dict (kept by the caller: it is copied)."""
    fields, mutable, every_field = _TEMPLATES.get(cls) or _template(cls)
    data = {**fields, **values}   # the fields' order, whatever the order of `values`
    for name in mutable:
        if name not in values:
            data[name] = data[name].copy()
    m = cls.__new__(cls)
    _object_setattr(m, "__dict__", data)
    # Every field counts as set, in one set shared by the instances of the class (assigning a field
    # adds a name already there): a set per instance was a quarter of a large result's memory, and
    # result models are never written with `exclude_unset`.
    _object_setattr(m, "__pydantic_fields_set__", every_field)
    _object_setattr(m, "__pydantic_extra__", {})
    _object_setattr(m, "__pydantic_private__", None)
    return m


def trusted_exact(cls: type[M], data: dict[str, Any], /) -> M:
    """`trusted_from` for a dict that holds every field of `cls` in the model's order and nothing else,
    made for this one instance (kept, not copied): the evaluator's findings and comparisons, built a
    million times for a large declaration, skip the merge with the defaults. A test checks the order."""
    m = cls.__new__(cls)
    _object_setattr(m, "__dict__", data)
    _object_setattr(m, "__pydantic_fields_set__", (_TEMPLATES.get(cls) or _template(cls))[2])
    _object_setattr(m, "__pydantic_extra__", {})
    _object_setattr(m, "__pydantic_private__", None)
    return m


def set_trusted(model: BaseModel, name: str, value: Any) -> None:
    """Set a declared field of a result model the evaluator is still building (no validation runs on
    assignment: `validate_assignment` is off; this skips pydantic's per-assignment bookkeeping)."""
    model.__dict__[name] = value
    if name not in model.__pydantic_fields_set__:
        model.__pydantic_fields_set__.add(name)


# -- plain data for JSON ------------------------------------------------------------------------------
_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


def plain_dict(model: Model) -> dict[str, Any]:
    """A result model as JSON data, equal to `model.model_dump(mode="json")`: declared fields in
    order (those in OMIT_NONE left out when None), then the extra keys."""
    omit = model.OMIT_NONE
    out: dict[str, Any] = {}
    for key, value in model.__dict__.items():
        if value is None and key in omit:
            continue
        out[key] = value if value.__class__ in _PLAIN_SCALARS else _plain(value)
    extra = model.__pydantic_extra__
    if extra:
        for key, value in extra.items():
            if value is None and key in omit:
                continue
            out[key] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    kind = value.__class__
    if kind in _PLAIN_SCALARS:
        return value
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        if all(k.__class__ is str for k in value):
            return {k: v if v.__class__ in _PLAIN_SCALARS else _plain(v) for k, v in value.items()}
    elif kind is float:
        return value if math.isfinite(value) else None   # as pydantic writes inf and nan in JSON
    elif isinstance(value, Model):
        return plain_dict(value)
    # Anything else (dates, tuples, sets, keys that are not text): pydantic's own JSON conversion.
    return to_jsonable_python(value)


class Tool(Model):
    name: Literal["resguarda"]
    version: str


class CatalogInfo(Model):
    OMIT_NONE = frozenset({"names"})
    id: str
    version: str
    publication_date: str
    sha256: str
    name: str | None = None
    names: dict[str, str] | None = None   # the catalog's name in every language

    def name_in(self, lang: str) -> str:
        return (self.names or {}).get(lang) or self.name or self.id


class Input(Model):
    OMIT_NONE = frozenset({"id"})
    role: Literal["declaration", "scan", "evidence", "previous_result"]   # previous_result: audit.previous_result
    id: str | None = None
    path: str
    sha256: str


class DeclarationRef(Model):
    path: str
    sha256: str


class Jurisdiction(Model):
    level: str | None = None
    state: str | None = None


class ProgramInfo(Model):
    name: str
    short_name: str | None = None
    operator: str
    operator_type: str
    role: Literal["responsable", "encargado"]
    controller: str | None = None
    jurisdiction: Jurisdiction | None = None
    status: str | None = None


class AssessmentInfo(Model):
    date: str | None = None
    assessor: str | None = None
    organization: str | None = None
    kind: str | None = None
    scope: str | None = None


class DomainSummary(Model):
    score: float | None
    counts: dict[Status, int]


class Summary(Model):
    score: float | None
    counts: dict[Status, int]
    by_domain: dict[str, DomainSummary]
    highest_failed_severity: Severity | None


class RefTexts(Model):
    citation: str
    note: str | None = None


class LegalRefOut(Model):
    OMIT_NONE = frozenset({"i18n"})
    law: str
    article: str | None = None
    fraction: str | None = None
    confidence: Literal["V", "V2", "M"]
    citation: str | None = None
    previous: str | None = None
    note: str | None = None
    i18n: dict[str, RefTexts] | None = None

    def text(self, lang: str) -> RefTexts:
        if self.i18n and lang in self.i18n:
            return self.i18n[lang]
        citation = self.citation or " ".join(p for p in (self.law, self.article, self.fraction) if p)
        return RefTexts(citation=citation, note=self.note)


class Subject(Model):
    kind: SubjectKind
    id: str
    name: str | None = None


class Location(Model):
    file: str
    line: int
    column: int


class BusinessPeriodOut(Model):
    """`days` business days before or after `start` (a declared date at `start_path`, or the evaluation
    date) end on `date`, counted with the declaration's calendar (checker/calendar.py)."""

    OMIT_NONE = frozenset({"start_path", "extension_days", "extended_date", "counts_from"})
    days: int
    unit: Literal["business_days"] = "business_days"
    direction: Literal["before", "after"]
    start: str
    start_path: str | None = None
    date: str
    # The extension the governing law allows once (ARCO: LFPDPPP art. 31, LGPDPPSO art. 45) and the
    # date it gives; absent where that law allows none.
    extension_days: int | None = None
    extended_date: str | None = None
    counts_from: Literal["request", "answer"] | None = None  # what happened on `start`


class Comparison(Model):
    """One comparison that decided a finding, with typed parameters (no sentence: see checker.explain)."""

    OMIT_NONE = frozenset({"field", "parameter", "reference", "offset", "period", "scan", "scan_date",
                           "scan_age_days", "stale", "alternative"})
    status: Status
    operator: str              # equals, in, at_least, contains_all, exists, current, every, some, ...
    path: str                  # id-addressed path of the declared (or observed) value
    field: str | None = None   # the path the rule asks about, when an object on the way is `false`
    declared: Any = None
    required: Any = None       # the required value itself; a list of alternatives for `in`
    parameter: str | None = None   # the catalog parameter the required value comes from
    reference: str | None = None   # "as_of", or the path a computed date starts from
    offset: str | None = None      # "-P1Y": the duration added to the reference
    source: Source = "declared"
    scan: str | None = None        # the scan an observed value comes from
    scan_date: str | None = None
    scan_age_days: int | None = None   # how old the scan was on the evaluation date
    stale: bool | None = None      # that scan is older than 90 days before as_of
    alternative: int | None = None  # comparisons with the same number are alternatives, none of which holds
    period: BusinessPeriodOut | None = None  # a legal period in business days and the date it gives (2026.2)


class Explanation(Model):
    """Why a finding has its status, language-neutral: a message code and its typed parameters.

    Codes: `compare` (the comparisons decided it), `missing` (paths to declare), `not_scanned` (no scan
    observes the subject), `empty_selection` (nothing in the control's scope), `not_applicable` (the
    control's applicability condition is false; the comparisons say why)."""

    code: Literal["compare", "missing", "not_scanned", "empty_selection", "not_applicable", "none"]
    comparisons: list[Comparison] = []
    missing: list[str] = []


class Finding(Model):
    OMIT_NONE = frozenset({"underlying_status", "explanation"})
    subject: Subject
    status: Status
    code: str
    path: str
    location: Location
    declared: Any = None
    required: Any = None
    source: Source
    fingerprint: str
    missing: list[str] = []
    reason: str = ""
    underlying_status: Status | None = None
    explanation: Explanation | None = None

    @property
    def subject_kind(self) -> str:
        return self.subject.kind

    @property
    def subject_id(self) -> str:
        return self.subject.id


class EvidenceRef(Model):
    id: str
    path: str
    sha256: str


class WaiverRef(Model):
    """The waiver that acted on a control (results.md: id, reason, approver, expiry)."""

    id: str
    reason: str
    approved_by: str
    approved_on: str
    expires: str
    systems: list[str] = []


class ControlTexts(Model):
    """A control's catalog texts in one language."""

    title: str
    statement: str | None = None
    remediation: str
    evidence_requested: str | None = None
    owner_role: str | None = None
    not_applicable: str | None = None   # the catalog's words for why it does not apply


class ControlResult(Model):
    OMIT_NONE = frozenset({"waiver", "underlying_status", "i18n"})
    control_id: str
    domain: Domain
    severity: Severity
    status: Status
    effective_from: str
    title: str
    statement: str | None = None
    legal_refs: list[LegalRefOut]
    xref: dict[str, list[str]] = {}
    reasons: list[str]
    missing: list[str]
    findings: list[Finding]
    remediation: str
    evidence_requested: str | None = None
    evidence: list[EvidenceRef]
    effort: str | None = None
    owner_role: str | None = None
    applicability: str | None = None
    waiver: WaiverRef | None = None
    underlying_status: Status | None = None
    i18n: dict[str, ControlTexts] | None = None   # the catalog texts in every language, for rendering

    def text(self, lang: str) -> ControlTexts:
        """The control's texts in `lang` (a result written before they were kept: its own language)."""
        if self.i18n and lang in self.i18n:
            return self.i18n[lang]
        return ControlTexts(title=self.title, statement=self.statement, remediation=self.remediation,
                            evidence_requested=self.evidence_requested, owner_role=self.owner_role)


class WaiverInfo(Model):
    id: str
    control: str
    systems: list[str] = []
    reason: str
    approved_by: str
    approved_on: str
    expires: str
    state: Literal["active", "expired", "not_yet_valid"]


class EvidenceInfo(Model):
    id: str
    path: str
    description: str | None = None
    sha256: str
    controls: list[str] = []


class ScanInfo(Model):
    id: str
    path: str
    vantage: str | None = None
    date: str | None = None
    stale: bool = False
    sha256: str | None = None


class Observation(Model):
    scan: str
    host: str
    port: int | None = None
    system: str | None = None
    facts: dict[str, Any] = {}

    def as_json(self) -> dict[str, Any]:
        """What `model_dump(mode="json")` gives, without pydantic's serializer: the values are JSON data
        already (scan facts, or a saved result read back). `facts` is shared, not copied: read-only."""
        out: dict[str, Any] = {"scan": self.scan, "host": self.host, "port": self.port, "system": self.system,
                               "facts": self.facts}
        if self.__pydantic_extra__:
            out.update(self.__pydantic_extra__)
        return out


class ResultDocument(Model):
    schema_version: Literal[1]
    tool: Tool
    catalog: CatalogInfo
    profile: str
    law: Literal["LGPDPPSO", "LFPDPPP"]
    lang: Literal["es", "en"]
    as_of: IsoDay
    inputs: list[Input]
    declaration: DeclarationRef | None = None
    program: ProgramInfo
    assessment: AssessmentInfo | None = None
    summary: Summary
    results: list[ControlResult]
    waivers: list[WaiverInfo] = []
    evidence: list[EvidenceInfo] = []
    scans: list[ScanInfo] = []
    observed_systems: dict[str, dict[str, Any]] = {}
    observations: list[Observation] = []

    # -- JSON ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document as plain data (what `--format json` writes): what
        `model_dump(mode="json")` gives (a test checks it on every example), in a walk over the
        models' own data that costs a fraction of pydantic's (a 30,000-system result holds a million
        findings). The observations (tens of thousands for a large scan) are JSON data already and
        are taken as they are: see `Observation.as_json`."""
        return self._plain_head(results=self.results)

    def _plain_head(self, results: list[ControlResult]) -> dict[str, Any]:
        out = plain_dict(self.model_copy(update={"results": results, "observations": []}))
        out["observations"] = [o.as_json() for o in self.observations]   # keeps its place among the keys
        return out

    def to_json(self) -> bytes:
        """UTF-8, non-ASCII as is, 2-space indent, final newline (results.md).

        Written one control result at a time: the plain data of the whole document is never held at
        once beside its bytes (a 30,000-system result is hundreds of megabytes of each). The bytes are
        those of `dumps_bytes(self.to_dict())` (a test checks it)."""
        if orjson is None:
            return dumps_bytes(self.to_dict())
        out = io.BytesIO()   # its value is handed over without a copy
        for chunk in self.json_pieces():
            out.write(chunk)
        return out.getvalue()

    def json_pieces(self, results: Iterable[bytes | P] | None = None,
                    observations: Iterable[bytes | P] | None = None) -> Iterable[bytes | P]:
        """The bytes of `to_json` in pieces, for writing a large result without holding it whole.

        `results`: the `results` array's bytes, made elsewhere (`results_array`) from results no
        longer held, to stand in place of this document's own (checker/render/json_stream.py).
        `observations`: their bytes made earlier by `observation_pieces` (while another process
        finishes its controls, checker/render/json_two_cores.py)."""
        if orjson is None:
            return (dumps_bytes(self.to_dict()),)
        return self._json_chunks(results_array(self.results) if results is None else results,
                                 self.observation_pieces() if observations is None else observations)

    def observation_pieces(self) -> Iterator[bytes]:
        """The `observations` value as `json_pieces` writes it, in pieces."""
        assert orjson is not None
        # The observations (32,000 for a large scan) are written a batch at a time, not as one list.
        if not self.observations:
            yield b"[]"
            return
        yield b"[" + _OBSERVATION_LINE
        yield from _items(self.observations, _OBSERVATION_LINE,
                          lambda o: orjson.dumps(o.as_json(), option=orjson.OPT_INDENT_2))
        yield b"\n  ]"

    def _json_chunks(self, results: Iterable[bytes | P], observations: Iterable[bytes | P]) -> Iterator[bytes | P]:
        assert orjson is not None
        head = plain_dict(self.model_copy(update={"results": [], "observations": []}))
        yield b"{"
        first = True
        for key, value in head.items():
            yield (b"\n  " if first else b",\n  ") + orjson.dumps(key) + b": "
            first = False
            if key == "results":
                yield from results
            elif key == "observations":
                yield from observations
            else:
                # JSON text has no raw line breaks inside strings: every b"\n" is a line of the layout.
                yield orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
        yield b"\n}\n" if not first else b"}\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> ResultDocument:
        return cls.model_validate_json(data)

    # -- reading -----------------------------------------------------------------------------------
    def result(self, control_id: str) -> ControlResult | None:
        return next((r for r in self.results if r.control_id == control_id), None)

    def declaration_input(self) -> Input | None:
        return next((i for i in self.inputs if i.role == "declaration"), None)


# -- the `results` array in the document's layout (2-space indent, nested two levels) -------------------
EMPTY_RESULTS, RESULTS_OPEN, RESULTS_CLOSE = b"[]", b"[", b"\n  ]"


# A result with more findings than this is written a batch of findings at a time: its JSON (25 MB for
# 16,000 findings) and the indented copy of it are never whole in memory. Observations likewise.
BATCH = 1000
# Where an item's lines start in the document (2-space indent): an observation in `observations`, a
# finding in a result in `results`.
_OBSERVATION_LINE, _FINDING_LINE = b"\n    ", b"\n        "
# Between two findings of a result's `findings`.
FINDING_SEP = b"," + _FINDING_LINE


def _items(items: Iterable[Any], line: bytes, dump: Callable[[Any], bytes]) -> Iterator[bytes]:
    """A list's items as `orjson.dumps(..., OPT_INDENT_2)` nests them at `line`'s indent."""
    return _batched((dump(item).replace(b"\n", line) for item in items), b"," + line)


def _batched(texts: Iterable[bytes], sep: bytes) -> Iterator[bytes]:
    """Items' bytes `sep`-separated, a batch at a time; the first one without a separator (it follows
    the list's opening)."""
    lead = b""
    batch: list[bytes] = []
    for text in texts:
        batch.append(text)
        if len(batch) == BATCH:
            yield lead + sep.join(batch)
            lead, batch = sep, []
    if batch:
        yield lead + sep.join(batch)


def result_json(result: ControlResult, first: bool) -> bytes:
    """One control result as it stands in the `results` array, after its separator."""
    return b"".join(result_pieces(result, first))


def result_pieces(result: ControlResult, first: bool) -> Iterator[bytes]:
    """`result_json` in pieces: the result around its findings, and the findings a batch at a time.

    orjson walks the models itself, asking `_shallow` for each one's keys: no plain copy of the whole
    result is made (a control of 30,000 systems has 30,000 findings). The bytes are those of
    `plain_dict` (a test checks it); a value orjson cannot take as such (a key that is not text) goes
    the `plain_dict` way."""
    findings = result.findings
    if len(findings) <= BATCH:
        yield (b"\n    " if first else b",\n    ") + _dumps(result).replace(b"\n", b"\n    ")
        return
    yield from _around(result, first, _items(findings, _FINDING_LINE, _dumps))


def finding_lines(finding: Finding) -> bytes:
    """A finding's JSON as it stands in its result's `findings` (`stamped_result_pieces` takes these)."""
    return _dumps(finding).replace(b"\n", _FINDING_LINE)


def stamped_result_pieces(result: ControlResult, first: bool, findings: P) -> Iterator[bytes | P]:
    """`result_pieces` of `result` with `findings` in place of its own, which must be none: the bytes of
    at least one finding (`finding_lines` of each), `FINDING_SEP`-separated, made elsewhere
    (checker/stamping.py makes a large control's as they are written: a `checker.output.Deferred`)."""
    assert not result.findings
    return _around(result, first, (findings,))


def _around(result: ControlResult, first: bool, findings: Iterable[bytes | P]) -> Iterator[bytes | P]:
    """The result's bytes with `findings` (its findings' bytes, comma-separated) in their place."""
    # A copy of the result with one string in place of its findings (random: no text of the data can be
    # it), written as orjson writes it, then the findings at that string's place.
    mark = "findings-" + secrets.token_hex(16)
    shell = _dumps(result.model_copy(update={"findings": [mark]})).replace(b"\n", b"\n    ")
    token = b'"' + mark.encode() + b'"'
    at = shell.index(token)
    yield (b"\n    " if first else b",\n    ") + shell[:at]
    yield from findings
    yield shell[at + len(token):]


def _dumps(model: Model) -> bytes:
    assert orjson is not None
    try:
        chunk: bytes = orjson.dumps(model, default=_shallow, option=_RESULT_OPTIONS)
    except orjson.JSONEncodeError:
        chunk = orjson.dumps(plain_dict(model), option=orjson.OPT_INDENT_2)
    return chunk


# Dates, dataclasses and subclasses of the JSON types go to `_shallow`, which converts them as pydantic
# does (`_plain`); the other values orjson writes as `plain_dict` would give them (NaN and infinities
# as null, like pydantic).
_RESULT_OPTIONS = 0 if orjson is None else (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
                                            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)


def _shallow(value: Any) -> Any:
    """A model's keys as `plain_dict` orders them, its values left for orjson; anything else as `_plain`."""
    if not isinstance(value, Model):
        return _plain(value)
    omit = value.OMIT_NONE
    extra = value.__pydantic_extra__
    if not omit and not extra:
        return value.__dict__
    # A copy less the None values of `omit` (a finding's missing `underlying_status`): a dict's copy
    # is a C loop, two to three times cheaper than filtering every key in Python. Deleting keeps the
    # order of the others.
    out = value.__dict__.copy()
    for key in omit:
        if out.get(key, _ABSENT) is None:
            del out[key]
    if extra:
        for key, v in extra.items():
            if v is not None or key not in omit:
                out[key] = v
    return out


_ABSENT = object()


def results_array(results: Iterable[ControlResult]) -> Iterator[bytes]:
    """The `results` array's bytes, one result at a time."""
    def chunks() -> Iterator[bytes]:
        first = True
        for result in results:
            yield from result_pieces(result, first)
            first = False
            del result   # else held while the next one is built (a streamed write drops each)

    return framed_results(chunks())


def framed_results(chunks: Iterable[bytes | P]) -> Iterator[bytes | P]:
    """The `results` array around results already written by `result_json` (in order, the first with
    `first=True`): the one place that knows the array's brackets."""
    empty = True
    for chunk in chunks:
        if empty:
            yield RESULTS_OPEN
        yield chunk
        empty = False
    yield EMPTY_RESULTS if empty else RESULTS_CLOSE


def as_document(doc: ResultDocument | dict[str, Any]) -> ResultDocument:
    """A result as the typed model: a JSON dict (as loaded from a file) is validated into one."""
    return doc if isinstance(doc, ResultDocument) else ResultDocument.model_validate(doc)


# -- counting: the one place ------------------------------------------------------------------------
def count_subjects(result: ControlResult) -> dict[Status, int]:
    """How many subjects of a control are in each status (a waived subject counts as waived, the
    others keep their own status). A control without findings counts as one case of its own status."""
    out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    if not result.findings:
        out[result.status] += 1
        return out
    for finding in result.findings:
        out[finding.status] += 1
    return out


class HasStatus(Protocol):
    """A control's result, or what is kept of it once written (`checker.evaluate.Outline`)."""

    @property
    def status(self) -> Status: ...


def count_controls(results: Iterable[HasStatus]) -> dict[Status, int]:
    """How many controls are in each status, in the order of results.md."""
    out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r.status] += 1
    return out


def count_all_subjects(results: Iterable[ControlResult]) -> dict[Status, int]:
    """Subjects (control × subject cases) in each status over many controls."""
    out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for r in results:
        for status, n in count_subjects(r).items():
            out[status] += n
    return out
