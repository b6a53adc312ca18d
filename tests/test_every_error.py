"""`validate` and `evaluate` report every problem of a file in one run, sorted by line, each with
its line and a fix built from what the owner meant ('Chiapas', 'tutor', 'sí', a misspelled id)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main

# Nine mistakes of seven kinds; the comment on each line names what is wrong there.
BAD = """\
schema_version: 1
program:
  name: Becas estatales
  operator: Secretaría de Educación de Chiapas
  operator_type: dependencia publica
  role: responsable
  jurisdiction: {level: state, state: Chiapas}
  data_subjects:
    - {type: tutor, includes_minors: sí}
    - {type: student, count: -3}
  launch_date: 2026-13-40
  lema: x
data_inventory:
  - id: fotos
    category: fotos
    systems: [portal_becas]
  - id: contacto
    category: contact
    systems: [portal-beca]
systems:
  - id: portal-becas
    hosting: {type: cloud}
"""

# line -> (Spanish fragment, English fragment) expected in the message or hint of that line
EXPECTED = {
    5: ("se escribe `public_agency`", "is written `public_agency`"),
    7: ("Chiapas se escribe `MX-CHP`", "Chiapas is written `MX-CHP`"),
    9: ("guardian", "guardian"),
    10: ("mayor o igual que 0", "greater than or equal to 0"),
    11: ("AAAA-MM-DD", "YYYY-MM-DD"),
    12: ("lema", "lema"),
    15: ("images", "images"),
    16: ("'portal-becas'", "'portal-becas'"),
    19: ("'portal-becas'", "'portal-becas'"),
    22: ("país", "country"),
}


def run(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    decl = tmp_path / "decl.yaml"
    decl.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "checker", *args, str(decl)], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_validate_reports_every_mistake_at_once(tmp_path: Path, lang: str) -> None:
    proc = run(tmp_path, BAD, "validate", "--lang", lang)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    err = proc.stderr.removeprefix("resguarda: ")
    header = err.strip().splitlines()[-1]
    assert (" problemas en total" if lang == "es" else " problems in all") in header
    lines = [int(m) for m in re.findall(r"decl\.yaml:(\d+):\d+: ", err)]
    assert lines == sorted(lines), "sorted by line"
    blocks = re.split(r"\n(?=\S*decl\.yaml:\d+:\d+: )", err)
    by_line: dict[int, str] = {}
    for block in blocks:
        m = re.match(r"\S*decl\.yaml:(\d+):\d+: ", block)
        if m:
            by_line[int(m.group(1))] = by_line.get(int(m.group(1)), "") + block
    for line, (es, en) in EXPECTED.items():
        assert line in by_line, f"no problem reported on line {line}:\n{err}"
        assert (es if lang == "es" else en) in by_line[line], by_line[line]
    # the 'sí' on line 9 gets its own hint, beside the 'tutor' one
    assert "true" in by_line[9]
    if lang == "es":
        assert "`tutor`" not in err and "should be" not in err  # Spanish only, pydantic's words gone


def test_evaluate_reports_them_all_too_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = run(tmp_path, BAD, "evaluate", "-o", str(out))
    assert proc.returncode == 2
    assert len(re.findall(r"decl\.yaml:\d+:\d+: ", proc.stderr)) >= len(EXPECTED)
    assert not out.exists()


def test_one_problem_has_no_header(tmp_path: Path) -> None:
    text = "schema_version: 1\nprogram: {name: a, operator: b, operator_type: public_school, role: tutor}\n"
    proc = run(tmp_path, text, "validate")
    assert proc.returncode == 2
    assert proc.stderr.count("decl.yaml:") == 1 and "problemas" not in proc.stderr


def test_valid_declaration_speaks_in_correct_plurals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("schema_version: 1\nprogram: {name: a, operator: b, operator_type: public_school, role: responsable}\n"
            "systems: [{id: portal}]\ndata_inventory: [{id: a, category: contact}, {id: b, category: academic}]\n")
    decl = tmp_path / "d.yaml"
    decl.write_text(text, encoding="utf-8")
    assert main(["validate", str(decl)]) == 0
    assert "(1 sistema, 2 categorías de datos)" in capsys.readouterr().out
    assert main(["validate", str(decl), "--lang", "en"]) == 0
    assert "(1 system, 2 data categories)" in capsys.readouterr().out


SYNTAX = [
    ("tab", "program:\n\tname: x\n\toperator: y\n", 2, "tabuladores (líneas 3, 4)", "tab characters"),
    ("indentation", "program:\n  name: x\n operator: y\n", 3, "sangría", "indentation"),
    ("missing colon", "program:\n  name x\n  operator: y\n", 2, "a la clave 'name' le faltan los dos puntos",
     "the key 'name' lacks its colon"),
    ("unquoted colon", "program:\n  name: Horario: 8 a 14\n", 2, "comillas: \"Horario: 8 a 14\"",
     "quotes: \"Horario: 8 a 14\""),
    ("dash", "systems:\n  -id: a\n  - id: b\n", 2, "espacio después del guion", "space is missing after"),
]


@pytest.mark.parametrize("name, text, line, es, en", SYNTAX, ids=[c[0] for c in SYNTAX])
def test_yaml_syntax_errors_name_the_usual_cause(tmp_path: Path, name: str, text: str, line: int, es: str,
                                                 en: str) -> None:
    for lang, needle in (("es", es), ("en", en)):
        proc = run(tmp_path, "schema_version: 1\n" + text, "validate", "--lang", lang)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        m = re.search(r"decl\.yaml:(\d+):\d+: ", proc.stderr)
        assert m and int(m.group(1)) == line + 1, proc.stderr
        assert needle in proc.stderr, proc.stderr
        if lang == "es":
            assert "expected" not in proc.stderr and "found" not in proc.stderr
