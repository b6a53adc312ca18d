"""`--format json` of a large declaration, written as it is evaluated (issue 15.3).

The whole document of 30,000 systems (a million findings as models) took 2.8 GB; here each control's
result is written to a spool (`checker.output.Spool`) as soon as it is built, then dropped: only an
`Outline` of it (domain, severity, status) is kept. The document's head comes before `results` but
its summary depends on all of them, so it is made last; then head, spooled results and tail are
written as one output by `checker.output.write_atomic` (atomic for a file: a failure leaves nothing).
Stamped findings (`checker.stamping`) are not spooled: their bytes are made as the output is written,
each piece at its place (`checker.output.Laid`), so 1.7 GB are written once, not twice.
The bytes are those of `ResultDocument.to_json` for the same declaration (tests/test_json_stream.py).

Only for a declaration where `checker.api.in_steps` holds: the auditor's pass reads the whole document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from types import TracebackType

from checker.api import evaluator_for, result_of
from checker.catalog import Catalog, Control, Every, Some, ungrouped
from checker.evaluate import Evaluator, Outline, summarize
from checker.output import Deferred, Laid, Spool, SpoolPart
from checker.render.json_two_cores import Make, SharedResults, kept, kept_pieces, worth_it
from checker.result import ResultDocument, framed_results, result_pieces
from checker.rules import resolve
from checker.stamping import stamped
from checker.validate import LoadedDeclaration


class StreamedJson:
    """A declaration evaluated into a spool: `pieces()` are the JSON document's bytes, `outlines` what
    the exit code needs. Use it in a `with` block (the spool is gone at its end).

    A large declaration's controls are shared with a second CPU (`checker.render.json_two_cores`)."""

    def __init__(self, loaded: LoadedDeclaration, target: str | None, *, as_of: date | None, lang: str,
                 profile: str | None, catalog: Catalog | None) -> None:
        self._target, self._lang = target, lang
        self._spools: list[Spool] = []
        try:
            evaluator = evaluator_for(loaded, as_of=as_of, lang=lang, profile=profile, catalog=catalog)
            controls = evaluator.controls()

            def make(index: int) -> tuple[Iterator[bytes | Deferred], Outline]:
                return control_pieces(evaluator, controls[index], index == 0)

            self._early: tuple[ResultDocument, Spool] | None = None

            def prepare() -> None:
                # The head but its summary, and the observations' bytes (32,000 for a large scan, spooled):
                # made while the other process starts on the controls.
                early, spool = evaluator.head(summarize([]), []), self._spool()
                for piece in early.observation_pieces():
                    spool.write(piece)
                self._early = (early, spool)

            self._chunks = self._shared(len(controls), make, _subjects(evaluator), prepare,
                                        lambda i: _weight(evaluator, controls[i])) \
                or self._in_order(len(controls), make)
            if self._early is None:
                prepare()
            assert self._early is not None
            self.head: ResultDocument = self._early[0].model_copy(update={"summary": summarize(self.outlines)})
        except BaseException:
            self._close()
            raise

    def _spool(self) -> Spool:
        spool = Spool(self._target, self._lang)
        self._spools.append(spool)
        return spool

    def _shared(self, count: int, make: Make, subjects: int, prepare: Callable[[], None],
                weight: Callable[[int], int]) -> Iterator[bytes | SpoolPart | Deferred] | None:
        """The results made on two CPUs, or None (not worth it here, or an error: then in one process,
        which raises it as one process does)."""
        if not worth_it(count, subjects):
            return None
        # Heaviest first (by the items their lists hold): a scan's NET-01 (0.8 s) is not left for last.
        order = sorted(range(count), key=lambda i: -weight(i))
        try:
            shared = SharedResults(count, make, self._spool(), self._spool(), prepare, order)
        except Exception:
            self._close()
            self._early = None
            return None
        self.outlines: list[Outline] = shared.outlines
        return shared.chunks()

    def _in_order(self, count: int, make: Make) -> Iterator[bytes | SpoolPart | Deferred]:
        spool = self._spool()
        self.outlines = []
        results = []
        for index in range(count):
            found, outline = kept(spool, *make(index))
            results.append(found)
            self.outlines.append(outline)
        return (piece for found in results for piece in kept_pieces(found))

    def pieces(self) -> Laid:
        """The document's pieces in order, each one's length known (`checker.output.Laid`)."""
        assert self._early is not None
        return Laid(list(self.head.json_pieces(results=framed_results(self._chunks),
                                               observations=self._early[1].pieces())))

    def _close(self) -> None:
        for spool in self._spools:
            spool.__exit__(None, None, None)
        self._spools = []

    def __enter__(self) -> StreamedJson:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()


def control_pieces(evaluator: Evaluator, control: Control,
                   first: bool) -> tuple[Iterator[bytes | Deferred], Outline]:
    """One control's result as it stands in `results` (after a separator unless `first`), and its outline."""
    # Subjects that look alike: their findings stamped from the first one's (checker.stamping).
    found = stamped(evaluator, control, first)
    if found is not None:
        return found
    result = result_of(evaluator, control)
    return result_pieces(result, first), Outline(result.domain, result.severity, result.status)


def _weight(evaluator: Evaluator, control: Control) -> int:
    """About how much a control goes through: the items of the lists its `every` and `some` walk at
    the top of its rule (the lists inside an item are not counted)."""
    total = 0
    for cond in ungrouped(control.rule):
        if isinstance(cond, Every | Some):
            got = resolve(evaluator.root, cond.list_path)
            total += len(got.value) if got.present and isinstance(got.value, list) else 0
    return total


def _subjects(evaluator: Evaluator) -> int:
    """How much there is to evaluate, roughly: the subjects most controls go through one by one."""
    model = evaluator.loaded.model
    return (len(model.systems or []) + len(model.data_inventory or []) + len(evaluator.view.observations)
            + len(evaluator.view.observed_systems))
