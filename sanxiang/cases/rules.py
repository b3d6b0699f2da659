"""The named guards, route conditions and effects that flows may use.

Each guard enforces one rule of law and refuses with a domain error whose Chinese message
names the rule. Figures come from registry.Parameter, never from constants here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sanxiang.cases.choices import HEARING_KINDS, PartyKind, PenaltyKind, ServiceMethod
from sanxiang.common.exceptions import (
    DomainError,
    EvidenceMissing,
    OfficerNotQualified,
    ReviewRequired,
    ValidationFailed,
)
from sanxiang.registry.params import param, param_int
from sanxiang.reviews.models import CHECKLIST, Opinion

REVIEW_CHECKLIST = CHECKLIST

CHOICE_LISTS = {
    "penalty_kind": PenaltyKind,
    "service_method": ServiceMethod,
    "review_opinion": Opinion,
}


@dataclass
class Context:
    """What a guard, condition or effect sees of one transition."""

    case: object
    action: object
    values: dict
    actor: object
    today: dt.date
    created: list = field(default_factory=list)
    content: dict = field(default_factory=dict)
    files: list = field(default_factory=list)


# --- facts about a case ------------------------------------------------------------------------


def party_is_citizen(case) -> bool:
    return case.party.kind == PartyKind.CITIZEN


def effective_kinds(case) -> list[str]:
    return list(case.penalty_kinds or case.proposed_penalty_kinds or [])


def effective_fine(case) -> Decimal | None:
    return case.fine_amount if case.fine_amount is not None else case.proposed_fine


def hearing_right(case) -> bool:
    """行政处罚法第六十三条: 较大数额罚款, licence downgrade/revocation, suspension, closure…"""
    if set(effective_kinds(case)) & {k.value for k in HEARING_KINDS}:
        return True
    fine = effective_fine(case)
    if fine is None:
        return False
    key = "hearing_fine_citizen" if party_is_citizen(case) else "hearing_fine_org"
    return fine >= param(key, case.agency)


def review_matches(case) -> list[str]:
    """The catalogue entries of the case's agency (or its parents) that the case falls under."""
    from sanxiang.reviews.models import CatalogueEntry, Criterion, PartyScope

    agency_ids, current = [], case.agency
    while current is not None:
        agency_ids.append(current.pk)
        current = current.parent
    kinds = set(effective_kinds(case))
    fine = effective_fine(case)
    citizen = party_is_citizen(case)
    matched = []
    for entry in CatalogueEntry.objects.filter(agency_id__in=agency_ids):
        if entry.party_scope == PartyScope.CITIZEN and not citizen:
            continue
        if entry.party_scope == PartyScope.ORGANISATION and citizen:
            continue
        hit = {
            Criterion.FINE_AT_LEAST: fine is not None and entry.threshold is not None and fine >= entry.threshold,
            Criterion.LICENCE_REVOCATION: bool(kinds & {PenaltyKind.REVOKE_LICENCE, PenaltyKind.DOWNGRADE}),
            Criterion.SUSPENSION_CLOSURE: bool(kinds & {PenaltyKind.SUSPEND_BUSINESS, PenaltyKind.CLOSE,
                                                        PenaltyKind.RESTRICT_PRACTICE,
                                                        PenaltyKind.RESTRICT_OPERATION}),
            Criterion.HEARING_HELD: case.hearing_held_on is not None,
            Criterion.COMPLEX: case.flagged_complex,
            Criterion.MAJOR_PUBLIC_INTEREST: case.flagged_major_public_interest,
            Criterion.ALL_GENERAL: case.flow.code == "penalty_general",
        }[entry.criterion]
        if hit:
            matched.append(str(entry))
    return matched


def latest_review(case):
    return case.reviews.order_by("-submitted_at", "-pk").first()


