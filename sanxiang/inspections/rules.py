"""The guards, conditions, effects and choice lists of the inspection flow (inspection_general),
registered with the engine from InspectionsConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.db import models

from sanxiang.cases.engine import Context, choice_list, choice_provider, condition, effect, guard
from sanxiang.common.exceptions import (
    EvidenceMissing,
    TransitionNotAllowed,
    ValidationFailed,
)

RULE_CERT = "行政处罚法第五十五条"
RULE_SIGN = "行政处罚法第五十五条；参照行政强制法第十八条第（七）项"
RULE_AVOID = "行政处罚法第四十三条"


class InspectionResult(models.TextChoices):
    PASS = "pass", "合格（未发现问题）"
    RECTIFY = "rectify", "发现问题，责令限期改正"
    VIOLATION = "violation", "发现违法行为，移送立案查处"


class Signature(models.TextChoices):
    SIGNED = "signed", "当事人已签名"
    REFUSED = "refused", "当事人拒绝签名（已注明）"
    ABSENT = "absent", "当事人不在场（已注明）"


class Rectified(models.TextChoices):
    YES = "yes", "已改正"
    NO = "no", "逾期未改正"


choice_list("inspection_result", InspectionResult)
choice_list("inspection_signature", Signature)
choice_list("inspection_rectified", Rectified)


@choice_provider("penalty_items")
def penalty_items(case=None):
    """The penalty items of the case's agency (a violation found is filed under one of them)."""
    from sanxiang.registry.models import EnforcementItem

    qs = EnforcementItem.objects.filter(kind="penalty", is_active=True)
    if case is not None:
        qs = qs.filter(agency=case.agency)
    return [(i.pk, f"{i.code} {i.name}") for i in qs.order_by("code")]


def _task_entity(case):
    task = getattr(case, "inspection_task", None)
    return task.entity if task is not None else None


@guard("inspection_no_conflict", label="执法检查人员与检查对象有利害关系的（回避申报）不得参加检查", rule=RULE_AVOID)
def inspection_no_conflict(ctx: Context) -> None:
    from sanxiang.inspections.services import check_avoidance

    entity = _task_entity(ctx.case)
    if entity is not None:
        check_avoidance(entity, list(ctx.case.officers.all()))


@guard("certificates_shown", label="检查时执法人员主动出示执法证件", rule=RULE_CERT)
def certificates_shown(ctx: Context) -> None:
    if not ctx.values.get("certificates_shown"):
        raise ValidationFailed("执法人员在进行检查时应当主动向当事人或者有关人员出示执法证件"
                               "（《行政处罚法》第五十五条），请确认已出示", field="certificates_shown",
                               code="certificate_not_shown", rule=RULE_CERT)


@guard("inspection_record_made", label="检查应当制作现场检查笔录", rule=RULE_CERT)
def inspection_record_made(ctx: Context) -> None:
    if not ctx.case.documents.filter(kind="inspection_record").exists():
        raise TransitionNotAllowed("检查应当制作笔录（《行政处罚法》第五十五条第二款）：请先制作“现场检查（勘验）笔录”",
                                   field="documents", code="inspection_record_missing", rule=RULE_CERT)


@guard("party_signature_noted", label="笔录由当事人签名；拒绝签名或不在场的，在笔录中注明", rule=RULE_SIGN)
def party_signature_noted(ctx: Context) -> None:
    if ctx.values.get("party_signature") in (Signature.REFUSED, Signature.ABSENT) \
            and not (ctx.values.get("refusal_note") or "").strip():
        raise ValidationFailed("当事人拒绝签名或不在场的，须注明情况（见证人、拒签经过），并有音像记录佐证"
                               "（参照《行政强制法》第十八条第（七）项）", field="refusal_note",
                               code="refusal_not_noted", rule=RULE_SIGN)


@guard("onsite_video_recorded", label="现场检查一律全程录像（音像记录事项清单）", rule="音像记录事项清单")
def onsite_video_recorded(ctx: Context) -> None:
    if not ctx.case.evidence.filter(step=ctx.case.state, kind="video").exists():
        raise EvidenceMissing("现场检查须全程录像：请先上传本环节的执法记录仪视频（音像记录事项清单“现场检查”）",
                              field="evidence", code="onsite_video_missing", rule="音像记录事项清单")


