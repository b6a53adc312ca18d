"""The JSON result document: UTF-8, non-ASCII as is, 2-space indent, final newline (results.md).

orjson writes exactly what `json.dumps(doc, ensure_ascii=False, indent=2)` writes, six times faster
(the standard library falls back to its pure-Python encoder whenever `indent` is set): a /16 scan's
result is 50 MB of JSON. The standard library is the fallback; a test checks both give the same bytes.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from checker.render import RenderOptions

orjson: ModuleType | None
try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps the tool working without it
    orjson = None


def dumps_bytes(doc: dict[str, Any]) -> bytes:
    if orjson is not None:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def dumps(doc: dict[str, Any]) -> str:
    return dumps_bytes(doc).decode("utf-8")


def render(doc: dict[str, Any], options: RenderOptions) -> bytes:
    return dumps_bytes(doc)
