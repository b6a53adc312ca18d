"""Procurement end to end: the typed questionnaire (XLSX, fillable PDF), its import into a declaration
that `evaluate` scores, and the comparison of bidders with knock-outs and a ranking.

The three bidders of `procurement_fixtures` are typed in the way a vendor would (labels, "72 horas");
the expected ranking, knock-outs and scores below are worked out by hand from those answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from procurement_fixtures import GAPS, GOOD, HALF, VENDOR_SHEET, cell_keys, fill
from report_fixtures import pdf_texts

from checker.catalog import load_catalog
from checker.cli import main
from checker.procurement.compare import WEIGHTS
from checker.procurement.questions import build_questionnaire

ROOT = Path(__file__).resolve().parent.parent

AS_OF = "2026-11-20"
LLAVE_MX = {"DMN-03", "DMN-05", "AUT-04", "AUT-05", "AUT-06", "AUT-07", "AUT-08", "AUT-09"}
SCAN = {"ENC-51", "ENC-52", "NET-01", "NET-02", "NET-03", "NET-04", "NET-05"}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A blank questionnaire, three filled by bidders, and the three imported declarations."""
    d = tmp_path_factory.mktemp("procure")
    assert main(["checklist", "--format", "xlsx", "-o", str(d / "blank.xlsx")]) == 0
    for name, answers in (("good", GOOD), ("gaps", GAPS), ("half", HALF)):
        fill(d / "blank.xlsx", d / f"{name}.xlsx", answers)
        assert main(["checklist", "import", str(d / f"{name}.xlsx"), "-o", str(d / f"{name}.yaml")]) == 0
    return d


def _compare(work: Path, *extra: str, fmt: str = "json") -> dict:
    out = work / f"cmp-{abs(hash(extra))}.{fmt}"
    code = main(["compare", str(work / "good.yaml"), str(work / "gaps.yaml"), str(work / "half.yaml"),
                 "--as-of", AS_OF, "--format", fmt, "-o", str(out), *extra])
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8")) if fmt == "json" else {"path": out}


# -- typed questions -------------------------------------------------------------------------------
def test_questions_take_the_answer_their_field_needs() -> None:
    q = build_questionnaire(load_catalog(), "vendor", "es")
    by_id = {x.control_id: x for x in q.questions}
    kinds = {cid: [(f.path, f.kind) for f in by_id[cid].fields] for cid in by_id}
    # "¿Cuándo…?" and "¿Qué…?" are not yes/no.
    assert by_id["GOV-05"].text.startswith("¿Cuándo")
    assert kinds["GOV-05"] == [("governance.risk_assessment", "recurring")]
    assert by_id["DMN-03"].text.startswith("¿Qué atributo")
    assert kinds["DMN-03"] == [("systems[].authentication[].llave_mx.user_key", "choice")]
    assert kinds["INC-09"] == [("incident_response.breach_notification.within", "duration")]
    assert kinds["ACC-04"] == [("systems[].access_control.admin_accounts", "number")]
    assert kinds["GOV-06"] == [("governance.security_document.last_reviewed", "date")]
    assert kinds["LOG-02"] == [("systems[].logging.events", "multi")]
    assert kinds["ENC-01"] == [("systems[].encryption.at_rest.enabled", "yesno")]
    # Per-system questions are tables over the systems the vendor lists.
    assert by_id["ENC-01"].fields[0].collection == "systems"
    # Scan-only controls ask nothing of the vendor.
    assert by_id["NET-01"].scan_only and not by_id["NET-01"].fields
    # A field is asked once; a later question that needs it points back.
    assert by_id["INC-09"].asked_in == (by_id["INC-01"].number,)
    # Choices carry the reader's labels, from the model's enum.
    mfa = next(f for f in by_id["AUT-01"].fields)
    assert mfa.choices == ("required", "optional", "none")


