"""The Parquet layout of a portfolio (docs/cartera.md) and a writer that streams it.

Rows are buffered for a few hundred programs, then written as one row group: memory stays flat
however many programs the portfolio holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from checker.portfolio.adapter import STATUSES
from checker.portfolio.worker import Program

FLUSH_EVERY = 512  # programs per row group

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


class TableWriter:
    """results.parquet and findings.parquet, written as programs arrive."""

    def __init__(self, folder: Path, groups: list[str]) -> None:
        self.groups = groups
        self.results_schema = results_schema(groups)
        self.findings_schema = findings_schema()
        self.paths = (folder / "results.parquet", folder / "findings.parquet")
        self._results = pq.ParquetWriter(self.paths[0], self.results_schema, compression="zstd")
        self._findings = pq.ParquetWriter(self.paths[1], self.findings_schema, compression="zstd")
        self._result_rows: list[tuple[Any, ...]] = []
        self._finding_rows: list[tuple[Any, ...]] = []
        self._pending = 0

    def add(self, program: Program, group_values: dict[str, str]) -> None:
        if program.error is not None:
            return
        head = (program.path, program.name, program.operator_type, program.state,
                *(group_values.get(g, "") for g in self.groups), program.score)
        self._result_rows.extend(head + row for row in program.results)
        self._finding_rows.extend((program.path, *row) for row in program.findings)
        self._pending += 1
        if self._pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._result_rows:
            self._results.write_table(_table(self._result_rows, self.results_schema))
        if self._finding_rows:
            self._findings.write_table(_table(self._finding_rows, self.findings_schema))
        self._result_rows, self._finding_rows, self._pending = [], [], 0

    def close(self) -> None:
        self.flush()
        self._results.close()
        self._findings.close()


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
                                schema=schema)
