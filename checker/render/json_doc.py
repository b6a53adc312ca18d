"""The JSON result document: UTF-8, non-ASCII as is, 2-space indent, final newline (results.md).

The writing itself is `checker.result.dumps_bytes` (orjson, with the standard library as fallback).
"""

from __future__ import annotations

from typing import Any

from checker.render import RenderOptions
from checker.result import ResultDocument, as_document, dumps_bytes

__all__ = ["dumps", "dumps_bytes", "render"]


def dumps(doc: ResultDocument | dict[str, Any]) -> str:
    data = doc.to_dict() if isinstance(doc, ResultDocument) else doc
    return dumps_bytes(data).decode("utf-8")


def render(doc: ResultDocument | dict[str, Any], options: RenderOptions) -> bytes:
    return as_document(doc).to_json()
