"""Every declaration field and enum value has a label in Spanish and English, and so does every path a
catalog rule reads: reasons and tables never fall back to a raw path or code."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from checker import declaration as D
from checker.catalog import AllOf, AnyOf, Check, Every, NotOf, Some, load_catalog
from checker.labels import field_key, field_label, has_field_label, has_value_label, value_label

LANGS = ("es", "en")


def _unwrap(t: Any) -> list[Any]:
    origin = typing.get_origin(t)
    if origin in (typing.Union, __import__("types").UnionType, list) or origin is typing.Annotated:
        args = typing.get_args(t)
        return [u for a in (args[:1] if origin is typing.Annotated else args) for u in _unwrap(a)]
    return [t]


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, list[str]]]:
    out = []
    for name, f in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        parts = _unwrap(f.annotation)
        values = [str(v) for u in parts if typing.get_origin(u) is typing.Literal
                  for v in typing.get_args(u) if isinstance(v, str)]
        out.append((path, values))
        for u in parts:
            if isinstance(u, type) and issubclass(u, BaseModel):
                out += _fields(u, path)
    return out


FIELDS = [(p, v) for p, v in _fields(D.Declaration) if p != "schema_version"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_declaration_field_and_value_has_a_label(lang: str) -> None:
    missing = [p for p, _ in FIELDS if not has_field_label(p, lang)
               and p.rsplit(".", 1)[-1] not in ("every", "last_done")]
    assert not missing, f"no {lang} label for: {missing}"
    no_value = [f"{p}={v}" for p, values in FIELDS for v in values if not has_value_label(p, v, lang)]
    assert not no_value, f"no {lang} label for: {no_value}"


def _paths(cond: Any, base: str = "") -> list[str]:
    """Every path a condition reads, id-free and from the top."""
    def join(p: str) -> str:
        return p.lstrip("/") if p.startswith("/") or not base else f"{base}.{p}"

    if isinstance(cond, Check):
        out = [join(cond.path)]
        ref = cond.ref
        if ref is not None and ref.path:
            out.append(join(ref.path))
        return out
    if isinstance(cond, AllOf | AnyOf):
        return [p for c in (cond.all if isinstance(cond, AllOf) else cond.any) for p in _paths(c, base)]
    if isinstance(cond, NotOf):
        return _paths(cond.not_, base)
    if isinstance(cond, Every | Some):
        listed = join(cond.every if isinstance(cond, Every) else cond.some)
        inner = (_paths(cond.where, listed) if cond.where is not None else []) + _paths(cond.require, listed)
        return [listed, *inner]
    return []


@pytest.mark.parametrize("lang", LANGS)
def test_every_path_the_catalog_reads_has_a_label(lang: str) -> None:
    catalog = load_catalog()
    unlabelled = set()
    for control in catalog.controls:
        for cond in (control.rule, control.applies_when):
            for path in _paths(cond) if cond is not None else []:
                if field_label(path, lang) == field_key(path):
                    unlabelled.add(path)
    assert not unlabelled, f"no {lang} label for: {sorted(unlabelled)}"


def test_labels_read_as_words() -> None:
    assert field_label("systems[portal].encryption.at_rest.enabled", "es") == "Cifrado en reposo activo"
    assert field_label("/systems[portal].access_control.access_review.every", "en") == "Access review: frequency"
    assert value_label("data_inventory[rostro].category", "biometric", "es") == "datos biométricos"
    assert value_label("transfers[x].legal_basis", "vital_interest", "en") == "vital interest"
    assert value_label("program.data_subjects[student].type", "student", "es") == "estudiantes"
    for path in Path(__file__).resolve().parent.parent.joinpath("checker", "locales").glob("fields*.json"):
        assert re.search(r"\.(es|en)\.json$", path.name)