def _notice(case):
    return case.documents.filter(kind="rectification_notice").order_by("-pk").first()


@guard("rectification_notice_issued", label="责令限期改正的，须制作责令改正通知书并载明改正期限",
       rule="行政处罚法第二十八条第一款")
def rectification_notice_issued(ctx: Context) -> None:
    if ctx.values.get("result") == InspectionResult.RECTIFY and _notice(ctx.case) is None:
        raise TransitionNotAllowed("责令限期改正须先制作“责令改正通知书”，载明改正内容和期限（《行政处罚法》第二十八条第一款）",
                                   field="documents", code="rectification_notice_missing",
                                   rule="行政处罚法第二十八条第一款")


@effect("record_rectify_deadline", label="登记责令改正通知书载明的改正期限")
def record_rectify_deadline(ctx: Context) -> None:
    if ctx.values.get("result") != InspectionResult.RECTIFY:
        return
    notice = _notice(ctx.case)
    deadline = notice.extra.get("deadline", "")
    ctx.case.data["rectify_deadline"] = deadline.isoformat() if hasattr(deadline, "isoformat") else str(deadline)
    ctx.case.data["rectification_notice"] = notice.number


@guard("recheck_after_deadline", label="复查在改正期限届满后进行（当事人提前报告改正完毕的除外）",
       rule="行政处罚法第二十八条第一款")
def recheck_after_deadline(ctx: Context) -> None:
    deadline = ctx.case.data.get("rectify_deadline")
    on = ctx.values.get("rechecked_on")
    if not deadline or not on or ctx.values.get("reported_early"):
        return
    if on < dt.date.fromisoformat(deadline):
        raise ValidationFailed(f"改正期限至{deadline}，期限届满前不得复查认定（当事人提前报告改正完毕的，请勾选）",
                               field="rechecked_on", code="recheck_before_deadline", rule="行政处罚法第二十八条第一款")


@guard("recheck_opinion_issued", label="复查须制作复查意见书")
def recheck_opinion_issued(ctx: Context) -> None:
    if not ctx.case.documents.filter(kind="recheck_opinion").exists():
        raise TransitionNotAllowed("复查须先制作“复查意见书”", field="documents", code="recheck_opinion_missing")


@effect("close_unless_unrectified", label="已改正的，登记结案日期")
def close_unless_unrectified(ctx: Context) -> None:
    if ctx.values.get("rectified") != Rectified.NO:
        ctx.case.closed_on = ctx.today


@effect("open_penalty_case", label="发现违法的，以检查承办人员立处罚案件，检查证据随案移转", rule="行政处罚法第五十四条")
def open_penalty_case(ctx: Context) -> None:
    if ctx.values.get("result") != InspectionResult.VIOLATION:
        return
    from sanxiang.inspections.referral import referral_open

    ctx.created.append(referral_open(ctx))
    ctx.case.closed_on = ctx.today


@guard("violation_item_chosen", label="发现违法的，须写明违法事实并选定处罚事项，以便立案", rule="行政处罚法第五十四条")
def violation_item_chosen(ctx: Context) -> None:
    if ctx.values.get("result") != InspectionResult.VIOLATION:
        return
    if not ctx.values.get("penalty_item"):
        raise ValidationFailed("发现违法行为的，须选定立案查处适用的行政处罚事项（《行政处罚法》第五十四条）",
                               field="penalty_item", code="penalty_item_required", rule="行政处罚法第五十四条")
    if not (ctx.values.get("violation_facts") or "").strip():
        raise ValidationFailed("发现违法行为的，须写明涉嫌违法的事实", field="violation_facts",
                               code="violation_facts_required", rule="行政处罚法第五十四条")


@effect("close_if_pass", label="检查合格的，登记结案日期")
def close_if_pass(ctx: Context) -> None:
    if ctx.values.get("result") == InspectionResult.PASS:
        ctx.case.closed_on = ctx.today


condition("result_pass", label="检查合格的")(lambda ctx: ctx.values.get("result") == InspectionResult.PASS)
condition("result_rectify", label="责令限期改正的")(lambda ctx: ctx.values.get("result") == InspectionResult.RECTIFY)
condition("result_violation", label="发现违法行为的")(lambda ctx: ctx.values.get("result") == InspectionResult.VIOLATION)
condition("rectified", label="复查已改正的")(lambda ctx: ctx.values.get("rectified") == Rectified.YES)
