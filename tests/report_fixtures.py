"""A result document shaped exactly like /work/shared/spec/results.md (plus the keys the evaluator adds).

The renderers are pure functions of this document, so their tests do not need the evaluator. Once
`checker.api.evaluate_file` exists the tests also run on real evaluations of examples/ai-center.yaml
(see `real_doc`); this fixture stays as the stable, hand-checked case (it also has a scan, waivers and
evidence, which the example declaration lacks).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-center.yaml"
AS_OF = "2026-11-20"

STATUSES = ("pass", "fail", "partial", "unknown", "not_applicable", "waived")
_WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1}
_CREDIT = {"pass": 1.0, "partial": 0.5}

PROGRAM_NAME = "Centro Público de Formación en Inteligencia Artificial"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ref(law: str, article: str, fraction: str | None = None, confidence: str = "V",
         note: tuple[str, str] | None = None, paragraph: str | None = None) -> dict[str, Any]:
    citation = f"{law} art. {article}"
    if fraction:
        citation += f" fr. {fraction}"
    if paragraph:
        citation += f", {paragraph}"
    return {"law": law, "article": article, "fraction": fraction, "confidence": confidence,
            "citation": citation, "note": note}


def _f(kind: str, sid: str, name: str | None, status: str, code: str, path: str, line: int,
       declared: Any, required: Any, reason: tuple[str, str], source: str = "declared",
       column: int = 5) -> dict[str, Any]:
    control = code.split(".")[0]
    return {
        "subject": {"kind": kind, "id": sid, "name": name},
        "status": status, "code": code, "path": path,
        "location": {"file": "ai-center.yaml", "line": line, "column": column},
        "declared": declared, "required": required, "source": source,
        "fingerprint": _sha(f"{control}|{kind}|{sid}|{code}"),
        "reason": reason,
    }


# Each control: id, domain, severity, effort, owner (es, en), title, statement, remediation, evidence
# (all (es, en)), legal refs, xref, then the outcome: status, findings, missing, applicability.
CONTROLS: list[dict[str, Any]] = [
    {
        "id": "GOV-01", "domain": "governance", "severity": "critical", "effort": "high",
        "owner": ("Comité de Transparencia", "Transparency Committee"),
        "title": ("Documento de seguridad aprobado y vigente", "Approved, current security document"),
        "statement": ("El programa cuenta con un documento de seguridad con los siete contenidos mínimos "
                      "de ley, aprobado y revisado en los últimos doce meses.",
                      "The program has a security document with the seven minimum contents required by "
                      "law, approved and reviewed in the last twelve months."),
        "remediation": ("Elaborar el documento de seguridad (inventario, funciones, análisis de riesgo y "
                        "de brecha, plan de trabajo, monitoreo y capacitación) y someterlo al Comité de "
                        "Transparencia.",
                        "Write the security document (inventory, roles, risk and gap analysis, work "
                        "plan, monitoring and training) and submit it to the Transparency Committee."),
        "evidence": ("Documento de seguridad firmado y acta de aprobación.",
                     "Signed security document and approval minutes."),
        "refs": [_ref("LGPDPPSO", "29"), _ref("LGPDPPSO", "30")],
        "xref": {"iso27001": ["5.1", "5.2"], "nist80053": ["PL-2"], "gdpr": ["Art. 24"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "GOV-01.security_document_missing",
                        "governance.security_document", 214, False, "documento aprobado",
                        ("governance.security_document se declaró false: no hay documento de seguridad.",
                         "governance.security_document is declared false: there is no security "
                         "document."))],
    },
    {
        "id": "GOV-02", "domain": "governance", "severity": "high", "effort": "medium",
        "owner": ("Responsable de seguridad de la información", "Information security officer"),
        "title": ("Análisis de riesgo periódico", "Periodic risk analysis"),
        "statement": ("Se realiza un análisis de riesgo de los datos personales al menos una vez al año.",
                      "A risk analysis of the personal data is carried out at least once a year."),
        "remediation": ("Realizar el análisis de riesgo con la metodología institucional y programar su "
                        "repetición anual.",
                        "Carry out the risk analysis with the institutional method and schedule it "
                        "yearly."),
        "evidence": ("Informe del análisis de riesgo con fecha.", "Dated risk analysis report."),
        "refs": [_ref("LGPDPPSO", "27", "IV")],
        "xref": {"iso27001": ["6.1.2"], "nist80053": ["RA-3"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "GOV-02.never_done",
                        "governance.risk_assessment", 215, False, "cada P1Y",
                        ("governance.risk_assessment se declaró false: nunca se ha hecho.",
                         "governance.risk_assessment is declared false: never done."))],
    },
    {
        "id": "GOV-03", "domain": "governance", "severity": "high", "effort": "high",
        "owner": ("Dirección del programa", "Program director"),
        "title": ("Evaluación de impacto antes del lanzamiento", "Impact assessment before launch"),
        "statement": ("Un tratamiento intensivo o relevante (datos sensibles y transferencias) cuenta con "
                      "evaluación de impacto presentada 30 días antes de operar.",
                      "Intensive or relevant processing (sensitive data and transfers) has an impact "
                      "assessment filed 30 days before operating."),
        "remediation": ("Elaborar la evaluación de impacto en la protección de datos y presentarla ante "
                        "la autoridad garante.",
                        "Prepare the data-protection impact assessment and file it with the guarantor "
                        "authority."),
        "evidence": ("Evaluación de impacto y acuse de presentación.",
                     "Impact assessment and filing receipt."),
        "refs": [_ref("LGPDPPSO", "68"), _ref("LGPDPPSO", "69"), _ref("LGPDPPSO", "71")],
        "xref": {"iso27001": [], "nist80053": ["RA-8"], "gdpr": ["Art. 35"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "GOV-03.no_dpia",
                        "governance.impact_assessment", 216, False, "antes de 2026-08-02",
                        ("Trata datos sensibles (rostro) y transfiere datos, pero "
                         "governance.impact_assessment se declaró false.",
                         "It processes sensitive data (rostro) and transfers data, but "
                         "governance.impact_assessment is declared false."))],
    },
    {
        "id": "GOV-04", "domain": "governance", "severity": "medium", "effort": "medium",
        "owner": ("Recursos humanos", "Human resources"),
        "title": ("Capacitación por función", "Role-based training"),
        "statement": ("El personal que trata datos personales recibe capacitación anual según su función.",
                      "Staff who process personal data receive yearly training for their role."),
        "remediation": ("Definir un programa de capacitación por perfil y registrar la asistencia.",
                        "Define a training program per role and record attendance."),
        "evidence": ("Programa de capacitación y listas de asistencia.",
                     "Training program and attendance lists."),
        "refs": [_ref("LGPDPPSO", "27", "VIII")],
        "xref": {"iso27001": ["6.3"], "nist80053": ["AT-2"], "gdpr": ["Art. 39"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "GOV-04.never_done", "governance.training",
                        218, False, "cada P1Y",
                        ("governance.training se declaró false.", "governance.training is declared "
                                                                  "false."))],
    },
    {
        "id": "PN-01", "domain": "privacy_notice", "severity": "high", "effort": "low",
        "owner": ("Unidad de Transparencia", "Transparency Unit"),
        "title": ("Aviso de privacidad integral con los nueve elementos",
                  "Full privacy notice with the nine elements"),
        "statement": ("El aviso de privacidad integral contiene los nueve elementos que exige la ley "
                      "para el sector público.",
                      "The full privacy notice contains the nine elements the law requires of the "
                      "public sector."),
        "remediation": ("Publicar un aviso integral con base legal, datos sensibles, transferencias, "
                        "medios para negarse, mecanismo ARCO y domicilio de la Unidad de Transparencia.",
                        "Publish a full notice with the legal basis, sensitive data, transfers, means "
                        "to refuse, the ARCO mechanism and the Transparency Unit's address."),
        "evidence": ("Aviso de privacidad integral vigente (PDF o captura fechada).",
                     "Current full privacy notice (PDF or dated capture)."),
        "refs": [_ref("LGPDPPSO", "21"), _ref("LGPDPPSO", "20")],
        "xref": {"iso27001": ["5.34"], "nist80053": ["PT-5"], "gdpr": ["Art. 13"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "PN-01.missing_elements",
                        "privacy_notice.elements", 196,
                        ["controller_identity", "purposes"],
                        ["controller_identity", "data_categories", "sensitive_data", "legal_basis",
                         "purposes", "arco_mechanism", "transparency_unit_address", "transfers",
                         "transfer_refusal_means", "changes_mechanism"],
                        ("El aviso declara 2 de 9 elementos; faltan datos sensibles, base legal, "
                         "transferencias y domicilio de la Unidad de Transparencia, entre otros.",
                         "The notice declares 2 of 9 elements; sensitive data, legal basis, "
                         "transfers and the Transparency Unit's address are missing, among others."),
                        source="evidence")],
    },
    {
        "id": "PN-02", "domain": "privacy_notice", "severity": "medium", "effort": "low",
        "owner": ("Unidad de Transparencia", "Transparency Unit"),
        "title": ("Aviso comprensible para menores", "Notice understandable by minors"),
        "statement": ("Cuando hay menores, el aviso se presenta en un lenguaje que puedan entender.",
                      "Where there are minors, the notice uses language they can understand."),
        "remediation": ("Redactar una versión del aviso para adolescentes y enlazarla en el registro.",
                        "Write a version of the notice for teenagers and link it from enrollment."),
        "evidence": ("Versión del aviso para menores.", "Version of the notice for minors."),
        "refs": [_ref("LGPDPPSO", "7", paragraph="segundo párrafo")],
        "xref": {"iso27001": [], "nist80053": ["PT-5"], "gdpr": ["Art. 12"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "PN-02.not_for_minors",
                        "privacy_notice.accessible_to_minors", 197, False, True,
                        ("Hay menores desde los 15 años y privacy_notice.accessible_to_minors es false.",
                         "Minors from age 15 are enrolled and privacy_notice.accessible_to_minors is "
                         "false."))],
    },
    {
        "id": "CON-01", "domain": "consent", "severity": "critical", "effort": "medium",
        "owner": ("Coordinación de inscripción", "Enrollment office"),
        "title": ("Consentimiento expreso y por escrito para datos sensibles",
                  "Express written consent for sensitive data"),
        "statement": ("Los datos sensibles se tratan con consentimiento expreso y por escrito (firma, "
                      "firma electrónica o mecanismo de autenticación).",
                      "Sensitive data are processed with express written consent (signature, "
                      "e-signature or an authentication mechanism)."),
        "remediation": ("Recabar consentimiento expreso y por escrito para la imagen facial, con "
                        "registro de quién, cuándo y para qué finalidad.",
                        "Collect express written consent for the facial image, recording who, when and "
                        "for which purpose."),
        "evidence": ("Formato de consentimiento y registro de consentimientos.",
                     "Consent form and consent register."),
        "refs": [_ref("LGPDPPSO", "7"), _ref("LGPDPPSO", "15", paragraph="último párrafo")],
        "xref": {"iso27001": ["5.34"], "nist80053": ["PT-4"], "gdpr": ["Art. 9"]},
        "status": "fail",
        "findings": [_f("data_category", "rostro", "imagen facial", "fail", "CON-01.not_express_written",
                        "data_inventory[rostro].consent.type", 78, "tacit", "express_written",
                        ("rostro (biométrico, sensible) se recaba con consentimiento tácito.",
                         "rostro (biometric, sensitive) is collected with tacit consent."))],
    },
    {
        "id": "MIN-01", "domain": "minors", "severity": "critical", "effort": "medium",
        "owner": ("Coordinación de inscripción", "Enrollment office"),
        "title": ("Consentimiento de madre, padre o tutor para menores",
                  "Parent or guardian consent for minors"),
        "statement": ("El consentimiento de los menores lo otorga quien ejerce la patria potestad o la "
                      "tutela, conforme a la legislación civil.",
                      "Minors' consent is given by whoever holds parental authority or guardianship, "
                      "under civil law."),
        "remediation": ("Agregar al registro un paso de consentimiento del tutor para solicitantes "
                        "menores de 18 años, con verificación de identidad del tutor.",
                        "Add a guardian-consent step to enrollment for applicants under 18, verifying "
                        "the guardian's identity."),
        "evidence": ("Flujo de registro con el paso de consentimiento del tutor.",
                     "Enrollment flow with the guardian-consent step."),
        "refs": [_ref("LGPDPPSO", "14", paragraph="último párrafo"),
                 _ref("LGPDPPSO", "7", paragraph="segundo párrafo")],
        "xref": {"iso27001": [], "nist80053": ["PT-4"], "gdpr": ["Art. 8"]},
        "status": "fail",
        "findings": [
            _f("data_category", "identidad", "identificación", "fail", "MIN-01.subject_consent",
               "data_inventory[identidad].consent.obtained_from", 42, "subject", "guardian_for_minors",
               ("identidad trata datos de menores (desde 15 años) con consentimiento del propio titular.",
                "identidad holds minors' data (from age 15) with the subject's own consent.")),
            _f("data_category", "contacto", "contacto", "fail", "MIN-01.subject_consent",
               "data_inventory[contacto].consent.obtained_from", 58, "subject", "guardian_for_minors",
               ("contacto trata datos de menores con consentimiento del propio titular.",
                "contacto holds minors' data with the subject's own consent.")),
        ],
    },
    {
        "id": "MIN-02", "domain": "minors", "severity": "high", "effort": "low",
        "owner": ("Coordinación de inscripción", "Enrollment office"),
        "title": ("Verificación de identidad del tutor", "Guardian identity verification"),
        "statement": ("Se verifica la identidad de quien consiente por un menor.",
                      "The identity of whoever consents for a minor is verified."),
        "remediation": ("Declarar cómo se verifica la identidad del tutor.",
                        "Declare how the guardian's identity is verified."),
        "evidence": ("Procedimiento de verificación de identidad.", "Identity verification procedure."),
        "refs": [_ref("LGPDPPSO", "14", paragraph="último párrafo", confidence="V2")],
        "xref": {"iso27001": [], "nist80053": ["IA-12"], "gdpr": ["Art. 8"]},
        "status": "unknown",
        "missing": ["data_inventory[identidad].consent.guardian_identity_verified",
                    "data_inventory[contacto].consent.guardian_identity_verified"],
        "findings": [_f("data_category", "identidad", "identificación", "unknown", "MIN-02.undeclared",
                        "data_inventory[identidad].consent", 42, None, True,
                        ("No se declaró guardian_identity_verified.",
                         "guardian_identity_verified is not declared."))],
    },
    {
        "id": "RET-01", "domain": "retention", "severity": "high", "effort": "medium",
        "owner": ("Responsable de archivo", "Records manager"),
        "title": ("Plazos de conservación y supresión documentados",
                  "Documented retention and deletion periods"),
        "statement": ("Cada categoría tiene un plazo de conservación ligado a su finalidad, con bloqueo "
                      "y supresión segura aplicados.",
                      "Each category has a retention period tied to its purpose, with blocking and "
                      "secure deletion enforced."),
        "remediation": ("Fijar plazos por categoría según el catálogo de disposición documental y "
                        "automatizar la supresión.",
                        "Set periods per category from the records disposition catalog and automate "
                        "deletion."),
        "evidence": ("Catálogo de disposición documental y bitácora de depuración.",
                     "Records disposition catalog and purge log."),
        "refs": [_ref("LGPDPPSO", "17"), _ref("LGPDPPSO", "18")],
        "xref": {"iso27001": ["8.10"], "nist80053": ["SI-12"], "gdpr": ["Art. 5(1)(e)"]},
        "status": "fail",
        "missing": ["data_inventory[identidad].retention"],
        "findings": [
            _f("data_category", "actividad", "actividad en plataforma", "fail", "RET-01.no_disposal",
               "data_inventory[actividad].retention.disposal", 104, "none", "secure_deletion",
               ("actividad se conserva P10Y sin supresión (disposal: none, enforced: none).",
                "actividad is kept P10Y with no deletion (disposal: none, enforced: none).")),
            _f("data_category", "identidad", "identificación", "unknown", "RET-01.undeclared",
               "data_inventory[identidad]", 37, None, "plazo declarado",
               ("identidad no declara retention.", "identidad declares no retention.")),
        ],
    },
    {
        "id": "ENC-01", "domain": "encryption", "severity": "critical", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Cifrado en reposo de datos sensibles", "Encryption at rest of sensitive data"),
        "statement": ("Los sistemas que almacenan datos sensibles o de identificación oficial cifran "
                      "la información en reposo.",
                      "Systems that store sensitive or official-ID data encrypt it at rest."),
        "remediation": ("Activar el cifrado de la base de datos y del almacenamiento de archivos, con "
                        "llaves en un servicio de administración de llaves.",
                        "Turn on database and file storage encryption, with keys in a key management "
                        "service."),
        "evidence": ("Captura de la configuración de cifrado y política de llaves.",
                     "Screenshot of the encryption settings and key policy."),
        "refs": [_ref("LGPDPPSO", "25"), _ref("LGPDPPSO", "26", "II", confidence="V2")],
        "xref": {"iso27001": ["8.24"], "nist80053": ["SC-28"], "gdpr": ["Art. 32(1)(a)"]},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "ENC-01.at_rest_disabled",
               "systems[portal-inscripcion].encryption.at_rest.enabled", 131, False, True,
               ("portal-inscripcion: encryption.at_rest.enabled es false; se requiere true porque "
                "almacena 'curp' (identificación oficial).",
                "portal-inscripcion: encryption.at_rest.enabled is false; required true because it "
                "stores 'curp' (official ID).")),
            _f("system", "control-acceso", "Control de acceso facial a campus", "fail",
               "ENC-01.at_rest_disabled", "systems[control-acceso].encryption.at_rest.enabled", 182,
               False, True,
               ("control-acceso: encryption.at_rest.enabled es false; se requiere true porque almacena "
                "'rostro' (biométrico).",
                "control-acceso: encryption.at_rest.enabled is false; required true because it stores "
                "'rostro' (biometric).")),
            _f("system", "plataforma-aprendizaje", "Plataforma de aprendizaje", "pass",
               "ENC-01.at_rest_enabled", "systems[plataforma-aprendizaje].encryption.at_rest.enabled",
               166, True, True,
               ("plataforma-aprendizaje cifra en reposo (AES-256).",
                "plataforma-aprendizaje encrypts at rest (AES-256).")),
        ],
    },
    {
        "id": "ENC-02", "domain": "encryption", "severity": "high", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("TLS 1.2 o superior en tránsito", "TLS 1.2 or higher in transit"),
        "statement": ("Los servicios expuestos solo aceptan TLS 1.2 o superior y envían HSTS.",
                      "Exposed services accept only TLS 1.2 or higher and send HSTS."),
        "remediation": ("Deshabilitar TLS 1.0 y 1.1 en el balanceador y activar HSTS.",
                        "Disable TLS 1.0 and 1.1 on the load balancer and turn on HSTS."),
        "evidence": ("Resultado de un escaneo TLS reciente.", "Result of a recent TLS scan."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.24"], "nist80053": ["SC-8"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "ENC-02.tls_min",
               "systems[portal-inscripcion].encryption.in_transit.tls_min_version", 132, "1.0", "1.2",
               ("portal-inscripcion declara tls_min_version 1.0.",
                "portal-inscripcion declares tls_min_version 1.0.")),
            _f("host", "203.0.113.10:443", None, "fail", "ENC-02.tls_observed",
               "scans[portal-externo]", 240, ["TLSv1.0", "TLSv1.2"], ["TLSv1.2", "TLSv1.3"],
               ("El escaneo externo observó TLSv1.0 en 203.0.113.10:443.",
                "The external scan observed TLSv1.0 on 203.0.113.10:443."), source="scan"),
        ],
    },
    {
        "id": "ENC-03", "domain": "encryption", "severity": "medium", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Respaldos cifrados", "Encrypted backups"),
        "statement": ("Los respaldos que contienen datos personales están cifrados.",
                      "Backups holding personal data are encrypted."),
        "remediation": ("Cifrar los respaldos y guardar las llaves aparte.",
                        "Encrypt backups and keep the keys separately."),
        "evidence": ("Configuración de la herramienta de respaldo.", "Backup tool configuration."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.13"], "nist80053": ["CP-9"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [_f("system", "portal-inscripcion", "Portal de inscripción", "fail",
                        "ENC-03.backup_plain", "systems[portal-inscripcion].backups.encrypted", 157,
                        False, True,
                        ("portal-inscripcion: backups.encrypted es false.",
                         "portal-inscripcion: backups.encrypted is false."))],
    },
    {
        "id": "AC-01", "domain": "access_control", "severity": "high", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Sin cuentas compartidas", "No shared accounts"),
        "statement": ("Cada persona usa su propia cuenta; no hay cuentas compartidas.",
                      "Each person uses their own account; there are no shared accounts."),
        "remediation": ("Eliminar las cuentas compartidas y crear cuentas nominales con roles.",
                        "Remove shared accounts and create named accounts with roles."),
        "evidence": ("Listado de cuentas con titular.", "List of accounts with their holders."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["5.16"], "nist80053": ["AC-2"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "AC-01.shared",
               "systems[portal-inscripcion].access_control.shared_accounts", 155, True, False,
               ("portal-inscripcion declara cuentas compartidas.",
                "portal-inscripcion declares shared accounts.")),
            _f("system", "control-acceso", "Control de acceso facial a campus", "fail", "AC-01.shared",
               "systems[control-acceso].access_control.shared_accounts", 187, True, False,
               ("control-acceso declara cuentas compartidas.", "control-acceso declares shared "
                                                               "accounts.")),
        ],
    },
    {
        "id": "AC-02", "domain": "access_control", "severity": "medium", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Revisión periódica de accesos", "Periodic access review"),
        "statement": ("Los accesos se revisan al menos cada seis meses.",
                      "Access rights are reviewed at least every six months."),
        "remediation": ("Declarar y programar la revisión de accesos.",
                        "Declare and schedule the access review."),
        "evidence": ("Acta de la última revisión de accesos.", "Minutes of the last access review."),
        "refs": [_ref("LGPDPPSO", "27", "VII")],
        "xref": {"iso27001": ["5.18"], "nist80053": ["AC-2(3)"], "gdpr": []},
        "status": "unknown",
        "missing": ["systems[portal-inscripcion].access_control.access_review",
                    "systems[plataforma-aprendizaje].access_control",
                    "systems[control-acceso].access_control.access_review"],
        "findings": [],
    },
    {
        "id": "AUTH-01", "domain": "authentication", "severity": "critical", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Doble factor para administradores", "Multi-factor authentication for admins"),
        "statement": ("Las cuentas de administración y del personal exigen un segundo factor.",
                      "Admin and staff accounts require a second factor."),
        "remediation": ("Exigir MFA a administradores y personal, sin excepción.",
                        "Require MFA for admins and staff, without exceptions."),
        "evidence": ("Política de autenticación y captura de la configuración.",
                     "Authentication policy and configuration screenshot."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.5"], "nist80053": ["IA-2(1)"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "AUTH-01.mfa",
               "systems[portal-inscripcion].authentication[1].mfa", 152, "optional", "required",
               ("portal-inscripcion: admins con mfa optional.", "portal-inscripcion: admins with mfa "
                                                                "optional.")),
            _f("system", "control-acceso", "Control de acceso facial a campus", "fail", "AUTH-01.mfa",
               "systems[control-acceso].authentication[0].mfa", 185, "none", "required",
               ("control-acceso: admins sin MFA.", "control-acceso: admins without MFA.")),
        ],
    },
    {
        "id": "AUTH-02", "domain": "authentication", "severity": "high", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Integración segura con Llave MX", "Secure Llave MX integration"),
        "statement": ("La integración con Llave MX valida el parámetro state, guarda el secreto en una "
                      "bóveda y no ofrece un acceso local alterno.",
                      "The Llave MX integration checks the state parameter, keeps the secret in a vault "
                      "and offers no local fallback login."),
        "remediation": ("Validar state, mover el secreto del cliente a una bóveda y retirar el acceso "
                        "local alterno.",
                        "Check state, move the client secret to a vault and remove the local fallback "
                        "login."),
        "evidence": ("Revisión de código del flujo OAuth.", "Code review of the OAuth flow."),
        "refs": [_ref("LNETB", "74", confidence="V"), _ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.5"], "nist80053": ["IA-8"], "gdpr": []},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "AUTH-02.state",
               "systems[portal-inscripcion].authentication[0].llave_mx.state_checked", 143, False, True,
               ("No se valida el parámetro state (CSRF en el inicio de sesión).",
                "The state parameter is not checked (login CSRF).")),
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "AUTH-02.secret",
               "systems[portal-inscripcion].authentication[0].llave_mx.client_secret_storage", 149,
               "source_code", "vault",
               ("El secreto del cliente está en el código fuente.", "The client secret is in the source "
                                                                    "code.")),
        ],
    },
    {
        "id": "AUTH-03", "domain": "authentication", "severity": "medium", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Redirecciones HTTPS registradas", "Registered HTTPS redirect URIs"),
        "statement": ("Las URI de redirección registradas en Llave MX usan HTTPS.",
                      "The redirect URIs registered with Llave MX use HTTPS."),
        "remediation": ("Mantener solo URI HTTPS.", "Keep HTTPS-only URIs."),
        "evidence": ("Registro del cliente en Llave MX.", "Llave MX client registration."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.5"], "nist80053": ["SC-8"], "gdpr": []},
        "status": "pass",
        "findings": [_f("system", "portal-inscripcion", "Portal de inscripción", "pass", "AUTH-03.https",
                        "systems[portal-inscripcion].authentication[0].llave_mx.redirect_uris_https",
                        142, True, True,
                        ("Redirecciones HTTPS declaradas.", "HTTPS redirects declared."))],
    },
    {
        "id": "LOG-01", "domain": "logging", "severity": "high", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Bitácora de accesos a datos personales", "Access log of personal data"),
        "statement": ("Los sistemas registran quién consultó, exportó o modificó datos personales.",
                      "Systems record who read, exported or changed personal data."),
        "remediation": ("Activar bitácoras de acceso con actor, registro, acción, fecha e IP.",
                        "Turn on access logs with actor, record, action, time and IP."),
        "evidence": ("Extracto de bitácora.", "Log excerpt."),
        "refs": [_ref("LGPDPPSO", "25"), _ref("LGPDPPSO", "33", confidence="V")],
        "xref": {"iso27001": ["8.15"], "nist80053": ["AU-2"], "gdpr": ["Art. 30"]},
        "status": "fail",
        "findings": [
            _f("system", "portal-inscripcion", "Portal de inscripción", "fail", "LOG-01.off",
               "systems[portal-inscripcion].logging.access_logs", 156, False, True,
               ("portal-inscripcion no guarda bitácora de accesos.", "portal-inscripcion keeps no "
                                                                     "access log.")),
            _f("system", "control-acceso", "Control de acceso facial a campus", "fail", "LOG-01.off",
               "systems[control-acceso].logging.access_logs", 188, False, True,
               ("control-acceso no guarda bitácora de accesos.", "control-acceso keeps no access "
                                                                 "log.")),
        ],
    },
    {
        "id": "LOG-02", "domain": "logging", "severity": "medium", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Contenido suficiente de la bitácora", "Sufficient log content"),
        "statement": ("Las bitácoras registran lecturas, exportaciones y cambios, con actor, registro y "
                      "origen.",
                      "Logs record reads, exports and changes, with actor, record and source."),
        "remediation": ("Agregar eventos read, export y permission_change, y los campos record_id y "
                        "source_ip.",
                        "Add read, export and permission_change events, and the record_id and source_ip "
                        "fields."),
        "evidence": ("Extracto de bitácora con los campos.", "Log excerpt with the fields."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.15"], "nist80053": ["AU-3"], "gdpr": []},
        "status": "partial",
        "findings": [_f("system", "plataforma-aprendizaje", "Plataforma de aprendizaje", "partial",
                        "LOG-02.partial_events", "systems[plataforma-aprendizaje].logging.events", 172,
                        ["login"], ["read", "export", "write", "login"],
                        ("Solo se registra login; faltan read, export y write.",
                         "Only login is logged; read, export and write are missing."))],
    },
    {
        "id": "LOG-03", "domain": "logging", "severity": "low", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Retención de bitácoras de un año", "One-year log retention"),
        "statement": ("Las bitácoras se conservan al menos un año.",
                      "Logs are kept for at least one year."),
        "remediation": ("Ampliar la retención de bitácoras a P1Y.", "Extend log retention to P1Y."),
        "evidence": ("Configuración de retención.", "Retention configuration."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.15"], "nist80053": ["AU-11"], "gdpr": []},
        "status": "waived", "underlying_status": "fail",
        "waiver": {"id": "w-bitacoras", "reason": ("Migración del LMS prevista para marzo de 2027.",
                                                   "LMS migration planned for March 2027."),
                   "approved_by": "Director del programa", "approved_on": "2026-10-01",
                   "expires": "2027-03-31"},
        "findings": [_f("system", "plataforma-aprendizaje", "Plataforma de aprendizaje", "fail",
                        "LOG-03.short", "systems[plataforma-aprendizaje].logging.retention", 172,
                        "P30D", "P1Y",
                        ("Retención de 30 días.", "30-day retention."))],
    },
    {
        "id": "NET-01", "domain": "network_exposure", "severity": "high", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Sin bases de datos expuestas a internet", "No databases exposed to the internet"),
        "statement": ("Ningún puerto de base de datos es accesible desde internet.",
                      "No database port is reachable from the internet."),
        "remediation": ("Cerrar el puerto 3306 en el firewall perimetral.",
                        "Close port 3306 on the perimeter firewall."),
        "evidence": ("Escaneo externo posterior al cambio.", "External scan after the change."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.20"], "nist80053": ["SC-7"], "gdpr": ["Art. 32"]},
        "status": "fail",
        "findings": [_f("host", "203.0.113.10:3306", None, "fail", "NET-01.db_exposed",
                        "scans[portal-externo]", 240, "mysql abierto", "cerrado",
                        ("El escaneo externo encontró MySQL abierto en 203.0.113.10:3306.",
                         "The external scan found MySQL open on 203.0.113.10:3306."), source="scan")],
    },
    {
        "id": "IR-01", "domain": "incident_response", "severity": "critical", "effort": "medium",
        "owner": ("Responsable de seguridad de la información", "Information security officer"),
        "title": ("Notificación de vulneraciones", "Breach notification"),
        "statement": ("Hay un procedimiento para notificar sin dilación a titulares y, según "
                      "corresponda, a la Secretaría y a la autoridad garante.",
                      "There is a procedure to notify data subjects and, as applicable, the Secretaría "
                      "and the guarantor authority without delay."),
        "remediation": ("Aprobar un plan de respuesta con plantillas de notificación con los cinco "
                        "contenidos mínimos.",
                        "Approve a response plan with notification templates holding the five minimum "
                        "contents."),
        "evidence": ("Plan de respuesta a incidentes y plantillas.", "Incident response plan and "
                                                                      "templates."),
        "refs": [_ref("LGPDPPSO", "34"), _ref("LGPDPPSO", "35")],
        "xref": {"iso27001": ["5.24", "5.26"], "nist80053": ["IR-6"], "gdpr": ["Art. 33", "Art. 34"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "IR-01.no_plan",
                        "incident_response.breach_notification", 205,
                        {"subjects": False, "authority": False}, {"subjects": True, "authority": True},
                        ("No se notifica a titulares ni a la autoridad.",
                         "Neither subjects nor the authority are notified."))],
    },
    {
        "id": "IR-02", "domain": "incident_response", "severity": "high", "effort": "low",
        "owner": ("Responsable de seguridad de la información", "Information security officer"),
        "title": ("Bitácora de vulneraciones", "Breach log"),
        "statement": ("Se lleva una bitácora de vulneraciones con descripción, fecha, causa y acciones.",
                      "A breach log is kept with description, date, cause and actions."),
        "remediation": ("Abrir la bitácora de vulneraciones.", "Open the breach log."),
        "evidence": ("Bitácora de vulneraciones.", "Breach log."),
        "refs": [_ref("LGPDPPSO", "33")],
        "xref": {"iso27001": ["5.27"], "nist80053": ["IR-5"], "gdpr": ["Art. 33(5)"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "IR-02.no_log", "incident_response.breach_log",
                        204, False, True, ("breach_log es false.", "breach_log is false."))],
    },
    {
        "id": "ARCO-01", "domain": "arco_rights", "severity": "high", "effort": "low",
        "owner": ("Unidad de Transparencia", "Transparency Unit"),
        "title": ("Plazos ARCO de ley", "Statutory ARCO deadlines"),
        "statement": ("Las solicitudes ARCO se responden en 20 días hábiles como máximo.",
                      "ARCO requests are answered within 20 business days at most."),
        "remediation": ("Comprometer 20 días hábiles de respuesta y 15 para hacerla efectiva.",
                        "Commit to 20 business days to answer and 15 to make it effective."),
        "evidence": ("Procedimiento ARCO.", "ARCO procedure."),
        "refs": [_ref("LGPDPPSO", "45")],
        "xref": {"iso27001": ["5.34"], "nist80053": ["PM-22"], "gdpr": ["Art. 12(3)"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "ARCO-01.too_slow",
                        "arco.committed_response_days", 200, 30, 20,
                        ("Se comprometen 30 días; la ley fija 20.", "30 days committed; the law sets "
                                                                    "20."))],
    },
    {
        "id": "TRF-01", "domain": "transfers", "severity": "critical", "effort": "medium",
        "owner": ("Dirección jurídica", "Legal office"),
        "title": ("Transferencias con consentimiento y convenio", "Transfers with consent and agreement"),
        "statement": ("Las transferencias a terceros cuentan con consentimiento, se informan en el "
                      "aviso y se formalizan por convenio.",
                      "Transfers to third parties have consent, are stated in the notice and are "
                      "formalised by agreement."),
        "remediation": ("Suspender la transferencia al patrocinador hasta obtener consentimiento "
                        "expreso y firmar convenio.",
                        "Suspend the transfer to the sponsor until express consent is obtained and an "
                        "agreement signed."),
        "evidence": ("Convenio de transferencia y registro de consentimientos.",
                     "Transfer agreement and consent register."),
        "refs": [_ref("LGPDPPSO", "59"), _ref("LGPDPPSO", "60"), _ref("LGPDPPSO", "63")],
        "xref": {"iso27001": ["5.14"], "nist80053": ["PT-2"], "gdpr": ["Art. 6"]},
        "status": "fail",
        "findings": [_f("transfer", "patrocinador-becas", "Empresa patrocinadora de becas", "fail",
                        "TRF-01.no_consent", "transfers[patrocinador-becas].consent_obtained", 189,
                        False, True,
                        ("Se transfieren identidad, contacto y actividad sin consentimiento ni aviso.",
                         "identidad, contacto and actividad are transferred without consent or "
                         "notice."))],
    },
    {
        "id": "PROC-01", "domain": "processors", "severity": "high", "effort": "medium",
        "owner": ("Dirección jurídica", "Legal office"),
        "title": ("Contrato con las cláusulas del encargado", "Processor contract clauses"),
        "statement": ("El contrato con cada encargado contiene las siete cláusulas mínimas, incluida la "
                      "supresión al término y el aviso de vulneraciones.",
                      "The contract with each processor holds the seven minimum clauses, including "
                      "deletion at the end and breach notice."),
        "remediation": ("Firmar un convenio modificatorio con las cláusulas de ley.",
                        "Sign an amendment with the statutory clauses."),
        "evidence": ("Contrato y anexo de protección de datos.", "Contract and data-protection annex."),
        "refs": [_ref("LGPDPPSO", "53"), _ref("LGPDPPSO", "58")],
        "xref": {"iso27001": ["5.20"], "nist80053": ["SA-9"], "gdpr": ["Art. 28"]},
        "status": "fail",
        "findings": [_f("processor", "proveedor-lms", "Proveedor LMS", "fail", "PROC-01.no_dpa",
                        "processors[proveedor-lms].dpa_clauses", 185, False, True,
                        ("proveedor-lms: sin cláusulas de protección de datos ni supresión al término.",
                         "proveedor-lms: no data-protection clauses and no deletion at the end."))],
    },
    {
        "id": "BIO-01", "domain": "biometrics", "severity": "critical", "effort": "high",
        "owner": ("Dirección del programa", "Program director"),
        "title": ("Alternativa al reconocimiento facial", "Alternative to facial recognition"),
        "statement": ("Quien no quiera dar su rostro tiene una alternativa, y la biometría se guarda "
                      "como plantilla, no como imagen.",
                      "Anyone who does not want to give their face has an alternative, and biometrics "
                      "are stored as templates, not images."),
        "remediation": ("Ofrecer credencial con fotografía como alternativa y migrar a plantillas.",
                        "Offer a photo ID as an alternative and migrate to templates."),
        "evidence": ("Procedimiento de acceso alterno.", "Alternative access procedure."),
        "refs": [_ref("LGPDPPSO", "7", confidence="V",
                      note=("Política del catálogo: la biometría se trata como dato sensible.",
                            "Catalog policy: biometrics are treated as sensitive data."))],
        "xref": {"iso27001": [], "nist80053": ["PT-7"], "gdpr": ["Art. 9"]},
        "status": "fail",
        "findings": [_f("data_category", "rostro", "imagen facial", "fail", "BIO-01.no_alternative",
                        "data_inventory[rostro].biometric.alternative_offered", 86, False, True,
                        ("No se ofrece alternativa y se guarda la imagen.",
                         "No alternative is offered and the image is stored."))],
    },
    {
        "id": "STU-01", "domain": "student_exposure", "severity": "high", "effort": "low",
        "owner": ("Coordinación de comunicación", "Communications office"),
        "title": ("Listas de admitidos minimizadas", "Minimised admission lists"),
        "statement": ("Las listas públicas de admitidos usan folio, sin nombre completo ni escuela.",
                      "Public admission lists use a folio number, with no full name or school."),
        "remediation": ("Publicar resultados por folio y retirar las listas con nombre.",
                        "Publish results by folio and take down the lists with names."),
        "evidence": ("Captura de la lista publicada.", "Capture of the published list."),
        "refs": [_ref("LGPDPPSO", "19")],
        "xref": {"iso27001": ["5.34"], "nist80053": ["PM-5"], "gdpr": ["Art. 5(1)(c)"]},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "STU-01.full_lists",
                        "student_exposure.admission_lists_minimized", 228, False, True,
                        ("Las listas de admitidos se publican con nombre.",
                         "Admission lists are published with names."))],
    },
    {
        "id": "PHY-01", "domain": "physical_security", "severity": "low", "effort": "low",
        "owner": ("Administración de campus", "Campus administration"),
        "title": ("Resguardo de expedientes en papel", "Safekeeping of paper records"),
        "statement": ("Los expedientes en papel se guardan bajo llave y se destruyen de forma segura.",
                      "Paper records are locked away and securely shredded."),
        "remediation": ("Instalar archiveros con llave y contratar destrucción certificada.",
                        "Install locked cabinets and hire certified shredding."),
        "evidence": ("Fotografía del archivo y constancias de destrucción.",
                     "Photo of the archive and shredding certificates."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["7.2"], "nist80053": ["PE-3"], "gdpr": []},
        "status": "fail",
        "findings": [_f("program", "programa", None, "fail", "PHY-01.unlocked",
                        "governance.physical.locked_storage", 220, False, True,
                        ("locked_storage es false.", "locked_storage is false."))],
    },
    {
        "id": "RES-01", "domain": "resilience", "severity": "high", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Prueba de restauración de respaldos", "Backup restore test"),
        "statement": ("Se prueba la restauración de respaldos al menos cada seis meses.",
                      "Backup restores are tested at least every six months."),
        "remediation": ("Declarar y ejecutar la prueba de restauración.", "Declare and run a restore "
                                                                            "test."),
        "evidence": ("Informe de la prueba de restauración.", "Restore test report."),
        "refs": [_ref("LGPDPPSO", "25")],
        "xref": {"iso27001": ["8.13"], "nist80053": ["CP-4"], "gdpr": ["Art. 32(1)(c)"]},
        "status": "unknown",
        "missing": ["systems[portal-inscripcion].backups.restore_test",
                    "systems[plataforma-aprendizaje].backups", "systems[control-acceso].backups"],
        "findings": [],
    },
    {
        "id": "MINZ-01", "domain": "minimization", "severity": "medium", "effort": "low",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Uso de idUsuario en lugar de la CURP como llave", "idUsuario rather than CURP as key"),
        "statement": ("El identificador interno del usuario no es la CURP.",
                      "The internal user key is not the CURP."),
        "remediation": ("Usar idUsuario de Llave MX como llave.", "Use Llave MX idUsuario as the key."),
        "evidence": ("Modelo de datos.", "Data model."),
        "refs": [_ref("LGPDPPSO", "19")],
        "xref": {"iso27001": ["8.11"], "nist80053": ["PT-2"], "gdpr": ["Art. 5(1)(c)"]},
        "status": "pass",
        "findings": [_f("system", "plataforma-aprendizaje", "Plataforma de aprendizaje", "pass",
                        "MINZ-01.key", "systems[plataforma-aprendizaje]", 160, "idUsuario", "idUsuario",
                        ("La plataforma no usa la CURP como llave.", "The platform does not key on "
                                                                     "CURP."),
                        source="evidence")],
    },
    {
        "id": "BIO-03", "domain": "biometrics", "severity": "high", "effort": "medium",
        "owner": ("Responsable de TI", "IT lead"),
        "title": ("Neurodatos con salvaguardas reforzadas", "Neurodata with reinforced safeguards"),
        "statement": ("Si se tratan neurodatos, hay consentimiento expreso y evaluación de impacto.",
                      "If neurodata are processed, there is express consent and an impact assessment."),
        "remediation": ("—", "—"),
        "evidence": ("—", "—"),
        "refs": [_ref("LGPDPPSO", "7", confidence="M")],
        "xref": {"iso27001": [], "nist80053": [], "gdpr": ["Art. 9"]},
        "status": "not_applicable",
        "applicability": ("El inventario no declara neurodatos.", "The inventory declares no neurodata."),
        "findings": [],
    },
    {
        "id": "TRF-03", "domain": "transfers", "severity": "medium", "effort": "low",
        "owner": ("Dirección jurídica", "Legal office"),
        "title": ("Cláusulas para transferencias internacionales", "International transfer clauses"),
        "statement": ("Las transferencias al extranjero tienen un receptor obligado a los principios de "
                      "la ley.",
                      "Transfers abroad have a recipient bound to the law's principles."),
        "remediation": ("—", "—"),
        "evidence": ("—", "—"),
        "refs": [_ref("LGPDPPSO", "62")],
        "xref": {"iso27001": ["5.14"], "nist80053": [], "gdpr": ["Art. 46"]},
        "status": "not_applicable",
        "applicability": ("Ninguna transferencia declarada tiene destino fuera de México.",
                          "No declared transfer goes outside Mexico."),
        "findings": [],
    },
]


def _pick(value: Any, lang: str) -> Any:
    """(es, en) pairs become the text of `lang`; everything else is kept."""
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0] if lang == "es" else value[1]
    return value


def _round1(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def _score(results: list[dict[str, Any]]) -> float | None:
    scored = [r for r in results if r["status"] not in ("not_applicable", "waived")]
    total = sum(_WEIGHT[r["severity"]] for r in scored)
    if not total:
        return None
    got = sum(_WEIGHT[r["severity"]] * _CREDIT.get(r["status"], 0.0) for r in scored)
    return _round1(100 * got / total)


def _summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {s: sum(1 for r in results if r["status"] == s) for s in STATUSES}
    by_domain: dict[str, Any] = {}
    for r in results:
        by_domain.setdefault(r["domain"], []).append(r)
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    failing = [r for r in results if r["status"] in ("fail", "partial", "unknown")]
    return {
        "score": _score(results),
        "counts": counts,
        "by_domain": {
            d: {"score": _score(rs), "counts": {s: c for s in STATUSES
                                                 if (c := sum(1 for r in rs if r["status"] == s))}}
            for d, rs in by_domain.items()
        },
        "highest_failed_severity": min((r["severity"] for r in failing), key=order.__getitem__,
                                       default=None),
    }


def sample_doc(lang: str = "es") -> dict[str, Any]:
    """The fixture document in `lang` (a fresh copy each call, so tests may mutate it)."""
    evidence = [
        {"id": "aviso", "path": "evidence/aviso-simplificado.pdf",
         "description": _pick(("Aviso de privacidad simplificado publicado", "Published simplified "
                                                                             "privacy notice"), lang),
         "sha256": _sha("aviso"), "controls": ["PN-01"]},
        {"id": "modelo-datos", "path": "evidence/modelo-de-datos.png",
         "description": _pick(("Diagrama del modelo de datos de la plataforma",
                               "Data model diagram of the platform"), lang),
         "sha256": _sha("modelo"), "controls": ["MINZ-01"]},
    ]
    results = []
    for c in CONTROLS:
        status = c["status"]
        result: dict[str, Any] = {
            "control_id": c["id"], "domain": c["domain"], "severity": c["severity"], "status": status,
            "effective_from": "2025-03-21",
            "title": _pick(c["title"], lang), "statement": _pick(c["statement"], lang),
            "evidence_requested": _pick(c["evidence"], lang),
            "legal_refs": [{**r, "note": _pick(r["note"], lang)} for r in c["refs"]],
            "reasons": [_pick(f["reason"], lang) for f in c["findings"] if f["status"] != "pass"]
            if status not in ("pass", "not_applicable") else [],
            "missing": list(c.get("missing", [])),
            "findings": [{**f, "reason": _pick(f["reason"], lang)} for f in c["findings"]],
            "remediation": _pick(c["remediation"], lang),
            "evidence": [{"id": e["id"], "path": e["path"], "sha256": e["sha256"]}
                         for e in evidence if c["id"] in e["controls"]],
            "xref": c["xref"], "effort": c["effort"], "owner_role": _pick(c["owner"], lang),
            "applicability": _pick(c.get("applicability"), lang),
        }
        if status == "unknown" and not result["reasons"]:
            result["reasons"] = [_pick(("Faltan datos en la declaración para decidir.",
                                        "The declaration lacks the data to decide."), lang)]
        if status == "waived":
            w = c["waiver"]
            result["waiver"] = {**w, "reason": _pick(w["reason"], lang)}
            result["underlying_status"] = c["underlying_status"]
        results.append(result)

    declaration_sha = _sha("ai-center.yaml")
    scan_sha = _sha("portal.xml")
    return copy.deepcopy({
        "schema_version": 1,
        "tool": {"name": "resguarda", "version": "1.0.0"},
        "catalog": {"id": "lfpdppp-edu", "version": "2026.1", "publication_date": "2026-11-01",
                    "sha256": _sha("catalog"),
                    "name": _pick(("Controles de protección de datos para programas educativos",
                                   "Data-protection controls for education programs"), lang)},
        "profile": "public-education",
        "law": "LGPDPPSO",
        "lang": lang,
        "as_of": AS_OF,
        "inputs": [
            {"role": "declaration", "path": "ai-center.yaml", "sha256": declaration_sha},
            {"role": "scan", "id": "portal-externo", "path": "scans/portal.xml", "sha256": scan_sha},
            *({"role": "evidence", "id": e["id"], "path": e["path"], "sha256": e["sha256"]}
              for e in evidence),
        ],
        "declaration": {"path": "ai-center.yaml", "sha256": declaration_sha},
        "program": {"name": PROGRAM_NAME, "short_name": "CPFIA",
                    "operator": "Secretaría de Educación Pública (programa federal)",
                    "operator_type": "public_agency", "role": "responsable",
                    "jurisdiction": {"level": "federal"}, "status": "production"},
        "assessment": {"date": AS_OF, "assessor": "Equipo de TI del programa",
                       "organization": "Coordinación de Tecnologías", "kind": "self_assessment",
                       "scope": "portal de inscripción, plataforma de aprendizaje, control de acceso"},
        "summary": _summary(results),
        "results": results,
        "waivers": [
            {"id": "w-bitacoras", "control": "LOG-03", "systems": ["plataforma-aprendizaje"],
             "reason": _pick(("Migración del LMS prevista para marzo de 2027.",
                              "LMS migration planned for March 2027."), lang),
             "approved_by": "Director del programa", "approved_on": "2026-10-01",
             "expires": "2027-03-31", "state": "active"},
            {"id": "w-mfa-temporal", "control": "AUTH-01", "systems": ["control-acceso"],
             "reason": _pick(("Proveedor sin soporte de MFA durante el piloto.",
                              "Vendor without MFA support during the pilot."), lang),
             "approved_by": "Director del programa", "approved_on": "2025-09-01",
             "expires": "2026-09-01", "state": "expired"},
        ],
        "evidence": evidence,
        "scans": [{"id": "portal-externo", "path": "scans/portal.xml", "vantage": "external",
                   "date": "2026-11-18", "stale": False, "sha256": scan_sha}],
        "observations": [
            {"scan": "portal-externo", "host": "203.0.113.10", "port": 443, "system": "portal-inscripcion",
             "facts": {"service": "https", "tls_versions": ["TLSv1.0", "TLSv1.2"], "hsts": False}},
            {"scan": "portal-externo", "host": "203.0.113.10", "port": 3306, "system": "portal-inscripcion",
             "facts": {"service": "mysql", "product": "MySQL 5.7.44"}},
            {"scan": "portal-externo", "host": "203.0.113.25", "port": 22, "system": None,
             "facts": {"service": "ssh", "product": "OpenSSH 8.2p1"}},
        ],
    })


def real_doc(lang: str = "es", path: Path = EXAMPLE) -> dict[str, Any] | None:
    """A real evaluation of the example through the evaluator's API, or None while it does not exist."""
    try:
        api = importlib.import_module("checker.api")
    except ImportError:
        return None
    doc: dict[str, Any] = api.evaluate_file(path, as_of=AS_OF, lang=lang).to_dict()
    return doc


def docs(lang: str = "es") -> list[tuple[str, dict[str, Any]]]:
    """The documents a renderer test runs on: the fixture always, the real evaluation once it exists."""
    out = [("fixture", sample_doc(lang))]
    real = real_doc(lang)
    if real is not None:
        out.append(("ai-center", real))
    return out


# -- helpers shared by the report tests ---------------------------------------------------------
def pdf_texts(data: bytes) -> list[str]:
    """The text of each page, as pypdfium2 extracts it."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def squash(text: str) -> str:
    """Text without any whitespace: PDF extraction splits and joins lines and spans unpredictably (nor
    the zero-width spaces the report puts into long words as break opportunities)."""
    import re

    return re.sub(r"[\s\u200b]+", "", text)
