"""A catalog's own test cases, kept beside its controls and run by `resguarda catalog test`.

Like policy tests beside the policies: `cases.yaml` in the catalog folder says, for each control, which
status it must reach on a declaration built for the case. A case starts from a base declaration (a
file named in `bases`, relative to `cases.yaml`), applies the presets it `use`s, then its own `set`,
`delete` and `append`, in that order, and states what it `expect`s. Paths are dotted keys; a list item
is named by its id or natural key in brackets, as in results (`systems[sis].authentication[staff+admins].mfa`,
`program.data_subjects[student].includes_minors`); `set` on a bracketed last step replaces that item.

Each declaration is written to a temporary folder and goes through the real loader and evaluator
(`checker.api.evaluator_for`): the same checks as `resguarda evaluate`, limited to the controls its
cases look at. A reviewer who edits a control runs the cases without Python or pytest; the project's
own suite runs the same file through this module (tests/test_catalog_controls.py).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from checker.catalog import Catalog
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, t
from checker.inputs import read_yaml_input
from checker.locations import Located
from checker.vocabulary import Status

CASES_FILE = "cases.yaml"
AREA = "catalog_cases"
# Besides an id, a list item may be named by these keys (data subjects by type, Llave MX attributes).
NATURAL_KEYS = ("type", "attribute")
_STEP = re.compile(r"^([a-z_][a-z0-9_]*)(?:\[([^\]]+)\])?$")


class Change(BaseModel):
    """What a case or a preset changes in its base declaration."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    set_: dict[str, Any] = Field(default_factory=dict, alias="set")
    delete: list[str] = Field(default_factory=list)
    append: dict[str, Any] = Field(default_factory=dict)


class Case(Change):
    expect: Status
    base: str | None = None
    use: list[str] = Field(default_factory=list)
    profile: str | None = None
    as_of: date | None = None


class CasesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_base: str
    bases: dict[str, str]
    presets: dict[str, Change] = Field(default_factory=dict)
    cases: dict[str, list[Case]]


@dataclass(frozen=True)
class CaseRun:
    control_id: str
    index: int                 # the case's place in its control's list, from 1
    expect: str
    got: str
    reasons: list[str]
    missing: list[str]
    line: int
    column: int

    @property
    def passed(self) -> bool:
        return self.got == self.expect


@dataclass
class CasesReport:
    file: str
    runs: list[CaseRun] = field(default_factory=list)
    without_cases: list[str] = field(default_factory=list)   # the catalog's controls no case looks at

    @property
    def failed(self) -> list[CaseRun]:
        return [r for r in self.runs if not r.passed]


# -- reading -------------------------------------------------------------------------------------
def load_cases(folder: Path, lang: str = DEFAULT_LANG) -> tuple[CasesFile, Located]:
    path = folder / CASES_FILE
    if not path.is_file():
        raise InputError(str(path), t(AREA, lang, "no_file"), None, None, t(AREA, lang, "no_file.hint"))
    located, _ = read_yaml_input(path, str(path), lang)
    try:
        return CasesFile.model_validate(located.data), located
    except ValidationError as exc:
        err = exc.errors()[0]
        line, column = _where(located, tuple(err["loc"]))
        where = ".".join(str(p) for p in err["loc"]) or "cases.yaml"
        raise InputError(str(path), t(AREA, lang, "invalid", field=where, detail=err["msg"]), line, column,
                         t(AREA, lang, "invalid.hint")) from None


def _where(located: Located, steps: tuple[Any, ...]) -> tuple[int, int]:
    # The deepest step the file has (pydantic may name a field that is missing).
    for end in range(len(steps), -1, -1):
        try:
            return located.where(steps[:end])
        except (KeyError, IndexError, TypeError):
            continue
    return 1, 1


# -- building a case's declaration ---------------------------------------------------------------
class _BadPath(ValueError):
    pass


def _steps(path: str) -> list[tuple[str, str | None]]:
    out = []
    for part in path.split("."):
        match = _STEP.match(part)
        if not match:
            raise _BadPath(path)
        out.append((match.group(1), match.group(2)))
    return out


def _item_index(items: Any, key: str, path: str) -> int:
    """Where in a list the item named `key` is: by id, natural key, or its audiences joined with '+'."""
    if not isinstance(items, list):
        raise _BadPath(path)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if item.get("id") == key or any(item.get(k) == key for k in NATURAL_KEYS):
            return i
        audiences = item.get("audiences")
        if isinstance(audiences, list) and "+".join(map(str, audiences)) == key:
            return i
    raise _BadPath(path)


