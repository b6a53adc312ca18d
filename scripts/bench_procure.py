"""Procurement figures (issue 12): writing the questionnaire, importing a filled one, comparing bidders.

Targets: the XLSX questionnaire and an import each under 2 s; a comparison of ten bidders (declarations,
evaluated on the way) under 2 s as JSON. The fillable PDF is a WeasyPrint layout of ~28 pages: reported.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from procurement_fixtures import GOOD, fill  # noqa: E402

from checker.catalog import load_catalog  # noqa: E402
from checker.procurement.compare import compare, load_bidder  # noqa: E402
from checker.procurement.compare_render import render  # noqa: E402
from checker.procurement.importer import import_answers  # noqa: E402
from checker.procurement.pdfform import write_pdf_form  # noqa: E402
from checker.procurement.workbook import write_xlsx  # noqa: E402


def timed(label: str, target: float | None, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    took = time.perf_counter() - start
    verdict = "" if target is None else (" OK" if took < target else " OVER")
    print(f"{label}: {took:.2f} s" + ("" if target is None else f" (target < {target:g} s){verdict}"))
    return out


def main() -> None:
    from datetime import date

    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        blank = timed("checklist --format xlsx (vendor, 83 questions)", 2.0,
                      lambda: write_xlsx(catalog, "vendor", "es"))
        (d / "blank.xlsx").write_bytes(blank)
        fill(d / "blank.xlsx", d / "good.xlsx", GOOD)
        done = timed("checklist import of a complete answer", 2.0,
                     lambda: import_answers(d / "good.xlsx", catalog, "es"))
        for i in range(10):
            (d / f"bid{i}.yaml").write_bytes(done.yaml.replace(b"name: Aula Segura", f"name: Oferta {i}".encode()))
        as_of = date(2026, 11, 20)

        def ten() -> bytes:
            views = [load_bidder(d / f"bid{i}.yaml", catalog, None, as_of, "es") for i in range(10)]
            return render(compare(views, catalog, knockout="high", lang="es"), "json")

        timed("compare of ten declarations, JSON", 2.0, ten)
        pdf = timed("checklist --format pdf (fillable form)", None, lambda: write_pdf_form(catalog, "vendor", "es"))
        print(f"  fillable PDF: {len(pdf) // 1024} KB")


if __name__ == "__main__":
    main()
