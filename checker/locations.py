"""Safe YAML loading that keeps the line and column of every key and list item.

Declarations and catalog files are hostile input. Before anything is built we walk the parser's
event stream once to refuse what can hurt: files over the size limit, aliases whose expansion would
explode (billion laughs), nesting deeper than any real declaration, and explicit tags (ruamel's
round-trip loader would keep them as objects). Only then does the round-trip loader build the tree,
which is converted to plain dicts and lists beside a table of locations.

Messages come from the `errors` catalog (checker/locales/errors.<lang>.json), Spanish by default.
"""

from __future__ import annotations

import errno
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ruamel.yaml
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

from checker import yaml_errors
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, format_number, messages, t

_HAVE_C = bool(getattr(ruamel.yaml, "__with_libyaml__", False))

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


def error_text(lang: str, key: str, /, **values: Any) -> str:
    """The text of `key` in the `errors` catalog.

    Every text there is a str.format template (literal braces are doubled), so it is formatted even
    without values; an unknown language falls back to Spanish instead of failing on a missing file.
    """
    lang = lang if lang in LANGS else DEFAULT_LANG
    return t("errors", lang, key, **values) if values else t("errors", lang, key).format()


def has_error_text(key: str) -> bool:
    # Both catalogs hold the same keys; Spanish is the reference.
    return key in messages("errors", DEFAULT_LANG)


def _fail(file: str, mark: Any, message: str, hint: str | None = None) -> InputError:
    line = mark.line + 1 if mark is not None else None
    col = mark.column + 1 if mark is not None else None
    return InputError(file, message, line, col, hint)


def _prescan(text: str, file: str, lang: str) -> None:
    """Refuse alias bombs, deep nesting and tags by walking parse events (cheap, no tree built).

    libyaml's C parser is twenty times faster, but it follows YAML 1.1 and refuses a few things
    the round-trip (YAML 1.2) loader accepts, such as `[ISO/IEC 27001:2022]`; on a syntax error
    from it, the pure parser, which decides what the file means, walks the events again.
    """
    if _HAVE_C:
        try:
            _walk_events(text, file, lang, pure=False)
            return
        except _CSyntaxError:
            pass
    _walk_events(text, file, lang, pure=True)


class _CSyntaxError(Exception):
    """libyaml refused the text: let the pure parser decide."""


def _walk_events(text: str, file: str, lang: str, pure: bool) -> None:
    yaml = YAML(typ="safe", pure=pure)
    sizes: dict[str, int] = {}          # anchor -> expanded node count
    open_anchors: list[tuple[str | None, int]] = []  # (anchor, count at start) per open collection
    total = 0
    depth = 0
    try:
        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent):
                tag = getattr(event, "tag", None)
                if tag is not None and not _plain_tag(tag):
                    raise _fail(file, event.start_mark, error_text(lang, "yaml.tag", tag=tag),
                                error_text(lang, "yaml.tag.hint"))
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
                    raise _fail(file, event.start_mark, error_text(lang, "yaml.too_deep", max=MAX_DEPTH),
                                error_text(lang, "yaml.too_deep.hint"))
                open_anchors.append((event.anchor, total))
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
                anchor, start = open_anchors.pop()
                if anchor:
                    sizes[anchor] = total - start + 1
            if total > MAX_NODES:
                mark = getattr(event, "start_mark", None)
                raise _fail(file, mark, error_text(lang, "yaml.too_many", max=format_number(MAX_NODES, lang, 0)),
                            error_text(lang, "yaml.too_many.hint"))
    except MarkedYAMLError as exc:
        if not pure:
            raise _CSyntaxError() from None
        raise _syntax_error(file, exc, lang, text) from None
    except YAMLError as exc:
        if not pure:
            raise _CSyntaxError() from None
        raise InputError(file, error_text(lang, "yaml.invalid", error=exc)) from None


def _plain_tag(tag: str) -> bool:
    # Explicit standard tags (!!str, !!int ...) are harmless; anything else is refused.
    return tag.startswith("tag:yaml.org,2002:") and tag.rsplit(":", 1)[-1] in {
        "str", "int", "float", "bool", "null", "map", "seq", "timestamp"}


# ruamel words its duplicate-key problem this way; the key and values are taken out to be re-worded.
_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*?)" with value "(?P<value>.*)" '
                        r'\(original value: "(?P<original>.*)"\)', re.DOTALL)
