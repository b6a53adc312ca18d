"""Scans x declared systems -> what the evaluator places beside the declaration.

`observe()` is the one entry point (called by `checker.api`): it streams each scan file, turns every
port into facts (`facts.py`), matches hosts to the declared systems and builds:
- `per_system[id]`: the summary placed at `systems[id].observed`, so rules stay plain comparisons,
  e.g. `{path: observed.exposed_data_stores, equals: []}` or `{path: observed.min_tls_version,
  at_least: "1.2"}`. Lists hold "host:port service" strings, so a failure names what was seen.
- `hosts`: one item per observed host (the top-level `observed_hosts` list): `id` (its address),
  `system` (or None: an undeclared host), `declared`, `scan`, `vantage`, and under `observed` the same
  summary as a system's (plus `system` and `declared`).
- `observations`: every host and port with its facts (results.md), and `scans`: one entry per file.

Keys that a scan could not decide are left out rather than written empty, so that a rule reading them
is `unknown`, never a false `pass`: TLS keys need ssl-enum-ciphers output, certificate keys need
ssl-cert output, and the `exposed_*` keys need an `external` scan (an internal scan that sees a
database says nothing about the internet).
"""

from __future__ import annotations

import gc
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import t
from checker.scan.facts import MODERN_TLS, PortFacts, is_public_address, port_facts, version_number
from checker.scan.nmapxml import TLS_ORDER, Host, NmapXmlReader

STALE_AFTER = timedelta(days=90)
VANTAGES = ("external", "internal")
_F_LIST_MAX = 3  # F-grade ciphers named per port in the summary (the observation lists them all)


@dataclass(frozen=True)
class ScanInput:
    id: str
    file: str          # relative to the declaration's folder, as declared
    vantage: str       # external | internal


@dataclass
class Observed:
    per_system: dict[str, dict[str, Any]]
    hosts: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    scans: list[dict[str, Any]]


class _Summary:
    """Accumulates what was seen on a set of hosts (one system, or one host across scans)."""

    __slots__ = ("scan_ids", "scan_dates", "all_stale", "vantages", "hosts", "open_ports", "plaintext",
                 "data_stores", "exposed_data_stores", "remote_admin", "exposed_remote_admin", "external",
                 "tls_seen", "tls_versions", "tls_ports", "legacy_tls", "weakest", "f_grade", "certs",
                 "expired", "self_signed")

    def __init__(self) -> None:
        self.scan_ids: dict[str, date | None] = {}
        self.all_stale = True
        self.vantages: dict[str, None] = {}
        self.hosts: dict[str, None] = {}
        self.open_ports: dict[str, None] = {}
        self.plaintext: dict[str, None] = {}
        self.data_stores: dict[str, None] = {}
        self.exposed_data_stores: dict[str, None] = {}
        self.remote_admin: dict[str, None] = {}
        self.exposed_remote_admin: dict[str, None] = {}
        self.external = False
        self.tls_seen = False
        self.tls_versions: set[str] = set()
        self.tls_ports: dict[str, None] = {}
        self.legacy_tls: dict[str, None] = {}
        self.weakest: str | None = None
        self.f_grade: dict[str, None] = {}
        self.certs: list[dict[str, Any]] = []
        self.expired: dict[str, None] = {}
        self.self_signed: dict[str, None] = {}

    def add_scan(self, scan_id: str, scan_date: date | None, stale: bool, vantage: str) -> None:
        self.scan_ids.setdefault(scan_id, scan_date)
        self.all_stale = self.all_stale and stale
        self.vantages[vantage] = None
        if vantage == "external":
            self.external = True

    def add_port(self, facts: PortFacts, vantage: str, address: str | None) -> None:
        if not facts.open:
            return
        where, label = facts.where, facts.label
        self.open_ports[f"{where} {label}"] = None
        if facts.plaintext:
            self.plaintext[f"{where} {facts.plaintext}"] = None
        if facts.data_store:
            self.data_stores[f"{where} {facts.data_store}"] = None
            if vantage == "external":
                self.exposed_data_stores[f"{where} {facts.data_store}"] = None
        if facts.remote_admin:
            self.remote_admin[f"{where} {facts.remote_admin}"] = None
            # SSH with keys is a normal way to administer a server; it counts as exposed remote
            # administration only on a public address. RDP and VNC count whenever seen from outside.
            if vantage == "external" and (facts.remote_admin != "ssh" or is_public_address(address)):
                self.exposed_remote_admin[f"{where} {facts.remote_admin}"] = None
        port = facts.port
        tls = port.tls
        if tls is not None and tls.versions:
            self.tls_seen = True
            self.tls_versions.update(tls.versions)
            self.tls_ports[f"{where} {label}"] = None
            legacy = [v for v in tls.versions if TLS_ORDER.index(v) < TLS_ORDER.index(MODERN_TLS)]
            if legacy:
                self.legacy_tls[f"{where} {label} {','.join(legacy)}"] = None
            if tls.weakest_grade and (self.weakest is None or tls.weakest_grade > self.weakest):
                self.weakest = tls.weakest_grade
            if tls.f_grade_ciphers:
                names = [c.split(" ", 1)[-1] for c in tls.f_grade_ciphers]
                shown = ", ".join(dict.fromkeys(names[:_F_LIST_MAX]))
                more = len(tls.f_grade_ciphers) - _F_LIST_MAX
                self.f_grade[f"{where} {label} {shown}" + (f" (+{more})" if more > 0 else "")] = None
            elif tls.weakest_grade == "F":
                self.f_grade[f"{where} {label} F"] = None
        cert = port.certificate
        if cert is not None:
            self.certs.append({"port": f"{where} {label}", "subject": cert.subject, "issuer": cert.issuer,
                               "self_signed": cert.self_signed,
                               "not_after": cert.not_after.isoformat() if cert.not_after else None,
                               "expired": facts.cert_expired})
            if facts.cert_expired:
                self.expired[f"{where} {label} {cert.subject} (not after {cert.not_after})"] = None
            if cert.self_signed:
                self.self_signed[f"{where} {label} {cert.subject}"] = None

    def latest_scan(self) -> str:
        # The most recent scan (declaration order breaks ties): findings point at its entry.
        best = None
        best_date: date | None = None
        for scan_id, when in self.scan_ids.items():
            if best is None or (when is not None and (best_date is None or when > best_date)):
                best, best_date = scan_id, when
        return best or ""

    def as_dict(self) -> dict[str, Any]:
        latest = self.latest_scan()
        latest_date = self.scan_ids.get(latest)
        out: dict[str, Any] = {
            "scan": latest,
            "scan_ids": list(self.scan_ids),
            "scan_date": latest_date.isoformat() if latest_date else None,
            "stale": self.all_stale,
            "vantages": list(self.vantages),
            "hosts": list(self.hosts),
            "open_ports": list(self.open_ports),
            "plaintext_services": list(self.plaintext),
            "data_stores": list(self.data_stores),
            "remote_admin": list(self.remote_admin),
        }
        if self.external:
            out["exposed_data_stores"] = list(self.exposed_data_stores)
            out["exposed_remote_admin"] = list(self.exposed_remote_admin)
        if self.tls_seen:
            versions = sorted(self.tls_versions, key=TLS_ORDER.index)
            out["tls_ports"] = list(self.tls_ports)
            out["tls_versions"] = versions
            out["min_tls_version"] = version_number(versions[0])
            out["legacy_tls_ports"] = list(self.legacy_tls)
            out["weakest_cipher_grade"] = self.weakest
            out["f_grade_cipher_ports"] = list(self.f_grade)
        if self.certs:
            out["certificates"] = self.certs
            out["expired_certificates"] = list(self.expired)
            out["self_signed_certificates"] = list(self.self_signed)
        return out


