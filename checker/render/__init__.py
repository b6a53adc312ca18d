"""Renderers: each output format is a pure function of the typed result (`checker.result.ResultDocument`).

A renderer module exposes `render(doc: ResultDocument, options: RenderOptions) -> bytes` (a JSON dict, as
loaded from a file, is validated into the model first: `checker.result.as_document`). Modules are
imported only when their format is asked for, so that `--format json` never pays for WeasyPrint.
The language of the output is `options.lang`, else the document's own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.result import ResultDocument

FORMATS: dict[str, str] = {
    "json": "checker.render.json_doc",
    "md": "checker.render.markdown",
    "html": "checker.render.html",
    "pdf": "checker.render.pdf",
    "sarif": "checker.render.sarif",
    "junit": "checker.render.junit",
    "csv": "checker.render.csv_rows",
    "oscal": "checker.render.oscal",
}

# `-o report.xml` means JUnit; the other extensions name their format.
EXTENSIONS: dict[str, str] = {
    ".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf",
    ".sarif": "sarif", ".xml": "junit", ".csv": "csv",
}


@dataclass(frozen=True)
class RenderOptions:
    lang: str | None = None         # es or en; None: the document's language
    page_size: str = "A4"          # A4 or Letter (PDF/HTML)
    pdf_variant: str | None = None  # e.g. "pdf/a-3b"
    extra: dict[str, Any] | None = None

    def lang_for(self, doc: ResultDocument) -> str:
        """The output's language: the one asked for, else the document's."""
        return self.lang if self.lang in ("es", "en") else doc.lang


Renderer = Callable[["ResultDocument", RenderOptions], bytes]


def renderer_for(fmt: str) -> Renderer:
    module = importlib.import_module(FORMATS[fmt])
    render: Renderer = module.render
    return render


def sarif_uri_base(given: str | None, folder: Path) -> str:
    """The SARIF uri base: as given, else `folder` relative to where the tool runs (the repository
    root in CI), so code scanning can find the declaration."""
    if given is not None:
        return given
    rel = Path(os.path.relpath(folder.resolve(), Path.cwd()))
    return "" if str(rel) == "." else rel.as_posix()


def render_pieces(doc: Any, fmt: str, options: RenderOptions) -> Iterable[bytes]:
    """As `render_bytes`, but the JSON result comes in pieces as it is serialised: a result of tens
    of thousands of subjects is written without its whole text in memory beside the model."""
    if fmt == "json":
        from checker.result import as_document

        return as_document(doc).json_pieces()
    return (render_bytes(doc, fmt, options),)


def render_bytes(doc: Any, fmt: str, options: RenderOptions) -> bytes:
    """Render `doc` as `fmt`; a file-system failure inside a renderer is a tool error (exit 3)."""
    from checker.errors import InputError, ToolError, UsageError

    try:
        return renderer_for(fmt)(doc, options)
    except (InputError, UsageError, ToolError):
        raise
    except OSError as exc:
        raise ToolError(f"{fmt}: {exc}") from exc
