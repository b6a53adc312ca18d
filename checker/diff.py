"""What changed between two evaluations (`resguarda diff OLD.json NEW.json`).

Findings are matched by fingerprint (stable across runs, languages and reordering), so a finding keeps its
identity while its status moves. Worst to best: fail, unknown, partial, waived (accepted but not met), then
pass and not-applicable, which count as equally good here. This follows the score's credit (partial earns
half, fail and unknown nothing), so declaring what was unknown and meeting it in part reads as progress;
between the two zero-credit statuses a shown failure is worse than an open question.

- `new`: findings the old run did not have, now fail, partial or unknown;
- `fixed`: findings that were fail, partial, unknown or waived and now pass (or no longer apply);
- `worse` / `better`: findings present in both whose status moved down / up without being fixed;
- `gone`: findings that were not passing and are no longer evaluated (their subject left the declaration)
  while their control still runs; findings of controls the catalog dropped are under `controls_removed`;
- `waivers`: the new run's waivers that have expired or expire within 30, 60 or 90 days of its as-of date;
- `controls_added` / `controls_removed`: a catalog change; plus the score change.

Exit code (results.md): 1 when a finding left pass or a new failure appeared. "Failure" means what the
`evaluate` gate counts (fail, partial, unknown), so a new finding in any of those, a pass that stopped
passing, or anything that became `fail`, gives 1.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker import explain
from checker.actions import progress
from checker.errors import InputError
from checker.i18n import Translator
from checker.inputs import decode_utf8, read_input
from checker.result import ControlResult, ResultDocument, as_document
from checker.vocabulary import GATING, NA, PASS, PROGRESS, SEVERITY_RANK

BAD = GATING
GOOD = (PASS, NA)
WINDOWS = (30, 60, 90)
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Change:
    """One finding's move between the two runs (a status is None on the side where it is absent)."""

    key: str
    control_id: str
    title: str
    severity: str
    domain: str
    subject: dict[str, Any] | None
    old_status: str | None
    new_status: str | None
    reason: str


@dataclass(frozen=True)
class WaiverAlert:
    id: str
    control: str
    expires: str
    days_left: int
    window: str            # "expired", "30", "60" or "90"
    newly_expired: bool    # active in the old run, expired in the new one


@dataclass
class Diff:
    old_as_of: str | None
    new_as_of: str | None
    old_catalog: str | None
    new_catalog: str | None
    score_old: float | None
    score_new: float | None
    score_delta: float | None
    counts_old: dict[str, int]
    counts_new: dict[str, int]
    new: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    better: list[Change] = field(default_factory=list)
    gone: list[Change] = field(default_factory=list)
    waivers: list[WaiverAlert] = field(default_factory=list)
    controls_added: list[str] = field(default_factory=list)
    controls_removed: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)   # remediation progress (checker.actions)
    tracks_actions: bool = False                                   # either run declared actions

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Entry:
    key: str
    result: ControlResult
    subject: dict[str, Any] | None
    status: str
    reason: str


def _entries(doc: ResultDocument, lang: str) -> dict[str, _Entry]:
    out: dict[str, _Entry] = {}
    for result in doc.results:
        if not result.findings:
            # A control judged without any finding still has a status worth following.
            key = f"control:{result.control_id}"
            reasons = explain.result_reasons(result, doc.waivers, lang)
            out[key] = _Entry(key, result, None, result.status, reasons[0] if reasons else "")
            continue
        for finding in result.findings:
            key = finding.fingerprint or f"{result.control_id}|{finding.code}"
            out[key] = _Entry(key, result, finding.subject.model_dump(mode="json"), finding.status,
                              explain.reason(finding, lang, result))
    return out


def _change(old: _Entry | None, new: _Entry | None, lang: str) -> Change:
    entry = new or old
    assert entry is not None
    result = entry.result
    return Change(key=entry.key, control_id=result.control_id, title=result.text(lang).title,
                  severity=result.severity,
                  domain=result.domain, subject=entry.subject, old_status=old.status if old else None,
                  new_status=new.status if new else None, reason=entry.reason)


def _order(change: Change) -> tuple[int, str, str, str]:
    subject = change.subject or {}
    return (SEVERITY_RANK.get(change.severity, 9), change.control_id, str(subject.get("kind") or ""),
            str(subject.get("id") or ""))


