"""Follow-up of the previous audit (`audit.previous_result`): for each control that was a gap then or is
one now, whether it is closed, still open, worse, or new.

The previous result is a JSON file inside the declaration's folder (never outside it: the path comes
from a file someone else may have written), read with a size limit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import t

AREA = "audit"
GAPS = ("fail", "partial", "unknown")
RANK = {"unknown": 1, "partial": 2, "fail": 3}        # worse to the right (results.md: the worst finding)
STATES = ("worse", "new", "still_open", "closed")     # the order of the report's table
MAX_BYTES = 64 * 1024 * 1024


def load_previous(base_dir: Path, relative: str, declaration: str, where: tuple[int | None, int | None],
                  lang: str) -> dict[str, Any]:
    line, column = where

    def fail(key: str, **kw: Any) -> InputError:
        return InputError(declaration, t(AREA, lang, key, path=relative, **kw), line, column,
                          t(AREA, lang, "previous.hint"))

    root = base_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise fail("previous.outside")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise fail("previous.too_large", mb=MAX_BYTES // (1024 * 1024))
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise fail("previous.unreadable", error=exc.strerror or type(exc).__name__) from None
    except ValueError:
        raise fail("previous.not_json") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise fail("previous.not_result")
    return data


def _gap_count(result: dict[str, Any]) -> int:
    return sum(1 for f in result.get("findings") or [] if isinstance(f, dict) and f.get("status") in GAPS)


def follow_up(previous: dict[str, Any], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    before = {r.get("control_id"): r for r in previous.get("results") or [] if isinstance(r, dict)}
    items: list[dict[str, Any]] = []
    for r in results:
        old = before.get(r["control_id"])
        was = old.get("status") if old else None
        now = r["status"]
        was_gap, is_gap = was in GAPS, now in GAPS
        if not was_gap and not is_gap:
            continue
        if was_gap and not is_gap:
            state = "closed"
        elif not was_gap:
            state = "new"
        elif RANK[now] > RANK[str(was)] or (now == was and old is not None and _gap_count(r) > _gap_count(old)):
            state = "worse"
        else:
            state = "still_open"
        items.append({"control_id": r["control_id"], "title": r.get("title"), "severity": r["severity"],
                      "before": was, "now": now, "state": state})
    items.sort(key=lambda i: STATES.index(i["state"]))   # stable: catalog order within each state
    return items


def follow_up_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for i in items:
        counts[i["state"]] += 1
    return counts
