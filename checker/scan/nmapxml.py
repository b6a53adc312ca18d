"""A streaming, defused reader of nmap XML: the same code for scans Resguarda runs and files it imports.

Why not python-nmap's parser: it drops `tunnel="ssl"` (HTTPS looks like plain HTTP), keeps only the
text of script output (losing ssl-enum-ciphers' per-version tables), parses with the standard
library without defusing, and holds the whole document (about 900 MB for a 100 MB file).

Here the bytes go through defusedxml's expat parser in chunks (a DTD is allowed, because nmap writes
`<!DOCTYPE nmaprun>`, but entity declarations and external references are refused the moment they
appear), each `<host>` is turned into small slotted objects when it closes, and the tree is cleared,
so memory stays flat whatever the file size. Any problem is an InputError naming the file, line and
column.
"""

from __future__ import annotations

import hashlib
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from checker.errors import InputError
from checker.i18n import t

CHUNK = 1 << 20
# Protocol versions as ssl-enum-ciphers names them, weakest first.
TLS_ORDER = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
GRADES = ("A", "B", "C", "D", "E", "F")
# Short names for certificate fields, as OpenSSL and browsers print them.
_DN_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C",
             "stateOrProvinceName": "ST", "localityName": "L", "emailAddress": "emailAddress"}

_intern = sys.intern
HEADER = object()   # marker the stream yields once the root element has opened
_DONE = object()


@dataclass(slots=True)
class TlsInfo:
    """What ssl-enum-ciphers saw on one port."""

    versions: list[str]                 # offered protocol versions, weakest first (TLS_ORDER names)
    weakest_grade: str | None           # worst cipher grade, A (best) .. F
    f_grade_ciphers: list[str]          # "TLSv1.0 TLS_RSA_WITH_RC4_128_SHA"


@dataclass(slots=True)
class Certificate:
    """What ssl-cert saw on one port."""

    subject: str
    issuer: str
    self_signed: bool
    not_before: date | None
    not_after: date | None


@dataclass(slots=True)
class Port:
    protocol: str
    number: int
    state: str
    service: str | None = None
    product: str | None = None
    version: str | None = None
    extrainfo: str | None = None
    tunnel: str | None = None
    method: str | None = None           # "probed" (service detection) or "table" (guessed from the port)
    tls: TlsInfo | None = None
    certificate: Certificate | None = None
    http_title: str | None = None
    http_redirect: str | None = None


@dataclass(slots=True)
class Host:
    address: str | None
    addrtype: str | None
    hostnames: list[str]
    state: str
    ports: list[Port]


@dataclass(slots=True)
class ScanHeader:
    scanner: str
    args: str | None
    version: str | None
    start: datetime | None               # <nmaprun start="...">, the scan's date

    @property
    def date(self) -> date | None:
        return self.start.date() if self.start else None


@dataclass(slots=True)
class ScanEnd:
    exit: str | None = None              # "success" or "error"
    errormsg: str | None = None
    hosts_up: int | None = None
    hosts_down: int | None = None


@dataclass
class ParsedScan:
    """A whole file read at once (for small files and tests); `observe` streams instead."""

    header: ScanHeader
    hosts: list[Host]
    end: ScanEnd
    sha256: str
    extra: dict[str, str] = field(default_factory=dict)