def av_requirements(case, step_code: str, values: dict) -> list:
    """The agency's 音像记录事项清单 entries (its own and its parents') that apply to this step."""
    from sanxiang.registry.models import AvRequirement

    agency_ids, current = [], case.agency
    while current is not None:
        agency_ids.append(current.pk)
        current = current.parent
    entries = AvRequirement.objects.filter(agency_id__in=agency_ids, flow_code=case.flow.code, step_code=step_code,
                                           is_active=True)
    return [e for e in entries if e.applies(values)]


def check_av_records(ctx: Context, step_code: str) -> None:
    """音像记录: a step on the agency's list cannot be completed without audio-video evidence
    attached at that step. Applies to every flow; the list is data, not part of the flow."""
    required = av_requirements(ctx.case, step_code, ctx.values)
    if not required:
        return
    has_av = ctx.case.evidence.filter(step=step_code, kind__in=["video", "audio"]).exists()
    if not has_av:
        names = "；".join(f"“{e.name}”（依据：{e.basis}）" for e in required)
        raise EvidenceMissing(
            f"本环节属于本机关音像记录事项清单中的{names}，须先上传本环节的音像记录（视频或录音）后才能办理",
            code="av_record_missing", field="evidence", rule="音像记录事项清单")


# --- guards ------------------------------------------------------------------------------------


def officers_qualified(ctx: Context) -> None:
    check_officers(ctx.case.agency, ctx.case.item.kind, list(ctx.case.officers.all()), ctx.today)


def check_officers(agency, kind: str, officers: list, on: dt.date) -> None:
    """At least N officers, each of the agency (or one below it), with a certificate valid on
    `on` that covers `kind` (行政处罚法第四十二条)."""
    minimum = param_int("min_officers", agency)
    if len(officers) < minimum:
        raise OfficerNotQualified(
            f"执法人员不得少于{minimum}人（《行政处罚法》第四十二条），当前为{len(officers)}人",
            code="too_few_officers", field="officers", rule="行政处罚法第四十二条")
    allowed = set(agency.descendant_ids())
    for officer in officers:
        if officer.agency_id not in allowed:
            raise OfficerNotQualified(f"{officer.name}不属于{agency.name}，不得办理本机关案件",
                                      code="officer_other_agency", field="officers", rule="行政处罚法第四十二条")
        problem = officer.certificate_problem(on, kind)
        if problem:
            raise OfficerNotQualified(f"{problem}，不得从事执法活动（《行政处罚法》第四十二条）",
                                      code="certificate_invalid", field="officers", rule="行政处罚法第四十二条")


def party_valid(ctx: Context) -> None:
    from sanxiang.cases.services import validate_party_fields

    party = ctx.case.party
    validate_party_fields({f: getattr(party, f) for f in ("kind", "name", "id_number", "uscc")})


def fine_matches_kinds(ctx: Context) -> None:
    case = ctx.case
    kinds = effective_kinds(case)
    fine = effective_fine(case)
    if PenaltyKind.FINE in kinds and not fine:
        raise ValidationFailed("处罚种类包含罚款时须填写罚款金额", field="fine_amount", code="fine_required")
    if PenaltyKind.FINE not in kinds and fine:
        raise ValidationFailed("填写了罚款金额，但处罚种类未选择“罚款”", field="penalty_kinds", code="fine_without_kind")


def hearing_right_if_requested(ctx: Context) -> None:
    if ctx.case.hearing_requested and not hearing_right(ctx.case):
        raise ValidationFailed("拟作出的处罚不属于听证范围（《行政处罚法》第六十三条），无需组织听证",
                               field="hearing_requested", code="no_hearing_right", rule="行政处罚法第六十三条")


def hearing_host_independent(ctx: Context) -> None:
    host_id = ctx.values.get("hearing_host")
    if ctx.case.officers.filter(pk=host_id).exists():
        raise ValidationFailed("听证由非本案调查人员主持（《行政处罚法》第六十四条），主持人不得为本案承办人员",
                               field="hearing_host", code="host_is_investigator", rule="行政处罚法第六十四条")
    from sanxiang.registry.models import Officer

    if not Officer.objects.filter(pk=host_id, agency_id__in=ctx.case.agency.descendant_ids()).exists():
        raise ValidationFailed("听证主持人须为本机关工作人员", field="hearing_host", code="host_unknown")


