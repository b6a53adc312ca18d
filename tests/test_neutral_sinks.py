"""Neutral text per sink (issue 17.6): declared text reaches HTML/PDF, Markdown, SARIF and JUnit
without live links, mentions, raw HTML or bidi tricks. Real renders of a hostile declaration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from checker.neutral import inert_links, markdown, sarif_text, visible, xml_text

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-catalog"
EVIL = "[pulse aquí](https://evil.example/x) https://evil.example/y www.evil.example @org/team <b>x</b> fdp.\u202eexe"
DECL = f"""schema_version: 1
program:
  name: "Escuela {EVIL}"
  operator: SEP
  operator_type: public_school
  role: responsable
systems:
  - id: portal
    name: "Portal {EVIL}"
    encryption:
      at_rest: {{enabled: true, key_management: none}}
data_inventory:
  - id: salud
    category: health
    systems: [portal]
"""


def render(tmp_path: Path, fmt: str) -> bytes:
    decl = tmp_path / "d.yaml"
    decl.write_text(DECL, encoding="utf-8")
    out = tmp_path / f"r.{fmt}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "checker", "evaluate", str(decl), "--catalog", str(MINI),
                           "--format", fmt, "-o", str(out), "--as-of", "2026-11-20"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode in (0, 1), proc.stderr
    return out.read_bytes()


def gfm_html(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def test_functions_per_sink() -> None:
    assert "\u202e" not in visible("fdp.\u202eexe") and "U+202E" in visible("fdp.\u202eexe")
    assert "<a" not in gfm_html(markdown(EVIL)) and "<b>" not in gfm_html(markdown(EVIL))
    assert "@\u2060org" in markdown("@org/team")
    assert "](" not in sarif_text("[a](https://e.x)")
    assert "\x01" not in xml_text("a\x01b") and "U+202E" in xml_text("\u202e")
    assert "<a" not in gfm_html(inert_links("see https://evil.example and www.evil.example"))


def test_html_shows_bidi_overrides(tmp_path: Path) -> None:
    html = render(tmp_path, "html").decode("utf-8")
    assert "\u202e" not in html and "U+202E" in html
    assert "<b>x</b>" not in html


def test_pdf_shows_bidi_overrides(tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(tmp_path, "pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "\u202e" not in text and "U+202E" in text


def test_markdown_report_has_no_live_link_or_mention(tmp_path: Path) -> None:
    md = render(tmp_path, "md").decode("utf-8")
    html = gfm_html(md)
    assert "evil.example" in html  # the text is kept...
    assert 'href="https://evil' not in html and 'href="http://www.evil' not in html  # ...but not as links
    assert "<b>x</b>" not in html and "@org/team" not in md


def test_diff_markdown_has_no_live_link(tmp_path: Path) -> None:
    new = tmp_path / "new"
    new.mkdir()
    (new / "r.json").write_bytes(render(new, "json"))
    old_doc = json.loads((new / "r.json").read_text(encoding="utf-8"))
    old_doc["results"] = old_doc["results"][:1]
    (tmp_path / "old.json").write_text(json.dumps(old_doc), encoding="utf-8")
    out = tmp_path / "d.md"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "checker", "diff", str(tmp_path / "old.json"), str(new / "r.json"),
                           "--format", "md", "-o", str(out)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    html = gfm_html(out.read_text(encoding="utf-8"))
    assert 'href="https://evil' not in html and 'href="http://www.evil' not in html


def _doc_with_evil_reasons(tmp_path: Path) -> dict[str, object]:
    # Reasons quote declared values; a saved result (or a vendor's) can carry any text there.
    doc = json.loads(render(tmp_path, "json"))
    for result in doc["results"]:
        result["reasons"] = [EVIL]
        for finding in result["findings"]:
            finding["reason"] = EVIL
    return doc


def test_sarif_message_text_has_no_embedded_link(tmp_path: Path) -> None:
    from checker.render import RenderOptions
    from checker.render.sarif import render as sarif_render

    sarif = json.loads(sarif_render(_doc_with_evil_reasons(tmp_path), RenderOptions(lang="es")))
    texts = [r["message"]["text"] for run in sarif["runs"] for r in run["results"]]
    assert texts and any("evil.example" in t for t in texts)
    assert not any("](" in t or "\u202e" in t for t in texts)


def test_junit_shows_bidi_overrides(tmp_path: Path) -> None:
    from checker.render import RenderOptions
    from checker.render.junit import render as junit_render

    xml = junit_render(_doc_with_evil_reasons(tmp_path), RenderOptions(lang="es")).decode("utf-8")
    assert "evil.example" in xml and "\u202e" not in xml and "U+202E" in xml
