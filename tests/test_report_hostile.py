"""Hostile declarations render inert: markup, CSS `url()`, template syntax and links in every free-text
field come out as visible text, and nothing is fetched, from the network or from disk.

Proof of "nothing fetched" is twofold: the locked URL fetcher records every URL WeasyPrint asks for
(none), and an HTTP server on 127.0.0.1, which every payload points at, receives no request.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from report_fixtures import AS_OF, EXAMPLE, pdf_texts, sample_doc, squash
from ruamel.yaml import YAML
from test_report_html import parse
from test_report_md import github
from weasyprint.urls import FatalURLFetchingError

from checker.errors import ToolError
from checker.render import RenderOptions
from checker.render import html as html_render
from checker.render import markdown as md_render
from checker.render import pdf as pdf_render
from checker.resources import templates_dir


class Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    Recorder.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def payload(port: int, tag: str) -> str:
    base = f"http://127.0.0.1:{port}"
    return (f"{tag} <img src=\"{base}/img-{tag}\"> <link rel=\"attachment\" href=\"file:///etc/passwd\"> "
            f"<style>@import url({base}/css-{tag});</style> <div style=\"background:url({base}/bg)\">d</div> "
            f"{{{{ 7*7 }}}} {{% include 'report.html.j2' %}} url({base}/u-{tag}) file:///etc/hostname "
            f"{base}/plain <svg><image href=\"{base}/svg\"/></svg> </style></title> "
            f"<a href=\"javascript:alert(1)\">js</a> [md]({base}/md) **b**")


# Free-text fields of examples/ai-center.yaml (declaration.md), by path.
def poison(data: dict[str, Any], port: int) -> None:
    p = data["program"]
    for key in ("name", "short_name", "description", "operator"):
        p[key] = payload(port, f"program.{key}")
    p["contact"] = {"name": payload(port, "contact.name"), "role": payload(port, "contact.role"),
                    "email": payload(port, "contact.email")}
    a = data["assessment"]
    for key in ("assessor", "scope", "organization"):
        a[key] = payload(port, f"assessment.{key}")
    for item in data["data_inventory"]:
        item["fields"] = [payload(port, "fields"), *item.get("fields", [])]
        item["purposes"] = [payload(port, "purposes")]
        item["legal_instrument"] = payload(port, "legal_instrument")
        if "biometric" in item:
            item["biometric"]["vendor"] = payload(port, "biometric.vendor")
    for system in data["systems"]:
        system["name"] = payload(port, "system.name")
        system["description"] = payload(port, "system.description")
        if "provider" in system.get("hosting", {}):
            system["hosting"]["provider"] = payload(port, "hosting.provider")
    for proc in data["processors"]:
        proc["name"] = payload(port, "processor.name")
        proc["service"] = payload(port, "processor.service")
    for transfer in data["transfers"]:
        transfer["recipient"] = payload(port, "transfer.recipient")
        transfer["purpose"] = payload(port, "transfer.purpose")
    data["privacy_notice"]["url"] = payload(port, "privacy_notice.url")
    data["governance"]["policies"] = [payload(port, "policy")]
    data["evidence"] = [{"id": "aviso", "path": "aviso.txt", "description": payload(port, "evidence"),
                         "controls": ["PRV-01"]}]
    data["waivers"] = [{"id": "w-1", "control": "GOV-01", "reason": payload(port, "waiver.reason"),
                        "approved_by": payload(port, "waiver.approved_by"), "approved_on": "2026-10-01",
                        "expires": "2027-03-31"}]


@pytest.fixture(scope="module")
def hostile(server: int, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from checker.api import evaluate_file

    folder = tmp_path_factory.mktemp("hostile")
    yaml = YAML(typ="rt")
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    poison(data, server)
    (folder / "aviso.txt").write_text("aviso", encoding="utf-8")
    path = folder / "hostile.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    doc: dict[str, Any] = evaluate_file(path, as_of=AS_OF, lang="es").to_dict()
    return doc


# Keys the typed result constrains to codes (checker.result): a document with anything else there is
# refused when it is read (see test_a_result_with_hostile_codes_is_refused), so it never reaches a renderer.
CODES = {"lang", "status", "underlying_status", "severity", "domain", "confidence", "state", "role", "kind",
         "source", "law", "schema_version", "highest_failed_severity", "operator", "code"}


def everything_hostile(port: int) -> dict[str, Any]:
    """The fixture with a payload appended to every free string, dates included: the renderer must stay
    inert (and standing) whatever the document holds. The evaluation day (`.as_of`) is no free string: a
    result whose as_of is no calendar day is refused as bad input (tests/test_diff.py)."""
    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, path) for v in value]
        if isinstance(value, str) and path.rsplit(".", 1)[-1] not in CODES and path not in (".tool.name", ".as_of"):
            return value + " " + payload(port, path[-30:])
        return value
    doc: dict[str, Any] = walk(sample_doc("es"), "")
    return doc


def test_a_result_with_hostile_codes_is_refused(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    doc = sample_doc("es")
    doc["results"][0]["status"] = "fail <script>alert(1)</script>"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "checker", "render", str(path), "-o", str(tmp_path / "r.html")],
                          capture_output=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 2
    assert b"results.0.status" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "r.html").exists()


def check_html(data: bytes) -> None:
    c = parse(data)
    for tag, attrs in c.tags:
        assert tag not in ("img", "link", "script", "iframe", "image", "base", "object"), tag
        for key, value in attrs.items():
            assert key != "style" and not key.startswith("on"), (tag, key)
            if key in ("href", "src", "xlink:href", "action", "srcset", "poster", "data", "formaction"):
                assert (value or "").startswith("#"), (tag, key, value)   # our own anchors only
            # Plain attributes (the <meta> author) may hold the text, escaped, but never as markup.
            assert "<" not in (value or "") or tag == "meta", (tag, key)
    assert [t for t, _ in c.tags].count("style") == 1 and [t for t, _ in c.tags].count("a") > 0
    text = " ".join(c.text)
    assert "{{ 7*7 }}" in text and "<img src=" in text and "url(http://127.0.0.1:" in text


def check_pdf(data: bytes, attachments: int) -> None:
    flat = squash("\n".join(pdf_texts(data)))
    assert squash("{{ 7*7 }}") in flat and squash('<img src="http://127.0.0.1:') in flat
    pdf = pdfium.PdfDocument(data)
    try:
        assert pdf.count_attachments() == attachments
    finally:
        pdf.close()
    # Links in the PDF are our own internal ones (contents, top gaps): no URI actions at all.
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            assert action is None or action.get("/S") != "/URI", action


@pytest.mark.parametrize("source", ["declaration", "document"])
def test_hostile_input_renders_inert_and_fetches_nothing(
        source: str, hostile: dict[str, Any], server: int) -> None:
    doc = hostile if source == "declaration" else everything_hostile(server)
    Recorder.hits = []
    options = RenderOptions(lang="es")
    check_html(html_render.render(doc, options))
    # PDF/A adds only the attachment to the same render: one full-size declaration run of each is enough.
    variants = ((None, 1),) if source == "declaration" else ((None, 1), ("pdf/a-3b", 1))
    for variant, attachments in variants:
        fetcher = pdf_render.LockedFetcher(templates_dir())
        data = pdf_render.render_with(doc, RenderOptions(lang="es", pdf_variant=variant), fetcher)
        assert fetcher.calls == []
        check_pdf(data, attachments)
    md = github(md_render.render(doc, options).decode())   # as GitHub shows it
    assert not re.search(r"<(img|script|link|style|svg|iframe|a)[ >]", md.replace('<a href="mailto:', "")), md
    assert "{{ 7*7 }}" in md and "&lt;img src=" in md
    assert Recorder.hits == [], Recorder.hits


def test_hostile_declaration_reached_every_part_of_the_report(hostile: dict[str, Any]) -> None:
    # The payload must actually be in the places the report prints, or the test above proves little.
    text = " ".join(parse(html_render.render(hostile, RenderOptions())).text)
    for tag in ("program.name", "program.operator", "assessment.assessor", "assessment.scope",
                "evidence", "waiver.reason", "waiver.approved_by"):
        assert f"{tag} <img src=" in text, tag


# -- the locked fetcher itself: the second line of defence -------------------------------------
def test_fetcher_refuses_everything_but_report_assets(tmp_path: Path, server: int) -> None:
    Recorder.hits = []
    fetcher = pdf_render.LockedFetcher(templates_dir())
    inside = (templates_dir() / "report.css.j2").resolve()
    response = fetcher.fetch(inside.as_uri())
    assert response.read().startswith(b"/*")
    for url in (f"http://127.0.0.1:{server}/x", f"https://127.0.0.1:{server}/x", "file:///etc/passwd",
                (templates_dir() / ".." / "pyproject.toml").resolve().as_uri(),
                "data:text/css,body{color:red}", "ftp://127.0.0.1/x", f"file://127.0.0.1{inside}"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    # A symbolic link inside the allowed folder that points outside it is refused too.
    root = tmp_path / "assets"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "link.css").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(FatalURLFetchingError):
        pdf_render.LockedFetcher(root).fetch((root / "link.css").as_uri())
    assert Recorder.hits == []


def test_fetcher_stops_a_render_that_asks_for_anything(server: int) -> None:
    """If markup ever slipped through, WeasyPrint would ask the fetcher; the render then stops."""
    Recorder.hits = []
    for html in (f'<p>x</p><img src="http://127.0.0.1:{server}/img">',
                 '<link rel="attachment" href="file:///etc/passwd"><p>x</p>',
                 f"<style>@import url(http://127.0.0.1:{server}/css);</style><p>x</p>",
                 f'<p style="background: url(http://127.0.0.1:{server}/bg)">x</p>'):
        fetcher = pdf_render.LockedFetcher(templates_dir())
        with pytest.raises(ToolError):
            pdf_render.write_pdf(html, fetcher)
        assert fetcher.calls, html
    assert Recorder.hits == []
