"""Untrusted text made safe for each place it is written to: one function per sink.

Declarations, scans and saved results are third-party input (a vendor's declaration, a scanned
host's certificate subject). Text from them reaches terminals and CI logs, HTML and PDF reports,
Markdown posted as comments, SARIF and JUnit files. What is dangerous differs per sink:
- terminal / CI log: escape sequences (window title, screen clear, clipboard writes) and newlines
  (a forged `::error` workflow-command line) -> `terminal()` shows them escaped, on one line;
- HTML / PDF: bidirectional overrides (U+202E shows "exe.fdp" as "pdf.exe") and invisible
  characters -> `visible()` replaces them with a visible marker (Jinja2 escapes the markup);
- Markdown: links, autolinks, @mentions, raw HTML -> `markdown()`;
- SARIF `message.text`: no embedded `[text](url)` links -> `sarif_text()`;
- JUnit XML: characters XML 1.0 cannot carry -> `xml_text()` (the XML writer escapes markup).
Terminals that are not UTF-8 get an ASCII transliteration instead of a crash (`ascii_fallback`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# C0 and C1 controls except tab, DEL; bidi embeddings, overrides and isolates; zero-width and other
# invisible format characters; line and paragraph separators.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u2028\u2029"
_CONTROL = "".join(chr(c) for c in [*range(0, 9), *range(10, 32), 127, *range(0x80, 0xA0)])
_TERMINAL_BAD = re.compile(f"[{re.escape(_CONTROL + _BIDI + _INVISIBLE)}\n]")
_VISIBLE_BAD = re.compile(f"[{re.escape(_CONTROL.replace(chr(10), '') + _BIDI + _INVISIBLE)}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    if char == "\x1b":
        return "\\e"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: object) -> str:
    """One line a terminal shows literally: controls, escapes, bidi and invisible characters escaped."""
    return _TERMINAL_BAD.sub(_escape, str(text))


def terminal_lines(text: object) -> str:
    """Like `terminal`, keeping the message's own line breaks (each line neutralised separately)."""
    return "\n".join(terminal(line) for line in str(text).split("\n"))


def visible(text: object) -> str:
    """For HTML and PDF: bidi controls and invisible characters shown as their code (⟨U+202E⟩), so
    the text reads in the order it was written; other controls dropped to their code too."""
    return _VISIBLE_BAD.sub(lambda m: f"\u27e8U+{ord(m.group(0)):04X}\u27e9", str(text))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_])")
_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|javascript|data|file)(:)")
_WWW = re.compile(r"(?i)\bwww\.")


def markdown(text: object) -> str:
    """For Markdown: one line, every markup character escaped (no link, image or raw HTML), then
    `inert_links`."""
    value = " ".join(visible(str(text)).split())
    return inert_links(_MD_SPECIAL.sub(r"\\\1", value))


def inert_links(markdown_text: str) -> str:
    """Text already escaped for Markdown, made safe from what escaping leaves live: GitHub's bare-URL
    autolinks (`https:` gets an entity for its colon, `www.` for its dot), @mentions (a word joiner
    after the @, so `@org/team` notifies nobody), and bidi or invisible characters."""
    value = _SCHEME.sub(lambda m: f"{m.group(1)}&#58;", visible(markdown_text))
    value = _WWW.sub(lambda m: m.group(0)[:3] + "&#46;", value)
    return _MENTION.sub("@\u2060", value)


_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def sarif_text(text: object) -> str:
    """For SARIF `message.text` (plain text that viewers render with links): `[text](url)` loses its
    link syntax and controls are escaped."""
    value = terminal_lines(str(text))
    value = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", value)
    return value.replace("[", "(").replace("]", ")")


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: object) -> str:
    """For JUnit XML: characters XML 1.0 forbids shown as codes; bidi and invisible ones made visible."""
    return visible(_XML_BAD.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text)))


def _ascii(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start:exc.end]:
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        out.append(plain or {"—": "-", "–": "-", "«": '"', "»": '"', "¿": "?", "¡": "!"}.get(char, "?"))
    return "".join(out), exc.end


codecs.register_error("resguarda-ascii", _ascii)


def ascii_fallback(stream: object) -> None:
    """On a terminal whose encoding cannot write all of Unicode (LC_ALL=C, latin-1), write what it
    cannot as an ASCII transliteration ("Protección" -> "Proteccion") instead of failing."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and encoding not in ("utf-8", "utf8", "utf-16", "utf-32"):
        reconfigure(errors="resguarda-ascii")
