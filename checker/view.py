"""The evaluation view: what was declared, plus the facts the checker derives and what scans saw.

Rules read this view. Declared values keep their positions (so findings point at the right line);
derived values go under `facts` and observed ones under `observed` / `observed_hosts`, names a
declaration cannot use (unknown keys are refused), so nothing declared is ever overwritten.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.declaration import ALWAYS_SENSITIVE, PATRIMONIAL, PUBLIC_OPERATORS, Declaration

MINOR_AUDIENCES = {"student": "students", "applicant": "applicants"}


@dataclass
class View:
    data: dict[str, Any]
    observations: list[dict[str, Any]] = field(default_factory=list)
    scans: list[dict[str, Any]] = field(default_factory=list)
    observed_systems: dict[str, dict[str, Any]] = field(default_factory=dict)


def law_for(operator_type: str) -> str:
    return "LGPDPPSO" if operator_type in PUBLIC_OPERATORS else "LFPDPPP"


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
    }


def _tree_copy(value: Any) -> Any:
    """A copy of plain YAML data (dicts, lists, scalars) to add facts to; deepcopy's memo and
    dispatch cost a twentieth of an evaluation for the same result."""
    if type(value) is dict:
        return {k: _tree_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_tree_copy(v) for v in value]
    return value


def build_view(model: Declaration, declared: dict[str, Any], observed: Any | None = None) -> View:
    """`declared` is the validated declaration as written (x_ notes removed); `observed` comes from
    `checker.scan.observed.observe` when the declaration cites scans."""
    data = _tree_copy(declared)
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
        tr["facts"] = {
            "international": tr.get("country") not in (None, "MX"),
            "includes_sensitive": any(c["facts"]["is_sensitive"] for c in cats),
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
                system["observed"] = seen
                if "exposed_data_stores" in seen or "exposed_remote_admin" in seen:
                    # An external scan reached it: whatever its addresses say, it is reachable.
                    system["facts"]["reachable_from_internet"] = True
        data["observed_hosts"] = observed.hosts
        view.observations = observed.observations
        view.scans = observed.scans
        view.observed_systems = dict(observed.per_system)
    return view


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
