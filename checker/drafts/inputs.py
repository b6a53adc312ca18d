"""What a draft is built from, read in one place: the declaration, its evaluation and the catalog.

Two things are about to change under us, so each is read here and nowhere else:
- the evaluation result is a plain dict today and becomes a typed model when the `result` stream is
  merged: `gaps_from_result` is the one adapter;
- the contract 1.1 fields (`actions`, transfers' `recipient_type` and `consent`, the new notice
  elements, `security_document.updated_after`, ARCO's `portability`...) arrive with the `catalog`
  stream: `extra` reads them defensively from the model, so a 1.0 declaration simply lacks them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from checker.declaration import ALWAYS_SENSITIVE, PUBLIC_OPERATORS, DataCategory, Declaration
from checker.i18n import t

SEVERITY_ORDER = ("critical", "high", "medium", "low")
GAP_STATUSES = ("fail", "partial", "unknown")


@dataclass(frozen=True)
class Gap:
    """One evaluated control as the security document needs it."""

    control_id: str
    title: str
    domain: str
    severity: str
    status: str
    remediation: str
    owner_role: str
    subjects: tuple[str, ...]   # names of the systems, data categories... it concerns


# A remediation ends with the fields to declare (`governance.training`): that speaks to whoever fills
# the declaration, not to the readers of a security document, so those sentences are dropped.
_DECLARE_SENTENCE = re.compile(r"[^.]*`[^`]+`[^.]*\.\s*")


def clean_remediation(text: str) -> str:
    return _DECLARE_SENTENCE.sub("", text or "").strip()


def gaps_from_result(doc: Any) -> list[Gap]:
    """The adapter over the evaluation result (a dict today, a pydantic model after the merge)."""
    data = doc.model_dump(mode="json") if hasattr(doc, "model_dump") else doc
    gaps: list[Gap] = []
    for r in data.get("results", []):
        names: list[str] = []
        for f in r.get("findings") or []:
            subject = f.get("subject") or {}
            if subject.get("kind") == "program":
                continue
            name = str(subject.get("name") or subject.get("id") or "")
            if name and name not in names and f.get("status") in GAP_STATUSES:
                names.append(name)
        status = r.get("status", "unknown")
        gaps.append(Gap(control_id=str(r.get("control_id", "")), title=str(r.get("title", "")).replace("`", ""),
                        domain=str(r.get("domain", "")), severity=str(r.get("severity", "low")),
                        status=str(status), remediation=clean_remediation(str(r.get("remediation") or "")),
                        owner_role=str(r.get("owner_role") or ""), subjects=tuple(names)))
    return gaps


def catalog_info(doc: Any) -> tuple[str, str]:
    data = doc.model_dump(mode="json") if hasattr(doc, "model_dump") else doc
    cat = data.get("catalog") or {}
    return str(cat.get("id", "")), str(cat.get("version", ""))


# -- the declaration ----------------------------------------------------------------------------
def is_public(decl: Declaration) -> bool:
    """The law of the notice is the controller's: an encargado drafts for its controller."""
    kind = extra(decl.program, "controller_type") if decl.program.role == "encargado" else None
    return str(kind or decl.program.operator_type) in PUBLIC_OPERATORS


def law(decl: Declaration) -> str:
    return "LGPDPPSO" if is_public(decl) else "LFPDPPP"


def has_minors(decl: Declaration) -> bool:
    return any(s.includes_minors or (s.min_age is not None and s.min_age < 18)
               for s in decl.program.data_subjects or [])


def is_sensitive(item: DataCategory) -> bool:
    return bool(item.sensitive) or item.category in ALWAYS_SENSITIVE


def extra(obj: Any, name: str, default: Any = None) -> Any:
    """A contract 1.1 field if the model has it (after the `catalog` merge), else `default`."""
    if obj is None or obj is False:
        return default
    value = getattr(obj, name, None)
    return default if value is None else value


def actions(decl: Declaration) -> list[Any]:
    return list(extra(decl, "actions", []) or [])


def transfer_needs_consent(transfer: Any) -> bool:
    if transfer.legal_basis is not None:
        return bool(transfer.legal_basis == "consent")
    # No basis declared: a consent record (1.1) or the 1.0 `consent_obtained` says consent is relied on.
    return extra(transfer, "consent") is not None or transfer.consent_obtained is not None


def llave_attributes(decl: Declaration) -> list[tuple[str, str]]:
    """(attribute, purpose) pairs the program receives from Llave MX: data it collects indirectly."""
    out: list[tuple[str, str]] = []
    for system in decl.systems or []:
        for auth in system.authentication or []:
            if auth.llave_mx and auth.llave_mx.stored_attributes:
                for a in auth.llave_mx.stored_attributes:
                    pair = (a.attribute, a.purpose or "")
                    if pair not in out:
                        out.append(pair)
    return out


def human(field_name: str) -> str:
    """`fecha_nacimiento` -> `fecha nacimiento`: field names as a family reads them."""
    return field_name.replace("_", " ").strip()


def label(area_key: str, value: str, lang: str) -> str:
    """The word for an enum value (category, legal basis, subject...) from the drafts locale."""
    return t("drafts", lang, f"{area_key}.{value}")


def vocabulary(kind: str, value: str, lang: str) -> str:
    """Severity, status and domain words: `checker.vocabulary`'s (one word for one thing)."""
    from checker.vocabulary import domain_word, severity_word, status_word

    words = {"severity": severity_word, "status": status_word, "domain": domain_word}
    return words[kind](value, lang) if kind in words else t("report", lang, f"{kind}.{value}")


def manifest(decl: Declaration) -> dict[str, Any]:
    """What a draft was built from, stored in the DOCX so `--check` can tell what changed since."""
    purposes: list[str] = []
    for item in decl.data_inventory or []:
        for p in item.purposes or []:
            if p not in purposes:
                purposes.append(p)
    return {
        "systems": {s.id: s.name or s.id for s in decl.systems or []},
        "transfers": {x.id: x.recipient or x.id for x in decl.transfers or []},
        "processors": {p.id: p.name or p.id for p in decl.processors or []},
        "data": {d.id: [human(f) for f in d.fields or []] for d in decl.data_inventory or []},
        "purposes": purposes,
    }
