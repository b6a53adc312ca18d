"""Every control of the shipped catalog, evaluated through the real engine on real declaration files.

The cases live in `tests/catalog_cases.yaml`: each one starts from an example declaration, changes a few
fields and states the status the control must reach. Every control written for the declared values has
at least one case that passes and one that does not (fail, partial, unknown or not applicable), so a
rule that can never fail, or never pass, is caught here. The scan-based controls (network_exposure.yaml,
encryption_observed.yaml) have their own tests with real nmap output.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from checker.catalog import Catalog, check_catalog, load_catalog
from checker.evaluate import Evaluator
from checker.validate import load_declaration
from checker.view import as_of_default

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES_FILE = Path(__file__).resolve().parent / "catalog_cases.yaml"
BASES = {"well-run-school": "well-run-school.yaml", "ai-center": "ai-center.yaml",
         "vendor-review": "vendor-review.yaml", "minimal": "minimal.yaml"}
# Written by another engineer and decided by scans; tested with real nmap output elsewhere.
SCAN_FILES = ("network_exposure.yaml", "encryption_observed.yaml")
NATURAL_KEYS = ("type", "attribute")


# -- declarations --------------------------------------------------------------------------------
def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    return yaml


@cache
def _base_parsed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = _yaml().load((EXAMPLES / BASES[name]).read_text(encoding="utf-8"))
    # Evidence files are resolved next to the declaration; they decide no status, so leave them out.
    data.pop("evidence", None)
    return data


def base_declaration(name: str) -> dict[str, Any]:
    """A fresh copy of an example declaration, as plain data."""
    return copy.deepcopy(_base_parsed(name))


_SEGMENT = re.compile(r"^([a-z_]+)(?:\[([^\]]+)\])?$")


def _segments(path: str) -> list[tuple[str, str | None]]:
    out = []
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if not match:
            raise ValueError(f"bad path segment {part!r} in {path!r}")
        out.append((match.group(1), match.group(2)))
    return out


def _item_index(items: list[Any], key: str) -> int:
    """The position of the item a bracketed key names: by id, natural key, or joined audiences."""
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if item.get("id") == key or any(item.get(k) == key for k in NATURAL_KEYS):
            return i
        audiences = item.get("audiences")
        if isinstance(audiences, list) and "+".join(audiences) == key:
            return i
    raise KeyError(f"no list item [{key}]")


def _parent(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding the last segment of `path`, and the key or index in it."""
    parts = _segments(path)
    node: Any = data
    for name, key in parts[:-1]:
        node = node.setdefault(name, {})
        if key is not None:
            node = node[_item_index(node, key)]
    name, key = parts[-1]
    if key is None:
        return node, name
    items = node[name]
    return items, _item_index(items, key)


