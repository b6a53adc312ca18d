"""`resguarda checklist import ANSWERS.xlsx|ANSWERS.pdf -o vendor.yaml`.

The `checklist` verb stays in `checker/cli.py`; its `import` action lands here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from checker.errors import InputError, UsageError
from checker.i18n import t
from checker.inputs import kind_problem


def run(args: argparse.Namespace) -> int:
    from checker.cli import _catalog, _emit, _lang
    from checker.procurement.importer import import_answers

    lang = _lang(args)
    if not args.answers:
        raise UsageError(t("procurement", lang, "import.usage"))
    path = Path(args.answers)
    if not path.is_file():
        # A folder, FIFO or device is named as such (`/dev/zero` exists: "does not exist" would mislead).
        try:
            problem = kind_problem(path.stat(), lang)
        except OSError:
            problem = None
        raise InputError(str(path), problem or t("procurement", lang, "import.no_file"),
                         hint=t("procurement", lang, "import.unknown_format.hint"))
    done = import_answers(path, _catalog(args), lang)
    _emit(done.yaml, args.output, "yaml", lang)
    if args.output:
        print(t("procurement", lang, "import.done", path=args.output, answered=done.answered), file=sys.stderr)
    return 0
