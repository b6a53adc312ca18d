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
    _describe(schema)
    return schema


def _describe(schema: dict[str, Any]) -> None:
    """Titles, descriptions and enum labels in Spanish and English on every property, for editors
    (yaml-language-server shows them on hover and completion). From the same labels as the reference."""
    from checker.catalog import load_catalog
    from checker.declaration_template import model_of
    from checker.field_controls import controls_by_field, controls_for
    from checker.reference import help_of, label_of, value_label

    decides = controls_by_field(load_catalog())
    defs = schema.get("$defs", {})
    done: set[str] = set()

    def visit(model: Any, node: dict[str, Any], prefix: str) -> None:
        props = node.get("properties", {})
        for name, info in model.model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            prop = props.get(key)
            if not isinstance(prop, dict):
                continue
            es_label, en_label = label_of(path, "es"), label_of(path, "en")
            es_help, en_help = help_of(path, "es"), help_of(path, "en")
            if es_label:
                prop["title"] = es_label
            parts = [p for p in (" — ".join(x for x in (es_label, es_help) if x),
                                 " — ".join(x for x in (en_label, en_help) if x)) if p]
            ids = controls_for(decides, path)
            if ids:
                parts.append(f"Controles / Controls: {', '.join(ids)}")
            if parts:
                prop["description"] = "\n\n".join(parts)
            for enum_node in _enum_nodes(prop, defs):
                labels = []
                for value in enum_node["enum"]:
                    es = value_label(path, str(value), "es")
                    en = value_label(path, str(value), "en")
                    labels.append(" / ".join(x for x in (es, en) if x) or str(value))
                enum_node["enumDescriptions"] = labels
            sub = model_of(info.annotation)
            ref = _ref_name(prop)
            if sub is not None and ref and ref in defs and ref not in done:
                done.add(ref)
                visit(sub, defs[ref], path)

    visit(Declaration, schema, "")


def _ref_name(node: Any) -> str | None:
    """The $defs name a property refers to (directly, in a list, or in a union)."""
    if not isinstance(node, dict):
        return None
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    for key in ("items", "anyOf", "oneOf", "allOf"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            found = _ref_name(item)
            if found:
                return found
    return None


def _enum_nodes(node: Any, defs: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "enum" in node and all(not isinstance(v, bool) for v in node["enum"]):
            found.append(node)
        if "const" in node and isinstance(node["const"], str):
            node["enum"] = [node["const"]]
            found.append(node)
        for key in ("items", "anyOf", "oneOf", "allOf"):
            value = node.get(key)
            for item in value if isinstance(value, list) else [value]:
                found.extend(_enum_nodes(item, defs))
    return found


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
