"""What the CLI tests share: the repository root, the small test catalog and a valid declaration."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-catalog"
# The smallest declaration that validates and has a system to evaluate.
GOOD = """schema_version: 1
program:
  name: Escuela Prueba
  operator: SEP
  operator_type: public_school
  role: responsable
systems:
  - id: portal
    encryption:
      at_rest: {enabled: true}
"""
