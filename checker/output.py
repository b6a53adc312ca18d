"""Writing output files atomically: a run that fails leaves no partial file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from checker.errors import InputError


def write_atomic(path: Path, content: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(str(path), f"the output folder '{folder}' does not exist",
                         hint="create the folder or choose another path with -o")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
