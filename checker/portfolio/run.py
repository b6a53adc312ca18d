"""A whole portfolio run, as `resguarda portfolio` calls it.

Everything is written into a fresh folder inside OUTDIR and moved into place at the end, so a run
that stops leaves the previous outputs as they were, never half-written files.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import typing
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from checker.errors import InputError, UsageError
from checker.i18n import t
from checker.portfolio import engines
from checker.portfolio.rollup import Rollup, load_previous
from checker.portfolio.sources import Source, discover
from checker.portfolio.worker import Settings

# Exit codes (docs/cartera.md): every declaration evaluated; some could not be (listed in
# summary.json `errors`, outputs written all the same); bad command line or input, nothing written.
EXIT_OK, EXIT_SOME_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_FIELD = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*")


@dataclass
class Options:
    target: Path
    output: Path
    group_by: list[str] = field(default_factory=list)
    jobs: int = 0                   # 0: every core
    engine: str = "local"           # local | dask
    send: str = "path"              # dask: workers read declarations from their paths, or get their bytes
    scheduler: str | None = None
    previous: Path | None = None
    pdf: bool = False
    xlsx: bool = False
    lang: str = "es"
    catalog_dir: str | None = None
    as_of: date | None = None
    profile: str | None = None
    progress: bool = False
    reports: int = 15               # worst programs that get their own HTML report


@dataclass
class Outcome:
    summary: dict[str, Any]
    files: list[Path]
    seconds: float
    code: int


def _tr(lang: str, key: str, /, **values: Any) -> str:
    return t("portfolio", lang, key, **values)


def check_group_by(group_by: list[str], manifest_columns: list[str], lang: str) -> list[str]:
    """Grouping names: a manifest column, or a declaration field such as program.jurisdiction.state."""
    out: list[str] = []
    for name in group_by:
        name = name.strip()
        if name in manifest_columns:
            out.append(name)
            continue
        if not _FIELD.fullmatch(name) or not _declared_field(name):
            close = difflib.get_close_matches(name, manifest_columns + _field_names(), n=1, cutoff=0.6)
            hint = _tr(lang, "error.group_by.hint_close", close=close[0]) if close else \
                _tr(lang, "error.group_by.hint", columns=", ".join(manifest_columns) or "—")
            raise UsageError(_tr(lang, "error.group_by", name=name) + "\n  -> " + hint)
        out.append(name)
    return list(dict.fromkeys(out))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) is list:
        return []   # a field inside a list has many values per program: not a grouping
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _declared_field(dotted: str) -> bool:
    """Whether `program.jurisdiction.state` names a single-valued field of the declaration model."""
    from checker.declaration import Declaration

    models: list[type[BaseModel]] = [Declaration]
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        info = next((m.model_fields[part] for m in models if part in m.model_fields), None)
        if info is None:
            return False
        if _is_list(info.annotation):
            return False
        models = _models_in(info.annotation)
        if i < len(parts) - 1 and not models:
            return False
    return True


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list or any(_is_list(a) for a in typing.get_args(annotation))


def _field_names() -> list[str]:
    """Every single-valued declaration field two levels deep, for "did you mean"."""
    from checker.declaration import Declaration

    names = []
    for top, info in Declaration.model_fields.items():
        for model in _models_in(info.annotation):
            for sub, sub_info in model.model_fields.items():
                if _is_list(sub_info.annotation):
                    continue
                names.append(f"{top}.{sub}")
                for inner in _models_in(sub_info.annotation):
                    names.extend(f"{top}.{sub}.{leaf}" for leaf in inner.model_fields)
    return names


class Progress:
    """A one-line progress bar on a terminal; nothing at all in CI or when stderr is a file."""

    def __init__(self, total: int, enabled: bool, lang: str) -> None:
        self.total = total
        self.enabled = enabled
        self.lang = lang
        self.done = 0
        self.start = time.monotonic()
        self._last = 0.0

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2 and self.done < self.total:
            return
        self._last = now
        width = 30
        filled = int(width * self.done / max(1, self.total))
        rate = self.done / max(1e-6, now - self.start)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                         + _tr(self.lang, "progress.rate", rate=f"{rate:.0f}"))
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def progress_wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def run(options: Options) -> Outcome:
    lang = options.lang
    started = time.monotonic()
    from checker.portfolio.tables import reserved_columns

    sources, columns = discover(options.target, lang, reserved_columns())
    if not sources:
        raise InputError(str(options.target), _tr(lang, "error.empty"), hint=_tr(lang, "error.empty.hint"))
    group_by = check_group_by(options.group_by, columns, lang)
    group_fields = tuple(g for g in group_by if g not in columns)
    parquet_groups = columns + [g for g in group_fields if g not in columns]
    from checker.catalog import load_catalog

    catalog = load_catalog(Path(options.catalog_dir) if options.catalog_dir else None, lang=lang)
    previous = None
    if options.previous is not None:
        try:
            previous = load_previous(options.previous)
        except (OSError, ValueError) as exc:
            raise InputError(str(options.previous / "summary.json"), _tr(lang, "error.previous", error=exc),
                             hint=_tr(lang, "error.previous.hint")) from None
    out = options.output
    if out.exists() and not out.is_dir():
        raise InputError(str(out), _tr(lang, "error.output_not_folder"), hint=_tr(lang, "error.output.hint"))
    if not out.parent.is_dir():
        raise InputError(str(out), _tr(lang, "error.output_parent", folder=out.parent),
                         hint=_tr(lang, "error.output.hint"))
    out.mkdir(exist_ok=True)
    settings = Settings(catalog_dir=options.catalog_dir, as_of=options.as_of, lang=lang, profile=options.profile,
                        group_fields=group_fields, parquet_groups=tuple(parquet_groups))
    jobs = options.jobs or engines.default_jobs()
    work = Path(tempfile.mkdtemp(prefix=".resguarda-portfolio.", dir=out))
    try:
        summary = _evaluate_all(sources, settings, options, jobs, work, columns, parquet_groups, group_by,
                                catalog, previous)
        files = _publish(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    code = EXIT_SOME_FAILED if summary["errors"] else EXIT_OK
    return Outcome(summary=summary, files=files, seconds=time.monotonic() - started, code=code)


def _evaluate_all(sources: list[Source], settings: Settings, options: Options, jobs: int, work: Path,
                  columns: list[str], parquet_groups: list[str], group_by: list[str], catalog: Any,
                  previous: dict[str, Any] | None) -> dict[str, Any]:
    from checker.portfolio.tables import join_parts, write_part

    lang = options.lang
    rollup = Rollup(group_by, parquet_groups)
    progress = Progress(len(sources), options.progress, lang)
    # Part files go to a folder of the run inside OUTDIR; a process that sees the probe writes its
    # partitions' parts itself (pool processes always, Dask workers on a shared folder).
    folder = (work / "parts").resolve()
    folder.mkdir()
    probe = folder / f".probe-{uuid.uuid4().hex}"
    probe.touch()
    parts = engines.Parts(str(folder), str(probe))
    if options.engine == "dask":
        batches = engines.run_dask(sources, settings, jobs, options.scheduler, parts, options.send == "bytes")
    else:
        batches = engines.run_local(sources, settings, jobs, parts)
    count = 0
    largest = 1
    try:
        for programs in batches:
            for program in programs:
                rollup.add(program)
                progress.step()
            if not all(p.written for p in programs):
                write_part(folder, count, programs, parquet_groups)
            largest = max(largest, len(programs))
            count += 1
    finally:
        progress.close()
    join_parts(folder, work, count, largest, parquet_groups)
    shutil.rmtree(folder)
    meta = {"catalog": {"id": catalog.index.id, "version": catalog.index.version},
            "as_of": options.as_of.isoformat() if options.as_of else None, "lang": lang,
            "profile": options.profile, "engine": options.engine, "manifest_columns": columns}
    summary = rollup.summary(meta, previous)
    reports = _worst_reports(summary, sources, settings, work, options.reports)
    from checker.portfolio import page

    (work / "summary.json").write_bytes(json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
    html = page.render_html(page.page_view(summary, catalog, lang, reports))
    (work / "portfolio.html").write_bytes(html)
    if options.pdf:
        (work / "portfolio.pdf").write_bytes(page.render_pdf(html))
    if options.xlsx:
        (work / "portfolio.xlsx").write_bytes(page.render_xlsx(summary, catalog, lang))
    return summary


def _worst_reports(summary: dict[str, Any], sources: list[Source], settings: Settings, work: Path,
                   n: int) -> dict[str, str]:
    """The own HTML report of each of the worst programs (evaluated again: only a handful)."""
    from checker.portfolio.page import worst_programs
    from checker.portfolio.worker import catalog_for

    if n <= 0:
        return {}
    by_path = {s.display: s for s in sources}
    folder = work / "reports"
    folder.mkdir()
    links: dict[str, str] = {}
    from checker.api import evaluate_loaded
    from checker.render import RenderOptions, renderer_for
    from checker.validate import load_declaration

    for i, program in enumerate(worst_programs(summary, n), start=1):
        source = by_path[program["path"]]
        loaded = load_declaration(Path(source.path), source.display, lang=settings.lang)
        doc = evaluate_loaded(loaded, as_of=settings.as_of, lang=settings.lang, profile=settings.profile,
                              catalog=catalog_for(settings))
        name = f"{i:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', program['path'])[:80]}.html"
        (folder / name).write_bytes(renderer_for("html")(doc, RenderOptions(lang=settings.lang)))
        links[program["path"]] = f"reports/{name}"
    return links


def _publish(work: Path, out: Path) -> list[Path]:
    """Move the finished files into OUTDIR (replacing an earlier run's); returns what was written."""
    files: list[Path] = []
    old_reports = out / "reports"
    if (work / "reports").is_dir():
        if old_reports.is_dir():
            shutil.rmtree(old_reports)
        os.replace(work / "reports", old_reports)
        files.append(old_reports)
    for item in sorted(work.iterdir()):
        target = out / item.name
        os.replace(item, target)
        files.append(target)
    for stale in ("portfolio.pdf", "portfolio.xlsx"):
        # an earlier run's PDF or workbook would not match this run's figures
        if (out / stale) not in files:
            with contextlib.suppress(OSError):
                (out / stale).unlink()
    return files
