"""Bounded HTML/PDF for large inputs (issue 15.3) and the full findings (15.6), read back.

A scan with more hosts than the report shows, a host with more ports, a control with more case lines
and a case line with more subjects than the ceilings of checker/render/bounds.py: each cut is in the
HTML and in the PDF text, with its count and the pointer to the JSON/CSV. A 4,000-character word
wraps inside the page. Every failing control shows its statement and its standards mappings.
The inputs are small multiples of the ceilings (the real sizes are measured by `make bench`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from report_fixtures import pdf_texts, real_doc, squash
from ruamel.yaml import YAML
from test_nmapxml import _host, _port, nmap_xml
from test_report_html import parse

from checker.cli import main as cli_main
from checker.render import RenderOptions
from checker.render import pdf as pdf_render
from checker.render.bounds import CASE_LINES_MAX, HOSTS_MAX, NAMES_MAX, PORTS_MAX
from checker.render.html import ZWSP, breakable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-center.yaml"
HOSTS = HOSTS_MAX + 30
PORTS = PORTS_MAX + 5
SYSTEMS = NAMES_MAX + 12
LONG = "Sistema_de_Informacion_Escolar_" * 129   # 3,999 characters without a space


def _example() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _write(path: Path, data: dict[str, Any]) -> Path:
    # JSON is YAML: the loader reads it with lines and columns like any declaration.
    path.write_text(json.dumps(data, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
    return path


def _evaluate(decl: Path, fmt: str, out: Path) -> None:
    code = cli_main(["evaluate", str(decl), "--format", fmt, "-o", str(out), "--as-of", "2026-11-20"])
    assert code in (0, 1), code


@pytest.fixture(scope="module")
def big_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A declaration citing a scan of HOSTS undeclared hosts, each exposing a database and a remote
    desktop; the first host has PORTS open ports. Returns (HTML text, PDF text)."""
    folder = tmp_path_factory.mktemp("bigscan")
    hosts = []
    for i in range(HOSTS):
        ports = _port(6379, "redis") + _port(3389, "ms-wbt-server", method="table")
        if i == 0:
            ports += "".join(_port(10000 + p, "http", extra=' product="nginx"') for p in range(PORTS - 2))
        hosts.append(_host(f"10.60.{i // 200}.{i % 200 + 1}", ports, names=(f"h{i}.campus.example.edu.mx",)))
    (folder / "campus.xml").write_text(nmap_xml("".join(hosts)), encoding="utf-8")
    data = _example()
    data["scans"] = [{"id": "campus", "file": "campus.xml", "vantage": "external"}]
    decl = _write(folder / "decl.yaml", data)
    _evaluate(decl, "html", folder / "r.html")
    _evaluate(decl, "pdf", folder / "r.pdf")
    html = " ".join(parse((folder / "r.html").read_bytes()).text)
    pdf = "\n".join(pdf_texts((folder / "r.pdf").read_bytes()))
    return html, pdf


def _flat(text: str) -> str:
    return squash(text)


def test_hosts_are_cut_with_count_and_pointer(big_scan: tuple[str, str]) -> None:
    for lang_text in big_scan:
        flat = _flat(lang_text)
        assert squash(f"se omiten {HOSTS - HOSTS_MAX} equipos más ({HOSTS} en total)") in flat
        assert squash("La lista completa está en el resultado JSON adjunto a este PDF") in flat
        assert squash("«--format csv»") in flat
    html = big_scan[0]
    # The shown hosts are the first ones; one past the ceiling is not in the appendix.
    assert "10.60.0.1 · campus" in html and f"10.60.0.{HOSTS_MAX + 1} · campus" not in html


def test_ports_of_one_host_are_cut(big_scan: tuple[str, str]) -> None:
    for text in big_scan:
        assert squash(f"Se omiten {PORTS - PORTS_MAX} puertos más de este equipo ({PORTS} en total)") in _flat(text)


def test_case_lines_and_names_are_cut(big_scan: tuple[str, str]) -> None:
    for text in big_scan:
        flat = _flat(text)
        # Undeclared hosts under one control: one line naming the first NAMES_MAX, counting the rest.
        assert squash(f"… y {HOSTS - NAMES_MAX} más ({HOSTS} en total; todos en el JSON adjunto") in flat
        # A control with a line per host (each exposes something different): lines beyond the ceiling counted.
        assert squash("líneas de casos más de este control") in flat


def test_case_line_ceiling_holds_per_control(big_scan: tuple[str, str]) -> None:
    html = big_scan[0]
    import re

    for m in re.finditer(r"Se omiten ([\d,]+) líneas de casos más de este control \(([\d,]+) en total\)", html):
        left, total = (int(g.replace(",", "")) for g in m.groups())
        assert total - left == CASE_LINES_MAX


