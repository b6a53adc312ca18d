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

Memory: a /16 scan yields tens of thousands of hosts, so the output is built as each host is read
and nothing else is kept per host. Values that many hosts or ports have in common are shared, and
read-only (`frozen.py`): the facts of ports with the same profile (and HTTP title), empty lists, a scan's `scan_ids`
and `vantages`, lists of TLS versions, certificate entries (a host's and its system's). Treat the
whole `Observed` as read-only; copy what you need to change.
"""

from __future__ import annotations

import gc
import ipaddress
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.i18n import t
from checker.inputs import path_problem
from checker.scan.facts import (
    PortProfile,
    Profiles,
    cert_expired,
    is_public_address,
    observation_facts,
    profile_key,
    version_number,
)
from checker.scan.frozen import FrozenDict, FrozenList
from checker.scan.nmapxml import TLS_ORDER, Host, NmapXmlReader

STALE_AFTER = timedelta(days=90)
VANTAGES = ("external", "internal")


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


_EMPTY: list[Any] = FrozenList()          # every empty summary list of a host
_NO_PORTS = FrozenDict({"state": "up"})   # the facts of an up host with no port listed


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items)) if len(items) > 1 else items


def _summary(latest: str, latest_date: str | None, scan_ids: list[str], stale: bool, vantages: list[str],
             hosts: list[str] | None, open_ports: list[str], plaintext: list[str], data_stores: list[str],
             remote_admin: list[str], exposed: tuple[list[str], list[str]] | None, tls_ports: list[str],
             tls_versions: list[str], legacy: list[str], weakest: str | None, f_grade: list[str],
             certs: list[dict[str, Any]], expired: list[str], self_signed: list[str],
             system: str | None = None, of_host: bool = False) -> dict[str, Any]:
    """The summary dict, keys in their documented order; `hosts` only for a system, `exposed` only
    when an external scan saw the hosts, TLS keys only when a port offered TLS versions (`tls_versions`
    sorted weakest first); a host's ends with its `system` and `declared`."""
    out: dict[str, Any]
    if hosts is None:
        out = {"scan": latest, "scan_ids": scan_ids, "scan_date": latest_date, "stale": stale, "vantages": vantages,
               "open_ports": open_ports, "plaintext_services": plaintext, "data_stores": data_stores,
               "remote_admin": remote_admin}
    else:
        out = {"scan": latest, "scan_ids": scan_ids, "scan_date": latest_date, "stale": stale, "vantages": vantages,
               "hosts": hosts, "open_ports": open_ports, "plaintext_services": plaintext, "data_stores": data_stores,
               "remote_admin": remote_admin}
    if exposed is not None:
        out["exposed_data_stores"], out["exposed_remote_admin"] = exposed
    if tls_ports:
        out["tls_ports"] = tls_ports
        out["tls_versions"] = tls_versions
        out["min_tls_version"] = version_number(tls_versions[0])
        out["legacy_tls_ports"] = legacy
        out["weakest_cipher_grade"] = weakest
        out["f_grade_cipher_ports"] = f_grade
    if certs:
        out["certificates"] = certs
        out["expired_certificates"] = expired
        out["self_signed_certificates"] = self_signed
    if of_host:
        out["system"] = system
        out["declared"] = system is not None
    return out


def _sorted_versions(versions: Iterable[str]) -> list[str]:
    return sorted(versions, key=TLS_ORDER.index)


