"""The imported declaration as YAML, each answered field under its question as a comment."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

Pos = tuple[str | int, ...]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _convert(node: Any, pos: Pos, column: int, comments: dict[Pos, str]) -> Any:
    if isinstance(node, dict):
        cm = CommentedMap()
        for key, value in node.items():
            # A mapping's keys sit two columns in; a list's items ("  - key: ...") four.
            cm[key] = _convert(value, pos + (key,), column + (4 if isinstance(value, list) else 2), comments)
            note = comments.get(pos + (key,))
            if note:
                cm.yaml_set_comment_before_after_key(key, before=_one_line(note), indent=column)
        return cm
    if isinstance(node, list):
        seq = CommentedSeq()
        for i, value in enumerate(node):
            seq.append(_convert(value, pos + (i,), column, comments))
        return seq
    return node


def dump(declaration: dict[str, Any], comments: dict[Pos, str], header: list[str]) -> bytes:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    doc = _convert(declaration, (), 0, comments)
    doc.yaml_set_start_comment("\n".join(_one_line(h) for h in header))
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue().encode("utf-8")
