"""The guards, route conditions and effects of the case flows, registered with the engine.

Each guard enforces one rule of law and refuses with a domain error whose Chinese message
names the rule. Figures come from registry.Parameter, never from constants here. Imported by
CasesConfig.ready(); other apps register theirs the same way.
"""

from __future__ import annotations

import datetime as dt

from sanxiang.cases.choices import PenaltyKind, ServiceMethod
from sanxiang.cases.engine import Context, choice_list, condition, effect, guard
from sanxiang.cases.facts import hearing_right, party_penalties
from sanxiang.common.exceptions import DomainError, OfficerNotQualified, ValidationFailed
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
    from sanxiang.cases.services import validate_party_fields

    parties = ctx.case.parties_in_order()
    if not parties:
        raise ValidationFailed("案件须列明当事人（《行政处罚法》第五十九条）", field="party", code="party_missing",
                               rule="行政处罚法第五十九条")
    for party in parties:
        validate_party_fields({f: getattr(party, f) for f in ("kind", "name", "id_number", "uscc")})


@guard("fine_matches_kinds", label="罚款金额与处罚种类一致（每名当事人）")
def fine_matches_kinds(ctx: Context) -> None:
    several = len(ctx.case.parties_in_order()) > 1
    for p in party_penalties(ctx.case):
        who = f"对{p.party.name}" if several else ""
        if PenaltyKind.FINE in p.kinds and not p.fine:
            raise ValidationFailed(f"{who}处罚种类包含罚款时须填写罚款金额",
                                   field="party_penalties" if several else "fine_amount", code="fine_required")
        if PenaltyKind.FINE not in p.kinds and p.fine:
            raise ValidationFailed(f"{who}填写了罚款金额，但处罚种类未选择“罚款”",
                                   field="party_penalties" if several else "penalty_kinds", code="fine_without_kind")


@guard("hearing_right_if_requested", label="申请听证的，须属于听证范围", rule="行政处罚法第六十三条")
def hearing_right_if_requested(ctx: Context) -> None:
    if ctx.case.hearing_requested and not hearing_right(ctx.case):
        raise ValidationFailed("拟作出的处罚不属于听证范围（《行政处罚法》第六十三条），无需组织听证",
                               field="hearing_requested", code="no_hearing_right", rule="行政处罚法第六十三条")


@guard("hearing_host_independent", label="听证由非本案调查人员主持", rule="行政处罚法第六十四条")
def hearing_host_independent(ctx: Context) -> None:
    host_id = ctx.values.get("hearing_host")
    if ctx.case.officers.filter(pk=host_id).exists():
        raise ValidationFailed("听证由非本案调查人员主持（《行政处罚法》第六十四条），主持人不得为本案承办人员",
                               field="hearing_host", code="host_is_investigator", rule="行政处罚法第六十四条")
    from sanxiang.registry.models import Officer

    if not Officer.objects.filter(pk=host_id, agency_id__in=ctx.case.agency.descendant_ids()).exists():
        raise ValidationFailed("听证主持人须为本机关工作人员", field="hearing_host", code="host_unknown")


@guard("hearing_notified_in_time", label="在举行听证的法定期限前通知当事人", rule="行政处罚法第六十四条")
def hearing_notified_in_time(ctx: Context) -> None:
    notified, held = ctx.values["hearing_notified_on"], ctx.values["hearing_held_on"]
    days = param_int("hearing_notice_days", ctx.case.agency)
    if (held - notified).days < days:
        raise ValidationFailed(f"应当在举行听证的{days}日前通知当事人（《行政处罚法》第六十四条）",
                               field="hearing_held_on", code="hearing_notice_too_late", rule="行政处罚法第六十四条")


@guard("hearing_period_elapsed", label="享有听证权利的，听证申请期届满方可决定", rule="行政处罚法第六十四条")
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


@effect("make_decision", label="制作处罚决定并编号")
def make_decision(ctx: Context) -> None:
    from sanxiang.cases.services import decision_make

    decision, rows = decision_make(case=ctx.case, actor=ctx.actor, values=ctx.values)
    ctx.created.extend([decision, *rows])


@effect("close_case", label="登记结案日期")
def close_case(ctx: Context) -> None:
    ctx.case.closed_on = ctx.today


condition("hearing_requested", label="当事人申请听证的")(lambda ctx: bool(ctx.case.hearing_requested))
choice_list("penalty_kind", PenaltyKind)
choice_list("service_method", ServiceMethod)
