"""`resguarda portfolio`: a generated portfolio of 200 declarations run through the real CLI; the
roll-up must equal the sum of single evaluations, bad declarations are listed, and the local pool
and Dask write the same Parquet contents."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from checker.api import evaluate_loaded
from checker.catalog import load_catalog
from checker.cli import main
from checker.errors import InputError
from checker.result import ResultDocument, count_controls, count_subjects
from checker.validate import load_declaration
from checker.vocabulary import FAILING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from make_portfolio import generate  # noqa: E402

AS_OF = "2026-11-20"
N = 200


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio")
    generate(N, folder, seed=7, mistakes=0.06)
    return folder


@pytest.fixture(scope="module")
def local_run(portfolio: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("out") / "local"
    code = main(["portfolio", str(portfolio / "manifest.csv"), "-o", str(out), "--as-of", AS_OF,
                 "--group-by", "state", "--group-by", "program.operator_type", "--jobs", "2", "--xlsx"])
    return code, out


def single_evaluations(portfolio: Path) -> tuple[dict[str, ResultDocument], dict[str, str]]:
    catalog = load_catalog()
    docs: dict[str, ResultDocument] = {}
    errors: dict[str, str] = {}
    with (portfolio / "manifest.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                loaded = load_declaration(portfolio / row["path"], row["path"])
            except InputError as exc:
                errors[row["path"]] = str(exc)
                continue
            docs[row["path"]] = evaluate_loaded(loaded, as_of=date.fromisoformat(AS_OF), catalog=catalog)
    return docs, errors


def test_rollup_equals_sum_of_single_evaluations(portfolio: Path, local_run: tuple[int, Path]) -> None:
    code, out = local_run
    docs, errors = single_evaluations(portfolio)
    assert errors, "the generator should have made some bad declarations"
    assert code == 1  # some declarations could not be evaluated: documented exit 1, outputs written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["declarations"] == N
    assert summary["programs_evaluated"] == len(docs)
    assert {e["path"]: e["message"] for e in summary["errors"]} == errors
    expected = Counter[str]()
    for doc in docs.values():
        expected.update(count_controls(doc.results))
    assert summary["counts"] == {k: expected[k] for k in summary["counts"]}
    scores = {p["path"]: p["score"] for p in summary["programs"]}
    assert scores == {path: doc.summary.score for path, doc in docs.items()}

    results = pq.read_table(out / "results.parquet").to_pylist()
    assert len(results) == sum(len(d.results) for d in docs.values())
    got = {(r["path"], r["control_id"]): (r["status"], r["subjects_fail"], r["subjects_pass"], r["subjects_unknown"])
           for r in results}
    for path, doc in docs.items():
        for r in doc.results:
            subjects = count_subjects(r)
            assert got[(path, r.control_id)] == (r.status, subjects["fail"], subjects["pass"], subjects["unknown"])
    findings = pq.read_table(out / "findings.parquet", columns=["path", "status"]).to_pylist()
    assert len(findings) == sum(len(r.findings) for d in docs.values() for r in d.results)
    # The controls failing most: programs counted once per control, as the single results say.
    top = summary["controls"][0]
    assert top["programs_failing"] == sum(
        1 for d in docs.values() for r in d.results if r.control_id == top["control_id"] and r.status in FAILING)


def test_grouping_by_manifest_column_and_by_declaration_field(portfolio: Path, local_run: tuple[int, Path],
                                                              tmp_path: Path) -> None:
    _, out = local_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    manifest = list(csv.DictReader((portfolio / "manifest.csv").open(encoding="utf-8")))
    bad = {e["path"] for e in summary["errors"]}
    by_state = Counter(r["state"] for r in manifest if r["path"] not in bad)
    assert {k: v["programs"] for k, v in summary["groups"]["state"].items()} == dict(by_state)
    by_type = summary["groups"]["program.operator_type"]
    assert set(by_type) <= {"public_school", "public_university", "private_school"}
    assert sum(v["programs"] for v in by_type.values()) == summary["programs_evaluated"]
    table = pq.read_table(out / "results.parquet", columns=["path", "state", "level", "program.operator_type"])
    assert set(table.column("state").to_pylist()) == set(by_state)
    # The same grouping read from the declarations of a folder (no manifest) gives the same groups.
    folder_out = tmp_path / "by-field"
    code = main(["portfolio", str(portfolio / "decl"), "-o", str(folder_out), "--as-of", AS_OF,
                 "--group-by", "program.jurisdiction.state", "--jobs", "1", "--reports", "0"])
    assert code == 1
    again = json.loads((folder_out / "summary.json").read_text(encoding="utf-8"))
    by_field = {k: v["programs"] for k, v in again["groups"]["program.jurisdiction.state"].items()}
    assert by_field == dict(by_state)
    # The heat map: one row per group, one column per domain.
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert html.count('class="cell"') >= len(by_state) * 10


def test_page_lists_bad_declarations_and_links_worst_reports(local_run: tuple[int, Path]) -> None:
    _, out = local_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "Declaraciones que no se pudieron evaluar" in html
    for error in summary["errors"]:
        assert error["path"] in html
        assert re.match(r".+\.yaml:\d+(:\d+)?: ", error["message"]), error["message"]
    links = re.findall(r'href="(reports/[^"]+\.html)"', html)
    assert len(links) == 15
    for link in links:
        report = (out / link).read_text(encoding="utf-8")
        assert "<html" in report
    assert "Controles que más fallan" in html and "Mapa de calor" in html


def test_workbook_keeps_text_as_text(local_run: tuple[int, Path]) -> None:
    from openpyxl import load_workbook

    _, out = local_run
    wb = load_workbook(out / "portfolio.xlsx")
    assert wb.sheetnames[:2] == ["Programas", "Controles"]
    programs = wb["Programas"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert programs.max_row == summary["programs_evaluated"] + 1
    assert any(ws.title.startswith("Por state") for ws in wb.worksheets)


def test_dask_gives_the_same_parquet(portfolio: Path, local_run: tuple[int, Path], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    _, local = local_run
    out = tmp_path / "dask"
    code = main(["portfolio", str(portfolio / "manifest.csv"), "-o", str(out), "--as-of", AS_OF,
                 "--group-by", "state", "--group-by", "program.operator_type", "--engine", "dask", "--jobs", "2",
                 "--reports", "0"])
    assert code == 1
    for name in ("results.parquet", "findings.parquet"):
        assert pq.read_table(out / name).equals(pq.read_table(local / name)), name
    a = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((local / "summary.json").read_text(encoding="utf-8"))
    for key in ("counts", "groups", "controls", "programs", "errors"):
        assert a[key] == b[key], key


def test_previous_run_shows_the_change(portfolio: Path, local_run: tuple[int, Path], tmp_path: Path) -> None:
    _, before = local_run
    # Copy the portfolio and make one program better: it now has a data-protection officer.
    import shutil

    copy = tmp_path / "p"
    shutil.copytree(portfolio, copy)
    summary = json.loads((before / "summary.json").read_text(encoding="utf-8"))
    candidates = [copy / p["path"] for p in sorted(summary["programs"], key=lambda p: (p["score"], p["path"]))]
    target = next(c for c in candidates if "data_protection_officer: false" in c.read_text(encoding="utf-8"))
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("data_protection_officer: false", "data_protection_officer: true"),
                      encoding="utf-8")
    out = tmp_path / "after"
    code = main(["portfolio", str(copy / "manifest.csv"), "-o", str(out), "--as-of", AS_OF, "--group-by", "state",
                 "--previous", str(before), "--jobs", "2", "--reports", "0", "--pdf"])
    assert code == 1
    change = json.loads((out / "summary.json").read_text(encoding="utf-8"))["change"]
    assert change["programs_improved"] == 1 and change["programs_worsened"] == 0
    assert change["programs_unchanged"] == summary["programs_evaluated"] - 1
    # The mean over the portfolio may round to 0.0; the improved program's own score must rise.
    assert change["score_delta"] >= 0
    rel = target.relative_to(copy).as_posix()
    after = json.loads((out / "summary.json").read_text(encoding="utf-8"))["programs"]
    old_score = next(p["score"] for p in summary["programs"] if p["path"] == rel)
    new_score = next(p["score"] for p in after if p["path"] == rel)
    assert new_score > old_score
    text = subprocess.run(["pdftotext", "-layout", str(out / "portfolio.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Cambio desde la evaluación anterior" in text and "mejoraron: 1" in text


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_hostile_names_escaped_and_quiet_without_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "decl"
    folder.mkdir()
    base = (ROOT / "examples" / "minimal.yaml").read_text(encoding="utf-8")
    name_line = next(line for line in base.splitlines() if line.strip().startswith("name:"))
    hostile = base.replace(name_line, "  name: \"<script>alert(1)</script>\"")
    (folder / "a.yaml").write_text(hostile, encoding="utf-8")
    (folder / "b.yaml").write_text(base.replace(name_line, "  name: \"=HYPERLINK(\\\"http://x\\\")\""),
                                   encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("portfolio", str(folder), "-o", str(out), "--as-of", AS_OF, "--xlsx", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "Traceback" not in proc.stderr
    assert "2 programs evaluated, 0 with errors" in proc.stderr
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(out / "portfolio.xlsx")["Programs"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("setup, needle", [
    ("no_path_column", "manifest.csv:1:1: the manifest has no path column"),
    ("short_row", "manifest.csv:3:1: the row has 1 cells and the header 2"),
    ("latin1_manifest", "manifest.csv:2:15: the manifest is not UTF-8 text"),
    # A hostile manifest or link would put another file's lines (/etc/shadow) into the error messages
    # of summary.json and the page: found by hand, refused before anything is read.
    ("manifest_outside", "manifest.csv:3:1: the path ../secret.yaml leaves the manifest's folder"),
    ("link_outside", "is a link to a file outside the portfolio's folder"),
    ("empty_folder", "there are no declarations"),
    ("bad_group_by", "--group-by program.jurisdicion.state: not a manifest column"),
    ("output_parent_missing", "does not exist"),
])
def test_bad_portfolio_input_is_exit_2_and_writes_nothing(tmp_path: Path, setup: str, needle: str) -> None:
    (tmp_path / "d.yaml").write_text((ROOT / "examples" / "minimal.yaml").read_text(encoding="utf-8"))
    target = tmp_path / "manifest.csv"
    out = tmp_path / "out"
    extra: list[str] = []
    if setup == "no_path_column":
        target.write_text("file,state\nd.yaml,MX-JAL\n")
    elif setup == "short_row":
        target.write_text("path,state\nd.yaml,MX-JAL\nd.yaml\n")
    elif setup == "manifest_outside":
        target.write_text("path,state\nd.yaml,MX-JAL\n../secret.yaml,MX-JAL\n")
    elif setup == "link_outside":
        folder = tmp_path / "folder"
        folder.mkdir()
        (folder / "d.yaml").write_text((tmp_path / "d.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        (tmp_path / "secret.yaml").write_text("root:$6$hash:20228:0:99999:7:::\n", encoding="utf-8")
        (folder / "shadow.yaml").symlink_to(tmp_path / "secret.yaml")
        target = folder
    elif setup == "latin1_manifest":
        target.write_bytes("path,state\nd.yaml,Michoacán\n".encode("latin-1"))   # saved by an old spreadsheet
    elif setup == "empty_folder":
        target = tmp_path / "empty"
        target.mkdir()
    elif setup == "bad_group_by":
        target = tmp_path
        extra = ["--group-by", "program.jurisdicion.state"]
    else:
        target = tmp_path
        out = tmp_path / "no" / "out"
    proc = run_cli("portfolio", str(target), "-o", str(out), "--lang", "en", *extra)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "->" in proc.stderr
    assert not out.exists() or not any(out.iterdir())
