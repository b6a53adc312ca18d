"""CI gating by thresholds (`resguarda evaluate DECL --thresholds gate.yaml`), for teams that adopt gradually.

The file is YAML, every key optional:

```yaml
max_failures:        # most controls allowed to fail (status fail or partial), per severity
  critical: 0
  high: 3
  medium: 10         # a severity left out is not limited
min_score: 40        # the score (0-100) must be at least this
max_unknowns: 12     # most controls allowed to stay unknown (any severity)
```

Counts are of controls (results), as the summary counts them: `partial` counts as a failure (not fully
met, and JUnit shows it as a failure too); `waived` and `not_applicable` never count. A document whose
score is null (nothing scored) does not break `min_score`. Keys that start with `x_` are the team's own
notes and are ignored, as in declarations; any other unknown key is an error with its line and column,
so a typo cannot silently switch a gate off.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import Translator, format_number
from checker.locations import Located, load_yaml_file
from checker.result import ResultDocument, as_document
from checker.vocabulary import FAILING, SEVERITIES, UNKNOWN, severity_word

KEYS = ("max_failures", "min_score", "max_unknowns")


@dataclass(frozen=True)
class Thresholds:
    max_failures: dict[str, int] = field(default_factory=dict)
    min_score: float | None = None
    max_unknowns: int | None = None
    source: str = ""


def _error(located: Located, path: tuple[str, ...], message: str, hint: str | None = None) -> InputError:
    line, column = located.where(path)
    return InputError(located.file, message, line, column, hint)


def _unknown_key(located: Located, path: tuple[str, ...], key: str, valid: tuple[str, ...],
                 tr: Translator) -> InputError:
    close = difflib.get_close_matches(key, valid, n=1)
    hint = tr("thresholds.did_you_mean", key=close[0]) if close else tr("thresholds.valid_keys",
                                                                         keys=", ".join(valid))
    return _error(located, path, tr("thresholds.unknown_key", key=key), hint)


def _count(located: Located, path: tuple[str, ...], value: Any, tr: Translator) -> int:
    # YAML booleans are ints in Python: refuse them explicitly, `true` is not a count.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _error(located, path, tr("thresholds.not_count", key=".".join(path), value=value),
                     tr("thresholds.not_count.hint"))
    return value


def load_thresholds(path: str | Path, lang: str = "es") -> Thresholds:
    """Read and check a thresholds file; bad input is an InputError with file, line and column."""
    tr = Translator("export", lang)
    located = load_yaml_file(Path(path), str(path), lang)
    data = located.data
    if data is None:
        raise InputError(located.file, tr("thresholds.empty"), 1, 1, tr("thresholds.valid_keys",
                                                                          keys=", ".join(KEYS)))
    if not isinstance(data, dict):
        raise _error(located, (), tr("thresholds.not_mapping"), tr("thresholds.valid_keys", keys=", ".join(KEYS)))

    max_failures: dict[str, int] = {}
    min_score: float | None = None
    max_unknowns: int | None = None
    for key, value in data.items():
        if key.startswith("x_"):
            continue
        if key not in KEYS:
            raise _unknown_key(located, (key,), key, KEYS, tr)
        if value is None:
            continue
        if key == "max_failures":
            if not isinstance(value, dict):
                raise _error(located, (key,), tr("thresholds.not_severity_map"),
                             tr("thresholds.valid_keys", keys=", ".join(SEVERITIES)))
            for severity, limit in value.items():
                if severity.startswith("x_"):
                    continue
                if severity not in SEVERITIES:
                    raise _unknown_key(located, (key, severity), severity, SEVERITIES, tr)
                if limit is not None:
                    max_failures[severity] = _count(located, (key, severity), limit, tr)
        elif key == "max_unknowns":
            max_unknowns = _count(located, (key,), value, tr)
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
                raise _error(located, (key,), tr("thresholds.bad_score", value=value),
                             tr("thresholds.bad_score.hint"))
            min_score = float(value)
    return Thresholds(max_failures=max_failures, min_score=min_score, max_unknowns=max_unknowns,
                      source=located.file)


def check_thresholds(doc: ResultDocument | dict[str, Any], thresholds: Thresholds,
                     lang: str | None = None) -> list[str]:
    """The thresholds the result breaks, as sentences in `lang` (default: the document's)."""
    doc = as_document(doc)
    tr = Translator("export", lang or doc.lang)
    results = doc.results
    violations: list[str] = []
    for severity in SEVERITIES:
        limit = thresholds.max_failures.get(severity)
        if limit is None:
            continue
        failing = [r.control_id for r in results if r.severity == severity and r.status in FAILING]
        if len(failing) > limit:
            violations.append(tr("thresholds.too_many_failures", count=len(failing), limit=limit,
                                 severity=severity_word(severity, tr.lang).lower(), ids=", ".join(failing)))
    score = doc.summary.score
    if thresholds.min_score is not None and score is not None and score < thresholds.min_score:
        violations.append(tr("thresholds.low_score", score=format_number(score, tr.lang),
                             limit=format_number(thresholds.min_score, tr.lang)))
    if thresholds.max_unknowns is not None:
        unknown = [r.control_id for r in results if r.status == UNKNOWN]
        if len(unknown) > thresholds.max_unknowns:
            violations.append(tr("thresholds.too_many_unknowns", count=len(unknown), limit=thresholds.max_unknowns,
                                 ids=", ".join(unknown)))
    return violations
