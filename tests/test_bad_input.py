"""Each kind of bad declaration: exit 2, one message with file, line and column and a fix,
no traceback, and no output file, in Spanish by default and in English with `--lang en`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import GOOD, MINI, ROOT


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)  # no option means the default language, Spanish
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=60)


def lang_args(lang: str) -> list[str]:
    # Spanish is what a user gets without asking: test it without the option.
    return [] if lang == "es" else ["--lang", lang]


def evaluate_bad(tmp_path: Path, text: str | bytes, name: str = "decl.yaml",
                 lang: str = "es") -> tuple[subprocess.CompletedProcess[str], Path]:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    proc = run("evaluate", str(path), "--catalog", str(MINI), "-o", str(out), *lang_args(lang))
    return proc, out


# (name, declaration, line reported, what the English message says, what the Spanish one says)
CASES = [
    ("syntax", GOOD + "  - id: [unclosed\n", 11, "never closed", "no se cierra"),
    ("duplicate key", GOOD.replace("  operator: SEP\n", "  operator: SEP\n  operator: Otra\n"), 5,
     "duplicate key: 'operator'", "clave repetida: 'operator'"),
    ("unknown key", GOOD.replace("enabled: true", "enabld: true"), 10,
     "did you mean 'enabled'", "quiso decir 'enabled'"),
    ("bad enum", GOOD.replace("public_school", "public_scool"), 5,
     "did you mean 'public_school'", "quiso decir 'public_school'"),
    ("bad id", GOOD.replace("id: portal", "id: Portal_1"), 8, "not a valid id", "no es un id válido"),
    ("bad date", GOOD + "assessment: {date: 2026-13-40}\n", 11, "is not a date", "no es una fecha"),
    ("bad duration", GOOD + "    logging: {retention: 30 days}\n", 11, "is not an ISO 8601 duration",
     "no es una duración ISO 8601"),
    ("missing required", GOOD.replace("  role: responsable\n", ""), 2, "'role' is missing",
     "falta la clave obligatoria 'role'"),
    ("dangling reference", GOOD + "data_inventory:\n  - {id: curp, category: official_id, systems: [portl]}\n",
     12, "did you mean 'portal'", "quiso decir 'portal'"),
    ("duplicate id", GOOD + "  - id: portal\n", 11, "used twice", "se usa dos veces"),
    ("evidence outside folder", GOOD + "evidence:\n  - {id: e1, path: ../secret.pdf}\n", 12,
     "evidence path '../secret.pdf' leaves", "la ruta de evidencia '../secret.pdf' sale de la carpeta"),
    ("evidence absolute", GOOD + "evidence:\n  - {id: e1, path: /etc/passwd}\n", 12,
     "is absolute", "es absoluta"),
    ("evidence missing", GOOD + "evidence:\n  - {id: e1, path: evidence/none.pdf}\n", 12,
     "does not exist", "no existe el archivo de evidencia"),
    ("scan outside folder", GOOD + "scans:\n  - {id: s1, file: ../../scan.xml, vantage: external}\n", 12,
     "scan path '../../scan.xml' leaves", "la ruta de escaneo '../../scan.xml' sale de la carpeta"),
    ("waiver unknown control", GOOD + "waivers:\n  - {id: w1, control: ENC-99, reason: r, approved_by: a, "
     "approved_on: 2026-01-01, expires: 2026-06-01}\n", 12,
     "names control ENC-99, which the catalog does not have", "cita el control ENC-99, que no existe en el catálogo"),
    ("waiver too long", GOOD + "waivers:\n  - {id: w1, control: ENC-01, reason: r, approved_by: a, "
     "approved_on: 2026-01-01, expires: 2027-06-01}\n", 12, "more than one year", "más de un año"),
    ("python tag", GOOD + "x_note: !!python/object/apply:os.system ['touch /tmp/pwned']\n", 11,
     "YAML tag", "etiqueta YAML"),
    ("not a mapping", "- a\n- b\n", 1, "is a YAML mapping", "es un mapeo YAML"),
    ("encargado without controller", GOOD.replace("role: responsable", "role: encargado"), 6,
     "must name the responsable", "debe indicar el responsable"),
]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("name, text, line, needle_en, needle_es", CASES, ids=[c[0] for c in CASES])
def test_bad_declaration(tmp_path: Path, name: str, text: str, line: int, needle_en: str, needle_es: str,
                         lang: str) -> None:
    (tmp_path / "evidence").mkdir()
    proc, out = evaluate_bad(tmp_path, text, lang=lang)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.json.*"))
    first = proc.stderr.strip().splitlines()[0]
    m = re.search(r"decl\.yaml:(\d+):(\d+): ", first)
    assert m, first
    assert int(m.group(1)) == line, proc.stderr
    assert int(m.group(2)) >= 1, proc.stderr
    needle, other = (needle_es, needle_en) if lang == "es" else (needle_en, needle_es)
    assert needle.lower() in proc.stderr.lower(), proc.stderr
    assert other.lower() not in proc.stderr.lower(), proc.stderr  # the message is not the other language's
    assert "->" in proc.stderr  # a fix is suggested


def test_alias_bomb_refused_fast_even_in_notes(tmp_path: Path) -> None:
    bomb = ["x_bomb:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        bomb.append(f"  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    start = time.monotonic()
    proc, out = evaluate_bad(tmp_path, GOOD + "\n".join(bomb) + "\n")
    assert proc.returncode == 2 and "alias" in proc.stderr.lower()
    assert time.monotonic() - start < 30  # generous: the point is it does not hang or eat memory
    assert not out.exists()


def test_oversized_file_refused(tmp_path: Path) -> None:
    proc, out = evaluate_bad(tmp_path, GOOD + "x_padding: '" + "a" * (5 * 1024 * 1024) + "'\n")
    assert proc.returncode == 2 and "5 MB" in proc.stderr and not out.exists()


def test_not_utf8(tmp_path: Path) -> None:
    proc, out = evaluate_bad(tmp_path, GOOD.encode() + b"x_note: \xff\xfe\n")
    assert proc.returncode == 2 and "UTF-8" in proc.stderr and ":11" in proc.stderr


@pytest.mark.parametrize("lang, needle", [("es", "pasa de 64 niveles"), ("en", "deeper than 64 levels")])
def test_deep_nesting_refused(tmp_path: Path, lang: str, needle: str) -> None:
    proc, _ = evaluate_bad(tmp_path, GOOD + "x_deep: " + "[" * 200 + "]" * 200 + "\n", lang=lang)
    assert proc.returncode == 2 and needle in proc.stderr


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    proc = run("evaluate", str(tmp_path / "nope.yaml"), "--catalog", str(MINI))
    assert proc.returncode == 2 and "nope.yaml" in proc.stderr and "Traceback" not in proc.stderr
    assert "no se puede leer el archivo" in proc.stderr
    proc = run("evaluate", str(tmp_path / "nope.yaml"), "--catalog", str(MINI), "--lang", "en")
    assert proc.returncode == 2 and "cannot read the file" in proc.stderr
    # A folder where a file is expected is the user's mistake too (exit 2), not an internal error.
    (tmp_path / "folder.yaml").mkdir()
    proc = run("validate", str(tmp_path / "folder.yaml"), "--catalog", str(MINI))
    assert proc.returncode == 2 and "es una carpeta" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "d.yaml").write_text(GOOD)
    proc = run("evaluate", str(tmp_path / "d.yaml"), "--catalog", str(MINI), "--as-of", "ayer")
    assert proc.returncode == 2 and "--as-of" in proc.stderr
    proc = run("evaluate", str(tmp_path / "d.yaml"), "--catalog", str(MINI), "-o", str(tmp_path / "x.docx"))
    assert proc.returncode == 2 and not (tmp_path / "x.docx").exists()
    proc = run("evaluate", str(tmp_path / "d.yaml"), "--catalog", str(MINI), "-o", str(tmp_path / "no" / "x.json"))
    assert proc.returncode == 2 and "x.json" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("lang, needle", [("es", "a la categoría «datos de salud», que siempre es sensible"),
                                          ("en", "in the category “health data”, which is always sensitive")])
def test_x_notes_are_ignored_and_warning_for_sensitive_false(tmp_path: Path, lang: str, needle: str) -> None:
    text = GOOD + ("x_owner_notes: {anything: [1, 2]}\ndata_inventory:\n"
                   "  - {id: salud, category: health, sensitive: false, x_why: typo, systems: [portal]}\n")
    (tmp_path / "d.yaml").write_text(text)
    proc = run("validate", str(tmp_path / "d.yaml"), "--catalog", str(MINI), *lang_args(lang))
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"d\.yaml:13:\d+: ", proc.stderr), proc.stderr
    assert needle in proc.stderr


@pytest.mark.parametrize("lang, needle, raw", [("es", "se aloja fuera de la institución (nube)", "en cloud"),
                                               ("en", "hosted outside the institution (cloud)", "hosted in cloud")])
def test_hosting_without_country_names_the_hosting_in_words(tmp_path: Path, lang: str, needle: str, raw: str) -> None:
    text = GOOD.replace("systems:\n  - id: portal\n", "systems:\n  - id: portal\n    hosting: {type: cloud}\n", 1)
    assert text != GOOD
    (tmp_path / "d.yaml").write_text(text)
    proc = run("validate", str(tmp_path / "d.yaml"), "--catalog", str(MINI), *lang_args(lang))
    assert proc.returncode == 2 and needle in proc.stderr and raw not in proc.stderr, proc.stderr


def test_broken_catalog_is_located(tmp_path: Path) -> None:
    cat = tmp_path / "cat"
    cat.mkdir()
    for f in MINI.iterdir():
        (cat / f.name).write_text(f.read_text())
    text = (cat / "c.yaml").read_text().replace("severity: high", "severity: hihg", 1)
    (cat / "c.yaml").write_text(text)
    proc = run("catalog", "check", "--catalog", str(cat))
    assert proc.returncode == 2 and "c.yaml:" in proc.stderr and "Traceback" not in proc.stderr
    line = int(re.search(r"c\.yaml:(\d+):", proc.stderr).group(1))  # type: ignore[union-attr]
    assert "hihg" in text.splitlines()[line - 1]


def test_error_catalogs_match() -> None:
    """Every message exists in both languages with the same placeholders, so no user ever gets a
    bare key or a KeyError instead of a message."""
    import json
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    es = json.loads((ROOT / "checker" / "locales" / "errors.es.json").read_text(encoding="utf-8"))
    en = json.loads((ROOT / "checker" / "locales" / "errors.en.json").read_text(encoding="utf-8"))
    assert es.keys() == en.keys()
    for key in es:
        assert fields(es[key]) == fields(en[key]), key
        # An untranslated copy is a mistake, except the one text that is only placeholders.
        assert es[key] != en[key] or key == "detail", key
