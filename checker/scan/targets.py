"""Validation of scan targets and port lists, before anything runs.

python-nmap splits the target string with `shlex` and hands every word to nmap, so a "target" such as
`127.0.0.1 -oN /some/file` becomes nmap options (tech-notes.md). Every target is therefore checked to
be exactly one of: an IP address, a CIDR network, or a host name (letters, digits, hyphens and dots,
not starting with '-'). Anything else, including spaces, shell syntax and options, is refused with an
InputError (exit 2) before nmap is even looked for.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from checker.errors import InputError
from checker.i18n import t

# A /16 is the largest network one scan may cover: it is the size the importer is built for, and a
# typo such as /8 would otherwise start a scan of 16 million addresses.
MAX_ADDRESSES = 65_536
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_PORT_ITEM = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")


def _is_hostname(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    # The last label (the top-level domain, or a single name such as "localhost") must hold a letter:
    # nmap reads digits and hyphens as address ranges ("10.0.0-255.1-254", "0-255.0-255.0-255.0-255"),
    # which would slip past the size limit, and 999.1.1.1 is a bad address, not a name.
    if not any(c.isalpha() for c in labels[-1]):
        return False
    return all(_LABEL.match(label) for label in labels)


def validate_target(text: str, lang: str = "es") -> tuple[str, int]:
    """One target in canonical form, and how many addresses it covers (a host name counts as 1)."""
    where = "TARGETS"
    if not text or text != text.strip() or any(c.isspace() for c in text):
        raise InputError(where, t("scan", lang, "target.space", target=text), hint=t("scan", lang, "target.hint"))
    if text.startswith("-"):
        raise InputError(where, t("scan", lang, "target.option", target=text), hint=t("scan", lang, "target.hint"))
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InputError(where, t("scan", lang, "target.network", target=text),
                             hint=t("scan", lang, "target.hint")) from None
        if network.num_addresses > MAX_ADDRESSES:
            raise InputError(where, t("scan", lang, "target.too_large", target=text, count=network.num_addresses),
                             hint=t("scan", lang, "target.too_large_hint", max=MAX_ADDRESSES))
        return str(network), network.num_addresses
    try:
        return str(ipaddress.ip_address(text)), 1
    except ValueError:
        pass
    if _is_hostname(text):
        return text.lower(), 1
    raise InputError(where, t("scan", lang, "target.invalid", target=text), hint=t("scan", lang, "target.hint"))


def validate_targets(items: Iterable[str], lang: str = "es") -> list[str]:
    """Targets as given on the command line (one per argument, or comma-separated)."""
    out: list[str] = []
    total = 0
    families: set[int] = set()
    for item in items:
        for part in item.split(","):
            target, count = validate_target(part, lang)
            total += count
            if target not in out:
                out.append(target)
            family = _family(target)
            if family:
                families.add(family)
    if not out:
        raise InputError("TARGETS", t("scan", lang, "target.none"), hint=t("scan", lang, "target.hint"))
    if total > MAX_ADDRESSES:
        raise InputError("TARGETS", t("scan", lang, "target.too_large", target=" ".join(out), count=total),
                         hint=t("scan", lang, "target.too_large_hint", max=MAX_ADDRESSES))
    if len(families) > 1:
        # nmap scans either IPv4 or IPv6 (-6) in one run, never both.
        raise InputError("TARGETS", t("scan", lang, "target.mixed"), hint=t("scan", lang, "target.mixed_hint"))
    return out


def _family(target: str) -> int:
    """4 or 6 for addresses and networks, 0 for host names."""
    try:
        return ipaddress.ip_network(target, strict=False).version
    except ValueError:
        return 0


def is_ipv6(targets: Iterable[str]) -> bool:
    return any(_family(target) == 6 for target in targets)


def validate_ports(text: str, lang: str = "es") -> str:
    """A port list such as `22,80,443,1000-2000`, returned in canonical form (sorted, merged)."""
    where = "--ports"
    hint = t("scan", lang, "ports.hint")
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, t("scan", lang, "ports.empty"), hint=hint)
    ranges: list[tuple[int, int]] = []
    for raw in text.split(","):
        item = raw.strip()
        match = _PORT_ITEM.match(item)
        if not match:
            raise InputError(where, t("scan", lang, "ports.invalid", item=item or raw, ports=text), hint=hint)
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if not 1 <= low <= 65535 or not 1 <= high <= 65535:
            raise InputError(where, t("scan", lang, "ports.range", item=item), hint=hint)
        if low > high:
            raise InputError(where, t("scan", lang, "ports.reversed", item=item), hint=hint)
        ranges.append((low, high))
    ranges.sort()
    merged: list[list[int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in merged)
