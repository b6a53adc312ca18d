"""Which controls read which declaration field: "systems.access_control.rbac" -> [ACC-01].

Walks every control's rule and applicability, joining the `every:`/`some:` scopes to the relative
paths under them. Derived facts (`facts.`) and scan observations are not declaration fields and are
left out. Used to say what a field decides (`resguarda init` comments, the declaration reference).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from checker.catalog import AllOf, AnyOf, Catalog, Check, Every, NotOf, Some
from checker.declaration import Declaration

# Program-wide facts (checker/view.py) and the declared fields they are derived from: a control
# that applies "when the operator is a public body" reads program.operator_type.
FACT_SOURCES: dict[str, tuple[str, ...]] = {
    "public_body": ("program.operator_type",), "private_operator": ("program.operator_type",),
    "law": ("program.operator_type",), "is_encargado": ("program.role",),
    "has_minors": ("program.data_subjects.includes_minors",),
    "processes_sensitive": ("data_inventory.category", "data_inventory.sensitive"),
    "processes_biometric": ("data_inventory.category",), "processes_patrimonial": ("data_inventory.category",),
    "processes_official_id": ("data_inventory.category",), "hosted_abroad": ("systems.hosting.country",),
    "has_transfers": ("transfers",), "has_processors": ("processors",),
    "intensive_processing": ("data_inventory.category", "transfers"),
    "llave_mx": ("systems.authentication.provider",), "data_subject_count": ("program.data_subjects.count",),
}


def _walk(cond: Any, scope: str, out: set[str]) -> None:
    if cond is None:
        return
    if isinstance(cond, Check):
        for path in (cond.path, cond.ref.path if cond.ref else None):
            if not path:
                continue
            if path.startswith("/facts.") or (not scope and path.startswith("facts.")):
                out.update(FACT_SOURCES.get(path.split(".", 1)[1], ()))
            elif not path.lstrip("/").startswith(("facts.", "observed")):
                out.add(_join(scope, path))
    elif isinstance(cond, AllOf):
        for c in cond.all:
            _walk(c, scope, out)
    elif isinstance(cond, AnyOf):
        for c in cond.any:
            _walk(c, scope, out)
    elif isinstance(cond, NotOf):
        _walk(cond.not_, scope, out)
    elif isinstance(cond, Every | Some):
        inner = _join(scope, cond.list_path)
        _walk(cond.where, inner, out)
        _walk(cond.require, inner, out)


def _join(scope: str, path: str) -> str:
    # A path starting with "/" is read from the top of the declaration, whatever the scope.
    if path.startswith("/"):
        return path[1:]
    return f"{scope}.{path}" if scope else path


def controls_by_field(catalog: Catalog) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for control in catalog.controls:
        if control.deprecated:
            continue
        paths: set[str] = set()
        _walk(control.rule, "", paths)
        _walk(control.applies_when, "", paths)
        for path in paths:
            if path.split(".")[0] in Declaration.model_fields:  # not scan observations
                found[path].add(control.id)
    return {path: sorted(ids) for path, ids in found.items()}


def controls_for(index: dict[str, list[str]], field: str) -> list[str]:
    """The controls reading `field` or anything below it (a section is decided by its fields)."""
    ids: set[str] = set()
    prefix = field + "."
    for path, controls in index.items():
        if path == field or path.startswith(prefix):
            ids.update(controls)
    return sorted(ids)
