"""Sentences from language-neutral explanations, in the language asked for, at render time.

A finding carries an `Explanation` (message code + typed comparisons, `checker.result`); this module
turns it into plain words with the labels of `checker.labels` and the templates of
`checker/locales/explain.<lang>.json`: one per operator and outcome ("Portal de inscripción: cuentas
de administrador: 14; se requiere como máximo 5, parámetro del catálogo"), and, for fields that read
better in their own words, one per field and outcome (`field.<path>.<pass|fail>`: "Portal de
inscripción: guarda los datos sin cifrado en reposo"). Alternatives read as alternatives ("«a», «b» o «c»"), catalog
parameters show their value, computed dates are dates, durations read as durations, and an observed
value names its scan and its age. Field paths and enum codes never appear: they are the technical
reference (the finding's `path` and `location`), shown apart by each renderer.

The evaluator uses the same functions to fill the JSON's `reason`, `reasons` and `applicability` in the
result's language, so rendering a saved result in a language gives what evaluating in it gives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from checker.durations import Duration, is_duration
from checker.i18n import DEFAULT_LANG, messages, t
from checker.i18n import format_date as _format_date
from checker.labels import field_key, field_label, value_label
from checker.result import Comparison, ControlResult, Finding, Subject, WaiverInfo
from checker.vocabulary import GATING, NA, PASS, WAIVED

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Labels that start with a name keep their capital inside a sentence.
_NAMES = ("Llave MX", "CURP", "TLS", "HSTS", "ARCO")


def format_date(value: date | str, lang: str) -> str:
    """A date in words; a value that is not an ISO date (a damaged result) is shown as written."""
    try:
        return _format_date(value, lang)
    except (TypeError, ValueError):
        return str(value)


def _t(lang: str, key: str, **values: Any) -> str:
    return t("explain", lang, key, **values)


def lower_first(text: str) -> str:
    if not text or text.startswith(_NAMES) or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


@lru_cache(maxsize=8192)
def field_words(path: str, lang: str) -> str:
    """A field's label as it reads inside a sentence."""
    return lower_first(field_label(path, lang))


def _plural(lang: str, key: str, n: int) -> str:
    one, many = _t(lang, key).split("|")
    return (one if n == 1 else many).format(n=n)


