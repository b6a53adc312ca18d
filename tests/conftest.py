"""Test lanes. `make test` runs everything; `make test-fast` leaves out the tests marked `slow`:
those that drive a real external engine for seconds (WeasyPrint PDFs, a Dask cluster, LibreOffice,
nmap against services started on 127.0.0.1, trestle, the wheel build, Hypothesis). The fast lane is
the engine, the catalog, validation, the CLI and the text exports: what to run while editing."""

from __future__ import annotations

import pytest

# Whole modules whose tests each start one of those engines.
SLOW_MODULES = frozenset({
    "test_audit", "test_checklist", "test_drafts", "test_export_oscal", "test_fuzz", "test_language_neutral",
    "test_portfolio", "test_portfolio_queries", "test_procurement", "test_report_bounds", "test_report_hostile",
    "test_report_pdf",
    "test_report_start", "test_scan_halves", "test_scan_live", "test_sign", "test_wheel",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
