"""Writing output files safely: checked before the work, atomic for files, in place for the rest.

- A regular file (or a name that does not exist yet) is written atomically: a temporary file in the
  same folder, then a rename, so a run that fails leaves no partial file behind. A symlink to a file
  replaces the file it points to, not the link.
- `-`, `/dev/stdout` and its aliases write to standard output (the CI idiom `-o /dev/stdout`).
- Anything else that exists and is not a regular file (a device such as /dev/null, a FIFO, a socket,
  or a symlink to one of them) is opened and written in place, never replaced.
- A target that is one of the run's inputs (the declaration, a scan, evidence, the catalog, the
  thresholds) is refused: writing the report there would destroy the input.
- Every failure to write (full disk, read-only folder, a folder where a file was expected) is an
  InputError (exit 2) naming the target and saying what to do.
- A large output whose pieces' lengths are known before their bytes (`Laid`: a JSON result of
  thousands of subjects) is written once, each piece at its place, by two processes when that is
  worth it (`_write_laid`): its bytes never pass through a spool first.

Every verb that writes calls `check_output` before its work and `write_atomic` at the end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol, runtime_checkable

from checker import forked
from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.inputs import path_problem


class SpoolPart(NamedTuple):
    """Bytes already in a spool's file: a file is given them by the kernel (`copy_file_range`), without
    their passing through this process (1.7 GB of JSON for 30,000 systems)."""

    spool: Spool
    offset: int
    length: int


@runtime_checkable
class Deferred(Protocol):
    """Bytes made only as they are written, whose length is known before (a large control's stamped
    findings, checker/stamping.py): each process of a laid-out write makes its share at its place.
    `chunks()` may be called again (a second try) and must give the same bytes, `length` of them."""

    @property
    def length(self) -> int: ...

    def chunks(self) -> Iterator[bytes]: ...


Piece = bytes | SpoolPart | Deferred


class Laid(NamedTuple):
    """An output's pieces in order, every length known before any is written (`_write_laid`)."""

    pieces: list[Piece]


# What a writer takes: the bytes, or the pieces of a large output in order (a big JSON result is
# written as it is serialised, never held whole in memory beside its model).
Content = bytes | Iterable[Piece] | Laid


def parts(content: Content) -> Iterable[Piece]:
    if isinstance(content, Laid):
        return content.pieces
    return (content,) if isinstance(content, bytes) else content


def pieces(content: Content) -> Iterator[bytes]:
    """The content's bytes, in order (a spool's part read back, a deferred piece made)."""
    for piece in parts(content):
        if isinstance(piece, bytes):
            yield piece
        elif isinstance(piece, SpoolPart):
            yield from piece.spool.range(piece.offset, piece.length)
        else:
            yield from _made(piece)


def _made(piece: Deferred) -> Iterator[bytes]:
    """A deferred piece's bytes, checked against the length it gave: a piece placed by that length
    that came out otherwise would corrupt the output, so it is Resguarda's defect (exit 3)."""
    made = 0
    for chunk in piece.chunks():
        made += len(chunk)
        yield chunk
    if made != piece.length:
        raise RuntimeError(f"a deferred piece gave {made} bytes, not the {piece.length} it announced")


def _length(piece: Piece) -> int:
    return len(piece) if isinstance(piece, bytes) else piece.length


# A spool holds this much in memory, then moves to an unnamed temporary file.
SPOOL_MEMORY = 4 * 1024 * 1024
SPOOL_READ = 8 * 1024 * 1024
# A spool's part of at least this many bytes is handed over as a `SpoolPart` (a sixteenth of it when
# the spool is already a file), not read into memory.
SPOOL_PART = SPOOL_MEMORY


