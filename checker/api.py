"""The library entry points: what the CLI calls, and what tests and other tools can call too.

`evaluate_file` and `evaluate_loaded` return the typed result (`checker.result.ResultDocument`);
`.to_dict()` gives the JSON document of results.md as plain data, `.to_json()` its bytes.
`evaluator_for` and `result_of` give the results one control at a time instead, for writing a large
result without holding it (checker/render/json_stream.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checker.audit import add_assurance, apply_audit, needs_audit_pass
from checker.catalog import Catalog, Control, load_catalog
from checker.durations import AS_OF_MAX, AS_OF_MIN, as_of_in_range
from checker.errors import InputError
from checker.evaluate import Evaluator
from checker.i18n import t
from checker.result import ControlResult, ResultDocument
from checker.validate import LoadedDeclaration, load_declaration
from checker.view import as_of_default


def observe_scans(loaded: LoadedDeclaration, as_of: date, lang: str = "es") -> Any | None:
    """Parse the declaration's scans (imported only when it cites some: nmap code stays off the fast path)."""
    if not loaded.model.scans:
        return None
    from checker.scan.observed import ScanInput, observe

    scans = [ScanInput(id=s.id, file=s.file, vantage=s.vantage) for s in loaded.model.scans]
    systems = [(s.id, list(s.hosts or [])) for s in loaded.model.systems or []]
    return observe(scans, systems, as_of, loaded.base_dir, lang)


def evaluator_for(loaded: LoadedDeclaration, *, as_of: date | None = None, lang: str = "es",
                  profile: str | None = None, catalog: Catalog | None = None) -> Evaluator:
    """The evaluator of one declaration (its scans read), ready to give results."""
    catalog = catalog or load_catalog()
    when = as_of or as_of_default(loaded.model, date.today())
    if not as_of_in_range(when):
        # Only a declared assessment date gets here (the CLI checks --as-of): say where it is.
        line, column = loaded.located.where(("assessment", "date"))
        raise InputError(loaded.display, t("integrity", lang, "as_of.out_of_range", value=when, low=AS_OF_MIN,
                                           high=AS_OF_MAX), line, column,
                         t("integrity", lang, "as_of.out_of_range.hint"))
    observed = observe_scans(loaded, when, lang)
    return Evaluator(loaded, catalog, as_of=when, lang=lang, profile=profile, observed=observed)


def evaluate_loaded(loaded: LoadedDeclaration, *, as_of: date | None = None, lang: str = "es",
                    profile: str | None = None, catalog: Catalog | None = None) -> ResultDocument:
    evaluator = evaluator_for(loaded, as_of=as_of, lang=lang, profile=profile, catalog=catalog)
    # Assurance, attestations, actions and the audit section (contract 1.1).
    audited: ResultDocument = apply_audit(evaluator.document(), loaded, evaluator.as_of, lang)
    return audited


def in_steps(loaded: LoadedDeclaration) -> bool:
    """Whether the declaration can be evaluated one control at a time (`result_of`): not when
    the auditor's fields are used, whose pass reads the whole document."""
    return not needs_audit_pass(loaded.model)


def result_of(evaluator: Evaluator, control: Control) -> ControlResult:
    """One control's result as `evaluate_loaded`'s document holds it, for a declaration where
    `in_steps` holds (each result stands alone: they can be made in any order, in any process)."""
    result = evaluator.control_result(control)
    add_assurance(result)
    return result


def evaluate_file(path: str | Path, as_of: date | str | None = None, lang: str = "es",
                  profile: str | None = None) -> ResultDocument:
    """Evaluate one declaration file; returns the typed result document (results.md)."""
    when = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    loaded = load_declaration(Path(path), str(path), lang=lang)
    return evaluate_loaded(loaded, as_of=when, lang=lang, profile=profile)
