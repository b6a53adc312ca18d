"""The typed result: the JSON contract survives the model byte for byte, the JSON of 1.0 only gained keys,
one vocabulary, one counting function, and no import cycle between diff and the renderers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.api import evaluate_file
from checker.result import ResultDocument, count_controls, count_subjects
from checker.vocabulary import STATUSES, status_word

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "json-1.0"
EXAMPLES = ("well-run-school", "vendor-review", "ai-center", "minimal")
# Sentences the result writes for people; issue 9 re-worded them in plain words (their keys stay).
REWORDED = {"reasons", "reason", "applicability"}
# The catalog's checksum changes with any edit of controls/ (issue 12 added contract clauses); the
# tool's version with each release.
CHANGES_WITH_THE_RELEASE = {"$.catalog.sha256", "$.tool.version"}


def _compare(old: Any, new: Any, where: str, problems: list[str]) -> None:
    """Every key of `old` is in `new` with the same value, except re-worded sentences."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            problems.append(f"{where}: was an object")
            return
        for key, value in old.items():
            if key not in new:
                problems.append(f"{where}.{key}: key removed")
            elif key not in REWORDED:
                _compare(value, new[key], f"{where}.{key}", problems)
    elif isinstance(old, list):
        if not isinstance(new, list) or len(old) != len(new):
            problems.append(f"{where}: list changed length")
            return
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _compare(a, b, f"{where}[{i}]", problems)
    elif (old != new or type(old) is not type(new)) and where not in CHANGES_WITH_THE_RELEASE:
        problems.append(f"{where}: {old!r} -> {new!r}")


@pytest.mark.parametrize("name", EXAMPLES)
def test_json_of_1_0_only_gained_keys(name: str) -> None:
    """tests/golden/json-1.0 holds what resguarda 1.0 wrote for the examples (default as-of)."""
    old = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    # Catalog 2026.2 and contract 1.1 changed the examples and the controls: compare like with like, the
    # 1.0 examples (tests/data/examples-1.0) against the 2026.1 catalog (tests/data/catalog-2026.1).
    from checker.api import evaluate_loaded
    from checker.catalog import load_catalog
    from checker.validate import load_declaration

    path = ROOT / "tests" / "data" / "examples-1.0" / f"{name}.yaml"
    loaded = load_declaration(path, str(Path("examples") / f"{name}.yaml"))
    new = evaluate_loaded(loaded, catalog=load_catalog(ROOT / "tests" / "data" / "catalog-2026.1")).to_dict()
    problems: list[str] = []
    _compare(old, new, "$", problems)
    assert not problems, "\n".join(problems[:20])
    assert new["schema_version"] == 1


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_json_model_json_is_byte_identical(name: str, lang: str) -> None:
    data = evaluate_file(ROOT / "examples" / f"{name}.yaml", as_of="2026-11-20", lang=lang).to_json()
    again = ResultDocument.from_json(data).to_json()
    assert again == data
    assert data.endswith(b"}\n") and b"\n  \"schema_version\": 1," in data


def test_counts_come_from_one_function() -> None:
    doc = evaluate_file(ROOT / "examples" / "ai-center.yaml", as_of="2026-11-20")
    assert doc.summary.counts == count_controls(doc.results)
    for domain, summary in doc.summary.by_domain.items():
        assert summary.counts == count_controls(r for r in doc.results if r.domain == domain)
    for r in doc.results:
        counts = count_subjects(r)
        assert sum(counts.values()) == max(len(r.findings), 1)
        if r.findings:
            assert counts == {s: sum(1 for f in r.findings if f.status == s) for s in STATUSES}


def test_one_word_per_status_in_each_language() -> None:
    locales = ROOT / "checker" / "locales"
    for path in sorted(locales.glob("*.json")):
        if path.name.startswith("vocabulary."):
            continue
        keys = json.loads(path.read_text(encoding="utf-8"))
        stray = [k for k in keys if k.split(".")[0] in ("status", "severity", "severity_letter", "domain")
                 and k != "status.absent"]
        assert not stray, f"{path.name} defines its own words for {stray}: use checker.vocabulary"
    for lang in ("es", "en"):
        words = [status_word(s, lang) for s in STATUSES]
        assert len(set(words)) == len(words)
    assert status_word("unknown", "es") == "Sin decidir"
    glossary = (ROOT / "docs" / "glosario.md").read_text(encoding="utf-8")
    for s in STATUSES:
        assert status_word(s, "es") in glossary and status_word(s, "en") in glossary


def test_diff_imports_nothing_from_render() -> None:
    code = ("import sys, checker.diff, checker.thresholds, checker.result, checker.waivers, checker.vocabulary; "
            "print(sorted(m for m in sys.modules if m.startswith('checker.render')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=60, check=True)
    assert out.stdout.decode().strip() == "[]"
