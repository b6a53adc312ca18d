"""The engine evaluates what the model understood (issue 17.2).

`contacts: "no"` used to validate as "not in place" and then pass INC-08 because the engine read the
raw YAML; now booleans and whole numbers are never coerced from text (exit 2 with a hint) and the rules
read the validated model's values. The last test walks every field of every declaration model.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import HEAD, ROOT
from pydantic import BaseModel

from checker.declaration import Declaration
from checker.rules import Scope, resolve
from checker.view import build_view

BASE = HEAD + """systems:
  - id: portal
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize("spelling", ['"no"', '"off"', '"0"', "0", '"false"', '"n"', '"true"', "1"])
def test_contacts_spelled_as_text_never_passes_inc08(tmp_path: Path, spelling: str) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(BASE + f"incident_response:\n  plan: true\n  contacts: {spelling}\n", encoding="utf-8")
    out = tmp_path / "r.json"
    proc = run("evaluate", str(decl), "-o", str(out), "--format", "json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "d.yaml:11:" in proc.stderr and "true" in proc.stderr and "sin comillas" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize("text,words", [
    ("systems:\n  - id: portal\n    encryption:\n      at_rest: {enabled: \"true\"}\n", "true o false"),
    ("systems:\n  - id: portal\n    encryption:\n      at_rest: 0\n", "true o false"),
    ("systems:\n  - id: portal\n    access_control: {admin_accounts: \"3\"}\n", "número sin comillas"),
    ("systems:\n  - id: portal\n    access_control: {admin_accounts: 1152921504606846976}\n", "menor o igual"),
])
def test_lax_scalars_are_errors_with_a_hint(tmp_path: Path, text: str, words: str) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(BASE.split("systems:")[0] + text, encoding="utf-8")
    proc = run("validate", str(decl))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stderr, proc.stderr
    assert re.search(r"d\.yaml:\d+:\d+", proc.stderr) and "Traceback" not in proc.stderr


def test_english_hint(tmp_path: Path) -> None:
    decl = tmp_path / "d.yaml"
    decl.write_text(BASE + "incident_response:\n  contacts: \"no\"\n", encoding="utf-8")
    proc = run("validate", str(decl), "--lang", "en")
    assert proc.returncode == 2
    assert "without quotes" in proc.stderr


# -- every field of the model: the value the engine resolves equals the model's ---------------------
def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _pattern(annotation: Any) -> str | None:
    for meta in getattr(annotation, "__metadata__", ()):
        pattern = getattr(meta, "pattern", None)
        if pattern:
            return str(pattern)
    return None


def _sample(annotation: Any, field: Any | None = None) -> Any:
    """A valid value in the form a YAML author would write it (dates quoted, versions as numbers)."""
    metadata = list(getattr(field, "metadata", []) or [])
    pattern = _pattern(annotation) or next((getattr(m, "pattern", None) for m in metadata
                                            if getattr(m, "pattern", None)), None)
    annotation_core = _strip(annotation)
    origin = typing.get_origin(annotation_core)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(annotation_core) if a is not type(None)]
        # Prefer the richest form (a model over `false`, a list over a boolean) to reach nested fields.
        options.sort(key=lambda a: 0 if isinstance(_strip(a), type) and issubclass(_strip(a), BaseModel)
                     else 1 if typing.get_origin(_strip(a)) is list else 2)
        return _sample(options[0])
    if origin is typing.Literal:
        return typing.get_args(annotation_core)[0]
    if origin is list:
        return [_sample(typing.get_args(annotation_core)[0])]
    if origin is dict:
        return {}
    if isinstance(annotation_core, type) and issubclass(annotation_core, BaseModel):
        return {name: _sample(info.annotation, info) for name, info in annotation_core.model_fields.items()}
    if annotation_core is bool:
        return True
    if annotation_core is int:
        return 3
    if annotation_core is float:
        return 1.5
    if annotation_core is dt.date:
        return "2026-01-15"  # quoted: the model turns it into a date, the engine must see the date
    if annotation_core is str:
        return _string_for(pattern)
    return "x"


def _string_for(pattern: str | None) -> str:
    if not pattern:
        return "texto de prueba"
    for candidate in ("item-1", "MX", "MX-CMX", "P30D", "ABC-01", "1.2", "https://example.org", "es-MX", "a"):
        if re.search(pattern, candidate):
            return candidate
    raise AssertionError(f"no sample for pattern {pattern}: extend _string_for")


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            ann = _strip(stack.pop())
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                _models(ann, seen)
            stack.extend(typing.get_args(ann))


def _compare(model: BaseModel, node: dict[str, Any], where: str, visited: set[tuple[str, str]]) -> None:
    scope = Scope(node, (), where, node, dt.date(2026, 11, 20), {})
    for name in model.model_fields_set:
        expected = getattr(model, name)
        visited.add((type(model).__name__, name))
        seen = resolve(scope, name).value
        if isinstance(expected, BaseModel):
            assert isinstance(seen, dict), f"{where}.{name}"
            _compare(expected, seen, f"{where}.{name}", visited)
        elif isinstance(expected, list) and expected and isinstance(expected[0], BaseModel):
            for i, (item, raw) in enumerate(zip(expected, seen, strict=True)):
                _compare(item, raw, f"{where}.{name}[{i}]", visited)
        else:
            assert seen == expected and type(seen) is type(expected), \
                f"{where}.{name}: the engine sees {seen!r}, the model holds {expected!r}"


def test_every_field_engine_sees_model_value() -> None:
    document = _sample(Declaration)
    document["schema_version"] = 1
    model = Declaration.model_validate(document)
    view = build_view(model, document)
    visited: set[tuple[str, str]] = set()
    _compare(model, view.data, "", visited)
    every: set[type[BaseModel]] = set()
    _models(Declaration, every)
    fields = {(m.__name__, f) for m in every for f in m.model_fields}
    assert fields - visited == set(), "fields the walk did not reach"


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_examples_engine_sees_model_values(example: Path) -> None:
    from checker.validate import load_declaration

    loaded = load_declaration(example)
    view = build_view(loaded.model, loaded.data)
    _compare(loaded.model, view.data, "", set())
