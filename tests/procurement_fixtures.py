"""Three bidders answering the vendor questionnaire, written the way a vendor would type the answers
(labels in Spanish, periods in words). Keys are (declaration path, part, row): the import's own map
finds the cell, so the tests fill exactly the cell a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from checker.catalog import load_catalog
from checker.procurement.questions import build_questionnaire
from checker.procurement.workbook import build_layout

Key = tuple[str, str, int | None]


def cell_keys(profile: str = "vendor", lang: str = "es") -> dict[Key, str]:
    lay = build_layout(build_questionnaire(load_catalog(), profile, lang))
    return {(c.field.path, c.part, c.slot): c.key for c in lay.cells}


def fill(blank: Path, target: Path, answers: dict[Key, Any], lang: str = "es") -> None:
    keys = cell_keys(lang=lang)
    wb = openpyxl.load_workbook(blank)
    for key, value in answers.items():
        sheet, ref = keys[key].split("!")
        wb[sheet][ref] = value
    wb.save(target)


def _v(path: str, value: Any, slot: int | None = None, part: str = "") -> tuple[Key, Any]:
    return (path, part, slot), value


VENDOR_SHEET = dict([
    _v("program.name", "Aula Segura"),
    _v("program.operator", "Aula Segura, S.A. de C.V."),
    _v("program.operator_type", "empresa privada"),
    _v("program.controller", "Secretaría de Educación del Estado"),
    _v("program.contact.name", "Ana López"),
    _v("program.contact.email", "privacidad@aula.example.com"),
    _v("program.data_subjects[].type", "estudiantes", 0),
    _v("program.data_subjects[].count", 5000, 0),
    _v("program.data_subjects[].includes_minors", "Sí", 0),
    _v("systems[].name", "Plataforma", 0),
    _v("systems[].hosting.type", "nube (infraestructura)", 0),
    _v("systems[].hosting.provider", "Nube MX", 0),
    _v("systems[].hosting.country", "MX", 0),
    _v("systems[].hosts", "aula.example.com", 0),
    _v("systems[].authentication[].system", "Plataforma", 0),
    _v("systems[].authentication[].audiences", "estudiantes", 0),
    _v("systems[].authentication[].provider", "cuentas propias del sistema", 0),
    _v("systems[].authentication[].protocol", "usuario y contraseña", 0),
    _v("systems[].authentication[].system", "Plataforma", 1),
    _v("systems[].authentication[].audiences", "personal; administradores", 1),
    _v("systems[].authentication[].provider", "cuentas propias del sistema", 1),
    _v("systems[].authentication[].protocol", "usuario y contraseña", 1),
    _v("data_inventory[].id", "Identidad", 0),
    _v("data_inventory[].category", "de identificación", 0),
    _v("data_inventory[].systems", "Plataforma", 0),
    _v("data_inventory[].subjects", "estudiantes", 0),
    _v("processors", "Sí", None, "presence"),
    _v("processors[].name", "Nube MX", 0),
    _v("processors[].service", "alojamiento en la nube", 0),
    _v("processors[].country", "MX", 0),
    _v("transfers", "No", None, "presence"),
])

GOOD_ANSWERS = dict([
    _v("governance.data_protection_officer", "Sí"),
    _v("governance.security_document.contents", "inventario; funciones y obligaciones; análisis de riesgos; "
       "análisis de brecha; plan de trabajo; monitoreo; capacitación; registro de soportes"),
    _v("governance.risk_assessment", "1 año", None, "every"),
    _v("governance.risk_assessment", "2026-03-01", None, "last_done"),
    _v("governance.policies", "Política de privacidad; Política de seguridad"),
    _v("governance.internal_audit", "1 año", None, "every"),
    _v("governance.internal_audit", "2026-05-01", None, "last_done"),
    _v("governance.security_document.last_reviewed", "2026-04-01"),
    _v("governance.training", "1 año", None, "every"),
    _v("governance.training", "2026-06-01", None, "last_done"),
    _v("governance.confidentiality_agreements", "Sí"),
    _v("data_inventory[].purposes", "aplicar exámenes; emitir constancias", 0),
    _v("governance.inventory_review", "1 año", None, "every"),
    _v("governance.inventory_review", "2026-06-01", None, "last_done"),
    _v("data_inventory[].publicly_exposed", "No", 0),
    _v("data_inventory[].fields", "nombre; matrícula; escuela", 0),
    _v("data_inventory[].retention.period", "30 días", 0),
    _v("data_inventory[].retention.trigger", "el fin del contrato", 0),
    _v("data_inventory[].retention.disposal", "borrado seguro", 0),
    _v("data_inventory[].retention.basis", "la finalidad", 0),
    _v("data_inventory[].retention.enforced", "automática", 0),
    _v("data_inventory[].retention.covers_backups", "Sí", 0),
    _v("data_inventory[].retention.covers_processors", "Sí", 0),
    _v("data_inventory[].model_training", "No", 0),
    _v("systems[].encryption.at_rest.enabled", "Sí", 0),
    _v("systems[].encryption.in_transit.tls_min_version", "TLS 1.2", 0),
    _v("systems[].encryption.at_rest.key_management", "servicio de llaves (KMS)", 0),
    _v("systems[].encryption.at_rest.scope", "base de datos; archivos", 0),
    _v("systems[].encryption.in_transit.hsts", "Sí", 0),
    _v("systems[].encryption.in_transit.internal_traffic_encrypted", "Sí", 0),
    _v("systems[].access_control.rbac", "Sí", 0),
    _v("systems[].access_control.least_privilege", "Sí", 0),
    _v("systems[].access_control.shared_accounts", "No", 0),
    _v("systems[].access_control.access_review", "6 meses", 0, "every"),
    _v("systems[].access_control.access_review", "2026-09-01", 0, "last_done"),
    _v("systems[].access_control.admin_accounts", 3, 0),
    _v("systems[].authentication[].mfa", "opcional", 0),
    _v("systems[].authentication[].mfa", "obligatorio", 1),
    _v("systems[].logging.access_logs", "Sí", 0),
    _v("systems[].logging.events", "lecturas; búsquedas; cambios; exportaciones; exportaciones masivas; borrados; "
       "inicios de sesión; inicios de sesión fallidos; acciones de administración; cambios de permisos", 0),
    _v("systems[].logging.records", "persona; registro consultado; acción; fecha y hora; resultado; "
       "dirección de origen", 0),
    _v("systems[].logging.retention", "1 año", 0),
    _v("systems[].logging.tamper_evident", "Sí", 0),
    _v("systems[].logging.centralized", "Sí", 0),
    _v("systems[].logging.review", "1 mes", 0, "every"),
    _v("systems[].logging.review", "2026-11-01", 0, "last_done"),
    _v("systems[].logging.alerting", "Sí", 0),
    _v("incident_response.plan", "Sí"),
    _v("incident_response.breach_log", "Sí"),
    _v("incident_response.breach_notification.within", "72 horas"),
    _v("incident_response.plan_test", "1 año", None, "every"),
    _v("incident_response.plan_test", "2026-03-15", None, "last_done"),
    _v("incident_response.breach_notification.template", "Sí"),
    _v("incident_response.contacts", "Mesa de seguridad (24 h); Oficial de privacidad"),
    _v("systems[].hosting.processor", "Nube MX", 0),
    _v("processors[].dpa_clauses", "Sí", 0),
    _v("processors[].contract", "Sí", 0),
    _v("processors[].deletion_at_end", "Sí", 0),
    _v("processors[].subprocessors_disclosed", "Sí", 0),
    _v("processors[].subprocessor_approval", "Sí", 0),
    _v("processors[].audit_rights", "Sí", 0),
    _v("processors[].breach_notice_within", "24 horas", 0),
    _v("processors[].security_certifications", "ISO/IEC 27001:2022", 0),
    _v("processors[].standard_terms", "Sí", 0),
    _v("processors[].terms", "Políticas equivalentes; Subcontratación transparentada; Sin apropiación de datos; "
       "Confidencialidad; Aviso de cambios; Límites del responsable; Medidas de seguridad; Supresión al terminar; "
       "Impide accesos no autorizados; Aviso de requerimientos de autoridad", 0),
    _v("governance.physical.paper_records", "No"),
    _v("systems[].backups.enabled", "Sí", 0),
    _v("systems[].backups.offsite", "Sí", 0),
    _v("systems[].backups.encrypted", "Sí", 0),
    _v("systems[].backups.restore_test", "6 meses", 0, "every"),
    _v("systems[].backups.restore_test", "2026-08-01", 0, "last_done"),
    _v("systems[].vulnerability_management.patch_critical_within", "7 días", 0),
    _v("systems[].vulnerability_management.scanning", "1 mes", 0, "every"),
    _v("systems[].vulnerability_management.scanning", "2026-11-05", 0, "last_done"),
    _v("systems[].vulnerability_management.pentest", "1 año", 0, "every"),
    _v("systems[].vulnerability_management.pentest", "2026-04-20", 0, "last_done"),
])

# The complete, good bidder.
GOOD = {**VENDOR_SHEET, **GOOD_ANSWERS}

# The same service with gaps: optional second factor for staff (high), breach notice in 10 days
# (medium), a log that can be altered (medium).
GAPS = {**GOOD,
        _v("program.name", "Campus Rápido")[0]: "Campus Rápido",
        _v("systems[].authentication[].mfa", "", 1)[0]: "opcional",
        _v("processors[].breach_notice_within", "", 0)[0]: "10 días",
        _v("systems[].logging.tamper_evident", "", 0)[0]: "No"}

# Half answered, and it offers Llave MX login for students: six Llave MX controls apply to it only.
# Every other field left blank (both cells of recurring work go together): no answer is wrong.
_PATHS = list(dict.fromkeys(k[0] for k in GOOD_ANSWERS))
_HALF_KEYS = [k for k in GOOD_ANSWERS if _PATHS.index(k[0]) % 2 == 0]
HALF = {**VENDOR_SHEET,
        _v("program.name", "")[0]: "Escuela Digital",
        _v("systems[].authentication[].provider", "", 0)[0]: "Llave MX",
        _v("systems[].authentication[].protocol", "", 0)[0]: "OpenID Connect",
        **{k: GOOD_ANSWERS[k] for k in _HALF_KEYS}}
