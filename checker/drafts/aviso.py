"""The privacy notice (aviso de privacidad), integral or simplified, drafted from the declaration.

Which elements a notice has follows the law that applies, as the catalog checks them (PRV-02 to
PRV-10): LGPDPPSO arts. 20-22 for public bodies, LFPDPPP arts. 15-16 (and the Reglamento's art. 14,
and art. 35 for transfers) for private operators. Each section's `key` is the notice element of
`privacy_notice.elements` it states, so a filled-in draft can be declared element by element.
"""

from __future__ import annotations

from checker.declaration import Declaration
from checker.drafts.common import front_notice, ph
from checker.drafts.inputs import (
    extra,
    has_minors,
    human,
    is_public,
    is_sensitive,
    label,
    llave_attributes,
    manifest,
    transfer_needs_consent,
)
from checker.drafts.model import Block, Bullets, Draft, Inline, Meta, Para, Row, Section, Table, Text, cell, para
from checker.i18n import Translator

# Where each element is required, per law, with the fact sheet's confidence tag.
BASIS = {
    "LGPDPPSO": {
        "controller_identity": "LGPDPPSO art. 21 fr. I [V]",
        "data_categories": "LGPDPPSO art. 21 fr. II [V]",
        "sensitive_data": "LGPDPPSO art. 21 fr. II; art. 15 [V]",
        "legal_basis": "LGPDPPSO art. 21 fr. III [V]",
        "purposes": "LGPDPPSO art. 21 fr. IV [V]",
        "purposes_needing_consent": "LGPDPPSO art. 21 fr. IV [V]",
        "arco_mechanism": "LGPDPPSO art. 21 fr. V; art. 45 [V]",
        "transparency_unit_address": "LGPDPPSO art. 21 fr. VI [V]",
        "transfers": "LGPDPPSO art. 21 fr. VII [V]",
        "transfer_refusal_means": "LGPDPPSO art. 21 fr. VIII [V]",
        "changes_mechanism": "LGPDPPSO art. 21 fr. IX [V]",
        "consent_revocation": "",
        "indirect_collection_notice": "",
        "minors_version": "LGPDPPSO art. 7, segundo párrafo [V]; LGDNNA art. 76 [V]",
        "full_notice_link": "LGPDPPSO art. 22 [V]",
    },
    "LFPDPPP": {
        "controller_identity": "LFPDPPP art. 15 fr. I [V]",
        "data_categories": "LFPDPPP art. 15 fr. II [V]",
        "sensitive_data": "LFPDPPP art. 15 fr. II; art. 8 [V]",
        "purposes": "LFPDPPP art. 15 fr. III [V]",
        "purposes_needing_consent": "LFPDPPP art. 15 fr. III [V]; RLFPDPPP art. 14 [V2]",
        "limit_use_options": "LFPDPPP art. 15 fr. IV [V]",
        "arco_mechanism": "LFPDPPP art. 15 fr. V; art. 31 [V]",
        "consent_revocation": "LFPDPPP art. 7, último párrafo [V]",
        "transfers": "LFPDPPP art. 35 [V]",
        "cookies_tracking": "RLFPDPPP art. 14 [V2]",
        "changes_mechanism": "LFPDPPP art. 15 fr. VI [V]",
        "indirect_collection_notice": "LFPDPPP art. 17 [V]",
        "minors_version": "LGDNNA art. 76 [V]",
        "full_notice_link": "LFPDPPP art. 16 fr. II [V]",
    },
}


# The notice elements (of `privacy_notice.elements`) that each section states.
STATES: dict[str, tuple[str, ...]] = {
    "purposes_needing_consent": ("purposes_needing_consent", "secondary_purposes_opt_out", "purpose_refusal_means"),
    "transfer_refusal_means": ("transfer_refusal_means", "transfer_acceptance_clause"),
    "transfer_acceptance_clause": ("transfer_acceptance_clause", "transfer_refusal_means"),
}


def elements_stated(keys: list[str]) -> list[str]:
    """The notice elements a draft with these section keys states."""
    out: list[str] = []
    for key in keys:
        for element in STATES.get(key, (key,)):
            if element not in out:
                out.append(element)
    return out


