"""What one observed port means for data protection: data store, plaintext, remote administration, TLS.

nmap names a service in two ways: `method="probed"` when service detection (-sV) recognised it, and
`method="table"` when it only guessed from the port number (no -sV, or nothing recognised). A probed
name or product is trusted over the port number (Redis on port 16379 is still Redis; a web server on
6379 is not Redis); a guess from the table falls back to the well-known ports of the fact sheet.

All of that depends on a handful of fields that thousands of ports of a large scan share, never on
the host: `PortProfile` decides it once per distinct profile (`Profiles` caches them for a run), and
only certificates and HTTP titles are read per port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from checker.scan.frozen import FrozenDict, FrozenList
from checker.scan.nmapxml import TLS_ORDER, Host, Port

# Data stores: service names nmap uses (probed names and nmap-services names), product words, ports.
DATA_STORE_NAMES = {
    "mongodb": "mongodb", "mongod": "mongodb", "redis": "redis", "elasticsearch": "elasticsearch",
    "opensearch": "opensearch", "mysql": "mysql", "mariadb": "mariadb", "postgresql": "postgresql",
    "ms-sql-s": "mssql", "memcache": "memcached", "memcached": "memcached", "couchdb": "couchdb",
    "cassandra": "cassandra", "cassandra-native": "cassandra",
}
DATA_STORE_PRODUCTS = (
    ("mongodb", "mongodb"), ("redis", "redis"), ("elasticsearch", "elasticsearch"), ("opensearch", "opensearch"),
    ("mariadb", "mariadb"), ("mysql", "mysql"), ("postgresql", "postgresql"), ("microsoft sql server", "mssql"),
    ("memcached", "memcached"), ("couchdb", "couchdb"), ("cassandra", "cassandra"),
)
DATA_STORE_PORTS = {
    27017: "mongodb", 27018: "mongodb", 28017: "mongodb", 6379: "redis", 9200: "elasticsearch",
    9300: "elasticsearch", 3306: "mysql", 5432: "postgresql", 1433: "mssql", 11211: "memcached",
    5984: "couchdb", 9042: "cassandra",
}
PLAINTEXT_NAMES = {"http": "http", "http-proxy": "http", "http-alt": "http", "ftp": "ftp", "ftp-proxy": "ftp",
                   "telnet": "telnet", "telnet-proxy": "telnet"}
PLAINTEXT_PORTS = {80: "http", 8080: "http", 8000: "http", 21: "ftp", 23: "telnet"}
REMOTE_ADMIN_PORTS = {3389: "rdp", 22: "ssh", **{5900 + n: "vnc" for n in range(10)}}
# Below this, offered protocol versions are legacy (RFC 8996 deprecates TLS 1.0 and 1.1).
MODERN_TLS = "TLSv1.2"
_F_LIST_MAX = 3  # F-grade ciphers named per port in the summaries (the observation lists them all)
_UNNAMED = (None, "", "unknown", "tcpwrapped")


def version_number(name: str) -> str:
    """'TLSv1.0' -> '1.0'. SSL versions become '0.2'/'0.3' so that they sort below every TLS version in
    the rule language's version comparison (`at_least: "1.2"`)."""
    if name.startswith("TLSv"):
        return name[4:]
    return "0." + name[4:].split(".")[0] if name.startswith("SSLv") else name


# Text that can only be a private, loopback or link-local IPv4 address (not global), or no address at
# all: either way not public, decided without parsing (a /16 scan asks this for every SSH port).
_NOT_GLOBAL_PREFIXES = ("10.", "127.", "192.168.", "169.254.", *(f"172.{n}." for n in range(16, 32)))


def is_public_address(address: str | None) -> bool:
    if not address or address.startswith(_NOT_GLOBAL_PREFIXES):
        return False
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def _probed(port: Port) -> bool:
    return port.method == "probed" and port.service not in _UNNAMED


def data_store_kind(port: Port) -> str | None:
    product = (port.product or "").lower()
    for word, kind in DATA_STORE_PRODUCTS:
        if word in product:
            return kind
    name = (port.service or "").lower()
    if name in DATA_STORE_NAMES:
        return DATA_STORE_NAMES[name]
    if _probed(port):
        return None
    return DATA_STORE_PORTS.get(port.number)


def remote_admin_kind(port: Port) -> str | None:
    name = (port.service or "").lower()
    product = (port.product or "").lower()
    if name == "ms-wbt-server" or "terminal serv" in product or "remote desktop" in product:
        return "rdp"
    if name.startswith("vnc") or "vnc" in product:
        return "vnc"
    if name == "ssh" or "openssh" in product:
        return "ssh"
    if _probed(port):
        return None
    return REMOTE_ADMIN_PORTS.get(port.number)


