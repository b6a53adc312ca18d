"""Catalog 2026.2 against the legal review of December 2026 (shared/domain/catalog-review-2026-12.md).

1. No reference tagged `V` cites an article absent from `controls/verified-articles.csv`, the list of
   (law, article) pairs verified in `legal-facts.md` and the review; `V2`/`M` references match theirs.
2. Each row of review tables 1.2-1.5 and 5 is covered: either by the reference and text checks below,
   or by a case in `controls/cases.yaml` (run by test_catalog_controls.py) or a golden row. The
   `COVERAGE` table names, for every row, where; a test checks that each named case exists.
"""

from __future__ import annotations

import csv
import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from test_catalog_controls import cases_document

from checker.catalog import Control, LegalRef, load_catalog

ROOT = Path(__file__).resolve().parent.parent
VERIFIED = ROOT / "controls" / "verified-articles.csv"


@cache
def verified() -> dict[tuple[str, str], str]:
    lines = [line for line in VERIFIED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {(r["law"], r["article"]): r["tag"] for r in csv.DictReader(lines)}


def control(cid: str) -> Control:
    found = load_catalog().get(cid)
    assert found is not None, cid
    return found


def refs(cid: str, law: str | None = None) -> list[LegalRef]:
    return [r for r in control(cid).legal_refs if law is None or r.law == law]


def cites(cid: str, law: str, article: str, fraction: str | None = None) -> bool:
    return any(r.law == law and r.article == article and (fraction is None or r.fraction == fraction)
               for r in control(cid).legal_refs)


def has_policy(cid: str) -> bool:
    return any(r.law == "POLICY" for r in control(cid).legal_refs)


def test_every_v_reference_cites_a_verified_article() -> None:
    unverified = []
    for ctl in load_catalog().controls:
        for r in ctl.legal_refs:
            if r.law == "POLICY":
                continue
            tag = verified().get((r.law, r.article or ""))
            if tag is None or (r.confidence == "V" and tag != "V") or (r.confidence == "V2" and tag not in ("V", "V2")):
                unverified.append(f"{ctl.id}: {r.law} art. {r.article} [{r.confidence}] (list: {tag})")
    assert not unverified, "references without a verified (law, article) pair:\n" + "\n".join(unverified)


def test_the_verified_list_catches_an_unverified_article() -> None:
    # The check above can fail: an article nobody verified is not in the list.
    assert ("LGPDPPSO", "70") in verified() and ("LGPDPPSO", "999") not in verified()
    assert verified()[("RLFPDPPP", "66")] == "M" and verified()[("LGE", "170")] == "V"


def test_the_catalog_is_version_2026_2() -> None:
    assert load_catalog().index.version == "2026.2"


# -- review table 1.2: wrong article -----------------------------------------------------------------
def test_1_2_minors_publication_no_longer_rests_on_the_media_articles() -> None:
    for cid in ("MIN-04", "STX-05"):
        assert not cites(cid, "LGDNNA", "77") and not cites(cid, "LGDNNA", "78"), cid
        assert has_policy(cid), cid
    assert "cualquier otro medio" in " ".join(r.note.es for r in refs("MIN-04", "POLICY") if r.note)


def test_1_2_llave_mx_attributes_cite_lnetb_72_not_76() -> None:
    assert not cites("DMN-05", "LNETB", "76")
    assert any(r.law == "LNETB" and r.article == "72" and r.paragraph == "segundo" for r in refs("DMN-05"))


def test_1_2_the_audit_right_is_policy_not_lgpdppso_58() -> None:
    assert not cites("PRC-04", "LGPDPPSO", "58") and not cites("PRC-04", "RLFPDPPP", "52")
    assert {r.law for r in refs("PRC-04")} == {"POLICY"}


def test_1_2_a_foreign_biometric_vendor_is_a_remision_not_a_transfer() -> None:
    assert not cites("BIO-07", "RLFPDPPP", "74")
    assert cites("BIO-07", "LGPDPPSO", "65") and cites("BIO-07", "LFPDPPP", "2", "XX")


# -- review table 1.3: overstated ----------------------------------------------------------------------
def test_1_3_gov_06_yearly_review_is_policy_for_public_bodies() -> None:
    assert not cites("GOV-06", "LGPDPPSO", "30")
    assert any(r.law == "POLICY" and r.applies_to == "public" for r in refs("GOV-06"))


def test_1_3_express_consent_for_model_training_is_policy() -> None:
    for cid in ("CNS-07", "MIN-06"):
        assert has_policy(cid), cid
    assert any(r.article == "12" and r.paragraph == "segundo" for r in refs("CNS-07", "LGPDPPSO"))
    assert "atribuciones" in control("CNS-07").statement.es


def test_1_3_transfers_without_vital_interest_or_contract_in_the_private_sector() -> None:
    note = next(r.note for r in refs("TRF-01", "LFPDPPP") if r.article == "36")
    assert note is not None and "interés vital" in note.es and "tratado" in note.es
    assert "interés vital no es" in control("TRF-01").statement.es
    assert control("TRF-03").applies_when is not None  # public bodies only
    assert any(r.law == "POLICY" and r.applies_to == "private" for r in refs("TRF-04"))


def test_1_3_biometric_alternative_is_policy_and_free_is_lgpdppso_14() -> None:
    assert cites("BIO-04", "LGPDPPSO", "14", "I") and not cites("BIO-04", "LGPDPPSO", "3")
    assert "RGPD" in control("BIO-04").statement.es
    assert "no exige que los datos se queden en México" in control("BIO-07").statement.es


# -- review table 1.4: wrong law for the operator ------------------------------------------------------
def test_1_4_lgpdppso_encargado_articles_apply_only_when_the_controller_is_public() -> None:
    for cid in ("TRF-05", "PRC-08", "PRC-09", "INC-09"):
        for r in refs(cid, "LGPDPPSO"):
            assert r.applies_to == "public", f"{cid}: LGPDPPSO art. {r.article} shown to a private controller's vendor"


def _results(tmp_path: Path, controller_type: str) -> dict[str, list[str]]:
    from checker.api import evaluate_file

    text = (ROOT / "examples" / "vendor-review.yaml").read_text(encoding="utf-8")
    if not (tmp_path / "evidence").exists():
        shutil.copytree(ROOT / "examples" / "evidence", tmp_path / "evidence")
    path = tmp_path / "vendor.yaml"
    path.write_text(text.replace("controller_type: public_agency", f"controller_type: {controller_type}"),
                    encoding="utf-8")
    doc = evaluate_file(path).to_dict()
    return {r["control_id"]: [f"{x['law']} {x.get('article')}" for x in r["legal_refs"]] for r in doc["results"]}


def test_1_4_vendor_of_sep_sees_lgpdppso_and_of_a_private_school_the_reglamento(tmp_path: Path) -> None:
    public = _results(tmp_path, "public_agency")
    assert "LGPDPPSO 53" in public["PRC-02"] and not any(r.startswith("RLFPDPPP") for r in public["PRC-02"])
    assert "LGPDPPSO 54" in public["TRF-05"] and "LGPDPPSO 54" in public["PRC-08"]
    private = _results(tmp_path, "private_school")
    assert "RLFPDPPP 53" in private["TRF-05"] and not any(r.startswith("LGPDPPSO") for r in private["TRF-05"])
    assert not any(r.startswith("LGPDPPSO") for r in private["PRC-08"] + private["PRC-02"])


# -- review table 1.5: stale notes ---------------------------------------------------------------------
def test_1_5_notes_cite_the_2025_texts() -> None:
    cns03 = next(r for r in refs("CNS-03", "LFPDPPP") if r.article == "9")
    assert cns03.note is not None and "2010" not in cns03.note.es and "fr. IV" in cns03.note.es
    trf01 = next(r for r in refs("TRF-01", "LGPDPPSO") if r.article == "64")
    assert trf01.fraction == "II" and trf01.note is not None and "2017" not in trf01.note.es
    assert "entre responsables" in trf01.note.es


# -- review table 5: statements a lawyer would call wrong -----------------------------------------------
def test_5_1_and_21_gov_07_counts_business_days_to_the_filing_with_the_secretaria() -> None:
    gov07 = control("GOV-07")
    assert "minus_business_days" in json.dumps(gov07.rule.model_dump(by_alias=True, exclude_none=True))
    assert "filed_on" in json.dumps(gov07.rule.model_dump(by_alias=True, exclude_none=True))
    assert "Secretaría Anticorrupción" in gov07.remediation.es and "Transitorio Décimo" in gov07.statement.es
    assert "Transitorio Décimo" in control("INC-05").statement.es


def test_5_13_dmn_03_keeps_the_curp_in_the_register() -> None:
    assert cites("DMN-03", "LNETB", "59") and "elemento central" in control("DMN-03").statement.es


def test_5_15_and_23_report_texts() -> None:
    es = json.loads((ROOT / "checker" / "locales" / "report.es.json").read_text(encoding="utf-8"))
    en = json.loads((ROOT / "checker" / "locales" / "report.en.json").read_text(encoding="utf-8"))
    assert "exigidos por la ley" not in es["summary.band.critical"]
    assert "required by law" not in en["summary.band.critical"]
    assert "decide" not in es["law.private"] and "decides" not in en["law.private"]
    assert "30 días hábiles" in es["glossary.eipd.def"] and "30 business days" in en["glossary.eipd.def"]


def test_5_16_deletion_at_the_end_keeps_the_legal_retention_exception() -> None:
    for cid in ("PRC-05", "PRC-09", "RET-05"):
        note = " ".join(r.note.es for r in refs(cid, "LGPDPPSO") if r.note)
        assert "conserv" in note, cid
        assert any(r.fraction == "VI" for r in refs(cid, "LGPDPPSO")), cid


def test_5_17_breach_hours_are_labelled_policy_in_the_remediation_too() -> None:
    for cid in ("INC-07", "INC-09", "PRC-06"):
        ctl = control(cid)
        assert "política del catálogo" in ctl.remediation.es and "catalog policy" in ctl.remediation.en, cid


def test_5_19_enc_53_note_states_the_article_30_triggers() -> None:
    note = next(r.note for r in refs("ENC-53", "LGPDPPSO") if r.article == "30")
    assert note is not None and "vulneraciones" in note.es


def test_5_20_neural_data_are_sensitive_by_policy() -> None:
    assert "preferencia sexual" in control("CNS-02").statement.es and has_policy("CNS-02")


def test_5_22_aut_03_notes_the_narrower_lnetb_subject() -> None:
    note = next(r.note for r in refs("AUT-03", "LNETB") if r.article == "74")
    assert note is not None and "XXXIV" in note.es


# -- every row has its place -----------------------------------------------------------------------------
# (row, where): "test:<name>" is a test in this file, "case:<control>:<expect>:<words>" a case of
# controls/cases.yaml whose comment or values contain the words, "golden:<example>:<control>" a golden row.
COVERAGE = [
    ("1.2 MIN-04 LGDNNA 77/78", "test:test_1_2_minors_publication_no_longer_rests_on_the_media_articles"),
    ("1.2 MIN-04 consent by any means", "case:MIN-04:pass:express"),
    ("1.2 STX-05 LGDNNA 77/78", "test:test_1_2_minors_publication_no_longer_rests_on_the_media_articles"),
    ("1.2 DMN-05 LNETB 76", "test:test_1_2_llave_mx_attributes_cite_lnetb_72_not_76"),
    ("1.2 PRC-04 LGPDPPSO 58", "test:test_1_2_the_audit_right_is_policy_not_lgpdppso_58"),
    ("1.2 BIO-07 RLFPDPPP 74", "test:test_1_2_a_foreign_biometric_vendor_is_a_remision_not_a_transfer"),
    ("1.3 GOV-06", "test:test_1_3_gov_06_yearly_review_is_policy_for_public_bodies"),
    ("1.3 CNS-07 LFPDPPP 11 / LGPDPPSO 12", "golden:ai-center:CNS-07"),
    ("1.3 MIN-06", "test:test_1_3_express_consent_for_model_training_is_policy"),
    ("1.3 TRF-01 LFPDPPP 36", "case:TRF-01:fail:vital_interest"),
    ("1.3 TRF-03 LFPDPPP 35", "case:TRF-03:not_applicable:agreement"),
    ("1.3 TRF-03 LGPDPPSO 60", "case:TRF-03:pass:sep-control-escolar"),
    ("1.3 TRF-04 LFPDPPP 35", "test:test_1_3_transfers_without_vital_interest_or_contract_in_the_private_sector"),
    ("1.3 BIO-04", "test:test_1_3_biometric_alternative_is_policy_and_free_is_lgpdppso_14"),
    ("1.3 BIO-07 LGPDPPSO 62", "case:BIO-07:pass:respaldo-externo"),
    ("1.4 TRF-05", "test:test_1_4_vendor_of_sep_sees_lgpdppso_and_of_a_private_school_the_reglamento"),
    ("1.4 PRC-08", "test:test_1_4_lgpdppso_encargado_articles_apply_only_when_the_controller_is_public"),
    ("1.4 structural", "test:test_1_4_vendor_of_sep_sees_lgpdppso_and_of_a_private_school_the_reglamento"),
    ("1.5 CNS-03", "test:test_1_5_notes_cite_the_2025_texts"),
    ("1.5 TRF-01", "test:test_1_5_notes_cite_the_2025_texts"),
    ("5 #1 GOV-07 business days", "case:GOV-07:fail:2026-08-02"),
    ("5 #2 TRF-01 attributions", "case:TRF-01:fail:legal_attributions"),
    ("5 #3 TRF-03", "case:TRF-03:pass:legal_mandate"),
    ("5 #4 TRF-04", "test:test_1_3_transfers_without_vital_interest_or_contract_in_the_private_sector"),
    ("5 #5 MIN-04 carve-out", "case:MIN-04:pass:LGTAIP"),
    ("5 #6 STX-05", "test:test_1_2_minors_publication_no_longer_rests_on_the_media_articles"),
    ("5 #7 BIO-04", "test:test_1_3_biometric_alternative_is_policy_and_free_is_lgpdppso_14"),
    ("5 #8 BIO-07", "case:BIO-07:pass:respaldo-externo"),
    ("5 #9 GOV-06", "test:test_1_3_gov_06_yearly_review_is_policy_for_public_bodies"),
    ("5 #10 CNS-07 / MIN-06", "golden:ai-center:CNS-07"),
    ("5 #11 PRV-03 refusal of purposes", "case:PRV-11:fail:transfers"),
    ("5 #12 RET-02/03/04 archival", "case:RET-09:pass:archival_writeoff"),
    ("5 #13 DMN-03", "test:test_5_13_dmn_03_keeps_the_curp_in_the_register"),
    ("5 #14 vendor reports", "test:test_1_4_vendor_of_sep_sees_lgpdppso_and_of_a_private_school_the_reglamento"),
    ("5 #15 band text", "test:test_5_15_and_23_report_texts"),
    ("5 #16 PRC-05/09, RET-05", "test:test_5_16_deletion_at_the_end_keeps_the_legal_retention_exception"),
    ("5 #17 72 hours", "test:test_5_17_breach_hours_are_labelled_policy_in_the_remediation_too"),
    ("5 #18 stale notes", "test:test_1_5_notes_cite_the_2025_texts"),
    ("5 #19 ENC-53", "test:test_5_19_enc_53_note_states_the_article_30_triggers"),
    ("5 #20 CNS-02", "test:test_5_20_neural_data_are_sensitive_by_policy"),
    ("5 #21 GOV-07 Secretaría", "test:test_5_1_and_21_gov_07_counts_business_days_to_the_filing_with_the_secretaria"),
    ("5 #22 AUT-03", "test:test_5_22_aut_03_notes_the_narrower_lnetb_subject"),
    ("5 #23 law.private", "test:test_5_15_and_23_report_texts"),
]


@pytest.mark.parametrize(("row", "where"), COVERAGE, ids=[c[0] for c in COVERAGE])
def test_every_review_row_points_at_a_real_check(row: str, where: str) -> None:
    kind, _, rest = where.partition(":")
    if kind == "test":
        assert callable(globals().get(rest)), f"{row}: no test {rest}"
    elif kind == "case":
        cid, expect, words = rest.split(":", 2)
        cases = cases_document()["cases"].get(cid) or []
        assert any(c["expect"] == expect and words in json.dumps(c, default=str) for c in cases), (
            f"{row}: no {expect} case of {cid} mentioning {words}")
    else:
        example, cid = rest.split(":")
        lines = (ROOT / "tests" / "golden" / f"{example}.csv").read_text(encoding="utf-8").splitlines()
        assert any(line.startswith(cid + ",") and "2026.2" in line for line in lines), f"{row}: no golden row"
