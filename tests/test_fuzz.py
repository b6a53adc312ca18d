"""Fuzzing the whole CLI path with Hypothesis (issue 15.4).

Property, for every generated input: the run ends with exit 0, 1 or 2, prints no traceback and no
"defecto de Resguarda" (exit 3), leaves no output file when it exits 2, and finishes within a time
bound. Inputs:
- documents built from the declaration model's own types, with out-of-range and wrong-typed values
  mixed in (random booleans, huge integers, text with controls and bidi characters where dates go);
- the example declarations' YAML text, mutated (slices cut or repeated, hostile tokens inserted);
- random nmap XML (the parser alone, and a few documents through `evaluate`);
- saved results with fields changed, given to `diff`.

Fast profile (default, in `make test`): a few dozen cases per property. `make fuzz` selects the
`fuzz` profile: 10,000 cases in all. Failing inputs found so far are kept below as `@example`s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import json
import os
import shutil
import sys
import time
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from checker.cli import main
from checker.declaration import Declaration
from checker.errors import InputError
from checker.scan.nmapxml import parse_bytes

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-catalog"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# A case that takes more CPU than this is a defect (a hang, a quadratic path), whatever its exit code.
# CPU time of this process, not wall time: the machine is shared and a stall is not the case's cost.
TIME_BOUND = 20.0

# The fuzz profile's counts add up to 10,000 cases over the five properties.
FUZZ_COUNTS = {"model": 3500, "mutated": 3000, "xml": 2500, "xml_cli": 300, "diff": 700}
# The fast profile (make test, CI) is derandomized: the same cases every run, so a red CI names a defect
# and not a draw; `make fuzz` explores with fresh random cases and prints the blob to replay a failure.
settings.register_profile("fast", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture])
settings.register_profile("fuzz", deadline=None, derandomize=False, print_blob=True,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fast")
settings.load_profile(PROFILE)


def _count(name: str) -> settings:
    if PROFILE == "fuzz":
        return settings(max_examples=FUZZ_COUNTS[name])
    return settings()


# -- running the CLI in-process --------------------------------------------------------------------
def cli(*args: str) -> tuple[int, str, str, float]:
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    stderr = io.TextIOWrapper(err, encoding="utf-8")
    started = time.process_time()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
    finally:
        gc.enable()  # main() switches the collector off for its (short) run
    elapsed = time.process_time() - started
    stdout.flush()
    stderr.flush()
    return code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"), elapsed


def assert_clean(code: int, err: str, elapsed: float, output: Path | None = None) -> None:
    assert code in (0, 1, 2), f"exit {code}: {err}"
    # the exit-3 sentence ("Es un defecto de Resguarda"), not a label such as "por defecto"
    assert "Traceback" not in err and "defecto de Resguarda" not in err, err
    assert elapsed < TIME_BOUND, f"{elapsed:.1f} s"
    if code == 2:
        assert err.strip(), "exit 2 without a message"
        if output is not None:
            assert not output.exists(), "an output file was left on exit 2"
            assert not list(output.parent.glob(f".{output.name}.*")), "a temporary file was left on exit 2"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the examples folder (evidence and scans included), so relative paths resolve."""
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder / "examples"


def evaluate_text(work: Path, text: str | bytes, *extra: str) -> None:
    decl = work / "fuzz.yaml"
    decl.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    out = work / "out.json"
    with contextlib.suppress(FileNotFoundError):
        out.unlink()
    code, _, err, elapsed = cli("evaluate", str(decl), "--format", "json", "-o", str(out), "--as-of", "2026-11-20",
                                *extra)
    assert_clean(code, err, elapsed, out)


# -- 1. documents from the model -------------------------------------------------------------------
HOSTILE_TEXT = st.sampled_from(["no", "off", "0", "yes", "\x1b[2J", "a\u202eb", "@org/team", "[x](https://e.x)",
                                "../../etc/passwd", "9999-12-31", "P999999999Y", "", " ", "\x00", "x" * 300,
                                "<script>", "1.2", "TLSv1.3"])