def hearing_notified_in_time(ctx: Context) -> None:
    notified, held = ctx.values["hearing_notified_on"], ctx.values["hearing_held_on"]
    days = param_int("hearing_notice_days", ctx.case.agency)
    if (held - notified).days < days:
        raise ValidationFailed(f"应当在举行听证的{days}日前通知当事人（《行政处罚法》第六十四条）",
                               field="hearing_held_on", code="hearing_notice_too_late", rule="行政处罚法第六十四条")


def reviewer_independent(ctx: Context) -> None:
    officer = getattr(ctx.actor, "officer", None)
    if officer is not None and ctx.case.officers.filter(pk=officer.pk).exists():
        raise DomainError("本案承办人员不得担任本案法制审核人员", code="reviewer_is_investigator")
    if officer is None or not officer.is_legal_reviewer:
        raise DomainError("审核人未登记为法制审核人员（须具备法律职业资格）", code="reviewer_not_registered")


def checklist_supports_opinion(ctx: Context) -> None:
    failed = [label for key, label in REVIEW_CHECKLIST if not ctx.values["checklist"].get(key)]
    if ctx.values.get("opinion") == Opinion.AGREE and failed:
        raise ValidationFailed(f"审核内容“{'、'.join(failed)}”未通过，不能出具“同意”意见",
                               field="checklist", code="checklist_failed")


def review_passed(ctx: Context) -> None:
    """未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）."""
    matched = review_matches(ctx.case)
    if not matched:
        return
    review = latest_review(ctx.case)
    if review is None or not review.passed:
        raise ReviewRequired(
            f"本案属于重大执法决定法制审核目录（{'；'.join(matched)}），未经法制审核或者审核未通过的，"
            "不得作出决定（《行政处罚法》第五十八条）", rule="行政处罚法第五十八条")


def hearing_period_elapsed(ctx: Context) -> None:
    case = ctx.case
    decided_on = ctx.values.get("decided_on") or ctx.today
    if case.notice_served_on and hearing_right(case) and not case.hearing_requested:
        days = param_int("hearing_request_days", case.agency)
        if (decided_on - case.notice_served_on).days < days:
            raise DomainError(
                f"当事人享有听证权利，告知后{days}日内可申请听证（《行政处罚法》第六十四条），"
                f"最早可于{case.notice_served_on + dt.timedelta(days=days)}作出决定",
                code="hearing_period_running", rule="行政处罚法第六十四条")


def not_heavier_than_notified(ctx: Context) -> None:
    """不得因当事人陈述、申辩而给予更重的处罚（第四十五条）: not beyond what was notified."""
    case = ctx.case
    if case.proposed_fine is not None and case.fine_amount is not None and case.fine_amount > case.proposed_fine:
        raise ValidationFailed(
            f"决定罚款{case.fine_amount}元高于事先告知的{case.proposed_fine}元；加重处罚须重新告知"
            "（《行政处罚法》第四十四条、第四十五条）", field="fine_amount", code="heavier_than_notified")
    extra = set(case.penalty_kinds) - set(case.proposed_penalty_kinds)
    if extra:
        labels = "、".join(PenaltyKind(k).label for k in extra)
        raise ValidationFailed(f"决定增加了事先告知未载明的处罚种类：{labels}（《行政处罚法》第四十四条）",
                               field="penalty_kinds", code="heavier_than_notified")


def simple_procedure_limits(ctx: Context) -> None:
    case = ctx.case
    kinds = set(case.penalty_kinds)
    allowed = {PenaltyKind.WARNING.value, PenaltyKind.FINE.value}
    if not kinds <= allowed:
        raise ValidationFailed("简易程序只能当场作出警告或者罚款（《行政处罚法》第五十一条）",
                               field="penalty_kinds", code="simple_kind_not_allowed", rule="行政处罚法第五十一条")
    if case.fine_amount:
        citizen = party_is_citizen(case)
        limit = param("simple_fine_max_citizen" if citizen else "simple_fine_max_org", case.agency)
        if case.fine_amount > limit:
            who = "公民" if citizen else "法人或者其他组织"
            raise ValidationFailed(
                f"简易程序对{who}罚款不得超过{limit:,.0f}元（《行政处罚法》第五十一条），请适用一般程序",
                field="fine_amount", code="simple_fine_too_high", rule="行政处罚法第五十一条")


