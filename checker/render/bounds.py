"""Ceilings of the HTML/PDF report: what it shows of lists that grow with the input, and how a cut
says what it left out.

A declaration with 10,000 systems or a scan with 20,000 hosts must still give a report a person can
read (and WeasyPrint can lay out in bounded time and memory). Every list that grows with the number
of subjects is shown up to a ceiling; the cut names how many were left out and where the whole list
is (the JSON attached to the PDF, or `--format json` / `--format csv`). The JSON, CSV, SARIF and
other machine formats are never cut. The ceilings are documented in docs/reporte-grande.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from checker.i18n import format_number, t

NAMES_MAX = 20          # subjects named in one case line, systems of an action, passing subjects
CASE_LINES_MAX = 25     # case lines under one control
HOSTS_MAX = 100         # hosts in the observations appendix
PORTS_MAX = 20          # observed ports of one host
FILES_MAX = 200         # evidence documents, inputs, scans, waivers
FIELDS_MAX = 20         # fields listed as missing under one undecided control
# A word longer than this (a name, URL or path without spaces) gets a break opportunity every
# WORD_PIECE characters, so it wraps like ordinary text (see html.breakable).
LONG_WORD = 32
WORD_PIECE = 16

T = TypeVar("T")


@dataclass(frozen=True)
class Cut(Generic[T]):
    """The shown head of a list and how many items were left out."""

    shown: list[T]
    left_out: int
    total: int


def cut(items: Sequence[T], limit: int) -> Cut[T]:
    shown = list(items[:limit])
    return Cut(shown=shown, left_out=max(0, len(items) - len(shown)), total=len(items))


def left_out_note(kind: str, left_out: int, total: int, lang: str) -> str:
    """"… and 19,980 more hosts (20,000 in all): the whole list is in the JSON attached to this PDF
    and in `--format csv`." One sentence per kind of list, in the report's language."""
    return t("report_bounds", lang, f"more.{kind}", n=format_number(left_out, lang, 0),
             total=format_number(total, lang, 0)) + " " + t("report_bounds", lang, "where")
