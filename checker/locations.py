"""Safe YAML loading that keeps the line and column of every key and list item.

Declarations and catalog files are hostile input. Before anything is built we walk the parser's
event stream once to refuse what can hurt: files over the size limit, aliases whose expansion would
explode (billion laughs), nesting deeper than any real declaration, and explicit tags (ruamel's
round-trip loader would keep them as objects). Only then does the round-trip loader build the tree,
which is converted to plain dicts and lists beside a table of locations.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)

from checker.errors import InputError

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion; a large real declaration has a few thousand
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """A YAML document as plain data, with the 1-based (line, column) of each key and item."""

    file: str
    data: Any
    locations: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[int, int]:
        """The location of `path`, or of its nearest located parent when it is absent."""
        p = tuple(path)
        while p:
            if p in self.locations:
                return self.locations[p]
            p = p[:-1]
        return self.locations.get((), (1, 1))


def _fail(file: str, mark: Any, message: str, hint: str | None = None) -> InputError:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return InputError(file, message, line, col, hint)


def _prescan(text: str, file: str) -> None:
    """Refuse alias bombs, deep nesting and tags by walking parse events (cheap, no tree built)."""
    yaml = YAML(typ="safe", pure=True)
    sizes: dict[str, int] = {}          # anchor -> expanded node count
    open_anchors: list[tuple[str | None, int]] = []  # (anchor, count at start) per open collection
    total = 0
    depth = 0
    try:
        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
                tag = getattr(event, "tag", None)
                if tag is not None and not _plain_tag(tag):
                    raise _fail(file, event.start_mark, f"YAML tag {tag!r} is not allowed",
                                "remove the tag: declarations hold plain values only")
            if isinstance(event, AliasEvent):
                grow = sizes.get(event.anchor, 1)
                total += grow
            elif isinstance(event, ScalarEvent):
                total += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, CollectionStartEvent):
                total += 1
                depth += 1
                if depth > MAX_DEPTH:
                    raise _fail(file, event.start_mark, f"nesting deeper than {MAX_DEPTH} levels",
                                "flatten the document; no declaration needs this depth")
                open_anchors.append((event.anchor, total))
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
                anchor, start = open_anchors.pop()
                if anchor:
                    sizes[anchor] = total - start + 1
            if total > MAX_NODES:
                mark = getattr(event, "start_mark", None)
                raise _fail(file, mark, f"the document expands to more than {MAX_NODES:,} values "
                            "(aliases that multiply, a 'billion laughs' file?)",
                            "write the values out instead of repeating aliases")
    except MarkedYAMLError as exc:
        raise _syntax_error(file, exc) from None
    except YAMLError as exc:
        raise InputError(file, f"not valid YAML: {exc}") from None


def _plain_tag(tag: str) -> bool:
    # Explicit standard tags (!!str, !!int ...) are harmless; anything else is refused.
    return tag.startswith("tag:yaml.org,2002:") and tag.rsplit(":", 1)[-1] in {
        "str", "int", "float", "bool", "null", "map", "seq", "timestamp"}


def _syntax_error(file: str, exc: MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "syntax error"
    if isinstance(exc, DuplicateKeyError):
        return _fail(file, mark, f"duplicate key: {problem}",
                     "each key may appear once in a mapping; remove or merge the repeated one")
    hint = "check indentation, colons and quotes on this line"
    if exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        hint += f" and the {exc.context or 'construct'} that starts at line {exc.context_mark.line + 1}, " \
                f"column {exc.context_mark.column + 1}"
    return _fail(file, mark, f"YAML syntax error: {problem}", hint)


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves dates as text: pydantic parses them with a located error
    (ruamel's own date parsing raises a bare ValueError with no line for `2026-13-40`)."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def load_yaml_text(text: str, file: str) -> Located:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError(file, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB",
                         hint="a declaration describes a program; it never needs this size")
    _prescan(text, file)
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        raise _syntax_error(file, exc) from None
    except YAMLError as exc:
        raise InputError(file, f"not valid YAML: {exc}") from None
    located = Located(file=file, data=None)
    located.locations[()] = (1, 1)
    located.data = _plain(tree, (), located)
    return located


def load_yaml_file(path: Path, display: str | None = None) -> Located:
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(name, f"cannot read the file: {exc.strerror}",
                         hint="check the path and its permissions") from None
    if size > MAX_BYTES:
        raise InputError(name, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB",
                         hint="a declaration describes a program; it never needs this size")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(name, "the file is not UTF-8 text", line, None,
                         "save it as UTF-8") from None
    return load_yaml_text(text, name)


def _plain(node: Any, path: Path_, located: Located) -> Any:
    """Round-trip nodes -> dict/list/scalars, recording where each key and item starts."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            line, col = node.lc.key(key)
            if not isinstance(key, str):
                raise InputError(located.file, f"key {key!r} is not text", line + 1, col + 1,
                                 "write keys as plain words")
            located.locations[path + (key,)] = (line + 1, col + 1)
            out[key] = _plain(node[key], path + (key,), located)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            located.locations[path + (i,)] = (line + 1, col + 1)
            items.append(_plain(item, path + (i,), located))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's scalar string subclasses
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node  # dates and datetimes


_BRANCH_TAGS = ("literal", "function-after", "function-before", "function-wrap")


def data_path(loc: tuple[Any, ...], data: Any) -> Path_:
    """The part of a pydantic error `loc` that walks `data`, so its line and column can be found.

    Union branch tags (model names, `literal[...]`) are dropped; a final absent key (missing or
    unknown) is kept so the message can name it. Pydantic reports the key `in` of a check under its
    Python name `in_`.
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        key = "in" if part == "in_" and isinstance(node, dict) and "in" in node else part
        in_map = isinstance(node, dict) and isinstance(key, str) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if in_map or in_list:
            out.append(key)
            node = node[key]
        elif isinstance(node, dict) and isinstance(key, str) and key[:1].islower() and "[" not in key \
                and key not in _BRANCH_TAGS:
            out.append(key)
            node = None
    return tuple(out)
