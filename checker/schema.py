"""The JSON Schema of the declaration, generated from the pydantic models (never written by hand)."""

from __future__ import annotations

from typing import Any

from checker.declaration import Declaration


def declaration_schema() -> dict[str, Any]:
    schema = Declaration.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://resguarda.example/schema/declaration-v1.json"
    # Owners may add notes under keys starting with x_ at any level; editors should not flag them.
    _allow_notes(schema)
    return schema


def _allow_notes(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            node["patternProperties"] = {"^x_": {}}
        for value in node.values():
            _allow_notes(value)
    elif isinstance(node, list):
        for value in node:
            _allow_notes(value)


def result_schema() -> dict[str, Any]:
    from checker.result import ResultDocument

    schema = ResultDocument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