# -- the spreadsheet -------------------------------------------------------------------------------
def test_questionnaire_sheets_validations_and_protected_map(work: Path) -> None:
    wb = openpyxl.load_workbook(work / "blank.xlsx")
    assert wb.sheetnames == ["Instrucciones", "Proveedor", "Preguntas", "Listas", "_resguarda"]
    assert wb["_resguarda"].sheet_state == "hidden" and wb["_resguarda"].protection.sheet
    meta = {wb["_resguarda"].cell(row=r, column=1).value: wb["_resguarda"].cell(row=r, column=2).value
            for r in range(1, 9)}
    cat = load_catalog()
    assert meta["catalog_version"] == cat.index.version and meta["catalog_sha256"] == cat.sha256
    qs = wb["Preguntas"]
    keys = cell_keys()
    enc = keys[("systems[].encryption.at_rest.enabled", "", 0)].split("!")[1]
    date_cell = keys[("governance.training", "last_done", None)].split("!")[1]
    admins = keys[("systems[].access_control.admin_accounts", "", 0)].split("!")[1]
    found = {}
    for dv in qs.data_validations.dataValidation:
        for ref in (enc, date_cell, admins):
            if ref in dv.sqref:
                found[ref] = dv
    assert found[enc].type == "list" and found[date_cell].type == "date" and found[admins].type == "whole"
    # The answer cells are the only unlocked ones; the question text is locked.
    assert qs[enc].protection.locked is False and qs.protection.sheet
    # The per-system row shows the system the vendor named on the vendor sheet.
    row = int(enc[1:])
    assert qs[f"C{row}"].value.startswith("=IF(")
    texts = [str(c.value) for r in qs.iter_rows() for c in r if c.value]
    assert any("¿Cuándo se hizo el último análisis de riesgos" in t for t in texts)
    assert "ENC-01" in texts and any("Evidencia" in t for t in texts)


def test_imported_declaration_has_the_questions_as_comments_and_no_guesses(work: Path) -> None:
    text = (work / "good.yaml").read_text(encoding="utf-8")
    assert "# 4.1 ¿Los sistemas que guardan datos personales los cifran en reposo?" in text
    assert "within: PT72H" in text and "breach_notice_within: PT24H" in text
    assert "key_management: kms" in text
    half = (work / "half.yaml").read_text(encoding="utf-8")
    # What the half-answering bidder left blank is not declared at all.
    assert "dpa_clauses" not in half and "tls_min_version" not in half and "mfa" not in half
    assert "provider: llave_mx" in half


def test_imported_declarations_evaluate(work: Path) -> None:
    for name in ("good", "gaps", "half"):
        out = work / f"{name}.json"
        # Exit 1 for all: the scan-dependent controls stay undecided until the buyer scans.
        assert main(["evaluate", str(work / f"{name}.yaml"), "--format", "json", "-o", str(out),
                     "--as-of", AS_OF]) == 1
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["profile"] == "vendor"
        open_ = {r["control_id"] for r in doc["results"] if r["status"] not in ("pass", "not_applicable")}
        if name == "good":
            assert open_ <= SCAN | {"ENC-53"}
        if name == "gaps":
            assert open_ - SCAN - {"ENC-53"} == {"AUT-01", "LOG-06", "PRC-06"}