class _Summary:
    """Accumulates single-visit summaries (what one scan saw on one host, built by `_Observer.visit`):
    a system's, or a host's that more than one scan (or one scan twice) saw. Ordered sets keep the
    first-seen order; the result is what the visits together would have given."""

    __slots__ = ("scan_ids", "all_stale", "vantages", "hosts", "open_ports", "plaintext", "data_stores",
                 "exposed_data_stores", "remote_admin", "exposed_remote_admin", "external", "tls_versions",
                 "tls_ports", "legacy_tls", "weakest", "f_grade", "certs", "expired", "self_signed")

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
        self.tls_versions: set[str] = set()
        self.tls_ports: dict[str, None] = {}
        self.legacy_tls: dict[str, None] = {}
        self.weakest: str | None = None
        self.f_grade: dict[str, None] = {}
        self.certs: list[dict[str, Any]] = []
        self.expired: dict[str, None] = {}
        self.self_signed: dict[str, None] = {}

    def add(self, visit: dict[str, Any], host_id: str | None) -> None:
        scan_date = visit["scan_date"]
        self.scan_ids.setdefault(visit["scan"], date.fromisoformat(scan_date) if scan_date else None)
        self.all_stale = self.all_stale and visit["stale"]
        self.vantages.update(dict.fromkeys(visit["vantages"]))
        if host_id is not None:
            self.hosts[host_id] = None
        self.open_ports.update(dict.fromkeys(visit["open_ports"]))
        self.plaintext.update(dict.fromkeys(visit["plaintext_services"]))
        self.data_stores.update(dict.fromkeys(visit["data_stores"]))
        self.remote_admin.update(dict.fromkeys(visit["remote_admin"]))
        if "exposed_data_stores" in visit:
            self.external = True
            self.exposed_data_stores.update(dict.fromkeys(visit["exposed_data_stores"]))
            self.exposed_remote_admin.update(dict.fromkeys(visit["exposed_remote_admin"]))
        if "tls_ports" in visit:
            self.tls_versions.update(visit["tls_versions"])
            self.tls_ports.update(dict.fromkeys(visit["tls_ports"]))
            self.legacy_tls.update(dict.fromkeys(visit["legacy_tls_ports"]))
            grade = visit["weakest_cipher_grade"]
            if grade and (self.weakest is None or grade > self.weakest):
                self.weakest = grade
            self.f_grade.update(dict.fromkeys(visit["f_grade_cipher_ports"]))
        if "certificates" in visit:
            self.certs.extend(visit["certificates"])
            self.expired.update(dict.fromkeys(visit["expired_certificates"]))
            self.self_signed.update(dict.fromkeys(visit["self_signed_certificates"]))

    def latest_scan(self) -> tuple[str, date | None]:
        # The most recent scan (declaration order breaks ties): findings point at its entry.
        best: str | None = None
        best_date: date | None = None
        for scan_id, when in self.scan_ids.items():
            if best is None or (when is not None and (best_date is None or when > best_date)):
                best, best_date = scan_id, when
        return best or "", best_date

    def as_dict(self, host_of: list[str] | None = None) -> dict[str, Any]:
        """A system's summary (with `hosts`), or with `host_of` (the host's systems) a host's."""
        exposed = (list(self.exposed_data_stores), list(self.exposed_remote_admin)) if self.external else None
        latest, latest_date = self.latest_scan()
        return _summary(latest, latest_date.isoformat() if latest_date else None, list(self.scan_ids),
                        self.all_stale, list(self.vantages), list(self.hosts) if host_of is None else None,
                        list(self.open_ports), list(self.plaintext), list(self.data_stores),
                        list(self.remote_admin), exposed, list(self.tls_ports), _sorted_versions(self.tls_versions),
                        list(self.legacy_tls), self.weakest, list(self.f_grade), self.certs, list(self.expired),
                        list(self.self_signed), host_of[0] if host_of else None, host_of is not None)


