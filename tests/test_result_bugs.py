"""The bugs of issue 9, each a test a user would recognise: counts that disagree with the findings, a
scoped waiver that hides a failure, a command that ignores `--lang`, and Spanish headers on an English
result. Each one failed before the typed result (see the commit that added it)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import control, decl, evaluate

from checker.cli import print_summary
from checker.render import RenderOptions
from checker.render.csv_rows import render as render_csv
from checker.render.markdown import render as render_md
from checker.result import ResultDocument, count_subjects

ROOT = Path(__file__).resolve().parent.parent

ENC_RULE = {"every": "systems", "require": {"path": "encryption.at_rest.enabled", "equals": True}}
# One system fails, two have not declared it: one fail and two undecided, never "fails in 3 systems".
SYSTEMS = [{"id": "portal", "encryption": {"at_rest": {"enabled": False}}}, {"id": "nube"}, {"id": "caja"}]
WAIVER = {"id": "w-portal", "control": "ENC-51", "systems": ["archivo"], "reason": "Riesgo aceptado mientras migra",
          "approved_by": "Comité de Transparencia", "approved_on": "2026-01-10", "expires": "2026-12-31"}


def _doc(tmp_path: Path, lang: str = "es", **sections: object) -> ResultDocument:
    data = evaluate(tmp_path, decl(systems=SYSTEMS, **sections), control("ENC-51", ENC_RULE, severity="critical",
                                                                          domain="encryption"), lang=lang)
    return ResultDocument.model_validate(data)


def test_summary_counts_each_status_of_each_control(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    result = doc.results[0]
    assert result.status == "fail"
    counts = count_subjects(result)
    assert (counts["fail"], counts["unknown"], counts["pass"]) == (1, 2, 0)
    md = render_md(doc, RenderOptions()).decode()
    top = md.split("### Las brechas más graves")[1].split("###")[0]
    assert "no se cumple en 1 sistema (portal)" in top.lower()
    assert "sin decidir en 2 sistemas (nube, caja)" in top.lower()
    assert "3 sistemas" not in top


def test_scoped_waiver_in_the_summary_box_and_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    systems = [{"id": "archivo", "encryption": {"at_rest": {"enabled": False}}},
               {"id": "portal", "encryption": {"at_rest": {"enabled": False}}}]
    data = evaluate(tmp_path, decl(systems=systems, waivers=[WAIVER]),
                    control("ENC-51", ENC_RULE, severity="critical", domain="encryption"))
    doc = ResultDocument.model_validate(data)
    result = doc.results[0]
    # The waived system counts as waived; the other keeps its failure, and so does the control.
    assert result.status == "fail"
    assert {f.subject.id: f.status for f in result.findings} == {"archivo": "waived", "portal": "fail"}
    assert count_subjects(result)["waived"] == 1
    md = render_md(doc, RenderOptions()).decode()
    waived_row = next(line for line in md.splitlines() if "Con excepción" in line and line.startswith("|"))
    assert waived_row.replace(" ", "").endswith("|0|1|"), waived_row   # 0 controls, 1 case
    print_summary(doc, "es", "high")
    out = capsys.readouterr().out
    lines = out.splitlines()
    at = next(i for i, text in enumerate(lines) if "] ENC-51" in text)
    assert "portal" in lines[at + 1] and "Riesgo aceptado" not in lines[at + 1], out
    assert "w-portal" in lines[at + 2]


def test_scan_answers_in_the_language_asked_for(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    proc = subprocess.run([sys.executable, "-m", "checker", "scan", "no_valid!", "--ports", "443", "-o",
                           str(tmp_path / "s.xml"), "--lang", "en"], capture_output=True, env=env, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert "is not a valid IP address" in err and "no es una" not in err
    assert not list(tmp_path.iterdir())


def test_csv_headers_of_an_english_result_are_english(tmp_path: Path) -> None:
    doc = _doc(tmp_path, lang="en")
    rows = list(csv.reader(io.StringIO(render_csv(doc, RenderOptions()).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Control", "Title", "Domain"], rows[0]
    assert "Título" not in rows[0]


@pytest.mark.parametrize(("lang", "words"), [("es", ("escaneo «externo»", "201 días", "repita el escaneo")),
                                             ("en", ("scan “externo”", "201 days old", "scan again"))])
def test_a_stale_scan_says_which_scan_and_how_old(lang: str, words: tuple[str, ...]) -> None:
    from checker.api import evaluate_file

    doc = evaluate_file(ROOT / "examples" / "well-run-school.yaml", as_of="2027-06-01", lang=lang)
    result = doc.result("ENC-53")
    assert result is not None and result.status == "partial"
    reason = result.reasons[0]
    for word in words:
        assert word in reason, reason
    assert "(vacío)" not in reason and "(empty)" not in reason
    comparison = result.findings[0].explanation.comparisons[0]   # type: ignore[union-attr]
    assert (comparison.scan, comparison.scan_date, comparison.scan_age_days, comparison.stale) == (
        "externo", "2026-11-12", 201, True)
