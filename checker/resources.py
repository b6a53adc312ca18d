"""Where the catalog and the report templates live, installed or in a checkout."""

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A wheel ships them inside the package (checker/_data/NAME); a checkout keeps them at the top.
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    return _PKG.parent / name


def controls_dir() -> Path:
    return _data_dir("controls")


def templates_dir() -> Path:
    return _data_dir("report_templates")
