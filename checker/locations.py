"""Safe YAML loading that keeps the line and column of every key and list item.

Declarations and catalog files are hostile input. The tree is built in one pass over libyaml's
parse events (ruamel.yaml.clib's C parser): each key and item gets the line and column where it
starts, and on the way we refuse what can hurt: files over the size limit, aliases whose expansion
would explode (billion laughs), nesting deeper than any real declaration, tags other than the
standard ones, merge keys (`<<`), values a standard tag does not fit (`!!bool quizas`), integers
past 64 bits and duplicate keys.

libyaml follows YAML 1.1 and refuses a few texts that YAML 1.2 accepts (`[ISO/IEC 27001:2022]`);
when it refuses, ruamel's pure parser walks the text instead: it decides what the file means and
words the syntax errors (one place: `_syntax_error`). Plain scalars are read by the YAML 1.2 core
schema as ruamel's round-trip loader reads them; dates stay text for pydantic to parse with a
located error.

Messages come from the `errors` catalog (checker/locales/errors.<lang>.json), Spanish by default.
"""

from __future__ import annotations

import errno
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from checker import yaml_errors
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, format_number, messages, t
from checker.inputs import decode_utf8

try:  # the C parser comes with ruamel.yaml.clib (CPython); without it the pure parser does the work
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyPy or a build without the extension
    _CParser = None

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # after alias expansion; a large real declaration has a few thousand
MAX_DEPTH = 64
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what a 64-bit column (Parquet, JSON readers) can hold

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


# -- syntax errors: the one place a parser's refusal becomes a message ---------------------------
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
    """A parser's refusal as a located message with a fix (the hook for worded syntax messages)."""
    if (explained := yaml_errors.explain(file, exc, lang, text)) is not None:  # the usual causes, worded
        return explained
    mark = exc.problem_mark or exc.context_mark
    # The parser's own problem text stays as ruamel words it (English): it is a technical detail.
    problem = exc.problem or exc.context or error_text(lang, "yaml.syntax.unknown")
    hint = error_text(lang, "yaml.syntax.hint")
    if "escape" in problem:
        hint = error_text(lang, "yaml.escape.hint")
    elif exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        hint = error_text(lang, "yaml.syntax.hint_context", construct=_construct(exc.context, lang),
                          line=exc.context_mark.line + 1, column=exc.context_mark.column + 1)
    return _fail(file, mark, error_text(lang, "yaml.syntax", problem=problem), hint)


# -- scalars: the YAML 1.2 core schema, as ruamel's round-trip loader reads it -------------------
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_FLOAT = re.compile(r"""[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)""", re.X)
_INT = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_NUMBER_START = frozenset("-+.0123456789")
_STD = "tag:yaml.org,2002:"
# Explicit standard tags are harmless; anything else (!!python/..., !!binary, local tags) is refused.
_SCALAR_TAGS = frozenset(_STD + s for s in ("str", "int", "float", "bool", "null", "timestamp"))
_NO_NUMBER = object()


