"""The result document of results.md as pydantic models: the contract the JSON output is checked
against (tests) and the schema `resguarda schema --result` prints for other tools."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["pass", "fail", "partial", "unknown", "not_applicable", "waived"]
Severity = Literal["critical", "high", "medium", "low"]


class Open(BaseModel):
    # Keys may be added to the document (results.md); the fixed ones must be there with their types.
    model_config = ConfigDict(extra="allow")


class Tool(Open):
    name: Literal["resguarda"]
    version: str


class CatalogInfo(Open):
    id: str
    version: str
    publication_date: str
    sha256: str


class Input(Open):
    role: Literal["declaration", "scan", "evidence", "previous_result"]   # previous_result: audit.previous_result
    path: str
    sha256: str
    id: str | None = None


class ProgramInfo(Open):
    name: str
    operator: str
    operator_type: str
    role: Literal["responsable", "encargado"]


class DomainSummary(Open):
    score: float | None
    counts: dict[Status, int]


class Summary(Open):
    score: float | None
    counts: dict[Status, int]
    by_domain: dict[str, DomainSummary]
    highest_failed_severity: Severity | None


class LegalRefOut(Open):
    law: str
    article: str | None
    fraction: str | None
    confidence: Literal["V", "V2", "M"]


class Subject(Open):
    kind: Literal["system", "data_category", "processor", "transfer", "host", "program", "data_subject",
                  "authentication", "evidence", "scan", "waiver"]
    id: str


class Location(Open):
    file: str
    line: int
    column: int


class Finding(Open):
    subject: Subject
    status: Status
    code: str
    path: str
    location: Location
    declared: Any
    required: Any
    source: Literal["declared", "evidence", "scan", "attestation"]   # attestation: an auditor contradicted it
    fingerprint: str
    assurance: Literal["declared", "evidence", "scan", "verified"] | None = None   # contract 1.1


class Result(Open):
    control_id: str
    domain: Literal["governance", "privacy_notice", "consent", "minors", "minimization", "retention",
                    "encryption", "access_control", "authentication", "logging", "network_exposure",
                    "incident_response", "arco_rights", "transfers", "processors", "biometrics",
                    "student_exposure", "physical_security", "resilience"]
    severity: Severity
    status: Status
    effective_from: str
    title: str
    legal_refs: list[LegalRefOut]
    reasons: list[str]
    missing: list[str]
    findings: list[Finding]
    remediation: str
    evidence: list[dict[str, Any]]


class Observation(Open):
    scan: str
    host: str
    port: int | None
    system: str | None
    facts: dict[str, Any]


class ResultDocument(Open):
    schema_version: Literal[1]
    tool: Tool
    catalog: CatalogInfo
    profile: str
    law: Literal["LGPDPPSO", "LFPDPPP"]
    lang: Literal["es", "en"]
    as_of: str
    inputs: list[Input]
    program: ProgramInfo
    summary: Summary
    results: list[Result]
    observations: list[Observation]
