"""The program declaration (shared/spec/declaration.md) as pydantic models.

These models are the one description of the format: validation, the JSON Schema that
`resguarda schema` prints, and the reference checks all come from here. Every field is optional
unless the contract marks it required; absent means "not declared". Object-valued fields that the
contract lets the owner write as `false` ("not in place") are typed `Model | Literal[False]`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from checker.durations import DURATION_PATTERN, Duration
from checker.strict_types import StrictScalars

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
CONTROL_ID_PATTERN = r"^[A-Z]{2,5}-\d{2,3}$"


def _check_duration(value: str) -> str:
    Duration.parse(value)
    return value


def _number_to_text(value: Any) -> Any:
    # `tls_min_version: 1.2` written without quotes arrives as a float.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.1f}" if isinstance(value, float) else f"{value}.0"
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
IsoDuration = Annotated[str, StringConstraints(pattern=DURATION_PATTERN), AfterValidator(_check_duration)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
StateCode = Annotated[str, StringConstraints(pattern=r"^MX-[A-Z]{2,3}$")]
TlsVersion = Annotated[Literal["1.0", "1.1", "1.2", "1.3"], BeforeValidator(_number_to_text)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
ControlId = Annotated[str, StringConstraints(pattern=CONTROL_ID_PATTERN)]


class Strict(StrictScalars):
    # Unknown keys are errors (the loader strips the owner's `x_` notes before validation); booleans and
    # whole numbers are never coerced from text (checker/strict_types.py).
    model_config = ConfigDict(extra="forbid", frozen=True)


class Recurring(Strict):
    """Recurring work: overdue when last_done + every is before the evaluation date."""

    every: IsoDuration | None = None
    last_done: dt.date | None = None


RecurringOrFalse = Recurring | Literal[False]


# -- program ---------------------------------------------------------------------------------
OperatorType = Literal["public_agency", "public_school", "public_university", "private_school",
                       "private_company", "ngo"]
SubjectType = Literal["student", "applicant", "guardian", "staff", "alumni", "other"]
PUBLIC_OPERATORS = {"public_agency", "public_school", "public_university"}


class Jurisdiction(Strict):
    level: Literal["federal", "state", "municipal"] | None = None
    state: StateCode | None = None


class DataSubject(Strict):
    type: SubjectType
    count: Annotated[int, Field(ge=0)] | None = None
    includes_minors: bool | None = None
    min_age: Annotated[int, Field(ge=0, le=120)] | None = None
    age_verification: Literal["none", "self_declared", "curp_derived", "document"] | None = None


class Contact(Strict):
    name: Text | None = None
    role: Text | None = None
    email: Text | None = None


class ModificationAssessment(Strict):
    """The impact assessment of one substantial change (contract 1.1)."""

    done_on: dt.date | None = None
    filed_on: dt.date | None = None


class Modification(Strict):
    """A change to the processing; a substantial one needs its own impact assessment (contract 1.1)."""

    id: Id
    date: dt.date | None = None
    description: Text | None = None
    systems: list[Id] | None = None
    substantial: bool | None = None
    impact_assessment: ModificationAssessment | Literal[False] | None = None


class Program(Strict):
    name: Text
    short_name: Text | None = None
    description: Text | None = None
    operator: Text
    operator_type: OperatorType
    role: Literal["responsable", "encargado"]
    controller: Text | None = None
    controller_type: OperatorType | None = None  # contract 1.1: for an encargado, its controller's type
    jurisdiction: Jurisdiction | None = None
    country: Country | None = None
    status: Literal["planned", "pilot", "production"] | None = None
    launch_date: dt.date | None = None
    data_subjects: list[DataSubject] | None = None
    contact: Contact | None = None
    modifications: list[Modification] | None = None


class Assessment(Strict):
    date: dt.date | None = None
    assessor: Text | None = None
    organization: Text | None = None
    scope: Text | None = None
    kind: Literal["self_assessment", "external_audit", "procurement_review"] | None = None


# -- data inventory --------------------------------------------------------------------------
Category = Literal["identification", "contact", "official_id", "academic", "socioeconomic", "financial",
                   "health", "biometric", "neurodata", "genetic", "ethnic_origin", "beliefs", "political",
                   "sexual_life", "location", "images", "credentials", "behavioral", "other"]
ALWAYS_SENSITIVE = {"health", "biometric", "neurodata", "genetic", "ethnic_origin", "beliefs", "political",
                    "sexual_life"}
PATRIMONIAL = {"financial", "socioeconomic"}


class Consent(Strict):
    type: Literal["tacit", "express", "express_written"] | None = None
    obtained_from: Literal["subject", "guardian", "guardian_for_minors"] | None = None
    recorded: bool | None = None
    revocable: bool | None = None
    per_purpose: bool | None = None
    guardian_identity_verified: bool | None = None


class Retention(Strict):
    period: IsoDuration | None = None
    trigger: Literal["collection", "end_of_enrollment", "graduation", "application_rejected",
                     "end_of_contract", "last_activity"] | None = None
    blocking_period: IsoDuration | None = None
    basis: Literal["purpose", "cadido", "legal_mandate"] | None = None
    disposal: Literal["secure_deletion", "anonymization", "archive", "archival_writeoff", "none"] | None = None
    enforced: Literal["automated", "manual", "none"] | None = None
    covers_backups: bool | None = None
    covers_processors: bool | None = None
    last_purge: dt.date | None = None


class Biometric(Strict):
    modality: Text | None = None
    stored_as: Literal["template", "image", "both"] | None = None
    matching: Literal["verification", "identification"] | None = None
    storage: Literal["central", "device", "card"] | None = None
    alternative_offered: bool | None = None
    linked_databases: list[Text] | None = None
    vendor: Text | None = None
    vendor_country: Country | None = None


class DataCategory(Strict):
    id: Id
    category: Category
    fields: list[Text] | None = None
    sensitive: bool | None = None
    subjects: list[SubjectType] | None = None
    purposes: list[Text] | None = None
    legal_basis: Literal["consent", "legal_mandate", "legal_attributions", "legal_relationship",
                         "vital_interest", "judicial_order"] | None = None
    legal_instrument: Text | None = None
    consent: Consent | None = None
    retention: Retention | Literal[False] | None = None
    systems: list[Id] | None = None
    publicly_exposed: bool | None = None
    automated_decisions: bool | None = None
    model_training: bool | None = None
    biometric: Biometric | None = None


# -- systems ---------------------------------------------------------------------------------
Audience = Literal["applicants", "students", "guardians", "staff", "admins"]


class Hosting(Strict):
    type: Literal["on_premises", "cloud", "saas"] | None = None
    provider: Text | None = None
    processor: Id | None = None
    country: Country | None = None
    region: Text | None = None


class AtRest(Strict):
    enabled: bool | None = None
    algorithm: Text | None = None
    key_management: Literal["kms", "hsm", "application", "none"] | None = None
    scope: list[Literal["database", "files", "laptops"]] | None = None


class InTransit(Strict):
    tls_min_version: TlsVersion | None = None
    hsts: bool | None = None
    internal_traffic_encrypted: bool | None = None


class Encryption(Strict):
    at_rest: AtRest | Literal[False] | None = None
    in_transit: InTransit | Literal[False] | None = None


class StoredAttribute(Strict):
    attribute: Text
    purpose: Text | None = None


class LlaveMx(Strict):
    registered_client: bool | None = None
    environment: Literal["sandbox", "production"] | None = None
    redirect_uris_https: bool | None = None
    state_checked: bool | None = None
    server_side_exchange: bool | None = None
    stored_attributes: list[StoredAttribute] | None = None
    user_key: Literal["idUsuario", "curp", "other"] | None = None
    client_secret_storage: Literal["vault", "environment", "config_file", "source_code"] | None = None
    local_fallback_login: bool | None = None


class Authentication(Strict):
    audiences: list[Audience] | None = None
    provider: Literal["llave_mx", "institutional_sso", "local", "none"] | None = None
    protocol: Literal["oauth2", "oidc", "saml", "ldap", "password"] | None = None
    mfa: Literal["required", "optional", "none"] | None = None
    llave_mx: LlaveMx | None = None


class AccessControl(Strict):
    rbac: bool | None = None
    least_privilege: bool | None = None
    access_review: RecurringOrFalse | None = None
    admin_accounts: Annotated[int, Field(ge=0)] | None = None
    shared_accounts: bool | None = None


LogEvent = Literal["read", "search", "write", "export", "bulk_export", "delete", "login", "failed_login",
                   "admin", "permission_change"]


class Logging(Strict):
    access_logs: bool | None = None
    events: list[LogEvent] | None = None
    records: list[Literal["actor", "record_id", "action", "timestamp", "source_ip", "outcome"]] | None = None
    retention: IsoDuration | None = None
    tamper_evident: bool | None = None
    centralized: bool | None = None
    review: RecurringOrFalse | None = None
    alerting: bool | None = None


class Backups(Strict):
    enabled: bool | None = None
    encrypted: bool | None = None
    restore_test: RecurringOrFalse | None = None
    offsite: bool | None = None


class VulnerabilityManagement(Strict):
    patch_critical_within: IsoDuration | None = None
    pentest: RecurringOrFalse | None = None
    scanning: RecurringOrFalse | None = None


CctvArea = Literal["entrances", "classrooms", "corridors", "yards", "restrooms", "changing_rooms", "offices"]


class Cctv(Strict):
    """Video surveillance (contract 1.1)."""

    areas: list[CctvArea] | None = None
    signage: bool | None = None
    retention: IsoDuration | None = None
    recording_audio: bool | None = None
    access_restricted: bool | None = None


SystemKind = Literal["application", "database", "file_share", "cctv", "biometric_device", "lms", "other"]


class System(Strict):
    id: Id
    name: Text | None = None
    description: Text | None = None
    kind: SystemKind | None = None
    hosting: Hosting | None = None
    hosts: list[Annotated[str, StringConstraints(min_length=1, max_length=253)]] | None = None
    encryption: Encryption | None = None
    authentication: list[Authentication] | None = None
    access_control: AccessControl | Literal[False] | None = None
    logging: Logging | Literal[False] | None = None
    backups: Backups | Literal[False] | None = None
    vulnerability_management: VulnerabilityManagement | Literal[False] | None = None
    cctv: Cctv | None = None


# -- third parties ---------------------------------------------------------------------------
class TransferConsent(Strict):
    """The subject's consent to a transfer: the first three fields of a data category's consent."""

    type: Literal["tacit", "express", "express_written"] | None = None
    obtained_from: Literal["subject", "guardian", "guardian_for_minors"] | None = None
    recorded: bool | None = None


# What a cloud or SaaS contract of adhesion guarantees (LGPDPPSO art. 58; contract 1.1).
StandardTerm = Literal["equivalent_policies", "subcontracting_disclosed", "no_ownership_claim", "confidentiality",
                       "change_notice", "controller_can_limit", "security_measures", "deletion_at_end",
                       "blocks_unauthorized_access", "authority_request_notice"]


class Processor(Strict):
    id: Id
    name: Text | None = None
    service: Text | None = None
    country: Country | None = None
    data_categories: list[Id] | None = None
    contract: bool | None = None
    dpa_clauses: bool | None = None
    subprocessors_disclosed: bool | None = None
    subprocessor_approval: bool | None = None
    audit_rights: bool | None = None
    deletion_at_end: bool | None = None
    breach_notice_within: IsoDuration | None = None
    security_certifications: list[Text] | None = None
    standard_terms: bool | None = None
    terms: list[StandardTerm] | None = None


class Transfer(Strict):
    id: Id
    recipient: Text | None = None
    country: Country | None = None
    purpose: Text | None = None
    data_categories: list[Id] | None = None
    legal_basis: Literal["consent", "legal_mandate", "legal_attributions", "legal_relationship",
                         "vital_interest", "judicial_order"] | None = None
    recipient_type: Literal["public_body", "private", "foreign_authority", "international_organization",
                            "individual"] | None = None
    legal_instrument: Text | None = None
    consent: TransferConsent | Literal[False] | None = None
    consent_obtained: bool | None = None  # the 1.0 name of `consent`, kept as an alias
    informed_in_notice: bool | None = None
    agreement: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _consent_alias(cls, value: Any) -> Any:
        # `consent_obtained` (1.0) is an alias of `consent`: true = obtained, its form undeclared.
        if isinstance(value, dict) and "consent_obtained" in value and "consent" not in value:
            obtained = value["consent_obtained"]
            if isinstance(obtained, bool):
                return {**value, "consent": {} if obtained else False}
        return value


NoticeElement = Literal["controller_identity", "data_categories", "sensitive_data", "legal_basis", "purposes",
                        "purposes_needing_consent", "secondary_purposes_opt_out", "transfers",
                        "transfer_refusal_means", "arco_mechanism", "transparency_unit_address",
                        "consent_revocation", "limit_use_options", "changes_mechanism", "cookies_tracking",
                        "purpose_refusal_means", "transfer_acceptance_clause", "indirect_collection_notice"]


class PrivacyNotice(Strict):
    published: bool | None = None
    url: Text | None = None
    formats: list[Literal["integral", "simplificado"]] | None = None
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]] | None = None
    last_updated: dt.date | None = None
    elements: list[NoticeElement] | None = None
    accessible_to_minors: bool | None = None
    refusal_available_before_processing: bool | None = None


class Arco(Strict):
    channels: list[Literal["email", "web_form", "in_person", "pnt", "mail"]] | None = None
    committed_response_days: Annotated[int, Field(ge=0, le=365)] | None = None
    committed_effective_days: Annotated[int, Field(ge=0, le=365)] | None = None
    identity_verification: bool | None = None
    guardian_requests: bool | None = None
    requests_last_year: Annotated[int, Field(ge=0)] | None = None
    answered_on_time_last_year: Annotated[int, Field(ge=0)] | None = None
    portability: bool | None = None
    free_of_charge: bool | None = None
    appeal_information: bool | None = None
    incompetence_notice_days: Annotated[int, Field(ge=0, le=365)] | None = None


class BreachNotification(Strict):
    subjects: bool | None = None
    authority: bool | None = None
    within: IsoDuration | None = None
    template: bool | None = None


class IncidentResponse(Strict):
    plan: bool | None = None
    plan_test: RecurringOrFalse | None = None
    breach_log: bool | None = None
    breach_notification: BreachNotification | Literal[False] | None = None
    contacts: list[Text] | bool | None = None


class SecurityDocument(Strict):
    approved_by: Text | None = None
    approved_on: dt.date | None = None
    last_reviewed: dt.date | None = None
    contents: list[Literal["inventory", "roles", "risk_analysis", "gap_analysis", "work_plan", "monitoring",
                           "training", "media_register"]] | None = None
    updated_after: list[Literal["breach", "substantial_change", "risk_change"]] | None = None


class Physical(Strict):
    paper_records: bool | None = None
    locked_storage: bool | None = None
    shredding: bool | None = None
    server_room_access: bool | None = None


class ImpactAssessment(Recurring):
    """Recurring work plus where and when the assessment was filed (contract 1.1)."""

    filed_on: dt.date | None = None
    filed_with: Text | None = None


class PrivacyByDesign(Strict):
    default_settings_minimal: bool | None = None
    review_at_design: bool | None = None


class Governance(Strict):
    data_protection_officer: bool | None = None
    security_document: SecurityDocument | Literal[False] | None = None
    risk_assessment: RecurringOrFalse | None = None
    impact_assessment: ImpactAssessment | Literal[False] | None = None
    training: RecurringOrFalse | None = None
    internal_audit: RecurringOrFalse | None = None
    inventory_review: RecurringOrFalse | None = None
    policies: list[Text] | None = None
    confidentiality_agreements: bool | None = None
    physical: Physical | Literal[False] | None = None
    privacy_by_design: PrivacyByDesign | Literal[False] | None = None
    management_system: RecurringOrFalse | None = None


class StudentExposure(Strict):
    public_admission_lists: bool | None = None
    admission_lists_minimized: bool | None = None
    social_media_guidance: bool | None = None
    recruitment_risk_awareness: bool | None = None
    reporting_channel: bool | None = None
    photo_policy: bool | None = None


class Evidence(Strict):
    id: Id
    path: Text
    description: Text | None = None
    controls: list[ControlId] | None = None
    # The evidence lifecycle (contract 1.1): only accepted, unexpired evidence raises assurance.
    date: dt.date | None = None
    valid_until: dt.date | None = None
    reviewed_by: Text | None = None
    reviewed_on: dt.date | None = None
    verdict: Literal["accepted", "rejected", "pending"] | None = None


class Waiver(Strict):
    id: Id
    control: ControlId
    systems: list[Id] | None = None
    reason: Text
    approved_by: Text
    approved_on: dt.date
    expires: dt.date


class Scan(Strict):
    id: Id
    file: Text
    vantage: Literal["external", "internal"]
    authorized_by: Text | None = None
    description: Text | None = None


# -- contract 1.1: calendar, transparency, auditors ------------------------------------------
class Calendar(Strict):
    """Days the body declared inhábiles, on top of those the law fixes."""

    non_working_days: list[dt.date] | None = None
    source: Text | None = None


class PublishedRegister(Strict):
    name: Text
    legal_instrument: Text | None = None
    fields: list[Text] | None = None


class Transparency(Strict):
    committee: bool | None = None
    redaction_method: Literal["irreversible", "overlay", "none"] | None = None
    published_registers: list[PublishedRegister] | None = None


# A finding's subject: a declared id, or `program` for the program as a whole.
SubjectId = Id


class Attestation(Strict):
    id: Id
    control: ControlId | None = None
    subjects: list[SubjectId] | None = None
    result: Literal["confirmed", "contradicted"] | None = None
    method: Literal["inspection", "observation", "inquiry", "reperformance"] | None = None
    sample: Text | None = None
    verified_by: Text | None = None
    verified_on: dt.date | None = None
    valid_until: dt.date | None = None
    note: Text | None = None


class Action(Strict):
    id: Id
    controls: list[ControlId] | None = None
    subjects: list[SubjectId] | None = None
    description: Text | None = None
    owner: Text | None = None
    due: dt.date | None = None
    status: Literal["planned", "in_progress", "done", "dropped"] | None = None
    done_on: dt.date | None = None


class AuditResponse(Strict):
    control: ControlId | None = None
    subjects: list[SubjectId] | None = None
    response: Text | None = None
    by: Text | None = None
    date: dt.date | None = None


class Audit(Strict):
    opinion: Text | None = None
    limitations: Text | None = None
    previous_result: Text | None = None  # an earlier JSON result inside the declaration's folder
    responses: list[AuditResponse] | None = None


class Identification(Strict):
    """How the program identifies people for its trámites and services (LNETB arts. 65-67; an
    additive extension of contract 1.1)."""

    serves_without_curp: bool | None = None      # no one is refused for lack of a CURP (art. 66)
    additional_id_required: bool | None = None   # another ID is asked of someone with the CURP (art. 67)


class Declaration(Strict):
    """A program declaration, schema_version 1."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Resguarda program declaration")

    schema_version: Literal[1]
    program: Program
    assessment: Assessment | None = None
    data_inventory: list[DataCategory] | None = None
    systems: list[System] | None = None
    processors: list[Processor] | None = None
    transfers: list[Transfer] | None = None
    privacy_notice: PrivacyNotice | Literal[False] | None = None
    arco: Arco | Literal[False] | None = None
    incident_response: IncidentResponse | Literal[False] | None = None
    governance: Governance | None = None
    student_exposure: StudentExposure | None = None
    evidence: list[Evidence] | None = None
    waivers: list[Waiver] | None = None
    scans: list[Scan] | None = None
    calendar: Calendar | None = None
    identification: Identification | None = None
    transparency: Transparency | None = None
    attestations: list[Attestation] | None = None
    actions: list[Action] | None = None
    audit: Audit | None = None
