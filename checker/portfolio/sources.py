"""Which declarations a portfolio holds: every YAML file under a folder, or the rows of a manifest.

A manifest is a CSV file (UTF-8) with a `path` column (relative to the manifest's folder) and any
other columns, which become grouping columns (state, level, operator...). Problems with the manifest
itself are the user's to fix before anything runs: a located InputError (file, line, column).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import InputError
from checker.i18n import t
from checker.inputs import decode_utf8

MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_PATTERNS = ("*.yaml", "*.yml")


@dataclass(frozen=True)
class Source:
    """One declaration: where it is, the name shown for it, and its manifest columns. `data` holds its
    bytes when they are sent to the workers (`--send bytes`) instead of read there from `path`."""

    path: str
    display: str
    columns: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None


def _tr(lang: str, key: str, /, **values: object) -> str:
    return t("portfolio", lang, key, **values)


def discover(target: Path, lang: str,
             reserved: set[str] | frozenset[str] = frozenset()) -> tuple[list[Source], list[str]]:
    """The declarations of `target` (a folder or a manifest CSV) and the manifest's grouping columns
    (none of them named as one of the `reserved` columns of the results)."""
    if target.is_dir():
        return _folder(target, lang), []
    if target.is_file() and target.suffix.lower() == ".csv":
        return _manifest(target, lang, reserved)
    raise InputError(str(target), _tr(lang, "error.target"), hint=_tr(lang, "error.target.hint"))


def _folder(root: Path, lang: str) -> list[Source]:
    found = sorted({p for pattern in _PATTERNS for p in root.rglob(pattern) if p.is_file()})
    base = root.resolve()
    for p in found:
        if not _inside(base, p):
            raise InputError(str(p), _tr(lang, "error.outside_link", target=str(p.resolve())),
                             hint=_tr(lang, "error.outside.hint"))
    return [Source(path=str(p), display=p.relative_to(root).as_posix()) for p in found]


def _inside(base: Path, path: Path) -> bool:
    """Whether `path`, links followed, is in the folder `base` (resolved). A portfolio reads only what
    its folder or manifest holds: a path or link to elsewhere (`/etc/shadow`, a key file) would put
    that file's lines into the error messages of summary.json and the page, which go up the chain."""
    return path.resolve().is_relative_to(base)


def _manifest(path: Path, lang: str, reserved: set[str] | frozenset[str]) -> tuple[list[Source], list[str]]:
    name = str(path)
    raw = path.read_bytes()
    if len(raw) > MAX_MANIFEST_BYTES:
        raise InputError(name, _tr(lang, "error.manifest_size", mb=MAX_MANIFEST_BYTES // (1024 * 1024)),
                         hint=_tr(lang, "error.manifest_size.hint"))
    text = decode_utf8(raw, name, lang, _tr(lang, "error.manifest_utf8"), _tr(lang, "error.manifest_utf8.hint"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(name, _tr(lang, "error.manifest_empty"), 1, 1,
                         _tr(lang, "error.manifest_no_path.hint")) from None
    header = [h.strip() for h in header]
    if "path" not in header:
        raise InputError(name, _tr(lang, "error.manifest_no_path", columns=", ".join(header)), 1, 1,
                         _tr(lang, "error.manifest_no_path.hint"))
    for i, column in enumerate(header):
        if not column or header.index(column) != i:
            raise InputError(name, _tr(lang, "error.manifest_column", column=column), 1, i + 1,
                             _tr(lang, "error.manifest_column.hint"))
        if column != "path" and column in reserved:
            raise InputError(name, _tr(lang, "error.manifest_reserved", column=column), 1, i + 1,
                             _tr(lang, "error.manifest_reserved.hint"))
    at = header.index("path")
    groups = [h for h in header if h != "path"]
    base = path.resolve().parent
    sources: list[Source] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(name, _tr(lang, "error.manifest_row", n=len(row), expected=len(header)), line, 1,
                                 _tr(lang, "error.manifest_row.hint"))
            rel = row[at].strip()
            if not rel:
                raise InputError(name, _tr(lang, "error.manifest_blank_path"), line, 1,
                                 _tr(lang, "error.manifest_blank_path.hint"))
            full = Path(rel) if Path(rel).is_absolute() else base / rel
            if not _inside(base, full):
                raise InputError(name, _tr(lang, "error.manifest_outside", path=rel), line, 1,
                                 _tr(lang, "error.outside.hint"))
            columns = {h: row[i].strip() for i, h in enumerate(header) if h != "path"}
            sources.append(Source(path=str(full), display=rel, columns=columns))
    except csv.Error as exc:
        raise InputError(name, _tr(lang, "error.manifest_csv", error=exc), reader.line_num, None,
                         _tr(lang, "error.manifest_row.hint")) from None
    return sources, groups
