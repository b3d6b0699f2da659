"""Legal review's guards, route conditions and effects, registered with the flow engine.

The reviewer advises; the agency head decides (行政处罚法第五十七条、第五十八条). A review opinion
only routes the case: 同意 to the decision, 建议纠正 to the handling unit (which accepts it or goes
into coordination), 退回补充调查 to the investigation, 建议移送司法机关 and 建议不予处罚/撤销案件 to
the agency head, who decides with reasons. Disagreement left unresolved, and cases the catalogue
marks major, go to the head's collective discussion before any decision.
"""

from __future__ import annotations

from sanxiang.cases.engine import Context, checklist, choice_list, condition, effect, guard
from sanxiang.common.exceptions import DeadlineError, DomainError, ReviewRequired, ValidationFailed
from sanxiang.reviews.models import (
    CoordinationOutcome,
    DiscussionConclusion,
    Opinion,
    ReviewerStance,
)
from sanxiang.reviews.selectors import (
    checklist_in_force,
    collective_discussion_reasons,
    discussion_in_force,
    latest_review,
    matched_entries,
    open_coordination,
    review_matches,
    unresolved_coordination,
)

ART_58_2 = "行政处罚法第五十八条第二款"
ART_57_2 = "行政处罚法第五十七条第二款"
REVIEW_PERIOD_RULE = "实施方案：法制审核期限5个工作日，经机关负责人批准可延长5个工作日"
COORDINATION_RULE = "实施方案：法制审核意见与承办机构意见不一致的协调机制"


@guard("reviewer_independent", label="法制审核人员不得为本案承办人员")
def reviewer_independent(ctx: Context) -> None:
    officer = getattr(ctx.actor, "officer", None)
    if officer is not None and ctx.case.officers.filter(pk=officer.pk).exists():
        raise DomainError("本案承办人员不得担任本案法制审核人员", code="reviewer_is_investigator", field="reviewer")


@guard("reviewer_qualified", label="法制审核人员须取得法律职业资格（登记证书编号）", rule=ART_58_2)
def reviewer_qualified(ctx: Context) -> None:
    """行政机关中初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格."""
    from sanxiang.registry.models import legal_qualification_problem

    officer = getattr(ctx.actor, "officer", None)
    lead = "初次从事法制审核的人员应当通过国家统一法律职业资格考试取得法律职业资格（《行政处罚法》第五十八条第二款）"
    if officer is None or not officer.is_legal_reviewer:
        raise DomainError(f"{lead}：审核人未登记为本机关法制审核人员", code="reviewer_not_registered",
                          field="reviewer", rule=ART_58_2)
    if not officer.legal_qualification_no:
        raise DomainError(f"{lead}：{officer.name}未登记法律职业资格证书编号", code="reviewer_not_qualified",
                          field="reviewer", rule=ART_58_2)
    problem = legal_qualification_problem(officer.legal_qualification_no)
    if problem:
        raise DomainError(f"{lead}：{officer.name}登记的{problem}", code="reviewer_not_qualified",
                          field="reviewer", rule=ART_58_2)


@guard("checklist_supports_opinion", label="逐项审核，未通过的不得出具同意意见", rule="行政处罚法第五十八条")
def checklist_supports_opinion(ctx: Context) -> None:
    items, _ = checklist_in_force(ctx.case.agency)
    failed = [label for key, label, _ in items if not ctx.values["checklist"].get(key)]
    if ctx.values.get("opinion") == Opinion.AGREE and failed:
        raise ValidationFailed(f"审核内容“{'、'.join(failed)}”未通过，不能出具“同意”意见（《行政处罚法》第五十八条）",
                               field="checklist", code="checklist_failed", rule="行政处罚法第五十八条")


def _decided_by_discussion(case) -> bool:
    """Coordination over the review failed and the head's collective discussion, held after the
    latest review, decided to penalise: the disagreement is settled by the body the law names."""
    discussion = discussion_in_force(case)
    return (unresolved_coordination(case) is not None and discussion is not None
            and discussion.conclusion == DiscussionConclusion.PENALISE)


@guard("review_passed", label="属于审核目录的，须经法制审核且审核通过", rule="行政处罚法第五十八条")
def review_passed(ctx: Context) -> None:
    """未经法制审核或者审核未通过的，不得作出决定（行政处罚法第五十八条）."""
    matched = review_matches(ctx.case)
    if not matched:
        return
    review = latest_review(ctx.case)
    if review is not None and (review.passed or _decided_by_discussion(ctx.case)):
        return
    raise ReviewRequired(
        f"本案属于重大执法决定法制审核目录（{'；'.join(matched)}），未经法制审核或者审核未通过的，"
        "不得作出决定（《行政处罚法》第五十八条）", rule="行政处罚法第五十八条")


