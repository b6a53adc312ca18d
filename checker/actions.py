"""Remediation tracking (contract 1.1 `actions`): each gap's action, overdue actions, and actions marked
done whose gap is still open. Those last two are findings of their own in the report (a section, not a
control): the plan said one thing, the evaluation shows another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GAPS = ("fail", "partial", "unknown")


@dataclass(frozen=True)
class ActionState:
    id: str
    controls: tuple[str, ...]
    subjects: tuple[str, ...]
    description: str | None
    owner: str | None
    due: dt.date | None
    status: str | None
    done_on: dt.date | None
    overdue: bool                  # not done (nor dropped) and its due date has passed
    done_but_open: bool            # marked done while a gap it covers is still open
    open_gaps: tuple[str, ...]     # the controls it covers that are still gaps

    def covers(self, control_id: str, subject_id: str | None = None) -> bool:
        if control_id not in self.controls:
            return False
        return subject_id is None or not self.subjects or subject_id in self.subjects

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "controls": list(self.controls), "subjects": list(self.subjects),
                "description": self.description, "owner": self.owner,
                "due": self.due.isoformat() if self.due else None, "status": self.status,
                "done_on": self.done_on.isoformat() if self.done_on else None, "overdue": self.overdue,
                "done_but_open": self.done_but_open, "open_gaps": list(self.open_gaps)}


def _gap_subjects(result: dict[str, Any]) -> set[str]:
    return {f["subject"]["id"] for f in result.get("findings") or [] if f.get("status") in GAPS}


def action_states(items: Iterable[Any], results: list[dict[str, Any]], as_of: dt.date) -> list[ActionState]:
    gaps = {r["control_id"]: _gap_subjects(r) | {"*"} for r in results if r["status"] in GAPS}
    out: list[ActionState] = []
    for a in items:
        controls = tuple(a.controls or ())
        subjects = tuple(a.subjects or ())
        open_gaps = tuple(c for c in controls if c in gaps and (not subjects or gaps[c] & set(subjects)))
        # A done_on after the evaluation date had not happened yet then.
        done = a.status == "done" and (a.done_on is None or a.done_on <= as_of)
        overdue = not done and a.status != "dropped" and a.due is not None and a.due < as_of
        out.append(ActionState(a.id, controls, subjects, a.description, a.owner, a.due, a.status, a.done_on,
                               bool(overdue), done and bool(open_gaps), open_gaps))
    return out


def progress(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Action progress between two results (for `diff`): each action whose status, due date or
    overdue flag changed, and the actions that appeared or disappeared."""
    before = {a["id"]: a for a in old}
    after = {a["id"]: a for a in new}
    changes: list[dict[str, Any]] = []
    for aid, a in after.items():
        b = before.get(aid)
        if b is None:
            changes.append({"id": aid, "change": "added", "old": None, "new": a.get("status"),
                            "overdue": a.get("overdue", False)})
        elif (b.get("status"), b.get("due"), b.get("overdue")) != (a.get("status"), a.get("due"), a.get("overdue")):
            changes.append({"id": aid, "change": "changed", "old": b.get("status"), "new": a.get("status"),
                            "overdue": a.get("overdue", False), "old_due": b.get("due"), "new_due": a.get("due")})
    for aid, b in before.items():
        if aid not in after:
            changes.append({"id": aid, "change": "removed", "old": b.get("status"), "new": None, "overdue": False})
    return changes
