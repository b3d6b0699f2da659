"""The guards, route conditions and effects of the case flows, registered with the engine.

Each guard enforces one rule of law and refuses with a domain error whose Chinese message
names the rule. Figures come from registry.Parameter, never from constants here. Imported by
CasesConfig.ready(); other apps register theirs the same way.
"""

from __future__ import annotations

import datetime as dt

from sanxiang.cases.choices import PenaltyKind, ServiceMethod
from sanxiang.cases.engine import Context, choice_list, condition, effect, guard, separation
from sanxiang.cases.facts import (
    hearing_right,
    party_penalties,
)
from sanxiang.common.exceptions import OfficerNotQualified, RoleNotAllowed, ValidationFailed
from sanxiang.registry.params import param, param_int


@guard("officers_qualified", label="执法人员不少于法定人数，均持有效执法证", rule="行政处罚法第四十二条")
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


@guard("party_valid", label="当事人身份信息完整有效")
def party_valid(ctx: Context) -> None:
    from sanxiang.cases.parties import validate_party_fields

    parties = ctx.case.parties_in_order()
    if not parties:
        raise ValidationFailed("案件须列明当事人（《行政处罚法》第五十九条）", field="party", code="party_missing",
                               rule="行政处罚法第五十九条")
    for party in parties:
        validate_party_fields({f: getattr(party, f) for f in ("kind", "name", "id_number", "uscc")})


@guard("fine_matches_kinds", label="罚款金额与处罚种类一致（每名当事人）")
def fine_matches_kinds(ctx: Context) -> None:
    case = ctx.case
    # At 调查取证 the officer fills the proposed fields; name those so the message sits beside them.
    proposing = "proposed_fine" in ctx.values
    fine_field, kinds_field = ("proposed_fine", "proposed_penalty_kinds") if proposing else ("fine_amount", "penalty_kinds")
    several = len(case.parties_in_order()) > 1
    for p in party_penalties(case, proposed=proposing):
        who = f"对{p.party.name}" if several else ""
        if PenaltyKind.FINE in p.kinds and not p.fine:
            raise ValidationFailed(f"{who}处罚种类包含罚款时须填写罚款金额（《行政处罚法》第五十九条第一款第（三）项）",
                                   field="party_penalties" if several and not proposing else fine_field,
                                   code="fine_required", rule="行政处罚法第五十九条")
        if PenaltyKind.FINE not in p.kinds and p.fine:
            raise ValidationFailed(f"{who}填写了罚款金额，但处罚种类未选择“罚款”",
                                   field="party_penalties" if several and not proposing else kinds_field,
                                   code="fine_without_kind")


@guard("hearing_right_if_requested", label="申请听证的，须属于听证范围", rule="行政处罚法第六十三条")
def hearing_right_if_requested(ctx: Context) -> None:
    if ctx.case.hearing_requested and not hearing_right(ctx.case):
        raise ValidationFailed("拟作出的处罚不属于听证范围（《行政处罚法》第六十三条），无需组织听证",
                               field="hearing_requested", code="no_hearing_right", rule="行政处罚法第六十三条")


@guard("waiver_attached", label="记录当事人放弃陈述申辩、听证权利的，须附当事人签名的放弃声明",
       rule="行政处罚法第四十四条、第四十五条")
def waiver_attached(ctx: Context) -> None:
    """A waiver only counts when the party's signed statement is in the file at this step."""
    if ctx.values.get("rights_waived") and not ctx.case.evidence.filter(step=ctx.case.state, kind="waiver").exists():
        raise ValidationFailed("记录当事人放弃陈述申辩、听证权利的，须先在本环节上传当事人签名的放弃声明"
                               "（证据类型“放弃陈述申辩、听证权利声明”；《行政处罚法》第四十四条、第四十五条）",
                               field="rights_waived", code="waiver_not_attached", rule="行政处罚法第四十四条、第四十五条")