@lru_cache(maxsize=1024)
def duration_words(text: str, lang: str) -> str:
    """P1Y -> "1 año"; PT72H -> "72 horas"; P1Y6M -> "1 año y 6 meses"."""
    d = Duration.parse(text)
    hours, rest = divmod(d.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [_plural(lang, key, n) for key, n in (("dur.Y", d.years), ("dur.M", d.months), ("dur.D", d.days),
                                                   ("dur.H", hours), ("dur.MIN", minutes), ("dur.S", seconds)) if n]
    return join(parts, lang, "and", quote=False) if parts else _plural(lang, "dur.D", 0)


def join(items: Sequence[str], lang: str, how: str = "and", quote: bool = False) -> str:
    words = [f"«{x}»" if quote and lang == "es" else (f"“{x}”" if quote else x) for x in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + _t(lang, f"join.{how}") + words[-1]


def _quoted(text: str, lang: str) -> str:
    return f"«{text}»" if lang == "es" else f"“{text}”"


def value_words(path: str, value: Any, lang: str) -> str:
    """A declared or required value in plain words: yes/no, a date, a duration, an enum's label."""
    if value is None:
        return _t(lang, "value.absent")
    if isinstance(value, bool):
        return _quoted(_t(lang, "value.true" if value else "value.false"), lang)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if _DATE.match(value):
            return format_date(value, lang)
        if is_duration(value):
            return duration_words(value, lang)
        return _quoted(value_label(path, value, lang), lang)
    if isinstance(value, list):
        if not value:
            return _t(lang, "value.none")
        return join([value_words(path, x, lang) for x in value], lang, "and")
    if isinstance(value, dict):
        if set(value) <= {"every", "last_done"}:
            return _current_words(path, value, lang)
        return "; ".join(f"{field_words(f'{path}.{k}', lang)}: {value_words(f'{path}.{k}', v, lang)}"
                         for k, v in value.items())
    return _quoted(str(value), lang)


def _current_words(path: str, value: dict[str, Any], lang: str) -> str:
    last, every = value.get("last_done"), value.get("every")
    parts = []
    if every:
        parts.append(f"{field_words('every', lang)}: {duration_words(str(every), lang)}")
    if last:
        parts.append(f"{field_words('last_done', lang)}: {value_words(path, last, lang)}")
    return "; ".join(parts) or _t(lang, "value.absent")


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def period_words(c: Comparison, lang: str) -> str | None:
    """A legal period in business days (catalog 2026.2): "como máximo el 21 de julio de 2026 (30 días
    hábiles antes de la fecha de lanzamiento, 1 de septiembre de 2026)"."""
    p = c.period
    if p is None or c.operator not in ("at_most", "at_least", "equals"):
        return None
    values = {"date": format_date(p.date, lang), "days": p.days, "start": format_date(p.start, lang),
              "path": field_words(p.start_path, lang) if p.start_path else ""}
    direction: str = "as_of" if p.start_path is None else p.direction
    if direction == "as_of" and p.counts_from == "answer":
        direction = "as_of_answer"
    text = t("calendar", lang, f"required.{c.operator}.{direction}", **values)
    if p.extended_date is not None:
        # The extension the law allows once, as a second computed date (LFPDPPP 31, LGPDPPSO 45).
        text += t("calendar", lang, "extension", days=p.extension_days,
                  date=format_date(p.extended_date, lang))
    return text


def required_words(c: Comparison, lang: str) -> str:
    words = period_words(c, lang)
    if words is not None:
        return words
    op, path, required = c.operator, c.field or c.path, c.required
    declared = c.declared if isinstance(c.declared, list) else []
    if op in ("in", "not_in", "contains_any", "contains_all", "contains_none"):
        items = _listed(required)
        if op == "contains_all":
            items = [x for x in items if x not in declared] or items
        elif op == "contains_none":
            items = [x for x in items if x in declared] or items
        how = {"in": "or", "contains_any": "or", "contains_all": "and"}.get(op, "nor")
        text = _t(lang, f"req.{op}", values=join([value_words(path, x, lang) for x in items], lang, how))
    elif op in ("at_least", "at_most"):
        key = f"req.{op}_date" if _is_date(required) else f"req.{op}"
        text = _t(lang, key, value=value_words(path, required, lang))
    elif op == "contains":
        text = _t(lang, "req.contains", value=value_words(path, required, lang))
    elif op == "not_equals":
        text = _t(lang, "req.not_equals", value=value_words(path, required, lang))
    else:
        text = _t(lang, "req.equals", value=value_words(path, required, lang))
    if c.parameter:
        return _t(lang, "req.parameter", required=text)
    if c.reference and c.offset:
        offset = duration_words(c.offset[1:], lang)
        if c.reference == "as_of":
            return _t(lang, "req.as_of", required=text, offset=offset)
        key = "req.before" if c.offset.startswith("-") else "req.after"
        return _t(lang, key, required=text, offset=offset, field=field_words(c.reference, lang))
    return text


# The clause of a comparison depends only on the comparison's values and on its paths with item keys
# left out (labels are per field, not per item), so it is worded once per such key: a declaration's
# systems, and the programs of a portfolio, repeat the same comparisons many times.
_CLAUSES: dict[tuple[Any, ...], str] = {}
_CLAUSES_MAX = 50_000
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a JSON value that keeps its type (True, 1 and 1.0 read differently)."""
    kind = value.__class__
    if kind in _SCALAR_TYPES:
        return kind, value
    if kind is list:
        return list, tuple(_frozen(v) for v in value)
    if kind is dict:
        return dict, tuple((k, _frozen(v)) for k, v in value.items())
    return kind, repr(value)


def _clause_key(c: Comparison, lang: str) -> tuple[Any, ...]:
    # Everything `_comparison_words` reads, paths by their field key. Read from the model's dict, and a
    # scalar value frozen inline: the key is made once per finding (a million for a large declaration).
    d = c.__dict__
    field, reference, declared, required, p = d["field"], d["reference"], d["declared"], d["required"], d["period"]
    return (lang, d["operator"], d["status"], field_key(d["path"]), field_key(field) if field else None,
            (declared.__class__, declared) if declared.__class__ in _SCALAR_TYPES else _frozen(declared),
            (required.__class__, required) if required.__class__ in _SCALAR_TYPES else _frozen(required),
            d["parameter"], field_key(reference) if reference else None, d["offset"], d["source"], d["scan"],
            d["scan_date"], d["scan_age_days"], d["stale"],
            None if p is None else (p.days, p.direction, p.start, field_key(p.start_path) if p.start_path else None,
                                    p.date, p.extension_days, p.extended_date, p.counts_from))


def comparison_words(c: Comparison, lang: str) -> str:
    """One comparison as a clause (no subject)."""
    key = _clause_key(c, lang)
    words = _CLAUSES.get(key)
    if words is None:
        if len(_CLAUSES) >= _CLAUSES_MAX:
            _CLAUSES.clear()
        words = _CLAUSES[key] = _comparison_words(c, lang)
    return words


def _comparison_words(c: Comparison, lang: str) -> str:
    op, status = c.operator, c.status
    field = field_words(c.path, lang)
    ok = status in (PASS, NA)
    if op == "exists":
        key = ("exists." if c.required is not False else "absent.") + ("pass" if ok else "fail")
        return _t(lang, key, field=field)
    if op == "not_empty":
        return _t(lang, "not_empty." + ("pass" if ok else "fail"), field=field)
    if op == "current":
        return _scan_suffix(c, lang, _current(c, field, lang))
    if op in ("every", "some"):
        if c.declared is None:
            return _t(lang, "list.missing", field=field)
        if not isinstance(c.declared, int):
            return _t(lang, "list.not_list", field=field)
        return _t(lang, "some.fail", field=field)
    declared = value_words(c.path, c.declared, lang)
    # A field may have its own sentence (`field.<path>.<pass|fail>` in the explain locale), read
    # before the operator's: "cifrado en reposo activo: «no»" says more as "guarda datos sin cifrar".
    own = _field_sentence(c, lang, declared)
    if own is not None:
        return _scan_suffix(c, lang, own)
    if status == "partial" and c.stale:
        return _t(lang, "compare.stale_pass", field=field, declared=declared, scan=c.scan or "",
                  date=format_date(c.scan_date, lang) if c.scan_date else "—", days=c.scan_age_days or 0)
    key = "compare." + (status if status in ("pass", "partial") else "fail")
    return _scan_suffix(c, lang, _t(lang, key, field=field, declared=declared, required=required_words(c, lang)))


def _field_sentence(c: Comparison, lang: str, declared: str) -> str | None:
    """`declared`: the declared value's words, which the caller has already."""
    if c.status not in (PASS, "fail") or c.operator != "equals" or c.stale:
        return None
    key = f"field.{field_key(c.field or c.path)}.{c.status}"
    if "{" not in key and "}" not in key and key not in messages("explain", lang) \
            and key not in messages("explain", DEFAULT_LANG):
        return None   # no such sentence: `_t` would give the key itself, and the words would be wasted
    text = _t(lang, key, declared=declared, required=value_words(c.path, c.required, lang))
    return None if text == key else text


def _current(c: Comparison, field: str, lang: str) -> str:
    value = c.declared
    if not isinstance(value, dict):
        return _t(lang, "current.off", field=field)
    last, every = value.get("last_done"), value.get("every")
    if last is None:
        return _t(lang, "current.never", field=field)
    if every is None:
        return _t(lang, "current.no_every", field=field)
    try:
        due: date | str = Duration.parse(str(every)).add_to(date.fromisoformat(str(last)))
    except ValueError:
        due = "—"
    words = {"field": field, "last": format_date(str(last), lang), "every": duration_words(str(every), lang),
             "due": format_date(due, lang)}
    return _t(lang, "current.ok" if c.status == PASS else "current.overdue", **words)


def _scan_suffix(c: Comparison, lang: str, text: str) -> str:
    if c.source != "scan" or not c.scan:
        return text
    date = format_date(c.scan_date, lang) if c.scan_date else "—"
    if c.stale:
        return text + _t(lang, "scan.stale_suffix", scan=c.scan, date=date, days=c.scan_age_days or 0)
    return text + _t(lang, "scan.suffix", scan=c.scan, date=date)


# -- findings and controls -----------------------------------------------------------------------
# Subjects whose id is a declared enum value (the natural key of items without an id).
_ENUM_IDS = {"data_subject": "program.data_subjects.type", "authentication": "systems.authentication.audiences"}


def who(subject: Subject, lang: str) -> str:
    if subject.kind == "program":
        return _t(lang, "who.program")
    if subject.kind in _ENUM_IDS:
        path = _ENUM_IDS[subject.kind]
        return join([value_label(path, part, lang) for part in subject.id.split("+")], lang, "and")
    return subject.name or subject.id


def detail(finding: Finding, lang: str, result: ControlResult | None = None) -> str:
    """Why the finding has its status, without naming its subject."""
    e = finding.explanation
    if e is None:   # a result written before explanations: its own sentence
        return finding.reason
    if e.code == "missing":
        return _missing_words(tuple(map(field_key, e.missing)), lang)
    if e.code == "not_scanned":
        return _t(lang, "not_scanned")
    if e.code == "empty_selection":
        path = e.comparisons[0].path if e.comparisons else ""
        return _t(lang, "empty_selection", field=field_words(path, lang))
    if e.code == "not_applicable":
        return _t(lang, "not_applicable", why=applicability_words(result, e.comparisons, lang))
    comparisons = e.comparisons
    if len(comparisons) == 1 and comparisons[0].alternative is None:
        return comparison_words(comparisons[0], lang)   # most findings: what the loop below gives for one
    # Comparisons in order; the alternatives of one failed `any` read as one clause that lists them.
    parts: list[str | list[str]] = []
    groups: dict[int, list[str]] = {}
    for c in e.comparisons:
        words = comparison_words(c, lang)
        if c.alternative is None:
            parts.append(words)
        elif c.alternative in groups:
            groups[c.alternative].append(words)
        else:
            groups[c.alternative] = [words]
            parts.append(groups[c.alternative])
    clauses = []
    for part in parts:
        if isinstance(part, str):
            clauses.append(part)
            continue
        options = list(dict.fromkeys(part))
        clauses.append(options[0] if len(options) == 1 else _t(
            lang, "either", alternatives="; ".join(f"({i}) {o}" for i, o in enumerate(options, 1))))
    return "; ".join(dict.fromkeys(clauses))


@lru_cache(maxsize=4096)
def _missing_words(keys: tuple[str, ...], lang: str) -> str:
    """"falta declarar ..." for the fields at these paths (item keys left out: labels are per field)."""
    fields = join(list(dict.fromkeys(field_words(k, lang) for k in keys)), lang, "and")
    return _t(lang, "missing", fields=fields)


def reason(finding: Finding, lang: str, result: ControlResult | None = None) -> str:
    """The finding's sentence: its subject, then why."""
    e = finding.explanation
    if e is None:
        return finding.reason
    if e.code == "not_applicable":
        return detail(finding, lang, result)
    return f"{who(finding.subject, lang)}: {detail(finding, lang, result)}"


def applicability_words(result: ControlResult | None, comparisons: Sequence[Comparison], lang: str) -> str:
    own = result.text(lang).not_applicable if result is not None else None
    if own:
        return own
    clause = "; ".join(comparison_words(c, lang) for c in comparisons[:1])
    return _t(lang, "not_applicable.generic", detail=clause)


def applicability(result: ControlResult, lang: str) -> str | None:
    """Why a not-applicable control does not apply, in `lang` (None for the others)."""
    if result.status != NA:
        return None
    own = result.text(lang).not_applicable
    if own:
        return own
    first = result.findings[0] if result.findings else None
    if first is None or first.explanation is None:
        return result.applicability
    if first.explanation.code == "not_applicable":
        return applicability_words(None, first.explanation.comparisons, lang)
    return reason(first, lang, result)


def acting_waiver(result: ControlResult, waivers: Sequence[WaiverInfo]) -> WaiverInfo | None:
    """The declared waiver that spoke about this control (checker.waivers picks the first valid one)."""
    return next((w for w in waivers if w.control == result.control_id and w.state != "not_yet_valid"), None)


def result_reasons(result: ControlResult, waivers: Sequence[WaiverInfo], lang: str,
                   stored: bool = False) -> list[str]:
    """The control's reasons: each subject that is not a pass (or all, when all pass), and the waiver.
    `stored`: the findings' `reason` is already in `lang` (the evaluator, which has just written it)."""
    shown = [f for f in result.findings if f.status not in (PASS, NA)] or result.findings
    reasons = [f.reason if stored else reason(f, lang, result) for f in shown]
    if result.status == NA and len(result.findings) == 1 and result.findings[0].explanation is not None \
            and result.findings[0].explanation.code == "not_applicable":
        return reasons
    return with_waiver_words(result, reasons, waivers, lang)


def with_waiver_words(result: ControlResult, reasons: list[str], waivers: Sequence[WaiverInfo],
                      lang: str) -> list[str]:
    """The findings' `reasons` of a result that applies, with what its waiver (if any) adds, in order."""
    waiver_words: list[str] = []
    if result.waiver is not None:
        waiver_words.append(_t(lang, "waived", id=result.waiver.id, approver=result.waiver.approved_by,
                               expires=format_date(result.waiver.expires, lang)))
    else:
        declared = acting_waiver(result, waivers)
        if declared is not None and declared.state == "expired" and result.status in GATING:
            waiver_words.append(_t(lang, "waiver_expired", id=declared.id,
                                   expires=format_date(declared.expires, lang)))
    return waiver_words + reasons if result.status == WAIVED else reasons + waiver_words
