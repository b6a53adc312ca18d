"""`resguarda checklist import ANSWERS.xlsx|ANSWERS.pdf -o vendor.yaml`: the answers as a declaration."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from checker.catalog import Catalog
from checker.errors import InputError
from checker.i18n import Translator
from checker.procurement.answers import build
from checker.procurement.workbook import Read, problems_error, read_xlsx
from checker.procurement.yaml_out import dump
from checker.validate import load_declaration


@dataclass(frozen=True)
class Imported:
    yaml: bytes
    answered: int


def read_answers(path: Path, catalog: Catalog, lang: str) -> Read:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path, catalog, lang)
    if suffix == ".pdf":
        from checker.procurement.pdfform import read_pdf

        return read_pdf(path, catalog, lang)
    tr = Translator("procurement", lang)
    raise InputError(str(path), tr("import.unknown_format"), hint=tr("import.unknown_format.hint"))


def import_answers(path: Path, catalog: Catalog, lang: str) -> Imported:
    """The declaration a filled questionnaire makes; every problem at once as one InputError."""
    got = read_answers(path, catalog, lang)
    built = build(got.q, got.cells, got.values, got.where)
    if built.problems:
        raise problems_error(path, built.problems, lang)
    tr = Translator("procurement", got.q.lang)
    header = [tr("import.header1", file=path.name),
              tr("import.header2", catalog=catalog.index.id, version=catalog.index.version, profile=got.q.profile),
              tr("import.header3")]
    text = dump(built.declaration, built.comments, header)
    _self_check(text, lang)
    return Imported(text, built.answered)


def _self_check(text: bytes, lang: str) -> None:
    """The written declaration goes through the same loader `evaluate` uses: what we hand over loads."""
    with tempfile.TemporaryDirectory(prefix="resguarda-import-") as tmp:
        target = Path(tmp) / "vendor.yaml"
        target.write_bytes(text)
        load_declaration(target, "vendor.yaml", lang)