@dataclass
class _HostItem:
    id: str
    address: str | None
    hostnames: list[str]
    systems: list[str]
    summary: _Summary = field(default_factory=_Summary)

    def as_dict(self) -> dict[str, Any]:
        summary = self.summary.as_dict()
        summary.pop("hosts", None)
        system = self.systems[0] if self.systems else None
        summary["system"] = system
        summary["declared"] = bool(self.systems)
        # Who the host is sits on the item, what was seen under `observed` (the same shape as
        # `systems[].observed`). Only `observed` carries `stale`, so a `where` that picks hosts by
        # the item's keys selects them plainly, and a pass on an old scan is partial where a rule
        # reads `observed.*`.
        return {
            "id": self.id,
            "name": self.hostnames[0] if self.hostnames else None,
            "address": self.address,
            "hostnames": self.hostnames,
            "system": system,
            "systems": self.systems,
            "declared": bool(self.systems),
            "scan": summary["scan"],
            "scan_ids": summary["scan_ids"],
            "vantage": "external" if self.summary.external else "internal",
            # Booleans for cheap `where` clauses over tens of thousands of hosts; false also when no
            # external scan saw the host (the exposure lists are then absent).
            "exposes_data_store": bool(self.summary.exposed_data_stores),
            "exposes_remote_admin": bool(self.summary.exposed_remote_admin),
            "observed": summary,
        }


