"""A streaming, defused reader of nmap XML: the same code for scans Resguarda runs and files it imports.

Why not python-nmap's parser: it drops `tunnel="ssl"` (HTTPS looks like plain HTTP), keeps only the
text of script output (losing ssl-enum-ciphers' per-version tables), parses with the standard
library without defusing, and holds the whole document (about 900 MB for a 100 MB file).

Here the prolog (the only place a DTD, entity declarations or external references can appear) goes
through defusedxml's parser, which refuses entities and external references the moment they appear
(a bare `<!DOCTYPE nmaprun>`, as nmap writes it, is fine); the document itself then goes through the
C parser in chunks, each `<host>` is turned into small slotted objects when it closes, and the tree
is cleared, so memory stays flat whatever the file size (see `NmapXmlReader`). Any problem is an
InputError naming the file, line and column.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import os
import re
import stat
import sys
import xml.etree.ElementTree as ET
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from checker import forked
from checker.errors import InputError
from checker.i18n import t
from checker.scan.tls_compact import TlsCompactor

# The parser is fed CHUNK bytes at a time: 16-64 KB measured fastest, since each piece's tree is
# still in the CPU cache when it is turned into facts (1 MB pieces took about 25 % longer).
CHUNK = 1 << 15
PROLOG_CHUNK = 1 << 16
# One child of the root (a host) larger than this is refused: a real host with every script is tens
# of kilobytes, and the limit keeps a hostile file from building a huge tree in memory.
MAX_ELEMENT_BYTES = 32 << 20
# Everything before the root element's start tag, plus that tag (nmap writes about 1 KB: the XML
# declaration, a bare DOCTYPE, a stylesheet link and <nmaprun> with its command line). expat 2.5
# re-scans an unfinished token from its start at every feed, so one huge token (a comment before the
# root, an attribute on it) costs quadratic time: the prolog is bounded instead.
MAX_PROLOG_BYTES = 1 << 20
# Past the prolog, a feed that completes no child of the root doubles the next one (up to this), so
# an oversized token is re-scanned a logarithmic number of times, not once per 32 KB.
MAX_FEED = 8 << 20
# A regular file at least this large (and at most PARALLEL_MAX_BYTES, as the second half's hosts are
# handed over at once) is read in two halves at the same time when a second CPU is free (`forked`):
# the second from the first `<host` after the middle.
PARALLEL_MIN_BYTES = 24 << 20
PARALLEL_MAX_BYTES = 1 << 30
# Where to look for that `<host` after the middle.
SPLIT_WINDOW = 1 << 20
SPLIT_SEARCH = 8 << 20
# Encodings in which "<host" is the same bytes as in ASCII and cannot start inside another character.
_ASCII_SAFE = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15",
               "windows-1252", "cp1252"}
_ENCODING = re.compile(rb"""\A<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# The rest of a start tag (its end '>' is the first outside quotes).
_TAG_REST = re.compile(rb"""(?:[^>"']|"[^"]*"|'[^']*')*>""")
_HOST_TAG = re.compile(rb"<host[\s>/]")
_ROOT_END = b"</nmaprun>"
# Protocol versions as ssl-enum-ciphers names them, weakest first.
TLS_ORDER = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
GRADES = ("A", "B", "C", "D", "E", "F")
_GRADE_OF: dict[str | None, str] = {grade: grade for grade in GRADES}
# Short names for certificate fields, as OpenSSL and browsers print them.
_DN_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C",
             "stateOrProvinceName": "ST", "localityName": "L", "emailAddress": "emailAddress"}

_intern = sys.intern
_TEXT = operator.attrgetter("text")
_ADDRESS_TYPES = {"ipv4": "ipv4", "ipv6": "ipv6"}


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


