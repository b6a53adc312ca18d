"""One job run in a forked child process, its result handed back through a pipe.

Used to read the second half of a large scan file on another CPU while this process reads the first
(see `checker.scan.nmapxml.NmapXmlReader`), and to make half of a large result's controls on another
CPU (`checker.render.json_two_cores`). Forking is used only where it is safe and useful: Linux, a single
thread in this process (a fork copies no other thread, and a lock another thread held would stay
locked in the child), at least two CPUs this process may run on, and no `RESGUARDA_WORKERS=1` in the
environment (one process asked for: `usable`); callers also ask whether one is free now (`spare_cpu`).
Anything that goes wrong in the
child (an exception, a crash, a result that cannot be read) is a `None` result, and the caller does
the work itself; the child never writes to standard output or runs exit handlers.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any


def usable() -> bool:
    """Whether a job may run in a forked child here."""
    if os.environ.get("RESGUARDA_WORKERS", "").strip() == "1":
        return False
    if sys.platform != "linux" or not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return False


def spare_cpu() -> bool:
    """Whether a second CPU is free now: the load average of the last minute leaves at least half a CPU
    of those this process may use. On a busy machine a child would only add the cost of handing its
    result over."""
    try:
        cpus = len(os.sched_getaffinity(0))
        return os.getloadavg()[0] < cpus - 0.5
    except (AttributeError, OSError):
        return False


class Pending:
    """A job running in a child process: `result()` waits for it, `cancel()` stops it."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.finished = False

    def result(self) -> Any | None:
        """The job's return value, or None if it failed."""
        data = b""
        try:
            with os.fdopen(self.fd, "rb") as pipe:
                data = pipe.read()
        except OSError:
            data = b""
        finally:
            self.finished = True
            _reap(self.pid)
        if not data:
            return None
        try:
            # Our own child wrote these bytes into a pipe only it and this process hold.
            return pickle.loads(data)
        except Exception:
            return None

    def cancel(self) -> None:
        if self.finished:
            return
        self.finished = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        _reap(self.pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, 0)


def start(job: Callable[[], Any]) -> Pending | None:
    """Run `job` in a forked child; None where that is not possible (see `usable`)."""
    if not usable():
        return None
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: do the job, write its result, leave without any clean-up of the parent's
        code = 0
        try:
            os.close(read_fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                payload = pickle.dumps(job(), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                payload = b""
            view = memoryview(payload)
            while view:
                view = view[os.write(write_fd, view):]
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    return Pending(pid, read_fd)