def _waiver_alerts(old: ResultDocument, new: ResultDocument) -> list[WaiverAlert]:
    as_of = _date(new.as_of)
    if as_of is None:
        return []
    before = {w.id: w.state for w in old.waivers}
    alerts = []
    for waiver in new.waivers:
        expires = _date(waiver.expires)
        if expires is None or waiver.state == "not_yet_valid":
            continue
        days = (expires - as_of).days
        if waiver.state == "expired" or days < 0:
            window = "expired"
        else:
            window = next((str(w) for w in WINDOWS if days <= w), "")
            if not window:
                continue
        newly = window == "expired" and before.get(waiver.id) == "active"
        alerts.append(WaiverAlert(id=waiver.id, control=waiver.control, expires=waiver.expires, days_left=days,
                                  window=window, newly_expired=newly))
    return sorted(alerts, key=lambda a: (a.days_left, a.id))


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _actions(doc: ResultDocument) -> list[dict[str, Any]]:
    """The result's tracked actions (contract 1.1; kept by the model as an extra key)."""
    actions = (doc.model_extra or {}).get("actions") or []
    return [a for a in actions if isinstance(a, dict) and a.get("id")]


def diff_documents(old: ResultDocument | dict[str, Any], new: ResultDocument | dict[str, Any],
                   lang: str | None = None) -> Diff:
    """Compare two results (typed, or JSON documents as loaded from `--format json`); titles and reasons
    in `lang` (default: the newer result's)."""
    old, new = as_document(old), as_document(new)
    lang = lang or new.lang
    old_entries, new_entries = _entries(old, lang), _entries(new, lang)
    old_controls = [r.control_id for r in old.results]
    new_controls = [r.control_id for r in new.results]
    removed = [c for c in old_controls if c not in set(new_controls)]
    added = [c for c in new_controls if c not in set(old_controls)]

    score_old = old.summary.score
    score_new = new.summary.score
    delta = None
    if score_old is not None and score_new is not None:
        delta = round(score_new - score_old, 1)
    diff = Diff(
        old_as_of=old.as_of, new_as_of=new.as_of,
        old_catalog=old.catalog.version, new_catalog=new.catalog.version,
        score_old=score_old, score_new=score_new, score_delta=delta,
        counts_old={str(k): n for k, n in old.summary.counts.items()},
        counts_new={str(k): n for k, n in new.summary.counts.items()},
        controls_added=added, controls_removed=removed,
        waivers=_waiver_alerts(old, new),
        actions=progress(_actions(old), _actions(new)),
        tracks_actions=bool(_actions(old) or _actions(new)),
    )
    for key, entry in new_entries.items():
        before = old_entries.get(key)
        if before is None:
            if entry.status in BAD:
                diff.new.append(_change(None, entry, lang))
            continue
        if before.status == entry.status:
            continue
        if before.status not in GOOD and entry.status in GOOD:
            diff.fixed.append(_change(before, entry, lang))
        elif PROGRESS.get(entry.status, 2) > PROGRESS.get(before.status, 2):
            diff.worse.append(_change(before, entry, lang))
        elif PROGRESS.get(entry.status, 2) < PROGRESS.get(before.status, 2):
            diff.better.append(_change(before, entry, lang))
    removed_set = set(removed)
    for key, entry in old_entries.items():
        if key not in new_entries and entry.status not in GOOD \
                and entry.result.control_id not in removed_set:
            diff.gone.append(_change(entry, None, lang))
    for changes in (diff.new, diff.fixed, diff.worse, diff.better, diff.gone):
        changes.sort(key=_order)
    return diff


def diff_exit_code(diff: Diff) -> int:
    """1 when a finding left pass or a new failure appeared (results.md), else 0."""
    if diff.new:
        return 1
    for change in diff.worse:
        if change.old_status in GOOD or change.new_status == "fail":
            return 1
    return 0


# -- loading ---------------------------------------------------------------------------------------------
_REQUIRED = ("schema_version", "as_of", "summary", "results")