def plaintext_kind(port: Port) -> str | None:
    if port.tunnel == "ssl" or port.tls is not None or port.certificate is not None:
        return None
    name = (port.service or "").lower()
    if name in PLAINTEXT_NAMES:
        kind = PLAINTEXT_NAMES[name]
    elif _probed(port) or name not in _UNNAMED:
        return None
    else:
        found = PLAINTEXT_PORTS.get(port.number)
        if found is None:
            return None
        kind = found
    # An HTTP port that only redirects to HTTPS (seen by http-title) carries no data in the clear.
    if kind == "http" and (port.http_redirect or "").lower().startswith("https://"):
        return None
    return kind


def service_label(port: Port) -> str:
    name = port.service if port.service not in _UNNAMED else None
    ssl = port.tunnel == "ssl" or port.tls is not None
    if not ssl:
        label = name or "unknown"
    elif name in (None, "http", "https"):
        label = "https" if name else "ssl"
    else:
        label = f"ssl/{name}"
    return label if port.protocol == "tcp" else f"{label}/{port.protocol}"


def host_port(address: str, port: Port) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{host}:{port.number}"


class PortProfile:
    """Everything about a port that does not depend on the host it was seen on.

    Thousands of ports of a large scan share a profile (OpenSSH 8.9 on 22, nginx with TLS 1.2 and 1.3
    on 443): `Profiles` computes each one once, and its JSON facts (`facts`, read-only) are shared by
    every observation of that profile that has no per-host details (certificate, HTTP title). The
    `*_tail` texts follow the host in the summary lists: host + ":443 https" -> "203.0.113.10:443 https".
    """

    __slots__ = ("open", "label", "data_store", "plaintext", "remote_admin", "min_tls", "tls_versions",
                 "weakest_grade", "facts", "open_tail", "plaintext_tail", "data_store_tail",
                 "remote_admin_tail", "legacy_tail", "f_grade_tail")

    def __init__(self, port: Port) -> None:
        is_open = port.state == "open"
        label = service_label(port)
        self.open = is_open
        self.label = label
        self.data_store = data_store_kind(port) if is_open else None
        self.plaintext = plaintext_kind(port) if is_open else None
        self.remote_admin = remote_admin_kind(port) if is_open else None
        tls = port.tls
        versions = tls.versions if tls is not None else []
        self.min_tls = min(versions, key=TLS_ORDER.index) if versions else None
        # What the summaries read: only a port with offered versions counts as a TLS port.
        self.tls_versions: tuple[str, ...] = tuple(versions)
        self.weakest_grade = tls.weakest_grade if tls is not None else None
        self.facts = FrozenDict(_base_facts(port, self))
        number = f":{port.number} "
        self.open_tail = number + label
        self.plaintext_tail = number + self.plaintext if self.plaintext else None
        self.data_store_tail = number + self.data_store if self.data_store else None
        self.remote_admin_tail = number + self.remote_admin if self.remote_admin else None
        self.legacy_tail: str | None = None
        self.f_grade_tail: str | None = None
        if tls is not None and versions:
            legacy = [v for v in versions if TLS_ORDER.index(v) < TLS_ORDER.index(MODERN_TLS)]
            if legacy:
                self.legacy_tail = f"{self.open_tail} {','.join(legacy)}"
            if tls.f_grade_ciphers:
                names = [c.split(" ", 1)[-1] for c in tls.f_grade_ciphers]
                shown = ", ".join(dict.fromkeys(names[:_F_LIST_MAX]))
                more = len(tls.f_grade_ciphers) - _F_LIST_MAX
                self.f_grade_tail = f"{self.open_tail} {shown}" + (f" (+{more})" if more > 0 else "")
            elif tls.weakest_grade == "F":
                self.f_grade_tail = f"{self.open_tail} F"


def _base_facts(port: Port, profile: PortProfile) -> dict[str, Any]:
    """The JSON facts every port of this profile has (absent keys: not observed)."""
    out: dict[str, Any] = {"state": port.state, "service": profile.label}
    if port.product:
        out["product"] = port.product
    if port.version:
        out["version"] = port.version
    if port.tunnel:
        out["tunnel"] = port.tunnel
    if port.method:
        out["detection"] = port.method
    if profile.data_store:
        out["data_store"] = profile.data_store
    if profile.plaintext:
        out["plaintext"] = profile.plaintext
    if profile.remote_admin:
        out["remote_admin"] = profile.remote_admin
    tls = port.tls
    if tls is not None:
        out["tls_versions"] = FrozenList(tls.versions)
        if profile.min_tls:
            out["min_tls_version"] = version_number(profile.min_tls)
        if tls.weakest_grade:
            out["weakest_cipher_grade"] = tls.weakest_grade
        if tls.f_grade_ciphers:
            out["f_grade_ciphers"] = FrozenList(tls.f_grade_ciphers)
    return out


