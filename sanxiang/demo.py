"""Demo data for `sanxiang load_demo`: the fictional city of 河洛市 and four of its agencies.

Urban management (with a district brigade below it), emergency management, environment and
finance, each with officers (one certificate expired, one suspended, one contract staff member
without a certificate), a unit head, a legal reviewer and an agency head; a supervisor of the
city's justice bureau and an administrator. Enforcement items cite real laws by article, 款 and
项 (checked against the texts in ../shared/laws by the tests). Cases are driven through the same
services as the UI (`case_open`, `case_transition`, `walk`), so every guard applies and every
write is in the ledger; they end up in every state of the general procedure, plus on-the-spot
(simple procedure) cases, with decisions published for citizens and organisations.

Every date lies in the past and is counted back from an anchor day: today, or earlier when the
working-day calendar does not yet know the holidays of the coming weeks (chinesecalendar ships
each year's arrangement only once the State Council has published it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sanxiang.accounts.models import Role, User
from sanxiang.cases.models import Case
from sanxiang.cases.services import case_open, case_transition
from sanxiang.cases.walkthrough import Cast, checklist_all, walk
from sanxiang.common.calendar import current_calendar
from sanxiang.common.exceptions import DeadlineError
from sanxiang.common.idnumbers import make_citizen_id, make_uscc
from sanxiang.common.services import record_save
from sanxiang.demo_city import (  # noqa: F401
    LAW,
    MARKER_CODE,
    AgencySpec,
    CaseSpec,
    ItemSpec,
    agency_specs,
    cite_text,
    cites,
)
from sanxiang.disclosure.models import Publication, PublicationStatus
from sanxiang.disclosure.services import publication_publish
from sanxiang.guidance.lawtext import LawParseError
from sanxiang.registry.models import Agency, EnforcementItem, Flow, Officer
from sanxiang.registry.services import defaults_install
from sanxiang.reviews.models import CatalogueEntry

DEMO_PASSWORD = "Demo@2026sx"  # satisfies the password policy (length 10, three character classes)
# Every demo account whose role requires 2FA has a TOTP device with this documented secret
# (base32, as authenticator apps take it); `sanxiang totp USERNAME` prints the current code.
DEMO_TOTP_SECRET = "SANXIANGDEMOTOTP"
ACTOR = "command:load_demo"
CITY = "河洛市"
# Dates are kept this many days before the last day the working-day calendar knows, so that
# 7-working-day publication periods and 5-working-day review periods can be computed.
CALENDAR_MARGIN_DAYS = 21

GENERAL_STATES = ["filing", "investigation", "examination", "notice", "hearing", "legal_review", "decision",
                  "service", "execution", "closing", "archive", "archived", "not_filed", "transferred"]


def default_laws_dir() -> Path:
    """SANXIANG_LAWS_DIR, or ../shared/laws next to the project (the law texts the items cite)."""
    import os

    return Path(os.environ.get("SANXIANG_LAWS_DIR") or Path(settings.BASE_DIR).parent / "shared" / "laws")


def laws_present() -> bool:
    """Whether the law database already holds texts (imported earlier with import_laws)."""
    from sanxiang.guidance.models import Law

    return Law.objects.exists()


def demo_present() -> bool:
    return Agency.objects.filter(code=MARKER_CODE).exists()


def other_data_present() -> bool:
    """Agencies or users that are not the demo's: loading on top of them could collide."""
    return Agency.objects.exists() or User.objects.exists()


def anchor_date(today: dt.date | None = None) -> dt.date:
    """The day the demo's history ends: today, or earlier when the calendar runs out soon."""
    today = today or timezone.localdate()
    calendar = current_calendar()
    year = today.year
    if calendar.covers_year(year):
        while calendar.covers_year(year + 1):
            year += 1
    else:
        while year > 2000 and not calendar.covers_year(year):
            year -= 1
    return min(today, dt.date(year, 12, 31) - dt.timedelta(days=CALENDAR_MARGIN_DAYS))


SUPERVISOR = ("sfj_supervisor", "马振邦（河洛市司法局行政执法协调监督科）")
ADMIN = ("admin", "系统管理员")
SECURITY_ADMIN = ("sec_admin", "安全管理员")
AUDIT_ADMIN = ("audit_admin", "审计管理员")


ITEM_KINDS = ("penalty", "inspection", "licensing")


# --- loading -----------------------------------------------------------------------------------