def mutate(data: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Apply a case's `set`, `delete` and `append` (in that order) to a copy of a declaration."""
    out = copy.deepcopy(data)
    for path, value in (change.get("set") or {}).items():
        container, key = _parent(out, path)
        container[key] = copy.deepcopy(value)
    for path in change.get("delete") or []:
        container, key = _parent(out, path)
        del container[key]
    for path, value in (change.get("append") or {}).items():
        container, key = _parent(out, path)
        container[key].append(copy.deepcopy(value))
    return out


def write_declaration(folder: Path, data: dict[str, Any], name: str = "decl.yaml", *, fast: bool = False) -> Path:
    """Write a declaration file. `fast` writes JSON, which is YAML too and much quicker to produce.
    The example scans it cites are copied beside it (scan paths are relative to the declaration)."""
    if data.get("scans") and not (folder / "scans").exists():
        shutil.copytree(EXAMPLES / "scans", folder / "scans")
    path = folder / name
    if fast:
        path.write_text(json.dumps(data, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
        return path
    buf = io.StringIO()
    _yaml().dump(data, buf)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# -- the catalog and the cases -------------------------------------------------------------------
@cache
def catalog() -> Catalog:
    return load_catalog()


@cache
def declared_controls() -> tuple[str, ...]:
    """The controls decided by declared values (all but the scan-based files)."""
    cat = catalog()
    return tuple(c.id for c in cat.controls if Path(cat.locations[c.id][0]).name not in SCAN_FILES)


@cache
def cases_document() -> dict[str, Any]:
    doc: dict[str, Any] = _yaml().load(CASES_FILE.read_text(encoding="utf-8"))
    return doc


def _flat_cases() -> list[tuple[str, int, dict[str, Any]]]:
    doc = cases_document()
    return [(cid, i, case) for cid, cases in doc["cases"].items() for i, case in enumerate(cases)]


_DOCS: dict[str, dict[str, Any]] = {}


def _key(case: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in case.items() if k != "expect"}, sort_keys=True, default=str)


@cache
def _controls_by_key() -> dict[str, tuple[str, ...]]:
    """For each distinct declaration the cases build, the controls that some case checks on it."""
    out: dict[str, list[str]] = {}
    for cid, _, case in _flat_cases():
        out.setdefault(_key(case), []).append(cid)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def _evaluate(folder: Path, case: dict[str, Any]) -> dict[str, Any]:
    """The result document for a case's declaration. Cases that build the same declaration (most
    `pass` cases use the example as it is) share one evaluation of the controls they check."""
    key = _key(case)
    if key not in _DOCS:
        doc = cases_document()
        data = base_declaration(case.get("base", "well-run-school"))
        for preset in case.get("use") or []:
            data = mutate(data, doc["presets"][preset])
        data = mutate(data, case)
        path = write_declaration(folder, data, fast=True)
        loaded = load_declaration(path, path.name)
        as_of = case.get("as_of")
        when = as_of if isinstance(as_of, date) else (
            date.fromisoformat(as_of) if as_of else as_of_default(loaded.model, date.today()))
        full = catalog()
        wanted = [c for c in full.controls if c.id in _controls_by_key().get(key, ())]
        subset = Catalog(index=full.index, controls=wanted, sha256=full.sha256)
        _DOCS[key] = Evaluator(loaded, subset, as_of=when, profile=case.get("profile") or None).document().to_dict()
    return _DOCS[key]


def evaluate_case(folder: Path, control_id: str, case: dict[str, Any]) -> dict[str, Any]:
    """The result of one control for one case, through the real loader and evaluator."""
    assert catalog().get(control_id) is not None, f"{control_id} is not in the catalog"
    result_doc = _evaluate(folder, case)
    results = [r for r in result_doc["results"] if r["control_id"] == control_id]
    assert results, f"{control_id} was not selected by profile {result_doc['profile']}"
    return results[0]


# -- tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("control_id", "index", "case"), _flat_cases(),
                         ids=[f"{cid}-{i}-{case['expect']}" for cid, i, case in _flat_cases()])
def test_control_case(tmp_path: Path, control_id: str, index: int, case: dict[str, Any]) -> None:
    result = evaluate_case(tmp_path, control_id, case)
    assert result["status"] == case["expect"], (
        f"{control_id} case {index}: expected {case['expect']}, got {result['status']}: {result['reasons']}")
    if case["expect"] == "unknown":
        assert result["missing"], f"{control_id}: an unknown result must list the paths to declare"
    if case["expect"] in ("fail", "partial"):
        assert result["reasons"], f"{control_id}: a failure must say why"


def test_every_declared_control_has_a_passing_and_a_non_passing_case() -> None:
    cases = cases_document()["cases"]
    missing = [cid for cid in declared_controls() if cid not in cases]
    assert not missing, f"controls without cases: {missing}"
    unknown_ids = [cid for cid in cases if cid not in declared_controls()]
    assert not unknown_ids, f"cases for controls the catalog does not have: {unknown_ids}"
    for cid in declared_controls():
        expects = {c["expect"] for c in cases[cid]}
        assert "pass" in expects, f"{cid} has no case that passes"
        assert expects - {"pass"}, f"{cid} has no case that does not pass"


def test_at_least_80_declared_controls_cover_every_domain() -> None:
    cat = catalog()
    assert len(declared_controls()) >= 80
    assert check_catalog(cat) == []
    ids = [c.id for c in cat.controls]
    assert len(ids) == len(set(ids))


def test_every_control_is_bilingual_cited_and_actionable() -> None:
    for control in catalog().controls:
        if control.id not in declared_controls():
            continue
        for text in (control.title, control.statement, control.remediation, control.evidence):
            assert text.es.strip() and text.en.strip() and text.es != text.en, control.id
        assert control.question is not None, f"{control.id}: the procurement checklist needs a question"
        assert control.owner_role is not None, f"{control.id}: say who usually fixes it"
        assert "ensure compliance" not in control.remediation.en.lower(), control.id
        assert "asegurar el cumplimiento" not in control.remediation.es.lower(), control.id
        assert any(r.law != "POLICY" for r in control.legal_refs) or control.id in ("GOV-08",), (
            f"{control.id}: only POLICY references")
        sectors = {r.applies_to for r in control.legal_refs}
        # Each law that applies to an operator shows at least one reference in its results.
        assert "all" in sectors or {"public", "private"} <= sectors or control.profiles in (
            ["public-education"], ["private-school"]), f"{control.id}: one sector has no reference"


def test_no_reference_names_inai_as_the_authority() -> None:
    for control in catalog().controls:
        texts = [control.title, control.statement, control.remediation, control.evidence]
        texts += [r.note for r in control.legal_refs if r.note is not None]
        for text in texts:
            for value in (text.es, text.en):
                for match in re.finditer(r"INAI", value):
                    window = value[max(0, match.start() - 60): match.end() + 40].lower()
                    assert any(w in window for w in ("ya no", "no longer", "extinto", "2018", "guía", "guide")), (
                        f"{control.id} names the INAI as if it were today's authority: {value!r}")


def test_catalog_parameters_agree_and_breach_hours_are_labelled_policy() -> None:
    params = catalog().index.parameters
    assert params["breach_notice_max_hours"] == 72
    assert params["breach_notice_max"] == f"PT{params['breach_notice_max_hours']}H"
    for cid in ("INC-07", "INC-09", "PRC-06"):
        control = catalog().get(cid)
        assert control is not None
        assert any(r.law == "POLICY" for r in control.legal_refs), f"{cid} must label its hours as policy"


def test_biometric_controls_say_the_laws_do_not_list_biometrics() -> None:
    for control in catalog().controls:
        if control.domain != "biometrics":
            continue
        notes = [r.note for r in control.legal_refs if r.law == "POLICY" and r.note is not None]
        assert any("biométricos" in n.es and "por política" in n.es and "by policy" in n.en for n in notes), control.id