class NmapXmlReader:
    """Streams one nmap XML source: `read_header()`, then iterate `hosts()`; `sha256` and `end` are set
    once the hosts are exhausted.

    Two passes, for safety and speed, over bytes read once (pass 1 keeps what it read and pass 2
    replays it, so a pipe works and the hash is of the bytes parsed):
    1. The prolog (everything before the root element's start tag, the only place where a DTD,
       entity declarations or external references can appear) goes through defusedxml's parser,
       which refuses entity declarations and external references as soon as it meets them; a DOCTYPE
       that points at an external DTD or carries an internal subset is refused too (nmap writes a
       bare `<!DOCTYPE nmaprun>`), and so is a prolog over MAX_PROLOG_BYTES.
    2. The whole file then goes through the C parser in 32 KB feeds (growing while an element stays
       open, see MAX_FEED). After a clean prolog no
       declaration can occur any more (XML allows none after the root opens) and a reference to an
       undeclared entity is a well-formedness error, so nothing can expand; the C parser builds the
       tree without a Python call per element, which is what makes 100 MB import in seconds. Each
       finished child of the root is turned into slotted objects and deleted at once.
    A large regular file is read in two halves at the same time (`_second_half`, `_in_halves`): the
    tree building is most of the cost and a second CPU halves its wall time. The halves are used only
    when they provably give what one reading gives; otherwise the file is read again from the start.
    """

    def __init__(self, source: BinaryIO, display: str, lang: str = "es") -> None:
        self.source = source
        self.display = display
        self.lang = lang
        self.header: ScanHeader | None = None
        self.end = ScanEnd()
        self.sha256: str | None = None
        self._expat: DefusedXMLParser | None = None
        self._prolog: list[bytes] = []
        self._prolog_size = 0
        self._feed = CHUNK
        self._internal_subset = False
        self._root_index: int | None = None    # byte offset of the root's start tag
        self._done = 0                          # children of the root handed out so far
        self._end_updates: list[dict[str, Any]] = []

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

    def _parse_error(self, exc: ParseError, at_end: bool) -> InputError:
        line, column = exc.position
        if at_end:
            return self._error("xml.truncated", line, column + 1)
        return self._error("xml.invalid", line, column + 1, detail=str(exc).split(":", 1)[0])

    # -- pass 1: the prolog, defused -----------------------------------------------------------
    def _doctype(self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
        if sysid or pubid:
            raise ExternalReferenceForbidden(None, None, sysid, pubid)
        self._internal_subset = bool(has_internal_subset)

    def _doctype_end(self) -> None:
        # Refused at the end of the DOCTYPE (entity declarations inside are refused, with their own
        # message, as they appear): nmap never writes an internal subset, and an <!ATTLIST> there
        # adds attributes to elements that do not carry them (tunnel="ssl" turns HTTP into HTTPS).
        if self._internal_subset:
            raise _InternalSubset()

    def read_header(self) -> ScanHeader:
        if self.header is not None:
            return self.header
        expat = self._expat = DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True,
                                               forbid_external=True)
        raw = expat.parser
        raw.StartDoctypeDeclHandler = self._doctype
        raw.EndDoctypeDeclHandler = self._doctype_end
        pull = XMLPullParser(events=("start",), _parser=expat)
        # Remember where the root element starts (events are read only after a whole chunk).
        on_start = raw.StartElementHandler
        root_at: list[tuple[int, int]] = []

        def start(tag: str, attrs: list[str]) -> None:
            if not root_at:
                root_at.append((int(raw.CurrentLineNumber), int(raw.CurrentColumnNumber) + 1))
                self._root_index = int(raw.CurrentByteIndex)
            on_start(tag, attrs)

        raw.StartElementHandler = start
        while self.header is None:
            if self._prolog_size >= MAX_PROLOG_BYTES:
                raise self._error("xml.prolog_too_large", None, None, kb=str(MAX_PROLOG_BYTES >> 10))
            chunk = self.source.read(min(PROLOG_CHUNK, MAX_PROLOG_BYTES - self._prolog_size))
            if chunk:
                # Kept for pass 2: every byte is read once, and the bytes hashed are the bytes parsed.
                self._prolog.append(chunk)
                self._prolog_size += len(chunk)
            try:
                if chunk:
                    pull.feed(chunk)
                else:
                    pull.close()
                # XMLPullParser hands parse errors over as queued events: read them inside the try.
                events: list[tuple[str, Element]] = list(pull.read_events())  # type: ignore[arg-type]
            except _InternalSubset:
                raise self._error("xml.internal_subset") from None
            except EntitiesForbidden as exc:
                raise self._error("xml.entities", name=str(getattr(exc, "name", "") or "?")) from None
            except ExternalReferenceForbidden:
                raise self._error("xml.external") from None
            except DefusedXmlException as exc:
                raise self._error("xml.forbidden", detail=str(exc)) from None
            except ParseError as exc:
                raise self._parse_error(exc, not chunk) from None
            for _event, elem in events:
                if elem.tag != "nmaprun":
                    line, column = root_at[0] if root_at else (None, None)
                    raise self._error("xml.not_nmap", line, column, tag=str(elem.tag)[:80])
                self.header = _header(elem)
                break
            if not chunk and self.header is None:
                raise self._error("xml.truncated")
        return self.header

    # -- pass 2: the document, C speed ---------------------------------------------------------
    def _read(self, want: int) -> bytes:
        chunk = self.source.read(want)
        if chunk and len(chunk) < want:
            parts = [chunk]
            size = len(chunk)
            while size < want:  # a pipe returns short reads: fill the feed
                more = self.source.read(want - size)
                if not more:
                    break
                parts.append(more)
                size += len(more)
            chunk = b"".join(parts)
        return chunk

    def _chunks(self, limit: int | None = None) -> Iterator[bytes]:
        """The prolog bytes pass 1 kept, then the rest of the source (up to byte `limit` of the file), in
        feeds that grow while no child of the root completes (`self._feed`), so one huge token is never
        re-scanned per 32 KB; the last one is empty."""
        prolog = b"".join(self._prolog)
        self._prolog = []
        for start in range(0, len(prolog), CHUNK):
            yield prolog[start:start + CHUNK]
        at = len(prolog)
        while True:
            want = self._feed if limit is None else min(self._feed, limit - at)
            chunk = self._read(want) if want > 0 else b""
            at += len(chunk)
            yield chunk
            if not chunk:
                return

    def hosts(self) -> Iterator[Host]:
        """The hosts, in file order. A large file is read in two halves at once where it can be (see
        `_second_half`); whenever that does not give exactly what one reading from the start would, the
        file is read again from the start, after the hosts already handed out."""
        self.read_header()
        self._expat = None
        self._done = 0
        ascii_bytes = _ascii_compatible(b"".join(self._prolog))
        half = self._second_half()
        if half is not None:
            try:
                if (yield from self._in_halves(*half)):
                    return
            finally:
                half[1].cancel()
            self.source.seek(0)
            self._prolog = []
        digest = hashlib.sha256()
        try:
            yield from self._walk(self._chunks(), _TreeParser(), digest, skip=self._done,
                                  compactor=self._compactor(ascii_bytes))
        except _Reread:
            # The error is reported from a reading of the file as it is, with its true line and column.
            self.source.seek(0)
            self._prolog = []
            digest = hashlib.sha256()
            yield from self._walk(self._chunks(), _TreeParser(), digest, skip=self._done)
        self.sha256 = digest.hexdigest()

    def _compactor(self, ascii_bytes: bool) -> TlsCompactor | None:
        """A compactor for a file that can be read again (a parse error is then reported from a second
        reading) in an encoding where the blocks are ASCII bytes."""
        try:
            seekable = bool(self.source.seekable())
        except (AttributeError, OSError, ValueError):
            seekable = False
        return TlsCompactor() if seekable and ascii_bytes else None

    def _walk(self, chunks: Iterator[bytes], parser: _TreeParser, digest: Any, skip: int = 0,
              tail: bytes = b"", compactor: TlsCompactor | None = None) -> Iterator[Host]:
        """Feeds `chunks` (hashed) and then `tail` (not hashed) to `parser`, and turns each finished child
        of the root into facts, after the first `skip` (handed out before); `self._done` counts them.
        With a `compactor`, ssl-enum-ciphers blocks reach the parser cut down (checker/scan/tls_compact.py);
        a parse error after one was is `_Reread` (its line would be wrong)."""
        unfinished = 0  # bytes read while the root's last child stayed open
        self._feed = CHUNK
        for chunk in chunks:
            try:
                if chunk:
                    digest.update(chunk)
                    parser.feed(compactor.feed(chunk) if compactor is not None else chunk)
                else:
                    if compactor is not None and (held := compactor.flush()):
                        parser.feed(held)
                    if tail:
                        parser.feed(tail)
                    parser.close()
            except ParseError as exc:
                if compactor is not None and compactor.changed:
                    raise _Reread() from None
                raise self._parse_error(exc, not chunk) from None
            root = parser.root
            if root is not None:
                count = len(root)
                done = count if not chunk else count - 1  # the last child may still be open
                if done > 0:
                    children = root[:done]
                    del root[:done]
                    unfinished = 0
                    self._feed = CHUNK
                    for child in children:
                        self._done += 1
                        if skip:
                            skip -= 1
                            continue
                        tag = child.tag
                        if tag == "host":
                            host = _host(child)
                            if host is not None:
                                yield host
                        elif tag == "runstats":
                            self._runstats(child)
                else:
                    unfinished += len(chunk)
                    if unfinished > MAX_ELEMENT_BYTES:
                        raise self._error("xml.too_large", None, None, mb=str(MAX_ELEMENT_BYTES >> 20))
                    self._feed = min(self._feed * 2, MAX_FEED)
            if not chunk:
                break

    def _runstats(self, elem: Element) -> None:
        for child in elem:
            if child.tag == "finished":
                self._set_end(exit=child.get("exit"), errormsg=child.get("errormsg"))
            elif child.tag == "hosts":
                self._set_end(hosts_up=_int(child.get("up")), hosts_down=_int(child.get("down")))

    def _set_end(self, **values: Any) -> None:
        self._end_updates.append(values)   # replayed in order by a reader of an earlier half
        for name, value in values.items():
            setattr(self.end, name, value)

    # -- two halves at once --------------------------------------------------------------------
    def _second_half(self) -> tuple[int, forked.Pending] | None:
        """A child process reading the file from the first `<host` after its middle (the boundary),
        as a document of its own: the prolog and the root's start tag, then the bytes from there. Only
        for a regular file between PARALLEL_MIN_BYTES and PARALLEL_MAX_BYTES in an encoding where
        "<host" cannot be part of another character, and where `forked` can run a child."""
        try:
            fd = self.source.fileno()
            info = os.fstat(fd)
            seekable = self.source.seekable()
        except (AttributeError, OSError, ValueError):
            return None
        size = info.st_size
        if (not seekable or not stat.S_ISREG(info.st_mode) or not PARALLEL_MIN_BYTES <= size <= PARALLEL_MAX_BYTES
                or self._root_index is None or not forked.usable() or not forked.spare_cpu()):
            return None
        prolog = b"".join(self._prolog)
        prefix = _document_start(prolog, self._root_index)
        if prefix is None:
            return None
        boundary = _host_boundary(fd, size // 2, size)
        if boundary is None or boundary <= len(prolog):
            return None
        job = functools.partial(_read_second_half, fd, boundary, prefix, self.display, self.lang)
        pending = forked.start(job)
        return None if pending is None else (boundary, pending)

    def _in_halves(self, boundary: int, pending: forked.Pending) -> Generator[Host, None, bool]:
        """Reads the first half here while the child reads the second, then hands out the child's
        hosts. True when that gave exactly what one reading would: the first half, closed with the
        root's end tag, is a whole document (so the boundary lies between two children of the root,
        outside any markup, and the second half's document has the same children as the file after
        it), the child succeeded, and the bytes it read are the bytes hashed here. False otherwise:
        the caller reads again from the start (errors are reported from that reading)."""
        digest = hashlib.sha256()
        try:
            yield from self._walk(self._chunks(limit=boundary), _TreeParser(), digest, tail=_ROOT_END,
                                  compactor=TlsCompactor())
        except (InputError, _Reread):
            return False
        rest = hashlib.sha256()
        while True:
            chunk = self._read(MAX_FEED)
            if not chunk:
                break
            digest.update(chunk)
            rest.update(chunk)
        outcome = pending.result()
        if not isinstance(outcome, _Half) or outcome.sha256 != rest.hexdigest():
            return False
        for values in outcome.end_updates:
            self._set_end(**values)
        self._done += outcome.children
        yield from outcome.hosts
        self.sha256 = digest.hexdigest()
        return True


@dataclass(slots=True)
class _Half:
    """What the child read from the boundary on."""

    hosts: list[Host]
    end_updates: list[dict[str, Any]]
    children: int
    sha256: str


class _PositionalReader:
    """Reads a file descriptor from an offset without moving its shared position (`os.pread`)."""

    def __init__(self, fd: int, at: int) -> None:
        self.fd = fd
        self.at = at

    def read(self, size: int = -1) -> bytes:
        data = os.pread(self.fd, size if size >= 0 else 1 << 30, self.at)
        self.at += len(data)
        return data


def _read_second_half(fd: int, boundary: int, prefix: bytes, display: str, lang: str) -> _Half:
    """In the child: the document made of `prefix` (not hashed) and the file from `boundary`."""
    reader = NmapXmlReader(_PositionalReader(fd, boundary), display, lang)  # type: ignore[arg-type]
    parser = _TreeParser()
    parser.feed(prefix)
    digest = hashlib.sha256()
    hosts = list(reader._walk(reader._chunks(), parser, digest, compactor=TlsCompactor()))
    return _Half(hosts, reader._end_updates, reader._done, digest.hexdigest())


def _document_start(prolog: bytes, root_index: int) -> bytes | None:
    """The bytes up to the end of the root's start tag, if the encoding is one where the second half
    can start at "<host" (None otherwise, or for an empty root `<nmaprun/>`)."""
    if not _ascii_compatible(prolog):
        return None
    tag = _TAG_REST.match(prolog, root_index)
    if tag is None or prolog[tag.end() - 2:tag.end()] == b"/>":
        return None
    return prolog[:tag.end()]


def _ascii_compatible(prolog: bytes) -> bool:
    """Whether the document's encoding writes ASCII as ASCII bytes that cannot be part of another character."""
    if prolog[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in prolog[:4]:
        return False   # UTF-16 or UTF-32
    declared = _ENCODING.match(prolog.removeprefix(b"\xef\xbb\xbf"))
    return declared is None or declared.group(1).decode("ascii").lower() in _ASCII_SAFE


def _host_boundary(fd: int, middle: int, size: int) -> int | None:
    """The offset of the first "<host" start tag at or after `middle` (looked for in SPLIT_SEARCH bytes)."""
    at = middle
    while at < min(size, middle + SPLIT_SEARCH):
        window = os.pread(fd, SPLIT_WINDOW + 8, at)
        if not window:
            return None
        found = _HOST_TAG.search(window)
        if found is not None:
            return at + found.start()
        at += SPLIT_WINDOW
    return None


class _Reread(Exception):
    """A parse error after a block was cut down: the file is read again as it is, to report it."""


class _InternalSubset(Exception):
    """A DOCTYPE with an internal subset: refused (raised from inside expat, caught in read_header)."""


class _TreeParser:
    """The C parser building the tree with no Python call per element, plus the root element as soon
    as it opens (finished hosts are taken off it).

    The root is caught with "start" events that are switched off after the first chunk
    (`_setevents` is how XMLPullParser itself drives the C parser); where that method is missing, an
    element factory catches it instead, about 20 % slower over 1.4 million elements.
    """

    def __init__(self) -> None:
        self.root: Element | None = None
        self._queue: list[tuple[str, Element]] = []
        self.parser = ET.XMLParser(target=ET.TreeBuilder())
        self._setevents = getattr(self.parser, "_setevents", None)
        if self._setevents is not None:
            self._setevents(self._queue, ("start",))
        else:
            make = Element

            def element(tag: str, attrib: dict[str, str]) -> Element:
                node = make(tag, attrib)
                if self.root is None:
                    self.root = node
                return node

            self.parser = ET.XMLParser(target=ET.TreeBuilder(element_factory=element))

    def feed(self, data: bytes) -> None:
        self.parser.feed(data)
        self._catch_root()

    def close(self) -> None:
        self.parser.close()
        self._catch_root()

    def _catch_root(self) -> None:
        if self.root is None and self._queue and self._setevents is not None:
            self.root = self._queue[0][1]
            self._setevents(self._queue, ())
            self._queue.clear()


def parse_file(path: Path, display: str | None = None, lang: str = "es") -> ParsedScan:
    with path.open("rb") as fh:
        return parse_stream(fh, display or str(path), lang)


def parse_bytes(data: bytes, display: str, lang: str = "es") -> ParsedScan:
    import io

    return parse_stream(io.BytesIO(data), display, lang)


def parse_stream(source: BinaryIO, display: str, lang: str = "es") -> ParsedScan:
    """`source` is read once, front to back (a pipe will do)."""
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


def _host(elem: Element) -> Host | None:
    state = "unknown"
    address = addrtype = None
    hostnames: list[str] = []
    ports: list[Port] = []
    # Direct loops over children and one attribute dict per element: faster than find/iterfind paths
    # and repeated Element.get over 25,000 hosts.
    for child in elem:
        tag = child.tag
        if tag == "ports":
            for pe in child:
                if pe.tag == "port":
                    port = _port(pe)
                    if port is not None:
                        ports.append(port)
        elif tag == "address":
            attrib = child.attrib
            kind = attrib.get("addrtype")
            value = attrib.get("addr")
            # An empty addr is no address (the host is then known by its name, if any).
            if kind in _ADDRESS_TYPES and address is None and value:
                address, addrtype = value, _ADDRESS_TYPES[kind]
        elif tag == "status":
            state = child.get("state") or "unknown"
        elif tag == "hostnames":
            for name_el in child:
                value = name_el.get("name")
                if name_el.tag == "hostname" and value and value not in hostnames:
                    hostnames.append(value)
    if address is None and not hostnames:
        return None
    return Host(address, addrtype, hostnames, state, ports)


def _port(elem: Element) -> Port | None:
    attrib = elem.attrib
    try:
        number = int(attrib["portid"])
    except (KeyError, ValueError):
        return None
    if not 0 <= number <= 65535:
        return None
    state = "unknown"
    service = product = version = extrainfo = tunnel = method = None
    tls: TlsInfo | None = None
    certificate: Certificate | None = None
    title = redirect = None
    for child in elem:
        tag = child.tag
        if tag == "state":
            state = child.get("state") or "unknown"
        elif tag == "service":
            get = child.attrib.get
            # Empty attributes are absent (`or None`).
            service = get("name") or None
            product = get("product") or None
            version = get("version") or None
            extrainfo = get("extrainfo") or None
            tunnel = get("tunnel") or None
            method = get("method") or None
        elif tag == "script":
            sid = child.get("id")
            if sid == "ssl-enum-ciphers":
                tls = _tls(child)
            elif sid == "ssl-cert":
                certificate = _certificate(child)
            elif sid == "http-title":
                title, redirect = _http_title(child)
    return Port(attrib.get("protocol") or "tcp", number, state, service, product, version, extrainfo, tunnel,
                method, tls, certificate, title, redirect)


def _grade(text: str | None) -> str | None:
    found = _GRADE_OF.get(text)   # the usual bare "A" .. "F" without building new strings
    if found is not None or not text:
        return found
    value = text.strip().upper()
    return value if value in GRADES else None


def _tls(script: Element) -> TlsInfo:
    versions: list[str] = []
    tables: list[tuple[str, Element]] = []
    least: str | None = None
    for child in script:
        key = child.get("key") or ""
        if child.tag == "elem":
            if key == "least strength":
                least = _grade(child.text)
        elif key in TLS_ORDER:
            versions.append(_intern(key))
            tables.append((key, child))
    weakest = least
    f_grade: list[str] = []
    # nmap's own "least strength" is the weakest grade; the cipher tables are only walked when it is
    # missing or F (to name the F-grade ciphers).
    if least is None or least == "F":
        only_f = least == "F"
        for key, table in tables:
            for ciphers in table:
                if ciphers.get("key") != "ciphers":
                    continue
                # With the worst grade known to be F, only F entries matter: a look at the texts skips
                # the others without reading every item's key, a whole table (every text under it) and
                # then an entry (its items' texts) at a time, iterated in C (`itertext`, `map`).
                if only_f and "F" not in ciphers.itertext():
                    continue
                for entry in ciphers:
                    if only_f and "F" not in map(_TEXT, entry):
                        continue
                    strength, name = _cipher(entry)
                    if strength is not None:
                        if weakest is None or strength > weakest:
                            weakest = strength
                        if strength == "F":
                            f_grade.append(f"{key} {name or '?'}")
    if least == "F" and not f_grade and tables:
        # Grades written with spaces (" F") escaped the quick look: walk every entry after all.
        return _tls_full(script, versions, tables)
    if not versions:
        versions, text_least = _tls_from_text(script.get("output") or "")
        if text_least is not None and (weakest is None or text_least > weakest):
            weakest = text_least
    versions.sort(key=TLS_ORDER.index)
    return TlsInfo(versions, weakest, f_grade)


def _cipher(entry: Element) -> tuple[str | None, str | None]:
    """The grade and the name of one ssl-enum-ciphers entry."""
    strength = name = None
    for item in entry:
        k = item.get("key")
        if k == "strength":
            strength = _grade(item.text)
        elif k == "name":
            name = item.text
    return strength, name


def _tls_full(script: Element, versions: list[str], tables: list[tuple[str, Element]]) -> TlsInfo:
    f_grade: list[str] = []
    for key, table in tables:
        for ciphers in table:
            if ciphers.get("key") != "ciphers":
                continue
            for entry in ciphers:
                strength, name = _cipher(entry)
                if strength == "F":
                    f_grade.append(f"{key} {name or '?'}")
    versions.sort(key=TLS_ORDER.index)
    return TlsInfo(versions, "F", f_grade)


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


def _dn(table: Element) -> list[tuple[str, str]]:
    return [(item.get("key") or "", item.text or "") for item in table if item.tag == "elem"]


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
    for table in script:
        key = table.get("key")
        if key == "subject":
            subject = _dn(table)
        elif key == "issuer":
            issuer = _dn(table)
        elif key == "validity":
            for item in table:
                which = item.get("key")
                if which == "notBefore":
                    not_before = _date(item.text)
                elif which == "notAfter":
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
    for item in script:
        key = item.get("key")
        if key == "title":
            title = item.text
        elif key == "redirect_url":
            redirect = item.text
    return title, redirect
