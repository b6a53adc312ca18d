"""User catalogs (issue 17.7): `catalog check` runs every rule against the declaration model's paths
and the parameters, so a catalog it passes cannot make `evaluate` exit 3; index entries stay inside
the catalog folder; and the fact names the checker knows are the ones the view makes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import GOOD as CLI_GOOD
from cli_helpers import MINI, ROOT

from checker.declaration import Declaration
from checker.view import CATEGORY_FACTS, PROCESSOR_FACTS, SYSTEM_FACTS, TOP_FACTS, TRANSFER_FACTS, build_view

GOOD = CLI_GOOD + """data_inventory:
  - id: salud
    category: health
    systems: [portal]
"""
RULE = "        - {path: encryption.at_rest.enabled, equals: true}\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def catalog_with(tmp_path: Path, rule: str | None = None, files: str | None = None) -> Path:
    folder = tmp_path / "cat"
    shutil.copytree(MINI, folder)
    if rule is not None:
        text = (folder / "c.yaml").read_text(encoding="utf-8")
        assert RULE in text
        (folder / "c.yaml").write_text(text.replace(RULE, rule), encoding="utf-8")
    if files is not None:
        index = (folder / "catalog.yaml").read_text(encoding="utf-8")
        (folder / "catalog.yaml").write_text(index.replace("files: [c.yaml]", f"files: {files}"), encoding="utf-8")
    return folder


BAD_RULES = [
    ("unknown parameter", "        - {path: encryption.at_rest.enabled, equals: {parameter: nope}}\n", "nope"),
    ("through a scalar", "        - {path: encryption.at_rest.enabled.deep, equals: true}\n", "enabled"),
    ("through a list", "        - {path: /systems.encryption, exists: true}\n", "every"),
    ("unknown key", "        - {path: encryption.at_rest.enabld, equals: true}\n", "enabld"),
    ("every over a scalar", "        - {every: encryption.at_rest.enabled, require: {path: x, exists: true}}\n",
     "every/some"),
    ("plus on a non-date", "        - {path: /program.launch_date, at_most: {path: /program.name, plus: P1D}}\n",
     "program.name"),
    ("bad period", "        - {path: /program.launch_date, at_most: {as_of_minus: P1X}}\n", "P1X"),
]


@pytest.mark.parametrize("name,rule,words", BAD_RULES, ids=[b[0] for b in BAD_RULES])
def test_catalog_check_fails_and_evaluate_is_exit_2(tmp_path: Path, name: str, rule: str, words: str) -> None:
    folder = catalog_with(tmp_path, rule)
    check = run("catalog", "check", "--catalog", str(folder))
    assert check.returncode == 2, check.stdout + check.stderr
    assert "ENC-01" in check.stderr and words in check.stderr
    decl = tmp_path / "d.yaml"
    decl.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "r.json"
    proc = run("evaluate", str(decl), "--catalog", str(folder), "--format", "json", "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "c.yaml:1:" in proc.stderr and "ENC-01" in proc.stderr and "catalog check" in proc.stderr
    assert not out.exists()


def test_english_message(tmp_path: Path) -> None:
    folder = catalog_with(tmp_path, BAD_RULES[0][1])
    proc = run("catalog", "check", "--catalog", str(folder), "--lang", "en")
    assert proc.returncode == 2 and "is not in the index's `parameters`" in proc.stderr


@pytest.mark.parametrize("files", ["[../outside.yaml]", "[/etc/hostname]"])
def test_index_entries_stay_inside_the_folder(tmp_path: Path, files: str) -> None:
    (tmp_path / "outside.yaml").write_text((MINI / "c.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    folder = catalog_with(tmp_path, files=files)
    proc = run("catalog", "list", "--catalog", str(folder))
    assert proc.returncode == 2, proc.stdout
    assert "fuera de la carpeta" in proc.stderr and "catalog.yaml:5:" in proc.stderr


def test_builtin_and_mini_catalogs_pass() -> None:
    assert run("catalog", "check").returncode == 0
    from checker.catalog import load_catalog
    from checker.rule_check import rule_problems

    assert rule_problems(load_catalog(MINI)) == []


def test_fact_names_match_the_view() -> None:
    doc = {"schema_version": 1,
           "program": {"name": "x", "operator": "y", "operator_type": "public_school", "role": "responsable"},
           "systems": [{"id": "s"}], "data_inventory": [{"id": "c", "category": "health", "systems": ["s"]}],
           "processors": [{"id": "p", "name": "P", "data_categories": ["c"]}],
           "transfers": [{"id": "t", "recipient": "R", "data_categories": ["c"]}]}
    model = Declaration.model_validate(doc)
    data = build_view(model).data
    assert set(data["facts"]) == TOP_FACTS
    assert set(data["systems"][0]["facts"]) == SYSTEM_FACTS
    assert set(data["data_inventory"][0]["facts"]) == CATEGORY_FACTS
    assert set(data["processors"][0]["facts"]) == PROCESSOR_FACTS
    assert set(data["transfers"][0]["facts"]) == TRANSFER_FACTS