@dataclass
class Login:
    username: str
    display: str
    role: str
    agency: str


@dataclass
class DemoReport:
    anchor: dt.date
    laws: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    cases: int = 0
    published: int = 0
    extra: dict[str, int] = field(default_factory=dict)  # counts added by the apps' demo modules


@dataclass
class _AgencyCtx:
    agency: Agency
    users: dict[str, User]
    officers: list[Officer]  # certified, active, in spec order (officers 1-3, …), brigade officers appended


def load_laws(directory: Path, out: Callable[[str], None]) -> list[str]:
    """Import every law text of `directory` (already imported versions are kept)."""
    from sanxiang.guidance.services import law_import

    done = []
    for path in sorted(p for p in directory.glob("*.md") if p.name.lower() != "readme.md"):
        try:
            law, created = law_import(path=path, actor=ACTOR)
        except LawParseError as exc:
            out(f"  无法解析 {path.name}，已跳过：{exc}")
            continue
        done.append(f"{law.title}（{law.version_date}）" + ("" if created else "（已存在）"))
    return done


def load(*, laws_dir: Path | None, out: Callable[[str], None] = print) -> DemoReport:
    """Create the demo city in one transaction (nothing is left half-loaded on error)."""
    anchor = anchor_date()
    report = DemoReport(anchor=anchor)
    with transaction.atomic():
        # Every kind the demo's items use runs on a flow shipped in cases/flows/ (none is display-only).
        defaults_install(actor=ACTOR)
        if laws_dir is not None:
            report.laws = load_laws(laws_dir, out)
        password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 costs ~0.5 s per call
        flows = {kind: Flow.objects.filter(kind=kind).order_by("pk").first() for kind in ITEM_KINDS}
        flows["penalty"] = Flow.objects.get(code="penalty_general")
        specs = agency_specs()
        contexts: dict[str, _AgencyCtx] = {}
        for n, spec in enumerate(specs, start=1):
            contexts[spec.code] = _create_agency(spec, n, anchor, password, flows, contexts)
        _create_user(SUPERVISOR[0], SUPERVISOR[1], Role.SUPERVISOR, None, password)
        # 三权分立: three administrators, none a superuser, none able to read case content.
        _create_user(ADMIN[0], ADMIN[1], Role.ADMIN, None, password)
        _create_user(SECURITY_ADMIN[0], SECURITY_ADMIN[1], Role.SECURITY_ADMIN, None, password)
        _create_user(AUDIT_ADMIN[0], AUDIT_ADMIN[1], Role.AUDIT_ADMIN, None, password)
        # The brigade's officers help on the urban-management bureau's cases (市局 → 大队).
        urban = contexts[MARKER_CODE]
        urban.officers.extend(contexts["hl-cgj-xg"].officers)
        plans = [(spec, case) for spec in specs for case in spec.cases]
        plans.sort(key=lambda pair: -pair[1].opened)  # oldest first: numbers follow the dates
        for spec, case_spec in plans:
            ctx = contexts[spec.code]
            try:
                with transaction.atomic():
                    case = _create_case(ctx, case_spec, anchor)
                    report.published += _publish(ctx, case, case_spec)
                report.cases += 1
            except DeadlineError as exc:  # the calendar of a coming year is not known yet
                if exc.code != "calendar_year_unknown":
                    raise
                report.skipped.append(f"{case_spec.title}：{exc.message}")
        demo = AppDemo(anchor=anchor, password=password, contexts=contexts, report=report, out=out)
        for module in app_demo_modules():
            module.load_demo(demo)
    return report


@dataclass
class AppDemo:
    """What an app's own demo module (`sanxiang.<app>.demo.load_demo(demo)`) builds on: the
    agencies with their users and certified officers, the anchor date and the report to count into
    (report.extra["检查案件"] += 1…)."""

    anchor: dt.date
    password: str  # already hashed
    contexts: dict[str, _AgencyCtx]
    report: DemoReport
    out: Callable[[str], None]

    def user(self, agency_code: str, role_key: str) -> User:
        return self.contexts[agency_code].users[role_key]


def app_demo_modules() -> list:
    """Each installed sanxiang app's `demo` module that defines load_demo, in INSTALLED_APPS order:
    an app adds its demo data without this file naming it."""
    import importlib

    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sanxiang."):
            continue
        name = f"{config.name}.demo"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        if hasattr(module, "load_demo"):
            found.append(module)
    return found


