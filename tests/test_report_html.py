"""The gap report as HTML: self-contained, in the issue's order, in the report's language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from report_fixtures import PROGRAM_NAME, docs, sample_doc

from checker.render import RenderOptions
from checker.render import html as html_render


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        # Zero-width spaces are the report's break opportunities in long words (html.breakable):
        # layout, not text, so the text a reader copies is compared without them.
        (self.style if self._in_style else self.text).append(data.replace("\u200b", ""))


def parse(data: bytes) -> Collector:
    c = Collector()
    c.feed(data.decode("utf-8"))
    return c


@pytest.fixture(scope="module", params=["es", "en"])
def rendered(request: pytest.FixtureRequest) -> list[tuple[str, dict[str, Any], bytes]]:
    return [(name, doc, html_render.render(doc, RenderOptions(lang=request.param)))
            for name, doc in docs(request.param)]


def test_self_contained(rendered: list[tuple[str, dict[str, Any], bytes]]) -> None:
    for name, _, data in rendered:
        c = parse(data)
        tags = [t for t, _ in c.tags]
        for forbidden in ("script", "link", "img", "iframe", "object", "embed", "base"):
            assert forbidden not in tags, (name, forbidden)
        assert tags.count("style") == 1
        for tag, attrs in c.tags:
            for key, value in attrs.items():
                if key in ("href", "src", "xlink:href", "action", "srcset", "poster"):
                    assert value is not None and value.startswith("#"), (name, tag, key, value)
                assert key != "style", (name, tag)   # no inline styles: nothing can reach CSS
        css = "".join(c.style)
        assert "url(" not in css and "@import" not in css


def test_contents_and_language(rendered: list[tuple[str, dict[str, Any], bytes]]) -> None:
    for name, doc, data in rendered:
        c = parse(data)
        text = " ".join(" ".join(c.text).split())
        assert PROGRAM_NAME in text, name
        failed = [r["control_id"] for r in doc["results"] if r["status"] in ("fail", "partial")]
        assert all(cid in text for cid in failed), name
        if doc["lang"] == "es":
            assert "Resumen ejecutivo" in text and "20 de noviembre de 2026" in text
            assert html_render.css_string("Página") in "".join(c.style)   # the running footer
        else:
            assert "Executive summary" in text and "20 November 2026" in text
            assert "Executive" in text and "Resumen ejecutivo" not in text


def test_sections_in_the_issue_order() -> None:
    data = html_render.render(sample_doc("es"), RenderOptions()).decode()
    order = ["cover", 'class="toc"', 'id="s-summary"', 'id="s-findings"', 'id="s-plan"', 'id="s-unknown"',
             'id="s-waivers"', 'id="s-evidence"', 'id="s-method"', 'id="s-signoff"']
    positions = [data.index(marker) for marker in order]
    assert positions == sorted(positions)
    # Findings: most severe first within a domain, and the first domain holds a critical finding.
    findings = data[data.index('id="s-findings"'):data.index('id="s-plan"')]
    sev = re.findall(r'class="ctl-head sevbar-(critical|high|medium|low)"', findings)
    assert sev[0] == "critical"


def test_every_anchor_resolves() -> None:
    data = html_render.render(sample_doc("en"), RenderOptions(lang="en"))
    c = parse(data)
    ids = {attrs["id"] for _, attrs in c.tags if attrs.get("id")}
    hrefs = {attrs["href"] for tag, attrs in c.tags if tag == "a" and attrs.get("href")}
    assert hrefs and all(h[1:] in ids for h in hrefs if h)


def test_waivers_flag_expired_and_show_approver() -> None:
    text = " ".join(parse(html_render.render(sample_doc("es"), RenderOptions())).text)
    assert "VENCIDA" in text and "Director del programa" in text and "31 de marzo de 2027" in text


def test_evidence_appendix_lists_hashes_and_observations() -> None:
    doc = sample_doc("en")
    text = " ".join(parse(html_render.render(doc, RenderOptions(lang="en"))).text)
    for item in doc["inputs"]:
        assert item["sha256"] in text
    assert "203.0.113.25" in text and "Undeclared host" in text and "TLSv1.0" in text


def test_page_size_option() -> None:
    letter = html_render.render(sample_doc("es"), RenderOptions(page_size="Letter")).decode()
    a4 = html_render.render(sample_doc("es"), RenderOptions()).decode()
    assert "size: letter" in letter and "size: A4" in a4
    from checker.errors import UsageError

    with pytest.raises(UsageError):
        html_render.render(sample_doc("es"), RenderOptions(page_size="A3"))


def test_same_inputs_same_bytes() -> None:
    doc = sample_doc("es")
    assert html_render.render(doc, RenderOptions()) == html_render.render(sample_doc("es"), RenderOptions())


def test_css_string_cannot_escape() -> None:
    value = html_render.css_string('"; } body { background: url(http://x/) } </style><script>')
    assert value.startswith('"') and value.endswith('"') and value.count('"') == 2
    assert "<" not in value and "(" not in value and ";" not in value