class NmapXmlReader:
    """Streams one nmap XML source: `read_header()`, then iterate `hosts()`; `sha256` and `end` are set
    once the hosts are exhausted."""

    def __init__(self, source: BinaryIO, display: str, lang: str = "es") -> None:
        self.source = source
        self.display = display
        self.lang = lang
        self.header: ScanHeader | None = None
        self.end = ScanEnd()
        self.sha256: str | None = None
        self._expat = DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True,
                                       forbid_external=True)
        self._pull = XMLPullParser(events=("start", "end"), _parser=self._expat)
        self._events: Iterator[Host | object] = self._parse()
        self._pending: list[Host] = []

    # -- errors ------------------------------------------------------------------------------
    def _where(self) -> tuple[int | None, int | None]:
        parser = getattr(self._expat, "parser", None)
        if parser is None:
            return None, None
        return int(parser.CurrentLineNumber), int(parser.CurrentColumnNumber) + 1

    def _error(self, key: str, line: int | None = None, column: int | None = None, **values: str) -> InputError:
        if line is None:
            line, column = self._where()
        return InputError(self.display, t("scan", self.lang, key, **values), line, column,
                          t("scan", self.lang, "xml.hint"))

    def _feed(self, data: bytes | None) -> None:
        try:
            if data is None:
                self._pull.close()
            else:
                self._pull.feed(data)
        except EntitiesForbidden as exc:
            raise self._error("xml.entities", name=str(getattr(exc, "name", "") or "?")) from None
        except ExternalReferenceForbidden:
            raise self._error("xml.external") from None
        except DefusedXmlException as exc:
            raise self._error("xml.forbidden", detail=str(exc)) from None
        except ParseError as exc:
            line, column = exc.position
            if data is None:
                raise self._error("xml.truncated", line, column + 1) from None
            message = str(exc).split(":", 1)[0]
            raise self._error("xml.invalid", line, column + 1, detail=message) from None

    # -- the stream --------------------------------------------------------------------------
    def _parse(self) -> Iterator[Host | object]:
        """Yields HEADER once the root element has opened, then one Host per <host>."""
        digest = hashlib.sha256()
        root: Element | None = None
        depth = 0
        while True:
            chunk = self.source.read(CHUNK)
            if chunk:
                digest.update(chunk)
            self._feed(chunk if chunk else None)
            for event, elem in self._pull.read_events():
                if event == "start":
                    depth += 1
                    if root is None:
                        root = elem
                        if elem.tag != "nmaprun":
                            raise self._error("xml.not_nmap", tag=str(elem.tag)[:80])
                        self.header = _header(elem)
                        yield HEADER
                    continue
                depth -= 1
                if depth != 1 or root is None:
                    # Inside a host (or the root's own end): wait for the whole host.
                    continue
                tag = elem.tag
                if tag == "host":
                    host = _host(elem)
                    if host is not None:
                        yield host
                elif tag == "runstats":
                    finished = elem.find("finished")
                    if finished is not None:
                        self.end.exit = finished.get("exit")
                        self.end.errormsg = finished.get("errormsg")
                    counts = elem.find("hosts")
                    if counts is not None:
                        self.end.hosts_up = _int(counts.get("up"))
                        self.end.hosts_down = _int(counts.get("down"))
                # Every finished child of the root is dropped, hosts and anything else, so memory
                # stays flat over 25,000 hosts (and over a hostile file of a million other elements).
                root.clear()
            if not chunk:
                break
        if root is None:
            raise self._error("xml.truncated")
        self.sha256 = digest.hexdigest()

    def read_header(self) -> ScanHeader:
        while self.header is None:
            item = next(self._events, _DONE)
            if item is _DONE:
                raise self._error("xml.truncated")
            if isinstance(item, Host):
                self._pending.append(item)
        return self.header

    def hosts(self) -> Iterator[Host]:
        self.read_header()
        pending, self._pending = self._pending, []
        yield from pending
        for item in self._events:
            if isinstance(item, Host):
                yield item


def parse_file(path: Path, display: str | None = None, lang: str = "es") -> ParsedScan:
    with path.open("rb") as fh:
        return parse_stream(fh, display or str(path), lang)


def parse_bytes(data: bytes, display: str, lang: str = "es") -> ParsedScan:
    import io

    return parse_stream(io.BytesIO(data), display, lang)


def parse_stream(source: BinaryIO, display: str, lang: str = "es") -> ParsedScan:
    reader = NmapXmlReader(source, display, lang)
    header = reader.read_header()
    hosts = list(reader.hosts())
    return ParsedScan(header, hosts, reader.end, reader.sha256 or "")


# -- turning elements into facts -------------------------------------------------------------------
def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _header(elem: Element) -> ScanHeader:
    start: datetime | None = None
    stamp = _int(elem.get("start"))
    if stamp is not None and 0 < stamp < 2**37:
        start = datetime.fromtimestamp(stamp, tz=UTC)
    return ScanHeader(scanner=elem.get("scanner") or "", args=elem.get("args"), version=elem.get("version"),
                      start=start)


def _opt(value: str | None) -> str | None:
    return _intern(value) if value else None


def _host(elem: Element) -> Host | None:
    status = elem.find("status")
    state = _intern(status.get("state") or "unknown") if status is not None else "unknown"
    address = addrtype = None
    for addr in elem.iterfind("address"):
        kind = addr.get("addrtype")
        if kind in ("ipv4", "ipv6") and address is None:
            address, addrtype = addr.get("addr"), _intern(kind)
    hostnames: list[str] = []
    for name in elem.iterfind("hostnames/hostname"):
        value = name.get("name")
        if value and value not in hostnames:
            hostnames.append(value)
    if address is None and not hostnames:
        return None
    ports = [p for p in (_port(pe) for pe in elem.iterfind("ports/port")) if p is not None]
    return Host(address, addrtype, hostnames, state, ports)


