"""The `results` of a large declaration made on two CPUs at once (issues 15.3 and 15.5).

A control's result depends on the declaration, its scans and the catalog, never on another control's
result: only the summary in the document's head needs them all, and of each only its domain,
severity and status (`Outline`). So once the declaration is read and its scans observed, the process
forks once (`checker.forked`). Parent and child take controls from one queue of tickets (a pipe that
both read, four bytes a ticket): whoever is free takes the next, so a heavy control (16,000 hosts in
one) does not leave the other CPU idle. Each writes each result's JSON into its own spool
(`checker.output.Spool`, an unnamed file) and keeps the outline; the parent then reads the pieces back
in catalog order. The bytes are those of the one-process write (tests/test_json_two_cores.py).

A control whose findings are stamped (`checker.stamping`) and made in this process keeps them as a
`checker.output.Deferred`: their bytes are made only as the output is written (`checker.output`'s
laid-out write, itself shared by two processes). The child writes the ones it makes into its spool
(the kernel copies them into the output): so it shares the planning, which would otherwise all fall
to this process while the child sits idle (measured: 30,000 systems 8.2 and 7.5 s against 8.7 and
9.1 s).

Whatever the child did not hand over (an error in a control, a full disk, a crash, a signal) the
parent makes itself; an error in the parent's share stops the sharing and the caller starts again in
one process, so an error is the one, and in the place, that one process gives.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from checker import forked
from checker.evaluate import Outline
from checker.output import Deferred, Spool, SpoolPart
from checker.output import pieces as output_pieces
from checker.vocabulary import SEVERITIES, STATUSES

# Below this many subjects (systems, observed ports) a second process costs more than it saves: the
# AI center's 150 controls take 40 ms in one process, a fork and its copied pages about 10 ms.
MIN_SUBJECTS = 300
# The tickets are written into the pipe before the fork: they must fit in its buffer (64 KiB).
MAX_CONTROLS = 8_000
_TICKET = struct.Struct(">I")

# What a process makes of the control at an index: the bytes of its result in the array (in pieces,
# some of them perhaps made only when written), its outline.
Make = Callable[[int], tuple[Iterable[bytes | Deferred], Outline]]
# A control's result as kept until the output is written: ranges of a spool and deferred pieces.
Kept = list[tuple[Spool, int, int] | Deferred]


@dataclass(frozen=True, slots=True)
class _Piece:
    offset: int
    length: int
    outline: Outline


def worth_it(controls: int, subjects: int) -> bool:
    """Whether to share the controls with a forked child (`forked.usable`: RESGUARDA_WORKERS=1 keeps one
    process)."""
    return 2 <= controls <= MAX_CONTROLS and subjects >= MIN_SUBJECTS and forked.usable()


class SharedResults:
    """The results array's pieces 0..count-1 made by `make` in this process and a forked child.

    `outlines` are in catalog order; `chunks()` gives each piece's bytes in that order (for
    `checker.result.framed_results`). The controls are taken in `order` (heaviest first: then the
    last to finish is a light one), else in catalog order. `while_waiting` is this process's own
    work (the document's head and observations), done first while the child starts on the controls.
    Raises what `make` (or `while_waiting`) raised in this process; the caller then starts again in
    one process. Close the spools (the caller's `mine`, and `theirs`) when done."""

    def __init__(self, count: int, make: Make, mine: Spool, theirs: Spool,
                 while_waiting: Callable[[], None] | None = None, order: Iterable[int] | None = None) -> None:
        self._mine, self._theirs = mine, theirs
        self._kept: list[tuple[Kept, Outline] | None] = [None] * count
        read_fd, write_fd = os.pipe()
        try:
            try:
                tickets = memoryview(b"".join(_TICKET.pack(i) for i in _order(order, count)))
                while tickets:
                    tickets = tickets[os.write(write_fd, tickets):]
            finally:
                os.close(write_fd)   # before the fork: an empty queue then reads as its end
            theirs.on_disk()
            pending = forked.start(lambda: _share(read_fd, make, theirs))
            try:
                if while_waiting is not None:
                    while_waiting()   # this process's own work first: the child starts on the controls
                for index in _tickets(read_fd):
                    self._make(index, make)
                handed = pending.result() if pending is not None else None
            finally:
                if pending is not None:
                    pending.cancel()
        finally:
            os.close(read_fd)
        for index, piece in _valid(handed, count, theirs.stored()):
            if self._kept[index] is None:
                self._kept[index] = ([(theirs, piece.offset, piece.length)], piece.outline)
        # What the child did not hand over (it failed, or no child could start): made here.
        for index, slot in enumerate(self._kept):
            if slot is None:
                self._make(index, make)

    def _make(self, index: int, make: Make) -> None:
        self._kept[index] = kept(self._mine, *make(index))

    @property
    def outlines(self) -> list[Outline]:
        return [slot[1] for slot in self._kept if slot is not None]

    def chunks(self) -> Iterator[bytes | SpoolPart | Deferred]:
        for slot in self._kept:
            assert slot is not None
            yield from kept_pieces(slot[0])


def _order(order: Iterable[int] | None, count: int) -> list[int]:
    """The tickets' order: `order` (each index once), else catalog order."""
    found = list(order) if order is not None else []
    return found if sorted(found) == list(range(count)) else list(range(count))


def kept(spool: Spool, pieces: Iterable[bytes | Deferred], outline: Outline) -> tuple[Kept, Outline]:
    """A control's result kept for the output: its bytes written at the spool's end, its deferred
    pieces as they are (this process writes the output)."""
    found: Kept = []
    start = spool.size
    for piece in pieces:
        if isinstance(piece, bytes):
            spool.write(piece)
            continue
        if spool.size > start:
            found.append((spool, start, spool.size - start))
        found.append(piece)
        start = spool.size
    if spool.size > start:
        found.append((spool, start, spool.size - start))
    return found, outline


def kept_pieces(found: Kept) -> Iterator[bytes | SpoolPart | Deferred]:
    for part in found:
        if isinstance(part, tuple):
            # A large result stays in its spool until the output is written (`SpoolPart`).
            yield from part[0].part(part[1], part[2])
        else:
            yield part


def _tickets(fd: int) -> Iterator[int]:
    """The next control's index until the queue is empty. A pipe hands each 4-byte ticket to one reader."""
    while len(ticket := os.read(fd, _TICKET.size)) == _TICKET.size:
        yield _TICKET.unpack(ticket)[0]


def _share(fd: int, make: Make, spool: Spool) -> list[tuple[int, int, int, str, str, str]]:
    """The child's work: the controls it takes, written to its spool; what it hands back: where each is."""
    done: list[tuple[int, int, int, str, str, str]] = []
    for index in _tickets(fd):
        offset = spool.size
        pieces, outline = make(index)
        for chunk in output_pieces(pieces):   # deferred pieces made here: the child writes no output
            spool.write(chunk)
        done.append((index, offset, spool.size - offset, outline.domain, outline.severity, outline.status))
    return done


def _valid(handed: object, count: int, size: int) -> Iterator[tuple[int, _Piece]]:
    """The child's pieces that are whole and in range (anything else is made again in this process)."""
    if not isinstance(handed, list):
        return
    with contextlib.suppress(TypeError, ValueError):
        for index, offset, length, domain, severity, status in handed:
            if (0 <= index < count and offset >= 0 and length >= 0 and offset + length <= size
                    and severity in SEVERITIES and status in STATUSES):
                yield index, _Piece(offset, length, Outline(domain, severity, status))