def _where(text: str, key: str) -> tuple[int, int]:
    """Line and column of `"key":` in the raw JSON (1-based), or the start of the file."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return _offset_place(text, match.start() if match else -1)


def _is_day(value: object) -> bool:
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def load_result(path: str | Path, lang: str = "es") -> ResultDocument:
    """Read a JSON result document; anything else is an InputError naming file, line and column."""
    tr = Translator("diff", lang)
    name = str(path)
    # Read once and bounded; a FIFO, a device or a folder is refused before it is opened.
    raw = read_input(path, name, MAX_BYTES, lang, too_large=tr("load.too_big", limit=MAX_BYTES // (1024 * 1024))).data
    text = decode_utf8(raw, name, lang, tr("load.not_utf8"), tr("load.hint"))
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except _NotJsonNumber as exc:
        line, column = _constant_at(text)
        raise InputError(name, tr("load.bad_json", error=str(exc)), line, column, tr("load.hint")) from None
    except json.JSONDecodeError as exc:
        raise InputError(name, tr("load.bad_json", error=exc.msg), exc.lineno, exc.colno, tr("load.hint")) from None
    except RecursionError:
        raise InputError(name, tr("load.too_deep"), 1, 1, tr("load.hint")) from None
    if not isinstance(doc, dict):
        raise InputError(name, tr("load.not_object"), 1, 1, tr("load.hint"))
    for key in _REQUIRED:
        if key not in doc:
            raise InputError(name, tr("load.missing_key", key=key), 1, 1, tr("load.hint"))
    if doc["schema_version"] != 1:
        line, column = _where(text, "schema_version")
        raise InputError(name, tr("load.schema_version", value=doc["schema_version"]), line, column,
                         tr("load.schema_version.hint"))
    results = doc["results"]
    if not isinstance(results, list) or not all(
            isinstance(r, dict) and isinstance(r.get("control_id"), str) and isinstance(r.get("status"), str)
            and isinstance(r.get("findings", []), list) for r in results):
        line, column = _where(text, "results")
        raise InputError(name, tr("load.bad_results"), line, column, tr("load.hint"))
    for result in results:
        for finding in result.get("findings", []):
            if not isinstance(finding, dict) or not isinstance(finding.get("status"), str):
                line, column = _where(text, "findings")
                raise InputError(name, tr("load.bad_results"), line, column, tr("load.hint"))
    if not isinstance(doc["summary"], dict):
        line, column = _where(text, "summary")
        raise InputError(name, tr("load.bad_summary"), line, column, tr("load.hint"))
    if not _is_day(doc["as_of"]):
        line, column = _where(text, "as_of")
        raise InputError(name, tr("load.bad_as_of", value=json.dumps(doc["as_of"], ensure_ascii=False)[:40]),
                         line, column, tr("load.hint"))
    try:
        loaded = ResultDocument.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        key = next((str(p) for p in reversed(first["loc"]) if isinstance(p, str)), "results")
        line, column = _where(text, key)
        raise InputError(name, tr("load.bad_field", field=where, error=first["msg"]), line, column,
                         tr("load.hint")) from None
    return _consistent(loaded, text, name, tr)


class _NotJsonNumber(ValueError):
    pass


def _refuse_constant(word: str) -> Any:
    # NaN and Infinity are not JSON; resguarda never writes them, and a score of NaN would print as one.
    raise _NotJsonNumber(word)


def _constant_at(text: str) -> tuple[int, int]:
    match = re.search(r"[:\[,]\s*(-?Infinity|NaN)\b", text)
    return _offset_place(text, match.start(1) if match else -1)


def _consistent(doc: ResultDocument, text: str, name: str, tr: Translator) -> ResultDocument:
    """A saved result whose parts could disagree, made to agree: every report made from it shows them as
    facts. A control listed twice is refused (which one would a report show?). The summary is derived
    data: it is counted again from the results (`evaluate.summarize`, the one counting function), so an
    edited or filtered file (a score of 1e308 "of 100", results cut with jq) shows what its results say."""
    from checker.evaluate import summarize

    seen: set[str] = set()
    for result in doc.results:
        if result.control_id in seen:
            needle = f'"control_id": {json.dumps(result.control_id, ensure_ascii=False)}'
            first = text.find(needle)
            line, column = _offset_place(text, text.find(needle, first + 1) if first >= 0 else -1)
            raise InputError(name, tr("load.duplicate_control", id=result.control_id), line, column,
                             tr("load.hint"))
        seen.add(result.control_id)
    counted = summarize(doc.results)
    return doc if counted == doc.summary else doc.model_copy(update={"summary": counted})


def _offset_place(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of a character of the raw JSON; the file's start when not found (-1)."""
    if offset < 0:
        return 1, 1
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def json_text(diff: Diff) -> str:
    return json.dumps(diff.as_dict(), ensure_ascii=False, indent=2) + "\n"
