"""The audit report as Markdown (follow-up of issue 13): each finding's assurance, and with `audit` in
the declaration the chapters the PDF has (opinion, scope and limitations, method, management responses,
follow-up of the previous result, actions that need attention), in Spanish and English, rendered the
way GitHub does. Without the auditor features the report only gains the assurance."""

from __future__ import annotations

import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from test_audit import hostile_audit_copy
from test_language_neutral import _words, forbidden, prose_md

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "audit" / "colegio.yaml"
AS_OF = "2026-11-20"


def github(markdown: str) -> str:
    # UNSAFE keeps raw HTML in the output, so an injection would show up rather than be hidden.
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


def plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", "", html)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())


def evaluate_md(declaration: Path, lang: str, out: Path, *extra: str) -> str:
    assert main(["evaluate", str(declaration), "--as-of", AS_OF, "--lang", lang, "--format", "md",
                 "-o", str(out), *extra]) in (0, 1)
    return out.read_text(encoding="utf-8")


def blocks(markdown: str) -> dict[str, str]:
    """Each control of the findings chapter (`#### ✗ `ID` title`) and the text down to the next one."""
    parts = re.split(r"^#### \S+ `([A-Z]{2,5}-\d{2,3})`.*$", markdown, flags=re.M)
    return {parts[i]: re.split(r"^##+ ", parts[i + 1], flags=re.M)[0] for i in range(1, len(parts), 2)}


