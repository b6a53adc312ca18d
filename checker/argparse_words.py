"""argparse's own words ("usage:", "options:", "invalid choice") in the user's language.

argparse looks its texts up through module-level `_` and `ngettext` (gettext) at the moment it
uses them, so pointing those two names at our `cli` catalog translates usage lines, group titles,
the `-h` help and every parsing error without subclassing anything. The catalog keys are
`argparse.` + argparse's English text; a text without a key stays as argparse writes it.
"""

from __future__ import annotations

import argparse
from typing import Any

from checker.i18n import DEFAULT_LANG, LANGS, messages


def use_language(lang: str) -> None:
    """From now on argparse speaks `lang` (call before building the parser: `-h` help and group
    titles are read when a parser is created)."""
    table = messages("cli", lang if lang in LANGS else DEFAULT_LANG)

    def gettext(text: Any) -> Any:
        # argparse also passes None through `_` (an absent description).
        return table.get("argparse." + text, text) if isinstance(text, str) else text

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    module: Any = argparse
    module._ = gettext
    module.ngettext = ngettext