def electronic_service_consent(ctx: Context) -> None:
    if ctx.values.get("service_method") == ServiceMethod.ELECTRONIC and not ctx.values.get("electronic_consent"):
        raise ValidationFailed("电子送达须经当事人同意并签订确认书（《行政处罚法》第六十一条）",
                               field="electronic_consent", code="no_electronic_consent", rule="行政处罚法第六十一条")


def dossier_complete(ctx: Context) -> None:
    """立卷归档: every document and record the flow requires of the completed steps is there."""
    from sanxiang.dossier.checklist import missing

    gaps = missing(ctx.case, including=ctx.case.state)
    if gaps:
        listed = "；".join(f"{g.step_name}：{g.label}（{g.detail}）" for g in gaps)
        raise EvidenceMissing(f"案卷材料不齐全，不能归档。缺少：{listed}", code="dossier_incomplete",
                              field="dossier", rule="执法全过程记录·案卷完整性")


def not_in_future(ctx: Context) -> None:
    for spec in ctx.action.fields:
        value = ctx.values.get(spec.name)
        if spec.type == "date" and value and value > ctx.today:
            raise ValidationFailed(f"“{spec.label}”不能晚于今天", field=spec.name, code="date_in_future")


GUARDS = {
    "officers_qualified": officers_qualified,
    "party_valid": party_valid,
    "fine_matches_kinds": fine_matches_kinds,
    "hearing_right_if_requested": hearing_right_if_requested,
    "hearing_host_independent": hearing_host_independent,
    "hearing_notified_in_time": hearing_notified_in_time,
    "reviewer_independent": reviewer_independent,
    "review_passed": review_passed,
    "checklist_supports_opinion": checklist_supports_opinion,
    "hearing_period_elapsed": hearing_period_elapsed,
    "not_heavier_than_notified": not_heavier_than_notified,
    "simple_procedure_limits": simple_procedure_limits,
    "electronic_service_consent": electronic_service_consent,
    "not_in_future": not_in_future,
    "dossier_complete": dossier_complete,
}

CONDITIONS = {
    "hearing_requested": lambda ctx: bool(ctx.case.hearing_requested),
    "review_required": lambda ctx: bool(review_matches(ctx.case)),
    "opinion_agree": lambda ctx: ctx.values.get("opinion") == Opinion.AGREE,
    "opinion_correct": lambda ctx: ctx.values.get("opinion") == Opinion.CORRECT,
    "opinion_return": lambda ctx: ctx.values.get("opinion") == Opinion.RETURN,
    "opinion_transfer": lambda ctx: ctx.values.get("opinion") == Opinion.TRANSFER,
}


# --- effects -----------------------------------------------------------------------------------


def record_review(ctx: Context) -> None:
    from sanxiang.reviews.services import review_record

    ctx.created.append(review_record(case=ctx.case, reviewer=ctx.actor, values=ctx.values, today=ctx.today))


def make_decision(ctx: Context) -> None:
    from sanxiang.cases.services import decision_make

    ctx.created.append(decision_make(case=ctx.case, actor=ctx.actor, values=ctx.values))


def create_publication(ctx: Context) -> None:
    from sanxiang.disclosure.services import publication_create

    publication = publication_create(decision=ctx.case.decision)
    ctx.created.append(publication)


def close_case(ctx: Context) -> None:
    ctx.case.closed_on = ctx.today


EFFECTS = {
    "record_review": record_review,
    "make_decision": make_decision,
    "create_publication": create_publication,
    "close_case": close_case,
}

__all__ = ["GUARDS", "CONDITIONS", "EFFECTS", "CHOICE_LISTS", "Context", "EvidenceMissing"]