ANY_SCALAR = st.one_of(st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
                       st.text(max_size=12), HOSTILE_TEXT, st.none(), st.dates().map(str))


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _valid(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    annotation = _strip(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return st.one_of([_value(a, depth) for a in typing.get_args(annotation) if a is not type(None)])
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is list:
        return st.lists(_value(typing.get_args(annotation)[0], depth + 1), max_size=2)
    if origin is dict:
        return st.dictionaries(st.text(max_size=5), ANY_SCALAR, max_size=2)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, depth + 1)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(min_value=0, max_value=5000)
    if annotation is float:
        return st.floats(min_value=0, max_value=100)
    if annotation in (dt.date, dt.datetime):
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(str)
    if annotation is str:
        return st.one_of(st.sampled_from(["portal", "sep", "datos", "P30D", "P1Y", "MX", "MX-CMX", "1.2", "es"]),
                         st.from_regex(r"\A[a-z][a-z0-9-]{0,8}\Z"))
    return ANY_SCALAR


def _value(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    """Mostly valid values, sometimes a wrong type or an out-of-range value."""
    if depth > 5:
        return st.none()
    return st.one_of(_valid(annotation, depth), _valid(annotation, depth), _valid(annotation, depth), ANY_SCALAR)


def _model(model: type[BaseModel], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    required = {n: _value(f.annotation, depth) for n, f in model.model_fields.items() if f.is_required()}
    optional = {n: _value(f.annotation, depth) for n, f in model.model_fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


DOCUMENTS = _model(Declaration, 0)


@_count("model")
@given(doc=DOCUMENTS)
@example(doc={"schema_version": 1, "program": {"name": "x", "operator": "y", "operator_type": "public_school",
                                               "role": "responsable"},
              "incident_response": {"contacts": "no"}})
def test_documents_from_the_model(work: Path, doc: dict[str, Any]) -> None:
    evaluate_text(work, json.dumps(doc, ensure_ascii=False, default=str), "--catalog", str(MINI))


# -- 2. mutated example text ----------------------------------------------------------------------
TOKENS = ["!!bool quizas", "<<: *a", "&a ", "*a", "\x00", "\t", ": ", "- ", "{", "}", "[", "]", "'", '"', "\\U0011FFFF",
          "9" * 40, "0001-01-01", "9999-12-31", "P999999999Y", "~", "null", "\u202e", "\x1b[2J", "\n", "#", "---",
          "...", "? ", "|", ">", "%YAML 1.1\n", "!!python/object:os.system", "x_note: 1", "no", "0x1F", "1e999"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    path = draw(st.sampled_from(EXAMPLES))
    text = path.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "repeat", "replace_line"]))
        if kind == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6))) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=80)):]
        elif kind == "repeat":
            size = draw(st.integers(min_value=1, max_value=200))
            text = text[:at] + text[at:at + size] * draw(st.integers(min_value=2, max_value=3)) + text[at:]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            key = text[start:end].split(":", 1)[0]
            text = text[:start] + key + ": " + draw(st.sampled_from(TOKENS)) + text[end:]
    return path.name, text


def loader_crashes(text: str) -> bool:
    """The YAML loader alone (checker/locations.py, owned by the `portfolio` stream) fails with
    something other than a located InputError: a loader defect, tracked by the xfail cases in
    tests/test_boundary.py. Set RESGUARDA_FUZZ_LOADER=1 (after the portfolio loader is merged) to
    fuzz through such inputs too."""
    if os.environ.get("RESGUARDA_FUZZ_LOADER"):
        return False
    from checker.locations import load_yaml_text

    try:
        load_yaml_text(text, "fuzz.yaml")
    except InputError:
        return False
    except Exception:  # noqa: BLE001 - any other exception is the loader's defect
        return True
    return False


@_count("mutated")
@given(case=mutated())
def test_mutated_examples(work: Path, case: tuple[str, str]) -> None:
    _, text = case
    assume(not loader_crashes(text))
    evaluate_text(work, text)


# -- 3. nmap XML ---------------------------------------------------------------------------------------
ATTR_TEXT = st.one_of(st.sampled_from(["ssl", "http", "open", "closed", "up", "80", "443", "-1", "99999", "tcp",
                                       "ipv4", "10.0.0.1", "::1", "", "A", "F", "TLSv1.0", "2026-11-22",
                                       "1795324014", "&amp;", "&lt;"]),
                      st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters='<&"'),
                              max_size=8))