class Spool:
    """A place for the part of an output that is made before what precedes it (a JSON result's
    `results`, written before the summary they decide): memory up to SPOOL_MEMORY, then a file
    without a name (nothing is ever left behind) in the target's folder, on the disk the output goes
    to. A failure to write it is the target's write error (InputError). Use it in a `with` block:
    it is gone at the block's end."""

    def __init__(self, target: str | Path | None, lang: str = DEFAULT_LANG) -> None:
        self.name = str(target) if target is not None else "-"
        self.lang = lang
        real = None if is_stdout(self.name) else os.path.realpath(self.name)
        # A regular file (or one still to be made) spools beside itself; a device or standard
        # output spools in the usual temporary folder.
        folder = os.path.dirname(real) if real is not None and (
            os.path.isfile(real) or not os.path.exists(real)) else None
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY, dir=folder)  # noqa: SIM115 - see __exit__
        self.size = 0   # bytes written so far: where the next write starts

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
            self._file.flush()   # a forked writer's bytes must be in the file when it hands over
        except OSError as exc:
            raise _write_error(self.name, exc, self.lang) from None
        self.size += len(data)

    def _in_file(self) -> bool:
        """Whether the spool has moved from memory to its file."""
        return bool(self._file._rolled)  # type: ignore[attr-defined]

    def on_disk(self) -> Spool:
        """Move to the unnamed file now: a forked child writes into it and this process reads it back."""
        try:
            self._file.rollover()
        except OSError as exc:
            raise _write_error(self.name, exc, self.lang) from None
        return self

    def stored(self) -> int:
        """The bytes in the spool's file, whoever wrote them (a forked child's writes included); the
        spool moves to its file if it was still in memory."""
        try:
            self._file.flush()
            return os.fstat(self._file.fileno()).st_size
        except OSError as exc:
            raise _write_error(self.name, exc, self.lang) from None

    def range(self, offset: int, length: int) -> Iterator[bytes]:
        """The `length` bytes written from `offset`, in pieces."""
        try:
            self._file.flush()
            # On disk, read at an offset: a forked child shares the file's position with this process.
            fd = self._file.fileno() if self._in_file() else None
            while length > 0:
                if fd is not None:
                    piece = os.pread(fd, min(length, SPOOL_READ), offset)
                else:
                    self._file.seek(offset)
                    piece = self._file.read(min(length, SPOOL_READ))
                if not piece:
                    raise OSError(errno.EIO, "the spool is shorter than what was written to it")
                offset += len(piece)
                length -= len(piece)
                yield piece
        except OSError as exc:
            raise _write_error(self.name, exc, self.lang) from None

    def pieces(self) -> Iterator[bytes | SpoolPart]:
        """What this process wrote, from the start: a part of the spool's file (`SpoolPart`) or bytes."""
        return self.part(0, self.size)

    def part(self, offset: int, length: int) -> Iterator[bytes | SpoolPart]:
        """The `length` bytes written from `offset`: as a `SpoolPart` when they are many and in the
        spool's file, else read."""
        if length >= SPOOL_PART or (self._in_file() and length >= SPOOL_PART // 16):
            yield SpoolPart(self, offset, length)
        else:
            yield from self.range(offset, length)

    def copy_to(self, fd: int, offset: int, length: int, at: int | None = None) -> None:
        """Write `length` bytes of the spool from `offset` at `fd`'s position (at `at` if given), by the
        kernel when it can."""
        # Placed at an offset while still in memory: a copy by the kernel would first move it to a file.
        copy = getattr(os, "copy_file_range", None) if at is None or self._in_file() else None
        if copy is not None:
            try:
                self._file.flush()
                source = self._file.fileno()
            except OSError as exc:
                raise _write_error(self.name, exc, self.lang) from None
        while length > 0 and copy is not None:
            try:
                done = copy(source, fd, min(length, 1 << 30), offset, at)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
                    raise
                break   # another kind of file or system: copied below through this process
            if done == 0:
                raise OSError(errno.EIO, "the spool is shorter than what was written to it")
            offset += done
            length -= done
            at = None if at is None else at + done
        for piece in self.range(offset, length) if length > 0 else ():
            if at is not None:
                at = _pwrite(fd, piece, at)
                continue
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view):]

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


STDOUT_NAMES = ("-", "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1")


def _lang(lang: str) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def _tr(lang: str, key: str, /, **values: object) -> str:
    return t("integrity", _lang(lang), key, **values)


