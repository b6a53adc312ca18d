"""The gap report as Markdown (a pull-request comment or wiki page), rendered the way GitHub does
(cmark-gfm with its extensions) to prove declaration text stays text."""

from __future__ import annotations

import re
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from report_fixtures import PROGRAM_NAME, docs, sample_doc

from checker.render import RenderOptions
from checker.render.markdown import md_code, md_text, render


def github(markdown: str) -> str:
    # UNSAFE keeps raw HTML in the output, so an injection would show up rather than be hidden.
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


@pytest.fixture(scope="module", params=["es", "en"])
def rendered(request: pytest.FixtureRequest) -> list[tuple[str, dict[str, Any], str]]:
    return [(name, doc, render(doc, RenderOptions(lang=request.param)).decode("utf-8"))
            for name, doc in docs(request.param)]


def test_same_data_as_the_report(rendered: list[tuple[str, dict[str, Any], str]]) -> None:
    for name, doc, text in rendered:
        html = github(text)
        assert PROGRAM_NAME in html, name
        for r in doc["results"]:
            if r["status"] in ("fail", "partial", "unknown"):
                assert f"<code>{r['control_id']}</code>" in html, (name, r["control_id"])
        heading = "Resumen ejecutivo" if doc["lang"] == "es" else "Executive summary"
        assert f"<h2>1. {heading}</h2>" in html
        assert "<table>" in html   # counts, domain scores, plan
        # Tables keep their shape: every row of the plan has the header's number of cells.
        for table in re.findall(r"<table>.*?</table>", html, re.S):
            widths = {len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)}
            assert len(widths) == 1, widths


def test_only_our_own_markup(rendered: list[tuple[str, dict[str, Any], str]]) -> None:
    allowed = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "code", "table", "thead",
               "tbody", "tr", "th", "td", "blockquote", "hr"}
    for name, _, text in rendered:
        tags = set(re.findall(r"<([a-z0-9]+)", github(text)))
        assert tags <= allowed, (name, tags - allowed)


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src="http://127.0.0.1:9/x.png">', "[click](http://127.0.0.1:9/)",
    "![pixel](http://127.0.0.1:9/p.png)", "**bold** _em_ ~~gone~~", "`code` ``x``", "# heading", "| a | b |",
    "http://127.0.0.1:9/bare", "www.evil.example", "file:///etc/passwd", "$x^2$", "<!-- c -->", "&lt;b&gt;",
    "{{ 7*7 }} {% raw %}", "line\none\n\n- item", "\\*escaped\\*",
])
def test_text_stays_text(payload: str) -> None:
    html = github(f"before {md_text(payload)} after")
    assert not re.search(r"<(script|img|a|em|strong|del|h1|code|table|ul|li)[ >]", html), html
    # What shows is the payload itself (whitespace folded to one line).
    shown = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    shown = shown.replace("&quot;", '"')
    assert " ".join(payload.split()) in shown


@pytest.mark.parametrize("payload", ["a`b", "``", "|pipe|", "<b>x</b>", "ends with `"])
def test_code_spans_hold_anything(payload: str) -> None:
    html = github(f"x {md_code(payload)} y")
    assert html.count("<code>") == 1
    inner = re.search(r"<code>(.*?)</code>", html, re.S)
    assert inner is not None
    assert inner.group(1).strip().replace("&lt;", "<").replace("&gt;", ">") == payload.strip()
    table = github(f"| h |\n|---|\n| {md_code(payload, in_table=True)} |")
    assert table.count("<td>") == 1 and table.count("<code>") == 1


def test_hostile_document_renders_inert() -> None:
    doc = sample_doc("es")
    doc["program"]["name"] = "[x](http://127.0.0.1:9/) <img src=x> **b**"
    doc["results"][0]["findings"][0]["reason"] = "<script>alert(1)</script> | broken | table"
    doc["waivers"][0]["reason"] = "![p](http://127.0.0.1:9/p.png)"
    html = github(render(doc, RenderOptions()).decode())
    assert "<script" not in html and "<img" not in html and "href=" not in html.replace('href="mailto:', "")
    assert "127.0.0.1:9" in html   # shown, as text


def test_fits_a_pull_request_comment(rendered: list[tuple[str, dict[str, Any], str]]) -> None:
    from checker.render.markdown import GITHUB_COMMENT_LIMIT

    for name, doc, text in rendered:
        assert len(text) <= GITHUB_COMMENT_LIMIT, (name, len(text))
        failed = [r["control_id"] for r in doc["results"] if r["status"] in ("fail", "partial")]
        assert all(f"`{cid}`" in text for cid in failed), name


def test_layout_can_be_forced() -> None:
    doc = sample_doc("es")
    full = render(doc, RenderOptions(extra={"markdown": "full"})).decode()
    compact = render(doc, RenderOptions(extra={"markdown": "compact"})).decode()
    assert render(doc, RenderOptions()).decode() == full   # the fixture fits: full detail
    assert "Evidencia a aportar" in full and "Evidencia a aportar" not in compact
    assert len(compact) < len(full)
    for r in doc["results"]:
        if r["status"] in ("fail", "partial"):
            assert f"`{r['control_id']}`" in compact
