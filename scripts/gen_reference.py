"""Write docs/declaracion.md and docs/declaration.md from the models (`resguarda schema --docs`).

Run after changing the declaration models, the field labels or the catalog; a test fails while the
committed files differ from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.reference import declaration_reference  # noqa: E402

TARGETS = {"es": ROOT / "docs" / "declaracion.md", "en": ROOT / "docs" / "declaration.md"}


def main() -> None:
    for lang, path in TARGETS.items():
        path.write_text(declaration_reference(lang), encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