def is_stdout(target: str | Path) -> bool:
    return str(target) in STDOUT_NAMES


def _reason(exc: OSError, lang: str) -> str:
    if exc.errno == errno.ENOSPC:
        return _tr(lang, "output.no_space")
    if exc.errno == errno.EFBIG:
        return _tr(lang, "output.too_large")
    if exc.errno == errno.EROFS:
        return _tr(lang, "output.read_only")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _tr(lang, "os.denied")
    if exc.errno == errno.EISDIR:
        return _tr(lang, "kind.directory")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return _tr(lang, "os.missing")
    return exc.strerror or str(exc)


def _write_error(target: str, exc: OSError, lang: str) -> InputError:
    return InputError(target, _tr(lang, "output.not_writable", reason=_reason(exc, lang)),
                      hint=_tr(lang, "output.not_writable.hint"))


def check_output(target: str | Path | None, inputs: Iterable[tuple[str, Path | str]] = (),
                 lang: str = DEFAULT_LANG) -> None:
    """Refuse, before any work, a target that cannot or must not be written.

    `inputs` are (what, path) pairs, `what` one of declaration, thresholds, evidence, scan, catalog,
    result: the words of the message come from the `integrity` catalog (`what.<what>`).
    """
    if target is None or is_stdout(target):
        return
    name = str(target)
    problem = path_problem(name, lang)
    if problem:
        raise InputError(name, problem, hint=_tr(lang, "output.is_input.hint"))
    try:
        st: os.stat_result | None = os.stat(name)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _write_error(name, exc, lang) from None
    # "out/" names a folder even before it exists (pathlib would drop the slash and write a file "out").
    names_folder = name.endswith(("/", os.sep))
    if names_folder or (st is not None and stat.S_ISDIR(st.st_mode)):
        raise InputError(name, _tr(lang, "output.directory"),
                         hint=_tr(lang, "output.directory.hint", example=str(Path(name) / "report.json")))
    if st is None:
        folder = Path(name).parent if str(Path(name).parent) else Path(".")
        real_folder = Path(os.path.realpath(folder))
        if not real_folder.is_dir():
            raise InputError(name, t("errors", _lang(lang), "output.no_folder", folder=folder),
                             hint=t("errors", _lang(lang), "output.no_folder.hint"))
    real = os.path.realpath(name)
    for what, path in inputs:
        try:
            same = st is not None and _same(st, os.stat(path))
        except (OSError, ValueError):
            same = False
        if same or os.path.realpath(path) == real:
            raise InputError(name, _tr(lang, "output.is_input", what=_tr(lang, f"what.{what}")),
                             hint=_tr(lang, "output.is_input.hint"))


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def write_atomic(path: Path | str, content: Content, lang: str = DEFAULT_LANG) -> None:
    """Write `content` to `path` as the module docstring says; every failure is an InputError."""
    name = str(path)
    if is_stdout(name):
        _write_stdout(content, name, lang)
        return
    check_output(name, (), lang)
    real = os.path.realpath(name)
    try:
        st: os.stat_result | None = os.stat(real)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(real, name, content, lang)
        return
    folder = os.path.dirname(real) or "."
    target = Path(real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:200]}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _write_error(name, exc, lang) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            # Laid out by offsets where the system writes at an offset (POSIX); else in order.
            if isinstance(content, Laid) and hasattr(os, "pwrite"):
                _write_laid(fh.fileno(), content)
            else:
                _write_in_order(fh, content)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file private (0600); a report gets the usual mode the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _write_error(name, exc, lang) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_in_order(fh: BinaryIO, content: Content) -> None:
    for piece in parts(content):
        if isinstance(piece, SpoolPart):
            fh.flush()
            piece.spool.copy_to(fh.fileno(), piece.offset, piece.length)
        elif isinstance(piece, bytes):
            fh.write(piece)
        else:
            for chunk in _made(piece):
                fh.write(chunk)


