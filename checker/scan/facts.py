"""What one observed port means for data protection: data store, plaintext, remote administration, TLS.

nmap names a service in two ways: `method="probed"` when service detection (-sV) recognised it, and
`method="table"` when it only guessed from the port number (no -sV, or nothing recognised). A probed
name or product is trusted over the port number (Redis on port 16379 is still Redis; a web server on
6379 is not Redis); a guess from the table falls back to the well-known ports of the fact sheet.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date
from typing import Any

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
_UNNAMED = (None, "", "unknown", "tcpwrapped")


def version_number(name: str) -> str:
    """'TLSv1.0' -> '1.0'. SSL versions become '0.2'/'0.3' so that they sort below every TLS version in
    the rule language's version comparison (`at_least: "1.2"`)."""
    if name.startswith("TLSv"):
        return name[4:]
    return "0." + name[4:].split(".")[0] if name.startswith("SSLv") else name


def is_public_address(address: str | None) -> bool:
    if not address:
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


@dataclass(slots=True)
class PortFacts:
    """The facts of one port, ready for the observation list and the summaries."""

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
        """The JSON facts of the observation (absent keys: not observed)."""
        p = self.port
        out: dict[str, Any] = {"state": p.state, "service": self.label}
        if p.product:
            out["product"] = p.product
        if p.version:
            out["version"] = p.version
        if p.tunnel:
            out["tunnel"] = p.tunnel
        if p.method:
            out["detection"] = p.method
        if self.data_store:
            out["data_store"] = self.data_store
        if self.plaintext:
            out["plaintext"] = self.plaintext
        if self.remote_admin:
            out["remote_admin"] = self.remote_admin
        if p.tls is not None:
            out["tls_versions"] = list(p.tls.versions)
            if self.min_tls:
                out["min_tls_version"] = version_number(self.min_tls)
            if p.tls.weakest_grade:
                out["weakest_cipher_grade"] = p.tls.weakest_grade
            if p.tls.f_grade_ciphers:
                out["f_grade_ciphers"] = list(p.tls.f_grade_ciphers)
        cert = p.certificate
        if cert is not None:
            out["certificate"] = {
                "subject": cert.subject, "issuer": cert.issuer, "self_signed": cert.self_signed,
                "not_before": cert.not_before.isoformat() if cert.not_before else None,
                "not_after": cert.not_after.isoformat() if cert.not_after else None,
                "expired": self.cert_expired,
            }
        if p.http_title:
            out["http_title"] = p.http_title
        if p.http_redirect:
            out["http_redirect"] = p.http_redirect
        return out


def port_facts(host: Host, port: Port, seen_on: date | None) -> PortFacts:
    """`seen_on` is the scan's date: a certificate is expired if it was expired when it was seen."""
    address = host.address or (host.hostnames[0] if host.hostnames else "?")
    is_open = port.state == "open"
    min_tls = None
    if port.tls is not None and port.tls.versions:
        min_tls = min(port.tls.versions, key=TLS_ORDER.index)
    cert_expired = None
    cert = port.certificate
    if cert is not None and cert.not_after is not None and seen_on is not None:
        cert_expired = cert.not_after < seen_on
    return PortFacts(
        port=port,
        where=host_port(address, port),
        label=service_label(port),
        open=is_open,
        data_store=data_store_kind(port) if is_open else None,
        plaintext=plaintext_kind(port) if is_open else None,
        remote_admin=remote_admin_kind(port) if is_open else None,
        min_tls=min_tls,
        cert_expired=cert_expired,
    )