class _Aviso:
    def __init__(self, decl: Declaration, m: Meta, lang: str) -> None:
        self.d = decl
        self.m = m
        self.lang = lang
        self.tr = Translator("drafts", lang)
        self.public = is_public(decl)
        self.law = "LGPDPPSO" if self.public else "LFPDPPP"
        contact = decl.program.contact
        self.email = contact.email if contact and contact.email else None
        notice = decl.privacy_notice if decl.privacy_notice else None
        self.url = notice.url if notice and notice.url else None
        # The notice speaks for the responsable; a processor drafts it for its controller.
        self.controller = decl.program.controller if decl.program.role == "encargado" and decl.program.controller \
            else decl.program.operator

    # -- helpers --------------------------------------------------------------------------------
    def section(self, key: str, blocks: list[Block], children: list[Section] | None = None,
                heading_key: str | None = None) -> Section:
        return Section(key=key, heading=self.tr(f"aviso.h.{heading_key or key}"), blocks=blocks,
                       basis=BASIS[self.law].get(key, ""), children=children or [])

    def why(self, key: str) -> str:
        return BASIS[self.law].get(key, "")

    def write_to(self, key: str) -> tuple[Inline, ...]:
        """`escriba a <email>` when the declaration names a contact e-mail, else a placeholder."""
        if self.email:
            return (Text(self.tr("aviso.write_to")), Text(self.email, bold=True))
        return (ph(self.tr, "contact_means", art=self.why(key)),)

    # -- elements -------------------------------------------------------------------------------
    def controller_identity(self) -> Section:
        tr = self.tr
        blocks: list[Block] = []
        if self.d.program.role == "encargado":
            blocks.append(para(tr("aviso.encargado_note", operator=self.d.program.operator,
                                  controller=self.controller), style="note"))
        blocks.append(para(tr("aviso.controller", controller=self.controller, program=self.d.program.name),
                           ph(tr, "address", art=self.why("controller_identity")), "."))
        contact = self.d.program.contact
        if contact and (contact.name or contact.email):
            who = ", ".join(x for x in (contact.name, contact.email) if x)
            blocks.append(para(tr("aviso.contact", who=who)))
        else:
            blocks.append(para(tr("aviso.contact_label"), ph(tr, "contact", art=self.why("controller_identity"))))
        return self.section("controller_identity", blocks)

    def data_rows(self, sensitive: bool | None = None) -> list[Row]:
        rows: list[Row] = []
        for item in self.d.data_inventory or []:
            if sensitive is not None and is_sensitive(item) != sensitive:
                continue
            fields = ", ".join(human(f) for f in item.fields or []) or label("category", item.category, self.lang)
            whose = ", ".join(label("subject", s, self.lang) for s in item.subjects or []) or "—"
            rows.append((cell(label("category", item.category, self.lang)), cell(fields), cell(whose)))
        return rows

    def data_categories(self, with_sensitive: bool = True) -> Section:
        tr = self.tr
        if self.d.data_inventory is None:
            return self.section("data_categories", [para(ph(tr, "data", art=self.why("data_categories")))])
        blocks: list[Block] = [para(tr("aviso.data_intro")),
                               Table((tr("col.kind"), tr("col.data"), tr("col.whose")), tuple(self.data_rows()))]
        # LFPDPPP art. 7: patrimonial data need express consent; said only where consent is the basis.
        patrimonial = [i for i in self.d.data_inventory
                       if i.category in ("financial", "socioeconomic") and i.legal_basis == "consent"]
        if patrimonial and not self.public:
            blocks.append(para(tr("aviso.patrimonial")))
        children = [self.sensitive_data()] if with_sensitive else []
        return self.section("data_categories", blocks, children)

    def sensitive_data(self) -> Section:
        tr = self.tr
        rows = self.data_rows(sensitive=True)
        if not rows:
            return self.section("sensitive_data", [para(tr("aviso.no_sensitive"))])
        blocks: list[Block] = [para(tr("aviso.sensitive_intro")),
                               Table((tr("col.kind"), tr("col.data"), tr("col.whose")), tuple(rows)),
                               para(tr(f"aviso.sensitive_consent.{self.law}"))]
        if any(i.category == "biometric" for i in self.d.data_inventory or []):
            blocks.append(para(tr("aviso.biometric_policy"), style="note"))
        return self.section("sensitive_data", blocks)

    def legal_basis(self) -> Section:
        tr = self.tr
        items = self.d.data_inventory or []
        if not items:
            return self.section("legal_basis", [para(ph(tr, "legal_basis", art=self.why("legal_basis")))])
        rows: list[Row] = []
        for item in items:
            basis: list[Inline] = [Text(label("basis", item.legal_basis, self.lang) if item.legal_basis else "")]
            if item.legal_basis is None:
                basis = [ph(tr, "basis_cell")]
            elif item.legal_instrument:
                basis.append(Text(": " + item.legal_instrument))
            elif item.legal_basis in ("legal_mandate", "legal_attributions"):
                basis += [Text(": "), ph(tr, "instrument_cell")]
            rows.append((cell(label("category", item.category, self.lang)), tuple(basis)))
        blocks: list[Block] = [para(tr("aviso.basis_intro", operator=self.controller)),
                               Table((tr("col.kind"), tr("col.basis")), tuple(rows))]
        return self.section("legal_basis", blocks)

    def purposes(self) -> Section:
        tr = self.tr
        items = self.d.data_inventory or []
        if not any(i.purposes for i in items):
            return self.section("purposes", [para(ph(tr, "purposes", art=self.why("purposes")))],
                                [self.purposes_needing_consent(None)])
        necessary: list[str] = []
        consent: list[str] = []
        for item in items:
            target = consent if item.legal_basis == "consent" else necessary
            for p in item.purposes or []:
                if p not in target:
                    target.append(p)
        # A purpose both necessary (for one category) and consent-based (for another) stays necessary.
        consent = [p for p in consent if p not in necessary]
        blocks: list[Block] = [para(tr("aviso.purposes_intro"))]
        if necessary:
            blocks.append(Bullets(tuple(cell(p) for p in necessary)))
        else:
            blocks.append(para(tr("aviso.no_necessary")))
        extra_lines: list[tuple[Inline, ...]] = []
        for item in items:
            name = label("category", item.category, self.lang)
            if item.automated_decisions:
                extra_lines.append(cell(tr(f"aviso.automated.{self.law}", data=name)))
            if item.model_training:
                extra_lines.append(cell(tr("aviso.training", data=name)))
        if extra_lines:
            blocks.append(Bullets(tuple(extra_lines)))
        return self.section("purposes", blocks, [self.purposes_needing_consent(consent)])

    def purposes_needing_consent(self, consent: list[str] | None) -> Section:
        """`consent` is None when the declaration states no purposes: nothing can be said of them."""
        tr = self.tr
        if consent is None:
            blocks: list[Block] = [para(ph(tr, "consent_purposes", art=self.why("purposes_needing_consent"))),
                                   para(tr("aviso.refuse_future"), *self.write_to("purposes_needing_consent"), ".")]
        elif not consent:
            blocks = [para(tr("aviso.no_consent_purposes")),
                                   para(tr("aviso.refuse_future"), *self.write_to("purposes_needing_consent"), ".")]
        else:
            blocks = [para(tr("aviso.consent_intro")), Bullets(tuple(cell("☐ " + p) for p in consent)),
                      para(tr("aviso.refuse_purposes"), *self.write_to("purposes_needing_consent"),
                           tr("aviso.refuse_purposes_end"))]
        return self.section("purposes_needing_consent", blocks)

    def transfers(self) -> Section:
        tr = self.tr
        transfers = self.d.transfers
        processors = self.d.processors or []
        blocks: list[Block] = []
        children: list[Section] = []
        if transfers is None:
            blocks.append(para(ph(tr, "transfers", art=self.why("transfers"))))
        elif not transfers:
            blocks.append(para(tr("aviso.no_transfers")))
        else:
            blocks.append(para(tr("aviso.transfers_intro")))
            rows: list[Row] = []
            for x in transfers:
                data = ", ".join(self._category_name(c) for c in x.data_categories or []) or "—"
                needs = tr("yes") if transfer_needs_consent(x) else tr("no")
                rows.append((cell(x.recipient or x.id), cell(x.country or "—"),
                             cell(x.purpose) if x.purpose else cell(ph(tr, "transfer_purpose_cell")),
                             cell(data), cell(needs)))
            blocks.append(Table((tr("col.recipient"), tr("col.country"), tr("col.purpose"), tr("col.data"),
                                 tr("col.needs_consent")), tuple(rows)))
        if processors:
            names = ", ".join(p.name or p.id for p in processors)
            blocks.append(para(tr(f"aviso.processors.{self.law}", names=names)))
        consent_transfers = [x for x in transfers or [] if transfer_needs_consent(x)]
        if self.public:
            children.append(self.transfer_refusal(consent_transfers, transfers is None))
        elif consent_transfers:
            children.append(self.acceptance_clause(consent_transfers, key="transfer_acceptance_clause"))
        return self.section("transfers", blocks, children)

    def _category_name(self, data_id: str) -> str:
        for item in self.d.data_inventory or []:
            if item.id == data_id:
                return label("category", item.category, self.lang)
        return data_id

    def acceptance_clause(self, consent_transfers: list, key: str) -> Section:
        tr = self.tr
        lines = []
        for x in consent_transfers:
            what = x.purpose or tr("aviso.purpose_stated")
            lines.append(para(tr("aviso.clause", operator=self.controller, recipient=x.recipient or x.id,
                                 purpose=what), style="checkbox"))
        blocks: list[Block] = [para(tr("aviso.clause_intro")), *lines,
                               para(tr("aviso.signature"), style="signature")]
        section = Section(key=key, heading=tr(f"aviso.h.{key}"), blocks=blocks,
                          basis=BASIS[self.law].get("transfers", ""))
        return section

    def transfer_refusal(self, consent_transfers: list, undeclared: bool) -> Section:
        tr = self.tr
        if undeclared:
            blocks: list[Block] = [para(ph(tr, "transfer_refusal", art=self.why("transfer_refusal_means")))]
        elif not consent_transfers:
            blocks = [para(tr("aviso.no_consent_transfers"))]
        else:
            blocks = [para(tr("aviso.refuse_transfers"), *self.write_to("transfer_refusal_means"),
                           tr("aviso.refuse_transfers_end"))]
            clause = self.acceptance_clause(consent_transfers, key="transfer_acceptance_clause")
            blocks += clause.blocks
        return self.section("transfer_refusal_means", blocks)

    def arco(self) -> Section:
        tr = self.tr
        arco = self.d.arco if self.d.arco else None
        blocks: list[Block] = [para(tr("aviso.arco_intro"))]
        if not arco or not arco.channels:
            blocks.append(para(ph(tr, "arco_channels", art=self.why("arco_mechanism"))))
        else:
            lines: list[tuple[Inline, ...]] = []
            for ch in arco.channels:
                if ch == "email":
                    lines.append(cell(tr("arco.email"), Text(self.email, bold=True) if self.email
                                      else ph(tr, "arco_email")))
                elif ch == "web_form":
                    lines.append(cell(tr("arco.web_form"), ph(tr, "arco_form_url")))
                elif ch == "in_person":
                    lines.append(cell(tr("arco.in_person"), ph(tr, "arco_office")))
                elif ch == "mail":
                    lines.append(cell(tr("arco.mail"), ph(tr, "arco_postal")))
                else:
                    lines.append(cell(tr("arco.pnt")))
            blocks.append(Bullets(tuple(lines)))
        blocks.append(para(tr(f"aviso.arco_requirements.{self.law}")))
        if arco and arco.identity_verification:
            blocks.append(para(tr("aviso.arco_identity")))
        if has_minors(self.d) or (arco and arco.guardian_requests):
            blocks.append(para(tr(f"aviso.arco_guardians.{self.law}")))
        deadline = tr(f"aviso.arco_deadlines.{self.law}")
        if arco and arco.committed_response_days and arco.committed_response_days < 20:
            deadline += " " + tr("aviso.arco_committed", days=str(arco.committed_response_days))
        blocks.append(para(deadline))
        if arco and extra(arco, "portability"):
            blocks.append(para(tr("aviso.arco_portability")))
        if arco and extra(arco, "free_of_charge"):
            blocks.append(para(tr("aviso.arco_free")))
        if arco and extra(arco, "appeal_information"):
            blocks.append(para(tr("aviso.arco_appeal")))
        return self.section("arco_mechanism", blocks)

    def consent_revocation(self) -> Section:
        tr = self.tr
        return self.section("consent_revocation", [
            para(tr("aviso.revoke"), *self.write_to("consent_revocation"), tr("aviso.revoke_end"))])

    def limit_use(self) -> Section:
        tr = self.tr
        return self.section("limit_use_options", [
            para(tr("aviso.limit"), *self.write_to("limit_use_options"), tr("aviso.limit_end"))])

    def transparency_unit(self) -> Section:
        tr = self.tr
        return self.section("transparency_unit_address", [
            para(tr("aviso.unit", operator=self.controller),
                 ph(tr, "unit_address", art=self.why("transparency_unit_address")), ".")])

    def cookies(self) -> Section:
        tr = self.tr
        return self.section("cookies_tracking", [
            para(tr("aviso.cookies"), ph(tr, "cookies", art=self.why("cookies_tracking")))])

    def indirect(self) -> Section | None:
        attrs = llave_attributes(self.d)
        if not attrs:
            return None
        tr = self.tr
        lines = tuple(cell(f"{human(a)}" + (f" ({p})" if p else "")) for a, p in attrs)
        return self.section("indirect_collection_notice", [para(tr("aviso.indirect")), Bullets(lines)])

    def changes(self) -> Section:
        tr = self.tr
        if self.url:
            first: Para = para(tr("aviso.changes"), Text(self.url, bold=True), ".")
        else:
            first = para(tr("aviso.changes"), ph(tr, "notice_url", art=self.why("changes_mechanism")), ".")
        return self.section("changes_mechanism", [first, para(tr("aviso.last_updated"), ph(tr, "publication_date"))])

    def minors(self) -> Section:
        tr = self.tr
        name = self.d.program.short_name or self.d.program.name
        items = self.d.data_inventory or []
        kinds = sorted({label("category_plain", i.category, self.lang) for i in items})
        purposes: list[str] = []
        for i in items:
            purposes += [p for p in i.purposes or [] if p not in purposes]
        blocks: list[Block] = [para(tr("minors.hello", program=name))]
        if kinds:
            blocks.append(para(tr("minors.what", kinds=", ".join(kinds))))
        if purposes:
            blocks.append(para(tr("minors.why", purposes=", ".join(purposes))))
        if any(is_sensitive(i) for i in items):
            blocks.append(para(tr("minors.sensitive")))
        if self.d.transfers:
            who = ", ".join(x.recipient or x.id for x in self.d.transfers)
            blocks.append(para(tr("minors.share", who=who)))
        if any(i.publicly_exposed for i in items):
            blocks.append(para(tr("minors.public")))
        blocks.append(para(tr("minors.rights")))
        blocks.append(para(tr("minors.ask"), *(cell(Text(self.email, bold=True)) if self.email
                                                 else cell(ph(tr, "contact_means", art=self.why("minors_version")))),
                           "."))
        return self.section("minors_version", blocks)

    def full_notice_link(self) -> Section:
        tr = self.tr
        where: Inline = Text(self.url, bold=True) if self.url \
            else ph(tr, "notice_url", art=self.why("full_notice_link"))
        return self.section("full_notice_link", [para(tr("aviso.full_at"), where, ".")])

    # -- assembly -------------------------------------------------------------------------------
    def integral(self) -> list[Section]:
        sections = [self.controller_identity(), self.data_categories()]
        if self.public:
            sections.append(self.legal_basis())
        sections.append(self.purposes())
        if not self.public:
            sections.append(self.limit_use())
        sections.append(self.arco())
        if self.public:
            sections.append(self.transparency_unit())
        sections.append(self.transfers())
        if any(i.legal_basis == "consent" for i in self.d.data_inventory or []) or not self.public:
            sections.append(self.consent_revocation())
        indirect = self.indirect()
        if indirect:
            sections.append(indirect)
        if not self.public:
            sections.append(self.cookies())
        sections.append(self.changes())
        if has_minors(self.d):
            sections.append(self.minors())
        return sections

    def simplified(self) -> list[Section]:
        if self.public:   # art. 22: fr. I, IV, VII and VIII, and where to read the full notice
            return [self.controller_identity(), self.purposes(), self.transfers(), self.full_notice_link()]
        # art. 16 fr. II: art. 15 fr. I to IV, and where to read the full notice
        return [self.controller_identity(), self.data_categories(), self.purposes(), self.limit_use(),
                self.full_notice_link()]


def build_aviso(decl: Declaration, m: Meta, lang: str, simplified: bool = False) -> Draft:
    a = _Aviso(decl, m, lang)
    tr = a.tr
    kind = "aviso_simplificado" if simplified else "aviso"
    sections = a.simplified() if simplified else a.integral()
    return Draft(kind=kind, lang=lang, title=tr(f"title.{kind}"),
                 subtitle=tr("aviso.subtitle", program=decl.program.name, controller=a.controller),
                 meta=m, notice=front_notice(m, tr), sections=sections, manifest=manifest(decl))
