"""`resguarda compare`: several bidders side by side, on the same controls, with a ranking.

Rules (docs/procurement.md):
- every bidder must be evaluated against the same catalog (id, version, checksum) and profile;
- the *compared* controls are those that apply to every bidder and do not rest on a network scan;
  score and coverage are computed on them only, so a bidder is not marked down for a control that
  applies to it only because of what it offers (Llave MX login, biometrics): such controls are
  shown and counted apart ("offer-specific");
- scan-dependent controls are conditions to verify before signing, not undecided answers;
- coverage = share of compared controls answered (not undecided); score = the catalog's weighted
  score on the compared controls (an undecided control earns nothing);
- knocked out: a failed control at or above `--knockout` severity (compared or offer-specific), or a
  `--require`d control that is not met; ranking: not knocked out first, then score, then coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from checker.catalog import Catalog
from checker.errors import InputError, UsageError
from checker.i18n import Translator, format_percent
from checker.procurement.questions import answer_paths
from checker.procurement.vocab import severities, severity_word, status_word
from checker.result import ResultDocument

WEIGHTS = {"critical": 10, "high": 5, "medium": 3, "low": 1}
CREDIT = {"pass": 1.0, "partial": 0.5}
ANSWERED = ("pass", "fail", "partial", "waived")
COMPARED, OFFER, SCAN, NOT_APPLICABLE = "compared", "offer", "scan", "not_applicable"


# -- the one place that reads a result ---------------------------------------------------------------
@dataclass(frozen=True)
class ResultView:
    """What the comparison needs of a typed result (`checker.result.ResultDocument`)."""

    path: str
    name: str
    catalog: tuple[str, str, str]
    profile: str
    as_of: str
    statuses: dict[str, str]      # control id -> status; severities, domains and titles come from the catalog


def view_of(doc: ResultDocument, path: str) -> ResultView:
    return ResultView(
        path=path, name=doc.program.short_name or doc.program.name or Path(path).stem,
        catalog=(doc.catalog.id, doc.catalog.version, doc.catalog.sha256), profile=doc.profile, as_of=doc.as_of,
        statuses={r.control_id: r.status for r in doc.results})


def load_bidder(path: Path, catalog: Catalog, profile: str | None, as_of: date | None, lang: str) -> ResultView:
    """A declaration (evaluated now) or a JSON result (read as it is)."""
    if path.suffix.lower() == ".json":
        from checker.diff import load_result

        return view_of(load_result(path, lang), str(path))
    from checker.api import evaluate_loaded
    from checker.validate import load_declaration

    loaded = load_declaration(path, str(path), lang)
    return view_of(evaluate_loaded(loaded, as_of=as_of, lang=lang, profile=profile, catalog=catalog), str(path))


# -- the comparison ------------------------------------------------------------------------------
@dataclass
class Bidder:
    name: str
    path: str
    coverage: float | None
    score: float | None
    knocked_out: bool
    rank: int = 0
    reasons: list[str] = field(default_factory=list)
    clauses: list[tuple[str, str]] = field(default_factory=list)    # (control id, clause text)
    conditions: list[str] = field(default_factory=list)            # scan-dependent controls to verify
    counts: dict[str, int] = field(default_factory=dict)           # statuses over the compared controls


@dataclass
class Row:
    control_id: str
    domain: str
    severity: str
    title: str
    group: str
    statuses: list[str]       # in the bidders' rank order


@dataclass
class Comparison:
    lang: str
    catalog_id: str
    catalog_version: str
    profile: str
    knockout: str | None
    require: list[str]
    bidders: list[Bidder]
    rows: list[Row]
    compared: int


def _score(statuses: Sequence[tuple[str, str]]) -> float | None:
    """The catalog's weighted score (results.md) over (severity, status) pairs."""
    scored = [(WEIGHTS[sev], CREDIT.get(st, 0.0)) for sev, st in statuses if st not in ("not_applicable", "waived")]
    total = sum(w for w, _ in scored)
    if not total:
        return None
    return round(100 * sum(w * c for w, c in scored) / total, 1)


