"""Errors a user can fix (exit 2) and the way they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from checker.neutral import terminal


@dataclass
class InputError(Exception):
    """Bad input: always names the file and, where known, line and column, and says how to fix it.

    Lines and columns are 1-based, as editors show them.
    """

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        # The file name and the message may carry declared text: shown neutralised (no escape
        # sequences, no newline that could forge a CI log line); the only line break is the hint's.
        where = terminal(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {terminal(self.message)}"
        if self.hint:
            text += f"\n  -> {terminal(self.hint)}"
        return text


class UsageError(Exception):
    """A bad command line: exit 2 with the message."""


class ToolError(Exception):
    """An external tool failed (nmap, the PDF renderer): exit 3."""
