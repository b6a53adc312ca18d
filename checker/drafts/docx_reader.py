"""Reading a DOCX back: its sections (by our bookmarks), its text, its placeholders and the manifest
it was drafted from. Used by `--check` and by the tests; it reads any DOCX, ours or edited by hand
(a document without our bookmarks or properties still gives its text)."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from checker.drafts.docx_writer import BOOKMARK_PREFIX, KEYWORD, MANIFEST_NS

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

# Either language's placeholder marker, as the writers print it.
PLACEHOLDER = re.compile(r"\[(?:POR COMPLETAR|TO COMPLETE): [^\]]*\]")


@dataclass
class DocxContent:
    keys: list[str] = field(default_factory=list)                         # section keys, in order
    headings: dict[str, str] = field(default_factory=dict)                # key -> heading text
    text: dict[str, str] = field(default_factory=dict)                    # key -> the section's text
    placeholders: dict[str, list[str]] = field(default_factory=dict)      # key -> its placeholders
    full_text: str = ""
    properties: dict[str, Any] = field(default_factory=dict)              # what the draft was built from

    def all_placeholders(self) -> list[str]:
        return [p for key in self.keys for p in self.placeholders.get(key, [])] + self.placeholders.get("", [])


def _paragraph_text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def read_docx(path: Path) -> DocxContent:
    """Raises ValueError with a short reason when the file is not a readable DOCX."""
    try:
        doc = Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise ValueError(type(exc).__name__) from None
    out = DocxContent()
    key = ""
    chunks: list[str] = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            marks = [b.get(qn("w:name")) or "" for b in el.iter(qn("w:bookmarkStart"))]
            ours = [b[len(BOOKMARK_PREFIX):] for b in marks if b.startswith(BOOKMARK_PREFIX)]
            text = _paragraph_text(el)
            if ours:
                key = ours[0]
                out.keys.append(key)
                out.headings[key] = text
                continue
            lines = [text]
        elif el.tag == qn("w:tbl"):
            lines = [_paragraph_text(p) for p in el.iter(qn("w:p"))]
        else:
            continue
        for line in lines:
            out.text[key] = out.text.get(key, "") + line + "\n"
            out.placeholders.setdefault(key, []).extend(PLACEHOLDER.findall(line))
            chunks.append(line)
    out.full_text = "\n".join(chunks + list(out.headings.values()))
    if doc.core_properties.keywords == KEYWORD:
        out.properties = _manifest(doc)
    return out


def _manifest(doc: Any) -> dict[str, Any]:
    for rel in doc.part.rels.values():
        if rel.reltype != RT.CUSTOM_XML or rel.is_external:
            continue
        try:
            # The manifest is our own small XML; parse it without entities or network, as any input.
            root = etree.fromstring(rel.target_part.blob, parser=_PARSER)
        except (etree.XMLSyntaxError, ValueError):
            continue
        if root.tag == f"{{{MANIFEST_NS}}}draft" and root.text:
            try:
                data = json.loads(root.text)
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}