@guard("collective_discussion_held", label="情节复杂或重大违法行为、审核意见协调未果的，须经机关负责人集体讨论决定",
       rule=ART_57_2)
def collective_discussion_held(ctx: Context) -> None:
    reasons = collective_discussion_reasons(ctx.case)
    if not reasons:
        return
    discussion = discussion_in_force(ctx.case)
    if discussion is None or discussion.conclusion != DiscussionConclusion.PENALISE:
        raise DomainError(
            f"本案{'；'.join(reasons)}，对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定"
            "（《行政处罚法》第五十七条第二款），尚无作出处罚决定的集体讨论", code="collective_discussion_required",
            rule=ART_57_2)
    if not ctx.case.documents.filter(kind="collective_discussion").exists():
        raise DomainError("集体讨论笔录尚未归入案卷（《行政处罚法》第五十七条第二款）",
                          code="collective_discussion_record_missing", rule=ART_57_2)


@guard("review_extension_allowed", label="审核期限经机关负责人批准可延长一次", rule=REVIEW_PERIOD_RULE)
def review_extension_allowed(ctx: Context) -> None:
    case = ctx.case
    if case.review_extensions.filter(approved_at__gte=case.step_entered_at).exists():
        raise DomainError("本次法制审核期限已延长过一次，不得再次延长（法制审核期限5个工作日，经批准可延长5个工作日）",
                          code="review_extended_already", field="extension_reason", rule=REVIEW_PERIOD_RULE)
    if case.step_due is None:
        raise DeadlineError(f"法制审核期限无法计算（{case.step_due_note or '未设置期限'}），不能延长",
                            code="review_due_unknown", field="extension_reason", rule=REVIEW_PERIOD_RULE)
    if ctx.today > case.step_due:
        raise DomainError(f"法制审核期限已于{case.step_due}届满，延长须在期限届满前批准", code="review_overdue",
                          field="extension_reason", rule=REVIEW_PERIOD_RULE)


@guard("coordination_positions_recorded", label="协调须记录法制审核机构和承办机构双方意见", rule=COORDINATION_RULE)
def coordination_positions_recorded(ctx: Context) -> None:
    coordination = open_coordination(ctx.case)
    if coordination is None or coordination.reviewer_stance != ReviewerStance.MAINTAIN:
        raise DomainError("法制审核机构尚未陈述协调意见，不能登记协调结果（法制审核意见与承办机构意见不一致的协调机制）",
                          code="coordination_position_missing", field="coordination_outcome", rule=COORDINATION_RULE)


@guard("discussion_participants_valid", label="集体讨论由机关负责人主持，参加人员不少于法定人数", rule=ART_57_2)
def discussion_participants_valid(ctx: Context) -> None:
    from sanxiang.registry.choices import StaffType
    from sanxiang.registry.models import Officer
    from sanxiang.registry.params import param_int

    ids = ctx.values.get("participants") or []
    minimum = param_int("collective_discussion_min", ctx.case.agency)
    staff = Officer.objects.filter(pk__in=ids, agency_id__in=ctx.case.agency.descendant_ids()).exclude(
        staff_type=StaffType.AUXILIARY)
    if staff.count() != len(ids):
        raise ValidationFailed("集体讨论参加人员须为本机关在编工作人员（协管人员不得参加）", field="participants",
                               code="participant_invalid", rule=ART_57_2)
    # The presiding agency head counts once, whether or not he also ticked himself.
    presider = getattr(ctx.actor, "officer", None)
    count = len(set(ids)) + (0 if presider is not None and presider.pk in ids else 1)
    if count < minimum:
        raise ValidationFailed(
            f"集体讨论参加人员（含主持的机关负责人）不得少于{minimum}人（《行政处罚法》第五十七条第二款），当前为{count}人",
            field="participants", code="too_few_participants", rule=ART_57_2)


@effect("record_review", label="记录法制审核意见")
def record_review(ctx: Context) -> None:
    from sanxiang.reviews.services import review_record

    ctx.created.append(review_record(case=ctx.case, reviewer=ctx.actor, values=ctx.values, today=ctx.today))


@effect("extend_review_period", label="经机关负责人批准延长审核期限", rule=REVIEW_PERIOD_RULE)
def extend_review_period(ctx: Context) -> None:
    from sanxiang.reviews.services import review_extend

    ctx.created.append(review_extend(case=ctx.case, actor=ctx.actor, reason=ctx.values["extension_reason"]))


