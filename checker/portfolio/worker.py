"""One declaration -> the rows of one program; one partition of the portfolio -> its part files.

Runs in pool processes and on Dask workers, so everything here is picklable and the catalog is
loaded once per process.
"""

from __future__ import annotations

import gc
import os
import tempfile
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
    parquet_groups: tuple[str, ...] = ()  # the grouping columns of the Parquet files, in order


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
    written: bool = False   # its rows are already in a part file (see evaluate_partition)


NO_VALUE = ""   # a program with no value for a grouping (shown as "(sin valor)" / "(no value)")


def group_values(program: Program, groups: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Each grouping's value for a program: its manifest column, else the declaration field."""
    return {g: program.columns[g] if g in program.columns else program.fields.get(g, NO_VALUE) for g in groups}


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
        loaded = _load(source, settings.lang, load_declaration)
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


def _load(source: Source, lang: str, load: Any) -> Any:
    """The declaration from its path, or from the bytes sent with it (written to a private folder
    first, so that it goes through exactly the checks a file does; evidence it names by a relative
    path is then looked for beside it, where there is none: such declarations need a shared folder)."""
    if source.data is None:
        return load(Path(source.path), source.display, lang=lang)
    with tempfile.TemporaryDirectory(prefix="resguarda-") as folder:
        path = Path(folder) / (Path(source.display).name or "declaration.yaml")
        path.write_bytes(source.data)
        return load(path, source.display, lang=lang)


# -- entry points for the engines (module-level functions pickle by name) ----------------------------
_SETTINGS: Settings | None = None
_PARTS: tuple[str, str] | None = None


def init_process(settings: Settings, parts: tuple[str, str] | None = None) -> None:
    """Pool initializer: keep the settings and where parts go, and load the catalog before the first
    declaration."""
    global _SETTINGS, _PARTS
    _SETTINGS = settings
    _PARTS = parts
    gc.disable()  # a pool process only evaluates, then exits (see evaluate_partition)
    catalog_for(settings)


def partition_job(part: tuple[int, list[tuple[int, Source]]]) -> list[Program]:
    """A pool task: one partition, its part files written in this process."""
    assert _SETTINGS is not None, "init_process was not called"
    folder, probe = _PARTS if _PARTS is not None else (None, None)
    return evaluate_partition(part[0], part[1], _SETTINGS, folder, probe, collect=False)


def sees(probe: str) -> bool:
    """Whether this process sees the run's parts folder (the probe file the client left in it)."""
    return os.path.exists(probe)


def evaluate_partition(number: int, jobs: list[tuple[int, Source]], settings: Settings,
                       folder: str | None = None, probe: str | None = None, collect: bool = True) -> list[Program]:
    """A partition of the portfolio, evaluated in order.

    When `folder` (the run's parts folder inside OUTDIR) is visible here, which the `probe` file the
    client put there tells, this process writes the partition's part files itself and returns the
    programs without their findings rows (the roll-up needs only the per-control rows); otherwise
    the client writes them from what is returned. `collect`: resume the cycle collector after (a Dask
    worker lives on; a pool process keeps it paused, as the CLI does: an evaluation builds many small
    objects that are never cyclic garbage).
    """
    gc.disable()
    try:
        programs = [evaluate_source(i, source, settings) for i, source in jobs]
    finally:
        if collect:
            gc.enable()
    if folder is not None and probe is not None and sees(probe):
        from checker.portfolio.tables import write_part

        write_part(Path(folder), number, programs, list(settings.parquet_groups))
        for program in programs:
            program.findings = []
            program.written = True
    return programs