# -- the comparison ----------------------------------------------------------------------------------
def test_three_bidders_ranking_and_knockouts_as_worked_out_by_hand(work: Path) -> None:
    doc = _compare(work, "--knockout", "high")
    bidders = doc["bidders"]
    assert [b["name"] for b in bidders] == ["Aula Segura", "Escuela Digital", "Campus Rápido"]
    assert [b["rank"] for b in bidders] == [1, 2, 3]
    assert [b["knocked_out"] for b in bidders] == [False, False, True]
    good, half, gaps = bidders
    compared = [r for r in doc["matrix"] if r["group"] == "compared"]
    weight = sum(WEIGHTS[r["severity"]] for r in compared)
    # Complete and good: everything compared passes.
    assert good["score"] == 100.0 and good["coverage"] == 100.0
    # Gaps: AUT-01 (high, knock-out), LOG-06 and PRC-06 (medium) fail; all answered.
    assert gaps["coverage"] == 100.0
    assert gaps["score"] == round(100 * (weight - 5 - 3 - 3) / weight, 1)
    assert any("AUT-01" in r and "Descalificada" in r for r in gaps["reasons"])
    assert gaps["counts"]["fail"] == 3
    # Half answered: nothing wrong, a lot undecided; coverage shown apart from the score.
    assert half["counts"]["fail"] == 0 and 40 < half["coverage"] < 60
    assert half["score"] < gaps["score"]
    # Llave MX login applies to the half bidder only: shown, not scored against the others.
    offer = {r["control_id"]: r for r in doc["matrix"] if r["group"] == "offer"}
    assert set(offer) >= LLAVE_MX
    assert all(offer[c]["statuses"]["Aula Segura"] == "not_applicable" for c in LLAVE_MX)
    assert all(offer[c]["statuses"]["Escuela Digital"] == "unknown" for c in LLAVE_MX)
    assert not LLAVE_MX & {r["control_id"] for r in compared}
    # Scan-dependent controls are conditions to verify, not undecided answers.
    assert {r["control_id"] for r in doc["matrix"] if r["group"] == "scan"} >= SCAN
    assert set(good["conditions"]) >= SCAN
    assert not SCAN & {r["control_id"] for r in compared}
    # The JSON keys the contract names, in rank order.
    assert list(bidders[0])[:7] == ["name", "path", "coverage", "score", "knocked_out", "rank", "reasons"]


def test_without_knockout_score_decides_and_require_knocks_out(work: Path) -> None:
    plain = _compare(work)
    assert [b["name"] for b in plain["bidders"]] == ["Aula Segura", "Campus Rápido", "Escuela Digital"]
    assert not any(b["knocked_out"] for b in plain["bidders"])
    required = _compare(work, "--require", "PRC-02,INC-09")
    names = [(b["name"], b["knocked_out"]) for b in required["bidders"]]
    # The half bidder did not answer the processor clauses: a requirement not met.
    assert names == [("Aula Segura", False), ("Campus Rápido", False), ("Escuela Digital", True)]
    assert any("PRC-02" in r for r in required["bidders"][2]["reasons"])


def test_compare_formats_read_back(work: Path) -> None:
    pdf = _compare(work, "--knockout", "high", fmt="pdf")["path"]
    text = "\n".join(pdf_texts(pdf.read_bytes()))
    for needle in ("Aula Segura", "Campus Rápido", "Escuela Digital", "Verificar antes de firmar",
                   "Descalificada", "Controles propios de una oferta", "AUT-01"):
        assert needle in text, needle
    md = _compare(work, "--knockout", "high", fmt="md")["path"].read_text(encoding="utf-8")
    assert "| 1 | Aula Segura |" in md
    html = _compare(work, "--knockout", "high", fmt="html")["path"].read_text(encoding="utf-8")
    assert "<table class=\"c-matrix\">" in html
    wb = openpyxl.load_workbook(_compare(work, fmt="xlsx")["path"])
    ranking = wb[wb.sheetnames[0]]
    assert [ranking.cell(row=r, column=2).value for r in (5, 6, 7)] == \
        ["Aula Segura", "Campus Rápido", "Escuela Digital"]


