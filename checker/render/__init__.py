"""Renderers: each output format is a pure function of the JSON result document.

A renderer module exposes `render(doc: dict, options: RenderOptions) -> bytes`. Modules are imported
only when their format is asked for, so that `--format json` never pays for WeasyPrint.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    lang: str = "es"
    page_size: str = "A4"          # A4 or Letter (PDF/HTML)
    pdf_variant: str | None = None  # e.g. "pdf/a-3b"
    extra: dict[str, Any] | None = None


Renderer = Callable[[dict[str, Any], RenderOptions], bytes]


def renderer_for(fmt: str) -> Renderer:
    module = importlib.import_module(FORMATS[fmt])
    render: Renderer = module.render
    return render