def _create_user(username: str, display: str, role: str, agency: Agency | None, password: str) -> User:
    """A demo account: its password is already chosen (no forced change), 2FA roles enrolled."""
    from sanxiang.accounts.otp import otp_required
    from sanxiang.accounts.services import staff_flag_for

    user = User(username=username, display_name=display, role=role, agency=agency, password=password,
                is_staff=staff_flag_for(role), is_superuser=False, password_change_required=False,
                password_changed_at=timezone.now())
    record_save(user, actor=ACTOR, agency=agency, summary=f"新增演示用户：{username}（{user.get_role_display()}）")
    if otp_required(user):
        demo_totp_enrol(user)
    return user


def demo_totp_enrol(user: User):
    """A confirmed TOTP device with DEMO_TOTP_SECRET (documented in README; demo only)."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sanxiang.accounts.otp import TOTP_NAME

    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True)


def _create_agency(spec: AgencySpec, n: int, anchor: dt.date, password: str, flows: dict,
                   contexts: dict[str, _AgencyCtx]) -> _AgencyCtx:
    parent = contexts[spec.parent].agency if spec.parent else None
    agency = record_save(Agency(
        code=spec.code, name=spec.name, short_name=spec.short_name, parent=parent,
        uscc=make_uscc(f"11410300MB{n:07d}"), authority_basis=spec.authority_basis, jurisdiction=spec.jurisdiction,
        address=spec.address, phone=spec.phone, complaint_phone=spec.complaint_phone,
        reconsideration_body=f"{CITY}人民政府", litigation_court=f"{CITY}西工区人民法院", doc_prefix=spec.doc_prefix,
    ), actor=ACTOR)
    users: dict[str, User] = {}
    officers: list[Officer] = []
    valid_from = dt.date(anchor.year - 2, 1, 1)
    valid_to = dt.date(anchor.year + 2, 12, 31)
    for seq, staff in enumerate(spec.staff, start=1):
        user = None
        if staff.login:
            user = _create_user(f"{spec.prefix}_{staff.login}", staff.name, staff.role, agency, password)
            users[staff.login] = user
        certified = staff.certificate != "none"
        officer = Officer(
            agency=agency, name=staff.name, staff_type=staff.staff_type, user=user,
            certificate_no=f"豫41030{n}{seq:04d}" if certified else None,
            enforcement_kinds=list(spec.kinds) if certified else [],
            enforcement_area=spec.jurisdiction,
            valid_from=valid_from if certified else None,
            valid_to=(anchor - dt.timedelta(days=45) if staff.certificate == "expired" else valid_to)
            if certified else None,
            status="suspended" if staff.certificate == "suspended" else "active",
            id_number=make_citizen_id(f"410305{staff.birth}{n}{seq:02d}"),
            phone=f"1373790{n}{seq:03d}",
            is_legal_reviewer=staff.reviewer,
            legal_qualification_no=f"A2016410300{n}{seq:03d}" if staff.reviewer else "",
        )
        record_save(officer, actor=ACTOR)
        if staff.certificate == "valid" and staff.role == Role.OFFICER:
            officers.append(officer)
    for item in spec.items:
        _create_item(agency, item, flows, anchor)
    if parent is None:
        citizen_limit, org_limit = spec.thresholds
        entries = [
            CatalogueEntry(agency=agency, criterion="fine_at_least", party_scope="citizen", threshold=citizen_limit,
                           description=f"对公民处以{citizen_limit:,}元以上罚款"),
            CatalogueEntry(agency=agency, criterion="fine_at_least", party_scope="organisation", threshold=org_limit,
                           description=f"对法人或者其他组织处以{org_limit:,}元以上罚款"),
            CatalogueEntry(agency=agency, criterion="licence_revocation", description="吊销许可证件、降低资质等级"),
            CatalogueEntry(agency=agency, criterion="suspension_closure", description="责令停产停业、责令关闭、限制从业"),
            CatalogueEntry(agency=agency, criterion="hearing_held", description="经过听证程序作出的行政处罚决定"),
            CatalogueEntry(agency=agency, criterion="complex", description="案件情况疑难复杂、涉及多个法律关系",
                           requires_collective_discussion=True),
            CatalogueEntry(agency=agency, criterion="major_public_interest",
                           description="涉及重大公共利益，可能造成重大社会影响或者引发社会风险"),
        ]
        for entry in entries:
            entry.basis = f"{LAW['cf']}第五十八条；{CITY}重大执法决定法制审核目录清单"
            record_save(entry, actor=ACTOR)
        from sanxiang.registry.services import av_list_install

        av_list_install(agency=agency, actor=ACTOR)  # 音像记录事项清单 (the brigade inherits it)
        if spec.prefix == "yj":
            _own_checklist(agency)
    return _AgencyCtx(agency=agency, users=users, officers=officers)


def _own_checklist(agency: Agency) -> None:
    """One agency keeps its own 法制审核内容 (the defaults plus an item of its field); the others
    review against the defaults. Both are published on the portal."""
    from sanxiang.reviews.models import ChecklistItem
    from sanxiang.reviews.services import checklist_install_defaults

    checklist_install_defaults(agency=agency, actor=ACTOR)
    record_save(ChecklistItem(agency=agency, key="safety_standard", label="适用安全生产国家标准、行业标准准确",
                              standard="引用的标准现行有效，与违法事实对应", order=65), actor=ACTOR, agency=agency)


def _create_item(agency: Agency, spec: ItemSpec, flows: dict, anchor: dt.date) -> EnforcementItem:
    """The item, its checked citations (the range on the last 处罚依据) and, for a penalty item,
    the agency's standard 裁量基准 in force for the whole demo history."""
    from sanxiang.guidance.services import benchmark_publish, standard_circumstances, standard_tiers
    from sanxiang.registry.services import citations_from_text, item_citations_set

    item = record_save(EnforcementItem(agency=agency, code=spec.code, name=spec.name, kind=spec.kind,
                                       flow=flows[spec.kind], description=spec.description), actor=ACTOR)
    citations = [c for text in spec.basis for c in citations_from_text(text, "violation")]
    penalty = [c for text in spec.penalty for c in citations_from_text(text, "penalty")]
    if penalty and (spec.kinds or spec.fine):
        penalty[-1].update({"penalty_kinds": list(spec.kinds), **spec.fine})
    item_citations_set(item=item, citations=[*citations, *penalty], actor=ACTOR)
    if spec.kind == "penalty" and spec.fine:
        benchmark_publish(item=item, effective_from=dt.date(anchor.year - 1, 1, 1),
                          title=f"{agency.name}行政处罚裁量基准", document_no=f"{agency.doc_prefix}裁〔{anchor.year - 1}〕1号",
                          tiers=standard_tiers(item), circumstances=standard_circumstances(), actor=ACTOR)
    return item


