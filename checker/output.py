"""Writing output files atomically: a run that fails leaves no partial file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t


def write_atomic(path: Path, content: bytes, lang: str = DEFAULT_LANG) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        # `lang` only words this message; the scan runner calls without it and gets Spanish.
        lang = lang if lang in LANGS else DEFAULT_LANG
        raise InputError(str(path), t("errors", lang, "output.no_folder", folder=folder),
                         hint=t("errors", lang, "output.no_folder.hint"))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        # mkstemp creates the file private (0600); a report gets the usual mode the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