# ruamel's contexts read "while parsing a flow sequence": the construct is named after the article.
_CONTEXT = re.compile(r"while (?:parsing|scanning|constructing) (?:an?|the) (?P<what>.+)")


def _construct(context: str | None, lang: str) -> str:
    """The construct a syntax error started in, in the user's words (ruamel's phrase as fallback)."""
    found = _CONTEXT.fullmatch(context or "")
    key = f"yaml.construct.{found.group('what').replace(' ', '_')}" if found else ""
    if key and has_error_text(key):
        return error_text(lang, key)
    return error_text(lang, "yaml.construct.other", context=context or "?")


def _syntax_error(file: str, exc: MarkedYAMLError, lang: str, text: str | None = None) -> InputError:
    if (explained := yaml_errors.explain(file, exc, lang, text)) is not None:  # the usual causes, worded
        return explained
    mark = exc.problem_mark or exc.context_mark
    # The parser's own problem text stays as ruamel words it (English): it is a technical detail.
    problem = exc.problem or exc.context or error_text(lang, "yaml.syntax.unknown")
    if isinstance(exc, DuplicateKeyError):
        dup = _DUPLICATE.fullmatch(problem)
        message = error_text(lang, "yaml.duplicate_key", **dup.groupdict()) if dup else \
            error_text(lang, "yaml.duplicate_key.raw", problem=problem)
        return _fail(file, mark, message, error_text(lang, "yaml.duplicate_key.hint"))
    hint = error_text(lang, "yaml.syntax.hint")
    if exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        hint = error_text(lang, "yaml.syntax.hint_context", construct=_construct(exc.context, lang),
                          line=exc.context_mark.line + 1, column=exc.context_mark.column + 1)
    return _fail(file, mark, error_text(lang, "yaml.syntax", problem=problem), hint)


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves dates as text: pydantic parses them with a located error
    (ruamel's own date parsing raises a bare ValueError with no line for `2026-13-40`)."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def load_yaml_text(text: str, file: str, lang: str = DEFAULT_LANG) -> Located:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(file, lang)
    _prescan(text, file, lang)
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        raise _syntax_error(file, exc, lang, text) from None
    except YAMLError as exc:
        raise InputError(file, error_text(lang, "yaml.invalid", error=exc)) from None
    located = Located(file=file, data=None)
    located.locations[()] = (1, 1)
    located.data = _plain(tree, (), located, lang)
    return located


def _too_large(file: str, lang: str) -> InputError:
    return InputError(file, error_text(lang, "file.too_large", mb=MAX_BYTES // (1024 * 1024)),
                      hint=error_text(lang, "file.too_large.hint"))


def os_reason(exc: OSError, lang: str) -> str:
    """Why the OS refused the file, in the user's language when the case is a common one."""
    key = f"os.{errno.errorcode.get(exc.errno or 0, '')}"
    if has_error_text(key):
        return error_text(lang, key)
    return exc.strerror or str(exc)


def load_yaml_file(path: Path, display: str | None = None, lang: str = DEFAULT_LANG) -> Located:
    name = display or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _too_large(name, lang)
        # Read inside the same guard: a folder passes stat() and only fails here (IsADirectoryError).
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(name, error_text(lang, "file.unreadable", reason=os_reason(exc, lang)),
                         hint=error_text(lang, "file.unreadable.hint")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(name, error_text(lang, "file.not_utf8"), line, None,
                         error_text(lang, "file.not_utf8.hint")) from None
    return load_yaml_text(text, name, lang)


def _plain(node: Any, path: Path_, located: Located, lang: str) -> Any:
    """Round-trip nodes -> dict/list/scalars, recording where each key and item starts."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            line, col = node.lc.key(key)
            if not isinstance(key, str):
                raise InputError(located.file, error_text(lang, "yaml.key_not_text", key=repr(key)),
                                 line + 1, col + 1, error_text(lang, "yaml.key_not_text.hint"))
            located.locations[path + (key,)] = (line + 1, col + 1)
            out[key] = _plain(node[key], path + (key,), located, lang)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, item in enumerate(node):
            line, col = node.lc.item(i)
            located.locations[path + (i,)] = (line + 1, col + 1)
            items.append(_plain(item, path + (i,), located, lang))
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