def _parent(data: dict[str, Any], path: str) -> tuple[Any, str | int]:
    """The container holding the last step of `path`, and the key or index in it."""
    steps = _steps(path)
    node: Any = data
    for name, key in steps[:-1]:
        if not isinstance(node, dict):
            raise _BadPath(path)
        node = node.setdefault(name, {})
        if key is not None:
            node = node[_item_index(node, key, path)]
    name, key = steps[-1]
    if not isinstance(node, dict):
        raise _BadPath(path)
    if key is None:
        return node, name
    items = node.get(name)
    return items, _item_index(items, key, path)


def apply(data: dict[str, Any], change: Change) -> dict[str, Any]:
    """A copy of `data` with `change` made (`set`, then `delete`, then `append`); _BadPath names a path
    that the declaration does not have."""
    out = copy.deepcopy(data)
    for path, value in change.set_.items():
        container, key = _parent(out, path)
        container[key] = copy.deepcopy(value)
    for path in change.delete:
        container, key = _parent(out, path)
        try:
            del container[key]
        except (KeyError, IndexError):
            raise _BadPath(path) from None
    for path, value in change.append.items():
        container, key = _parent(out, path)
        target = container.get(key) if isinstance(container, dict) else container[key]
        if not isinstance(target, list):
            raise _BadPath(path)
        target.append(copy.deepcopy(value))
    return out


# -- running -------------------------------------------------------------------------------------
@dataclass
class _Declaration:
    base: str
    data: dict[str, Any]
    cases: list[tuple[str, int, Case]] = field(default_factory=list)


def run_cases(catalog: Catalog, folder: Path, lang: str = DEFAULT_LANG, only: str | None = None) -> CasesReport:
    """Every case of `folder/cases.yaml` (or only those of control `only`) through the real evaluator."""
    spec, located = load_cases(folder, lang)
    file = str(folder / CASES_FILE)
    wanted = [(cid, cases) for cid, cases in spec.cases.items() if only is None or cid == only]
    if only is not None and not wanted:
        raise InputError(file, t(AREA, lang, "no_cases_for", id=only), None, None, t(AREA, lang, "no_cases_for.hint"))
    report = CasesReport(file)
    report.without_cases = [c.id for c in catalog.controls if c.id not in spec.cases] if only is None else []
    groups = _group(spec, located, catalog, folder, file, wanted, lang)
    with tempfile.TemporaryDirectory(prefix="resguarda-cases-") as tmp:
        for number, group in enumerate(groups.values()):
            results = _evaluate(group, catalog, folder, spec, Path(tmp) / str(number), located, file, lang)
            for cid, index, case in group.cases:
                result = results[cid]
                line, column = _where(located, ("cases", cid, index))
                report.runs.append(CaseRun(cid, index + 1, case.expect, result["status"], result["reasons"],
                                           result["missing"], line, column))
    report.runs.sort(key=lambda r: (r.line, r.column))
    return report


def _group(spec: CasesFile, located: Located, catalog: Catalog, folder: Path, file: str,
           wanted: list[tuple[str, list[Case]]], lang: str) -> dict[str, _Declaration]:
    """The cases by the declaration they build (most `pass` cases share their base as it is)."""
    bases: dict[str, dict[str, Any]] = {}
    groups: dict[str, _Declaration] = {}
    for cid, cases in wanted:
        if catalog.get(cid) is None:
            line, column = _where(located, ("cases", cid))
            raise InputError(file, t(AREA, lang, "unknown_control", id=cid), line, column,
                             t(AREA, lang, "unknown_control.hint"))
        for index, case in enumerate(cases):
            where = _where(located, ("cases", cid, index))
            name = case.base or spec.default_base
            if name not in spec.bases:
                raise InputError(file, t(AREA, lang, "unknown_base", name=name), *where,
                                 t(AREA, lang, "unknown_base.hint", names=", ".join(spec.bases)))
            if name not in bases:
                bases[name] = _base(folder, spec.bases[name], file, located, name, lang)
            data = bases[name]
            try:
                for preset in case.use:
                    if preset not in spec.presets:
                        raise InputError(file, t(AREA, lang, "unknown_preset", name=preset), *where,
                                         t(AREA, lang, "unknown_preset.hint", names=", ".join(spec.presets)))
                    data = apply(data, spec.presets[preset])
                data = apply(data, case)
            except _BadPath as exc:
                raise InputError(file, t(AREA, lang, "bad_path", path=str(exc)), *where,
                                 t(AREA, lang, "bad_path.hint")) from None
            key = json.dumps([name, data, case.profile, case.as_of], sort_keys=True, default=str)
            groups.setdefault(key, _Declaration(name, data)).cases.append((cid, index, case))
    return groups


