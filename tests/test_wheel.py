"""`pip install .` (not editable) ships the catalog and the templates inside the wheel, and the
installed package finds them from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("resguarda-*.whl"))


def test_wheel_carries_catalog_templates_and_command(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "checker/_data/controls/catalog.yaml" in names and "checker/_data/controls/cases.yaml" in names
    assert "checker/_data/examples/well-run-school.yaml" in names
    assert any(n.startswith("checker/_data/report_templates/") for n in names)
    assert "checker/_data/docs/declaracion.md" in names and "checker/_data/docs/declaration.md" in names
    assert any(n.startswith("checker/locales/") and n.endswith(".es.json") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "resguarda = checker.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_finds_its_catalog(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Only the installed copy is importable: the checkout is not on the path, and cwd is elsewhere.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    probe = subprocess.run([sys.executable, "-c", "import checker, checker.resources as r; "
                            "print(checker.__file__); print(r.controls_dir()); print(r.templates_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    module_file, controls, templates = probe.stdout.split()
    assert module_file.startswith(str(target))
    assert controls.startswith(str(target)) and templates.startswith(str(target))
    listing = subprocess.run([sys.executable, "-m", "checker", "catalog", "check"], cwd=elsewhere, env=env,
                             capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    # The catalog's own cases run from the wheel too: cases.yaml and the declarations they start from.
    cases = subprocess.run([sys.executable, "-m", "checker", "catalog", "test", "GOV-01", "--lang", "en"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert (cases.returncode, cases.stdout) == (0, "3 cases of 1 control: all pass.\n"), cases.stderr
    decl = ROOT / "examples" / "ai-center.yaml"
    run = subprocess.run([sys.executable, "-m", "checker", "evaluate", str(decl), "--format", "json",
                          "--as-of", "2026-11-20"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert '"control_id"' in run.stdout