@effect("open_coordination", label="承办机构不采纳纠正意见的，启动协调")
def open_coordination_effect(ctx: Context) -> None:
    from sanxiang.reviews.services import coordination_open

    ctx.created.append(coordination_open(case=ctx.case, actor=ctx.actor, reasons=ctx.values["unit_reasons"]))


@effect("record_reviewer_position", label="记录法制审核机构协调意见")
def record_reviewer_position(ctx: Context) -> None:
    from sanxiang.reviews.services import coordination_reviewer_position

    ctx.created.append(coordination_reviewer_position(
        case=ctx.case, actor=ctx.actor, position=ctx.values["reviewer_position"], stance=ctx.values["reviewer_stance"]))


@effect("conclude_coordination", label="记录协调结果")
def conclude_coordination(ctx: Context) -> None:
    from sanxiang.reviews.services import coordination_conclude

    ctx.created.append(coordination_conclude(case=ctx.case, actor=ctx.actor, position=ctx.values["unit_position"],
                                             outcome=ctx.values["coordination_outcome"]))


@effect("record_collective_discussion", label="记录集体讨论并制作集体讨论笔录", rule=ART_57_2)
def record_collective_discussion(ctx: Context) -> None:
    from sanxiang.reviews.services import discussion_record

    ctx.created.extend(discussion_record(case=ctx.case, actor=ctx.actor, values=ctx.values))


@effect("issue_transfer_notice", label="制作涉嫌犯罪案件移送书",
        rule="行政处罚法第二十七条；《行政执法机关移送涉嫌犯罪案件的规定》第六条")
def issue_transfer_notice(ctx: Context) -> None:
    from sanxiang.documents.services import document_issue

    extra = {k: ctx.values.get(k) for k in ("judicial_organ", "transfer_reasons", "procuratorate")}
    ctx.created.append(document_issue(case=ctx.case, kind="crime_transfer", actor=ctx.actor, extra=extra))


@checklist("review_checklist")
def review_checklist(agency=None) -> list[tuple[str, str]]:
    """行政处罚法第五十八条 review items in force for the agency (its own list, its parent's, or the defaults)."""
    items, _ = checklist_in_force(agency)
    return [(key, label) for key, label, _ in items]


def _value_is(name: str, value: str):
    return lambda ctx: ctx.values.get(name) == value


choice_list("review_opinion", Opinion)
choice_list("reviewer_stance", ReviewerStance)
choice_list("coordination_outcome", CoordinationOutcome)
choice_list("discussion_conclusion", DiscussionConclusion)
condition("review_required", label="属于重大执法决定法制审核目录的")(lambda ctx: bool(review_matches(ctx.case)))
condition("collective_discussion_required", label="属于法制审核目录中须集体讨论情形的")(
    lambda ctx: any(e.requires_collective_discussion for e in matched_entries(ctx.case)))
condition("opinion_agree", label="审核意见为同意的")(_value_is("opinion", Opinion.AGREE))
condition("opinion_correct", label="审核意见为建议纠正的")(_value_is("opinion", Opinion.CORRECT))
condition("opinion_return", label="审核意见为退回补充调查的")(_value_is("opinion", Opinion.RETURN))
condition("opinion_transfer", label="审核意见为建议移送司法机关的")(_value_is("opinion", Opinion.TRANSFER))
condition("opinion_dismiss", label="审核意见为建议不予处罚/撤销案件的")(_value_is("opinion", Opinion.DISMISS))
condition("reviewer_revises", label="法制审核机构改变审核意见的")(_value_is("reviewer_stance", ReviewerStance.REVISE))
condition("coordination_accepted", label="承办机构采纳审核意见的")(
    _value_is("coordination_outcome", CoordinationOutcome.ACCEPTED))
condition("conclusion_penalise", label="集体讨论决定给予行政处罚的")(
    _value_is("conclusion", DiscussionConclusion.PENALISE))
condition("conclusion_no_penalty", label="集体讨论决定不予行政处罚的")(
    _value_is("conclusion", DiscussionConclusion.NO_PENALTY))
condition("conclusion_transfer", label="集体讨论决定移送司法机关的")(_value_is("conclusion", DiscussionConclusion.TRANSFER))
condition("conclusion_correct", label="集体讨论决定按审核意见纠正的")(_value_is("conclusion", DiscussionConclusion.CORRECT))
condition("conclusion_investigate", label="集体讨论决定补充调查的")(
    _value_is("conclusion", DiscussionConclusion.INVESTIGATE))
