"""Every control of the shipped catalog, evaluated through the real engine on real declaration files.

The cases live beside the controls, in `controls/cases.yaml`, and run through `checker.catalog_cases`,
the module behind `resguarda catalog test`: each one starts from an example declaration, changes a few
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
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from checker import catalog_cases
from checker.catalog import Catalog, check_catalog, load_catalog
from checker.cli import main
from checker.resources import controls_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CASES_FILE = controls_dir() / catalog_cases.CASES_FILE
# Written by another engineer and decided by scans; tested with real nmap output elsewhere.
SCAN_FILES = ("network_exposure.yaml", "encryption_observed.yaml")


# -- declarations --------------------------------------------------------------------------------
def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    return yaml


@cache
def _bases() -> catalog_cases.CasesFile:
    return catalog_cases.load_cases(controls_dir())[0]


@cache
def _base_parsed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = _yaml().load((controls_dir() / _bases().bases[name]).read_text(encoding="utf-8"))
    # Evidence files are resolved next to the declaration; they decide no status, so leave them out.
    data.pop("evidence", None)
    return data


def base_declaration(name: str) -> dict[str, Any]:
    """A fresh copy of an example declaration, as plain data."""
    return copy.deepcopy(_base_parsed(name))


def mutate(data: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Apply a case's `set`, `delete` and `append` (in that order) to a copy of a declaration."""
    return catalog_cases.apply(data, catalog_cases.Change.model_validate(change))


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


@cache
def _runs() -> dict[tuple[str, int], catalog_cases.CaseRun]:
    """Every case run once, as `resguarda catalog test` runs them (cases that build the same
    declaration share one evaluation)."""
    report = catalog_cases.run_cases(catalog(), controls_dir())
    return {(r.control_id, r.index - 1): r for r in report.runs}


# -- tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("control_id", "index", "case"), _flat_cases(),
                         ids=[f"{cid}-{i}-{case['expect']}" for cid, i, case in _flat_cases()])
def test_control_case(control_id: str, index: int, case: dict[str, Any]) -> None:
    result = _runs()[(control_id, index)]
    assert result.got == case["expect"], (
        f"{control_id} case {index}: expected {case['expect']}, got {result.got}: {result.reasons}")
    if case["expect"] == "unknown":
        assert result.missing, f"{control_id}: an unknown result must list the paths to declare"
    if case["expect"] in ("fail", "partial"):
        assert result.reasons, f"{control_id}: a failure must say why"


def _catalog_copy(tmp_path: Path) -> Path:
    """The shipped catalog and the example declarations its cases start from, in a folder of one's own."""
    shutil.copytree(controls_dir(), tmp_path / "controls")
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path / "controls"


def test_catalog_test_runs_the_cases_beside_the_controls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "test", "GOV-02", "--lang", "en"]) == 0
    assert capsys.readouterr().out == "5 cases of 1 control: all pass.\n"


def test_a_rule_broken_by_a_reviewer_fails_its_cases_where_they_are_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The lawyer's loop: edit a control, run `resguarda catalog test`, read which case now disagrees
    (file:line:column of the case, what was expected, what came out and why). Exit 1."""
    folder = _catalog_copy(tmp_path)
    governance = folder / "governance.yaml"
    text = governance.read_text(encoding="utf-8")
    broken = text.replace("{path: governance.data_protection_officer, equals: true}",
                          "{path: governance.data_protection_officer, not_equals: true}", 1)
    assert broken != text
    governance.write_text(broken, encoding="utf-8")
    assert main(["catalog", "test", "GOV-01", "--catalog", str(folder)]) == 1
    out = capsys.readouterr().out
    line = next(i for i, row in enumerate((folder / "cases.yaml").read_text(encoding="utf-8").splitlines(), 1)
                if row.strip() == "- {expect: pass}" and i > 1)
    assert f"{folder / 'cases.yaml'}:{line}:7: GOV-01, caso 1: se esperaba «cumple» y resultó «no cumple»" in out
    assert "por qué: " in out and out.endswith("3 casos de 1 control: 0 pasan, 3 fallan.\n")


@pytest.mark.parametrize(("change", "needle"), [
    (("GOV-01:\n    - {expect: pass}", "GOV-01:\n    - {expect: maybe}"), ":8: 'cases.GOV-01.0.expect'"),
    (("GOV-01:\n    - {expect: pass}", "GOV-01:\n    - {expect: pass, set: {\"systems[nope].name\": x}}"),
     ":7: the path systems[nope].name does not exist in the base declaration"),
    (("GOV-01:\n    - {expect: pass}", "GOV-01:\n    - {expect: pass, base: nowhere}"),
     ":7: the base declaration 'nowhere' is not in bases"),
    (("GOV-01:\n", "GOV-99:\n"), ":3: there are cases for GOV-99, which the catalog does not have"),
])
def test_a_bad_cases_file_is_exit_2_with_its_place(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    change: tuple[str, str], needle: str) -> None:
    folder = _catalog_copy(tmp_path)
    cases = folder / "cases.yaml"
    text = cases.read_text(encoding="utf-8")
    assert change[0] in text
    cases.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    out = tmp_path / "r.json"
    only = ["GOV-99"] if "GOV-99" in change[1] else ["GOV-01"]
    assert main(["catalog", "test", *only, "--catalog", str(folder), "--lang", "en", "--format", "json",
                 "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and "->" in err, err
    assert not out.exists()


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
        # GOV-08 (a private DPIA) and PRC-04 (an audit right, which LGPDPPSO art. 58 does not grant:
        # review of December 2026, table 1.2) are catalog policy and say so.
        assert any(r.law != "POLICY" for r in control.legal_refs) or control.id in ("GOV-08", "PRC-04"), (
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
