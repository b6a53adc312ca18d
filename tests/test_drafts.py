"""The drafts (`resguarda draft aviso|seguridad`): real files written by the CLI, read back with
python-docx, pdftotext and plain text; the notice controls pass once a draft is filled in and declared."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import typing
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from ruamel.yaml import YAML

from checker.api import evaluate_file
from checker.catalog import load_catalog
from checker.cli import main
from checker.declaration import PrivacyNotice
from checker.drafts.aviso import elements_stated
from checker.drafts.docx_reader import PLACEHOLDER, read_docx
from checker.drafts.docx_writer import PLACEHOLDER_STYLE
from checker.validate import load_declaration

ROOT = Path(__file__).resolve().parent.parent
AI = ROOT / "examples" / "ai-center.yaml"
SCHOOL = ROOT / "examples" / "well-run-school.yaml"
PRIVATE = ROOT / "tests" / "data" / "drafts" / "private-school.yaml"
DECLS = {"ai-center": AI, "well-run-school": SCHOOL, "private-school": PRIVATE}

PUBLIC_NOTICE = ["controller_identity", "data_categories", "sensitive_data", "legal_basis", "purposes",
                 "purposes_needing_consent", "arco_mechanism", "transparency_unit_address", "changes_mechanism"]
PRIVATE_NOTICE = ["controller_identity", "data_categories", "sensitive_data", "purposes", "purposes_needing_consent",
                  "limit_use_options", "arco_mechanism", "changes_mechanism", "consent_revocation", "cookies_tracking",
                  "transfers"]


def _model(path: Path):  # type: ignore[no-untyped-def]
    return load_declaration(path, path.name).model


def _draft(tmp_path: Path, kind: str, decl: Path, suffix: str, *extra: str) -> Path:
    out = tmp_path / f"{decl.stem}-{kind}{'-s' if '--simplificado' in extra else ''}.{suffix}"
    assert main(["draft", kind, str(decl), "-o", str(out), *extra]) == 0
    assert out.is_file() and out.stat().st_size > 0
    return out


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


# -- every draft in every format ------------------------------------------------------------------
@pytest.mark.parametrize("name", list(DECLS))
@pytest.mark.parametrize("kind,extra", [("aviso", ()), ("aviso", ("--simplificado",)), ("seguridad", ())])
def test_all_formats_carry_the_front_matter(tmp_path: Path, name: str, kind: str, extra: tuple[str, ...]) -> None:
    decl = DECLS[name]
    loaded = load_declaration(decl, decl.name)
    texts = {
        "docx": read_docx(_draft(tmp_path, kind, decl, "docx", *extra)).full_text,
        "html": _draft(tmp_path, kind, decl, "html", *extra).read_text(encoding="utf-8"),
        "md": _draft(tmp_path, kind, decl, "md", *extra).read_text(encoding="utf-8"),
    }
    # A security document of a program with many gaps is a long PDF (about 25 pages, 10-20 s here):
    # one program's is enough to prove the format, the other formats carry the same content.
    if kind == "aviso" or name == "private-school":
        texts["pdf"] = _pdf_text(_draft(tmp_path, kind, decl, "pdf", *extra))
    public = loaded.model.program.operator_type.startswith("public")
    law = "LGPDPPSO" if public else "LFPDPPP"
    for fmt, text in texts.items():
        flat = re.sub(r"\s+", " ", text)
        assert "BORRADOR PARA REVISIÓN" in flat, fmt
        assert "No es asesoría legal" in flat, fmt
        assert loaded.sha256 in text.replace("\n", ""), fmt       # the declaration's hash
        assert load_catalog().index.version in flat, fmt          # the catalog version
        assert law in flat, fmt                                   # the law that applies
        assert "INAI" not in flat, fmt                            # never named as today's authority
        if kind == "aviso":
            assert loaded.model.program.operator.split(",")[0] in flat, fmt


def test_dates_follow_the_declaration(tmp_path: Path) -> None:
    text = read_docx(_draft(tmp_path, "aviso", SCHOOL, "docx")).full_text
    assert "20 de noviembre de 2026" in text
    doc = Document(str(tmp_path / "well-run-school-aviso.docx"))
    assert doc.core_properties.created is not None and doc.core_properties.created.date() == date(2026, 11, 20)


# -- the notice read back from the DOCX ------------------------------------------------------------
def _expected_placeholders(path: Path, key: str) -> bool:
    """Whether the section `key` of the integral notice must hold a placeholder, from the declaration."""
    m = _model(path)
    email = bool(m.program.contact and m.program.contact.email)
    arco = m.arco or None
    if key in ("controller_identity", "transparency_unit_address", "cookies_tracking", "changes_mechanism"):
        # No declaration field holds an address, the cookies in use, or this version's publication date.
        return True
    if key == "legal_basis":
        return any(i.legal_basis is None or (i.legal_basis in ("legal_mandate", "legal_attributions")
                                             and not i.legal_instrument) for i in m.data_inventory or [])
    if key == "transfers":
        return m.transfers is None
    if key == "arco_mechanism":
        channels = arco.channels if arco else None
        return not channels or any(c in ("web_form", "in_person", "mail") for c in channels) or \
            ("email" in channels and not email)
    if key in ("purposes_needing_consent", "consent_revocation", "limit_use_options", "transfer_refusal_means",
               "minors_version"):
        return not email
    return False


@pytest.mark.parametrize("name", list(DECLS))
def test_notice_has_every_required_element_or_a_placeholder(tmp_path: Path, name: str) -> None:
    decl = DECLS[name]
    m = _model(decl)
    content = read_docx(_draft(tmp_path, "aviso", decl, "docx"))
    public = m.program.operator_type.startswith("public")
    required = list(PUBLIC_NOTICE if public else PRIVATE_NOTICE)
    if public and m.transfers:
        required += ["transfers", "transfer_refusal_means"]
    if any(s.includes_minors for s in m.program.data_subjects or []):
        required.append("minors_version")
    for key in required:
        assert key in content.keys, f"{name}: section {key} missing"
        has = bool(content.placeholders.get(key))
        assert has == _expected_placeholders(decl, key), f"{name}: {key} placeholders {content.placeholders.get(key)}"
    # Where the declaration has the data, the draft states it.
    text = content.full_text
    for item in m.data_inventory or []:
        for p in item.purposes or []:
            assert p in text
    for x in m.transfers or []:
        assert x.recipient and x.recipient in content.text["transfers"]
    if m.program.contact and m.program.contact.email:
        assert m.program.contact.email in content.text["arco_mechanism"] or "email" not in (m.arco.channels or [])
    if m.privacy_notice and m.privacy_notice.url:
        assert m.privacy_notice.url in content.text["changes_mechanism"]
    sensitive = content.text["sensitive_data"]
    for item in m.data_inventory or []:
        if item.category in ("health", "biometric"):
            assert (item.fields or [""])[0].replace("_", " ") in sensitive


def test_an_empty_declaration_gives_placeholders_not_invented_text(tmp_path: Path) -> None:
    minimal = ROOT / "examples" / "minimal.yaml"
    content = read_docx(_draft(tmp_path, "aviso", minimal, "docx"))
    for key in ("controller_identity", "data_categories", "legal_basis", "purposes", "purposes_needing_consent",
                "arco_mechanism", "transparency_unit_address", "transfers", "transfer_refusal_means",
                "changes_mechanism"):
        assert content.placeholders.get(key), key
    assert "ninguna requiere su consentimiento" not in content.full_text
    assert "No transferimos" not in content.full_text and "No tratamos datos personales sensibles" not in \
        content.full_text
    seguridad = read_docx(_draft(tmp_path, "seguridad", minimal, "docx"))
    assert seguridad.placeholders.get("inventory_data") and seguridad.placeholders.get("inventory_systems")


def test_placeholders_are_highlighted_runs(tmp_path: Path) -> None:
    doc = Document(str(_draft(tmp_path, "aviso", AI, "docx")))
    runs = [r for p in doc.paragraphs for r in p.runs if PLACEHOLDER.search(r.text)]
    assert runs
    for r in runs:
        assert r.style is not None and r.style.name == PLACEHOLDER_STYLE
        assert r.font.highlight_color is not None
    # Real headings, in Word's own styles, numbered.
    headings = [p for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[0].text.startswith("1. ") and any(h.style.name == "Heading 2" for h in headings)
    assert doc.tables, "the data and transfers are tables"


def test_simplified_notice_by_law(tmp_path: Path) -> None:
    public = read_docx(_draft(tmp_path, "aviso", AI, "docx", "--simplificado"))
    assert public.keys[:3] == ["controller_identity", "purposes", "purposes_needing_consent"]
    assert "transfers" in public.keys and "transfer_refusal_means" in public.keys and "full_notice_link" in public.keys
    assert "https://cpfia.example.gob.mx/aviso" in public.text["full_notice_link"]
    private = read_docx(_draft(tmp_path, "aviso", PRIVATE, "docx", "--simplificado"))
    assert {"controller_identity", "data_categories", "purposes", "limit_use_options", "full_notice_link"} \
        <= set(private.keys)
    assert private.placeholders["full_notice_link"], "the private school declares no notice URL"


def test_minors_version_in_plain_words(tmp_path: Path) -> None:
    content = read_docx(_draft(tmp_path, "aviso", PRIVATE, "docx"))
    text = content.text["minors_version"]
    assert "Esta parte es para ti" in text and "datos de tu salud" in text
    assert "datos@secundaria-bj.example.mx" in text


def test_english_draft(tmp_path: Path) -> None:
    content = read_docx(_draft(tmp_path, "aviso", AI, "docx", "--lang", "en"))
    assert "Who is responsible for your personal data?" in content.full_text
    assert "TO COMPLETE" in content.full_text and "POR COMPLETAR" not in content.full_text
    assert "DRAFT FOR REVIEW" in content.full_text


# -- the security document -------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(DECLS))
def test_security_document_from_the_evaluation(tmp_path: Path, name: str) -> None:
    decl = DECLS[name]
    m = _model(decl)
    content = read_docx(_draft(tmp_path, "seguridad", decl, "docx"))
    public = m.program.operator_type.startswith("public")
    contents = ["inventory", "roles", "risk_analysis", "gap_analysis", "work_plan", "monitoring", "training"]
    if not public:
        contents.append("media_register")
    for key in contents + ["update_triggers", "approval"]:
        assert key in content.keys, f"{name}: {key}"
    if public:
        assert "media_register" not in content.keys
    # The inventory holds the declared data and systems, with no placeholder where they are declared.
    assert not content.placeholders.get("inventory_data") and not content.placeholders.get("inventory_systems")
    for s in m.systems or []:
        assert (s.name or s.id) in content.text["inventory_systems"]
    # Each gap of the evaluation is a risk with its severity, and has a line in the work plan.
    result = evaluate_file(decl).to_dict()
    severity = {"critical": "Crítica", "high": "Alta", "medium": "Media", "low": "Baja"}
    risks = content.text["risk_analysis"]
    for r in result["results"]:
        if r["status"] in ("fail", "partial", "unknown"):
            row = next(line for line in risks.splitlines() if line == r["control_id"])
            assert row
            assert r["control_id"] in content.text["work_plan"]
            assert severity[r["severity"]] in risks
        if r["status"] == "pass":
            assert r["control_id"] in content.text["gap_analysis"]
    assert "LGPDPPSO art. 30" in content.full_text   # the update triggers
    doc = m.governance.security_document if m.governance else None
    if doc and doc.approved_by:
        assert doc.approved_by in content.text["approval"]
    else:
        assert any("Comité de Transparencia" in p or "quien aprueba" in p for p in content.placeholders["approval"])


def test_security_document_work_plan_reads_actions(tmp_path: Path) -> None:
    """Declared `actions` (contract 1.1) fill the plan's owner, date and status for their control;
    other gaps keep placeholders for them."""
    full = ROOT / "tests" / "data" / "contract-1.1" / "full.yaml"
    content = read_docx(_draft(tmp_path, "seguridad", full, "docx"))
    plan = content.text["work_plan"].splitlines()
    i = plan.index("Activar MFA para administradores")
    assert plan[i + 1].endswith("AUT-01") and plan[i + 2:i + 5] == ["TI", "31 de enero de 2027", "En curso"]
    assert "[POR COMPLETAR: fecha compromiso]" in content.text["work_plan"]


# -- a filled-in draft passes the notice controls --------------------------------------------------
def _notice_elements() -> set[str]:
    """The values `privacy_notice.elements` accepts (contract 1.1 adds some when the catalog merges)."""
    found: set[str] = set()

    def walk(tp: object) -> None:
        if typing.get_origin(tp) is typing.Literal:
            found.update(str(a) for a in typing.get_args(tp))
        for arg in typing.get_args(tp):
            walk(arg)

    walk(PrivacyNotice.model_fields["elements"].annotation)
    return found


def _fill(path: Path) -> None:
    doc = Document(str(path))
    def runs():  # type: ignore[no-untyped-def]
        for p in doc.paragraphs:
            yield from p.runs
        for t in doc.tables:
            for row in t.rows:
                for c in row.cells:
                    for p in c.paragraphs:
                        yield from p.runs
    for r in runs():
        if PLACEHOLDER.search(r.text):
            r.text = PLACEHOLDER.sub("Av. Reforma 100, Col. Centro, Ciudad de México, C.P. 06000", r.text)
            r.style = None
            r.font.highlight_color = None
    doc.save(str(path))


@pytest.mark.parametrize("name", list(DECLS))
def test_filled_notice_passes_the_notice_controls(tmp_path: Path, name: str) -> None:
    decl = DECLS[name]
    work = tmp_path / "program"
    shutil.copytree(decl.parent, work, ignore=shutil.ignore_patterns("*.pdf", "*.docx"))
    copy = work / decl.name
    integral = _draft(tmp_path, "aviso", copy, "docx")
    simplified = _draft(tmp_path, "aviso", copy, "docx", "--simplificado")
    for path in (integral, simplified):
        _fill(path)
        assert not read_docx(path).all_placeholders()
    content = read_docx(integral)
    allowed = _notice_elements()
    elements = [e for e in elements_stated(content.keys) if e in allowed]
    yaml = YAML()
    data = yaml.load(copy.read_text(encoding="utf-8"))
    as_of = _model(copy).assessment.date  # type: ignore[union-attr]
    data["privacy_notice"] = {"published": True, "url": "https://example.mx/aviso-de-privacidad",
                              "formats": ["integral", "simplificado"], "languages": ["es"],
                              "last_updated": as_of, "elements": elements,
                              "accessible_to_minors": "minors_version" in content.keys,
                              # The refusal means are in the notice itself, given at collection (catalog
                              # 2026.2, PRV-11: available before the processing).
                              "refusal_available_before_processing": "purpose_refusal_means" in elements}
    with copy.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    result = evaluate_file(copy).to_dict()
    notice = [r for r in result["results"] if r["domain"] == "privacy_notice"]
    assert notice
    # Unknown only for want of data outside the notice (catalog 2026.2: PRV-12 asks whether there are
    # transfers, which this declaration leaves undeclared) is not a gap of the draft.
    bad = [(r["control_id"], r["status"], r["reasons"]) for r in notice
           if r["status"] not in ("pass", "not_applicable")
           and not (r["status"] == "unknown" and r["missing"]
                    and not any(m.startswith("privacy_notice") for m in r["missing"]))]
    assert not bad


# -- keeping a document in step ---------------------------------------------------------------------
def test_check_reports_new_system_transfer_and_removed_purpose(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "program"
    work.mkdir()
    decl = work / "escuela.yaml"
    shutil.copy(PRIVATE, decl)
    seguridad = _draft(tmp_path, "seguridad", decl, "docx")
    aviso = _draft(tmp_path, "aviso", decl, "docx")
    capsys.readouterr()
    assert main(["draft", "seguridad", str(decl), "--check", str(seguridad)]) == 0
    assert "al día" in capsys.readouterr().out

    yaml = YAML()
    data = yaml.load(decl.read_text(encoding="utf-8"))
    data["systems"].append({"id": "camaras", "name": "Videovigilancia del patio"})
    data["transfers"] = [{"id": "aseguradora", "recipient": "Aseguradora Escolar del Centro", "country": "MX",
                          "purpose": "seguro de accidentes", "data_categories": ["alumnos"], "legal_basis": "consent"}]
    data["data_inventory"][3]["purposes"] = ["anuario escolar"]   # was: publicación en redes sociales…
    with decl.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)

    assert main(["draft", "seguridad", str(decl), "--check", str(seguridad)]) == 1
    out = capsys.readouterr().out
    assert "Sistema que el documento no menciona: Videovigilancia del patio (nuevo" in out
    assert "Transferencia que el documento no menciona: Aseguradora Escolar del Centro" in out
    assert "La declaración cambió" in out
    assert main(["draft", "aviso", str(decl), "--check", str(aviso)]) == 1
    out = capsys.readouterr().out
    assert "Finalidad que ya no está en la declaración y el documento aún menciona: " \
           "publicación en redes sociales de la escuela" in out
    assert "Finalidad que el documento no menciona: anuario escolar" in out


def test_check_reads_a_document_edited_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A DOCX without our bookmarks or manifest still gives its text: what it lacks is reported."""
    doc = Document()
    doc.add_paragraph("Aviso de privacidad. Usamos sus datos para inscripción y control escolar.")
    path = tmp_path / "aviso-viejo.docx"
    doc.save(str(path))
    assert main(["draft", "aviso", str(PRIVATE), "--check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Finalidad que el documento no menciona: atención de emergencias" in out
    assert "inscripción" not in out.split("no menciona: ", 1)[1].splitlines()[0]


# -- bad input -------------------------------------------------------------------------------------
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "aviso.docx"
    assert main(["draft", "aviso", str(tmp_path / "nope.yaml"), "-o", str(out)]) == 2
    assert main(["draft", "aviso", str(AI), "-o", str(tmp_path / "aviso.txt")]) == 2
    assert main(["draft", "aviso", str(AI), "-o", str(tmp_path / "missing" / "aviso.docx")]) == 2
    assert main(["draft", "aviso", str(AI)]) == 2
    not_docx = tmp_path / "x.docx"
    not_docx.write_text("hola", encoding="utf-8")
    assert main(["draft", "aviso", str(AI), "--check", str(not_docx)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "x.docx: no es un documento DOCX legible: está dañado o es otro tipo" in err
    # The library's own words ("There is no item named '[Content_Types].xml'...") are not the user's.
    assert "Content_Types" not in err and "Error" not in err
    assert main(["draft", "aviso", str(AI), "--check", "/dev/zero"]) == 2
    assert "/dev/zero: es un dispositivo, no un archivo" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    work = tmp_path / "p"
    work.mkdir()
    decl = work / "d.yaml"
    text = PRIVATE.read_text(encoding="utf-8").replace(
        "name: Plataforma escolar de la Secundaria Benito Juárez",
        'name: "<script>alert(1)</script> **x** [a](http://evil.example) |\\x01"')
    decl.write_text(text, encoding="utf-8")
    html = _draft(tmp_path, "aviso", decl, "html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    md = _draft(tmp_path, "aviso", decl, "md").read_text(encoding="utf-8")
    assert "[a](http" not in md and "<script>" not in md
    assert "<script>alert(1)</script>" in read_docx(_draft(tmp_path, "aviso", decl, "docx")).full_text
    long_name = "Programa " + "muy " * 100   # longer than a DOCX core property can hold
    decl.write_text(PRIVATE.read_text(encoding="utf-8").replace(
        "name: Plataforma escolar de la Secundaria Benito Juárez", f"name: {long_name}"), encoding="utf-8")
    assert long_name.strip() in read_docx(_draft(tmp_path, "aviso", decl, "docx")).full_text


# -- LibreOffice ----------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (libreoffice-writer)")
def test_docx_opens_in_libreoffice(tmp_path: Path) -> None:
    docs = [_draft(tmp_path, "aviso", AI, "docx"), _draft(tmp_path, "seguridad", PRIVATE, "docx")]
    out = tmp_path / "lo"
    env_home = tmp_path / "home"   # a private LibreOffice profile: parallel runs do not share one
    subprocess.run(["soffice", f"-env:UserInstallation=file://{env_home}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, docs)], check=True, capture_output=True, timeout=240)
    aviso = _pdf_text(out / f"{docs[0].stem}.pdf")
    assert "Aviso de privacidad integral" in aviso and "POR COMPLETAR" in aviso
    seguridad = _pdf_text(out / f"{docs[1].stem}.pdf")
    assert "Registro de los medios de almacenamiento" in seguridad


def test_help_in_both_languages() -> None:
    exe = [sys.executable, "-m", "checker"]
    es = subprocess.run([*exe, "draft", "--help"], capture_output=True, text=True, cwd=ROOT,
                        env={"PATH": "/usr/bin:/bin", "RESGUARDA_LANG": "es"})
    assert es.returncode == 0 and "redactar el aviso de privacidad" in es.stdout
    en = subprocess.run([*exe, "draft", "--help", "--lang", "en"], capture_output=True, text=True, cwd=ROOT,
                        env={"PATH": "/usr/bin:/bin"})
    assert en.returncode == 0 and "draft the privacy notice" in en.stdout and "redactar" not in en.stdout
