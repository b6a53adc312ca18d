"""The documento de seguridad, drafted from the declaration and its evaluation.

Its contents are those the catalog checks (GOV-02: LGPDPPSO art. 29 for public bodies; GOV-03:
RLFPDPPP art. 61 for private operators, which adds the register of storage media). Each section's
`key` is the value of `governance.security_document.contents` it provides. The risk analysis, the
gap analysis and the work plan come from the evaluation: each control that is not met is a risk with
the catalog's severity; remediation and declared `actions` make the plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from checker.declaration import Declaration, Recurring
from checker.drafts.common import front_notice, ph, short
from checker.drafts.inputs import (
    GAP_STATUSES,
    SEVERITY_ORDER,
    Gap,
    actions,
    extra,
    human,
    is_public,
    is_sensitive,
    label,
    manifest,
    vocabulary,
)
from checker.drafts.model import Block, Bullets, Draft, Inline, Meta, Row, Section, Table, cell, para
from checker.durations import Duration
from checker.i18n import Translator, format_date
from checker.problems import count_text

BASIS = {
    "LGPDPPSO": {
        "scope": "LGPDPPSO arts. 25-28 [V]",
        "inventory": "LGPDPPSO art. 29 fr. I; art. 27 fr. III [V]",
        "roles": "LGPDPPSO art. 29 fr. II [V]",
        "risk_analysis": "LGPDPPSO art. 29 fr. III [V]",
        "gap_analysis": "LGPDPPSO art. 29 fr. IV [V]",
        "work_plan": "LGPDPPSO art. 29 fr. V [V]",
        "monitoring": "LGPDPPSO art. 29 fr. VI [V]",
        "training": "LGPDPPSO art. 29 fr. VII; art. 27 fr. VIII [V]",
        "update_triggers": "LGPDPPSO art. 30 [V]",
        "approval": "LGPDPPSO art. 29 [V]",
    },
    "LFPDPPP": {
        "scope": "LFPDPPP art. 18 [V]",
        "inventory": "RLFPDPPP art. 61 fr. I [V2]",
        "roles": "RLFPDPPP art. 61 [V2]",
        "risk_analysis": "RLFPDPPP art. 61 [V2]",
        "gap_analysis": "RLFPDPPP art. 61 [V2]",
        "work_plan": "RLFPDPPP art. 61 [V2]",
        "monitoring": "RLFPDPPP art. 61 [V2]",
        "training": "RLFPDPPP art. 61 fr. VIII [V2]",
        "media_register": "RLFPDPPP art. 61 fr. IX [V2]",
        "update_triggers": "LGPDPPSO art. 30 [V], como buena práctica",
        "approval": "RLFPDPPP art. 61 [V2]",
    },
}


def _sev_key(g: Gap) -> tuple[int, str]:
    return (SEVERITY_ORDER.index(g.severity) if g.severity in SEVERITY_ORDER else 9, g.control_id)


class _Seguridad:
    def __init__(self, decl: Declaration, gaps: list[Gap], m: Meta, lang: str, when: date) -> None:
        self.d = decl
        self.gaps = gaps
        self.m = m
        self.lang = lang
        self.when = when
        self.tr = Translator("drafts", lang)
        self.public = is_public(decl)
        self.law = "LGPDPPSO" if self.public else "LFPDPPP"

    def section(self, key: str, blocks: list[Block], children: list[Section] | None = None) -> Section:
        basis = BASIS[self.law].get(key, "")
        if self.lang == "en":
            basis = basis.replace("como buena práctica", "as good practice")
        return Section(key=key, heading=self.tr(f"seg.h.{key}"), blocks=blocks, basis=basis,
                       children=children or [])

    def sub(self, key: str, blocks: list[Block]) -> Section:
        return Section(key=key, heading=self.tr(f"seg.h.{key}"), blocks=blocks)

    def date_text(self, value: date | None) -> str:
        return format_date(value, self.lang) if value else "—"

    # -- 1 scope --------------------------------------------------------------------------------
    def scope(self) -> Section:
        tr = self.tr
        p = self.d.program
        blocks: list[Block] = [para(tr("seg.scope", operator=p.operator, program=p.name, law_name=self.m.law_name))]
        scope = self.d.assessment.scope if self.d.assessment and self.d.assessment.scope else None
        blocks.append(para(tr("seg.scope_of"), scope if scope else ph(tr, "scope")))
        if p.description:
            blocks.append(para(p.description))
        subjects = [f"{label('subject', s.type, self.lang)}" + (f" ({s.count:,})" if s.count is not None else "")
                    for s in p.data_subjects or []]
        if subjects:
            blocks.append(para(tr("seg.subjects", subjects=", ".join(subjects))))
        return self.section("scope", blocks)

    # -- 2 inventory ----------------------------------------------------------------------------
    def inventory(self) -> Section:
        tr = self.tr
        systems = {s.id: s.name or s.id for s in self.d.systems or []}
        children: list[Section] = []
        if self.d.data_inventory is None:
            data_blocks: list[Block] = [para(ph(tr, "inventory", art=BASIS[self.law]["inventory"]))]
        else:
            rows: list[Row] = []
            for item in self.d.data_inventory:
                fields = ", ".join(human(f) for f in item.fields or []) or "—"
                where = ", ".join(systems.get(s, s) for s in item.systems or [])
                rows.append((cell(label("category", item.category, self.lang)), cell(fields),
                             cell(tr("yes") if is_sensitive(item) else tr("no")),
                             cell(", ".join(item.purposes or []) or "—"),
                             cell(where) if where else cell(short(tr, "systems_cell")),
                             cell(self.retention(item))))
            data_blocks = [para(tr("seg.inventory_data")),
                           Table((tr("col.kind"), tr("col.data"), tr("col.sensitive"), tr("col.purpose"),
                                  tr("col.systems"), tr("col.retention")), tuple(rows))]
        children.append(self.sub("inventory_data", data_blocks))
        if self.d.systems is None:
            sys_blocks: list[Block] = [para(ph(tr, "systems", art=BASIS[self.law]["inventory"]))]
        else:
            processors = {p.id: p.name or p.id for p in self.d.processors or []}
            rows = []
            for s in self.d.systems:
                h = s.hosting
                hosting = label("hosting", h.type, self.lang) if h and h.type else "—"
                provider = (h.provider if h and h.provider else "") or ""
                if h and h.processor:
                    provider = processors.get(h.processor, provider or h.processor)
                stores = [label("category", i.category, self.lang) for i in self.d.data_inventory or []
                          if s.id in (i.systems or [])]
                kind = extra(s, "kind")
                rows.append((cell(s.name or s.id), cell(label("system_kind", kind, self.lang) if kind else hosting),
                             cell(h.country if h and h.country else ("MX" if h and h.type == "on_premises" else "—")),
                             cell(provider or "—"), cell(", ".join(stores) or "—")))
            sys_blocks = [para(tr("seg.inventory_systems")),
                          Table((tr("col.system"), tr("col.hosting"), tr("col.country"), tr("col.provider"),
                                 tr("col.stores")), tuple(rows))]
        children.append(self.sub("inventory_systems", sys_blocks))
        if self.d.processors:
            rows = []
            for p in self.d.processors:
                rows.append((cell(p.name or p.id), cell(p.service or "—"), cell(p.country or "—"),
                             cell(self.yes_no(p.contract)), cell(self.yes_no(p.dpa_clauses))))
            children.append(self.sub("inventory_processors", [
                Table((tr("col.processor"), tr("col.service"), tr("col.country"), tr("col.contract"),
                       tr("col.clauses")), tuple(rows))]))
        if self.d.transfers:
            rows = []
            for x in self.d.transfers:
                rows.append((cell(x.recipient or x.id), cell(x.country or "—"), cell(x.purpose or "—"),
                             cell(label("basis", x.legal_basis, self.lang) if x.legal_basis else "—")))
            children.append(self.sub("inventory_transfers", [
                Table((tr("col.recipient"), tr("col.country"), tr("col.purpose"), tr("col.basis")), tuple(rows))]))
        return self.section("inventory", [para(tr("seg.inventory_intro"))], children)

    def yes_no(self, value: bool | None) -> str:
        return "—" if value is None else self.tr("yes" if value else "no")

    def retention(self, item: Any) -> str:
        r = item.retention
        if r is False:
            return self.tr("seg.no_retention")
        if r is None or not r.period:
            return "—"
        text = self.duration(r.period)
        if r.trigger:
            text += " " + label("trigger", r.trigger, self.lang)
        return text

    def duration(self, value: str | None) -> str:
        if not value:
            return "—"
        d = Duration.parse(value)
        parts = []
        for unit, amount in (("years", d.years), ("months", d.months), ("days", d.days)):
            if amount:
                parts.append(count_text("drafts", self.lang, f"unit.{unit}", amount))
        hours = d.seconds // 3600
        if hours:
            parts.append(count_text("drafts", self.lang, "unit.hours", hours))
        return " ".join(parts) or value

    # -- 3 roles --------------------------------------------------------------------------------
    def roles(self) -> Section:
        tr = self.tr
        p = self.d.program
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        rows.append((cell(tr("role.controller")), cell(p.controller if p.role == "encargado" and p.controller
                                                      else p.operator), cell(tr(f"duty.controller.{self.law}"))))
        contact = p.contact
        officer = ", ".join(x for x in (contact.name, contact.email) if x) if contact else ""
        rows.append((cell(tr(f"role.officer.{self.law}")), cell(officer) if officer else cell(short(tr, "who_cell")),
                     cell(tr(f"duty.officer.{self.law}"))))
        if self.public:
            rows.append((cell(tr("role.committee")), cell(tr("role.committee_who")), cell(tr("duty.committee"))))
        rows.append((cell(tr("role.security")), cell(short(tr, "who_cell")), cell(tr("duty.security"))))
        for s in self.d.systems or []:
            admins = s.access_control.admin_accounts if s.access_control else None
            who: tuple[Inline, ...] = cell(short(tr, "who_cell"))
            if admins is not None:
                who = cell(tr("role.admin_accounts", n=str(admins)) + " ", short(tr, "names_cell"))
            rows.append((cell(tr("role.admin", system=s.name or s.id)), who, cell(tr("duty.admin"))))
        for proc in self.d.processors or []:
            rows.append((cell(tr("role.processor")), cell(proc.name or proc.id),
                         cell(tr(f"duty.processor.{self.law}"))))
        rows.append((cell(tr("role.staff")), cell(tr("role.staff_who")), cell(tr("duty.staff"))))
        blocks: list[Block] = [para(tr("seg.roles_intro")),
                               Table((tr("col.role"), tr("col.who"), tr("col.duties")), tuple(rows))]
        gov = self.d.governance
        if gov and gov.confidentiality_agreements is not None:
            key = "seg.confidentiality_yes" if gov.confidentiality_agreements else "seg.confidentiality_no"
            blocks.append(para(tr(key)))
        return self.section("roles", blocks)

    # -- 4 risks --------------------------------------------------------------------------------
    def open_gaps(self) -> list[Gap]:
        return sorted((g for g in self.gaps if g.status in GAP_STATUSES), key=_sev_key)

    def where(self, g: Gap) -> str:
        """The subjects of a gap as people read them: a data category by its kind, not its id."""
        kinds = {i.id: label("category", i.category, self.lang) for i in self.d.data_inventory or []}
        names: list[str] = []
        for s in g.subjects:
            name = kinds.get(s, s)
            if name not in names:
                names.append(name)
        return ", ".join(names) or "—"

    def risk_analysis(self) -> Section:
        tr = self.tr
        gaps = self.open_gaps()
        blocks: list[Block] = [para(tr("seg.risk_intro", catalog=f"{self.m.catalog_id} {self.m.catalog_version}",
                                       date=self.m.date_text))]
        context = []
        if any(is_sensitive(i) for i in self.d.data_inventory or []):
            context.append(cell(tr("seg.risk_sensitive")))
        if any(s.includes_minors for s in self.d.program.data_subjects or []):
            context.append(cell(tr("seg.risk_minors")))
        total = sum(s.count or 0 for s in self.d.program.data_subjects or [])
        if total:
            context.append(cell(tr("seg.risk_scale", n=f"{total:,}")))
        if context:
            blocks.append(Bullets(tuple(context)))
        if not gaps:
            blocks.append(para(tr("seg.no_risks")))
        else:
            counts = {s: sum(1 for g in gaps if g.severity == s) for s in SEVERITY_ORDER}
            blocks.append(para(tr("seg.risk_counts", **{k: str(v) for k, v in counts.items()})))
            rows: list[Row] = []
            for i, g in enumerate(gaps, 1):
                rows.append((cell(f"R{i}"), cell(g.title), cell(vocabulary("severity", g.severity, self.lang)),
                             cell(vocabulary("status", g.status, self.lang)), cell(self.where(g)),
                             cell(g.control_id)))
            blocks.append(Table((tr("col.num"), tr("col.risk"), tr("col.severity"), tr("col.status"),
                                 tr("col.where"), tr("col.control")), tuple(rows)))
        waived = [g for g in self.gaps if g.status == "waived"]
        if waived:
            blocks.append(para(tr("seg.waived", ids=", ".join(g.control_id for g in waived))))
        return self.section("risk_analysis", blocks)

    # -- 5 gaps ---------------------------------------------------------------------------------
    def gap_analysis(self) -> Section:
        tr = self.tr
        domains: list[str] = []
        for g in self.gaps:
            if g.domain not in domains:
                domains.append(g.domain)
        rows: list[Row] = []
        for dom in domains:
            here = [g for g in self.gaps if g.domain == dom and g.status != "not_applicable"]
            if not here:
                continue
            in_place = [g for g in here if g.status in ("pass", "waived")]
            missing = [g for g in here if g.status in ("fail", "partial")]
            unknown = [g for g in here if g.status == "unknown"]
            rows.append((cell(vocabulary("domain", dom, self.lang)),
                         cell("; ".join(f"{g.control_id} {g.title}" for g in in_place) or "—"),
                         cell("; ".join(f"{g.control_id} {g.title}" for g in missing) or "—"),
                         cell("; ".join(g.control_id for g in unknown) or "—")))
        blocks: list[Block] = [para(tr("seg.gap_intro")),
                               Table((tr("col.domain"), tr("col.in_place"), tr("col.required"), tr("col.unknown")),
                                     tuple(rows))]
        return self.section("gap_analysis", blocks)

    # -- 6 plan ---------------------------------------------------------------------------------
    def work_plan(self) -> Section:
        tr = self.tr
        declared = actions(self.d)
        by_control: dict[str, list[Any]] = {}
        for a in declared:
            for c in getattr(a, "controls", None) or []:
                by_control.setdefault(c, []).append(a)
        rows: list[Row] = []
        used: set[str] = set()
        for i, g in enumerate(self.open_gaps(), 1):
            mine = by_control.get(g.control_id, [])
            if mine:
                a = mine[0]
                used.add(a.id)
                what = cell(a.description or g.remediation or g.title)
                owner = cell(a.owner) if a.owner else cell(short(tr, "owner_cell"))
                due = cell(self.date_text(a.due)) if a.due else cell(short(tr, "due_cell"))
                status = cell(label("action_status", a.status, self.lang) if a.status else "—")
            else:
                what = cell(g.remediation or g.title)
                owner = cell(g.owner_role + " ", short(tr, "name_cell")) if g.owner_role \
                    else cell(short(tr, "owner_cell"))
                due = cell(short(tr, "due_cell"))
                status = cell(tr("seg.not_planned"))
            rows.append((cell(f"{i}"), what, cell(f"R{i} · {g.control_id}"), owner, due, status))
        blocks: list[Block] = [para(tr("seg.plan_intro"))]
        if rows:
            blocks.append(Table((tr("col.num"), tr("col.action"), tr("col.risk"), tr("col.owner"), tr("col.due"),
                                 tr("col.status")), tuple(rows)))
        else:
            blocks.append(para(tr("seg.no_risks")))
        others = [a for a in declared if a.id not in used]
        if others:
            blocks.append(para(tr("seg.other_actions")))
            blocks.append(Bullets(tuple(cell(f"{a.description or a.id}" + (f" ({a.owner})" if a.owner else ""))
                                        for a in others)))
        return self.section("work_plan", blocks)

    # -- 7 monitoring ---------------------------------------------------------------------------
    def recurring_row(self, what: str, value: Any) -> tuple[tuple[Inline, ...], ...]:
        tr = self.tr
        if value is False:
            return (cell(what), cell(tr("seg.not_done")), cell("—"), cell(tr("seg.see_plan")))
        if not isinstance(value, Recurring):
            return (cell(what), cell(short(tr, "every_cell")), cell("—"), cell("—"))
        every: tuple[Inline, ...] = cell(self.duration(value.every)) if value.every else cell(short(tr, "every_cell"))
        last = self.date_text(value.last_done) if value.last_done else tr("seg.never")
        nxt = "—"
        if value.every and value.last_done:
            due = Duration.parse(value.every).add_to(value.last_done)
            nxt = self.date_text(due) + (" " + tr("seg.overdue") if due < self.when else "")
        return (cell(what), every, cell(last), cell(nxt))

    def monitoring(self) -> Section:
        tr = self.tr
        gov = self.d.governance
        rows: list[Row] = []
        if gov:
            for key in ("risk_assessment", "internal_audit", "inventory_review", "impact_assessment"):
                rows.append(self.recurring_row(tr(f"mon.{key}"), getattr(gov, key)))
            mgmt = extra(gov, "management_system")
            if mgmt is not None:
                rows.append(self.recurring_row(tr("mon.management_system"), mgmt))
        else:
            rows.append(self.recurring_row(tr("mon.risk_assessment"), None))
        for s in self.d.systems or []:
            name = s.name or s.id
            if s.access_control:
                rows.append(self.recurring_row(tr("mon.access_review", system=name), s.access_control.access_review))
            if s.logging:
                rows.append(self.recurring_row(tr("mon.log_review", system=name), s.logging.review))
            if s.backups:
                rows.append(self.recurring_row(tr("mon.restore_test", system=name), s.backups.restore_test))
            vm = s.vulnerability_management
            if vm:
                rows.append(self.recurring_row(tr("mon.scanning", system=name), vm.scanning))
                rows.append(self.recurring_row(tr("mon.pentest", system=name), vm.pentest))
            if vm is False or vm is None:
                rows.append(self.recurring_row(tr("mon.scanning", system=name), vm))
        ir = self.d.incident_response
        if ir:
            rows.append(self.recurring_row(tr("mon.plan_test"), ir.plan_test))
        blocks: list[Block] = [para(tr("seg.monitoring_intro", date=self.m.date_text)),
                               Table((tr("col.activity"), tr("col.every"), tr("col.last"), tr("col.next")),
                                     tuple(rows))]
        if self.d.scans:
            blocks.append(para(count_text("drafts", self.lang, "seg.scans", len(self.d.scans))))
        return self.section("monitoring", blocks)

    # -- 8 training -----------------------------------------------------------------------------
    def training(self) -> Section:
        tr = self.tr
        gov = self.d.governance
        value = gov.training if gov else None
        blocks: list[Block] = []
        if isinstance(value, Recurring):
            blocks.append(para(tr("seg.training_state", every=self.duration(value.every) if value.every else "—",
                                  last=self.date_text(value.last_done) if value.last_done else tr("seg.never"))))
        elif value is False:
            blocks.append(para(tr("seg.training_none")))
        else:
            blocks.append(para(ph(tr, "training", art=BASIS[self.law]["training"])))
        blocks.append(para(tr("seg.training_intro")))
        audiences = ["all_staff", "data_handlers", "admins"]
        if self.public:
            audiences.append("transparency_unit")
        if any(s.includes_minors for s in self.d.program.data_subjects or []):
            audiences.append("teachers")
        rows = tuple((cell(tr(f"train.{a}")), cell(tr(f"train.{a}.topics")), cell(short(tr, "hours_cell")))
                     for a in audiences)
        blocks.append(Table((tr("col.audience"), tr("col.topics"), tr("col.hours")), rows))
        return self.section("training", blocks)

    # -- 9 media register -----------------------------------------------------------------------
    def media_register(self) -> Section:
        tr = self.tr
        rows: list[Row] = []
        for s in self.d.systems or []:
            h = s.hosting
            where = label("hosting", h.type, self.lang) if h and h.type else "—"
            if h and h.country:
                where += f" ({h.country})"
            rows.append((cell(tr("media.electronic", system=s.name or s.id)), cell(where), cell(short(tr, "who_cell"))))
            if s.backups and s.backups.enabled:
                kind = tr("media.backup_offsite" if s.backups.offsite else "media.backup", system=s.name or s.id)
                protection = tr("media.encrypted") if s.backups.encrypted else tr("media.unencrypted")
                rows.append((cell(kind), cell(protection), cell(short(tr, "who_cell"))))
        physical = self.d.governance.physical if self.d.governance else None
        if physical and physical.paper_records:
            where = tr("media.locked") if physical.locked_storage else tr("media.unlocked")
            rows.append((cell(tr("media.paper")), cell(where), cell(short(tr, "who_cell"))))
        rows.append((cell(short(tr, "removable_cell")), cell(short(tr, "where_cell")), cell(short(tr, "who_cell"))))
        blocks: list[Block] = [para(tr("seg.media_intro")),
                               Table((tr("col.medium"), tr("col.location"), tr("col.custodian")), tuple(rows))]
        return self.section("media_register", blocks)

    # -- 10 updates, 11 approval -----------------------------------------------------------------
    def update_triggers(self) -> Section:
        tr = self.tr
        items = tuple(cell(tr(f"seg.trigger.{k}")) for k in ("substantial_change", "improvement", "breach", "actions"))
        blocks: list[Block] = [para(tr(f"seg.triggers_intro.{self.law}")), Bullets(items)]
        doc = self.d.governance.security_document if self.d.governance else None
        after = extra(doc, "updated_after", []) if doc else []
        if after:
            blocks.append(para(tr("seg.updated_after", what=", ".join(label("updated_after", a, self.lang)
                                                                      for a in after))))
        blocks.append(para(tr("seg.review_every")))
        return self.section("update_triggers", blocks)

    def approval(self) -> Section:
        tr = self.tr
        doc = self.d.governance.security_document if self.d.governance else None
        approver: tuple[Inline, ...] = cell(doc.approved_by) if doc and doc.approved_by else \
            cell(ph(tr, f"approver.{self.law}"))
        rows = (
            (cell(tr("approval.drafted")), cell(short(tr, "name_cell")), cell(short(tr, "date_cell")), cell("")),
            (cell(tr("approval.reviewed")), cell(short(tr, "name_cell")), cell(short(tr, "date_cell")), cell("")),
            (cell(tr("approval.approved")), approver, cell(short(tr, "date_cell")), cell("")),
        )
        blocks: list[Block] = [para(tr(f"seg.approval_intro.{self.law}")),
                               Table((tr("col.step"), tr("col.who"), tr("col.date"), tr("col.signature")), rows)]
        if doc and doc.approved_on:
            blocks.append(para(tr("seg.previous_approval", date=self.date_text(doc.approved_on))))
        return self.section("approval", blocks)

    def sections(self) -> list[Section]:
        out = [self.scope(), self.inventory(), self.roles(), self.risk_analysis(), self.gap_analysis(),
               self.work_plan(), self.monitoring(), self.training()]
        if not self.public:
            out.append(self.media_register())
        out += [self.update_triggers(), self.approval()]
        return out


# The values of `governance.security_document.contents` the draft provides, by law.
CONTENTS = {
    "LGPDPPSO": ["inventory", "roles", "risk_analysis", "gap_analysis", "work_plan", "monitoring", "training"],
    "LFPDPPP": ["inventory", "roles", "risk_analysis", "gap_analysis", "work_plan", "monitoring", "training",
                "media_register"],
}


def build_seguridad(decl: Declaration, gaps: list[Gap], m: Meta, lang: str, when: date) -> Draft:
    s = _Seguridad(decl, gaps, m, lang, when)
    tr = s.tr
    return Draft(kind="seguridad", lang=lang, title=tr(f"title.seguridad.{s.law}"),
                 subtitle=tr("seg.subtitle", program=decl.program.name, operator=decl.program.operator),
                 meta=m, notice=front_notice(m, tr), sections=s.sections(), manifest=manifest(decl))