TAGS = ["host", "status", "address", "hostnames", "hostname", "ports", "port", "state", "service", "script",
        "table", "elem", "runstats", "finished", "hosts", "x"]
ATTRS = ["state", "addr", "addrtype", "name", "protocol", "portid", "tunnel", "method", "product", "id", "key",
         "output", "exit", "up", "down", "version", "start"]


def _element(depth: int) -> st.SearchStrategy[str]:
    children = st.lists(_element(depth + 1), max_size=3) if depth < 4 else st.just([])
    return st.builds(
        lambda tag, attrs, kids, text: f"<{tag}" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + ">"
        + text + "".join(kids) + f"</{tag}>",
        st.sampled_from(TAGS), st.dictionaries(st.sampled_from(ATTRS), ATTR_TEXT, max_size=4), children,
        st.sampled_from(["", "A", "F", "x", "TLSv1.2", "2026-01-01"]))


@st.composite
def nmap_documents(draw: st.DrawFn) -> bytes:
    prolog = draw(st.sampled_from(['<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n', '<?xml version="1.0"?>\n', "",
                                   '<!DOCTYPE nmaprun [<!ATTLIST service tunnel CDATA "ssl">]>\n',
                                   '<!DOCTYPE x [<!ENTITY e "lol">]>\n', "<!-- c -->\n"]))
    root = draw(st.sampled_from(["nmaprun", "nmaprun", "nmaprun", "other"]))
    body = "".join(draw(st.lists(_element(0), max_size=4)))
    doc = f'{prolog}<{root} scanner="nmap" start="{draw(ATTR_TEXT)}">{body}</{root}>'
    raw = doc.encode("utf-8")
    if draw(st.booleans()):  # then break it somewhere
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=6)) + raw[at + draw(st.integers(min_value=0, max_value=10)):]
    return raw


@_count("xml")
@given(data=nmap_documents())
def test_nmap_parser_alone(data: bytes) -> None:
    started = time.process_time()
    with contextlib.suppress(InputError):
        parse_bytes(data, "fuzz.xml", "es")
    assert time.process_time() - started < TIME_BOUND


SCAN_DECLARATION = """schema_version: 1
program: {name: Escuela, operator: SEP, operator_type: public_school, role: responsable}
systems:
  - id: portal
    hosts: [10.0.0.1]
scans:
  - id: externo
    file: fuzz-scan.xml
    vantage: external
"""


@_count("xml_cli")
@given(data=nmap_documents())
def test_nmap_through_evaluate(work: Path, data: bytes) -> None:
    (work / "fuzz-scan.xml").write_bytes(data)
    evaluate_text(work, SCAN_DECLARATION, "--catalog", str(MINI))


# -- 4. saved results, changed, through diff ------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(work: Path) -> dict[str, Any]:
    out = work / "base-result.json"
    code, _, err, _ = cli("evaluate", str(work / "ai-center.yaml"), "--format", "json", "-o", str(out),
                          "--as-of", "2026-11-20")
    assert code in (0, 1), err
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in list(value.items())[:12]:
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            found += _paths(v, (*prefix, i))
    return found


@_count("diff")
@given(data=st.data())
def test_diff_of_changed_results(work: Path, saved: dict[str, Any], data: st.DataObject) -> None:
    doc = json.loads(json.dumps(saved))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = data.draw(st.one_of(ANY_SCALAR, st.just({}), st.just([]), st.just([{}])))
    old = work / "old.json"
    old.write_text(json.dumps(saved), encoding="utf-8")
    new = work / "new.json"
    new.write_text(json.dumps(doc, default=str), encoding="utf-8")
    out = work / "diff.md"
    with contextlib.suppress(FileNotFoundError):
        out.unlink()
    code, _, err, elapsed = cli("diff", str(old), str(new), "--format", "md", "-o", str(out))
    assert_clean(code, err, elapsed, out)


def test_profile_counts_add_up() -> None:
    assert sum(FUZZ_COUNTS.values()) == 10_000
    assert sys.version_info >= (3, 11)
