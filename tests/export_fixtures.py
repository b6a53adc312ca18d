"""Result documents for the export and diff tests.

`sample_document()` builds a document shaped exactly like `results.md` (plus the keys the evaluator adds,
see docs/HELPERS-COMMON.md), covering every status, a scan finding, evidence, an active and an expired
waiver, Spanish accents and hostile text. `evaluated_document()` returns a real evaluation of an example
once `checker.api` exists, so the same tests run against the real evaluator.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

BAD = ("fail", "partial", "unknown")
WAIVER_REASON = "Se instala el lector de credenciales en enero; mientras tanto, acceso manual en recepción."

# Text a hostile declaration could carry: markup, CSV formulas, control characters, quotes.
HOSTILE = '=HYPERLINK("http://evil.example") <script>alert(1)</script> ]]> & "comillas" \x07'


def fingerprint(control_id: str, kind: str, subject_id: str, code: str) -> str:
    return hashlib.sha256(f"{control_id}|{kind}|{subject_id}|{code}".encode()).hexdigest()


def _finding(control_id: str, kind: str, subject_id: str, name: str, status: str, code: str, path: str,
             line: int, column: int, reason: str, source: str = "declared", declared: Any = None,
             required: Any = None) -> dict[str, Any]:
    return {
        "subject": {"kind": kind, "id": subject_id, "name": name},
        "status": status,
        "code": code,
        "path": path,
        "location": {"file": "ai-center.yaml", "line": line, "column": column},
        "declared": declared,
        "required": required,
        "source": source,
        "fingerprint": fingerprint(control_id, kind, subject_id, code),
        "missing": [],
        "reason": reason,
    }


def _result(control_id: str, domain: str, severity: str, status: str, title: str,
            findings: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "control_id": control_id,
        "domain": domain,
        "severity": severity,
        "status": status,
        "effective_from": "2025-03-21",
        "title": title,
        "statement": f"Enunciado de {control_id}: {title}.",
        "evidence_requested": "Captura de la configuración y política vigente.",
        "legal_refs": [
            {"law": "LGPDPPSO", "article": "25", "fraction": None, "confidence": "V",
             "citation": "LGPDPPSO art. 25", "note": None},
        ],
        "xref": {"iso27001": ["8.24"], "nist80053": ["SC-28"], "gdpr": ["32"]},
        "effort": "medium",
        "owner_role": "Responsable de TI",
        "applicability": None,
        "reasons": [f["reason"] for f in findings if f["status"] in BAD],
        "missing": [],
        "findings": findings,
        "remediation": f"Corrija {control_id}: active la medida y documéntela en el documento de seguridad.",
        "evidence": [],
    }
    result.update(extra)
    return result


def sample_document(lang: str = "es") -> dict[str, Any]:
    """A small but complete result document of the AI center."""
    sha = "ab" * 32
    enc01 = _result("ENC-01", "encryption", "critical", "fail", "Los datos sensibles se cifran en reposo", [
        _finding("ENC-01", "system", "portal-inscripcion", "Portal de inscripción", "fail",
                 "ENC-01.at_rest_disabled", "systems[portal-inscripcion].encryption.at_rest.enabled", 106, 7,
                 "portal-inscripcion: encryption.at_rest.enabled es false; se requiere true porque almacena "
                 "'rostro' (biométrico)", declared=False, required=True),
        _finding("ENC-01", "system", "plataforma-aprendizaje", "Plataforma de aprendizaje", "pass",
                 "ENC-01.at_rest_enabled", "systems[plataforma-aprendizaje].encryption.at_rest.enabled", 140, 7,
                 "plataforma-aprendizaje: cifrado en reposo activo", declared=True, required=True),
    ])
    enc01["legal_refs"].append({"law": "LGPDPPSO", "article": "27", "fraction": "II", "confidence": "V2",
                                "citation": "LGPDPPSO art. 27 fr. II", "note": "análisis de riesgos"})
    enc01["evidence"] = [{"id": "politica-cifrado", "path": "evidence/política cifrado.pdf", "sha256": sha}]

    tls = _result("NET-02", "network_exposure", "high", "fail", "TLS 1.2 o superior en servicios expuestos", [
        _finding("NET-02", "host", "203.0.113.10:443", "203.0.113.10:443", "fail", "NET-02.tls_old_offered",
                 "scans[portal-externo]", 0, 0, "203.0.113.10:443 ofrece TLSv1.0", source="scan",
                 declared=["TLSv1.0", "TLSv1.2"], required="TLSv1.2+"),
    ])
    # A scan finding points at the scan entry of the declaration.
    tls["findings"][0]["location"] = {"file": "ai-center.yaml", "line": 215, "column": 5}

    notice = _result("PN-01", "privacy_notice", "high", "partial", "El aviso de privacidad está completo", [
        _finding("PN-01", "program", "program", "Centro Público de Formación en IA", "partial",
                 "PN-01.elements_missing", "privacy_notice.elements", 185, 3,
                 "Al aviso le faltan 7 de 9 elementos: legal_basis, transfers, arco_mechanism…"),
    ])
    logs_finding_missing = ["systems[control-acceso].logging.events"]
    logs = _result("LOG-01", "logging", "medium", "unknown", "Se registran los accesos a datos personales", [
        _finding("LOG-01", "system", "control-acceso", HOSTILE, "unknown", "LOG-01.events_missing",
                 "systems[control-acceso].logging.events", 155, 5,
                 f"control-acceso: logging.events no está declarado ({HOSTILE})"),
    ], missing=logs_finding_missing)
    logs["findings"][0]["missing"] = logs_finding_missing
    bio_finding = _finding("BIO-02", "data_category", "rostro", "rostro", "waived", "BIO-02.no_alternative",
                           "data_inventory[rostro].biometric.alternative_offered", 85, 7,
                           "rostro: no se ofrece alternativa al acceso facial")
    bio_finding["underlying_status"] = "fail"
    bio = _result("BIO-02", "biometrics", "high", "waived", "Se ofrece una alternativa al reconocimiento facial",
                  [bio_finding], waiver={"id": "w-biometria", "reason": WAIVER_REASON,
                                         "approved_by": "Titular de la Unidad de Transparencia",
                                         "approved_on": "2026-10-01", "expires": "2026-12-31", "systems": []},
                  underlying_status="fail")
    bio["reasons"] = ["Exceptuado por w-biometria", bio_finding["reason"]]
    na_finding = _finding("MIN-03", "program", "program", "Centro Público de Formación en IA", "not_applicable",
                          "MIN-03.program", "data_subjects", 19, 3,
                          "No aplica: el programa no trata datos de menores de 12 años.")
    minors = _result("MIN-03", "minors", "low", "not_applicable", "Verificación de edad con documento",
                     [na_finding], applicability="El programa no trata datos de menores de 12 años.")
    minors["reasons"] = [na_finding["reason"]]
    # Partly waived: the waiver names one system, so the other still fails and the control stays `fail`.
    acc_waived = _finding("ACC-01", "system", "portal-inscripcion", "Portal de inscripción", "waived",
                          "ACC-01.shared_accounts", "systems[portal-inscripcion].access_control.shared_accounts",
                          132, 5, "portal-inscripcion: access_control.shared_accounts es true")
    acc_waived["underlying_status"] = "fail"
    acc = _result("ACC-01", "access_control", "high", "fail", "No hay cuentas compartidas", [
        acc_waived,
        _finding("ACC-01", "system", "control-acceso", "Control de acceso facial", "fail",
                 "ACC-01.shared_accounts", "systems[control-acceso].access_control.shared_accounts", 154, 5,
                 "control-acceso: access_control.shared_accounts es true"),
    ], waiver={"id": "w-cuentas", "reason": "Migración a cuentas nominales en curso", "approved_by": "Dirección",
               "approved_on": "2026-11-01", "expires": "2027-02-01", "systems": ["portal-inscripcion"]})
    arco = _result("ARCO-01", "arco_rights", "medium", "pass", "Hay un canal para derechos ARCO", [
        _finding("ARCO-01", "program", "program", "Centro Público de Formación en IA", "pass", "ARCO-01.channel",
                 "arco.channels", 189, 3, "arco: hay al menos un canal"),
    ])
    gov = _result("GOV-02", "governance", "critical", "fail", "Existe un documento de seguridad", [
        _finding("GOV-02", "program", "program", "Centro Público de Formación en IA", "fail",
                 "GOV-02.no_security_document", "governance.security_document", 201, 3,
                 "governance.security_document es false; se requiere un documento aprobado"),
    ])
    results = [gov, notice, minors, enc01, tls, acc, logs, bio, arco]
    counts = dict.fromkeys(("pass", "fail", "partial", "unknown", "not_applicable", "waived"), 0)
    for result in results:
        counts[result["status"]] += 1
    doc: dict[str, Any] = {
        "schema_version": 1,
        "tool": {"name": "resguarda", "version": "1.0.0"},
        "catalog": {"id": "lfpdppp-edu", "name": "Controles de protección de datos para educación",
                    "version": "2026.1", "publication_date": "2026-11-01", "sha256": "cd" * 32},
        "profile": "public-education",
        "law": "LGPDPPSO",
        "lang": lang,
        "as_of": "2026-11-20",
        "inputs": [
            {"role": "declaration", "path": "ai-center.yaml", "sha256": "01" * 32},
            {"role": "scan", "id": "portal-externo", "path": "scans/portal.xml", "sha256": "02" * 32},
            {"role": "evidence", "id": "politica-cifrado", "path": "evidence/política cifrado.pdf", "sha256": sha},
        ],
        "declaration": {"path": "ai-center.yaml", "sha256": "01" * 32},
        "program": {"name": "Centro Público de Formación en Inteligencia Artificial", "short_name": "CPFIA",
                    "operator": "Secretaría de Educación Pública (programa federal)",
                    "operator_type": "public_agency", "role": "responsable",
                    "jurisdiction": {"level": "federal"}, "status": "production"},
        "assessment": {"date": "2026-11-20", "assessor": "Equipo de TI del programa", "organization": None,
                       "kind": "self_assessment", "scope": "portal de inscripción y plataforma"},
        "summary": {
            "score": 23.1,
            "counts": counts,
            "by_domain": {"encryption": {"score": 0.0, "counts": {"fail": 1}}},
            "highest_failed_severity": "critical",
        },
        "results": results,
        "observations": [
            {"scan": "portal-externo", "host": "203.0.113.10", "port": 443, "system": "portal-inscripcion",
             "facts": {"tls_versions": ["TLSv1.0", "TLSv1.2"], "service": "https"}},
            {"scan": "portal-externo", "host": "203.0.113.11", "port": 5432, "system": None,
             "facts": {"service": "postgresql"}},
        ],
        "waivers": [
            {"id": "w-biometria", "control": "BIO-02", "systems": [], "reason": WAIVER_REASON,
             "approved_by": "Titular de la Unidad de Transparencia", "approved_on": "2026-10-01",
             "expires": "2026-12-31", "state": "active"},
            {"id": "w-cuentas", "control": "ACC-01", "systems": ["portal-inscripcion"],
             "reason": "Migración a cuentas nominales en curso", "approved_by": "Dirección",
             "approved_on": "2026-11-01", "expires": "2027-02-01", "state": "active"},
            {"id": "w-vieja", "control": "LOG-01", "systems": ["control-acceso"], "reason": "Piloto",
             "approved_by": "Dirección", "approved_on": "2025-10-01", "expires": "2026-10-01", "state": "expired"},
        ],
        "evidence": [{"id": "politica-cifrado", "path": "evidence/política cifrado.pdf",
                      "description": "Política de cifrado", "sha256": sha, "controls": ["ENC-01"]}],
        "scans": [{"id": "portal-externo", "path": "scans/portal.xml", "vantage": "external",
                   "date": "2026-11-18", "stale": False, "sha256": "02" * 32}],
    }
    return doc


def later_document() -> dict[str, Any]:
    """`sample_document` some months later: ENC-01 fixed on the portal, a new failing system, GOV-02 partial,
    LOG-01 gone from the catalog, a new control, and ARCO-01 regressed from pass to fail."""
    doc = sample_document()
    doc["as_of"] = "2027-05-20"
    doc["catalog"]["version"] = "2027.1"
    by_id = {r["control_id"]: r for r in doc["results"]}
    enc = by_id["ENC-01"]
    enc["findings"][0]["status"] = "pass"
    enc["findings"].append(_finding(
        "ENC-01", "system", "analitica", "Analítica", "fail", "ENC-01.at_rest_disabled",
        "systems[analitica].encryption.at_rest.enabled", 160, 7, "analitica: sin cifrado en reposo"))
    gov = by_id["GOV-02"]
    gov["status"] = "partial"
    gov["findings"][0]["status"] = "partial"
    arco = by_id["ARCO-01"]
    arco["status"] = "fail"
    arco["findings"][0]["status"] = "fail"
    doc["results"] = [r for r in doc["results"] if r["control_id"] != "LOG-01"]
    doc["results"].append(_result("IR-01", "incident_response", "high", "pass", "Hay un plan de incidentes", [
        _finding("IR-01", "program", "program", "CPFIA", "pass", "IR-01.plan", "incident_response.plan", 196, 3,
                 "incident_response.plan está declarado"),
    ]))
    doc["summary"]["score"] = 41.7
    doc["waivers"][0]["expires"] = "2027-06-10"   # 21 days after the new as_of
    return doc


@cache
def evaluated_document(example: str, as_of: str | None = None, lang: str = "es") -> dict[str, Any]:
    """A real evaluation of `examples/<example>` through the public API (cached: tests must not mutate)."""
    api = importlib.import_module("checker.api")
    doc: dict[str, Any] = api.evaluate_file(EXAMPLES / example, as_of=as_of, lang=lang, profile=None).to_dict()
    return doc


def example_files() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def document_ids() -> list[str]:
    """Every document the export tests run on: the hand-made sample and each example, evaluated."""
    return ["sample", *example_files()]


def document(name: str) -> dict[str, Any]:
    if name == "sample":
        return sample_document()
    return copy.deepcopy(evaluated_document(name))
