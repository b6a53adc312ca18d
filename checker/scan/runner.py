"""Running nmap on authorized targets and keeping its own XML (`resguarda scan`).

python-nmap finds nmap and runs it (an argv list, never a shell). What it is given is fixed here:
targets and ports re-validated by `targets.py`, and nmap options that are constants of this module, one
string per profile. Its own result parsing is skipped (it loses the TLS tunnel flag and the structured
script output); the XML nmap wrote is checked with Resguarda's parser and written atomically.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from checker.errors import InputError, ToolError
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.output import check_output, write_atomic
from checker.scan.nmapxml import parse_bytes
from checker.scan.targets import is_ipv6, validate_ports, validate_targets

PROFILES = ("quick", "tls", "full")
DEFAULT_PROFILE = "tls"
# Connect scans (-sT) need no root and give the same results. `tls` needs service detection so that
# nmap notices TLS on ports it does not know (the ssl-* scripts run only on ports it believes are
# TLS); --version-light keeps it to the likely probes (half the time of full -sV).
ARGUMENTS = {
    "quick": "-sT -T4 --max-retries 2 --host-timeout 120s",
    "tls": "-sT -T4 --max-retries 2 -sV --version-light --script ssl-enum-ciphers,ssl-cert "
           "--script-timeout 120s --host-timeout 600s",
    "full": "-sT -T4 --max-retries 2 -sV --script ssl-enum-ciphers,ssl-cert,http-title "
            "--script-timeout 180s --host-timeout 900s",
}
IPV6 = " -6"
# The whole run is stopped after this (besides nmap's own per-host timeout).
TIMEOUTS = {"quick": 1800, "tls": 3600, "full": 7200}
# Where to look for nmap when RESGUARDA_NMAP does not say: python-nmap's own list.
DEFAULT_SEARCH = ("nmap", "/usr/bin/nmap", "/usr/local/bin/nmap", "/sw/bin/nmap", "/opt/local/bin/nmap")

Progress = Callable[[float, bool], None]   # (seconds elapsed, finished)


@dataclass(frozen=True)
class ScanSummary:
    path: Path
    profile: str
    arguments: str
    seconds: float
    hosts_up: int
    open_ports: int
    nmap_version: str | None


def _lang(lang: str | None) -> str:
    chosen = lang or os.environ.get("RESGUARDA_LANG") or DEFAULT_LANG
    return chosen if chosen in LANGS else DEFAULT_LANG


def _elapsed(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


class StderrProgress:
    """The default progress line: rewritten in place on a terminal, one line every 15 s otherwise."""

    def __init__(self, profile: str, lang: str, stream: TextIO | None = None) -> None:
        self.profile = profile
        self.lang = lang
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = -1.0

    def __call__(self, elapsed: float, finished: bool) -> None:
        if finished:
            if self.tty:
                self.stream.write("\r\033[K")
                self.stream.flush()
            return
        if not self.tty and self._last >= 0 and elapsed - self._last < 15:
            return
        self._last = elapsed
        line = t("scan", self.lang, "progress.running", profile=self.profile, elapsed=_elapsed(elapsed))
        self.stream.write(f"\r\033[K{line}" if self.tty else f"{line}\n")
        self.stream.flush()


def _scanner(lang: str, search: Sequence[str] | None) -> Any:
    """python-nmap's PortScanner, with its result parsing replaced by keeping the raw output."""
    try:
        import nmap
    except ImportError:  # a broken install: same advice as a missing nmap
        raise InputError("nmap", t("scan", lang, "nmap.missing"), hint=t("scan", lang, "nmap.missing_hint")) from None

    class RawScanner(nmap.PortScanner):  # type: ignore[misc]
        raw_xml: bytes = b""
        raw_err: str = ""

        def analyse_nmap_xml_scan(self, nmap_xml_output: Any = None, nmap_err: str = "",
                                  nmap_err_keep_trace: Any = "", nmap_warn_keep_trace: Any = "") -> dict[str, Any]:
            self.raw_xml = nmap_xml_output or b""
            self.raw_err = nmap_err or ""
            return {}

    env_path = os.environ.get("RESGUARDA_NMAP")
    paths = tuple(search) if search is not None else ((env_path,) if env_path else DEFAULT_SEARCH)
    try:
        return RawScanner(nmap_search_path=paths)
    except nmap.PortScannerError:
        raise InputError("nmap", t("scan", lang, "nmap.missing"), hint=t("scan", lang, "nmap.missing_hint")) from None


