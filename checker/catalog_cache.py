"""The on-disk cache of the validated catalog: a speed-up that can never change a result.

The cache is per user (its folder must belong to the user and be writable by nobody else; it is
created 0700, its files 0600) and every file records the SHA-256 of the catalog it was built from,
the SHA-256 of its own payload, and an HMAC of both under a key that lives outside the cache folder
(in the user's state folder, `~/.local/state/resguarda/cache.key`, 0600). A file restored from a
shared or poisoned CI cache, edited by hand, truncated, oversized or nested too deep fails
verification: it is discarded with a warning and the catalog is read from the YAML, so the result
is the same as with no cache at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.inputs import read_input

FORMAT = 2
# The built-in catalog's cache is about 400 KB; a file beyond this is not one of ours.
MAX_CACHE_BYTES = 16 << 20
MAX_DEPTH = 64


def cache_dir() -> Path:
    base = os.environ.get("RESGUARDA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "resguarda"


def state_dir() -> Path:
    base = (os.environ.get("RESGUARDA_STATE_DIR") or os.environ.get("XDG_STATE_HOME")
            or str(Path.home() / ".local" / "state"))
    return Path(base) / "resguarda"


def _warn(lang: str, key: str, **values: Any) -> None:
    lang = lang if lang in LANGS else DEFAULT_LANG
    print(f"resguarda: {t('cli', lang, 'warning')}: {t('integrity', lang, key, **values)}", file=sys.stderr)


def _private_dir(folder: Path, lang: str) -> bool:
    """Create `folder` 0700 if needed; True when it is a folder of this user that nobody else can write."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        _warn(lang, "cache.unsafe_dir", dir=str(folder))
        return False
    return True


def _key(lang: str) -> bytes | None:
    """The user's secret for the cache HMAC, created on first use; None when it cannot be kept."""
    folder = state_dir()
    if not _private_dir(folder, lang):
        return None
    path = folder / "cache.key"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            key = fh.read(65)
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077 and len(key) == 32:
            return key
        return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    except OSError:
        return None  # another run created it at the same moment: this run goes without the cache
    return key


def _mac(key: bytes, catalog_sha: str, payload: bytes) -> str:
    return hmac.new(key, catalog_sha.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


def _depth_ok(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def read_cache(name: str, catalog_sha: str, lang: str = DEFAULT_LANG) -> Any | None:
    """The payload stored under `name` for the catalog `catalog_sha`, or None (absent or discarded)."""
    folder = cache_dir()
    path = folder / name
    if not path.exists() and not path.is_symlink():
        return None
    key = _key(lang) if _private_dir(folder, lang) else None
    if key is None:
        return None
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            raise ValueError("not a private regular file")
        blob = read_input(path, str(path), MAX_CACHE_BYTES, lang).data
        head, sep, payload = blob.partition(b"\n")
        if not sep:
            raise ValueError("no header")
        header = json.loads(head)
        if (not isinstance(header, dict) or header.get("format") != FORMAT
                or header.get("catalog_sha256") != catalog_sha
                or header.get("payload_sha256") != hashlib.sha256(payload).hexdigest()
                or not hmac.compare_digest(str(header.get("mac", "")), _mac(key, catalog_sha, payload))):
            raise ValueError("verification failed")
        data = json.loads(payload)
        if not _depth_ok(data):
            raise ValueError("too deep")
        return data
    except (OSError, ValueError, RecursionError, InputError):
        _warn(lang, "cache.discarded", file=str(path))
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None


def write_cache(name: str, catalog_sha: str, data: Any, lang: str = DEFAULT_LANG) -> None:
    """Store `data` (JSON-able) for the catalog `catalog_sha`; a read-only home only costs speed."""
    folder = cache_dir()
    if not _private_dir(folder, lang):
        return
    key = _key(lang)
    if key is None:
        return
    payload = json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")
    header = json.dumps({"format": FORMAT, "catalog_sha256": catalog_sha,
                         "payload_sha256": hashlib.sha256(payload).hexdigest(),
                         "mac": _mac(key, catalog_sha, payload)}).encode()
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(header + b"\n" + payload)
        os.replace(tmp, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
