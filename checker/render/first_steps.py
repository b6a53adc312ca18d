"""The start of the report: "What to do first" and "What is left to declare".

Computed once from the result document (a pure function of it) for the HTML/PDF and Markdown
reports, so they cannot drift apart.

What to do first: the failing and partial controls are grouped into actions by domain and owner
role (the same team fixes the same subject: rewriting the privacy notice closes every notice
control). Each action is worth the score points it would add if its controls passed, and costs the
effort of its hardest control; the actions that add the most points per unit of effort come first,
at most ten. Undecided controls are never among them: they are listed apart, with the fields to fill.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from checker.i18n import format_date, format_number, t
from checker.result import ControlResult, ResultDocument, as_document
from checker.vocabulary import CREDIT, WEIGHTS, domain_word, severity_word

SEVERITIES = ("critical", "high", "medium", "low")  # worst first
EFFORT_UNITS = {"low": 1, "medium": 2, "high": 4}
DEADLINE_DAYS = {"critical": 30, "high": 60, "medium": 90, "low": 180}  # as the remediation plan states
MAX_ACTIONS = 10
MIN_ACTIONS = 5
# An action worth less than this share of the best one is left for the full plan (when five are already listed).
MIN_SHARE = 0.15


@dataclass(frozen=True)
class ClosedControl:
    id: str
    title: str
    anchor: str


@dataclass(frozen=True)
class FirstAction:
    num: int
    domain_label: str
    what: str                  # the remediation of the weightiest control of the group
    controls: list[ClosedControl]
    systems: list[str]         # names of the systems concerned (empty: the program as a whole)
    owner: str
    severity: str              # the worst severity among its controls (sets the deadline)
    severity_label: str
    deadline: str
    effort_label: str
    gain_text: str             # "+6.1 puntos"


@dataclass(frozen=True)
class Undeclared:
    id: str
    title: str
    anchor: str
    severity: str
    severity_label: str
    fields: list[str]


@dataclass(frozen=True)
class FirstSteps:
    actions: list[FirstAction]
    actions_intro: str
    gain_total_text: str
    undeclared: list[Undeclared]
    undeclared_intro: str


def _anchors(results: list[ControlResult]) -> dict[str, str]:
    # The report links a control as c-<its position in the results> (see report_model).
    return {r.control_id: f"c-{i}" for i, r in enumerate(results)}


def _rt(lang: str, key: str, /, **values: Any) -> str:
    return t("report", lang, key, **values)


def _st(lang: str, key: str, /, **values: Any) -> str:
    return t("report_start", lang, key, **values)


def _denominator(results: list[ControlResult]) -> float:
    return float(sum(WEIGHTS[r.severity] for r in results if r.status not in ("not_applicable", "waived")))


def _gain(r: ControlResult, den: float) -> float:
    credit = float(CREDIT.get(r.status, 0))
    return 100.0 * WEIGHTS[r.severity] * (1.0 - credit) / den if den else 0.0


def _systems(r: ControlResult) -> list[str]:
    names = [f.subject.name or f.subject.id for f in r.findings
             if f.subject.kind == "system" and f.status in ("fail", "partial")]
    return list(dict.fromkeys(n for n in names if n))


_ITEM = re.compile(r"\[([^\]]*)\]")


def field_groups(missing: list[str], lang: str, shown: int = 3) -> list[str]:
    """`systems[a].logging.review`, `systems[b].logging.review` -> "systems.logging.review (a, b)": one
    line per field, naming the items it is missing on (the first few), so a long list stays readable."""
    groups: dict[str, list[str]] = {}
    for path in missing:
        items = _ITEM.findall(path)
        groups.setdefault(_ITEM.sub("", path), []).extend(items)
    out = []
    for field, items in groups.items():
        items = list(dict.fromkeys(items))
        if not items:
            out.append(field)
            continue
        more = len(items) - shown
        listed = ", ".join(items[:shown]) + (" " + _st(lang, "undeclared.more", n=more) if more > 0 else "")
        out.append(f"{field} ({listed})")
    return out


def first_steps(doc: ResultDocument | dict[str, Any], lang: str) -> FirstSteps:
    doc = as_document(doc)
    results = list(doc.results)
    den = _denominator(results)
    anchor = _anchors(results)
    groups: dict[tuple[str, str], list[ControlResult]] = defaultdict(list)
    for r in results:
        if r.status in ("fail", "partial"):
            groups[(r.domain, r.text(lang).owner_role or "")].append(r)
    try:
        as_of: date | None = date.fromisoformat(doc.as_of)
    except ValueError:
        as_of = None
    ranked = []
    for (domain, owner), members in groups.items():
        members.sort(key=lambda r: (SEVERITIES.index(r.severity), r.control_id))
        gain = sum(_gain(r, den) for r in members)
        effort = max((r.effort if r.effort in EFFORT_UNITS else "medium" for r in members),
                     key=lambda e: EFFORT_UNITS[str(e)])
        ranked.append((gain / EFFORT_UNITS[str(effort)], gain, domain, owner, str(effort), members))
    ranked.sort(key=lambda g: (-g[0], -g[1], g[2], g[3]))
    best = ranked[0][0] if ranked else 0.0
    chosen = [g for i, g in enumerate(ranked[:MAX_ACTIONS]) if i < MIN_ACTIONS or g[0] >= MIN_SHARE * best]
    actions = []
    for num, (_, gain, domain, owner, effort, members) in enumerate(chosen, 1):
        worst = members[0].severity
        deadline = format_date(as_of + timedelta(days=DEADLINE_DAYS[worst]), lang) if as_of else "—"
        systems = list(dict.fromkeys(name for r in members for name in _systems(r)))
        actions.append(FirstAction(
            num=num, domain_label=domain_word(domain, lang), what=members[0].text(lang).remediation,
            controls=[ClosedControl(r.control_id, r.text(lang).title, anchor[r.control_id]) for r in members],
            systems=systems, owner=owner or _st(lang, "owner_unknown"), severity=worst,
            severity_label=severity_word(worst, lang), deadline=deadline,
            effort_label=_rt(lang, f"effort.{effort}"),
            gain_text=_st(lang, "gain", points=format_number(gain, lang, 1))))
    total = sum(g[1] for g in chosen)
    undecided = sorted((r for r in results if r.status == "unknown"),
                       key=lambda r: (SEVERITIES.index(r.severity), r.control_id))
    undeclared = [Undeclared(r.control_id, r.text(lang).title, anchor[r.control_id], r.severity,
                             severity_word(r.severity, lang), field_groups(list(r.missing), lang))
                  for r in undecided]
    n_controls = sum(len(a.controls) for a in actions)
    days = ", ".join(f"{severity_word(s, lang).lower()} {d}" for s, d in DEADLINE_DAYS.items())
    return FirstSteps(
        actions=actions,
        actions_intro=_st(lang, "actions.intro", n=len(actions), controls=n_controls, days=days),
        gain_total_text=format_number(total, lang, 1),
        undeclared=undeclared,
        undeclared_intro=_st(lang, "undeclared.intro", n=len(undeclared)) if undeclared else
        _st(lang, "undeclared.none"))
