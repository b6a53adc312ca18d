"""The located loader on libyaml events: the same data and the same line and column as ruamel's
round-trip loader (the reference it replaced) on every YAML file of the project, and a clean,
located exit 2 for each hostile construct."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import HEAD
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor

from checker.errors import InputError
from checker.locations import load_yaml_file, load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(p for pattern in ("examples/*.yaml", "controls/*.yaml", "tests/data/**/*.yaml")
                    for p in ROOT.glob(pattern))


class _DatesAsText(RoundTripConstructor):
    pass


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def reference(text: str) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]]]:
    """What the round-trip loader reads, with the locations it records (the 1.0 loader's walk)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _DatesAsText
    tree = yaml.load(io.StringIO(text))
    where: dict[tuple[Any, ...], tuple[int, int]] = {(): (1, 1)}

    def plain(node: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(node, CommentedMap):
            out = {}
            for key in node:
                line, col = node.lc.key(key)
                where[path + (key,)] = (line + 1, col + 1)
                out[str(key)] = plain(node[key], path + (key,))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for i, item in enumerate(node):
                line, col = node.lc.item(i)
                where[path + (i,)] = (line + 1, col + 1)
                items.append(plain(item, path + (i,)))
            return items
        if isinstance(node, str):
            return str(node)
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return node

    return plain(tree, ()), where


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(ROOT)) for p in YAML_FILES])
def test_same_data_and_locations_as_round_trip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data, where = reference(text)
    located = load_yaml_file(path)
    assert located.data == data
    assert located.locations == where


SCALARS = """\
a: 1
b: -0x1F
c: 0o17
d: 017
e: 1_000
f: 1.5
g: .inf
h: -.INF
i: 1e3
j: true
k: True
l: yes
m: ~
n: null
o:
p: 2026-01-01
q: '12'
r: "true"
u: 0b101
v: +7
w: [1, 'x', {y: no}]
x: 12:30
"""


def test_scalars_read_as_yaml_1_2() -> None:
    data, where = reference(SCALARS)
    located = load_yaml_text(SCALARS, "s.yaml")
    assert located.locations == where
    assert located.data == data
    assert located.data["l"] == "yes" and located.data["d"] == 17 and located.data["p"] == "2026-01-01"
    # The round-trip loader kept explicitly tagged values as objects; they are plain values now.
    assert load_yaml_text('s: !!str 12\nt: !!int "42"\n', "t.yaml").data == {"s": "12", "t": 42}
    nan = load_yaml_text("a: .nan\n", "n.yaml").data["a"]
    assert math.isnan(nan)


def test_text_libyaml_refuses_is_read_by_the_pure_parser() -> None:
    text = "standards: [ISO/IEC 27001:2022]\nb: 2\n"
    located = load_yaml_text(text, "f.yaml")
    assert located.data == {"standards": ["ISO/IEC 27001:2022"], "b": 2}
    assert located.locations[("b",)] == (2, 1)


def refused(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "d.yaml", "en")
    return info.value


