"""`--format json` of a large declaration, written as it is evaluated (issue 15.3).

The whole document of 30,000 systems (a million findings as models) took 2.8 GB; here each control's
result is written to a spool (`checker.output.Spool`) as soon as it is built, then dropped: only an
`Outline` of it (domain, severity, status) is kept. The document's head comes before `results` but
its summary depends on all of them, so it is made last; then head, spooled results and tail are
written as one output by `checker.output.write_atomic` (atomic for a file: a failure leaves nothing).
The bytes are those of `ResultDocument.to_json` for the same declaration (tests/test_json_stream.py).

Only for a declaration where `checker.api.in_steps` holds: the auditor's pass reads the whole document.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from types import TracebackType

from checker.api import evaluate_in_steps
from checker.catalog import Catalog
from checker.evaluate import Outline, summarize
from checker.output import Spool
from checker.result import ControlResult, ResultDocument, results_array
from checker.validate import LoadedDeclaration


class StreamedJson:
    """A declaration evaluated into a spool: `pieces()` are the JSON document's bytes, `outlines` what
    the exit code needs. Use it in a `with` block (the spool is gone at its end)."""

    def __init__(self, loaded: LoadedDeclaration, target: str | None, *, as_of: date | None, lang: str,
                 profile: str | None, catalog: Catalog | None) -> None:
        self._spool = Spool(target, lang)
        try:
            evaluator, results = evaluate_in_steps(loaded, as_of=as_of, lang=lang, profile=profile,
                                                   catalog=catalog)
            self.outlines: list[Outline] = []
            for piece in results_array(self._outlined(results)):
                self._spool.write(piece)
            self.head: ResultDocument = evaluator.head(summarize(self.outlines), [])
        except BaseException:
            self._spool.__exit__(None, None, None)
            raise

    def _outlined(self, results: Iterator[ControlResult]) -> Iterator[ControlResult]:
        """The results, each one's outline kept as it passes."""
        for result in results:
            self.outlines.append(Outline(result.domain, result.severity, result.status))
            yield result
            del result   # else held while the next one is built

    def pieces(self) -> Iterator[bytes]:
        return iter(self.head.json_pieces(results=self._spool.pieces()))

    def __enter__(self) -> StreamedJson:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._spool.__exit__(kind, exc, tb)
