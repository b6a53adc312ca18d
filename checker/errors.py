"""Errors a user can fix (exit 2) and the way they are shown."""

from __future__ import annotations

from dataclasses import dataclass


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
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  -> {self.hint}"
        return text


class UsageError(Exception):
    """A bad command line: exit 2 with the message."""


class ToolError(Exception):
    """An external tool failed (nmap, the PDF renderer): exit 3."""
