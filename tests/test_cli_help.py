"""`--help` and argparse's own messages speak the user's language: Spanish unless asked."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from checker.cli import build_parser


def run(*args: str, env_lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RESGUARDA_LANG"}
    if env_lang:
        env["RESGUARDA_LANG"] = env_lang
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_top_help_is_spanish_by_default_and_english_on_request() -> None:
    es = run("--help")
    assert es.returncode == 0
    assert es.stdout.startswith("uso: resguarda")
    assert "opciones:" in es.stdout and "mostrar esta ayuda y salir" in es.stdout
    assert "evaluar una declaración contra el catálogo" in es.stdout
    assert "usage:" not in es.stdout and "show this help" not in es.stdout
    en = run("--help", "--lang", "en")
    assert en.stdout.startswith("usage: resguarda")
    assert "evaluate a declaration against the catalog" in en.stdout
    assert run("--help", env_lang="en").stdout == en.stdout


def test_evaluate_help_in_both_languages() -> None:
    es = run("evaluate", "--help").stdout
    assert "uso: resguarda evaluate" in es and "argumentos:" in es and "DECLARACION" in es
    assert "severidad mínima de una brecha" in es and "[-o ARCHIVO]" in es
    en = run("evaluate", "--help", "--lang", "en").stdout
    assert "usage: resguarda evaluate" in en and "lowest severity of a gap" in en and "[-o FILE]" in en
    assert "severidad" not in en


def test_parsing_errors_in_spanish_exit_2() -> None:
    bad = run("evaluat", "x.yaml")
    assert bad.returncode == 2
    assert "opción no válida: 'evaluat'" in bad.stderr and "elija entre" in bad.stderr
    missing = run("evaluate")
    assert missing.returncode == 2 and "faltan estos argumentos: DECLARACION" in missing.stderr
    en = run("evaluate", "--format", "foo", "x.yaml", "--lang", "en")
    assert "invalid choice: 'foo'" in en.stderr


def _all_actions(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.Action]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sp in action.choices.items():
                found.extend((f"{name} {a.dest}", a) for a in sp._actions)
        else:
            found.append((action.dest, action))
    return found


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_option_of_every_verb_has_help(lang: str) -> None:
    actions = _all_actions(build_parser(["--lang", lang]))
    assert len(actions) > 40
    missing = [name for name, a in actions if not a.help or a.help.startswith("help.")]
    assert missing == []


def test_help_texts_differ_between_languages() -> None:
    es = {n: a.help for n, a in _all_actions(build_parser(["--lang", "es"]))}
    en = {n: a.help for n, a in _all_actions(build_parser(["--lang", "en"]))}
    same = [n for n in es if es[n] == en.get(n)]
    assert same == []
    build_parser(["--lang", "es"])  # leave argparse in the default language for other tests


def _shown_metavars(lang: str) -> dict[str, str]:
    """What `--help` prints as the placeholder of every argument that takes a value."""
    shown = {}
    for name, a in _all_actions(build_parser(["--lang", lang])):
        if a.nargs == 0 or a.choices is not None or isinstance(a, argparse._SubParsersAction):
            continue
        meta = a.metavar if a.metavar is not None else (a.dest.upper() if a.option_strings else a.dest)
        shown[name] = meta if isinstance(meta, str) else " ".join(meta)
    return shown


def test_placeholders_are_in_the_language_of_the_help() -> None:
    es, en = _shown_metavars("es"), _shown_metavars("en")
    build_parser(["--lang", "es"])
    assert len(es) > 30 and es.keys() == en.keys()
    # Placeholders that are the same word in both languages (identifiers, numbers, URLs).
    neutral = {"ID", "N", "IDS", "URL"}
    same = sorted(f"{n}={es[n]}" for n in es if es[n] == en[n] and es[n] not in neutral)
    assert same == []
    english = {"FILE", "OUTPUT", "OUTDIR", "DIR", "REPORT.pdf", "SIGNED.pdf", "BID", "SEVERITY", "REASON",
               "LOCATION", "declaration", "RESULT.json", "EXISTING.docx", "COLUMN|FIELD"}
    assert sorted(n for n, m in es.items() if m in english) == []


def test_one_version_source() -> None:
    """The installed package, `--version` and the results all say checker.__version__."""
    import importlib.metadata

    from checker import __version__

    assert importlib.metadata.version("resguarda") == __version__
    assert run("--version").stdout.strip() == f"resguarda {__version__}"