@guard("not_heavier_than_notified", label="不得超出事先告知的处罚（每名当事人）", rule="行政处罚法第四十四条、第四十五条")
def not_heavier_than_notified(ctx: Context) -> None:
    """不得因当事人陈述、申辩而给予更重的处罚（第四十五条）: no party beyond what was notified.

    The 事先告知书 notifies the proposed penalty to each party, so each party's decided penalty
    is compared with it (never the case's total fine, which adds up several parties).
    """
    case = ctx.case
    proposed_kinds = set(case.proposed_penalty_kinds)
    several = len(case.parties_in_order()) > 1
    for p in party_penalties(case):
        who = f"对{p.party.name}" if several else ""
        if case.proposed_fine is not None and p.fine is not None and p.fine > case.proposed_fine:
            raise ValidationFailed(
                f"{who}决定罚款{p.fine}元高于事先告知的{case.proposed_fine}元；加重处罚须重新告知"
                "（《行政处罚法》第四十四条、第四十五条）", field="party_penalties" if several else "fine_amount",
                code="heavier_than_notified")
        extra = set(p.kinds) - proposed_kinds
        if extra:
            labels = "、".join(PenaltyKind(k).label for k in extra)
            raise ValidationFailed(f"{who}决定增加了事先告知未载明的处罚种类：{labels}（《行政处罚法》第四十四条）",
                                   field="party_penalties" if several else "penalty_kinds", code="heavier_than_notified")


@guard("simple_procedure_limits", label="简易程序仅限警告和法定限额内罚款（每名当事人）", rule="行政处罚法第五十一条")
def simple_procedure_limits(ctx: Context) -> None:
    """第五十一条 sets the limit per party (对公民二百元以下、对法人或者其他组织三千元以下): with
    several parties, each party's own fine must be within the limit for its type; their sum is
    not what the article measures."""
    case = ctx.case
    allowed = {PenaltyKind.WARNING.value, PenaltyKind.FINE.value}
    several = len(case.parties_in_order()) > 1
    for p in party_penalties(case):
        if not set(p.kinds) <= allowed:
            raise ValidationFailed("简易程序只能当场作出警告或者罚款（《行政处罚法》第五十一条）",
                                   field="penalty_kinds", code="simple_kind_not_allowed", rule="行政处罚法第五十一条")
        if p.fine:
            limit = param("simple_fine_max_citizen" if p.is_citizen else "simple_fine_max_org", case.agency)
            if p.fine > limit:
                who = "公民" if p.is_citizen else "法人或者其他组织"
                raise ValidationFailed(
                    f"简易程序对{who}（{p.party.name}）罚款不得超过{limit:,.0f}元（《行政处罚法》第五十一条，"
                    "限额按每名当事人计算），请适用一般程序",
                    field="party_penalties" if several else "fine_amount", code="simple_fine_too_high",
                    rule="行政处罚法第五十一条")


@guard("electronic_service_consent", label="电子送达须经当事人同意", rule="行政处罚法第六十一条")
def electronic_service_consent(ctx: Context) -> None:
    if ctx.values.get("service_method") == ServiceMethod.ELECTRONIC and not ctx.values.get("electronic_consent"):
        raise ValidationFailed("电子送达须经当事人同意并签订确认书（《行政处罚法》第六十一条）",
                               field="electronic_consent", code="no_electronic_consent", rule="行政处罚法第六十一条")


@guard("not_in_future", label="日期不得晚于办理当日")
def not_in_future(ctx: Context) -> None:
    for spec in ctx.action.fields:
        value = ctx.values.get(spec.name)
        if spec.type == "date" and value and value > ctx.today:
            raise ValidationFailed(f"“{spec.label}”不能晚于今天", field=spec.name, code="date_in_future")


# --- separation of duties (职能分离) -------------------------------------------------------------


def _on_case(ctx: Context) -> bool:
    officer = getattr(ctx.actor, "officer", None)
    return officer is not None and ctx.case.officers.filter(pk=officer.pk).exists()


@separation("approver_not_on_case", label="审批人不得为本案承办人员（办案与审批分离）",
            rule="行政处罚法第四十三条、第五十四条、第五十七条")
