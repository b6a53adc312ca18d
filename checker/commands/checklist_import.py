"""`resguarda checklist import ANSWERS.xlsx|ANSWERS.pdf -o vendor.yaml`.

The `checklist` verb stays in `checker/cli.py`; its `import` action lands here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checker.errors import InputError, UsageError
from checker.i18n import t
from checker.inputs import not_a_file


def run(args: argparse.Namespace) -> int:
    from checker.cli import _catalog, _emit, _lang
    from checker.procurement.importer import import_answers

    lang = _lang(args)
    if not args.answers:
        raise UsageError(t("procurement", lang, "import.usage"))
    path = Path(args.answers)
    if not path.is_file():
        raise InputError(str(path), not_a_file(path, lang) or t("procurement", lang, "import.no_file"),
                         hint=t("procurement", lang, "import.unknown_format.hint"))
    done = import_answers(path, _catalog(args), lang)
    _emit(done.yaml, args.output, "yaml", lang)
    if args.output:
        print(t("procurement", lang, "import.done", path=args.output, answered=done.answered), file=sys.stderr)
    return 0
