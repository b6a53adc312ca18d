"""Reading input files once, bounded, and hashing the bytes that are parsed.

Every input (declaration, thresholds, saved results, catalog files, evidence) goes through here:
the path is checked before anything is opened (a NUL byte, an over-long name, a folder, a FIFO or a
device is refused: opening a FIFO waits for a writer forever and `/dev/zero` never ends), then the
file is read once, at most `limit` bytes, and its SHA-256 comes from those same bytes. Standard input
(`-`, `/dev/stdin`, or a path that is the process's fd 0) is the one pipe accepted: it is what the
user gave the tool on purpose (`cat d.yaml | resguarda evaluate -`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t

# Linux refuses longer names and paths anyway, with an error that reads like a missing file.
MAX_NAME = 255
MAX_PATH = 4096
STDIN_NAMES = ("-", "/dev/stdin", "/proc/self/fd/0", "/dev/fd/0")
# Evidence is hashed, never parsed; the limit keeps a mistaken reference to a disk image from
# stalling a run. RESGUARDA_MAX_EVIDENCE_MB changes it (docs/robustez.md).
DEFAULT_EVIDENCE_MB = 512


@dataclass(frozen=True)
class InputBytes:
    data: bytes
    sha256: str


def _tr(lang: str, key: str, /, **values: object) -> str:
    return t("integrity", lang if lang in LANGS else DEFAULT_LANG, key, **values)


def path_problem(text: str, lang: str = DEFAULT_LANG) -> str | None:
    """Why a path written by a user cannot name a file (NUL byte, name or path too long), or None."""
    if "\x00" in text:
        return _tr(lang, "path.nul")
    if len(text.encode("utf-8", "surrogateescape")) > MAX_PATH:
        return _tr(lang, "path.too_long", n=MAX_PATH)
    for part in text.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME:
            return _tr(lang, "path.name_too_long", n=MAX_NAME)
    return None


def is_stdin(name: str) -> bool:
    if name in STDIN_NAMES:
        return True
    try:
        here, zero = os.stat(name), os.fstat(0)
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(here.st_mode) and (here.st_dev, here.st_ino) == (zero.st_dev, zero.st_ino)


def kind_problem(st: os.stat_result, lang: str) -> str | None:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return _tr(lang, "kind.directory")
    if stat.S_ISFIFO(mode):
        return _tr(lang, "kind.fifo")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _tr(lang, "kind.device")
    if stat.S_ISSOCK(mode):
        return _tr(lang, "kind.socket")
    return _tr(lang, "kind.other")


def not_a_file(path: Path, lang: str) -> str | None:
    """What a path that is not a regular file is (a folder, a FIFO, a device), or None when it does not
    exist at all: a caller saying "does not exist" of `/dev/zero` would mislead."""
    try:
        return kind_problem(path.stat(), lang)
    except OSError:
        return None


def _refuse(display: str, message: str, lang: str, hint_key: str = "input.hint") -> InputError:
    return InputError(display, message, hint=_tr(lang, hint_key))


def _os_reason(exc: OSError, lang: str) -> str:
    key = {errno.ENOENT: "os.missing", errno.EACCES: "os.denied", errno.EPERM: "os.denied",
           errno.ENAMETOOLONG: "path.name_too_long", errno.ELOOP: "os.loop",
           errno.ENOTDIR: "os.not_dir"}.get(exc.errno or 0)
    return _tr(lang, key, n=MAX_NAME) if key else (exc.strerror or str(exc))


def read_input(path: Path | str, display: str | None, limit: int, lang: str = DEFAULT_LANG,
               too_large: str | None = None) -> InputBytes:
    """The bytes of one input file, read once and at most `limit` bytes, with their SHA-256.

    `too_large` words the size refusal for this kind of input (default: a generic message).
    """
    name = str(path)
    shown = display or name
    problem = path_problem(name, lang)
    if problem:
        raise _refuse(shown, problem, lang)
    too_big = too_large or _tr(lang, "input.too_large", mb=max(1, limit >> 20))
    if is_stdin(name):
        data = _read_bounded(sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer,
                             limit)
        if data is None:
            raise _refuse(shown, too_big, lang, "input.too_large.hint")
        return InputBytes(data, hashlib.sha256(data).hexdigest())
    try:
        st = os.stat(name)  # follows symlinks: `/tmp/x -> /dev/zero` is a device
    except OSError as exc:
        raise _refuse(shown, _tr(lang, "input.unreadable", reason=_os_reason(exc, lang)), lang) from None
    problem = kind_problem(st, lang)
    if problem:
        raise _refuse(shown, problem, lang, "kind.hint")
    if st.st_size > limit:
        raise _refuse(shown, too_big, lang, "input.too_large.hint")
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, open() does not wait.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _refuse(shown, _tr(lang, "input.unreadable", reason=_os_reason(exc, lang)), lang) from None
    try:
        problem = kind_problem(os.fstat(fd), lang)
        if problem:
            raise _refuse(shown, problem, lang, "kind.hint")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = _read_bounded(fh, limit)
    except OSError as exc:
        raise _refuse(shown, _tr(lang, "input.unreadable", reason=_os_reason(exc, lang)), lang) from None
    finally:
        os.close(fd)
    if data is None:
        raise _refuse(shown, too_big, lang, "input.too_large.hint")
    return InputBytes(data, hashlib.sha256(data).hexdigest())


def _read_bounded(fh: object, limit: int) -> bytes | None:
    """Up to `limit` bytes, or None when there are more."""
    read = fh.read  # type: ignore[attr-defined]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        block = read(min(1 << 20, limit + 1 - size))
        if not block:
            break
        parts.append(block)
        size += len(block)
    return None if size > limit else b"".join(parts)


def evidence_limit() -> int:
    """The evidence size limit in bytes (RESGUARDA_MAX_EVIDENCE_MB, default 512)."""
    text = os.environ.get("RESGUARDA_MAX_EVIDENCE_MB", "")
    try:
        mb = int(text) if text else DEFAULT_EVIDENCE_MB
    except ValueError:
        mb = DEFAULT_EVIDENCE_MB
    return max(1, min(mb, 1 << 20)) << 20


def hash_file(path: Path, display: str, limit: int, lang: str = DEFAULT_LANG) -> str:
    """SHA-256 of a file that is hashed but not parsed (evidence), streamed, bounded, kind-checked."""
    name = str(path)
    problem = path_problem(name, lang)
    if problem:
        raise _refuse(display, problem, lang)
    try:
        st = os.stat(name)
    except OSError as exc:
        raise _refuse(display, _tr(lang, "input.unreadable", reason=_os_reason(exc, lang)), lang) from None
    problem = kind_problem(st, lang)
    if problem:
        raise _refuse(display, problem, lang, "kind.hint")
    too_big = _tr(lang, "evidence.too_large", mb=limit >> 20)
    if st.st_size > limit:
        raise _refuse(display, too_big, lang, "evidence.too_large.hint")
    digest = hashlib.sha256()
    size = 0
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as fh:
            if kind_problem(os.fstat(fh.fileno()), lang):
                raise _refuse(display, _tr(lang, "kind.other"), lang, "kind.hint")
            for block in iter(lambda: fh.read(1 << 20), b""):
                size += len(block)
                if size > limit:
                    raise _refuse(display, too_big, lang, "evidence.too_large.hint")
                digest.update(block)
    except OSError as exc:
        raise _refuse(display, _tr(lang, "input.unreadable", reason=_os_reason(exc, lang)), lang) from None
    return digest.hexdigest()


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def decode_utf8(raw: bytes, display: str, lang: str = DEFAULT_LANG, message: str | None = None,
                hint: str | None = None) -> str:
    """The text of a YAML, JSON or CSV input (a BOM is dropped); not UTF-8 names the line and column of the
    first bad byte and says how to fix it (`message` and `hint` replace the general wording)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        lang = lang if lang in LANGS else DEFAULT_LANG
        raise InputError(display, message or t("errors", lang, "file.not_utf8"), line, column,
                         hint or t("errors", lang, "file.not_utf8.hint")) from None


def read_yaml_input(path: Path | str, display: str | None = None, lang: str = DEFAULT_LANG) -> tuple[Any, str]:
    """A YAML input read once (bounded, kind-checked) and parsed with locations: (Located, sha256)."""
    from checker.locations import MAX_BYTES, load_yaml_text

    name = display or str(path)
    lang = lang if lang in LANGS else DEFAULT_LANG
    blob = read_input(path, name, MAX_BYTES, lang,
                      too_large=t("errors", lang, "file.too_large", mb=MAX_BYTES >> 20))
    return load_yaml_text(decode_utf8(blob.data, name, lang), name, lang), blob.sha256
