"""The CLI as a user runs it on the contract's example: exit codes, the contract's JSON, byte-identical
reruns, the terminal summary, the JSON Schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checker.locations import load_yaml_file
from checker.result import ResultDocument

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-center.yaml"
SHARED = ROOT.parent / "shared" / "spec" / "ai-center.yaml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, cwd=cwd, env=env,
                          timeout=120)


def test_example_is_the_contracts_example() -> None:
    if not SHARED.exists():
        pytest.skip("shared/ is not beside this checkout")
    assert EXAMPLE.read_bytes() == SHARED.read_bytes()


def test_evaluate_json_follows_the_contract_and_is_reproducible(tmp_path: Path) -> None:
    first = run("evaluate", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-20")
    second = run("evaluate", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-20", cwd=tmp_path)
    assert first.returncode == 1, first.stderr.decode()
    assert first.stdout == second.stdout  # byte-identical, whatever the working folder
    text = first.stdout.decode("utf-8")
    assert text.endswith("}\n") and "Pública" in text  # UTF-8 as is, final newline
    doc = json.loads(text)
    ResultDocument.model_validate(doc)
    assert doc["as_of"] == "2026-11-20" and doc["law"] == "LGPDPPSO" and doc["profile"] == "public-education"
    assert doc["inputs"][0] == {"role": "declaration", "path": "ai-center.yaml",
                                "sha256": __import__("hashlib").sha256(EXAMPLE.read_bytes()).hexdigest()}
    from checker.catalog import load_catalog

    order = [c.id for c in load_catalog().select("public-education")]
    assert [r["control_id"] for r in doc["results"]] == order
    counts = doc["summary"]["counts"]
    assert sum(counts.values()) == len(doc["results"])
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for r in doc["results"]:
        for f in r["findings"]:
            loc = f["location"]
            assert 1 <= loc["line"] <= len(lines)
            if f["status"] == "unknown":
                assert r["missing"] or f["missing"]


def test_output_file_and_format_from_extension(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run("evaluate", str(EXAMPLE), "-o", str(out), "--as-of", "2026-11-20")
    assert proc.returncode == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 1
    en = run("evaluate", str(EXAMPLE), "--format", "json", "--as-of", "2026-11-20", "--lang", "en")
    doc_en = json.loads(en.stdout)
    # Only texts vary with --lang; statuses and fingerprints do not.
    assert [(r["control_id"], r["status"]) for r in doc_en["results"]] == [
        (r["control_id"], r["status"]) for r in doc["results"]]
    assert [f["fingerprint"] for r in doc_en["results"] for f in r["findings"]] == [
        f["fingerprint"] for r in doc["results"] for f in r["findings"]]


def test_terminal_summary_and_fail_on(tmp_path: Path) -> None:
    proc = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-20")
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "Centro Público de Formación en Inteligencia Artificial" in out and "Puntuación" in out
    assert "Crítica" in out
    en = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "--lang", "en").stdout.decode()
    assert "Score" in en and "Critical" in en
    assert not list(tmp_path.iterdir())


def test_validate_and_catalog_verbs() -> None:
    assert run("validate", str(EXAMPLE)).returncode == 0
    check = run("catalog", "check")
    assert check.returncode == 0, check.stderr.decode()
    listing = run("catalog", "list").stdout.decode().splitlines()
    assert len(listing) >= 80
    show = run("catalog", "show", listing[0].split()[0])
    assert show.returncode == 0 and json.loads(show.stdout)["legal_refs"]
    assert run("catalog", "show", "XXX-99").returncode == 2


def test_schema_is_generated_and_validates_the_examples() -> None:
    proc = run("schema")
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        data = load_yaml_file(example).data
        errors = list(validator.iter_errors(data))
        assert not errors, (example.name, errors[0].message if errors else None)
    bad = load_yaml_file(EXAMPLE).data
    bad["program"]["operator_type"] = "empresa"
    assert list(validator.iter_errors(bad))
    result_schema = json.loads(run("schema", "--result").stdout)
    jsonschema.Draft202012Validator.check_schema(result_schema)


def test_json_writer_matches_the_standard_library(tmp_path: Path) -> None:
    """orjson writes the contract's JSON (2-space indent, UTF-8 as is) byte for byte like json.dumps."""
    from checker.api import evaluate_file
    from checker.render.json_doc import dumps

    for example in sorted((ROOT / "examples").glob("*.yaml")):
        doc = evaluate_file(example, as_of="2026-11-20").to_dict()
        assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