class _Matcher:
    """Host -> declared systems: exact address or host name (case-insensitive), or a declared network."""

    def __init__(self, systems: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.exact: dict[str, list[str]] = {}
        self.networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
        for system_id, hosts in systems:
            for entry in hosts:
                text = str(entry).strip()
                if "/" in text:
                    try:
                        self.networks.append((ipaddress.ip_network(text, strict=False), system_id))
                        continue
                    except ValueError:
                        pass
                key = _key(text)
                ids = self.exact.setdefault(key, [])
                if system_id not in ids:
                    ids.append(system_id)

    def match(self, host: Host) -> list[str]:
        found: dict[str, None] = {}
        keys = ([host.address] if host.address else []) + host.hostnames
        for key in keys:
            for system_id in self.exact.get(_key(key), ()):
                found[system_id] = None
        if self.networks and host.address:
            try:
                addr = ipaddress.ip_address(host.address)
            except ValueError:
                addr = None
            if addr is not None:
                for network, system_id in self.networks:
                    if addr.version == network.version and addr in network:
                        found[system_id] = None
        return list(found)


def _key(text: str) -> str:
    text = text.strip().lower().rstrip(".")
    if ":" in text:
        # IPv6 has many spellings of one address (::1, 0:0::1); IPv4 and names have one.
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text


def _scan_path(base_dir: Path, scan: ScanInput, lang: str) -> tuple[Path, str]:
    display = str(base_dir / scan.file)
    base = base_dir.resolve()
    path = (base / scan.file).resolve()
    if not path.is_relative_to(base):
        raise InputError(display, t("scan", lang, "file.outside"), hint=t("scan", lang, "file.outside_hint"))
    if not path.is_file():
        raise InputError(display, t("scan", lang, "file.missing"), hint=t("scan", lang, "file.missing_hint"))
    return path, display


def observe(scans: Iterable[ScanInput], systems: Sequence[tuple[str, Sequence[str]]], as_of: date,
            base_dir: Path, lang: str = "es") -> Observed:
    """Parse every scan (in declaration order) and match what it saw to the declared systems."""
    # A /16 scan creates a few hundred thousand small containers and no reference cycles; the cyclic
    # collector would rescan the growing heap again and again (more than half the time on 100 MB).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _observe(list(scans), systems, as_of, Path(base_dir), lang)
    finally:
        if enabled:
            gc.enable()


def _observe(scans: list[ScanInput], systems: Sequence[tuple[str, Sequence[str]]], as_of: date,
             base_dir: Path, lang: str) -> Observed:
    matcher = _Matcher(systems)
    order = [system_id for system_id, _ in systems]
    by_system: dict[str, _Summary] = {}
    by_host: dict[str, _HostItem] = {}
    observations: list[dict[str, Any]] = []
    scan_entries: list[dict[str, Any]] = []
    for scan in scans:
        path, display = _scan_path(base_dir, scan, lang)
        with path.open("rb") as fh:
            reader = NmapXmlReader(fh, display, lang)
            header = reader.read_header()
            scan_date = header.date
            # No date at all cannot show the scan is recent; a scan dated after as_of is current.
            stale = scan_date is None or scan_date < as_of - STALE_AFTER
            seen_on = scan_date or as_of
            up = 0
            for host in reader.hosts():
                if host.state != "up":
                    continue
                up += 1
                _add_host(host, scan, scan_date, stale, seen_on, matcher, by_host, by_system, observations)
        scan_entries.append({
            "id": scan.id, "path": scan.file, "vantage": scan.vantage,
            "date": scan_date.isoformat() if scan_date else None, "stale": stale, "sha256": reader.sha256,
            "hosts_up": up, "scanner": header.scanner, "nmap_version": header.version,
            "nmap_args": header.args,
        })
    per_system = {sid: by_system[sid].as_dict() for sid in order if sid in by_system}
    return Observed(per_system=per_system, hosts=[item.as_dict() for item in by_host.values()],
                    observations=observations, scans=scan_entries)


def _add_host(host: Host, scan: ScanInput, scan_date: date | None, stale: bool, seen_on: date,
              matcher: _Matcher, by_host: dict[str, _HostItem], by_system: dict[str, _Summary],
              observations: list[dict[str, Any]]) -> None:
    host_id = host.address or host.hostnames[0]
    systems = matcher.match(host)
    system = systems[0] if systems else None
    item = by_host.get(host_id)
    if item is None:
        item = by_host[host_id] = _HostItem(host_id, host.address, list(host.hostnames), systems)
    else:
        for name in host.hostnames:
            if name not in item.hostnames:
                item.hostnames.append(name)
        for sid in systems:
            if sid not in item.systems:
                item.systems.append(sid)
    summaries = [item.summary] + [by_system.setdefault(sid, _Summary()) for sid in systems]
    for summary in summaries:
        summary.add_scan(scan.id, scan_date, stale, scan.vantage)
        summary.hosts[host_id] = None
    if not host.ports:
        observations.append({"scan": scan.id, "host": host_id, "port": None, "system": system,
                             "facts": {"state": host.state}})
        return
    for port in host.ports:
        facts = port_facts(host, port, seen_on)
        for summary in summaries:
            summary.add_port(facts, scan.vantage, host.address)
        entry: dict[str, Any] = {"scan": scan.id, "host": host_id, "port": port.number, "system": system,
                                 "facts": facts.as_dict()}
        if port.protocol != "tcp":
            entry["protocol"] = port.protocol
        observations.append(entry)
