"""CSV export: opens in a spreadsheet (UTF-8 with BOM), one row per control and subject."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import WAIVER_REASON, document, document_ids, sample_document

from checker.render import RenderOptions
from checker.render.csv_rows import COLUMNS, render


def rows(doc: dict[str, Any], lang: str = "es", tmp_path: Path | None = None) -> list[dict[str, str]]:
    data = render(doc, RenderOptions(lang=lang))
    if tmp_path is not None:
        # Read it back the way a spreadsheet import does: from a file, honouring the BOM.
        path = tmp_path / "resultados.csv"
        path.write_bytes(data)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
    else:
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, *body = table
    assert len(header) == len(COLUMNS)
    return [dict(zip(COLUMNS, row, strict=True)) for row in body]


def test_bom_crlf_and_spanish_accents_intact(tmp_path: Path) -> None:
    data = render(sample_document(), RenderOptions(lang="es"))
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    text = data.decode("utf-8-sig")
    header = text.split("\r\n", 1)[0]
    assert header.startswith("Control,Título,Dominio,Severidad")
    table = rows(sample_document(), tmp_path=tmp_path)
    assert any(r["subject_name"] == "Portal de inscripción" for r in table)
    assert any("documéntela" in r["remediation"] for r in table)


def test_header_follows_the_language_and_codes_do_not() -> None:
    en = render(sample_document("en"), RenderOptions(lang="en")).decode("utf-8-sig")
    assert en.split("\r\n", 1)[0].startswith("Control,Title,Domain,Severity")
    assert [r["status"] for r in rows(sample_document(), "es")] == [r["status"] for r in rows(sample_document("en"),
                                                                                              "en")]


@pytest.mark.parametrize("name", document_ids())
def test_one_row_per_control_and_subject_with_the_counts_of_the_result(name: str, tmp_path: Path) -> None:
    doc = document(name)
    table = rows(doc, tmp_path=tmp_path)
    expected = Counter({r["control_id"]: len({(f["subject"]["kind"], f["subject"]["id"]) for f in r["findings"]}) or 1
                        for r in doc["results"]})
    assert Counter(r["control_id"] for r in table) == expected
    by_id = {r["control_id"]: r for r in doc["results"]}
    for row in table:
        result = by_id[row["control_id"]]
        assert row["control_status"] == result["status"]
        assert row["severity"] == result["severity"]
        assert row["domain"] == result["domain"]
        for ref in result["legal_refs"]:
            assert ref["citation"] in row["legal_refs"]
    # Finding-level statuses round-trip (one finding per subject in these documents).
    finding_statuses = Counter(f["status"] for r in doc["results"] for f in r["findings"]
                               if r["status"] != "not_applicable")
    row_statuses = Counter(r["status"] for r in table if r["control_status"] != "not_applicable")
    assert row_statuses == finding_statuses + Counter(
        r["status"] for r in doc["results"] if not r["findings"] and r["status"] != "not_applicable")


def test_status_waiver_and_evidence_columns() -> None:
    table = rows(sample_document())
    bio = next(r for r in table if r["control_id"] == "BIO-02")
    assert bio["status"] == "waived"
    assert "w-biometria" in bio["waiver"] and WAIVER_REASON in bio["waiver"]
    acc = {r["subject_id"]: r for r in table if r["control_id"] == "ACC-01"}
    assert acc["portal-inscripcion"]["status"] == "waived" and "w-cuentas" in acc["portal-inscripcion"]["waiver"]
    assert acc["control-acceso"]["status"] == "fail" and acc["control-acceso"]["waiver"] == ""
    enc = next(r for r in table if r["control_id"] == "ENC-01" and r["subject_id"] == "portal-inscripcion")
    assert enc["evidence"] == "politica-cifrado (evidence/política cifrado.pdf)"
    assert enc["location"] == "ai-center.yaml:106:7"
    assert enc["path"] == "systems[portal-inscripcion].encryption.at_rest.enabled"
    log = next(r for r in table if r["control_id"] == "LOG-01")
    assert log["missing"] == "systems[control-acceso].logging.events"
    na = next(r for r in table if r["control_id"] == "MIN-03")
    assert na["status"] == "not_applicable"


def test_formulas_are_neutralised_and_control_characters_dropped() -> None:
    doc = sample_document()
    log = next(r for r in doc["results"] if r["control_id"] == "LOG-01")
    log["findings"][0]["reason"] = '=HYPERLINK("http://evil.example","x")'
    log["findings"][0]["subject"]["name"] = "@SUM(A1:A9)\x00"
    table = rows(doc)
    row = next(r for r in table if r["control_id"] == "LOG-01")
    assert row["reasons"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row["subject_name"] == "'@SUM(A1:A9)"
    for row in table:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))