# -- a laid-out output: each piece written at its place, by two processes when worth it ----------------
# Below this many bytes a second process costs more than it saves.
LAID_TWO_PROCESSES = 64 * 1024 * 1024
# After this many bytes written, the kernel is asked to start writing them to the disk (the final
# `fsync` then waits for less: on a 300 MB/s disk, 1.7 GB is 5 s).
_WRITEBACK = 32 * 1024 * 1024


def _write_laid(fd: int, laid: Laid) -> None:
    """`laid`'s pieces written into the regular file `fd`, each at its offset. The second part (by the
    work it takes: a deferred piece's bytes are made, a spool's are copied by the kernel) goes to a
    forked child; whatever the child did not finish, this process writes again (the same bytes at the
    same places). Raises OSError as a write does."""
    spans: list[tuple[int, Piece]] = []
    at = 0
    for piece in laid.pieces:
        spans.append((at, piece))
        at += _length(piece)
    mine, theirs = _halves(spans) if at >= LAID_TWO_PROCESSES and forked.usable() else (spans, [])
    pending = forked.start(lambda: _place(fd, theirs)) if theirs else None
    try:
        _place(fd, mine)
        done = pending.result() if pending is not None else None
    finally:
        if pending is not None:
            pending.cancel()
    if theirs and done is not True:
        _place(fd, theirs)
    if os.fstat(fd).st_size != at:
        raise OSError(errno.EIO, "the output is not as long as its pieces")


def _halves(spans: list[tuple[int, Piece]]) -> tuple[list[tuple[int, Piece]], list[tuple[int, Piece]]]:
    """The spans cut in two of about the same work: making a deferred piece's bytes costs this process
    about four times what copying a spool's costs (the kernel does that)."""
    def work(piece: Piece) -> int:
        return piece.length // 4 if isinstance(piece, SpoolPart) else _length(piece)

    total = sum(work(p) for _, p in spans)
    done = 0
    for cut, (_, piece) in enumerate(spans):
        if done >= total // 2:
            return spans[:cut], spans[cut:]
        done += work(piece)
    return spans, []


def _place(fd: int, spans: list[tuple[int, Piece]]) -> bool:
    """Each piece's bytes written at its offset in `fd` (the spans follow each other). True (what a
    forked child hands back)."""
    unhinted = spans[0][0] if spans else 0   # where the bytes not yet handed to the disk start
    for at, piece in spans:
        if isinstance(piece, bytes):
            _pwrite(fd, piece, at)
        elif isinstance(piece, SpoolPart):
            piece.spool.copy_to(fd, piece.offset, piece.length, at)
        else:
            made = at
            for chunk in _made(piece):
                made = _pwrite(fd, chunk, made)
        end = at + _length(piece)
        if end - unhinted >= _WRITEBACK:
            _start_writeback(fd, unhinted, end - unhinted)
            unhinted = end
    return True


def _start_writeback(fd: int, offset: int, length: int) -> None:
    # POSIX_FADV_DONTNEED starts the writing of dirty pages without waiting for it (Linux); the pages
    # being written stay cached. Only a hint: where it is missing or refused, the fsync does it all.
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, offset, length, os.POSIX_FADV_DONTNEED)


def _pwrite(fd: int, data: bytes, at: int) -> int:
    """`data` written whole at offset `at`; the offset after it."""
    view = memoryview(data)
    while view:
        done = os.pwrite(fd, view, at)
        view, at = view[done:], at + done
    return at


def _write_in_place(real: str, shown: str, content: Content, lang: str) -> None:
    # No O_CREAT, no O_TRUNC: a device or a FIFO is written to, never replaced or created.
    try:
        fd = os.open(real, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _write_error(shown, exc, lang) from None
    try:
        for piece in pieces(content):
            view = memoryview(piece)
            while view:
                written = os.write(fd, view)
                view = view[written:]
    except OSError as exc:
        raise _write_error(shown, exc, lang) from None
    finally:
        os.close(fd)


def _write_stdout(content: Content, shown: str, lang: str) -> None:
    try:
        sys.stdout.flush()
        for piece in pieces(content):
            sys.stdout.buffer.write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(shown, exc, lang) from None