WORDS = {
    "es": {
        "h2": ["A. Dictamen de auditoría", "B. Seguimiento de la auditoría"],
        "h3": ["Opinión del auditor", "Resumen calculado", "Alcance y limitaciones",
               "Método: qué se inspeccionó, observó, preguntó y reejecutó",
               "Seguimiento de los hallazgos anteriores", "Acciones que requieren atención",
               "Plan de remediación declarado", "Revisión de la evidencia"],
        "text": ["Con base en los procedimientos aplicados", "Aseguramiento de los hallazgos:",
                 "Alcance: sistema escolar", "No se revisaron los sistemas del proveedor",
                 "reejecución", "contradice", "Empeoró", "Sigue abierto", "Cerrado", "Vencida sin terminar",
                 "Marcada como hecha (28 de septiembre de 2026) pero la brecha sigue abierta",
                 "rechazada", "vencida", "pendiente de revisión",
                 "Respuesta de la administración: Dirección general, 18 de noviembre de 2026",
                 "Aseguramiento: declarado · verificación verif-03 (reejecución;",
                 "Acción: accion-01", "en curso (vencida)"],
        "row": "<td><strong>Empeoró</strong></td>\n<td><code>RES-03</code> Prueba de restauración al día</td>\n"
               "<td>Media</td>\n<td>Sin decidir</td>\n<td>No cumple</td>",
        "assurance": "Aseguramiento", "verified": "verificado por auditor",
    },
    "en": {
        "h2": ["A. Audit opinion", "B. Audit follow-up"],
        "h3": ["The auditor's opinion", "Computed summary", "Scope and limitations",
               "Method: what was inspected, observed, asked and re-performed",
               "Actions that need attention", "Evidence review"],
        "text": ["Con base en los procedimientos aplicados", "Assurance of the findings:",
                 "re-performance", "Worse", "Still open", "Closed", "Overdue and not finished",
                 "rejected", "expired", "pending review",
                 "Management response: Dirección general, 18 November 2026",
                 "Assurance: declared · verification verif-03 (re-performance;", "Action: accion-01"],
        "row": "<td><strong>Worse</strong></td>\n<td><code>RES-03</code> Restore test up to date</td>\n"
               "<td>Medium</td>\n<td>Undecided</td>\n<td>Not met</td>",
        "assurance": "Assurance", "verified": "verified by an auditor",
    },
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_audit_chapters_and_assurance_in_markdown(lang: str, tmp_path: Path) -> None:
    words = WORDS[lang]
    markdown = evaluate_md(EXAMPLE, lang, tmp_path / "informe.md")
    html = github(markdown)
    text = plain(html)
    headings2 = [plain(h) for h in re.findall(r"<h2>(.*?)</h2>", html)]
    headings3 = [plain(h) for h in re.findall(r"<h3>(.*?)</h3>", html)]
    assert [h for h in words["h2"] if h not in headings2] == []
    assert [h for h in words["h3"] if h not in headings3] == []
    # Chapter A comes before the summary (1), chapter B between the evidence (6) and the method (7).
    order = [h.split(".")[0] for h in headings2 if re.match(r"^([A-B]|\d)\. ", h)]
    assert order == ["A", "1", "2", "3", "4", "5", "6", "B", "7"], order
    assert [w for w in words["text"] if w not in text] == []
    assert words["row"] in html   # the follow-up in words of the output's language, not raw keys
    assert not re.search(r"\b(severity|status|action|assurance|method|result)\.[a-z_]+\b", markdown)
    # Every gap of the findings chapter says its assurance, once; the verified passes say so too.
    found = blocks(markdown)
    assert {"AUT-01", "RES-01", "RES-03"} <= set(found)
    assert [c for c, body in found.items() if body.count(f"- **{words['assurance']}:** ") != 1] == []
    assert re.search(rf"^- ✓ `PRV-01` .* · \*{words['assurance']}:\* {words['verified']}$", markdown, re.M)
    # Tables keep their shape: every row has the header's number of cells.
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert len(widths) == 1, widths


@pytest.mark.parametrize("lang", ["es", "en"])
def test_audit_markdown_has_no_word_of_the_other_language(lang: str, tmp_path: Path) -> None:
    markdown = evaluate_md(EXAMPLE, lang, tmp_path / "informe.md")
    scans = " ".join(p.read_text(encoding="utf-8") for p in (EXAMPLE.parent / "scans").glob("*.xml"))
    leaked = sorted(_words(prose_md(markdown.encode("utf-8"))) & (forbidden(lang, "audit/colegio") - _words(scans)))
    assert not leaked, leaked
    if lang == "es":
        assert not re.search(r"\b(Assurance|declared|verified|Audit|Worse|overdue)\b", markdown)


def test_compact_layout_keeps_the_assurance() -> None:
    from checker.api import evaluate_file
    from checker.render import RenderOptions
    from checker.render.markdown import render

    doc = evaluate_file(EXAMPLE, as_of=AS_OF)
    markdown = render(doc, RenderOptions(lang="es", extra={"markdown": "compact"})).decode("utf-8")
    lines = [line for line in markdown.splitlines() if re.match(r"^- [✗◐] `", line)]
    assert {"AUT-01", "RES-01"} <= {line.split("`")[1] for line in lines}
    assert [line for line in lines if " · *Aseguramiento:* " not in line] == []
    assert "## A. Dictamen de auditoría" in markdown and "## B. Seguimiento de la auditoría" in markdown


@pytest.mark.parametrize("lang", ["es", "en"])
def test_ai_center_markdown_has_no_audit_chapter(lang: str, tmp_path: Path) -> None:
    markdown = evaluate_md(ROOT / "examples" / "ai-center.yaml", lang, tmp_path / "r.md")
    words = WORDS[lang]
    assert not re.search(r"^## [AB]\. ", markdown, re.M)
    for heading in words["h2"] + words["h3"]:
        assert heading not in plain(github(markdown)), heading
    assert "Respuesta de la administración" not in markdown and "Management response" not in markdown
    assert not re.search(r"^- \*\*(Acción|Action):\*\*", markdown, re.M)
    # ...but each gap still says how well it is backed. The report is too long for a pull-request
    # comment, so each finding is one bullet (the compact layout), which ends with its assurance.
    label = words["assurance"]
    assert not blocks(markdown)
    bullets = [line for line in markdown.splitlines() if re.match(r"^- [✗◐] `", line)]
    assert len(bullets) > 10
    assert [line for line in bullets if not re.search(rf" · \*{label}:\* \w[^·]*$", line)] == []
    # The only change to the report without the auditor features is that line, and ` · Aseguramiento: …`
    # on a passed control: without them it is the self-assessment report as rendered before.
    from checker.api import evaluate_file
    from checker.render.first_steps import first_steps
    from checker.render.markdown import render_markdown
    from checker.render.report_model import build

    doc = evaluate_file(ROOT / "examples" / "ai-center.yaml", as_of=AS_OF)
    model = build(doc, lang)
    before = render_markdown(model, compact=True, fs=first_steps(doc, model.lang))
    stripped = "".join(line for line in markdown.splitlines(keepends=True) if not line.startswith(f"- **{label}:** "))
    stripped = re.sub(rf" · \*{label}:\* [^·\n]+$", "", stripped, flags=re.M)
    assert stripped == before


def test_auditor_text_is_inert_in_markdown(tmp_path: Path) -> None:
    folder = hostile_audit_copy(tmp_path, "[x](http://127.0.0.1:9/) <img src=x> **b** | c | @org/team")
    html = github(evaluate_md(folder / "colegio.yaml", "es", tmp_path / "r.md"))
    assert "<img" not in html and "href=" not in html.replace('href="mailto:', "")
    assert "<strong>b</strong>" not in html
    assert plain(html).count("[x](http://127.0.0.1:9/)") >= 2   # shown, as text: opinion and note


@pytest.mark.parametrize(("lang", "row"), [("es", ("Empeoró", "Media", "Sin decidir", "No cumple")),
                                           ("en", ("Worse", "Medium", "Undecided", "Not met"))])
def test_follow_up_words_in_the_html_report_too(lang: str, row: tuple[str, ...]) -> None:
    """The shared view gives the follow-up's severity and statuses as words (it gave raw keys before)."""
    from checker.api import evaluate_file
    from checker.render import RenderOptions
    from checker.render.html import render_html

    html = render_html(evaluate_file(EXAMPLE, as_of=AS_OF).to_dict(), RenderOptions(lang=lang))
    assert not re.search(r">\s*(severity|status)\.[a-z_]+\s*<", html)
    cells = [plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]
    start = cells.index(row[0])
    assert (cells[start], *cells[start + 2:start + 5]) == row, cells[start:start + 5]
