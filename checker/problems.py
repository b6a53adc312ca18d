"""Every problem of a file at once: a list of located InputErrors shown sorted by line.

`InputProblems` is an `InputError` (exit 2, no traceback, nothing written), so every place that
already handles one shows all of them without change.
"""

from __future__ import annotations

from checker.errors import InputError
from checker.i18n import t

# More than this and the owner is better served by fixing the first ones and running again.
MAX_SHOWN = 50


def count_text(area: str, lang: str, key: str, n: int, **values: object) -> str:
    """`key.one` for 1, `key.other` otherwise: "1 sistema", "2 sistemas"."""
    return t(area, lang, f"{key}.{'one' if n == 1 else 'other'}", n=n, **values)


class InputProblems(InputError):
    def __init__(self, file: str, problems: list[InputError], lang: str) -> None:
        ordered = sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
        first = ordered[0]
        super().__init__(first.file, first.message, first.line, first.column, first.hint)
        self.problems = ordered
        self.lang = lang
        self.display = file

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        # Each line starts with file:line:column (tools parse it); the count closes the list.
        n = len(self.problems)
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:
            lines.append(count_text("problems", self.lang, "more", n - MAX_SHOWN))
        lines.append(count_text("problems", self.lang, "header", n, file=self.display))
        return "\n".join(lines)


def raise_all(file: str, problems: list[InputError], lang: str) -> None:
    """Raise the problems found (if any), one per place: union branches can report a place twice."""
    seen: set[tuple[int | None, int | None, str]] = set()
    unique = []
    for p in problems:
        key = (p.line, p.column, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if unique:
        raise InputProblems(file, unique, lang)
