"""Language-neutral results: a saved result renders in either language exactly as evaluating in that
language does, and no output mixes languages (issue 9, "Done when").

The word lists are built from the product's own vocabulary: the rule words, labels and enum values of
one language that the other language never uses. Declaration text (names, descriptions, reasons the
owner wrote) is the owner's and may be in any language, so its words are allowed; technical references
(code spans, paths, locations, fingerprints, the contract's codes) are left out of the check.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import typing
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from checker import declaration as decl_models
from checker.api import evaluate_file
from checker.render import RenderOptions, renderer_for
from checker.result import ResultDocument

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "checker" / "locales"
EXAMPLES = ("well-run-school", "vendor-review", "minimal", "ai-center")
AS_OF = "2026-11-20"
_WORD = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*", re.UNICODE)
_CODE = re.compile(r"(`+)(.+?)\1")
_URL = re.compile(r"https?://\S+")
# Rule words of each language that must never reach the other one.
ENGLISH_RULE_WORDS = {"required", "declared", "true", "false", "pass", "fail", "partial", "unknown", "waived",
                      "undecided", "applicable", "missing", "least", "most", "observed", "scan", "stale"}
SPANISH_RULE_WORDS = {"requiere", "declarar", "declarado", "cumple", "aplica", "decidir", "excepción", "falta",
                      "observado", "escaneo", "sí", "ninguno", "programa"}


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("RESGUARDA_LANG", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, cwd=cwd, env=env,
                          timeout=300)


_CONTROL_ID = re.compile(r"\b[A-Z]{2,5}-\d{2,3}\b")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(_CONTROL_ID.sub(" ", text))}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@cache
def _locale_words(lang: str) -> set[str]:
    words: set[str] = set()
    for path in LOCALES.glob(f"*.{lang}.json"):
        words |= _words(" ".join(_strings(json.loads(path.read_text(encoding="utf-8")))))
    return words


@cache
def _catalog_words(lang: str) -> set[str]:
    from checker.catalog import load_catalog

    catalog = load_catalog()
    texts = [catalog.index.name.get(lang)]
    for c in catalog.controls:
        texts += [c.title.get(lang), c.statement.get(lang), c.remediation.get(lang), c.evidence.get(lang)]
        texts += [c.owner_role.get(lang)] if c.owner_role else []
        texts += [c.not_applicable.get(lang)] if c.not_applicable else []
        texts += [r.citation(lang) for r in c.legal_refs] + [r.note.get(lang) for r in c.legal_refs if r.note]
        # `previous` (the article in the repealed law) is one text, not one per language: a catalog
        # note such as "(ante el INAI, hoy extinto)" shows in English too until the catalog splits it.
        texts += [r.previous for r in c.legal_refs if r.previous]
    return _words(_CODE.sub(" ", " ".join(texts)))


def _enum_values() -> set[str]:
    values: set[str] = set()

    def walk(t: Any) -> None:
        if typing.get_origin(t) is typing.Literal:
            values.update(str(a) for a in typing.get_args(t) if isinstance(a, str))
        for a in typing.get_args(t):
            walk(a)

    for model in vars(decl_models).values():
        if isinstance(model, type) and hasattr(model, "model_fields"):
            for f in model.model_fields.values():
                walk(f.annotation)
    return {v.lower() for v in values}


def _declared_words(name: str) -> set[str]:
    # The owner's text, the file's own name, and what the scans it cites saw (certificate names...).
    words = _words((ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8")) | _words(name)
    for scan in (ROOT / "examples" / "scans").glob("*.xml"):
        words |= _words(scan.read_text(encoding="utf-8"))
    return words


def forbidden(output_lang: str, name: str) -> set[str]:
    """Words of the other language that this output must not contain."""
    if output_lang == "es":
        candidates = ENGLISH_RULE_WORDS | _enum_values() | (_locale_words("en") - _locale_words("es"))
        allowed = _locale_words("es") | _catalog_words("es")
    else:
        candidates = SPANISH_RULE_WORDS | (_locale_words("es") - _locale_words("en"))
        allowed = _locale_words("en") | _catalog_words("en")
    from checker.i18n import _MONTHS, _MONTHS_SHORT  # dates are written in the output's language

    allowed |= _words(" ".join(_MONTHS[output_lang] + _MONTHS_SHORT[output_lang]))
    return {w for w in candidates - allowed - _declared_words(name) if len(w) > 2 or "_" in w}


# -- the prose of each output (technical references left out) -------------------------------------
def prose_md(data: bytes) -> str:
    return _URL.sub(" ", _CODE.sub(" ", data.decode("utf-8"))).replace("\\", "")


def prose_csv(data: bytes) -> str:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    header = list(rows[0].keys()) if rows else []
    text_columns = [header[i] for i in (1, 9, 10, 15, 16)]   # title, legal refs, reasons, remediation, waiver
    return _CODE.sub(" ", " ".join(" ".join(h for h in header) + " " + " ".join(r[c] for c in text_columns)
                                   for r in rows))


def prose_sarif(data: bytes) -> str:
    run_ = json.loads(data)["runs"][0]
    texts = [r["message"]["text"] for r in run_["results"]]
    for rule in run_["tool"]["driver"]["rules"]:
        texts += [rule["shortDescription"]["text"], rule["help"]["text"]]
    return _URL.sub(" ", _CODE.sub(" ", " ".join(texts)))


def prose_junit(data: bytes) -> str:
    root = ET.fromstring(data)
    texts = []
    for el in root.iter():
        if el.tag == "testsuite":
            texts.append(el.get("name") or "")
        if el.tag == "testcase":
            texts.append((el.get("name") or "").split(" [")[0])
        if el.tag in ("failure", "skipped"):
            texts.append(el.get("message") or "")
            texts += [line for line in (el.text or "").splitlines() if " @ " not in line]
    return _CODE.sub(" ", " ".join(texts))


def prose_html(data: bytes) -> str:
    import html as html_lib

    text = data.decode("utf-8").replace("\u200b", "")   # break opportunities in long words, not text
    for tag in ("style", "code", "title"):
        text = re.sub(rf"<{tag}\b.*?</{tag}>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return _URL.sub(" ", html_lib.unescape(text))


PROSE = {"md": prose_md, "csv": prose_csv, "sarif": prose_sarif, "junit": prose_junit, "html": prose_html}


@cache
def saved(name: str, lang: str) -> ResultDocument:
    return ResultDocument.from_json(evaluate_file(ROOT / "examples" / f"{name}.yaml", as_of=AS_OF,
                                                  lang=lang).to_json())


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("source_lang", ["es", "en"])
@pytest.mark.parametrize("fmt", sorted(PROSE))
def test_no_word_of_the_other_language(name: str, source_lang: str, fmt: str) -> None:
    doc = saved(name, source_lang)
    for lang in ("es", "en"):
        out = renderer_for(fmt)(doc, RenderOptions(lang=lang))
        words = _words(PROSE[fmt](out))
        leaked = sorted(words & forbidden(lang, name))
        assert not leaked, f"{name} ({source_lang} result) as {fmt} in {lang}: {leaked[:20]}"


@pytest.mark.parametrize("name", ["ai-center", "well-run-school"])
def test_render_of_a_saved_result_equals_evaluating_in_that_language(name: str, tmp_path: Path) -> None:
    declaration = ROOT / "examples" / f"{name}.yaml"
    saved_es = tmp_path / "resultado.json"
    assert run("evaluate", str(declaration), "--as-of", AS_OF, "-o", str(saved_es)).returncode in (0, 1)
    for fmt in ("md", "csv", "sarif", "junit"):
        rendered = tmp_path / f"render.{fmt}"
        evaluated = tmp_path / f"evaluate.{fmt}"
        proc = run("render", str(saved_es), "--lang", "en", "--format", fmt, "--sarif-uri-base", "examples",
                   "-o", str(rendered))
        assert proc.returncode == 0, proc.stderr.decode()
        run("evaluate", str(declaration), "--as-of", AS_OF, "--lang", "en", "--format", fmt,
            "--sarif-uri-base", "examples", "-o", str(evaluated))
        assert rendered.read_bytes() == evaluated.read_bytes(), fmt


def test_render_pdf_has_the_same_text_as_evaluating(tmp_path: Path) -> None:
    pypdfium2 = pytest.importorskip("pypdfium2")
    declaration = ROOT / "examples" / "ai-center.yaml"
    saved_en = tmp_path / "result.json"
    run("evaluate", str(declaration), "--as-of", AS_OF, "--lang", "en", "-o", str(saved_en))
    run("render", str(saved_en), "--lang", "es", "-o", str(tmp_path / "a.pdf"))
    run("evaluate", str(declaration), "--as-of", AS_OF, "-o", str(tmp_path / "b.pdf"))

    def text(path: Path) -> list[str]:
        pdf = pypdfium2.PdfDocument(str(path))
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]

    assert text(tmp_path / "a.pdf") == text(tmp_path / "b.pdf")


def test_render_refuses_bad_input_with_a_located_message(tmp_path: Path) -> None:
    bad = tmp_path / "result.json"
    bad.write_text('{"schema_version": 1,\n  "as_of": 3\n', encoding="utf-8")
    proc = run("render", str(bad), "--format", "md", "-o", str(tmp_path / "out.md"))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "result.json" in err and ":2:" in err or ":3:" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out.md").exists()
