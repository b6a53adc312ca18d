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


def _walk(cond: Any, scope: str, out: set[str]) -> None:
    if cond is None:
        return
    if isinstance(cond, Check):
        for path in (cond.path, cond.ref.path if cond.ref else None):
            if path and not path.lstrip("/").startswith(("facts.", "observed")):
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
        inner = _join(scope, cond.every if isinstance(cond, Every) else cond.some)
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