@pytest.mark.parametrize("text, line, col, needle", [
    ("a: 1\nb: <<\n<<: {c: 1}\n", 3, 1, "merge keys"),
    ("base: &b {c: 1}\nd:\n  <<: *b\n", 3, 3, "merge keys"),
    ("a: 1\nflag: !!bool quizas\n", 2, 7, "'quizas' is not valid for the YAML tag"),
    ("a: 1\nn: !!int abc\n", 2, 4, "'abc' is not valid"),
    ("a: !!python/object/apply:os.system ['true']\n", 1, 4, "YAML tag"),
    ("a: !!binary aGVsbG8=\n", 1, 4, "YAML tag"),
    ("a: !local x\n", 1, 4, "YAML tag"),
    ("a: !!map [1]\n", 1, 4, "YAML tag"),
    ('a: 1\nb: "\\U00110000"\n', 2, 7, "escape"),
    ("a: 1\nb: 99999999999999999999\n", 2, 4, "64-bit"),
    ("a: 1\nb: -9223372036854775809\n", 2, 4, "64-bit"),
    ("a: 1\nb: " + "9" * 5000 + "\n", 2, 4, "64-bit"),
    ("a: 1\nb: 0x" + "f" * 5000 + "\n", 2, 4, "64-bit"),
    ("a: 1\na: 2\n", 2, 1, "duplicate key: 'a' appears again with value '2' (first value: '1')"),
    ("a: {x: 1, x: [2]}\n", 1, 11, "duplicate key: 'x'"),
    ("1: a\n", 1, 1, "key 1 is not text"),
    ("? [a]\n: b\n", 1, 3, "is not text"),
    ("a: *nope\n", 1, 4, "undefined alias"),
    ("a: &x [*x]\n", 1, 8, "undefined alias"),
    ("a: 1\n---\nb: 2\n", 2, 1, "single document"),
    ("%YAML 1.1\n---\na: yes\n", 1, 1, "%YAML 1.1"),
    ("a: [unclosed\nb: 1\n", 1, 4, "never closed"),  # where the bracket opens (checker/yaml_errors.py)
])
def test_hostile_yaml_is_located(text: str, line: int, col: int, needle: str) -> None:
    err = refused(text)
    assert (err.line, err.column) == (line, col), str(err)
    assert needle in str(err), str(err)
    assert err.hint, str(err)


def test_spanish_messages() -> None:
    with pytest.raises(InputError) as info:
        load_yaml_text("a: 1\nb: 99999999999999999999\n", "d.yaml")
    assert "no cabe en un entero de 64 bits" in str(info.value)
    with pytest.raises(InputError) as info:
        load_yaml_text("a:\n  <<: {b: 1}\n", "d.yaml")
    assert "claves de combinación" in str(info.value)


def test_limits_kept() -> None:
    assert "64" in str(refused("a: " + "[" * 100 + "]" * 100 + "\n"))
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        bomb.append(f"l{i}: &l{i} [" + ", ".join([f"*{'a' if i == 1 else f'l{i - 1}'}"] * 10) + "]")
    assert re.search(r"more than .* values", str(refused("\n".join(bomb) + "\n")))
    assert load_yaml_text("a: &x {b: 1}\nc: *x\n", "ok.yaml").data == {"a": {"b": 1}, "c": {"b": 1}}


def test_prescan_linear_in_size() -> None:
    import time

    def cost(n: int) -> float:
        text = "".join(f"k{i}: [v{i}, {{a: {i}}}]\n" for i in range(n))
        start = time.perf_counter()
        load_yaml_text(text, "big.yaml")
        return time.perf_counter() - start

    small, large = min(cost(5_000) for _ in range(2)), min(cost(20_000) for _ in range(2))
    assert large < small * 8  # four times the text: about four times the time, never sixteen


GOOD = HEAD


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("extra, line, needle_es, needle_en", [
    ("x_base: &b {a: 1}\nx_other:\n  <<: *b\n", 9, "claves de combinación", "merge keys"),
    ("x_flag: !!bool quizas\n", 7, "no es válido para la etiqueta", "is not valid for the YAML tag"),
    ("x_n: !!int abc\n", 7, "no es válido para la etiqueta", "is not valid for the YAML tag"),
    ("x_big: 123456789012345678901234567890\n", 7, "64 bits", "64-bit"),
    ("x_huge: " + "7" * 5000 + "\n", 7, "64 bits", "64-bit"),
    ('x_esc: "\\U00110000"\n', 7, "escape", "escape"),
])
def test_cli_exit_2_located(tmp_path: Path, extra: str, line: int, needle_es: str, needle_en: str,
                            lang: str) -> None:
    import os
    import subprocess
    import sys

    decl = tmp_path / "decl.yaml"
    decl.write_text(GOOD + extra, encoding="utf-8")
    out = tmp_path / "out.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    proc = subprocess.run([sys.executable, "-m", "checker", "evaluate", str(decl), "-o", str(out),
                           "--catalog", str(ROOT / "tests" / "data" / "mini-catalog"), "--lang", lang],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
    assert re.search(rf"decl\.yaml:{line}:\d+: ", proc.stderr), proc.stderr
    assert (needle_es if lang == "es" else needle_en) in proc.stderr
    assert "->" in proc.stderr
