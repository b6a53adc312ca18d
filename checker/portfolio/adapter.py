"""The one place that reads an evaluation's result document for the portfolio.

The result document is a dict today (results.md); when it becomes a typed model, only this module
changes: statuses, counts, scores and the words for domains, severities and statuses are read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.catalog import DOMAINS, SEVERITIES
from checker.evaluate import STATUSES
from checker.i18n import t

__all__ = ["DOMAINS", "FAILING", "SEVERITIES", "STATUSES", "control_rows", "domain_scores", "finding_rows",
           "highest_failed_severity", "program_fields", "score", "status_counts", "word"]

# A control "fails" in the roll-up when it is not met, in part or whole (unknown is counted apart).
FAILING = ("fail", "partial")


def score(doc: dict[str, Any]) -> float | None:
    value = doc["summary"]["score"]
    return None if value is None else float(value)


def status_counts(doc: dict[str, Any]) -> dict[str, int]:
    counts = doc["summary"]["counts"]
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def domain_scores(doc: dict[str, Any]) -> dict[str, float | None]:
    return {d: v["score"] for d, v in doc["summary"]["by_domain"].items()}


def highest_failed_severity(doc: dict[str, Any]) -> str | None:
    value = doc["summary"].get("highest_failed_severity")
    return str(value) if value else None


def program_fields(doc: dict[str, Any]) -> tuple[str, str, str]:
    """(name, operator type, state) of the program evaluated."""
    program = doc["program"]
    jurisdiction = program.get("jurisdiction") or {}
    return program["name"], program.get("operator_type") or "", jurisdiction.get("state") or ""


def control_rows(doc: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """(control_id, domain, severity, status, subjects per status in STATUSES order) per control."""
    for r in doc["results"]:
        per = dict.fromkeys(STATUSES, 0)
        for f in r["findings"]:
            per[f["status"]] = per.get(f["status"], 0) + 1
        yield (r["control_id"], r["domain"], r["severity"], r["status"], *(per[s] for s in STATUSES))


def finding_rows(doc: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """(control_id, domain, severity, status, subject kind, subject id, code, field, line, column, reason)."""
    for r in doc["results"]:
        for f in r["findings"]:
            loc = f.get("location") or {}
            yield (r["control_id"], r["domain"], r["severity"], f["status"], f["subject"]["kind"],
                   f["subject"]["id"], f["code"], f.get("path") or "", loc.get("line"), loc.get("column"),
                   f.get("reason") or "")


def word(kind: str, value: str, lang: str) -> str:
    """The word for a domain, severity or status in the user's language."""
    return t("report", lang, f"{kind}.{value}")
