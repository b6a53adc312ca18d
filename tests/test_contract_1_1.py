"""Contract 1.1 in the models: every addition loads, 1.0 files stay valid, ids resolve, and every new
field and value has a label and a help text in Spanish and English."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from checker.declaration import Declaration, TransferConsent
from checker.errors import InputError
from checker.schema import declaration_schema
from checker.validate import load_declaration

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "tests" / "data" / "contract-1.1" / "full.yaml"
LOCALES = ROOT / "checker" / "locales"

# The subtrees and single fields contract 1.1 added (shared/spec/declaration.md, "Additions of contract 1.1").
NEW_SUBTREES = ("calendar", "transparency", "attestations", "actions", "audit", "program.modifications",
                "systems.cctv", "governance.privacy_by_design", "governance.management_system")
NEW_FIELDS = ("program.controller_type", "governance.impact_assessment.filed_on",
              "governance.impact_assessment.filed_with", "transfers.recipient_type", "transfers.legal_instrument",
              "transfers.consent", "transfers.consent.type", "transfers.consent.obtained_from",
              "transfers.consent.recorded", "privacy_notice.refusal_available_before_processing",
              "arco.portability", "arco.free_of_charge", "arco.appeal_information", "arco.incompetence_notice_days",
              "processors.standard_terms", "processors.terms", "systems.kind",
              "governance.security_document.updated_after", "evidence.date", "evidence.valid_until",
              "evidence.reviewed_by", "evidence.reviewed_on", "evidence.verdict")
NEW_VALUES = {"data_inventory.retention.disposal": {"archival_writeoff"},
              "privacy_notice.elements": {"purpose_refusal_means", "transfer_acceptance_clause",
                                          "indirect_collection_notice"}}


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _literals(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return [a for a in typing.get_args(annotation) if isinstance(a, str)]
    return [v for arg in typing.get_args(annotation) for v in _literals(arg)]


def model_paths(model: type[BaseModel] = Declaration, prefix: str = "") -> dict[str, list[str]]:
    """Every field path of the declaration (list indices dropped) with its enum values."""
    out: dict[str, list[str]] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        out[path] = _literals(info.annotation)
        for sub in _models(info.annotation):
            out.update(model_paths(sub, path + "."))
    return out


PATHS = model_paths()


def _is_new(path: str) -> bool:
    return path in NEW_FIELDS or any(path == s or path.startswith(s + ".") for s in NEW_SUBTREES)


def _labels(area: str, lang: str) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((LOCALES / f"{area}.{lang}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_new_field_and_value_has_a_label_and_help(lang: str) -> None:
    fields = _labels("fields-1.1", lang)
    values = _labels("values-1.1", lang)
    new = [p for p in PATHS if _is_new(p)]
    assert len(new) > 60
    for path in new:
        assert fields.get(path, {}).get("label") and fields[path].get("help"), f"{path} has no {lang} label"
        for value in PATHS[path]:
            if path == "audit.responses.subjects":
                continue
            key = f"{path}.{value}"
            assert values.get(key, {}).get("label") and values[key].get("help"), f"{key} has no {lang} label"
    for path, added in NEW_VALUES.items():
        for value in added:
            assert values[f"{path}.{value}"]["label"]
    # Nothing labelled that the model does not have (a typo would hide a missing label).
    for key in fields:
        assert key in PATHS, key
    for key in values:
        path, _, value = key.rpartition(".")
        assert value in PATHS[path], key


def test_spanish_and_english_labels_differ_and_match() -> None:
    for area in ("fields-1.1", "values-1.1", "errors-1.1"):
        es = json.loads((LOCALES / f"{area}.es.json").read_text(encoding="utf-8"))
        en = json.loads((LOCALES / f"{area}.en.json").read_text(encoding="utf-8"))
        assert es.keys() == en.keys(), area
    fields_es, fields_en = _labels("fields-1.1", "es"), _labels("fields-1.1", "en")
    assert fields_es["transparency.redaction_method"]["label"] == "Método de testado"
    assert fields_en["transparency.redaction_method"]["label"] == "Redaction method"


def test_a_declaration_with_every_addition_loads() -> None:
    loaded = load_declaration(FULL)
    d = loaded.model
    assert d.program.controller_type == "public_agency"
    mods = d.program.modifications or []
    assert mods[0].substantial and mods[0].impact_assessment and mods[0].impact_assessment.filed_on.isoformat() == \
        "2026-08-20"
    assert d.calendar and [x.isoformat() for x in d.calendar.non_working_days or []] == ["2026-12-24", "2026-12-31"]
    systems = d.systems or []
    assert systems[1].kind == "cctv" and systems[1].cctv and systems[1].cctv.areas == ["entrances", "corridors"]
    assert d.transparency and d.transparency.redaction_method == "irreversible"
    assert d.governance and d.governance.impact_assessment and d.governance.impact_assessment.filed_with
    assert (d.attestations or [])[0].result == "confirmed"
    assert (d.actions or [])[0].status == "in_progress"
    assert d.audit and d.audit.previous_result == "anterior.json"
    assert (d.evidence or [])[0].verdict == "accepted"


def test_consent_obtained_is_an_alias_of_consent() -> None:
    transfers = load_declaration(FULL).model.transfers or []
    assert transfers[0].consent == TransferConsent(type="express", obtained_from="guardian_for_minors", recorded=True)
    assert transfers[1].consent == TransferConsent()  # obtained, its form not declared
    base = {"schema_version": 1, "program": {"name": "x", "operator": "y", "operator_type": "private_school",
                                             "role": "responsable"}}
    refused = Declaration.model_validate({**base, "transfers": [{"id": "t", "consent_obtained": False}]})
    assert (refused.transfers or [])[0].consent is False


def test_every_example_of_contract_1_0_stays_valid() -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")) + [ROOT / "tests" / "data" / "contract-1.1" / "full.yaml"]:
        load_declaration(path)


def _copy_full(tmp_path: Path, old: str, new: str) -> Path:
    for name in ("evidence.txt", "anterior.json"):
        shutil.copy(FULL.parent / name, tmp_path / name)
    text = FULL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "decl.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "needle", "words"), [
    ("      systems: [portal]\n      substantial", "      systems: [portl]\n      substantial", "[portl]",
     ["'portl'", "portal"]),
    ("    subjects: [portal]\n    result", "    subjects: [portall]\n    result", "[portall]", ["'portall'"]),
    ("    subjects: [portal, program]", "    subjects: [portal, programa]", "programa", ["'programa'"]),
    ("  - id: accion-mfa", "  - id: portal", "  - id: portal\n", ["'portal'", "dos veces"]),
    ("  previous_result: anterior.json", "  previous_result: ../fuera.json", "previous_result",
     ["sale de la carpeta"]),
    ("  previous_result: anterior.json", "  previous_result: no-existe.json", "previous_result", ["no existe"]),
    ("    consent_obtained: true", "    consent_obtained: true\n    consent: {type: express}", "consent_obtained",
     ["'antigua'", "consent_obtained"]),
    ("    kind: cctv", "    kind: database", "    cctv:", ["'camaras'", "cctv"]),
])
def test_unresolved_or_contradictory_additions_are_located_errors(tmp_path: Path, old: str, new: str,
                                                                  needle: str, words: list[str]) -> None:
    path = _copy_full(tmp_path, old, new)
    with pytest.raises(InputError) as info:
        load_declaration(path)
    err = info.value
    if needle == "  - id: portal\n":
        line = [i for i, x in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if x == "  - id: portal"][-1]
    else:
        line = _line_of(path, needle.strip())
    assert err.line == line, str(err)
    for word in words:
        assert word in str(err)
    assert err.hint


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_an_unknown_control_in_an_action_is_exit_2_with_its_line(tmp_path: Path) -> None:
    path = _copy_full(tmp_path, "    controls: [AUT-01]", "    controls: [AUT-99]")
    out = tmp_path / "r.json"
    proc = _cli("evaluate", str(path), "-o", str(out), "--lang", "en")
    assert proc.returncode == 2, proc.stderr
    assert f"{path}:{_line_of(path, 'AUT-99')}:" in proc.stderr
    assert "AUT-99" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_the_full_declaration_evaluates(tmp_path: Path) -> None:
    path = _copy_full(tmp_path, "note: cifrado confirmado", "note: cifrado confirmado")
    out = tmp_path / "r.json"
    proc = _cli("evaluate", str(path), "-o", str(out), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["results"]


def test_the_json_schema_describes_the_additions() -> None:
    text = json.dumps(declaration_schema())
    for name in ("controller_type", "modifications", "non_working_days", "published_registers", "attestations",
                 "previous_result", "archival_writeoff", "authority_request_notice", "changing_rooms"):
        assert f'"{name}"' in text, name