def test_compare_over_json_results_and_refuses_other_profiles(work: Path, tmp_path: Path) -> None:
    for name in ("good", "gaps"):
        main(["evaluate", str(work / f"{name}.yaml"), "--format", "json", "-o", str(tmp_path / f"{name}.json"),
              "--as-of", AS_OF])
    out = tmp_path / "c.json"
    assert main(["compare", str(tmp_path / "good.json"), str(tmp_path / "gaps.json"), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["bidders"][0]["name"] == "Aula Segura"
    main(["evaluate", str(work / "gaps.yaml"), "--format", "json", "-o", str(tmp_path / "other.json"),
          "--as-of", AS_OF, "--profile", "private-school"])
    bad = tmp_path / "bad.json"
    assert main(["compare", str(tmp_path / "good.json"), str(tmp_path / "other.json"), "-o", str(bad)]) == 2
    assert not bad.exists()


def test_contract_clauses_from_the_catalog(work: Path, tmp_path: Path) -> None:
    catalog = load_catalog()
    vendor = [c for c in catalog.select("vendor") if not c.deprecated]
    # Every vendor-profile control says which clause to require, in both languages.
    assert all(c.contract_clause is not None for c in vendor)
    assert all(c.contract_clause.es != c.contract_clause.en for c in vendor if c.contract_clause)
    out = tmp_path / "c.json"
    assert main(["compare", str(work / "good.yaml"), str(work / "gaps.yaml"), "--as-of", AS_OF, "-o", str(out),
                 "--lang", "en"]) == 0
    by_name = {b["name"]: b for b in json.loads(out.read_text())["bidders"]}
    gaps = {c["control_id"]: c["text"] for c in by_name["Campus Rápido"]["clauses"]}
    good = {c["control_id"] for c in by_name["Aula Segura"]["clauses"]}
    # The controls a bidder does not meet, and the scan conditions, each with its clause.
    assert set(gaps) == {"AUT-01", "LOG-06", "PRC-06"} | good
    assert good == set(by_name["Aula Segura"]["conditions"])
    assert gaps["AUT-01"] == catalog.get("AUT-01").contract_clause.en   # type: ignore[union-attr]


# -- import errors -------------------------------------------------------------------------------------
def _import(path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["checklist", "import", str(path), "-o", str(out)])
    return code, capsys.readouterr().err


def test_import_problems_all_at_once_with_cell_question_and_fix(work: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    keys = cell_keys()
    bad = {**GOOD,
           ("systems[].access_control.admin_accounts", "", 0): "muchas",        # wrong type
           ("systems[].encryption.at_rest.enabled", "", 0): "Quizás",           # not in the list
           ("data_inventory[].retention.period", "", 0): "pronto",              # not a period
           ("governance.training", "last_done", None): "el año pasado"}         # not a date
    fill(work / "blank.xlsx", tmp_path / "bad.xlsx", bad)
    out = tmp_path / "bad.yaml"
    code, err = _import(tmp_path / "bad.xlsx", out, capsys)
    assert code == 2 and not out.exists()
    # One answer per line, each line its own (a message's line breaks would be shown as "\\n").
    lines = err.splitlines()
    assert lines[0].endswith("bad.xlsx: el cuestionario tiene 4 respuestas por corregir:"), lines[0]
    assert [line.startswith("  - ") for line in lines[1:5]] == [True] * 4 and "\\n" not in err
    assert lines[5].startswith("  -> corrija cada celda")
    assert f"{keys[('systems[].access_control.admin_accounts', '', 0)]} (5.4 ¿Cuántas cuentas" in err
    assert "«muchas» no es un número entero" in err
    assert f"{keys[('systems[].encryption.at_rest.enabled', '', 0)]} (4.1" in err and "escriba Sí o No" in err
    assert "«pronto» no es un plazo" in err and "«72 horas»" in err
    assert "aaaa-mm-dd" in err
    assert "Traceback" not in err


def test_import_refuses_a_modified_map_and_another_catalog(work: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    wb = openpyxl.load_workbook(work / "good.xlsx")
    ws = wb["_resguarda"]
    ws.cell(row=12, column=4).value = "systems[].encryption.at_rest.algorithm"
    wb.save(tmp_path / "mapped.xlsx")
    code, err = _import(tmp_path / "mapped.xlsx", tmp_path / "m.yaml", capsys)
    assert code == 2 and "_resguarda!A12" in err and "modificada" in err

    wb = openpyxl.load_workbook(work / "good.xlsx")
    wb["_resguarda"]["B3"] = "2025.9"
    wb.save(tmp_path / "old.xlsx")
    code, err = _import(tmp_path / "old.xlsx", tmp_path / "o.yaml", capsys)
    assert code == 2 and "2025.9" in err and "resguarda checklist --format xlsx" in err

    (tmp_path / "notes.xlsx").write_bytes(b"not a workbook")
    code, err = _import(tmp_path / "notes.xlsx", tmp_path / "n.yaml", capsys)
    assert code == 2 and "xlsx" in err and "Traceback" not in err


def test_import_names_missing_items_and_unknown_systems(work: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    answers = {**VENDOR_SHEET,
               ("systems[].encryption.at_rest.enabled", "", 3): "Sí",           # row 4: no such system
               ("data_inventory[].systems", "", 0): "Portal"}                    # not a listed system
    fill(work / "blank.xlsx", tmp_path / "x.xlsx", answers)
    code, err = _import(tmp_path / "x.xlsx", tmp_path / "x.yaml", capsys)
    assert code == 2
    assert "no corresponde a ningún elemento de «Sistemas»" in err
    assert "«Portal» no está en la tabla de sistemas" in err


def test_english_questionnaire_round_trip(tmp_path: Path) -> None:
    assert main(["checklist", "--format", "xlsx", "--lang", "en", "-o", str(tmp_path / "q.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "q.xlsx")
    assert wb.sheetnames[:3] == ["Instructions", "Vendor", "Questions"]
    answers = {("program.name", "", None): "Secure Classroom", ("program.operator", "", None): "SC Inc.",
               ("program.operator_type", "", None): "private company",
               ("program.controller", "", None): "State Education Secretariat",
               ("governance.training", "every", None): "1 year",
               ("governance.training", "last_done", None): "2026-06-01",
               ("incident_response.breach_notification.within", "", None): "48 hours",
               ("incident_response.plan", "", None): "Yes"}
    fill(tmp_path / "q.xlsx", tmp_path / "a.xlsx", answers, lang="en")
    assert main(["checklist", "import", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "a.yaml")]) == 0
    text = (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert "every: P1Y" in text and "within: PT48H" in text and "# 9.1 Do you have a written" in text


# -- the fillable PDF ----------------------------------------------------------------------------------
def test_pdf_form_filled_with_pypdf_and_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader, PdfWriter

    form = tmp_path / "form.pdf"
    assert main(["checklist", "--format", "pdf", "-o", str(form)]) == 0
    reader = PdfReader(form)
    fields = reader.get_fields() or {}
    assert fields["q4_1-systems_encryption_at_rest_enabled-1"]["/FT"] == "/Ch"       # Sí / No list
    assert fields["q9_3-incident_response_breach_notification_within"]["/FT"] == "/Tx"
    values = {"v-program_name": "Aula Segura", "v-program_operator": "Aula Segura, S.A. de C.V.",
              "v-program_operator_type": "empresa privada", "v-program_controller": "Secretaría de Educación",
              "v-systems_name-1": "Plataforma", "v-systems_hosting_type-1": "servidores propios",
              "q4_1-systems_encryption_at_rest_enabled-1": "Sí",
              "q1_6-governance_training-every": "1 año", "q1_6-governance_training-last_done": "2026-05-01",
              "q9_3-incident_response_breach_notification_within": "48 horas"}
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    filled = tmp_path / "filled.pdf"
    with filled.open("wb") as fh:
        writer.write(fh)
    out = tmp_path / "pdf.yaml"
    assert main(["checklist", "import", str(filled), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "within: PT48H" in text and "type: on_premises" in text and "enabled: true" in text
    assert main(["evaluate", str(out), "--format", "json", "-o", str(tmp_path / "r.json"), "--as-of", AS_OF]) == 1
    # A wrong answer names the PDF field.
    values["q9_3-incident_response_breach_notification_within"] = "pronto"
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    with (tmp_path / "bad.pdf").open("wb") as fh:
        writer.write(fh)
    code, err = _import(tmp_path / "bad.pdf", tmp_path / "bad.yaml", capsys)
    assert code == 2 and "q9_3-incident_response_breach_notification_within" in err and "«pronto»" in err


# -- LibreOffice ---------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_file_saved_by_libreoffice_imports_the_same(work: Path, tmp_path: Path) -> None:
    saved = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--convert-to", "xlsx", "--outdir", str(saved), str(work / "good.xlsx")],
                   capture_output=True, timeout=180, check=True)
    assert main(["checklist", "import", str(saved / "good.xlsx"), "-o", str(tmp_path / "lo.yaml")]) == 0
    ours = (work / "good.yaml").read_text(encoding="utf-8").splitlines()[3:]
    theirs = (tmp_path / "lo.yaml").read_text(encoding="utf-8").splitlines()[3:]
    assert ours == theirs


def test_hostile_bidder_names_are_escaped_in_every_sink(work: Path, tmp_path: Path) -> None:
    text = (work / "good.yaml").read_text(encoding="utf-8")
    (tmp_path / "evil.yaml").write_text(text.replace("name: Aula Segura", 'name: "=HYPERLINK(\\"x\\")<script>"'),
                                        encoding="utf-8")
    args = [str(tmp_path / "evil.yaml"), str(work / "gaps.yaml"), "--as-of", AS_OF]
    assert main(["compare", *args, "-o", str(tmp_path / "c.html")]) == 0
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert main(["compare", *args, "-o", str(tmp_path / "c.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    names = [c.value for c in wb[wb.sheetnames[-1]][1]]
    assert "'=HYPERLINK(\"x\")<script>" in names
    assert main(["compare", *args, "-o", str(tmp_path / "c.md")]) == 0
    assert "<script>" not in (tmp_path / "c.md").read_text(encoding="utf-8")


def test_import_refuses_a_zip_bomb_and_a_changed_catalog(work: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    code, err = _import(bomb, tmp_path / "b.yaml", capsys)
    assert code == 2 and "MB" in err and "Traceback" not in err

    wb = openpyxl.load_workbook(work / "good.xlsx")
    wb["_resguarda"]["B4"] = "0" * 64        # same version, other catalog bytes
    wb.save(tmp_path / "changed.xlsx")
    code, err = _import(tmp_path / "changed.xlsx", tmp_path / "c.yaml", capsys)
    assert code == 2 and "cambió" in err and "--catalog" in err


@pytest.mark.parametrize(("make", "needle"), [
    (lambda d: Path("/dev/zero"), "/dev/zero: es un dispositivo, no un archivo"),
    (lambda d: d, ": es una carpeta, no un archivo"),
    (lambda d: (d / "cut.xlsx", (d / "cut.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 200))[0],
     "cut.xlsx: no es un libro .xlsx legible: está dañado o es otro tipo de archivo"),
    (lambda d: (d / "cut.pdf", (d / "cut.pdf").write_bytes(b"%PDF-1.7\n%garbage"))[0],
     "cut.pdf: no es un formulario PDF de Resguarda legible: está dañado o es otro tipo de archivo"),
])
def test_import_names_what_is_wrong_with_the_file_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          make: Callable[[Path], Path], needle: str) -> None:
    """Found by hand: `/dev/zero` was "does not exist", and a damaged workbook showed Python's exception
    name ("(BadZipFile)", "(KeyError)")."""
    code, err = _import(make(tmp_path), tmp_path / "d.yaml", capsys)
    assert code == 2 and needle in err, err
    path = make(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    alone = subprocess.run([sys.executable, "-m", "checker", "checklist", "import", str(path), "-o",
                            str(tmp_path / "d.yaml")], capture_output=True, text=True, timeout=120, env=env)
    # The whole standard error is our one message: no library's log line ("EOF marker not found").
    assert alone.returncode == 2 and alone.stderr.startswith("resguarda: ") and alone.stderr.count("\n") == 2, (
        alone.stderr)
    assert "Error)" not in err and "BadZipFile" not in err and not (tmp_path / "d.yaml").exists()
