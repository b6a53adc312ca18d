"""The evaluation view: what was declared, plus the facts the checker derives and what scans saw.

Rules read this view. Declared values keep their positions (so findings point at the right line);
derived values go under `facts` and observed ones under `observed` / `observed_hosts`, names a
declaration cannot use (unknown keys are refused), so nothing declared is ever overwritten.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from checker.declaration import ALWAYS_SENSITIVE, PATRIMONIAL, PUBLIC_OPERATORS, Declaration

MINOR_AUDIENCES = {"student": "students", "applicant": "applicants"}

# The names of the derived facts, per place (a catalog's rules may read them; `catalog check` checks
# rule paths against these and the declaration model). A test keeps them equal to what build_view makes.
TOP_FACTS = frozenset({"public_body", "private_operator", "law", "is_encargado", "has_minors", "processes_sensitive",
                       "processes_biometric", "processes_patrimonial", "processes_official_id", "hosted_abroad",
                       "has_transfers", "has_processors", "intensive_processing", "llave_mx",
                       "data_subject_count", "controller_public", "calendar_public"})
CATEGORY_FACTS = frozenset({"is_sensitive", "is_patrimonial", "is_biometric", "about_minors", "is_official_id",
                            "stored_abroad", "bound_abroad"})
SYSTEM_FACTS = frozenset({"stores_categories", "stores_personal_data", "stores_sensitive", "stores_biometric",
                          "stores_minors_data", "stores_official_id", "abroad", "reachable_from_internet",
                          "audiences"})
PROCESSOR_FACTS = frozenset({"handles_sensitive", "abroad"})
TRANSFER_FACTS = frozenset({"international", "includes_sensitive", "concerns_minors", "consent_given",
                            "express_consent"})
# Where each set of facts sits (a list section of the declaration, or "" for the top).
FACTS_AT = {"": TOP_FACTS, "data_inventory": CATEGORY_FACTS, "systems": SYSTEM_FACTS, "processors": PROCESSOR_FACTS,
            "transfers": TRANSFER_FACTS}


@dataclass
class View:
    data: dict[str, Any]
    observations: list[dict[str, Any]] = field(default_factory=list)
    scans: list[dict[str, Any]] = field(default_factory=list)
    observed_systems: dict[str, dict[str, Any]] = field(default_factory=dict)


def law_for(operator_type: str) -> str:
    return "LGPDPPSO" if operator_type in PUBLIC_OPERATORS else "LFPDPPP"


def governing_type(program: Any) -> str:
    """The operator type whose law governs the processing: for an encargado that declared its
    controller's type (contract 1.1), the controller's; otherwise its own. An encargado of a public body
    answers for the processing under LGPDPPSO arts. 52-58; one of a private operator under the LFPDPPP
    and its Reglamento."""
    if program.role == "encargado" and program.controller_type:
        return str(program.controller_type)
    return str(program.operator_type)


def _category_facts(cat: dict[str, Any], minors_types: set[str] | None,
                     systems_abroad: set[str]) -> dict[str, Any]:
    category = cat["category"]
    sensitive = category in ALWAYS_SENSITIVE or bool(cat.get("sensitive"))
    subjects = set(cat.get("subjects") or [])
    about_minors: bool | None
    if minors_types is None:
        about_minors = None
    elif not subjects:
        about_minors = None if minors_types else False
    else:
        about_minors = bool(subjects & minors_types)
    fields = {f.lower() for f in cat.get("fields") or []}
    return {
        "is_sensitive": sensitive,
        "is_patrimonial": category in PATRIMONIAL,
        "is_biometric": category == "biometric",
        "about_minors": about_minors,
        "is_official_id": category == "official_id" or "curp" in fields,
        "stored_abroad": bool(set(cat.get("systems") or []) & systems_abroad),
        "bound_abroad": False,   # set below when foreign processors handle it under processor clauses
    }


def model_values(model: Declaration) -> dict[str, Any]:
    """What the model understood, shaped as declared: the keys the owner wrote (and only those),
    each with the validated value (`1.2` -> "1.2", a quoted date -> a date). Rules read this, never
    the raw YAML, so the engine and the model cannot disagree about a value."""
    data: dict[str, Any] = model.model_dump(mode="python", exclude_unset=True, by_alias=True)
    return data


def build_view(model: Declaration, declared: dict[str, Any] | None = None, observed: Any | None = None) -> View:
    """The view of what `model` holds (`declared`, the YAML as written, is no longer read: kept in
    the signature for callers); `observed` comes from `checker.scan.observed.observe` when the
    declaration cites scans."""
    data = model_values(model)
    program = model.program

    subjects = program.data_subjects
    minors_types: set[str] | None = None if subjects is None else {
        str(s.type) for s in subjects if s.includes_minors}

    systems = data.get("systems") or []
    systems_abroad = {s["id"] for s in systems
                      if (s.get("hosting") or {}).get("country") not in (None, "MX")}
    inventory = data.get("data_inventory") or []
    by_id = {c["id"]: c for c in inventory}
    for cat in inventory:
        cat["facts"] = _category_facts(cat, minors_types, systems_abroad)
    # A category a foreign processor handles under processor clauses (a remisión abroad bound by contract).
    clauses: dict[str, list[bool]] = {}
    for proc in data.get("processors") or []:
        if proc.get("country") not in (None, "MX"):
            for cid in proc.get("data_categories") or []:
                clauses.setdefault(cid, []).append(proc.get("dpa_clauses") is True)
    for cid, bound in clauses.items():
        if cid in by_id:
            by_id[cid]["facts"]["bound_abroad"] = all(bound)

    inventory_declared = "data_inventory" in data
    for system in systems:
        stored = [c for c in inventory if system["id"] in (c.get("systems") or [])]
        auths = system.get("authentication")
        minors_flags = [c["facts"]["about_minors"] for c in stored]

        def known(value: Any) -> Any:
            # Without an inventory nobody has said what a system stores: unknown, not "nothing".
            return value if inventory_declared else None

        hosting_country = (system.get("hosting") or {}).get("country")
        system["facts"] = {
            "stores_categories": known(sorted({c["category"] for c in stored})),
            "stores_personal_data": known(bool(stored)),
            "stores_sensitive": known(any(c["facts"]["is_sensitive"] for c in stored)),
            "stores_biometric": known(any(c["category"] == "biometric" for c in stored)),
            "stores_minors_data": known(True if any(minors_flags) else (None if None in minors_flags else False)),
            "stores_official_id": known(any(c["facts"]["is_official_id"] for c in stored)),
            "abroad": None if hosting_country is None and (system.get("hosting") or {}).get("type") != "on_premises"
            else system["id"] in systems_abroad,
            "reachable_from_internet": _reachable(system.get("hosts")),
            "audiences": None if auths is None else sorted(
                {a for auth in auths for a in auth.get("audiences") or []}),
        }

    for proc in data.get("processors") or []:
        cats = [by_id[c] for c in proc.get("data_categories") or [] if c in by_id]
        hosted = [s for s in systems if (s.get("hosting") or {}).get("processor") == proc["id"]]
        proc["facts"] = {
            "handles_sensitive": any(c["facts"]["is_sensitive"] for c in cats)
            or any(s["facts"]["stores_sensitive"] for s in hosted),
            "abroad": proc.get("country") not in (None, "MX"),
        }
    for tr in data.get("transfers") or []:
        cats = [by_id[c] for c in tr.get("data_categories") or [] if c in by_id]
        given, express = _transfer_consent(tr)
        tr["facts"] = {
            "international": tr.get("country") not in (None, "MX"),
            "includes_sensitive": any(c["facts"]["is_sensitive"] for c in cats),
            "consent_given": given,
            "express_consent": express,
            "concerns_minors": None if not cats else (
                True if any(c["facts"]["about_minors"] for c in cats)
                else None if any(c["facts"]["about_minors"] is None for c in cats) else False),
        }

    def any_cat(pred: Any) -> bool | None:
        if "data_inventory" not in data:
            return None
        return any(pred(c) for c in inventory)

    sensitive = any_cat(lambda c: c["facts"]["is_sensitive"])
    transfers = data.get("transfers")
    has_minors: bool | None = None if subjects is None else any(s.includes_minors for s in subjects)
    data["facts"] = {
        "public_body": program.operator_type in PUBLIC_OPERATORS,
        "private_operator": program.operator_type not in PUBLIC_OPERATORS,
        "law": law_for(program.operator_type),
        # contract 1.1: the controller's sector (its own for a responsable; unknown for an encargado
        # that did not declare controller_type), and the calendar legal periods are counted with.
        "controller_public": (program.operator_type in PUBLIC_OPERATORS if program.role != "encargado"
                              else None if not program.controller_type
                              else program.controller_type in PUBLIC_OPERATORS),
        "calendar_public": governing_type(program) in PUBLIC_OPERATORS,
        "is_encargado": program.role == "encargado",
        "has_minors": has_minors,
        "processes_sensitive": sensitive,
        "processes_biometric": any_cat(lambda c: c["category"] == "biometric"),
        "processes_patrimonial": any_cat(lambda c: c["category"] in PATRIMONIAL),
        "processes_official_id": any_cat(lambda c: c["facts"]["is_official_id"]),
        "hosted_abroad": None if "systems" not in data else bool(systems_abroad),
        "has_transfers": None if transfers is None else bool(transfers),
        "has_processors": None if data.get("processors") is None else bool(data["processors"]),
        "intensive_processing": True if sensitive or transfers else (
            None if sensitive is None or transfers is None else False),
        "llave_mx": _llave_mx(systems) if "systems" in data else None,
        "data_subject_count": None if subjects is None or any(s.count is None for s in subjects)
        else sum(s.count or 0 for s in subjects),
    }

    view = View(data)
    if observed is not None:
        for system in systems:
            if system["id"] in observed.per_system:
                seen = observed.per_system[system["id"]]
                system["observed"] = _with_certificate_margin(seen)
                if "exposed_data_stores" in seen or "exposed_remote_admin" in seen:
                    # An external scan reached it: whatever its addresses say, it is reachable.
                    system["facts"]["reachable_from_internet"] = True
        data["observed_hosts"] = observed.hosts
        view.observations = observed.observations
        view.scans = observed.scans
        view.observed_systems = dict(observed.per_system)
    return view


CERTIFICATE_MARGIN_DAYS = 30  # a certificate this close to its end is flagged as partial (catalog policy)


def _with_certificate_margin(seen: Any) -> Any:
    """Adds `expiring_certificates` (certificates that had fewer than 30 days left on the day the scan
    saw them, not yet expired) and `certificate_validity` (`current` when none is expired,
    `beyond_30_days` when none is close to its end) to what a scan saw on a system with certificates."""
    certs = seen.get("certificates") if isinstance(seen, dict) else None
    scan_date = seen.get("scan_date") if isinstance(seen, dict) else None
    if not certs or not scan_date:
        return seen
    seen_on = date.fromisoformat(scan_date)
    expiring = []
    for cert in certs:
        end = cert.get("not_after")
        try:
            end_date = date.fromisoformat(end[:10]) if isinstance(end, str) else None
        except ValueError:
            end_date = None
        if end_date is not None and seen_on <= end_date < seen_on + timedelta(days=CERTIFICATE_MARGIN_DAYS):
            expiring.append(f"{cert.get('port')} {cert.get('subject')} (not after {end})")
    validity = [] if seen.get("expired_certificates") else ["current"]
    if not expiring:
        validity.append("beyond_30_days")
    return {**seen, "expiring_certificates": expiring, "certificate_validity": validity}


def _transfer_consent(transfer: dict[str, Any]) -> tuple[bool | None, bool | None]:
    """(consent given, consent express) of a transfer, from `consent` or its 1.0 alias
    `consent_obtained`; None where the declaration does not say."""
    consent = transfer.get("consent")
    if consent is None and "consent_obtained" in transfer:
        obtained = transfer["consent_obtained"]
        return (obtained, False if obtained is False else None) if isinstance(obtained, bool) else (None, None)
    if consent is False:
        return False, False
    if isinstance(consent, dict):
        kind = consent.get("type")
        return True, None if kind is None else kind in ("express", "express_written")
    basis = transfer.get("legal_basis")
    if basis is not None and basis != "consent":
        return False, False  # the declared basis is another one: no consent is relied on
    return None, None


def _reachable(hosts: list[str] | None) -> bool | None:
    """False when every declared host is a private, loopback or link-local address (not routable
    from the internet); a host name or a public address may be reachable; no hosts: unknown."""
    if not hosts:
        return None
    for host in hosts:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return True  # a name: it may resolve to a public address
        if address.is_global:
            return True
    return False


def _llave_mx(systems: list[dict[str, Any]]) -> bool | None:
    """Some system signs people in through Llave MX; unknown while a system's sign-in is undeclared."""
    if any(a.get("provider") == "llave_mx" for s in systems for a in s.get("authentication") or []):
        return True
    if any(s.get("authentication") is None for s in systems):
        return None
    return False


