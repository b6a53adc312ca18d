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
- `controls_added` / `controls_removed`: a catalog change; plus the score change;
- `actions`: remediation progress (contract 1.1): actions added, removed, or whose status, due date or
  overdue flag moved.

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

from checker.actions import progress
from checker.errors import InputError
from checker.i18n import Translator

BAD = ("fail", "partial", "unknown")
GOOD = ("pass", "not_applicable")
RANK = {"fail": 4, "unknown": 3, "partial": 2, "waived": 1, "pass": 0, "not_applicable": 0}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
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
    result: dict[str, Any]
    subject: dict[str, Any] | None
    status: str
    reason: str


def _entries(doc: dict[str, Any]) -> dict[str, _Entry]:
    # Imported here: the row model lives with the renderers, and `checker.render` is light to import.
    from checker.render.csv_rows import finding_status

    out: dict[str, _Entry] = {}
    for result in doc.get("results") or []:
        findings = result.get("findings") or []
        if not findings:
            # A control judged without any finding still has a status worth following.
            key = f"control:{result.get('control_id')}"
            reasons = result.get("reasons") or []
            out[key] = _Entry(key, result, None, str(result.get("status") or "unknown"),
                              reasons[0] if reasons else "")
            continue
        for finding in findings:
            key = str(finding.get("fingerprint") or f"{result.get('control_id')}|{finding.get('code')}")
            out[key] = _Entry(key, result, finding.get("subject"), finding_status(doc, result, finding),
                              str(finding.get("reason") or ""))
    return out


def _change(old: _Entry | None, new: _Entry | None) -> Change:
    entry = new or old
    assert entry is not None
    result = entry.result
    return Change(key=entry.key, control_id=str(result.get("control_id")), title=str(result.get("title") or ""),
                  severity=str(result.get("severity") or ""), domain=str(result.get("domain") or ""),
                  subject=entry.subject, old_status=old.status if old else None,
                  new_status=new.status if new else None, reason=entry.reason)


def _order(change: Change) -> tuple[int, str, str, str]:
    subject = change.subject or {}
    return (SEVERITY_ORDER.get(change.severity, 9), change.control_id, str(subject.get("kind") or ""),
            str(subject.get("id") or ""))


def _waiver_alerts(old: dict[str, Any], new: dict[str, Any]) -> list[WaiverAlert]:
    as_of = _date(new.get("as_of"))
    if as_of is None:
        return []
    before = {w.get("id"): w.get("state") for w in old.get("waivers") or []}
    alerts = []
    for waiver in new.get("waivers") or []:
        expires = _date(waiver.get("expires"))
        if expires is None or waiver.get("state") == "not_yet_valid":
            continue
        days = (expires - as_of).days
        if waiver.get("state") == "expired" or days < 0:
            window = "expired"
        else:
            window = next((str(w) for w in WINDOWS if days <= w), "")
            if not window:
                continue
        alerts.append(WaiverAlert(id=str(waiver.get("id")), control=str(waiver.get("control")),
                                  expires=str(waiver.get("expires")), days_left=days, window=window,
                                  newly_expired=window == "expired" and before.get(waiver.get("id")) == "active"))
    return sorted(alerts, key=lambda a: (a.days_left, a.id))


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Compare two result documents (as loaded from `--format json`)."""
    old_entries, new_entries = _entries(old), _entries(new)
    old_controls = [str(r.get("control_id")) for r in old.get("results") or []]
    new_controls = [str(r.get("control_id")) for r in new.get("results") or []]
    removed = [c for c in old_controls if c not in set(new_controls)]
    added = [c for c in new_controls if c not in set(old_controls)]

    score_old = (old.get("summary") or {}).get("score")
    score_new = (new.get("summary") or {}).get("score")
    delta = None
    if isinstance(score_old, int | float) and isinstance(score_new, int | float):
        delta = round(float(score_new) - float(score_old), 1)
    diff = Diff(
        old_as_of=old.get("as_of"), new_as_of=new.get("as_of"),
        old_catalog=(old.get("catalog") or {}).get("version"), new_catalog=(new.get("catalog") or {}).get("version"),
        score_old=score_old, score_new=score_new, score_delta=delta,
        counts_old=dict((old.get("summary") or {}).get("counts") or {}),
        counts_new=dict((new.get("summary") or {}).get("counts") or {}),
        controls_added=added, controls_removed=removed,
        waivers=_waiver_alerts(old, new),
        actions=progress(old.get("actions") or [], new.get("actions") or []),
        tracks_actions=bool(old.get("actions") or new.get("actions")),
    )
    for key, entry in new_entries.items():
        before = old_entries.get(key)
        if before is None:
            if entry.status in BAD:
                diff.new.append(_change(None, entry))
            continue
        if before.status == entry.status:
            continue
        if before.status not in GOOD and entry.status in GOOD:
            diff.fixed.append(_change(before, entry))
        elif RANK.get(entry.status, 2) > RANK.get(before.status, 2):
            diff.worse.append(_change(before, entry))
        elif RANK.get(entry.status, 2) < RANK.get(before.status, 2):
            diff.better.append(_change(before, entry))
    removed_set = set(removed)
    for key, entry in old_entries.items():
        if key not in new_entries and entry.status not in GOOD \
                and str(entry.result.get("control_id")) not in removed_set:
            diff.gone.append(_change(entry, None))
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


def render_diff(diff: Diff, fmt: str = "text", lang: str = "es") -> str:
    """The diff as `text` (terminal), `md` (a pull-request comment) or `json` (machines)."""
    from checker.render.diff_text import render_diff as render

    return render(diff, fmt, lang)


# -- loading ---------------------------------------------------------------------------------------------
_REQUIRED = ("schema_version", "as_of", "summary", "results")


def _where(text: str, key: str) -> tuple[int, int]:
    """Line and column of `"key":` in the raw JSON (1-based), or the start of the file."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    if not match:
        return 1, 1
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, column


def load_result(path: str | Path, lang: str = "es") -> dict[str, Any]:
    """Read a JSON result document; anything else is an InputError naming file, line and column."""
    tr = Translator("diff", lang)
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(name, tr("load.unreadable", error=exc.strerror or str(exc)),
                         hint=tr("load.unreadable.hint")) from None
    if len(raw) > MAX_BYTES:
        raise InputError(name, tr("load.too_big", limit=MAX_BYTES // (1024 * 1024)), 1, 1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(name, tr("load.not_utf8"), line, column, tr("load.hint")) from None
    try:
        doc = json.loads(text)
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
    return doc


def json_text(diff: Diff) -> str:
    return json.dumps(diff.as_dict(), ensure_ascii=False, indent=2) + "\n"
