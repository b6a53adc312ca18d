"""Generate a realistic portfolio: `python scripts/make_portfolio.py N OUT [--seed S] [--mistakes 0.03]`.

Each declaration starts from one of the examples and varies as real programs do: public or private,
state and educational level, with or without biometrics, Llave MX or local logins, minors or not,
processors in Mexico or abroad, safeguards in place or not. A share carries the mistakes owners make
(a typo in a key, a value outside its list, a reference to nothing, a repeated key, broken YAML, an
impossible date), so a run shows how bad declarations are listed. Writes OUT/decl/<state>/*.yaml and
OUT/manifest.csv (path, state, level, sector). Same N and seed, same files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.locations import load_yaml_file  # noqa: E402

TEMPLATES = {"ai-center.yaml": 3, "ai-center-6-months.yaml": 2, "well-run-school.yaml": 3, "vendor-review.yaml": 1,
             "minimal.yaml": 1}
STATES = ["AGU", "BCN", "BCS", "CAM", "CHP", "CHH", "CMX", "COA", "COL", "DUR", "GUA", "GRO", "HID", "JAL", "MEX",
          "MIC", "MOR", "NAY", "NLE", "OAX", "PUE", "QUE", "ROO", "SLP", "SIN", "SON", "TAB", "TAM", "TLA", "VER",
          "YUC", "ZAC"]
LEVELS = {"preescolar": 3, "primaria": 6, "secundaria": 12, "bachillerato": 15, "superior": 18}
KINDS = {"preescolar": "Jardín de Niños", "primaria": "Escuela Primaria", "secundaria": "Escuela Secundaria Técnica",
         "bachillerato": "Centro de Bachillerato Tecnológico", "superior": "Instituto Tecnológico"}
ABROAD = ["US", "US", "US", "IE", "BR", "CA"]
MISTAKES = ["typo_key", "bad_enum", "dangling", "duplicate_key", "syntax", "bad_date"]


# Text that reads back as the same text without quotes (YAML 1.2 core schema).
_PLAIN = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ][\w ./@()-]*", re.UNICODE)
_NOT_TEXT = re.compile(r"(?i:true|false|null|yes|no|on|off|~)|[-+]?[0-9._]+([eE][-+]?[0-9]+)?")


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NOT_TEXT.fullmatch(text) and not text.endswith(" ") \
            and not re.match(r"\d{4}-\d{2}-\d{2}$", text):
        return text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text  # a date, written as owners write it
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _leaf(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(value: Any, indent: str = "") -> str:
    """Block-style YAML of plain data (a small emitter: generating 10,000 files with a general one
    took minutes)."""
    lines: list[str] = []
    _emit(value, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(value: Any, indent: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{indent}{key}:")
                _emit(item, indent + "  ", lines)
            else:
                lines.append(f"{indent}{key}: {_leaf(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _emit(item, indent + "  ", sub)
                lines.append(f"{indent}- {sub[0].lstrip()}")
                lines.extend(sub[1:])
            elif isinstance(item, list) and item:
                lines.append(f"{indent}-")
                _emit(item, indent + "  ", lines)
            else:
                lines.append(f"{indent}- {_leaf(item)}")


# Fields that take a mapping or `false` (not `true`): a safeguard there can only be taken away.
NOT_TRUE = {"security_document", "risk_assessment", "impact_assessment", "training", "internal_audit",
            "inventory_review", "physical", "plan_test", "breach_notification", "at_rest", "in_transit",
            "access_control", "logging", "backups", "retention"}


def _tree_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tree_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tree_copy(v) for v in value]
    return value


def _flip_booleans(node: Any, rng: random.Random, p: float) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, bool) and rng.random() < p and (value or key not in NOT_TRUE):
                node[key] = not value
            else:
                _flip_booleans(value, rng, p)
    elif isinstance(node, list):
        for item in node:
            _flip_booleans(item, rng, p)


def _drop_categories(decl: dict[str, Any], ids: set[str]) -> None:
    decl["data_inventory"] = [c for c in decl.get("data_inventory") or [] if c["id"] not in ids]
    for section in ("processors", "transfers"):
        for item in decl.get(section) or []:
            if item.get("data_categories"):
                item["data_categories"] = [c for c in item["data_categories"] if c not in ids] or \
                    [decl["data_inventory"][0]["id"]] if decl["data_inventory"] else []


def declaration(i: int, rng: random.Random,
                templates: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    name = rng.choices(list(TEMPLATES), weights=list(TEMPLATES.values()))[0]
    decl = _tree_copy(templates[name])
    for key in ("evidence", "scans", "waivers"):
        decl.pop(key, None)
    state = rng.choice(STATES)
    level = rng.choice(list(LEVELS))
    public = rng.random() < 0.7
    program = decl["program"]
    program["name"] = f"{KINDS[level]} {i + 1} ({state})"
    program.pop("short_name", None)
    program["operator"] = f"Secretaría de Educación de {state}" if public else f"Colegio Particular {i + 1} A.C."
    program["operator_type"] = ("public_university" if level == "superior" else "public_school") if public \
        else "private_school"
    program["role"] = "responsable"
    program.pop("controller", None)
    program.pop("controller_type", None)  # only an encargado names its controller's type
    program["jurisdiction"] = {"level": "state", "state": f"MX-{state}"}
    minors = level != "superior" or rng.random() < 0.3
    for subject in program.get("data_subjects") or []:
        if subject["type"] in ("student", "applicant"):
            subject["includes_minors"] = minors
            subject["min_age"] = LEVELS[level]
            subject["count"] = rng.randint(80, 40_000)
    # Biometrics: kept in a third of the programs.
    biometric = {c["id"] for c in decl.get("data_inventory") or [] if c.get("category") == "biometric"}
    if biometric and rng.random() < 0.65:
        _drop_categories(decl, biometric)
    # Llave MX for public programs' applicants, local or institutional logins elsewhere.
    for system in decl.get("systems") or []:
        for auth in system.get("authentication") or []:
            if auth.get("provider") == "llave_mx" and (not public or rng.random() < 0.4):
                auth["provider"] = rng.choice(["local", "institutional_sso"])
                auth["protocol"] = "password" if auth["provider"] == "local" else "saml"
                auth.pop("llave_mx", None)
        transit = (system.get("encryption") or {}).get("in_transit")
        if isinstance(transit, dict):
            transit["tls_min_version"] = rng.choice(["1.0", "1.2", "1.2", "1.3"])
    # Processors in Mexico or abroad.
    for processor in decl.get("processors") or []:
        processor["country"] = "MX" if rng.random() < 0.5 else rng.choice(ABROAD)
    for section in ("governance", "student_exposure", "arco", "incident_response", "privacy_notice"):
        if section in decl:
            _flip_booleans(decl[section], rng, 0.25)
    columns = {"state": f"MX-{state}", "level": level, "sector": "publico" if public else "privado"}
    return decl, columns


def with_mistake(text: str, kind: str) -> str:
    if kind == "typo_key":
        return text.replace("\n  operator_type:", "\n  operater_type:", 1)
    if kind == "bad_enum":
        return text.replace("role: responsable", "role: responsible", 1)
    if kind == "dangling":
        return text + "waivers:\n- id: w1\n  control: ENC-01\n  systems: [sistema-inexistente]\n  reason: r\n" \
                      "  approved_by: a\n  approved_on: 2026-01-01\n  expires: 2026-06-01\n"
    if kind == "duplicate_key":
        return text.replace("\n  role: responsable", "\n  role: responsable\n  role: encargado", 1)
    if kind == "syntax":
        return text.replace("\nprogram:\n", "\nprogram:\n  notes: [sin cerrar\n", 1)
    return text.replace("schema_version: 1", "schema_version: 1\nassessment_extra_date: 2026-13-45", 1) \
        if "assessment:" not in text else text.replace("\nassessment:\n", "\nassessment:\n  date: 2026-13-45\n", 1) \
        .replace("\n  date: 2026-13-45\n  date:", "\n  date: 2026-13-45\n  x_date:", 1)


def generate(n: int, out: Path, seed: int = 2026, mistakes: float = 0.03) -> list[dict[str, str]]:
    rng = random.Random(seed)
    templates = {name: load_yaml_file(ROOT / "examples" / name).data for name in TEMPLATES}
    rows = []
    for i in range(n):
        decl, columns = declaration(i, rng, templates)
        text = "# Declaración generada por scripts/make_portfolio.py\n" + to_yaml(decl)
        if rng.random() < mistakes:
            text = with_mistake(text, MISTAKES[i % len(MISTAKES)])
        rel = Path("decl") / columns["state"] / f"programa-{i + 1:06d}.yaml"
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        rows.append({"path": rel.as_posix(), **columns})
    with (out / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["path", "state", "level", "sector"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mistakes", type=float, default=0.03, help="share of declarations with a mistake")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    generate(args.n, args.out, args.seed, args.mistakes)
    print(f"{args.n} declarations in {args.out / 'decl'}; manifest {args.out / 'manifest.csv'}")


if __name__ == "__main__":
    main()
