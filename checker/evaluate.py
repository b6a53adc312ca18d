"""Controls x declaration (x observations) -> the typed result document (`checker.result`).

One pass over the catalog: applicability, the rule, one finding per subject, waivers (`checker.waivers`),
then the roll-up, the counts and the score. Every renderer reads only the document it returns.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

from checker import TOOL_NAME, __version__, explain
from checker import waivers as waiver_rules
from checker.catalog import AllOf, Catalog, Control, Every, default_profile
from checker.declaration_refs import named_controls
from checker.errors import InputError
from checker.i18n import LANGS, t
from checker.locations import error_text
from checker.result import (
    AssessmentInfo,
    BusinessPeriodOut,
    CatalogInfo,
    Comparison,
    ControlResult,
    ControlTexts,
    DeclarationRef,
    DomainSummary,
    EvidenceInfo,
    EvidenceRef,
    Explanation,
    Finding,
    Input,
    Jurisdiction,
    LegalRefOut,
    Location,
    Observation,
    ProgramInfo,
    RefTexts,
    ResultDocument,
    ScanInfo,
    Subject,
    Summary,
    Tool,
    WaiverInfo,
    WaiverRef,
    count_controls,
    set_trusted,
    trusted,
    trusted_exact,
)
from checker.rules import Leaf, Outcome, Scope, as_json, evaluate
from checker.validate import LoadedDeclaration
from checker.view import View, build_view, declared_path, governing_type, law_for
from checker.vocabulary import (
    CREDIT,
    FAIL,
    GATING,
    NA,
    SEVERITIES,
    SEVERITY_RANK,
    UNKNOWN,
    WAIVED,
    WEIGHTS,
    Severity,
    Status,
    worst,
)


def fingerprint_around(control_id: str, kind: str, code: str) -> tuple[bytes, bytes]:
    """The text a finding's fingerprint hashes, before and after its subject's id (checker/stamping.py
    hashes many subjects' with the same)."""
    return f"{control_id}|{kind}|".encode(), f"|{code}".encode()


def fingerprint(control_id: str, kind: str, subject_id: str, code: str) -> str:
    before, after = fingerprint_around(control_id, kind, code)
    return hashlib.sha256(before + subject_id.encode() + after).hexdigest()


def deciding_leaf(outcome: Outcome) -> Leaf | None:
    """The comparison a finding shows: the first that has the finding's status, else the first."""
    status = outcome.status
    leaves = outcome.leaves
    for lf in leaves:
        if lf.status == status:
            return lf
    return leaves[0] if leaves else None


def item_code(control: Control, cond: Every) -> str:
    """The `code` of the findings an `every` makes, one per item: `DMN-03.systems`."""
    return f"{control.id}.{cond.code or cond.every.lstrip('/').rsplit('.', 1)[-1]}"


@dataclass(frozen=True, slots=True)
class Outline:
    """What the document head and the exit code need of a control's result: a streamed write keeps
    this and drops the result itself once written."""

    domain: str
    severity: Severity
    status: Status


Rated = ControlResult | Outline


def score(results: Iterable[Rated | tuple[str, str]]) -> float | None:
    """100 × Σ(weight × credit) / Σ weight over results neither not_applicable nor waived (results.md).
    Takes results, or (severity, status) pairs."""
    num = Decimal(0)
    den = Decimal(0)
    for r in results:
        severity, status = r if isinstance(r, tuple) else (r.severity, r.status)
        if status in (NA, WAIVED):
            continue
        weight = Decimal(WEIGHTS[severity])
        num += weight * CREDIT.get(status, Decimal(0))
        den += weight
    if den == 0:
        return None
    return float((Decimal(100) * num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def gating_severity(results: Iterable[Rated]) -> Literal["critical", "high", "medium", "low"] | None:
    failed = {r.severity for r in results if r.status in GATING}
    return next((s for s in SEVERITIES if s in failed), None)


def summarize(results: Sequence[Rated]) -> Summary:
    """The document's summary: score and counts overall and by domain (domains in order of appearance)."""
    by_domain: dict[str, DomainSummary] = {}
    for domain in dict.fromkeys(r.domain for r in results):
        mine = [r for r in results if r.domain == domain]
        by_domain[domain] = DomainSummary(score=score(mine), counts=count_controls(mine))
    return Summary(score=score(results), counts=count_controls(results), by_domain=by_domain,
                   highest_failed_severity=gating_severity(results))


def check_catalog_references(loaded: LoadedDeclaration, catalog: Catalog, lang: str = "es") -> None:
    """Waivers and evidence name controls: each must exist in the catalog (bad input, exit 2)."""
    known = [c.id for c in catalog.controls]
    model = loaded.model
    for i, waiver in enumerate(model.waivers or []):
        control = catalog.get(waiver.control)
        if control is None:
            line, col = loaded.located.where(("waivers", i, "control"))
            close = difflib.get_close_matches(waiver.control, known, n=1)
            hint = error_text(lang, "hint.did_you_mean_control", close=close[0]) if close else \
                error_text(lang, "hint.catalog_list")
            raise InputError(loaded.display, error_text(lang, "waiver.unknown_control", id=waiver.id,
                                                        control=waiver.control), line, col, hint)
        if control.deprecated:
            line, col = loaded.located.where(("waivers", i, "control"))
            loaded.warnings.append(f"{loaded.display}:{line}:{col}: " + error_text(
                lang, "warn.deprecated_control", id=waiver.id, control=waiver.control))
    for i, ev in enumerate(model.evidence or []):
        for j, cid in enumerate(ev.controls or []):
            if catalog.get(cid) is None:
                line, col = loaded.located.where(("evidence", i, "controls", j))
                raise InputError(loaded.display, error_text(lang, "evidence.unknown_control", id=ev.id,
                                                            control=cid),
                                 line, col, error_text(lang, "hint.catalog_list"))
    for path, cid in named_controls(model):
        if catalog.get(cid) is None:
            line, col = loaded.located.where(path)
            close = difflib.get_close_matches(cid, known, n=1)
            hint = error_text(lang, "hint.did_you_mean_control", close=close[0]) if close else \
                error_text(lang, "hint.catalog_list")
            raise InputError(loaded.display, t("errors-1.1", lang, "ref.control", control=cid), line, col, hint)


# What a control contributes to every result whatever the declaration (its texts, its legal references),
# built once per control object: evaluating a thousand declarations re-uses them. The control is kept
# with its entry, so its id cannot be reused while the entry lives.
T = TypeVar("T")
_CONTROL_CACHE: dict[tuple[int, tuple[str, ...]], tuple[Control, Any]] = {}


def _per_control(control: Control, key: tuple[str, ...], build: Callable[[], T]) -> T:
    entry = _CONTROL_CACHE.get((id(control), key))
    if entry is None or entry[0] is not control:
        if len(_CONTROL_CACHE) > 20_000:
            _CONTROL_CACHE.clear()
        entry = (control, build())
        _CONTROL_CACHE[(id(control), key)] = entry
    value: T = entry[1]
    return value


class Evaluator:
    def __init__(self, loaded: LoadedDeclaration, catalog: Catalog, *, as_of: date, lang: str = "es",
                 profile: str | None = None, observed: Any | None = None) -> None:
        self.loaded = loaded
        self.catalog = catalog
        self.as_of = as_of
        self.lang = lang
        model = loaded.model
        self.profile = profile or default_profile(model.program.operator_type, model.program.role)
        # An encargado that declares its controller's type answers under its controller's law (1.1).
        self.law = law_for(governing_type(model.program))
        self.sector = "public" if self.law == "LGPDPPSO" else "private"
        self.file = Path(loaded.display).name
        check_catalog_references(loaded, catalog, lang)
        self.view: View = build_view(model, loaded.data, observed)
        self.root = Scope(self.view.data, (), "", self.view.data, as_of, dict(catalog.index.parameters))
        self.evidence = self._evidence()
        self.scan_pos = {s.id: ("scans", i) for i, s in enumerate(model.scans or [])}
        self._locations: dict[tuple[int, int], Location] = {}
        self._subjects: dict[tuple[str, str, str | None], Subject] = {}
        self.scan_dates = {str(s["id"]): str(s["date"]) for s in self.view.scans if s.get("date")}
        self.waiver_infos = [
            WaiverInfo(id=w.id, control=w.control, systems=list(w.systems or []), reason=w.reason,
                       approved_by=w.approved_by, approved_on=w.approved_on.isoformat(),
                       expires=w.expires.isoformat(), state=waiver_rules.state(w, as_of))
            for w in model.waivers or []]

    def _evidence(self) -> list[EvidenceInfo]:
        return [EvidenceInfo(id=ev.id, path=ev.path, description=ev.description,
                             sha256=self.loaded.evidence_sha256[ev.path], controls=list(ev.controls or []))
                for ev in self.loaded.model.evidence or []]

    # -- one control -------------------------------------------------------------------------
    def pointed_at(self, leaf: Leaf | None, pos: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """Where a finding points in the declaration: the scan entry of an observed value, else its
        comparison's place, else its subject's (`pos`)."""
        if leaf is not None and leaf.source == "scan" and leaf.scan in self.scan_pos:
            return self.scan_pos[leaf.scan]
        return leaf.pos if leaf is not None else pos

    def location(self, leaf: Leaf | None, pos: tuple[str | int, ...]) -> Location:
        where = self.loaded.located.where(self.pointed_at(leaf, pos))
        # One object per place and per subject, shared by the findings that point there (a system
        # has a finding in every control about systems): a large declaration's result stays smaller.
        found = self._locations.get(where)
        if found is None:
            found = self._locations[where] = trusted(Location, file=self.file, line=where[0], column=where[1])
        return found

    def subject(self, kind: str, sid: str, name: str | None) -> Subject:
        key = (kind, sid, name)
        found = self._subjects.get(key)
        if found is None:
            found = self._subjects[key] = trusted(Subject, kind=kind, id=sid, name=name)
        return found

    def _finding(self, control: Control, kind: str, sid: str, name: str | None, outcome: Outcome,
                 pos: tuple[str | int, ...], path: str, code: str, has_evidence: bool) -> Finding:
        status = outcome.status
        leaves = outcome.leaves
        leaf = deciding_leaf(outcome)
        source = "declared"
        if leaf is not None and leaf.source == "scan":
            source = "scan"
        elif has_evidence:
            source = "evidence"
        wanted = outcome.missing
        # One path (most unknown findings) needs no set and no sort.
        missing = ([declared_path(wanted[0])] if len(wanted) == 1 else sorted({declared_path(m) for m in wanted})) \
            if wanted else []
        # Built from the evaluator's own data without validating it again, every field in the model's
        # order (`trusted_exact`): a /16 scan makes tens of thousands of findings, a portfolio millions.
        return trusted_exact(Finding, {
            "subject": self.subject(kind, sid, name),
            "status": status,
            "code": code,
            "path": leaf.path if leaf else path,
            "location": self.location(leaf, pos),
            "declared": leaf.declared if leaf else None,
            "required": leaf.required if leaf else None,
            "source": source,
            "fingerprint": fingerprint(control.id, kind, sid, code),
            "missing": missing,
            "reason": "",
            "underlying_status": None,
            "explanation": self._explanation(status, leaf, leaves, missing),
        })

    def _comparison(self, lf: Leaf) -> Comparison:
        return trusted_exact(Comparison, self._comparison_data(lf))

    def _comparison_data(self, lf: Leaf) -> dict[str, Any]:
        """Every field of a `Comparison`, in the model's order (`trusted_exact`); None where results.md
        leaves the key out."""
        offset = lf.offset
        period: BusinessPeriodOut | None = None
        if lf.period is not None:
            # A legal period in business days (checker/calendar.py): the date it gives, typed.
            p = lf.period
            offset = None
            fields: dict[str, Any] = {"days": p.days, "unit": "business_days", "direction": p.direction,
                                      "start": p.start.isoformat(), "start_path": p.start_path,
                                      "date": p.date.isoformat()}
            if p.extended_date is not None:
                fields.update(extension_days=p.extension_days, extended_date=p.extended_date.isoformat())
            if p.counts_from is not None:
                fields["counts_from"] = p.counts_from
            period = trusted(BusinessPeriodOut, **fields)
        source = "declared"
        scan = scan_date = scan_age = stale = None
        if lf.source == "scan":
            source = "scan"
            if lf.scan:
                scan = lf.scan
                scan_date = self.scan_dates.get(lf.scan) or None
                if scan_date:
                    scan_age = (self.as_of - date.fromisoformat(scan_date)).days
            if lf.stale:
                stale = True
        return {"status": lf.status, "operator": lf.operator, "path": lf.path, "field": lf.field,
                "declared": lf.declared, "required": as_json(lf.value) if lf.value is not None else lf.required,
                "parameter": lf.parameter, "reference": lf.reference, "offset": offset, "source": source,
                "scan": scan, "scan_date": scan_date, "scan_age_days": scan_age, "stale": stale,
                "alternative": None, "period": period}

    def _explanation(self, status: str, leaf: Leaf | None, leaves: list[Leaf],
                     missing: list[str]) -> Explanation:
        if status == UNKNOWN:
            wanted = missing or ([leaf.path] if leaf else [])
            if wanted and all(".observed" in m or m.startswith("observed") for m in wanted):
                return trusted_exact(Explanation, {"code": "not_scanned", "comparisons": [], "missing": list(wanted)})
            return trusted_exact(Explanation, {"code": "missing", "comparisons": [], "missing": list(wanted)})
        if leaf is None:
            return trusted_exact(Explanation, {"code": "none", "comparisons": [], "missing": []})
        if status == NA:
            return trusted_exact(Explanation, {"code": "empty_selection", "comparisons": [self._comparison(leaf)],
                                               "missing": []})
        # Every comparison that decided the status, so that the owner sees all that must change
        # (a failed `all`: each failing part; a failed `any`: each alternative, grouped).
        deciding = [lf for lf in leaves if lf.status == status][:4] or [leaf]
        comparisons = [self._comparison_data(lf) for lf in deciding]
        groups: dict[int, int] = {}
        for lf, c in zip(deciding, comparisons, strict=True):
            if lf.group is not None:
                c["alternative"] = groups.setdefault(lf.group, len(groups) + 1)
        return trusted_exact(Explanation, {"code": "compare",
                                           "comparisons": [trusted_exact(Comparison, c) for c in comparisons],
                                           "missing": []})

    def _findings(self, control: Control, outcome: Outcome, has_evidence: bool) -> list[Finding]:
        rule = control.rule
        parts: list[tuple[Any, Outcome]]
        if isinstance(rule, Every):
            parts = [(rule, outcome)]
        elif isinstance(rule, AllOf):
            parts = list(zip(rule.all, outcome.parts or [], strict=True)) \
                if any(isinstance(c, Every) for c in rule.all) else [(rule, outcome)]
        else:
            parts = [(rule, outcome)]
        findings: dict[tuple[str, str], Finding] = {}
        program_parts: list[Outcome] = []
        for cond, out in parts:
            if isinstance(cond, Every) and out.items:
                code = item_code(control, cond)
                for item in out.items:
                    self._merge(findings, self._finding(control, item.kind, item.id, item.name, item.outcome,
                                                        item.pos, item.path, code, has_evidence))
            else:
                program_parts.append(out)
        if program_parts:
            program = self.program_finding(control, program_parts, bool(findings), has_evidence)
            if program is not None:
                self._merge(findings, program)
        return list(findings.values())

    def program_finding(self, control: Control, program_parts: list[Outcome], others: bool,
                        has_evidence: bool) -> Finding | None:
        """The program's finding from the parts of a rule that are not about items (or have none);
        None when they are not applicable and there are findings about items (`others`)."""
        status = worst([p.status for p in program_parts])
        deciding = [p for p in program_parts if p.status == status] or program_parts
        merged = Outcome(status, [lf for p in deciding for lf in p.leaves],
                         [m for p in deciding for m in p.missing] if status == UNKNOWN else [])
        if others and status == NA:
            return None
        return self._finding(control, "program", "program", self.loaded.model.program.name, merged, (), "",
                             f"{control.id}.program", has_evidence)

    @staticmethod
    def _merge(findings: dict[tuple[str, str], Finding], new: Finding) -> None:
        key = (new.subject.kind, new.subject.id)
        old = findings.get(key)
        if old is None or worst([old.status, new.status]) == new.status != old.status:
            findings[key] = new

    def _refs(self, control: Control) -> list[LegalRefOut]:
        def build() -> list[LegalRefOut]:
            refs = [r for r in control.legal_refs if r.applies_to in ("all", self.sector)]
            return [LegalRefOut(law=r.law, article=r.article, fraction=r.fraction, confidence=r.confidence,
                                citation=r.citation(self.lang), previous=r.previous,
                                note=r.note.get(self.lang) if r.note else None,
                                i18n={lang: RefTexts(citation=r.citation(lang),
                                                     note=r.note.get(lang) if r.note else None)
                                      for lang in LANGS}) for r in refs]

        return _per_control(control, ("refs", self.sector, self.lang), build)

    def _texts(self, control: Control) -> dict[str, ControlTexts]:
        def build() -> dict[str, ControlTexts]:
            return {language: ControlTexts(
                title=control.title.get(language), statement=control.statement.get(language),
                remediation=control.remediation.get(language), evidence_requested=control.evidence.get(language),
                owner_role=control.owner_role.get(language) if control.owner_role else None,
                not_applicable=control.not_applicable.get(language) if control.not_applicable else None)
                for language in LANGS}

        return _per_control(control, ("texts",), build)

    def control_result(self, control: Control) -> ControlResult:
        has_evidence = any(control.id in e.controls for e in self.evidence)
        if control.applies_when is not None:
            applies = evaluate(control.applies_when, self.root)
            if applies.status in (FAIL, NA):
                finding = self._finding(control, "program", "program", self.loaded.model.program.name,
                                        Outcome(NA, applies.leaves), (), "", f"{control.id}.program", has_evidence)
                set_trusted(finding, "explanation", trusted(
                    Explanation, code="not_applicable",
                    comparisons=[self._comparison(lf) for lf in applies.leaves[:1]]))
                return self._result(control, NA, [finding], [], has_evidence)
        outcome = evaluate(control.rule, self.root)
        findings = self._findings(control, outcome, has_evidence)
        status: str = worst([f.status for f in findings]) if findings else outcome.status
        waiver: WaiverRef | None = None
        underlying: str | None = None
        found = waiver_rules.waiver_for(self.loaded.model.waivers or [], control.id, self.as_of)
        if found is not None and status in GATING and found[1] == "active":
            w = found[0]
            applied = waiver_rules.apply(findings, w.systems, status)
            status, underlying = applied.status, applied.underlying
            declared = next(x for x in self.loaded.model.waivers or [] if x.id == w.id)
            waiver = trusted(WaiverRef, id=declared.id, reason=declared.reason, approved_by=declared.approved_by,
                               approved_on=declared.approved_on.isoformat(),
                               expires=declared.expires.isoformat(), systems=list(declared.systems or []))
        missing = sorted({m for f in findings if f.status == UNKNOWN for m in f.missing})
        result = self._result(control, status, findings, missing, has_evidence)
        set_trusted(result, "waiver", waiver)
        set_trusted(result, "underlying_status", underlying)
        return result

    def _result(self, control: Control, status: str, findings: list[Finding], missing: list[str],
                has_evidence: bool) -> ControlResult:
        lang = self.lang
        result = trusted(
            ControlResult,
            control_id=control.id,
            domain=control.domain,
            severity=control.severity,
            status=status,
            effective_from=control.effective_from.isoformat(),
            title=control.title.get(lang),
            statement=control.statement.get(lang),
            legal_refs=self._refs(control),
            xref=_per_control(control, ("xref",), control.xref.model_dump),
            reasons=[],
            missing=missing,
            findings=findings,
            remediation=control.remediation.get(lang),
            evidence_requested=control.evidence.get(lang),
            evidence=[trusted(EvidenceRef, id=e.id, path=e.path, sha256=e.sha256)
                      for e in self.evidence if control.id in e.controls],
            effort=control.effort,
            owner_role=control.owner_role.get(lang) if control.owner_role else None,
            applicability=None,
            i18n=self._texts(control),
        )
        # The sentences of the JSON, in the result's language, from the same explanations renderers use.
        reason = explain.reason
        for finding in findings:   # `set_trusted`: `reason` is a declared field, counted as set already
            finding.__dict__["reason"] = reason(finding, lang, result)
        set_trusted(result, "reasons", explain.result_reasons(result, self.waiver_infos, lang, stored=True))
        set_trusted(result, "applicability", explain.applicability(result, lang))
        return result

    # -- the document ------------------------------------------------------------------------
    def controls(self) -> list[Control]:
        """The controls of the profile, in catalog order: the order of the results."""
        return self.catalog.select(self.profile)

    def results(self) -> Iterator[ControlResult]:
        """The controls' results one at a time, in catalog order."""
        for control in self.controls():
            yield self.control_result(control)

    def document(self) -> ResultDocument:
        results = list(self.results())
        return self.head(summarize(results), results)

    def head(self, summary: Summary, results: list[ControlResult]) -> ResultDocument:
        """The document around `results`; a streamed write passes none and writes them in its place."""
        model = self.loaded.model
        inputs = [Input(role="declaration", path=self.file, sha256=self.loaded.sha256)]
        for s in self.view.scans:
            inputs.append(Input(role="scan", id=s["id"], path=s["path"], sha256=s["sha256"]))
        for e in self.evidence:
            inputs.append(Input(role="evidence", id=e.id, path=e.path, sha256=e.sha256))
        program = model.program
        assessment = model.assessment
        return ResultDocument(
            schema_version=1,
            tool=Tool(name=TOOL_NAME, version=__version__),  # type: ignore[arg-type]
            catalog=CatalogInfo(id=self.catalog.index.id, version=self.catalog.index.version,
                                publication_date=self.catalog.index.publication_date.isoformat(),
                                sha256=self.catalog.sha256, name=self.catalog.index.name.get(self.lang),
                                names={language: self.catalog.index.name.get(language) for language in LANGS}),
            profile=self.profile,
            law=self.law,  # type: ignore[arg-type]
            lang=self.lang,  # type: ignore[arg-type]
            as_of=self.as_of.isoformat(),
            inputs=inputs,
            declaration=DeclarationRef(path=self.file, sha256=self.loaded.sha256),
            program=ProgramInfo(
                name=program.name, short_name=program.short_name, operator=program.operator,
                operator_type=program.operator_type, role=program.role, controller=program.controller,
                jurisdiction=Jurisdiction(level=program.jurisdiction.level, state=program.jurisdiction.state)
                if program.jurisdiction else None, status=program.status),
            assessment=AssessmentInfo(
                date=assessment.date.isoformat() if assessment and assessment.date else None,
                assessor=assessment.assessor if assessment else None,
                organization=assessment.organization if assessment else None,
                kind=assessment.kind if assessment else None,
                scope=assessment.scope if assessment else None),
            summary=summary,
            results=results,
            waivers=self.waiver_infos,
            evidence=self.evidence,
            scans=[ScanInfo.model_validate(s) for s in self.view.scans],
            observed_systems=self.view.observed_systems,
            observations=[Observation.model_validate(o) for o in self.view.observations],
        )


def exit_code(doc: ResultDocument | Iterable[Rated], fail_on: str) -> int:
    """0 when no control at or above `fail_on` is fail, partial or unknown; else 1."""
    limit = SEVERITY_RANK[fail_on]
    for r in doc.results if isinstance(doc, ResultDocument) else doc:
        if r.status in GATING and SEVERITY_RANK[r.severity] <= limit:
            return 1
    return 0
