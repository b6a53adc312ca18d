"""The diff between two evaluations as terminal text, Markdown (a pull-request comment) or JSON.

JSON keeps the contract's codes (statuses, severities) and is the same in every language except for the
findings' reasons, which come from the new run's document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.i18n import Translator, format_date, format_number
from checker.vocabulary import severity_word, status_word, subject_word

if TYPE_CHECKING:
    from checker.diff import Change, Diff, WaiverAlert

SECTIONS = ("new", "worse", "fixed", "better", "gone")


def _status(tr: Translator, status: str | None) -> str:
    return tr("status.absent") if status is None else status_word(status, tr.lang)


def _subject(tr: Translator, change: Change) -> str:
    subject = change.subject or {}
    kind = str(subject.get("kind") or "")
    if not kind:
        return tr("subject.control")
    if kind == "program":
        return subject_word("program", tr.lang)
    return f"{subject_word(kind, tr.lang)} {subject.get('id')}"


def _one_line(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())


def _md(text: str) -> str:
    # Text from declarations goes into a Markdown table: keep it literal and on one line.
    out = []
    for ch in _one_line(text):
        out.append("\\" + ch if ch in "\\`*_{}[]<>|~" else ch)
    return "".join(out)


def _score(diff: Diff, tr: Translator, lang: str) -> str:
    old = format_number(diff.score_old, lang)
    new = format_number(diff.score_new, lang)
    if diff.score_delta is None:
        return tr("score", old=old, new=new, delta="—")
    sign = "+" if diff.score_delta > 0 else ""
    return tr("score", old=old, new=new, delta=sign + format_number(diff.score_delta, lang))


def _waiver_line(tr: Translator, alert: WaiverAlert, lang: str) -> str:
    when = format_date(alert.expires, lang)
    if alert.window == "expired":
        key = "waiver.newly_expired" if alert.newly_expired else "waiver.expired"
        return tr(key, id=alert.id, control=alert.control, date=when)
    return tr("waiver.expiring", id=alert.id, control=alert.control, date=when, days=alert.days_left,
              window=alert.window)


def _text(diff: Diff, tr: Translator, lang: str) -> str:
    lines = [tr("title", old=format_date(diff.old_as_of, lang), new=format_date(diff.new_as_of, lang)),
             _score(diff, tr, lang)]
    if diff.old_catalog != diff.new_catalog:
        lines.append(tr("catalog", old=diff.old_catalog or "—", new=diff.new_catalog or "—"))
    lines.append("")
    for section in SECTIONS:
        changes: list[Change] = getattr(diff, section)
        lines.append(f"{tr('section.' + section)} ({len(changes)})")
        for change in changes:
            move = (_status(tr, change.new_status) if section == "new"
                    else f"{_status(tr, change.old_status)} → {_status(tr, change.new_status)}")
            lines.append(f"  [{severity_word(change.severity, tr.lang)}] {change.control_id} {_one_line(change.title)} "
                         f"— {_one_line(_subject(tr, change))}: {move}")
            if change.reason:
                lines.append(f"      {_one_line(change.reason)}")
        lines.append("")
    lines.append(f"{tr('section.waivers')} ({len(diff.waivers)})")
    lines += [f"  {_one_line(_waiver_line(tr, a, lang))}" for a in diff.waivers]
    lines.append("")
    lines.append(tr("controls.added", ids=", ".join(diff.controls_added) or "—"))
    lines.append(tr("controls.removed", ids=", ".join(diff.controls_removed) or "—"))
    return "\n".join(lines) + "\n"


def _markdown(diff: Diff, tr: Translator, lang: str) -> str:
    lines = [f"## {tr('title', old=format_date(diff.old_as_of, lang), new=format_date(diff.new_as_of, lang))}",
             "", _score(diff, tr, lang)]
    if diff.old_catalog != diff.new_catalog:
        lines += ["", tr("catalog", old=diff.old_catalog or "—", new=diff.new_catalog or "—")]
    for section in SECTIONS:
        changes: list[Change] = getattr(diff, section)
        lines += ["", f"### {tr('section.' + section)} ({len(changes)})", ""]
        if not changes:
            lines.append(tr("none"))
            continue
        lines.append(f"| {tr('col.severity')} | {tr('col.control')} | {tr('col.subject')} | {tr('col.change')} | "
                     f"{tr('col.reason')} |")
        lines.append("|---|---|---|---|---|")
        for change in changes:
            move = (_status(tr, change.new_status) if section == "new"
                    else f"{_status(tr, change.old_status)} → {_status(tr, change.new_status)}")
            severity = severity_word(change.severity, tr.lang)
            lines.append(f"| {severity} | {_md(change.control_id)} {_md(change.title)} | "
                         f"{_md(_subject(tr, change))} | {move} | {_md(change.reason)} |")
    lines += ["", f"### {tr('section.waivers')} ({len(diff.waivers)})", ""]
    lines += [f"- {_md(_waiver_line(tr, a, lang))}" for a in diff.waivers] or [tr("none")]
    lines += ["", f"- {tr('controls.added', ids=', '.join(diff.controls_added) or '—')}",
              f"- {tr('controls.removed', ids=', '.join(diff.controls_removed) or '—')}"]
    return "\n".join(lines) + "\n"


def render_diff(diff: Diff, fmt: str = "text", lang: str = "es") -> str:
    """The diff as `text` (terminal), `md` (a pull-request comment) or `json` (machines)."""
    if fmt == "json":
        from checker.diff import json_text

        return json_text(diff)
    tr = Translator("diff", lang)
    if fmt == "md":
        return _markdown(diff, tr, tr.lang)
    if fmt == "text":
        return _text(diff, tr, tr.lang)
    raise ValueError(f"unknown diff format {fmt!r}; use text, md or json")
