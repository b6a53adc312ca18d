"""The library entry points: what the CLI calls, and what tests and other tools can call too.

Both evaluation functions return the typed result (`checker.result.ResultDocument`); `.to_dict()` gives
the JSON document of results.md as plain data, `.to_json()` its bytes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checker.catalog import Catalog, load_catalog
from checker.evaluate import Evaluator
from checker.result import ResultDocument
from checker.validate import LoadedDeclaration, load_declaration
from checker.view import as_of_default


def observe_scans(loaded: LoadedDeclaration, as_of: date) -> Any | None:
    """Parse the declaration's scans (imported only when it cites some: nmap code stays off the fast path)."""
    if not loaded.model.scans:
        return None
    from checker.scan.observed import ScanInput, observe

    scans = [ScanInput(id=s.id, file=s.file, vantage=s.vantage) for s in loaded.model.scans]
    systems = [(s.id, list(s.hosts or [])) for s in loaded.model.systems or []]
    return observe(scans, systems, as_of, loaded.base_dir)


def evaluate_loaded(loaded: LoadedDeclaration, *, as_of: date | None = None, lang: str = "es",
                    profile: str | None = None, catalog: Catalog | None = None) -> ResultDocument:
    catalog = catalog or load_catalog()
    when = as_of or as_of_default(loaded.model, date.today())
    observed = observe_scans(loaded, when)
    return Evaluator(loaded, catalog, as_of=when, lang=lang, profile=profile, observed=observed).document()


def evaluate_file(path: str | Path, as_of: date | str | None = None, lang: str = "es",
                  profile: str | None = None) -> ResultDocument:
    """Evaluate one declaration file; returns the typed result document (results.md)."""
    when = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    loaded = load_declaration(Path(path), str(path), lang=lang)
    return evaluate_loaded(loaded, as_of=when, lang=lang, profile=profile)