def approver_not_on_case(ctx: Context) -> None:
    if _on_case(ctx):
        raise RoleNotAllowed(
            f"您是本案承办人员，不得审批本案（“{ctx.action.name}”须由未参与办案的负责人审批；"
            "《行政处罚法》第四十三条、第五十四条、第五十七条）",
            code="approver_is_handler", field="actor", rule="行政处罚法第四十三条、第五十四条、第五十七条")


@separation("reviewer_not_investigator", label="法制审核人员不参与调查取证：不得办理调查、制作调查文书或上传证据",
            rule="行政处罚法第五十八条")
def reviewer_not_investigator(ctx: Context) -> None:
    from sanxiang.accounts.models import Role

    if ctx.actor.role == Role.LEGAL_REVIEWER:
        what = {"document": "制作调查取证文书", "evidence": "上传证据",
                "assignment": f"担任承办人员（{ctx.actor}）"}.get(ctx.doing, "办理调查取证")
        raise RoleNotAllowed(f"法制审核人员不得{what}：审核与调查相分离（《行政处罚法》第五十八条）",
                             code="reviewer_investigating", field="officers" if ctx.doing == "assignment" else "actor",
                             rule="行政处罚法第五十八条")


@separation("host_not_investigator", label="听证由非本案调查人员主持", rule="行政处罚法第六十四条")
def host_not_investigator(ctx: Context) -> None:
    # Runs before the fields are cleaned (separation comes first): a missing or malformed id is
    # left to the field's own check, which names it.
    try:
        host_id = int(ctx.values.get("hearing_host"))
    except (TypeError, ValueError):
        return
    if ctx.case.officers.filter(pk=host_id).exists():
        raise ValidationFailed("听证由非本案调查人员主持（《行政处罚法》第六十四条），主持人不得为本案承办人员",
                               field="hearing_host", code="host_is_investigator", rule="行政处罚法第六十四条")
    from sanxiang.registry.models import Officer

    if not Officer.objects.filter(pk=host_id, agency_id__in=ctx.case.agency.descendant_ids()).exists():
        raise ValidationFailed("听证主持人须为本机关工作人员", field="hearing_host", code="host_unknown")


@separation("decided_by_head", label="行政处罚决定由行政机关负责人作出，负责人不得为本案承办人员",
            rule="行政处罚法第五十七条")
def decided_by_head(ctx: Context) -> None:
    from sanxiang.accounts.models import Role

    if ctx.actor.role != Role.AGENCY_HEAD:
        raise RoleNotAllowed("行政处罚决定只能由行政机关负责人作出（《行政处罚法》第五十七条）",
                             code="decision_not_by_head", field="actor", rule="行政处罚法第五十七条")
    if _on_case(ctx):
        raise RoleNotAllowed("您是本案承办人员，不得对本案作出处罚决定（《行政处罚法》第五十七条）",
                             code="decider_is_handler", field="actor", rule="行政处罚法第五十七条")


@effect("serve_on_spot", label="当场交付处罚决定书，送达日期即决定日期", rule="行政处罚法第五十二条")
def serve_on_spot(ctx: Context) -> None:
    ctx.case.served_on = ctx.case.decided_on


@effect("close_case", label="登记结案日期")
def close_case(ctx: Context) -> None:
    ctx.case.closed_on = ctx.today


condition("hearing_requested", label="当事人申请听证的")(lambda ctx: bool(ctx.case.hearing_requested))
condition("has_hearing_right", label="当事人享有听证权利的")(lambda ctx: hearing_right(ctx.case))
condition("has_fine", label="处罚包含罚款的")(lambda ctx: bool(ctx.case.fine_amount))
condition("statement_received", label="当事人已提出陈述申辩意见的")(
    lambda ctx: bool(ctx.case.data.get("statement_received")))
condition("rights_waived", label="当事人签名放弃陈述申辩、听证权利且声明已附卷的")(
    lambda ctx: bool(ctx.case.data.get("rights_waived"))
    and ctx.case.evidence.filter(kind="waiver").exists())
choice_list("penalty_kind", PenaltyKind)
choice_list("service_method", ServiceMethod)
