"""Small catalogs built in the test itself, so engine tests do not depend on the shipped catalog."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from checker.catalog import Catalog, CatalogIndex, Control
from checker.evaluate import Evaluator
from checker.validate import load_declaration

BASE_DECL: dict[str, Any] = {
    "schema_version": 1,
    "program": {"name": "Escuela Prueba", "operator": "SEP", "operator_type": "public_school",
                "role": "responsable"},
}


def control(cid: str, rule: Any, *, severity: str = "high", domain: str = "governance",
            applies_when: Any = None, **extra: Any) -> Control:
    data: dict[str, Any] = {
        "id": cid, "domain": domain, "severity": severity, "effective_from": "2025-03-21",
        "title": {"es": f"Control {cid}", "en": f"Control {cid}"},
        "statement": {"es": "s", "en": "s"},
        "legal_refs": [{"law": "LGPDPPSO", "article": "25", "confidence": "V", "applies_to": "public"},
                       {"law": "LFPDPPP", "article": "18", "confidence": "V", "applies_to": "private"}],
        "rule": rule, "remediation": {"es": "Haga X", "en": "Do X"}, "evidence": {"es": "e", "en": "e"},
    }
    if applies_when is not None:
        data["applies_when"] = applies_when
    data.update(extra)
    return Control.model_validate(data)


def catalog(*controls: Control, parameters: dict[str, Any] | None = None) -> Catalog:
    index = CatalogIndex.model_validate({
        "id": "test", "name": {"es": "t", "en": "t"}, "version": "1", "publication_date": "2026-01-01",
        "files": [], "parameters": parameters or {},
        "profiles": {"public-education": {"es": "p", "en": "p"}, "private-school": {"es": "p", "en": "p"},
                     "vendor": {"es": "v", "en": "v"}}})
    return Catalog(index=index, controls=list(controls), sha256="0" * 64)


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    yaml = YAML()
    buf = io.StringIO()
    yaml.dump(data, buf)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def decl(**sections: Any) -> dict[str, Any]:
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE_DECL.items()}
    data["program"] = dict(BASE_DECL["program"])
    for key, value in sections.items():
        if key == "program":
            data["program"].update(value)
        else:
            data[key] = value
    return data


def evaluate(tmp_path: Path, declaration: dict[str, Any], *controls: Control, as_of: str = "2026-11-20",
             lang: str = "es", name: str = "decl.yaml", parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    path = write_yaml(tmp_path / name, declaration)
    loaded = load_declaration(path, name)
    return Evaluator(loaded, catalog(*controls, parameters=parameters), as_of=date.fromisoformat(as_of),
                     lang=lang).document().to_dict()


def status_of(doc: dict[str, Any], cid: str) -> str:
    return next(r["status"] for r in doc["results"] if r["control_id"] == cid)


def result_of(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(r for r in doc["results"] if r["control_id"] == cid)