def _circumstances(case: Case, fine, base) -> list[str]:
    """The circumstance the demo officer records so the proposed fine lies in the tier it selects
    (none for 一般; 主动消除危害后果 for 从轻; 拒不改正 for 从重)."""
    from decimal import Decimal

    from sanxiang.guidance.discretion import suggest

    if fine is None:
        return []
    for codes in ([], ["eliminated_harm"], ["refused_correction"]):
        suggestion = suggest(item=case.item, citizen=case.party.is_citizen, codes=codes,
                             base=None if base is None else Decimal(base), on=case.opened_on)
        if suggestion is None or suggestion.contains(["fine"], Decimal(fine)):
            return codes
    return []


def _create_case(ctx: _AgencyCtx, spec: CaseSpec, anchor: dt.date) -> Case:
    item = EnforcementItem.objects.get(agency=ctx.agency, code=spec.item)
    opened_on = anchor - dt.timedelta(days=spec.opened)
    lead, second = (ctx.officers[i] for i in spec.officers)
    seen = opened_on - dt.timedelta(days=1)
    facts = spec.facts.format(day=f"{seen.year}年{seen.month}月{seen.day}日", name=spec.party["name"])
    case = case_open(actor=lead.user, item=item, parties=[spec.party, *spec.co_parties], officers=[lead, second],
                     title=spec.title, source=spec.source, procedure=spec.procedure, opened_on=opened_on)
    if spec.procedure == "simple":
        return _simple(case, lead.user, spec, facts, opened_on, anchor)
    host = next(o for o in ctx.officers if o not in (lead, second))
    cast = Cast(officer=lead.user, unit_head=ctx.users["head"], reviewer=ctx.users["reviewer"],
                head=ctx.users["director"], hearing_host_officer_id=host.pk)
    if spec.until == "not_filed":
        case_transition(case=case, action="reject_filing", actor=cast.unit_head, data={
            "filing_opinion": spec.review_note or "经初步核查，不存在违法事实，不予立案。"})
        return case
    start = anchor - dt.timedelta(days=spec.notice) if spec.notice is not None else None
    fine = spec.fine if "fine" in spec.kinds else None
    until = "legal_review" if spec.until == "transferred" else spec.until
    investigation = {"circumstances": _circumstances(case, fine, spec.gains),
                     "illegal_gains": "" if spec.gains is None else str(spec.gains)}
    case = walk(case, cast, until=until, kinds=spec.kinds, fine=fine, facts=facts, hearing=spec.hearing,
                flagged_complex=spec.complex, start=start, investigation=investigation,
                party_fines=spec.party_fines or None)
    if spec.until == "transferred":
        case_transition(case=case, action="submit_review", actor=cast.reviewer, data={
            "checklist": {**checklist_all(case), "crime": False}, "opinion": "transfer",
            "opinion_text": spec.review_note or "涉嫌犯罪，建议移送司法机关。"})
        # The opinion only advises: the agency head approves the transfer (移送书 issued then).
        case_transition(case=case, action="approve_transfer", actor=cast.head, data={
            "judicial_organ": f"{CITY}公安局", "transfer_reasons": spec.review_note or "涉嫌犯罪，依法需要追究刑事责任。",
            "procuratorate": f"{CITY}人民检察院", "transferred_on": anchor.isoformat()})
        case.refresh_from_db()
    if case.state != spec.until:
        raise RuntimeError(f"演示案件“{spec.title}”停在“{case.state}”，预期为“{spec.until}”")
    return case