class _BadScalar(Exception):
    """A value a number or a tag cannot hold; the key says which message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _int(text: str) -> int | object:
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    digits = digits.lstrip("+-")
    base = 10
    if digits[:2] in ("0b", "0o", "0x"):
        base = {"0b": 2, "0o": 8, "0x": 16}[digits[:2]]
        digits = digits[2:]
    if not digits:
        return _NO_NUMBER  # `_` or `0x_`: text, not a number (ruamel itself fails on these)
    # Refuse before converting: int() of 4,300 digits or more raises, and huge values cost time.
    if len(digits.lstrip("0")) > 64:
        raise _BadScalar("yaml.int_range")
    value = sign * int(digits, base)
    if not INT_MIN <= value <= INT_MAX:
        raise _BadScalar("yaml.int_range")
    return value


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value.lstrip("+-") in (".inf", ".nan"):
        return float(value.replace(".", ""))
    return float(value)


# Plain scalars repeat (keys, enumerations, booleans) within a declaration and across a portfolio:
# what each text means is worked out once per process (bounded; a text that is refused is not kept).
_PLAIN_SEEN: dict[str, Any] = {}
_PLAIN_SEEN_MAX = 50_000


def _plain_scalar(text: str) -> Any:
    """What an untagged plain scalar means (quoted ones are always text)."""
    if text in _NULLS:
        return None
    found = _BOOLS.get(text)
    if found is not None:
        return found
    if text[0] in _NUMBER_START:
        if _FLOAT.fullmatch(text):
            return _float(text)
        if _INT.fullmatch(text):
            value = _int(text)
            if value is not _NO_NUMBER:
                return value
    return text  # text, including dates (pydantic parses them with a located error)


def _tagged_scalar(tag: str, text: str) -> Any:
    """A scalar with an explicit standard tag: the text must fit the tag."""
    kind = tag[len(_STD):]
    if kind in ("str", "timestamp"):
        return text
    if kind == "bool" and text in _BOOLS:
        return _BOOLS[text]
    if kind == "null" and text in _NULLS:
        return None
    if kind == "int" and _INT.fullmatch(text):
        value = _int(text)
        if value is not _NO_NUMBER:
            return value
    if kind == "float" and (_FLOAT.fullmatch(text) or _INT.fullmatch(text)):
        return _float(text)
    raise _BadScalar("yaml.tag_value")


# -- events -> plain data with locations --------------------------------------------------------
def _pure_events(text: str) -> Iterator[Any]:
    yield from YAML(typ="safe", pure=True).parse(io.StringIO(text))


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Builder:
    """Builds plain dicts, lists and scalars from parse events, recording where each key and item
    starts and refusing what the module docstring lists."""

    def __init__(self, file: str, lang: str) -> None:
        self.file = file
        self.lang = lang

    def fail(self, mark: Any, key: str, hint: str | None = None, /, **values: Any) -> InputError:
        hint_text = error_text(self.lang, hint if hint is not None else f"{key}.hint")
        return _fail(self.file, mark, error_text(self.lang, key, **values), hint_text)

    def build(self, events: Iterator[Any], located: Located) -> Any:
        locations = located.locations
        anchors: dict[str, tuple[Any, int]] = {}   # anchor -> (value, expanded node count)
        # One frame per open collection: [container, path, pending key, key mark, anchor, count at start,
        # duplicate key seen (its mark), start mark].
        stack: list[list[Any]] = []
        total = 0
        documents = 0
        root: Any = None
        for event in events:
            kind = type(event)
            value: Any
            if kind is ScalarEvent:
                # Most events: the same steps as the branch below, without the path only collections need.
                mark = event.start_mark
                frame = stack[-1] if stack else None
                if frame is not None and type(frame[0]) is list:
                    locations[frame[1] + (len(frame[0]),)] = (mark.line + 1, mark.column + 1)
                total += 1
                tag = event.tag
                try:
                    if tag is None and event.implicit[0]:
                        text = event.value
                        value = _PLAIN_SEEN.get(text, _NO_NUMBER)
                        if value is _NO_NUMBER:
                            value = _plain_scalar(text)
                            if len(_PLAIN_SEEN) < _PLAIN_SEEN_MAX:
                                _PLAIN_SEEN[text] = value
                    elif tag is None or tag == "!":
                        value = event.value
                    elif tag in _SCALAR_TAGS:
                        value = _tagged_scalar(tag, event.value)
                    else:
                        raise self.fail(mark, "yaml.tag", tag=tag)
                except _BadScalar as bad:
                    raise self.fail(mark, bad.key, value=event.value, tag=tag or "",
                                    min=INT_MIN, max=INT_MAX) from None
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                if total > MAX_NODES:
                    raise self._too_many(mark)
                if frame is None:
                    root = value
                elif type(frame[0]) is list:
                    frame[0].append(value)
                elif frame[2] is not None and frame[6] is None:
                    frame[0][frame[2]] = value  # a mapping's value, its key already placed
                    frame[2] = None
                elif frame[2] is None and value.__class__ is str and value != "<<" and value not in frame[0]:
                    # a new key: where it starts, and it waits for its value
                    locations[frame[1] + (value,)] = (mark.line + 1, mark.column + 1)
                    frame[2] = value
                    frame[3] = mark
                else:
                    self._add(frame, value, mark, event.implicit[0] and tag is None, locations)
            elif kind is AliasEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                mark = event.start_mark
                frame = stack[-1] if stack else None
                # Where this node sits: a key of a mapping, a value (after its key), or a list item.
                if frame is None:
                    path: Path_ = ()
                elif type(frame[0]) is list:
                    path = frame[1] + (len(frame[0]),)
                    locations[path] = (mark.line + 1, mark.column + 1)
                else:
                    path = frame[1] + (frame[2],) if frame[2] is not None else frame[1]
                if kind is AliasEvent:
                    found = anchors.get(event.anchor)
                    if found is None:
                        raise _fail(self.file, mark, error_text(
                            self.lang, "yaml.syntax", problem=f"found undefined alias '{event.anchor}'"),
                            error_text(self.lang, "yaml.alias_undefined.hint"))
                    value, size = found
                    total += size
                else:
                    total += 1
                    tag = event.tag
                    wanted = _STD + ("map" if kind is MappingStartEvent else "seq")
                    if tag is not None and tag != "!" and tag != wanted:
                        raise self.fail(mark, "yaml.tag", tag=tag)
                    if len(stack) >= MAX_DEPTH:
                        raise self.fail(mark, "yaml.too_deep", max=MAX_DEPTH)
                    container: Any = {} if kind is MappingStartEvent else []
                    stack.append([container, path, None, None, event.anchor, total, None, mark])
                    if total > MAX_NODES:
                        raise self._too_many(mark)
                    continue
                if total > MAX_NODES:
                    raise self._too_many(mark)
                if frame is None:
                    root = value
                else:
                    self._add(frame, value, mark, False, locations)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                value = frame[0]
                if frame[4]:
                    anchors[frame[4]] = (value, total - frame[5] + 1)
                if stack:
                    self._add(stack[-1], value, frame[7], False, locations)
                else:
                    root = value
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _fail(self.file, event.start_mark, error_text(
                        self.lang, "yaml.syntax", problem="expected a single document in the stream"),
                        error_text(self.lang, "yaml.one_document.hint"))
                version = getattr(event, "version", None)
                if version is not None and tuple(version) != (1, 2):
                    raise self.fail(event.start_mark, "yaml.version",
                                    version=".".join(str(v) for v in version))
        return root

    def _add(self, frame: list[Any], value: Any, mark: Any, plain: bool,
             locations: dict[Path_, tuple[int, int]]) -> None:
        container = frame[0]
        if type(container) is list:
            container.append(value)
            return
        key = frame[2]
        if key is None:  # this value is a key
            if type(value) is not str:
                raise self.fail(mark, "yaml.key_not_text", key=repr(value) if not isinstance(value, dict | list)
                                else _shown(value))
            if value == "<<" and plain:
                raise self.fail(mark, "yaml.merge_key")
            if value in container:
                frame[6] = mark  # reported once its value is known, to show both values
            else:
                locations[frame[1] + (value,)] = (mark.line + 1, mark.column + 1)
            frame[2] = value
            frame[3] = mark
            return
        if frame[6] is not None:
            raise _fail(self.file, frame[6], error_text(
                self.lang, "yaml.duplicate_key", key=key, value=_shown(value), original=_shown(container[key])),
                error_text(self.lang, "yaml.duplicate_key.hint"))
        container[key] = value
        frame[2] = None

    def _too_many(self, mark: Any) -> InputError:
        return self.fail(mark, "yaml.too_many", max=format_number(MAX_NODES, self.lang, 0))


def load_yaml_text(text: str, file: str, lang: str = DEFAULT_LANG) -> Located:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_large(file, lang)
    builder = _Builder(file, lang)
    c_error: MarkedYAMLError | None = None
    if _CParser is not None:
        located = Located(file=file, data=None, locations={(): (1, 1)})
        parser = None
        try:
            parser = _CParser(text)
            # The events straight from libyaml's parser until it gives None: no generator frame to
            # resume for each of a declaration's thousand events.
            located.data = builder.build(iter(parser.get_event, None), located)
            return located
        except YAMLError as exc:
            # libyaml refused the text: the pure parser decides (YAML 1.2) and words the error.
            c_error = exc if isinstance(exc, MarkedYAMLError) else None
        finally:
            if parser is not None:
                parser.dispose()
    located = Located(file=file, data=None, locations={(): (1, 1)})
    try:
        located.data = builder.build(_pure_events(text), located)
    except MarkedYAMLError as exc:
        raise _syntax_error(file, exc, lang, text) from None
    except YAMLError as exc:
        raise InputError(file, error_text(lang, "yaml.invalid", error=exc)) from None
    except (ValueError, OverflowError) as exc:
        # The pure scanner crashes on what libyaml refuses cleanly (a `\U` escape past U+10FFFF).
        if c_error is not None:
            raise _syntax_error(file, c_error, lang, text) from None
        raise InputError(file, error_text(lang, "yaml.invalid", error=exc),
                         hint=error_text(lang, "yaml.syntax.hint")) from None
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
    return load_yaml_bytes(raw, name, lang)


def load_yaml_bytes(raw: bytes, name: str, lang: str = DEFAULT_LANG) -> Located:
    """Decode (UTF-8, an optional BOM) and load; what a worker does with bytes it was sent."""
    if len(raw) > MAX_BYTES:
        raise _too_large(name, lang)
    return load_yaml_text(decode_utf8(raw, name, lang), name, lang)


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