# The declared data each derived fact rests on: what `missing` names when a fact is unknown
# (a leading "/" is from the top of the declaration, otherwise from the item).
FACT_SOURCES = {
    "has_minors": "/program.data_subjects",
    "processes_sensitive": "/data_inventory",
    "processes_biometric": "/data_inventory",
    "processes_patrimonial": "/data_inventory",
    "processes_official_id": "/data_inventory",
    "hosted_abroad": "/systems",
    "has_transfers": "/transfers",
    "has_processors": "/processors",
    "intensive_processing": "/data_inventory",
    "llave_mx": "authentication",
    "data_subject_count": "/program.data_subjects",
    "controller_public": "/program.controller_type",
    "about_minors": "subjects",
    "stores_categories": "/data_inventory",
    "stores_personal_data": "/data_inventory",
    "stores_sensitive": "/data_inventory",
    "stores_biometric": "/data_inventory",
    "stores_minors_data": "/data_inventory",
    "stores_official_id": "/data_inventory",
    "abroad": "hosting.country",
    "reachable_from_internet": "hosts",
    "audiences": "authentication",
    "consent_given": "consent",
    "express_consent": "consent.type",
    "concerns_minors": "data_categories",
    "bound_abroad": "/processors",
}


def declared_path(missing: str) -> str:
    """`systems[a].facts.audiences` -> `systems[a].authentication`; declared paths pass unchanged."""
    if missing == "observed_hosts":
        return "scans"  # what scans saw is decided by citing scans
    head, sep, name = missing.rpartition("facts.")
    source = FACT_SOURCES.get(name) if sep else None
    if source is None:
        return missing
    if source.startswith("/"):
        return source[1:]
    prefix = head.rstrip(".")
    if name == "llave_mx" and not prefix:
        return "systems[].authentication"
    return f"{prefix}.{source}" if prefix else source


def as_of_default(model: Declaration, today: date) -> date:
    if model.assessment and model.assessment.date:
        return model.assessment.date
    return today