def _base(folder: Path, relative: str, file: str, located: Located, name: str, lang: str) -> dict[str, Any]:
    path = folder / relative
    base, _ = read_yaml_input(path, str(path), lang)
    if not isinstance(base.data, dict):
        line, column = _where(located, ("bases", name))
        raise InputError(file, t(AREA, lang, "bad_base", name=name), line, column, t(AREA, lang, "bad_base.hint"))
    data = copy.deepcopy(base.data)
    # Evidence files are hashed, never read for a status: a case leaves them out.
    data.pop("evidence", None)
    return data


def _scan_files(data: dict[str, Any]) -> Iterator[str]:
    for scan in data.get("scans") or []:
        if isinstance(scan, dict) and isinstance(scan.get("file"), str):
            yield scan["file"]


def _evaluate(group: _Declaration, catalog: Catalog, folder: Path, spec: CasesFile, tmp: Path, located: Located,
              file: str, lang: str) -> dict[str, dict[str, Any]]:
    from checker.api import evaluator_for
    from checker.validate import load_declaration

    tmp.mkdir(parents=True)
    base_dir = (folder / spec.bases[group.base]).parent
    # A scan file is read from beside the declaration: the base's scans go beside the case's copy.
    for name in _scan_files(group.data):
        source = base_dir / name
        if source.is_file() and not Path(name).is_absolute():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp / name)
    path = tmp / "case.yaml"
    path.write_text(json.dumps(group.data, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
    cid, index, case = group.cases[0]
    ids = {c for c, _, _ in group.cases}
    subset = Catalog(index=catalog.index, controls=[c for c in catalog.controls if c.id in ids],
                     sha256=catalog.sha256, locations=catalog.locations, folder=catalog.folder)
    try:
        loaded = load_declaration(path, path.name, lang)
        # The whole document, as `resguarda evaluate` makes it (waivers, attestations, audit included).
        doc = evaluator_for(loaded, as_of=case.as_of, lang=lang, profile=case.profile, catalog=subset).document()
    except InputError as exc:
        # The declaration is a temporary file: the place to fix is the case.
        line, column = _where(located, ("cases", cid, index))
        raise InputError(file, t(AREA, lang, "bad_declaration", id=cid, n=index + 1, error=exc.message),
                         line, column, t(AREA, lang, "bad_declaration.hint")) from None
    results = {r.control_id: {"status": r.status, "reasons": list(r.reasons), "missing": list(r.missing)}
               for r in doc.results}
    for cid, index, _ in group.cases:
        if cid not in results:
            # The control is not in the profile the case's declaration is judged under.
            line, column = _where(located, ("cases", cid, index))
            raise InputError(file, t(AREA, lang, "not_selected", id=cid, n=index + 1), line, column,
                             t(AREA, lang, "not_selected.hint"))
    return results


# -- the report ----------------------------------------------------------------------------------
def report_text(report: CasesReport, lang: str = DEFAULT_LANG) -> str:
    """What `resguarda catalog test` prints: each failing case where it is written, then the count."""
    from checker.neutral import terminal
    from checker.problems import count_text
    from checker.vocabulary import status_word

    lines: list[str] = []
    for run in report.failed:
        message = t(AREA, lang, "failed", id=run.control_id, n=run.index,
                    expect=status_word(run.expect, lang).lower(), got=status_word(run.got, lang).lower())
        lines.append(f"{terminal(report.file)}:{run.line}:{run.column}: {message}")
        lines += [f"  {t(AREA, lang, 'why')}: {terminal(reason)}" for reason in run.reasons[:3]]
        if run.missing:
            lines.append(f"  {t(AREA, lang, 'missing')}: {terminal(', '.join(run.missing))}")
    if report.without_cases:
        lines.append(t(AREA, lang, "without_cases", n=len(report.without_cases), ids=", ".join(report.without_cases)))
    cases = count_text(AREA, lang, "cases", len(report.runs))
    controls = count_text(AREA, lang, "controls", len({r.control_id for r in report.runs}))
    failed = len(report.failed)
    lines.append(t(AREA, lang, "summary", cases=cases, controls=controls, passed=len(report.runs) - failed,
                   failed=failed) if failed else t(AREA, lang, "summary.ok", cases=cases, controls=controls))
    return "\n".join(lines) + "\n"


def report_json(report: CasesReport) -> str:
    return json.dumps({
        "file": report.file,
        "cases": len(report.runs),
        "failed": [{"control_id": r.control_id, "case": r.index, "line": r.line, "column": r.column,
                    "expect": r.expect, "got": r.got, "reasons": r.reasons, "missing": r.missing}
                   for r in report.failed],
        "without_cases": report.without_cases,
    }, ensure_ascii=False, indent=2) + "\n"
