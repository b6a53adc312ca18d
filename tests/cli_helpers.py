"""What the CLI tests share: the repository root, the small test catalog and a valid declaration."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

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


def load_script(name: str) -> ModuleType:
    """A module of scripts/ (the generators of the benchmarks), loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
