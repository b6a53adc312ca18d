"""JUnit export: valid against the Ant JUnit schema, readable by junitparser, same counts as the JSON."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from export_fixtures import SCHEMAS, WAIVER_REASON, document, document_ids, sample_document
from junitparser import Failure, JUnitXml, Skipped

from checker.render import RenderOptions
from checker.render.csv_rows import cases
from checker.render.junit import render
from checker.result import as_document
from checker.vocabulary import domain_word

XSD = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))


def write(tmp_path: Path, doc: dict[str, Any], lang: str = "es") -> Path:
    path = tmp_path / "resguarda.xml"
    path.write_bytes(render(doc, RenderOptions(lang=lang)))
    return path


def read(path: Path) -> JUnitXml:
    xml = JUnitXml.fromfile(str(path))
    assert isinstance(xml, JUnitXml)
    return xml


@pytest.mark.parametrize("name", document_ids())
def test_valid_junit_with_the_counts_of_the_result(tmp_path: Path, name: str) -> None:
    doc = document(name)
    path = write(tmp_path, doc)
    XSD.validate(str(path))

    xml = read(path)
    suites = list(xml)
    # One suite per domain, in catalog order, named in the report's language.
    domains = list(dict.fromkeys(r["domain"] for r in doc["results"]))
    assert [s.name for s in suites] == [domain_word(d, "es") for d in domains]

    # One test case per control and subject: exactly the findings' subjects of each control.
    expected_cases: Counter[str] = Counter()
    for result in doc["results"]:
        subjects = {(f["subject"]["kind"], f["subject"]["id"]) for f in result["findings"]}
        expected_cases[result["control_id"]] = len(subjects) or 1
    got_cases: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for suite in suites:
        for case in suite:
            control = case.classname.rsplit(".", 1)[-1]
            got_cases[control] += 1
            kinds = {type(r) for r in case.result}
            failed[control] += Failure in kinds
            skipped[control] += Skipped in kinds
    assert got_cases == expected_cases

    for result in doc["results"]:
        cid = result["control_id"]
        failing = {(f["subject"]["kind"], f["subject"]["id"]) for f in result["findings"]
                   if f["status"] in ("fail", "partial")}
        if result["status"] in ("fail", "partial"):
            assert failed[cid] == len(failing) >= 1
        else:
            assert failed[cid] == 0
        if result["status"] in ("not_applicable", "waived"):
            assert skipped[cid] == got_cases[cid]
        if result["status"] == "unknown":
            assert skipped[cid] >= 1

    total_failures = sum(int(s.failures) for s in suites)
    assert total_failures == sum(c.status in ("fail", "partial") for c in cases(as_document(doc), "es"))
    assert sum(int(s.tests) for s in suites) == len(cases(as_document(doc), "es"))


@pytest.mark.parametrize("name", document_ids())
def test_properties_carry_catalog_version_and_input_hashes(tmp_path: Path, name: str) -> None:
    doc = document(name)
    for suite in read(write(tmp_path, doc)):
        props = {p.name: p.value for p in suite.properties()}
        assert props["catalog.version"] == doc["catalog"]["version"]
        assert props["as_of"] == doc["as_of"]
        for item in doc["inputs"]:
            key = f"input.{item['role']}.{item.get('id') or item['path']}.sha256"
            assert props[key] == item["sha256"]


def test_failures_carry_reasons_and_skips_say_why(tmp_path: Path) -> None:
    xml = read(write(tmp_path, sample_document()))
    by_name = {case.name: case for suite in xml for case in suite}

    enc = next(c for n, c in by_name.items() if n.startswith("ENC-01") and "portal-inscripcion" in n)
    [failure] = enc.result
    assert isinstance(failure, Failure)
    assert failure.type == "fail"
    assert "encryption.at_rest.enabled" in failure.text
    assert "LGPDPPSO art. 27 fr. II" in failure.text
    assert "ai-center.yaml:106:7" in failure.text

    partial = next(c for n, c in by_name.items() if n.startswith("PN-01"))
    assert partial.result[0].type == "partial"

    passing = next(c for n, c in by_name.items() if n.startswith("ENC-01") and "plataforma" in n)
    assert passing.is_passed

    waived = next(c for n, c in by_name.items() if n.startswith("BIO-02"))
    assert isinstance(waived.result[0], Skipped)
    assert WAIVER_REASON in waived.result[0].message

    na = next(c for n, c in by_name.items() if n.startswith("MIN-03"))
    assert "menores de 12" in na.result[0].message

    unknown = next(c for n, c in by_name.items() if n.startswith("LOG-01"))
    assert "systems[control-acceso].logging.events" in (unknown.result[0].text or "")

    # A waiver naming one system: that system is skipped, the other still fails.
    acc = {n: c for n, c in by_name.items() if n.startswith("ACC-01")}
    assert {type(c.result[0]).__name__ for c in acc.values()} == {"Failure", "Skipped"}


def test_hostile_text_is_escaped_and_control_characters_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, sample_document())
    XSD.validate(str(path))
    raw = path.read_bytes()
    assert b"\x07" not in raw
    assert b"<script>" not in raw
    case = next(c for s in read(path) for c in s if c.name.startswith("LOG-01"))
    assert "<script>alert(1)</script> ]]> & \"comillas\"" in case.result[0].message


def test_english_and_reproducible(tmp_path: Path) -> None:
    doc = sample_document("en")
    assert render(doc, RenderOptions(lang="en")) == render(doc, RenderOptions(lang="en"))
    names = [s.name for s in read(write(tmp_path, doc, "en"))]
    assert "Encryption" in names and "Privacy notice" in names
    es_names = [s.name for s in read(write(tmp_path, sample_document(), "es"))]
    assert "Cifrado" in es_names


def test_the_schema_check_catches_a_broken_report(tmp_path: Path) -> None:
    path = write(tmp_path, sample_document())
    broken = path.read_text(encoding="utf-8").replace('errors="0"', "", 1)
    assert not XSD.is_valid(broken)
