"""ssl-enum-ciphers blocks cut down, before the XML parser sees them, to what Resguarda reads of them.

On a TLS-heavy scan these blocks are most of the file (74 of 105 MB in the benchmark's): every cipher
of every protocol version as a table of three items, and the same again as text in the `output`
attribute. Of all that, `nmapxml._tls` reads the versions (the top-level tables' keys), nmap's own
"least strength" grade and, when that grade is F, the cipher entries graded F. Building a tree of
everything else costs most of the import's time.

`TlsCompactor` sits between the bytes read and the C parser. A block that has exactly the shape nmap
writes (checked by one regular expression, `_BLOCK`: the `output` attribute, then one or more version
tables holding cipher entries, keyed tables of items and items, then the final "least strength"
item; texts of plain ASCII without markup characters or entity references) is replaced by a block
with the same versions, the same grade and, if the grade is F, every entry that has an item whose text
reads F (a superset of the entries `_tls` can name). Parsing the short block gives `_tls` exactly what
parsing the long one gives; any other block (another layout, another encoding, anything unexpected)
goes to the parser untouched, and so does the whole rest of the file once a CDATA section has opened
(text inside one is not markup). The hash is of the bytes read, before this step.

The short block has fewer lines: a parse error later in the file would be reported at the wrong line,
so the reader reads the file again without this step when one occurs (`changed`).
"""

from __future__ import annotations

import re

_START = b'<script id="ssl-enum-ciphers" output="'
_END = b"</script>"
# A block longer than this is left alone (nmap writes about 12 KB for a server with every version).
MAX_BLOCK = 1 << 20
_CDATA = b"<![CDATA["

# Plain text: printable ASCII and whitespace, no markup characters and no entity references.
_TEXT = rb'[^<>&"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]*+'
_WS = rb"[ \t\r\n]*+"
_VERSION_KEY = rb"(?:SSLv2|SSLv3|TLSv1\.[0-3])"
# An item's text does not start or end with whitespace (nmap trims them): then the only texts that
# `_grade` reads as F are "F" and "f", found with plain searches.
_EDGE = rb'[^<>&"\x00-\x20\x7f-\xff]'
_ITEM_TEXT = rb"(?:" + _EDGE + rb'(?:[^<>&"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]*' + _EDGE + rb")?)?"
_ITEM = rb'<elem(?: key="' + _TEXT + rb'")?>' + _ITEM_TEXT + rb"</elem>"
# A cipher entry: a table without a key, of items only.
_ENTRY = rb"<table>" + _WS + rb"(?:" + _ITEM + _WS + rb")*+</table>"
_CIPHERS = rb'<table key="ciphers">' + _WS + rb"(?:" + _ENTRY + _WS + rb")*+</table>"
# Any other keyed table (compressors, warnings) holds items only, and no version's name.
_KEYED = (rb'<table key="(?!ciphers")(?!' + _VERSION_KEY + rb'")' + _TEXT + rb'">' + _WS
          + rb"(?:" + _ITEM + _WS + rb")*+</table>")
_VERSION = (rb'<table key="' + _VERSION_KEY + rb'">' + _WS
            + rb"(?:(?:" + _CIPHERS + rb"|" + _KEYED + rb"|" + _ITEM + rb")" + _WS + rb")*+</table>")
# The `output` attribute: the same text nmap prints (dropped: `_tls` reads it only without tables).
_OUTPUT = rb'[^<>&"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]*+(?:&#xa;[^<>&"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]*+)*+'
_BLOCK = re.compile(re.escape(_START) + _OUTPUT + rb'">' + _WS + rb"(?:" + _VERSION + _WS + rb")++"
                    + rb'<elem key="least strength">(?P<least>[A-F])</elem>' + _WS + re.escape(_END))
_VERSION_TABLE = re.compile(rb'<table key="(' + _VERSION_KEY + rb')">')
_F_ITEM = b">F</elem>"


def compact_block(data: bytes, start: int, end: int) -> bytes | None:
    """The short form of the block data[start:end], or None if it does not have nmap's shape."""
    block = _BLOCK.fullmatch(data, start, end)
    # No "--" either: inside a comment it would make the file malformed, and the short block might not
    # carry it on. An item "f" (read as F) is rare enough to leave the block alone.
    if block is None or data.find(b"--", start, end) >= 0 or data.find(b">f</elem>", start, end) >= 0:
        return None
    least = block.group("least")
    tables = list(_VERSION_TABLE.finditer(data, start, end))
    out = [b'<script id="ssl-enum-ciphers">']
    for n, table in enumerate(tables):
        out.append(table.group(0))
        if least == b"F":
            # Every entry of this version (a table without a key: nothing else is) that has an item
            # reading F, in order; an entry ends at its first "</table>" (it holds items only).
            stop = tables[n + 1].start() if n + 1 < len(tables) else end
            out.append(b'<table key="ciphers">')
            for piece in data[table.end():stop].split(b"<table>")[1:]:
                if _F_ITEM in piece:
                    entry = piece[:piece.find(b"</table>") + len(b"</table>")]
                    if _F_ITEM in entry:
                        out.append(b"<table>" + entry)
            out.append(b"</table>")
        out.append(b"</table>")
    out.append(b'<elem key="least strength">' + least + b"</elem></script>")
    return b"".join(out)


class TlsCompactor:
    """Feed each chunk read through `feed` and the end through `flush`; what they return goes to the
    parser. A block cut by a chunk's end is held back until its end arrives."""

    def __init__(self) -> None:
        self.changed = False     # whether any block was replaced (line numbers then differ)
        self._held = b""
        self._last = b""         # the last bytes seen, to find a CDATA opening across two chunks
        self._off = False

    def feed(self, chunk: bytes) -> bytes:
        data = self._held + chunk if self._held else chunk
        self._held = b""
        if self._off:
            return data
        if _CDATA in data or _CDATA in self._last + data[:len(_CDATA)]:
            self._off = True
            return data
        self._last = data[-len(_CDATA):]
        out: list[bytes] = []
        at = 0
        while (start := data.find(_START, at)) >= 0:
            close = data.find(_END, start)
            if close < 0:
                if len(data) - start <= MAX_BLOCK:
                    self._held = data[start:]
                    data = data[:start]
                break
            end = close + len(_END)
            short = compact_block(data, start, end)
            if short is not None:
                out.append(data[at:start])
                out.append(short)
                self.changed = True
            else:
                out.append(data[at:end])
            at = end
        else:
            # A block's first bytes at the very end: held back too.
            tail = data.rfind(b"<", max(at, len(data) - len(_START) + 1))
            if tail >= 0 and _START.startswith(data[tail:]):
                self._held = data[tail:]
                data = data[:tail]
        out.append(data[at:])
        return b"".join(out)

    def flush(self) -> bytes:
        held, self._held = self._held, b""
        return held