def _unique(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        candidate, i = n, 2
        while candidate in out:
            candidate, i = f"{n} ({i})", i + 1
        out.append(candidate)
    return out


def compare(views: list[ResultView], catalog: Catalog, *, knockout: str | None = None,
            require: list[str] | None = None, lang: str = "es") -> Comparison:
    tr = Translator("procurement", lang)
    lang = tr.lang
    require = require or []
    if len(views) < 2:
        raise UsageError(tr("compare.need_two"))
    sev_order = severities()
    if knockout is not None and knockout not in sev_order:
        raise UsageError(tr("compare.bad_knockout", options=", ".join(sev_order)))
    first = views[0]
    for v in views:
        if v.catalog[:2] != (catalog.index.id, catalog.index.version) or v.catalog[2] != catalog.sha256:
            raise InputError(v.path, tr("compare.other_catalog", theirs=f"{v.catalog[0]} {v.catalog[1]}",
                                        ours=f"{catalog.index.id} {catalog.index.version}"),
                             hint=tr("compare.other_catalog.hint"))
        if v.profile != first.profile:
            raise InputError(v.path, tr("compare.other_profile", theirs=v.profile, first=first.profile,
                                        first_path=first.path), hint=tr("compare.other_profile.hint"))
    known = {c.id for c in catalog.controls}
    for cid in require:
        if cid not in known:
            raise UsageError(tr("compare.unknown_control", id=cid))
    names = _unique([v.name for v in views])
    controls = [c for c in catalog.select(first.profile) if not c.deprecated and c.id in first.statuses]
    scan = {c.id for c in controls if answer_paths(c)[1]}
    groups: dict[str, str] = {}
    for c in controls:
        applies = [v.statuses.get(c.id, "unknown") != "not_applicable" for v in views]
        if c.id in scan:
            groups[c.id] = SCAN
        elif all(applies):
            groups[c.id] = COMPARED
        elif any(applies):
            groups[c.id] = OFFER
        else:
            groups[c.id] = NOT_APPLICABLE
    compared = [c for c in controls if groups[c.id] == COMPARED]
    ko_limit = sev_order.index(knockout) if knockout else None
    bidders: list[Bidder] = []
    for v, name in zip(views, names, strict=True):
        pairs = [(c.severity, v.statuses.get(c.id, "unknown")) for c in compared]
        answered = sum(1 for _, st in pairs if st in ANSWERED)
        coverage = round(100 * answered / len(pairs), 1) if pairs else None
        b = Bidder(name=name, path=v.path, coverage=coverage, score=_score(pairs), knocked_out=False)
        b.counts = {st: sum(1 for _, s in pairs if s == st) for st in ("pass", "partial", "fail", "unknown", "waived")}
        knock: list[str] = []
        for c in controls:
            st = v.statuses.get(c.id, "unknown")
            label = f"{c.id} ({severity_word(c.severity, lang).lower()})"
            if groups[c.id] == SCAN:
                if st != "pass" and st != "not_applicable":
                    b.conditions.append(c.id)
                continue
            if ko_limit is not None and st == "fail" and sev_order.index(c.severity) <= ko_limit:
                knock.append(tr("reason.knockout_fail", control=label))
            if c.id in require and st not in ("pass", "not_applicable", "waived"):
                knock.append(tr("reason.knockout_required", control=label,
                                status=status_word(st, lang).lower()))
        b.knocked_out = bool(knock)
        b.reasons.extend(knock)
        b.reasons.append(tr("reason.score", score=_num(b.score), n=len(compared),
                            coverage=format_percent(coverage, lang)))
        serious_unknown = [c.id for c in compared
                           if v.statuses.get(c.id) == "unknown" and c.severity in ("critical", "high")]
        if serious_unknown:
            b.reasons.append(tr("reason.unknown_serious", n=len(serious_unknown), ids=_ids(serious_unknown)))
        fails = [c.id for c in compared if v.statuses.get(c.id) == "fail"]
        if fails:
            b.reasons.append(tr("reason.fails", n=len(fails), ids=_ids(fails)))
        offer = [c for c in controls if groups[c.id] == OFFER and v.statuses.get(c.id) != "not_applicable"]
        if offer:
            open_ = [c.id for c in offer if v.statuses.get(c.id) not in ("pass", "waived")]
            b.reasons.append(tr("reason.offer", n=len(offer), open=len(open_), ids=_ids([c.id for c in offer])))
        if b.conditions:
            b.reasons.append(tr("reason.conditions", n=len(b.conditions), ids=_ids(b.conditions)))
        for c in controls:
            st = v.statuses.get(c.id, "unknown")
            if c.contract_clause is not None and st not in ("pass", "not_applicable"):
                b.clauses.append((c.id, c.contract_clause.get(lang)))
        bidders.append(b)

    order = sorted(range(len(bidders)), key=lambda i: (
        bidders[i].knocked_out, -(bidders[i].score or 0.0), -(bidders[i].coverage or 0.0), bidders[i].name))
    ranked = [bidders[i] for i in order]
    for rank, b in enumerate(ranked, 1):
        b.rank = rank
        if rank > 1 and not b.knocked_out:
            ahead = ranked[rank - 2]
            if not ahead.knocked_out and ahead.score == b.score:
                b.reasons.append(tr("reason.tie_coverage", other=ahead.name))
    rows = [Row(c.id, c.domain, c.severity, c.title.get(lang), groups[c.id],
                [views[i].statuses.get(c.id, "unknown") for i in order]) for c in controls]
    return Comparison(lang=lang, catalog_id=catalog.index.id, catalog_version=catalog.index.version,
                      profile=first.profile, knockout=knockout, require=require, bidders=ranked, rows=rows,
                      compared=len(compared))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ids(ids: list[str], limit: int = 8) -> str:
    return ", ".join(ids[:limit]) + (f" (+{len(ids) - limit})" if len(ids) > limit else "")
