"""The JSON result document: UTF-8, non-ASCII as is, 2-space indent, final newline (results.md)."""

from __future__ import annotations

import json
from typing import Any

from checker.render import RenderOptions


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    return dumps(doc).encode("utf-8")