@pytest.fixture(scope="module")
def many_systems(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """SYSTEMS systems without encryption at rest, and a 4,000-character name without spaces on the
    program, a system and the declaration's scope."""
    folder = tmp_path_factory.mktemp("systems")
    data = _example()
    extra = [{"id": f"s{i:03d}", "name": f"Sistema {i:03d}", "hosting": {"type": "on_premises"},
              "encryption": {"at_rest": {"enabled": False}}} for i in range(SYSTEMS)]
    extra[0]["name"] = LONG
    data["systems"] = [*data["systems"], *extra]
    data["data_inventory"][0]["systems"] = [*data["data_inventory"][0]["systems"], *(s["id"] for s in extra)]
    data["program"]["name"] = LONG
    data["assessment"]["scope"] = "https://example.gob.mx/" + "ruta/" * 795
    decl = _write(folder / "decl.yaml", data)
    _evaluate(decl, "html", folder / "r.html")
    _evaluate(decl, "pdf", folder / "r.pdf")
    return " ".join(parse((folder / "r.html").read_bytes()).text), (folder / "r.pdf").read_bytes()


def test_subjects_of_a_case_are_cut(many_systems: tuple[str, bytes]) -> None:
    html, data = many_systems
    pdf = "\n".join(pdf_texts(data))
    for text in (html, pdf):
        assert squash("… y ") in squash(text) and squash("todos en el JSON adjunto y en «--format csv»") in squash(text)
    # The systems of an action in "what to do first" are cut the same way.
    assert "Sistema 030" not in html or html.count("Sistema 030") < 3


def test_long_words_wrap_inside_the_page(many_systems: tuple[str, bytes]) -> None:
    html, data = many_systems
    assert LONG in html    # the HTML text reads as written (break opportunities are zero-width)
    pdf = pdfium.PdfDocument(data)
    try:
        found = False
        for page in pdf:
            width = page.get_width()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                left, _, right, _ = text.get_charbox(i)
                assert left >= -0.5 and right <= width + 0.5, f"text outside the page at x={right:.0f}"
            found = found or squash(LONG[:200]) in squash(text.get_text_range())
        assert found, "the long program name is not in the PDF"
    finally:
        pdf.close()


def test_breakable_leaves_ordinary_words_alone() -> None:
    assert breakable("Portal de inscripción") == "Portal de inscripción"
    cut = breakable("a" * 50 + " corto")
    assert cut.replace(ZWSP, "") == "a" * 50 + " corto" and cut.count(ZWSP) == 3
    assert max(len(piece) for piece in cut.split(ZWSP)) <= 16


@pytest.fixture(scope="module", params=["es", "en"])
def real_pdf(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str]:
    doc = real_doc(request.param)
    assert doc is not None
    return doc, squash("\n".join(pdf_texts(pdf_render.render(doc, RenderOptions(lang=request.param)))))


def test_failing_controls_show_statement_and_mappings(real_pdf: tuple[dict[str, Any], str]) -> None:
    doc, flat = real_pdf
    lang = doc["lang"]
    label = "Equivalencias" if lang == "es" else "Mappings"
    shown = 0
    for r in doc["results"]:
        if r["status"] not in ("fail", "partial"):
            continue
        statement = r["statement"][lang] if isinstance(r["statement"], dict) else r["statement"]
        # Its first words (a long statement may run onto the next page, past the running header).
        assert squash(statement.replace("`", ""))[:80] in flat, (r["control_id"], statement[:60])
        for refs in (r.get("xref") or {}).values():
            for ref in refs:
                assert squash(ref) in flat, (r["control_id"], ref)
        shown += 1
    assert shown > 10 and flat.count(squash(label + ":")) >= shown


@pytest.fixture(scope="module")
def long_lists() -> tuple[str, str]:
    """The sample result with FILES_MAX + 7 evidence documents and an undecided control missing
    FIELDS_MAX + 4 different fields on NAMES_MAX + 9 systems. Returns (HTML text, PDF text)."""
    from report_fixtures import sample_doc

    from checker.render import html as html_render
    from checker.render.bounds import FIELDS_MAX, FILES_MAX

    doc = sample_doc("es")
    first = doc["evidence"][0]
    doc["evidence"] = [{**first, "id": f"ev{i}", "path": f"evidencia/doc-{i:03d}.pdf"} for i in range(FILES_MAX + 7)]
    unknown = next(r for r in doc["results"] if r["status"] == "unknown")
    unknown["missing"] = [f"systems[s{i:02d}].campo_{j:02d}"
                          for j in range(FIELDS_MAX + 4) for i in range(NAMES_MAX + 9)]
    html = " ".join(parse(html_render.render(doc, RenderOptions())).text)
    pdf = "\n".join(pdf_texts(pdf_render.render(doc, RenderOptions())))
    return html, pdf


def test_files_and_fields_are_cut(long_lists: tuple[str, str]) -> None:
    from checker.render.bounds import FIELDS_MAX, FILES_MAX

    for text in long_lists:
        flat = squash(text)
        assert squash(f"Se omiten 7 elementos más de esta lista ({FILES_MAX + 7} en total).") in flat
        assert squash(f"Se omiten 4 campos más ({FIELDS_MAX + 4} en total).") in flat
        assert squash("… +9]") in flat    # the systems of one missing field: NAMES_MAX named, 9 counted
        assert squash("La lista completa está en el resultado JSON adjunto a este PDF") in flat
