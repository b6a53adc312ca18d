"""The Parquet layout of a portfolio (docs/cartera.md), written in parts and joined at the end.

Whoever evaluated a partition of the portfolio (a pool process, a Dask worker that sees OUTDIR, or
else the client) writes that partition's rows as one part file of each table; the client then joins
the parts, in partition order, into `results.parquet` and `findings.parquet`. Only one partition's
rows are in memory in any process, however many programs the portfolio holds, and the files are the
same whichever engine ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from checker.portfolio.adapter import STATUSES
from checker.portfolio.worker import Program, group_values

JOIN_EVERY = 512  # programs per row group of the joined files (parts of fewer are joined together)

_STRING = pa.string()


FIXED_HEAD = [pa.field("path", _STRING, nullable=False), pa.field("program_name", _STRING),
              pa.field("operator_type", _STRING), pa.field("jurisdiction_state", _STRING)]


def program_columns(groups: list[str]) -> list[pa.Field]:
    """The columns that say which program a row belongs to (repeated on each of its rows)."""
    return FIXED_HEAD + [pa.field(g, _STRING) for g in groups] + [pa.field("score", pa.float64())]


def results_schema(groups: list[str]) -> pa.Schema:
    return pa.schema(program_columns(groups) + [
        pa.field("control_id", _STRING, nullable=False), pa.field("domain", _STRING),
        pa.field("severity", _STRING), pa.field("status", _STRING),
        *[pa.field(f"subjects_{s}", pa.int32()) for s in STATUSES]])


def findings_schema() -> pa.Schema:
    return pa.schema([
        pa.field("path", _STRING, nullable=False), pa.field("control_id", _STRING, nullable=False),
        pa.field("domain", _STRING), pa.field("severity", _STRING), pa.field("status", _STRING),
        pa.field("subject_kind", _STRING), pa.field("subject_id", _STRING), pa.field("code", _STRING),
        pa.field("field", _STRING), pa.field("line", pa.int32()), pa.field("column", pa.int32()),
        pa.field("reason", _STRING)])


def reserved_columns() -> set[str]:
    """Column names of the layout itself: a manifest column may not take one of them."""
    return set(results_schema([]).names) | set(findings_schema().names)


def part_paths(folder: Path, number: int) -> tuple[Path, Path]:
    return folder / f"results-{number:06d}.parquet", folder / f"findings-{number:06d}.parquet"


def write_part(folder: Path, number: int, programs: list[Program], groups: list[str]) -> None:
    """The rows of one partition's programs as part `number` of each table (written whole: a part
    file is either complete or absent)."""
    result_rows: list[tuple[Any, ...]] = []
    finding_rows: list[tuple[Any, ...]] = []
    for program in programs:
        if program.error is not None:
            continue
        values = group_values(program, groups)
        head = (program.path, program.name, program.operator_type, program.state,
                *(values.get(g, "") for g in groups), program.score)
        result_rows.extend(head + row for row in program.results)
        finding_rows.extend((program.path, *row) for row in program.findings)
    for path, rows, schema in zip(part_paths(folder, number), (result_rows, finding_rows),
                                  (results_schema(groups), findings_schema()), strict=True):
        tmp = path.with_name(path.name + ".part")
        pq.write_table(_table(rows, schema), tmp, compression="zstd")
        tmp.replace(path)


def join_parts(parts: Path, folder: Path, count: int, programs_per_part: int, groups: list[str]) -> list[Path]:
    """`results.parquet` and `findings.parquet` in `folder` from parts 0..count-1 of `parts`, in order."""
    per_group = max(1, JOIN_EVERY // max(1, programs_per_part))
    out: list[Path] = []
    for kind, schema in (("results", results_schema(groups)), ("findings", findings_schema())):
        target = folder / f"{kind}.parquet"
        with pq.ParquetWriter(target, schema, compression="zstd") as writer:
            batch: list[pa.Table] = []
            for number in range(count):
                path = part_paths(parts, number)[0 if kind == "results" else 1]
                batch.append(pq.read_table(path, schema=schema))
                if len(batch) >= per_group:
                    writer.write_table(pa.concat_tables(batch))
                    batch = []
            if batch or count == 0:
                writer.write_table(pa.concat_tables(batch) if batch else schema.empty_table())
        out.append(target)
    return out


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    if not rows:
        return schema.empty_table()
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
                                schema=schema)