def _first_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:count]) or "?"


def run_scan(targets: Sequence[str], ports: str, profile: str = DEFAULT_PROFILE, output: Path | None = None,
             progress: Progress | None = None, *, timeout: int | None = None, lang: str | None = None,
             nmap_search_path: Sequence[str] | None = None) -> ScanSummary:
    """Scan `targets` on `ports` and write nmap's XML to `output` (atomically).

    Bad targets, ports or profile, or no nmap: InputError (exit 2), before anything runs. nmap failing,
    timing out or writing no valid XML: ToolError (exit 3); no file is written then.
    """
    lang = _lang(lang)
    if output is None:
        raise InputError("-o", t("scan", lang, "output.missing"), hint=t("scan", lang, "output.hint"))
    output = Path(output)
    if profile not in PROFILES:
        raise InputError("--profile", t("scan", lang, "profile.invalid", profile=profile),
                         hint=t("scan", lang, "profile.hint"))
    checked = validate_targets(targets, lang)
    port_list = validate_ports(ports, lang)
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(str(output), t("scan", lang, "output.folder", folder=str(folder)),
                         hint=t("scan", lang, "output.hint"))
    check_output(output, (), lang)  # a folder, a device, a FIFO: decided before nmap runs
    scanner = _scanner(lang, nmap_search_path)
    arguments = ARGUMENTS[profile] + (IPV6 if is_ipv6(checked) else "")
    limit = timeout if timeout is not None else TIMEOUTS[profile]
    report = progress if progress is not None else StderrProgress(profile, lang)

    outcome: dict[str, BaseException] = {}

    def work() -> None:
        try:
            # hosts: validated words joined by spaces (python-nmap shlex-splits them back);
            # arguments: a constant of this module.
            scanner.scan(hosts=" ".join(checked), ports=port_list, arguments=arguments, timeout=limit)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            outcome["error"] = exc

    started = time.monotonic()
    worker = threading.Thread(target=work, name="resguarda-nmap", daemon=True)
    worker.start()
    while worker.is_alive():
        report(time.monotonic() - started, False)
        worker.join(1.0)
    seconds = time.monotonic() - started
    report(seconds, True)
    if "error" in outcome:
        _raise_tool_error(outcome["error"], limit, lang)
    raw = scanner.raw_xml if isinstance(scanner.raw_xml, bytes) else str(scanner.raw_xml).encode("utf-8")
    if not raw.strip():
        raise ToolError(t("scan", lang, "nmap.failed", detail=_first_lines(scanner.raw_err)))
    try:
        parsed = parse_bytes(raw, "nmap", lang)
    except InputError as exc:
        raise ToolError(t("scan", lang, "nmap.bad_output", detail=exc.message)) from None
    if parsed.end.exit == "error":
        raise ToolError(t("scan", lang, "nmap.failed", detail=parsed.end.errormsg or _first_lines(scanner.raw_err)))
    write_atomic(output, raw, lang)
    hosts_up = sum(1 for h in parsed.hosts if h.state == "up")
    open_ports = sum(1 for h in parsed.hosts for p in h.ports if p.state == "open")
    if progress is None:
        print(t("scan", lang, "progress.done", elapsed=_elapsed(seconds), hosts=hosts_up, ports=open_ports),
              file=sys.stderr)
    return ScanSummary(output, profile, arguments, seconds, hosts_up, open_ports, parsed.header.version)


def _raise_tool_error(error: BaseException, limit: int, lang: str) -> None:
    import nmap

    if isinstance(error, nmap.PortScannerTimeout):
        raise ToolError(t("scan", lang, "nmap.timeout", seconds=limit)) from None
    if isinstance(error, OSError | nmap.PortScannerError):
        raise ToolError(t("scan", lang, "nmap.failed", detail=str(error)[:300])) from None
    raise error
