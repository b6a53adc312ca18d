"""The declaration reference (docs/declaracion.md, docs/declaration.md, `resguarda schema --docs`) and
the JSON Schema's titles, descriptions and enum labels come from the models: every field is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from checker.declaration import Declaration
from checker.declaration_template import model_of
from checker.reference import declaration_reference
from checker.schema import declaration_schema

ROOT = Path(__file__).resolve().parent.parent


def _paths(model: type, prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        path = f"{prefix}.{info.alias or name}" if prefix else (info.alias or name)
        out.append(path)
        sub = model_of(info.annotation)
        if sub is not None:
            out += _paths(sub, path)
    return out


@pytest.mark.parametrize("lang, name", [("es", "declaracion.md"), ("en", "declaration.md")])
def test_committed_reference_is_the_generated_one(lang: str, name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert committed == declaration_reference(lang), "run: python scripts/gen_reference.py"


def test_every_field_is_documented_with_type_example_and_controls() -> None:
    text = declaration_reference("es")
    for path in _paths(Declaration):
        assert f"`{path}`" in text, path
    block = text.split("`systems.access_control.rbac`", 1)[1].split("\n#", 1)[0]
    assert "**Tipo:** sí o no" in block and "**Ejemplo:** `rbac: true`" in block
    assert "ACC-01 Acceso por roles y con el mínimo privilegio" in block
    assert "| `MX-CHP` | Chiapas |" in text
    english = declaration_reference("en")
    assert "**Type:** yes or no" in english and "ACC-01 Role-based access with least privilege" in english


def test_schema_docs_prints_the_reference_in_the_chosen_language() -> None:
    es = subprocess.run([sys.executable, "-m", "checker", "schema", "--docs"], capture_output=True, text=True,
                        timeout=120)
    assert es.returncode == 0 and es.stdout.startswith("# Referencia de la declaración")
    en = subprocess.run([sys.executable, "-m", "checker", "schema", "--docs", "--lang", "en"], capture_output=True,
                        text=True, timeout=120)
    assert en.stdout.startswith("# Declaration reference")


def test_json_schema_carries_labels_in_both_languages() -> None:
    schema = declaration_schema()
    Draft202012Validator.check_schema(schema)
    prop = schema["$defs"]["Program"]["properties"]["controller_type"]
    assert prop["title"] == "Tipo de operador del responsable"
    assert "Controller's operator type" in prop["description"]
    enum = next(n for n in prop["anyOf"] if "enum" in n)
    assert enum["enumDescriptions"][0] == "Dependencia o entidad pública / Public agency"
    rbac = schema["$defs"]["AccessControl"]["properties"]["rbac"]
    assert "ACC-01" in rbac["description"]
    described = json.dumps(schema).count('"description"')
    assert described > 150
