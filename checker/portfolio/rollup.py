"""Running totals over the programs of a portfolio -> summary.json, and the change since a previous run.

Only small figures per program are kept (path, score, counts, groups): the rows live in Parquet.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.portfolio.adapter import DOMAINS, FAILING, SEVERITIES, STATUSES
from checker.portfolio.worker import NO_VALUE, Program, group_values

__all__ = ["NO_VALUE", "Rollup", "change", "group_values", "histogram", "load_previous", "score_figures"]

SUMMARY_VERSION = 1


def score_figures(scores: list[float]) -> dict[str, float | None]:
    if not scores:
        return {"mean": None, "median": None, "min": None, "max": None}
    return {"mean": round(statistics.fmean(scores), 1), "median": round(statistics.median(scores), 1),
            "min": min(scores), "max": max(scores)}


@dataclass
class _Group:
    scores: list[float] = field(default_factory=list)
    programs: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict[str, int].fromkeys(STATUSES, 0))
    domains: dict[str, list[float]] = field(default_factory=dict)   # domain -> [sum, n]


@dataclass
class _Control:
    domain: str
    severity: str
    programs_failing: int = 0
    subjects_failing: int = 0
    programs_unknown: int = 0


class Rollup:
    """Feed it programs in input order; `summary()` gives the summary.json document."""

    def __init__(self, group_by: list[str], columns: list[str]) -> None:
        self.group_by = group_by
        self.columns = columns          # every grouping column of the Parquet files
        self.programs: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []
        self.counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        self.controls: dict[str, _Control] = {}
        self.groups: dict[str, dict[str, _Group]] = {g: {} for g in group_by}

    def add(self, program: Program) -> dict[str, str]:
        """Count one program; returns its group values (for the Parquet rows)."""
        values = group_values(program, self.columns)
        if program.error is not None:
            self.errors.append({"path": program.path, "message": program.error})
            return values
        self.programs.append({"path": program.path, "program": program.name, "score": program.score,
                              "counts": program.counts, "highest_failed_severity": program.highest,
                              "groups": {g: values[g] for g in self.columns}})
        for status, n in program.counts.items():
            self.counts[status] = self.counts.get(status, 0) + n
        # results rows: (control_id, domain, severity, status, subjects per status...)
        fail_at = [STATUSES.index(s) + 4 for s in FAILING]
        for row in program.results:
            control = self.controls.get(row[0])
            if control is None:
                control = self.controls[row[0]] = _Control(domain=row[1], severity=row[2])
            if row[3] in FAILING:
                control.programs_failing += 1
                control.subjects_failing += sum(row[i] for i in fail_at)
            elif row[3] == "unknown":
                control.programs_unknown += 1
        for g in self.group_by:
            group = self.groups[g].setdefault(values[g], _Group())
            group.programs += 1
            if program.score is not None:
                group.scores.append(program.score)
            for status, n in program.counts.items():
                group.counts[status] = group.counts.get(status, 0) + n
            for domain, value in program.domains.items():
                if value is not None:
                    acc = group.domains.setdefault(domain, [0.0, 0])
                    acc[0] += value
                    acc[1] += 1
        return values

    def summary(self, meta: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
        scores = [p["score"] for p in self.programs if p["score"] is not None]
        order = {c: i for i, c in enumerate(SEVERITIES)}
        rows: list[dict[str, Any]] = [
            {"control_id": cid, "domain": c.domain, "severity": c.severity, "programs_failing": c.programs_failing,
             "subjects_failing": c.subjects_failing, "programs_unknown": c.programs_unknown}
            for cid, c in self.controls.items()]
        controls = sorted(rows, key=lambda c: (-c["programs_failing"], order.get(c["severity"], 9), c["control_id"]))
        domain_order: dict[str, int] = {d: i for i, d in enumerate(DOMAINS)}
        groups: dict[str, Any] = {}
        for g, by_value in self.groups.items():
            groups[g] = {}
            for value in sorted(by_value):
                grp = by_value[value]
                groups[g][value] = {
                    "programs": grp.programs, "score": score_figures(grp.scores),
                    "histogram": histogram(grp.scores), "counts": grp.counts,
                    "domains": {d: round(s / n, 1) for d, (s, n) in
                                sorted(grp.domains.items(), key=lambda kv: domain_order.get(kv[0], 99))}}
        doc: dict[str, Any] = {
            "schema_version": SUMMARY_VERSION, **meta,
            "declarations": len(self.programs) + len(self.errors),
            "programs_evaluated": len(self.programs),
            "programs_with_errors": len(self.errors),
            "counts": self.counts,
            "score": score_figures(scores),
            "histogram": histogram(scores),
            "group_by": self.group_by,
            "groups": groups,
            "controls": controls,
            "programs": self.programs,
            "errors": self.errors,
        }
        if previous is not None:
            doc["change"] = change(doc, previous)
        return doc


def histogram(scores: list[float]) -> list[int]:
    """Programs per tenth of the score scale: [0,10), [10,20) ... [90,100]."""
    bins = [0] * 10
    for s in scores:
        bins[min(int(s // 10), 9)] += 1
    return bins


def load_previous(folder: Path) -> dict[str, Any]:
    """The summary.json of an earlier run (validated enough to compare: a dict with programs)."""
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("programs"), list):
        raise ValueError("summary.json has no programs list")
    return data


def change(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What moved since `before`: the mean score, each program's score, each group's, each control's."""
    old_scores = {p.get("path"): p.get("score") for p in before.get("programs", []) if isinstance(p, dict)}
    new_scores = {p["path"]: p["score"] for p in now["programs"]}
    improved = worsened = same = 0
    moves = []
    for path, score in new_scores.items():
        old = old_scores.get(path)
        if path not in old_scores or old is None or score is None or not isinstance(old, int | float):
            continue
        delta = round(score - old, 1)
        moves.append({"path": path, "before": old, "now": score, "delta": delta})
        if delta > 0:
            improved += 1
        elif delta < 0:
            worsened += 1
        else:
            same += 1
    moves.sort(key=lambda m: (m["delta"], m["path"]))
    old_mean = (before.get("score") or {}).get("mean")
    new_mean = now["score"]["mean"]
    groups: dict[str, dict[str, Any]] = {}
    for g, values in now["groups"].items():
        old_values = (before.get("groups") or {}).get(g) or {}
        groups[g] = {}
        for value, figures in values.items():
            was = ((old_values.get(value) or {}).get("score") or {}).get("mean")
            mean = figures["score"]["mean"]
            groups[g][value] = {"before": was, "now": mean,
                                "delta": None if was is None or mean is None else round(mean - was, 1)}
    old_controls = {c.get("control_id"): c.get("programs_failing") for c in before.get("controls", [])
                    if isinstance(c, dict)}
    controls = [{"control_id": c["control_id"], "before": old_controls.get(c["control_id"]),
                 "now": c["programs_failing"],
                 "delta": None if old_controls.get(c["control_id"]) is None
                 else c["programs_failing"] - old_controls[c["control_id"]]}
                for c in now["controls"]]
    controls.sort(key=lambda c: (-(c["delta"] or 0), c["control_id"]))
    return {
        "previous_as_of": before.get("as_of"),
        "score_before": old_mean, "score_now": new_mean,
        "score_delta": None if old_mean is None or new_mean is None else round(new_mean - old_mean, 1),
        "programs_improved": improved, "programs_worsened": worsened, "programs_unchanged": same,
        "programs_new": len([p for p in new_scores if p not in old_scores]),
        "programs_gone": len([p for p in old_scores if p not in new_scores]),
        "largest_drops": [m for m in moves if m["delta"] < 0][:10],
        "groups": groups,
        "controls": controls,
    }