def _simple(case: Case, actor: User, spec: CaseSpec, facts: str, decided_on: dt.date, anchor: dt.date) -> Case:
    from sanxiang.cases.walkthrough import attach_required_av

    basis = cite_text(case.item.penalty_basis)
    attach_required_av(case, Cast(officer=actor, unit_head=None, reviewer=None, head=None), {})
    case_transition(case=case, action="decide_on_spot", actor=actor, data={
        "facts": facts, "decided_on": decided_on.isoformat(), "penalty_kinds": list(spec.kinds),
        "fine_amount": "" if spec.fine is None else str(spec.fine),
        "reasons": f"违法事实确凿，依据{basis}及《中华人民共和国行政处罚法》第五十一条，当场作出行政处罚决定。",
        "statement": "当事人对违法事实无异议，未提出陈述申辩。",
    })
    from sanxiang.cases.engine import flow_spec
    from sanxiang.documents.services import document_issue

    # The 当场处罚决定书 is handed over on the spot (第五十二条): issued with the decision.
    document_issue(case=case, kind=flow_spec(case.flow).decision_document, actor=actor,
                   extra={"place": "违法行为发生地"})
    if spec.until == "archived":
        paid = "当事人当场缴纳罚款，执法人员出具财政部门统一制发的专用票据（《行政处罚法》第六十八条）。" if spec.fine else \
            "当场交付处罚决定书，当事人已签收。"
        case_transition(case=case, action="file_with_agency", actor=actor, data={
            "filed_on": min(decided_on + dt.timedelta(days=2), anchor).isoformat(), "execution_note": paid})
    case.refresh_from_db()
    return case


def _publish(ctx: _AgencyCtx, case: Case, spec: CaseSpec) -> int:
    """Release the decision to the portal (公示审核 by the legal reviewer), when the spec says so."""
    if not spec.publish:
        return 0
    count = 0
    for publication in Publication.objects.filter(case=case, status=PublicationStatus.PENDING):
        publication_publish(publication=publication, actor=ctx.users["reviewer"])
        count += 1
    return count


def logins() -> list[Login]:
    """The accounts in the order the demo created them (all demo accounts share DEMO_PASSWORD)."""
    return [Login(u.username, u.display_name, u.get_role_display(), u.agency.name if u.agency else "—（全市）")
            for u in User.objects.select_related("agency").order_by("pk")]


def summary() -> dict[str, int]:
    """Counts shown by the command and compared by the tests."""
    from sanxiang.guidance.models import Law

    return {
        "agencies": Agency.objects.count(), "officers": Officer.objects.count(), "users": User.objects.count(),
        "items": EnforcementItem.objects.count(), "cases": Case.objects.count(),
        "published": Publication.objects.filter(status=PublicationStatus.PUBLISHED).count(),
        "laws": Law.objects.count(),
    }


__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "GENERAL_STATES", "MARKER_CODE", "anchor_date", "default_laws_dir", "demo_present",
           "load", "logins", "other_data_present", "summary"]
