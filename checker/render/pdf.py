"""The gap report as PDF: WeasyPrint renders the very HTML that `checker.render.html` writes.

Rendering must never touch the network or the file system beyond our own templates, whatever a
declaration contains. The HTML never references anything (styles and the chart are inline), and
`LockedFetcher` is the second line of defence: it serves files under the templates folder and stops
the render with `FatalURLFetchingError` on any other `file:`, `http(s):` or `data:` URL.

Same inputs give the same bytes: the PDF's dates come from the as-of date (see html.py), the PDF/A
identifier is a hash of the content, and Debian's libharfbuzz-subset0 subsets fonts without
timestamps (without it WeasyPrint falls back to fontTools, which embeds the current time; then set
SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import gc
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML, Attachment
from weasyprint.pdf import VARIANTS
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from checker.errors import ToolError, UsageError
from checker.render import RenderOptions
from checker.render.html import render_html
from checker.render.json_doc import render as render_json
from checker.resources import templates_dir
from checker.result import ResultDocument, as_document

ATTACHMENT_NAME = "resguarda-result.json"
ARCHIVAL_VARIANT = "pdf/a-3b"   # the PDF/A level that allows the non-PDF attachment
# The variants offered: archival (3b; 3a is the accessible, tagged level) and accessible (PDF/UA-1).
OFFERED_VARIANTS = ("pdf/a-3b", "pdf/a-3a", "pdf/ua-1")


class LockedFetcher(URLFetcher):
    """Serves only regular files under `root`; refuses everything else and stops the render."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()
        self.calls: list[str] = []   # every URL asked for, so tests can prove nothing else was

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.calls.append(url)
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise FatalURLFetchingError(f"refused to fetch {url[:120]!r}: only report assets may load")
        # resolve() follows symbolic links, so a link inside the folder cannot point outside it.
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise FatalURLFetchingError(f"refused to fetch {url[:120]!r}: not a report asset")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})


def result_json(doc: ResultDocument, options: RenderOptions) -> bytes:
    """The JSON rendering, byte for byte as `--format json` writes it (so the archived PDF carries
    exactly the machine-readable result)."""
    return render_json(doc, options)


def _stamp(doc: ResultDocument) -> datetime:
    # Attachment dates default to now(); pin them to the as-of date like the document's own dates.
    try:
        day = date.fromisoformat(doc.as_of)
    except ValueError:
        day = date(2000, 1, 1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def render_with(doc: ResultDocument | dict[str, Any], options: RenderOptions, fetcher: LockedFetcher) -> bytes:
    """Render with a given fetcher (tests pass one in to inspect its calls)."""
    doc = as_document(doc)
    variant = options.pdf_variant
    if variant is not None and (variant not in VARIANTS or variant not in OFFERED_VARIANTS):
        raise UsageError(f"unknown PDF variant {variant!r}; use {', '.join(OFFERED_VARIANTS)}")
    html = render_html(doc, options)
    # Always tagged: a public body must publish accessible documents (structure, reading order,
    # language from <html lang>, the chart's text alternative).
    kwargs: dict[str, Any] = {"pdf_tags": True}
    if variant:
        kwargs["pdf_variant"] = variant
    # Every report carries its JSON result (PDF/A-3 allows it as associated data): `resguarda verify`
    # reads it back from a signed report and compares it with a fresh evaluation.
    stamp = _stamp(doc)
    kwargs["attachments"] = [Attachment(
        string=result_json(doc, options), name=ATTACHMENT_NAME, url_fetcher=fetcher,
        description="Resguarda JSON result", created=stamp, modified=stamp, relationship="Data")]
    return write_pdf(html, fetcher, **kwargs)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint works.

    Layout allocates hundreds of thousands of short-lived boxes and styles; freed by reference
    counting, they still trigger collections that rescan every live object again and again. Measured
    on the AI center report: a third of the CPU time went to the collector. Nothing is lost: what
    the render leaves cyclic is collected as usual once the collector is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_pdf(html: str, fetcher: LockedFetcher | None = None, **kwargs: Any) -> bytes:
    """HTML (ours, self-contained) to PDF bytes with the locked fetcher; also used by the checklist."""
    fetcher = fetcher or LockedFetcher(templates_dir())
    try:
        with collector_paused():
            document = HTML(string=html, base_url=templates_dir().resolve().as_uri() + "/", url_fetcher=fetcher)
            pdf: bytes = document.write_pdf(**kwargs)
    except FatalURLFetchingError as exc:
        raise ToolError(f"PDF rendering stopped: {exc}") from None
    return pdf


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    return render_with(doc, options, LockedFetcher(templates_dir()))