def _host_item(host_id: str, address: str | None, hostnames: list[str], systems: list[str],
               summary: dict[str, Any]) -> dict[str, Any]:
    """One item of `observed_hosts`: who the host is on the item, what was seen under `observed` (the
    same shape as `systems[].observed`, plus `system` and `declared`). Only `observed` carries `stale`,
    so a `where` that picks hosts by the item's keys selects them plainly, and a pass on an old scan is
    partial where a rule reads `observed.*`."""
    system = systems[0] if systems else None
    return {
        "id": host_id,
        "name": hostnames[0] if hostnames else None,
        "address": address,
        "hostnames": hostnames,
        "system": system,
        "systems": systems,
        "declared": bool(systems),
        "scan": summary["scan"],
        "scan_ids": summary["scan_ids"],
        "vantage": "external" if "exposed_data_stores" in summary else "internal",
        # Booleans for cheap `where` clauses over tens of thousands of hosts; false also when no
        # external scan saw the host (the exposure lists are then absent).
        "exposes_data_store": bool(summary.get("exposed_data_stores")),
        "exposes_remote_admin": bool(summary.get("exposed_remote_admin")),
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
        """The systems in declaration-entry order: address first, then names, then networks."""
        found: list[str] = []
        exact = self.exact
        if exact:
            # Most hosts of a large scan match nothing: no container is built for them.
            for text in ((host.address, *host.hostnames) if host.address else host.hostnames):
                for system_id in exact.get(_key(text), ()):
                    if system_id not in found:
                        found.append(system_id)
        if self.networks and host.address:
            try:
                addr = ipaddress.ip_address(host.address)
            except ValueError:
                addr = None
            if addr is not None:
                for network, system_id in self.networks:
                    if addr.version == network.version and addr in network and system_id not in found:
                        found.append(system_id)
        return found


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
    problem = path_problem(scan.file, lang)
    if problem:
        raise InputError(scan.file[:300], problem, hint=t("scan", lang, "file.missing_hint"))
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
        return _Observer(systems).run(list(scans), as_of, Path(base_dir), lang)
    finally:
        if enabled:
            gc.enable()


class _ScanRun:
    """One scan being read, and the values all its hosts share."""

    __slots__ = ("id", "iso_date", "stale", "seen_on", "external", "scan_ids", "vantages")

    def __init__(self, scan: ScanInput, scan_date: date | None, as_of: date) -> None:
        self.id = scan.id
        self.iso_date = scan_date.isoformat() if scan_date else None
        # No date at all cannot show the scan is recent; a scan dated after as_of is current.
        self.stale = scan_date is None or scan_date < as_of - STALE_AFTER
        # A certificate is expired if it was expired when it was seen.
        self.seen_on = scan_date or as_of
        self.external = scan.vantage == "external"
        self.scan_ids: list[str] = FrozenList([scan.id])
        self.vantages: list[str] = FrozenList([scan.vantage])


class _Observer:
    """One `observe` run. Each host's output (its `observed_hosts` item and its observations) is built
    as soon as the host is read, from per-profile facts (`facts.Profiles`), and the parsed host is
    dropped at once. A host seen again (another scan, or twice in one) is merged through `_Summary`
    and rebuilt at the end; so are the systems' summaries."""

    def __init__(self, systems: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.matcher = _Matcher(systems)
        self.order = [system_id for system_id, _ in systems]
        self.by_system: dict[str, _Summary] = {}
        self.by_host: dict[str, dict[str, Any]] = {}
        self.merged: dict[str, _Summary] = {}
        self.observations: list[dict[str, Any]] = []
        self.profiles = Profiles()
        self._versions: dict[tuple[str, ...], list[str]] = {}

    def run(self, scans: list[ScanInput], as_of: date, base_dir: Path, lang: str) -> Observed:
        scan_entries: list[dict[str, Any]] = []
        for scan in scans:
            path, display = _scan_path(base_dir, scan, lang)
            # O_NONBLOCK: a path swapped for a FIFO after the check does not block the open.
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    raise InputError(display, t("scan", lang, "file.missing"),
                                     hint=t("scan", lang, "file.missing_hint"))
                reader = NmapXmlReader(fh, display, lang)
                header = reader.read_header()
                run = _ScanRun(scan, header.date, as_of)
                up = 0
                for host in reader.hosts():
                    if host.state != "up":
                        continue
                    up += 1
                    self.add_host(host, run)
            scan_entries.append({
                "id": scan.id, "path": scan.file, "vantage": scan.vantage, "date": run.iso_date,
                "stale": run.stale, "sha256": reader.sha256, "hosts_up": up, "scanner": header.scanner,
                "nmap_version": header.version, "nmap_args": header.args,
            })
        for host_id, summary in self.merged.items():
            old = self.by_host[host_id]
            self.by_host[host_id] = _host_item(host_id, old["address"], old["hostnames"], old["systems"],
                                               summary.as_dict(host_of=old["systems"]))
        per_system = {sid: self.by_system[sid].as_dict() for sid in self.order
                      if sid in self.by_system}
        return Observed(per_system=per_system, hosts=list(self.by_host.values()),
                        observations=self.observations, scans=scan_entries)

    def add_host(self, host: Host, run: _ScanRun) -> None:
        host_id = host.address or host.hostnames[0]
        systems = self.matcher.match(host)
        visit = self.visit(host, host_id, systems[0] if systems else None, run)
        item = self.by_host.get(host_id)
        if item is None:
            self.by_host[host_id] = _host_item(host_id, host.address, host.hostnames or _EMPTY,
                                               systems or _EMPTY, visit)
        else:
            merged = self.merged.get(host_id)
            if merged is None:
                merged = self.merged[host_id] = _Summary()
                merged.add(item["observed"], None)
            merged.add(visit, None)
            # New lists, not appends: the old ones may be the shared empty one. The item is rebuilt
            # at the end from these.
            names, ids = item["hostnames"], item["systems"]
            new_names = [n for n in dict.fromkeys(host.hostnames) if n not in names]
            if new_names:
                item["hostnames"] = names + new_names
            new_ids = [sid for sid in systems if sid not in ids]
            if new_ids:
                item["systems"] = ids + new_ids
        for sid in systems:
            summary = self.by_system.get(sid)
            if summary is None:
                summary = self.by_system[sid] = _Summary()
            summary.add(visit, host_id)

    def visit(self, host: Host, host_id: str, system: str | None, run: _ScanRun) -> dict[str, Any]:
        """Appends the host's observations and returns what this scan saw on it: the summary that
        `_Summary` would build for this one visit (the hot loop of a large import)."""
        scan_id = run.id
        observations = self.observations
        ports = host.ports
        if not ports:
            observations.append({"scan": scan_id, "host": host_id, "port": None, "system": system,
                                 "facts": _NO_PORTS if host.state == "up" else {"state": host.state}})
        external = run.external
        where = f"[{host_id}]" if ":" in host_id else host_id   # host_id is the address, else the name
        public: bool | None = None
        profiles = self.profiles
        cached = profiles.cache.get
        iso = profiles.iso
        open_ports: list[str] = []
        plaintext: list[str] = []
        data_stores: list[str] = []
        exposed_data_stores: list[str] = []
        remote_admin: list[str] = []
        exposed_remote_admin: list[str] = []
        tls_ports: list[str] = []
        tls_versions: set[str] = set()
        legacy: list[str] = []
        weakest: str | None = None
        f_grade: list[str] = []
        certs: list[dict[str, Any]] = []
        expired: list[str] = []
        self_signed: list[str] = []
        for port in ports:
            key = profile_key(port)
            profile: PortProfile | None = cached(key)
            if profile is None:
                profile = profiles.add(key, port)
            cert = port.certificate
            facts: dict[str, Any]
            if cert is None:
                is_expired = None
                facts = profile.facts if not port.http_title and not port.http_redirect else \
                    profiles.titled(profile, port)
            else:
                is_expired = cert_expired(port, run.seen_on)
                facts = observation_facts(profile, port, is_expired, iso)
            entry = {"scan": scan_id, "host": host_id, "port": port.number, "system": system, "facts": facts}
            if port.protocol != "tcp":
                entry["protocol"] = port.protocol
            observations.append(entry)
            if not profile.open:
                continue
            seen = where + profile.open_tail
            open_ports.append(seen)
            if profile.plaintext_tail is not None:
                plaintext.append(where + profile.plaintext_tail)
            if profile.data_store_tail is not None:
                text = where + profile.data_store_tail
                data_stores.append(text)
                if external:
                    exposed_data_stores.append(text)
            if profile.remote_admin_tail is not None:
                text = where + profile.remote_admin_tail
                remote_admin.append(text)
                # SSH with keys is a normal way to administer a server; it counts as exposed remote
                # administration only on a public address. RDP and VNC count whenever seen from outside.
                if external:
                    if profile.remote_admin != "ssh":
                        exposed_remote_admin.append(text)
                    else:
                        if public is None:
                            public = is_public_address(host.address)
                        if public:
                            exposed_remote_admin.append(text)
            if profile.tls_versions:
                tls_ports.append(seen)
                tls_versions.update(profile.tls_versions)
                if profile.legacy_tail is not None:
                    legacy.append(where + profile.legacy_tail)
                grade = profile.weakest_grade
                if grade and (weakest is None or grade > weakest):
                    weakest = grade
                if profile.f_grade_tail is not None:
                    f_grade.append(where + profile.f_grade_tail)
            if cert is not None:
                not_after = iso(cert.not_after)
                certs.append(FrozenDict({"port": seen, "subject": cert.subject, "issuer": cert.issuer,
                                         "self_signed": cert.self_signed, "not_after": not_after,
                                         "expired": is_expired}))
                if is_expired:
                    expired.append(f"{seen} {cert.subject} (not after {not_after})")
                if cert.self_signed:
                    self_signed.append(f"{seen} {cert.subject}")
        if len(ports) > 1 and len({p.number for p in ports}) < len(ports):
            # The same port number listed twice: the lists are sets (certificates are not). Texts of
            # different port numbers never collide (the number ends at the first space).
            open_ports, plaintext, data_stores, exposed_data_stores, remote_admin, exposed_remote_admin = (
                _unique(open_ports), _unique(plaintext), _unique(data_stores), _unique(exposed_data_stores),
                _unique(remote_admin), _unique(exposed_remote_admin))
            tls_ports, legacy, f_grade, expired, self_signed = (
                _unique(tls_ports), _unique(legacy), _unique(f_grade), _unique(expired), _unique(self_signed))
        versions = _EMPTY
        if tls_versions:
            # Few distinct sets of versions: one shared sorted list each.
            found = tuple(tls_versions)
            versions = self._versions.get(found) or self._versions.setdefault(
                found, FrozenList(_sorted_versions(tls_versions)))
        return _summary(scan_id, run.iso_date, run.scan_ids, run.stale, run.vantages, None,
                        open_ports or _EMPTY, plaintext or _EMPTY, data_stores or _EMPTY, remote_admin or _EMPTY,
                        (exposed_data_stores or _EMPTY, exposed_remote_admin or _EMPTY) if external else None,
                        tls_ports, versions, legacy or _EMPTY, weakest, f_grade or _EMPTY, certs,
                        expired or _EMPTY, self_signed or _EMPTY, system, True)
