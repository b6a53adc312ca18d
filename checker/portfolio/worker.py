"""One declaration -> the rows of one program. Runs in pool processes and on Dask workers, so
everything here is picklable and the catalog is loaded once per process."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from checker.errors import InputError, ToolError, UsageError
from checker.portfolio import adapter
from checker.portfolio.sources import Source


@dataclass(frozen=True)
class Settings:
    """What every program of a run is evaluated with."""

    catalog_dir: str | None = None
    as_of: date | None = None
    lang: str = "es"
    profile: str | None = None
    group_fields: tuple[str, ...] = ()   # declaration fields to group by, e.g. program.jurisdiction.state


@dataclass
class Program:
    """What one declaration gave: its rows for the Parquet files and its figures for the roll-up."""

    index: int
    path: str
    columns: dict[str, str]
    error: str | None = None
    name: str = ""
    operator_type: str = ""
    state: str = ""
    fields: dict[str, str] = field(default_factory=dict)   # the group_fields, as text
    score: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    domains: dict[str, float | None] = field(default_factory=dict)
    highest: str | None = None
    results: list[tuple[Any, ...]] = field(default_factory=list)
    findings: list[tuple[Any, ...]] = field(default_factory=list)


_CATALOGS: dict[str | None, Any] = {}


def catalog_for(settings: Settings) -> Any:
    """The catalog, loaded once per process (pool workers and Dask workers keep it between calls)."""
    if settings.catalog_dir not in _CATALOGS:
        from checker.catalog import load_catalog

        folder = Path(settings.catalog_dir) if settings.catalog_dir else None
        _CATALOGS[settings.catalog_dir] = load_catalog(folder, lang=settings.lang)
    return _CATALOGS[settings.catalog_dir]


def field_text(data: Any, dotted: str) -> str:
    """The declared value at `program.jurisdiction.state` as text ("" when absent)."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return ""
        node = node[part]
    if node is None or isinstance(node, dict | list):
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def evaluate_source(index: int, source: Source, settings: Settings) -> Program:
    """Evaluate one declaration; a bad one gives a Program with `error` set, never an exception."""
    from checker.api import evaluate_loaded
    from checker.validate import load_declaration

    program = Program(index=index, path=source.display, columns=dict(source.columns))
    try:
        loaded = load_declaration(Path(source.path), source.display, lang=settings.lang)
        doc = evaluate_loaded(loaded, as_of=settings.as_of, lang=settings.lang, profile=settings.profile,
                              catalog=catalog_for(settings))
    except (InputError, UsageError, ToolError) as exc:
        program.error = str(exc)
        return program
    except Exception as exc:  # noqa: BLE001 - one program's defect must not stop the batch
        program.error = f"{type(exc).__name__}: {exc}"
        return program
    program.name, program.operator_type, program.state = adapter.program_fields(doc)
    program.fields = {f: field_text(loaded.data, f) for f in settings.group_fields}
    program.score = adapter.score(doc)
    program.counts = adapter.status_counts(doc)
    program.domains = adapter.domain_scores(doc)
    program.highest = adapter.highest_failed_severity(doc)
    program.results = list(adapter.control_rows(doc))
    program.findings = list(adapter.finding_rows(doc))
    return program


# -- entry points for the engines (module-level functions pickle by name) ----------------------------
_SETTINGS: Settings | None = None


def init_process(settings: Settings) -> None:
    """Pool initializer: keep the settings and load the catalog before the first declaration."""
    global _SETTINGS
    _SETTINGS = settings
    gc.disable()  # a pool process only evaluates, then exits (see evaluate_partition)
    catalog_for(settings)


def evaluate_job(job: tuple[int, Source]) -> Program:
    assert _SETTINGS is not None, "init_process was not called"
    return evaluate_source(job[0], job[1], _SETTINGS)


def evaluate_partition(jobs: list[tuple[int, Source]], settings: Settings) -> list[Program]:
    """A Dask task: a few dozen declarations, evaluated in order.

    The cycle collector is paused meanwhile, as the CLI pauses it (an evaluation builds many small
    objects that are never cyclic garbage); the worker lives on, so it is resumed after.
    """
    gc.disable()
    try:
        return [evaluate_source(i, source, settings) for i, source in jobs]
    finally:
        gc.enable()
