"""YAML syntax errors explained in the user's language, with the usual cause and its fix.

The parser words its problems for people who know YAML's grammar ("expected <block end>, but found
'<block mapping start>'"). People writing their first declaration make four mistakes over and over:
a tab in the indentation, a line indented more or less than its neighbours, a key without its colon,
and a colon inside a value that is not in quotes. This module recognises them from the parser's
problem and the text around it, and says which line to change and how. `checker/locations.py` calls
`explain` where the parser fails; None leaves the generic message there.
"""

from __future__ import annotations

import re
from typing import Any

from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t

_KEY_START = re.compile(r"\s*(?:-\s+)?[^\s#:\-\"'][^:#]*?:(\s|$)")


def _tr(lang: str, key: str, /, **values: Any) -> str:
    return t("yaml_errors", lang if lang in LANGS else DEFAULT_LANG, key, **values)


def _lines(mark: Any, text: str | None) -> list[str] | None:
    buffer = text if text is not None else getattr(mark, "buffer", None)
    return str(buffer).rstrip("\0").split("\n") if buffer else None


def _err(file: str, line: int, col: int, lang: str, cause: str, message: str | None = None,
         **values: Any) -> InputError:
    """line and col are 0-based (parser marks); `message` is another key for the message than `cause`."""
    return InputError(file, _tr(lang, message or cause, **values), line + 1, col + 1,
                      _tr(lang, cause + ".hint", **values))


def _tab_lines(lines: list[str]) -> list[int]:
    return [i for i, text in enumerate(lines) if "\t" in text[: len(text) - len(text.lstrip())]]


def _previous_content_line(lines: list[str], line: int) -> int | None:
    for i in range(line - 1, -1, -1):
        text = lines[i].strip()
        if text and not text.startswith("#"):
            return i
    return None


def explain(file: str, exc: Any, lang: str, text: str | None = None) -> InputError | None:
    """The located, worded InputError for a parser error, or None when the cause is not a known one."""
    problem = str(getattr(exc, "problem", "") or "")
    context = str(getattr(exc, "context", "") or "")
    mark = getattr(exc, "problem_mark", None)
    start = getattr(exc, "context_mark", None)
    if mark is None:
        return None
    lines = _lines(mark, text)
    line, col = mark.line, mark.column
    text = lines[line] if lines and line < len(lines) else ""

    if "'\\t'" in problem or (lines and _tab_lines(lines) and "\t" in text):
        tabs = _tab_lines(lines) if lines else [line]
        shown = ", ".join(str(i + 1) for i in tabs[:20]) or str(line + 1)
        first = tabs[0] if tabs else line
        return _err(file, first, 0, lang, "tab", "tab.one" if len(tabs) <= 1 else "tab.other", lines=shown)
    if "could not find expected ':'" in problem and start is not None:
        return _err(file, start.line, start.column, lang, "missing_colon",
                    key=_first_word(lines, start.line) if lines else "")
    if "mapping values are not allowed" in problem and lines is not None:
        before = text[:col]
        if ":" in before.split("#")[0] and _KEY_START.match(text):
            key_end = text.index(":")
            return _err(file, line, key_end + 2 if key_end + 2 < len(text) else col, lang, "unquoted_colon",
                        value=text[key_end + 1:].strip())
        prev = _previous_content_line(lines, line)
        if prev is not None and ":" not in lines[prev] and not lines[prev].strip().startswith("- "):
            indent = len(lines[prev]) - len(lines[prev].lstrip())
            return _err(file, prev, indent, lang, "missing_colon", key=lines[prev].strip().split()[0])
        indent = len(text) - len(text.lstrip())
        return _err(file, line, indent, lang, "indent_more")
    if "expected <block end>" in problem or "did not find expected key" in problem \
            or "expected <block end>" in context:
        if text[col:col + 1] == "-" and text[col + 1:col + 2] not in (" ", ""):
            return _err(file, line, col, lang, "dash_space")
        prev = _previous_content_line(lines, line) if lines else None
        if prev is not None and re.match(r"\s*-[^\s-]", lines[prev] if lines else ""):
            return _err(file, prev, lines[prev].index("-") if lines else 0, lang, "dash_space")
        indent = len(text) - len(text.lstrip())
        where = start.line + 1 if start is not None else 1
        return _err(file, line, indent, lang, "indent", start=where)
    if "end of stream" in problem and "quoted" in context and start is not None:
        return _err(file, start.line, start.column, lang, "unclosed_quote")
    if ("flow sequence" in context or "flow mapping" in context) and start is not None:
        closing = "]" if "sequence" in context else "}"
        return _err(file, start.line, start.column, lang, "unclosed_flow", closing=closing)
    return None


def _first_word(lines: list[str] | None, line: int) -> str:
    if not lines or line >= len(lines):
        return ""
    words = lines[line].strip().lstrip("- ").split()
    return words[0] if words else ""
