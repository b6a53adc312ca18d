"""`--thresholds FILE`: gradual CI gates, and clear errors for a mistyped file."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_fixtures import evaluated_document, sample_document

from checker.errors import InputError
from checker.thresholds import Thresholds, check_thresholds, load_thresholds


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "umbrales.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_a_complete_file(tmp_path: Path) -> None:
    path = write(tmp_path, """\
# CI gate for the first quarter
max_failures:
  critical: 0
  high: 3
  x_note: medium comes next quarter
min_score: 40.5
max_unknowns: 12
x_owner: equipo de TI
""")
    assert load_thresholds(path) == Thresholds(max_failures={"critical": 0, "high": 3}, min_score=40.5,
                                               max_unknowns=12, source=str(path))


def test_violations_are_translated_sentences() -> None:
    doc = sample_document()   # critical: GOV-02 and ENC-01 fail; high: PN-01 partial, NET-02 and ACC-01 fail
    gate = Thresholds(max_failures={"critical": 1, "high": 3, "low": 0}, min_score=30, max_unknowns=0)
    assert check_thresholds(doc, gate) == [
        "Controles de severidad crítica que no cumplen: 2 (máximo permitido: 1): GOV-02, ENC-01",
        "La puntuación 23.1 es menor que el mínimo de 30.0",
        "Controles sin determinar: 1 (máximo permitido: 0): LOG-01",
    ]
    english = check_thresholds(doc, gate, "en")
    assert english[0] == "Failing critical-severity controls: 2 (at most 1 allowed): GOV-02, ENC-01"
    # Partial counts as a failure: three high controls fail or are partial, a limit of 2 breaks.
    assert check_thresholds(doc, Thresholds(max_failures={"high": 2})) == [
        "Controles de severidad alta que no cumplen: 3 (máximo permitido: 2): PN-01, NET-02, ACC-01"]
    # Waived (BIO-02, high) never counts.
    assert check_thresholds(doc, Thresholds(max_failures={"high": 3})) == []


def test_nothing_set_means_nothing_checked_and_null_score_passes_min_score() -> None:
    doc = sample_document()
    assert check_thresholds(doc, Thresholds()) == []
    doc["summary"]["score"] = None
    assert check_thresholds(doc, Thresholds(min_score=90)) == []


def test_thresholds_against_a_real_evaluation(tmp_path: Path) -> None:
    doc = evaluated_document("ai-center.yaml")
    failing = sum(1 for r in doc["results"] if r["severity"] == "critical" and r["status"] in ("fail", "partial"))
    unknown = doc["summary"]["counts"]["unknown"]
    assert failing > 0
    exact = write(tmp_path, f"max_failures: {{critical: {failing}}}\nmax_unknowns: {unknown}\n"
                            f"min_score: {doc['summary']['score']}\n")
    assert check_thresholds(doc, load_thresholds(exact)) == []
    tighter = write(tmp_path, f"max_failures: {{critical: {failing - 1}}}\n")
    [violation] = check_thresholds(doc, load_thresholds(tighter))
    assert violation.startswith(f"Controles de severidad crítica que no cumplen: {failing} ")


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("max_failure:\n  critical: 0\n", 1, 1, "max_failures"),                  # typo at the top
    ("max_failures:\n  critcal: 0\n", 2, 3, "critical"),                      # typo of a severity
    ("min_score: 40\nmax_unkowns: 3\n", 2, 1, "max_unknowns"),
])
def test_unknown_keys_name_line_column_and_the_closest_key(tmp_path: Path, text: str, line: int, column: int,
                                                           words: str) -> None:
    with pytest.raises(InputError) as err:
        load_thresholds(write(tmp_path, text))
    assert (err.value.line, err.value.column) == (line, column)
    assert err.value.hint and words in err.value.hint


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("max_failures:\n  high: -1\n", 2, "high"),
    ("max_failures:\n  high: true\n", 2, "True"),
    ("max_failures:\n  high: 2.5\n", 2, "2.5"),
    ("max_unknowns: muchos\n", 1, "muchos"),
    ("min_score: 120\n", 1, "120"),
    ("min_score: '40'\n", 1, "40"),
    ("max_failures: 3\n", 1, "max_failures"),
    ("- max_unknowns: 3\n", 1, "mapeo"),
])
def test_bad_values_are_input_errors_with_their_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        load_thresholds(write(tmp_path, text))
    assert err.value.line == line
    assert fragment in err.value.message


def test_empty_duplicate_and_hostile_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="vacío"):
        load_thresholds(write(tmp_path, "# nada\n"))
    with pytest.raises(InputError) as err:
        load_thresholds(write(tmp_path, "min_score: 40\nmin_score: 50\n"))
    assert err.value.line == 2
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    with pytest.raises(InputError):
        load_thresholds(write(tmp_path, bomb))
    with pytest.raises(InputError):
        load_thresholds(write(tmp_path, "min_score: !!python/object:os.system 'echo x'\n"))
    with pytest.raises(InputError):
        load_thresholds(tmp_path / "no-such-file.yaml")
