"""Terminal and CI-log sink (issue 17.6) and non-UTF-8 terminals (issue 15.1): declared text never
reaches stderr/stdout with escape sequences or line breaks of its own, and a terminal that is not
UTF-8 gets an ASCII transliteration, never a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.neutral import terminal, terminal_lines

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-catalog"


def run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, env=env, timeout=120)


def test_terminal_escapes_controls_and_newlines() -> None:
    assert terminal("a\x1b]0;pwned\x07b") == "a\\e]0;pwned\\x07b"
    assert terminal("x\n::error ::forged") == "x\\n::error ::forged"
    assert terminal("pdf\u202eexe") == "pdf\\u202eexe"
    assert terminal_lines("uno\ndos\x1b[2J") == "uno\ndos\\e[2J"


def _declaration(tmp_path: Path, name: str, extra: str = "") -> Path:
    decl = tmp_path / "d.yaml"
    decl.write_text("schema_version: 1\nprogram:\n"
                    f"  name: \"{name}\"\n  operator: SEP\n  operator_type: public_school\n  role: responsable\n"
                    + extra, encoding="utf-8")
    return decl


def test_summary_does_not_print_escapes_or_forged_lines(tmp_path: Path) -> None:
    decl = _declaration(tmp_path, "Escuela\\e]52;c;ZXZpbA==\\a\\n::error file=x::forged\\e[2J")
    proc = run("evaluate", str(decl), "--catalog", str(MINI))
    assert proc.returncode in (0, 1), proc.stderr
    out = proc.stdout.decode()
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith("::error") for line in out.splitlines())


def test_error_message_does_not_print_escapes_or_forged_lines(tmp_path: Path) -> None:
    decl = _declaration(tmp_path, "x", "systems:\n  - id: portal\n    hosting: {type: \"cloud\\e[2J\\n::error ::x\"}\n")
    proc = run("validate", str(decl))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "\x1b" not in err and not any(line.startswith("::error") for line in err.splitlines())


@pytest.mark.parametrize("env", [{"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "C", "PYTHONIOENCODING": "latin-1"}])
def test_non_utf8_terminal_gets_a_transliteration(tmp_path: Path, env: dict[str, str]) -> None:
    decl = _declaration(tmp_path, "Protección de niñas — Año ☃")
    proc = run("evaluate", str(decl), "--catalog", str(MINI), env_extra=env)
    assert proc.returncode in (0, 1), proc.stderr
    text = proc.stdout.decode("latin-1")
    assert "Traceback" not in proc.stderr.decode("latin-1")
    assert "Proteccion" in text or "Protección" in text
    bad = _declaration(tmp_path, "Año", "systems: [{id: 'Ñandú'}]\n")
    proc = run("validate", str(bad), env_extra=env)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
