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

import json
from collections.abc import Iterable
from types import ModuleType
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from checker.vocabulary import STATUSES, Domain, Severity, Status

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
    as_of: str
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
        """The JSON document as plain data (what `--format json` writes). The observations (tens of
        thousands for a large scan) skip pydantic's serializer, which infers the type of every value
        under `facts` (0.2-0.5 s and 70 MB of peak memory on issue 15's 100 MB scan): see `Observation.as_json`."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude={"observations"})
        fields = type(self).model_fields
        out = {key: value for key, value in data.items() if key in fields}
        out["observations"] = [o.as_json() for o in self.observations]
        out.update((key, value) for key, value in data.items() if key not in fields)  # extra keys stay last
        return out

    def to_json(self) -> bytes:
        """UTF-8, non-ASCII as is, 2-space indent, final newline (results.md)."""
        return dumps_bytes(self.to_dict())

    @classmethod
    def from_json(cls, data: bytes | str) -> ResultDocument:
        return cls.model_validate_json(data)

    # -- reading -----------------------------------------------------------------------------------
    def result(self, control_id: str) -> ControlResult | None:
        return next((r for r in self.results if r.control_id == control_id), None)

    def declaration_input(self) -> Input | None:
        return next((i for i in self.inputs if i.role == "declaration"), None)


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


def count_controls(results: Iterable[ControlResult]) -> dict[Status, int]:
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
