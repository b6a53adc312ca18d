"""The bad-input boundary (issue 15.1): each defect class that used to end as exit 3 ("defecto de
Resguarda") is now exit 2 with a located message and the fix, or a bounded success."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import HEAD, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def evaluate(tmp_path: Path, body: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    decl = tmp_path / "d.yaml"
    decl.write_text(HEAD + body, encoding="utf-8")
    out = tmp_path / "r.json"
    return run("evaluate", str(decl), "--format", "json", "-o", str(out), *extra), out


SATURATE = [
    ("last_done at the end of the calendar", "governance:\n  training: {every: P1Y, last_done: 9999-12-31}\n"),
    ("a billion years", "governance:\n  training: {every: P999999999Y, last_done: 2026-01-01}\n"),
    ("a waiver approved near the end", "waivers:\n  - id: w\n    controls: [ENC-01]\n    reason: x\n"
     "    approved_by: y\n    approved_on: 9999-06-01\n    expires: 9999-12-31\n"),
]


@pytest.mark.parametrize("name,body", SATURATE, ids=[c[0] for c in SATURATE])
def test_dates_past_the_calendar_saturate(tmp_path: Path, name: str, body: str) -> None:
    proc, out = evaluate(tmp_path, body, "--as-of", "2026-11-20")
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "defecto" not in proc.stderr and "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert re.search(r"d\.yaml:\d+:\d+", proc.stderr)


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_as_of_out_of_range_is_exit_2(tmp_path: Path, when: str) -> None:
    proc, out = evaluate(tmp_path, "governance:\n  training: {every: P1Y, last_done: 2026-01-01}\n", "--as-of", when)
    assert proc.returncode == 2 and "--as-of" in proc.stderr and not out.exists()


def test_assessment_date_out_of_range_is_located(tmp_path: Path) -> None:
    proc, out = evaluate(tmp_path, "assessment:\n  date: 0001-01-01\n")
    assert proc.returncode == 2 and "d.yaml:8:" in proc.stderr, proc.stderr


@pytest.mark.parametrize("body,line", [
    ("program_extra: 1\n", None),
    ("systems:\n  - id: portal\n    access_control: {admin_accounts: 1180591620717411303424}\n", 9),
    ("systems:\n  - id: portal\n    encryption: {at_rest: 0}\n", 9),
    ("privacy_notice: 0\n", 7),
    ("systems:\n  - id: portal\n    encryption: {at_rest: {enabled: quizas}}\n", 9),
])
def test_wrong_types_are_caught_by_the_model(tmp_path: Path, body: str, line: int | None) -> None:
    proc, out = evaluate(tmp_path, body)
    assert proc.returncode == 2, proc.stderr
    if line:
        assert f"d.yaml:{line}:" in proc.stderr, proc.stderr
    assert "->" in proc.stderr and not out.exists()


def _result(tmp_path: Path) -> dict[str, object]:
    proc, out = evaluate(tmp_path, "systems:\n  - id: portal\n")
    assert proc.returncode in (0, 1), proc.stderr
    doc: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize("mutate", [
    lambda d: d["summary"].__setitem__("score", "noventa"),
    lambda d: d["summary"].__setitem__("counts", [1, 2]),
    lambda d: d["results"][0].__setitem__("severity", 5),
    lambda d: d["results"][0].__setitem__("title", {"es": "x"}),
    lambda d: d["results"][0]["findings"][0].__setitem__("fingerprint", 7) if d["results"][0]["findings"]
    else d["results"][0].__setitem__("findings", [{"status": "fail"}]),
    lambda d: d.__setitem__("as_of", 20261120),
    lambda d: d["inputs"][0].__setitem__("sha256", None),
])
def test_diff_validates_saved_results(tmp_path: Path, mutate: object) -> None:
    doc = _result(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    mutate(doc)  # type: ignore[operator]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    for old, new in ((good, bad), (bad, good)):
        proc = run("diff", str(old), str(new))
        assert proc.returncode == 2, proc.stderr
        assert re.search(r"bad\.json:\d+:\d+", proc.stderr) and "defecto" not in proc.stderr


# -- YAML loader cases (checker/locations.py, from the `portfolio` stream) ----------------------------
@pytest.mark.parametrize("body", [
    "base: &b {enabled: true}\nsystems:\n  - id: portal\n    encryption:\n      at_rest:\n        <<: *b\n",
    "systems:\n  - id: portal\n    encryption: {at_rest: {enabled: !!bool quizas}}\n",
    "systems:\n  - id: portal\n    access_control: {admin_accounts: !!int abc}\n",
    'systems:\n  - id: portal\n    name: "\\U0011FFFF"\n',
    "systems:\n  - id: portal\n    access_control: {admin_accounts: " + "9" * 4400 + "}\n",
], ids=["merge key", "bool tag", "int tag", "U escape", "4400 digits"])
def test_loader_cases_are_exit_2(tmp_path: Path, body: str) -> None:
    proc, out = evaluate(tmp_path, body)
    assert proc.returncode == 2, proc.stderr
    assert re.search(r"d\.yaml:\d+:\d+", proc.stderr) and "defecto" not in proc.stderr
