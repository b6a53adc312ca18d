"""What the CLI tests share: the repository root, the small test catalog and a valid declaration."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini-catalog"
# The program part every test declaration starts with.
HEAD = """schema_version: 1
program:
  name: Escuela Prueba
  operator: SEP
  operator_type: public_school
  role: responsable
"""
# The smallest declaration that validates and has a system to evaluate.
GOOD = HEAD + """systems:
  - id: portal
    encryption:
      at_rest: {enabled: true}
"""
