"""`make bench`, drafts section: how long `resguarda draft` takes per document and format.

One run each on the AI center (the declaration with the most gaps, so the longest security document):
building the draft (load, evaluation, model) and writing each format. No target is set by the issue;
the figures show that DOCX, HTML and Markdown are interactive and that the PDF's cost is WeasyPrint
laying out the long risk and work-plan tables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.drafts import build_draft, count_placeholders, render_draft  # noqa: E402
from checker.validate import load_declaration  # noqa: E402

EXAMPLE = ROOT / "examples" / "ai-center.yaml"


def main() -> None:
    loaded = load_declaration(EXAMPLE, EXAMPLE.name)
    for kind, simplified in (("aviso", False), ("aviso", True), ("seguridad", False)):
        start = time.perf_counter()
        draft = build_draft(loaded, kind, simplified=simplified)
        built = time.perf_counter() - start
        parts = [f"build {built * 1000:.0f} ms"]
        for fmt in ("docx", "md", "html", "pdf"):
            start = time.perf_counter()
            size = len(render_draft(draft, fmt))
            parts.append(f"{fmt} {(time.perf_counter() - start) * 1000:.0f} ms ({size // 1024} KiB)")
        name = kind + (" --simplificado" if simplified else "")
        print(f"draft {name}: {len(draft.walk())} sections, {count_placeholders(draft)} placeholders; "
              + ", ".join(parts), flush=True)


if __name__ == "__main__":
    main()