def _port(elem: Element) -> Port | None:
    number = _int(elem.get("portid"))
    if number is None or not 0 <= number <= 65535:
        return None
    state_el = elem.find("state")
    state = _intern(state_el.get("state") or "unknown") if state_el is not None else "unknown"
    port = Port(_intern(elem.get("protocol") or "tcp"), number, state)
    service = elem.find("service")
    if service is not None:
        port.service = _opt(service.get("name"))
        port.product = _opt(service.get("product"))
        port.version = _opt(service.get("version"))
        port.extrainfo = service.get("extrainfo") or None
        port.tunnel = _opt(service.get("tunnel"))
        port.method = _opt(service.get("method"))
    for script in elem.iterfind("script"):
        sid = script.get("id")
        if sid == "ssl-enum-ciphers":
            port.tls = _tls(script)
        elif sid == "ssl-cert":
            port.certificate = _certificate(script)
        elif sid == "http-title":
            port.http_title, port.http_redirect = _http_title(script)
    return port


def _grade(text: str | None) -> str | None:
    value = (text or "").strip().upper()
    return value if value in GRADES else None


def _tls(script: Element) -> TlsInfo:
    versions: list[str] = []
    weakest: str | None = None
    f_grade: list[str] = []
    for table in script.iterfind("table"):
        key = table.get("key") or ""
        if key not in TLS_ORDER:
            continue
        versions.append(_intern(key))
        for cipher in table.iterfind("table"):
            if cipher.get("key") != "ciphers":
                continue
            for entry in cipher.iterfind("table"):
                strength = name = None
                for item in entry.iterfind("elem"):
                    k = item.get("key")
                    if k == "strength":
                        strength = _grade(item.text)
                    elif k == "name":
                        name = item.text
                if strength is not None:
                    weakest = strength if weakest is None else max(weakest, strength)
                    if strength == "F":
                        f_grade.append(f"{key} {name or '?'}")
    for item in script.iterfind("elem"):
        if item.get("key") == "least strength":
            least = _grade(item.text)
            if least is not None:
                weakest = least if weakest is None else max(weakest, least)
    if not versions:
        versions, text_least = _tls_from_text(script.get("output") or "")
        if text_least is not None:
            weakest = text_least if weakest is None else max(weakest, text_least)
    versions.sort(key=TLS_ORDER.index)
    return TlsInfo(versions, weakest, f_grade)


def _tls_from_text(output: str) -> tuple[list[str], str | None]:
    """Old nmap versions wrote only text: '  TLSv1.0: ' lines and '  least strength: F'."""
    versions: list[str] = []
    least: str | None = None
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.endswith(":") and stripped[:-1] in TLS_ORDER and stripped[:-1] not in versions:
            versions.append(_intern(stripped[:-1]))
        elif stripped.startswith("least strength:"):
            least = _grade(stripped.split(":", 1)[1])
    return versions, least


def _dn(table: Element | None) -> list[tuple[str, str]]:
    if table is None:
        return []
    return [(item.get("key") or "", item.text or "") for item in table.iterfind("elem")]


def _dn_text(parts: list[tuple[str, str]]) -> str:
    return ", ".join(f"{_DN_SHORT.get(k, k)}={v}" for k, v in parts)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _certificate(script: Element) -> Certificate | None:
    subject = issuer = None
    not_before = not_after = None
    for table in script.iterfind("table"):
        key = table.get("key")
        if key == "subject":
            subject = _dn(table)
        elif key == "issuer":
            issuer = _dn(table)
        elif key == "validity":
            for item in table.iterfind("elem"):
                if item.get("key") == "notBefore":
                    not_before = _date(item.text)
                elif item.get("key") == "notAfter":
                    not_after = _date(item.text)
    if subject is None and issuer is None:
        return None
    subject = subject or []
    issuer = issuer or []
    # Self-signed: issued by itself (same distinguished name). A private CA's certificate is not
    # self-signed by this test, and is judged by whoever trusts that CA.
    self_signed = bool(subject) and sorted(subject) == sorted(issuer)
    return Certificate(_dn_text(subject), _dn_text(issuer), self_signed, not_before, not_after)


def _http_title(script: Element) -> tuple[str | None, str | None]:
    title = redirect = None
    for item in script.iterfind("elem"):
        key = item.get("key")
        if key == "title":
            title = item.text
        elif key == "redirect_url":
            redirect = item.text
    return title, redirect
