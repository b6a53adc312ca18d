"""The report starts with what to do: right after the cover "Qué hacer primero", then "Lo que falta
declarar"; undecided controls are never listed as gaps; the PDF is tagged, in the report's language,
with the chart described in words; PDF/A-3a carries the JSON result."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ai-center.yaml"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


@pytest.fixture(scope="module")
def spanish_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("start")
    pdf, js = folder / "r.pdf", folder / "r.json"
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "-o", str(pdf)]) == 1
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "-o", str(js)]) == 1
    return pdf, json.loads(js.read_text(encoding="utf-8"))


def test_pdf_is_tagged_and_in_spanish(spanish_pdf: tuple[Path, dict]) -> None:
    pdf, _ = spanish_pdf
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    root = PdfReader(pdf).trailer["/Root"]
    assert root.get("/Lang") == "es"
    assert root["/MarkInfo"]["/Marked"]
    # the chart is a Figure of the structure tree with its text alternative
    alts: list[tuple[Any, Any]] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            if "/Alt" in node:
                alts.append((node.get("/S"), node["/Alt"]))
            for key, value in node.items():
                if key not in ("/P", "/Pg", "/Parent"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(root["/StructTreeRoot"])
    assert any(s == "/Figure" and str(a).startswith("Gráfica de barras de la puntuación por dominio") for s, a in alts)


def test_first_page_after_the_cover_is_what_to_do_first(spanish_pdf: tuple[Path, dict]) -> None:
    pdf, doc = spanish_pdf
    pages = _pages(pdf)
    body = [line.strip() for line in pages[1].splitlines() if line.strip()]
    # the running header (program name, CONFIDENCIAL) comes first, then the section title
    assert "Qué hacer primero" in body[:4], body[:6]
    undecided = {r["control_id"] for r in doc["results"] if r["status"] == "unknown"}
    failing = {r["control_id"] for r in doc["results"] if r["status"] in ("fail", "partial")}
    start = "\n".join(pages[1:4])
    actions = start.split("Lo que falta declarar")[0]
    catalog_ids = {r["control_id"] for r in doc["results"]}
    listed = set(re.findall(r"\b[A-Z]{2,5}-\d{2,3}\b", actions)) & catalog_ids  # not "AES-256"
    # A remediation text may point to another control ("ver TRA-03"): that is a cross-reference, not an action.
    cited = set(re.findall(r"\b[A-Z]{2,5}-\d{2,3}\b", " ".join(r["remediation"] or "" for r in doc["results"])))
    listed -= cited - failing
    assert listed and listed <= failing, listed - failing
    assert not listed & undecided
    # the undecided controls are all listed apart, each with the fields to declare
    text = "\n".join(pages)
    rest = text.split("Lo que falta declarar", 1)[1]
    assert all(cid in rest for cid in undecided)
    assert "Campos por declarar" in rest


def test_worst_gaps_never_list_an_undecided_control(spanish_pdf: tuple[Path, dict]) -> None:
    pdf, doc = spanish_pdf
    text = "\n".join(_pages(pdf))
    undecided = {r["control_id"] for r in doc["results"] if r["status"] == "unknown"}
    section = text.split("Las brechas más graves", 1)[1].split("Ley aplicable")[0]
    listed = set(re.findall(r"\b[A-Z]{2,5}-\d{2,3}\b", section))
    assert listed and not listed & undecided


def _near_empty(pages: list[str]) -> list[int]:
    """Pages (1-based) between the cover and the last with fewer than 15 lines of text."""
    counts = [sum(1 for line in page.splitlines() if line.strip()) for page in pages if page.strip()]
    return [i + 1 for i, n in enumerate(counts) if 0 < i < len(counts) - 1 and n < 15]


def test_no_near_empty_page(spanish_pdf: tuple[Path, dict]) -> None:
    assert _near_empty(_pages(spanish_pdf[0])) == []


def test_names_not_codes_on_the_cover(spanish_pdf: tuple[Path, dict]) -> None:
    cover = _pages(spanish_pdf[0])[0]
    assert "Ley General de Protección de Datos Personales" in cover
    assert "Educación pública" in cover and "public-education" not in cover


def test_pdf_a_3a_english_attaches_the_json(tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "--lang", "en", "--pdf-variant", "pdf/a-3a",
                 "-o", str(pdf)]) == 1
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M)
    document = pdfium.PdfDocument(pdf)
    try:
        assert document.count_attachments() == 1
        assert document.get_attachment(0).get_name() == "resguarda-result.json"
    finally:
        document.close()
    pages = _pages(pdf)
    assert "What to do first" in "\n".join(pages[1].splitlines()[:6])
    assert _near_empty(pages) == []


def test_markdown_starts_with_the_same(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "-o", str(md)]) == 1
    text = md.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[:2] == ["Qué hacer primero", "Lo que falta declarar"]
    html = tmp_path / "r.html"
    assert main(["evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "-o", str(html), "--lang", "en"]) == 1
    page = html.read_text(encoding="utf-8")
    assert page.index("What to do first") < page.index("What is left to declare") < page.index('id="s-summary"')
    assert 'role="img" aria-label="Bar chart of the score per domain' in page