def profile_key(port: Port) -> tuple[Any, ...]:
    """Every field of the port that `PortProfile` reads, and nothing that is unique to a host."""
    tls = port.tls
    redirect = port.http_redirect
    return (port.protocol, port.number, port.state, port.service, port.product, port.version, port.tunnel,
            port.method,
            None if tls is None else (tuple(tls.versions), tls.weakest_grade, tuple(tls.f_grade_ciphers)),
            port.certificate is not None, redirect is not None and redirect.lower().startswith("https://"))


class Profiles:
    """PortProfile per distinct profile key, for one `observe` run.

    Bounded: a hostile file where every port differs gets its profiles computed each time once the
    cache is full, rather than a cache as large as the file.
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], PortProfile] = {}
        self._iso: dict[date, str] = {}
        self._titled: dict[tuple[PortProfile, str | None, str | None], dict[str, Any]] = {}

    def get(self, port: Port) -> PortProfile:
        key = profile_key(port)
        return self.cache.get(key) or self.add(key, port)

    def add(self, key: tuple[Any, ...], port: Port) -> PortProfile:
        """The profile of a port whose key is not cached yet (callers in a hot loop read `cache` first)."""
        found = PortProfile(port)
        if len(self.cache) < self.LIMIT:
            self.cache[key] = found
        return found

    def titled(self, profile: PortProfile, port: Port) -> dict[str, Any]:
        """The facts of a port with an HTTP title or redirect and no certificate, shared (read-only) by
        the ports of the same profile and texts: a sweep finds thousands of the same "Panel" page."""
        key = (profile, port.http_title, port.http_redirect)
        found = self._titled.get(key)
        if found is None:
            found = FrozenDict(observation_facts(profile, port, None))
            if len(self._titled) < self.LIMIT:
                self._titled[key] = found
        return found

    def iso(self, day: date | None) -> str | None:
        """A date as text, one string object per distinct date (certificates share a few dates)."""
        if day is None:
            return None
        text = self._iso.get(day)
        if text is None:
            text = day.isoformat()
            if len(self._iso) < self.LIMIT:
                self._iso[day] = text
        return text


def cert_expired(port: Port, seen_on: date | None) -> bool | None:
    """Expired if it was expired when it was seen (`seen_on` is the scan's date)."""
    cert = port.certificate
    if cert is None or cert.not_after is None or seen_on is None:
        return None
    return cert.not_after < seen_on


def observation_facts(profile: PortProfile, port: Port, expired: bool | None,
                      iso: Callable[[date | None], str | None] | None = None) -> dict[str, Any]:
    """The JSON facts of one observation: the profile's shared dict, or a copy with this port's own
    certificate and HTTP title added (same keys, same order as ever)."""
    cert = port.certificate
    title = port.http_title
    redirect = port.http_redirect
    if cert is None and not title and not redirect:
        return profile.facts
    out = dict(profile.facts)
    if cert is not None:
        as_text = iso or _iso
        out["certificate"] = {"subject": cert.subject, "issuer": cert.issuer, "self_signed": cert.self_signed,
                              "not_before": as_text(cert.not_before), "not_after": as_text(cert.not_after),
                              "expired": expired}
    if title:
        out["http_title"] = title
    if redirect:
        out["http_redirect"] = redirect
    return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


@dataclass(slots=True)
class PortFacts:
    """The facts of one port (one port at a time; `observe` uses `Profiles` directly)."""

    port: Port
    where: str                   # "203.0.113.10:443"
    label: str                   # "https"
    open: bool
    data_store: str | None
    plaintext: str | None
    remote_admin: str | None
    min_tls: str | None          # weakest offered version, as nmap names it
    cert_expired: bool | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON facts of the observation (absent keys: not observed), a plain dict of its own."""
        return dict(observation_facts(PortProfile(self.port), self.port, self.cert_expired))


def port_facts(host: Host, port: Port, seen_on: date | None) -> PortFacts:
    """`seen_on` is the scan's date: a certificate is expired if it was expired when it was seen."""
    address = host.address or (host.hostnames[0] if host.hostnames else "?")
    profile = PortProfile(port)
    return PortFacts(port=port, where=host_port(address, port), label=profile.label, open=profile.open,
                     data_store=profile.data_store, plaintext=profile.plaintext,
                     remote_admin=profile.remote_admin, min_tls=profile.min_tls,
                     cert_expired=cert_expired(port, seen_on))
