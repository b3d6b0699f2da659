"""Legal review's guards, route conditions and effects, registered with the flow engine."""

from __future__ import annotations

from sanxiang.cases.engine import Context, checklist, choice_list, condition, effect, guard
from sanxiang.common.exceptions import DomainError, ReviewRequired, ValidationFailed
from sanxiang.reviews.models import CHECKLIST, Opinion
from sanxiang.reviews.selectors import latest_review, review_matches


@guard("reviewer_independent", label="法制审核人员不得为本案承办人员")
def reviewer_independent(ctx: Context) -> None:
    officer = getattr(ctx.actor, "officer", None)
    if officer is not None and ctx.case.officers.filter(pk=officer.pk).exists():
        raise DomainError("本案承办人员不得担任本案法制审核人员", code="reviewer_is_investigator")
    if officer is None or not officer.is_legal_reviewer:
        raise DomainError("审核人未登记为法制审核人员（须具备法律职业资格）", code="reviewer_not_registered")


@guard("checklist_supports_opinion", label="逐项审核，未通过的不得出具同意意见")
def checklist_supports_opinion(ctx: Context) -> None:
    failed = [label for key, label in CHECKLIST if not ctx.values["checklist"].get(key)]
    if ctx.values.get("opinion") == Opinion.AGREE and failed:
        raise ValidationFailed(f"审核内容“{'、'.join(failed)}”未通过，不能出具“同意”意见",
                               field="checklist", code="checklist_failed")


@guard("review_passed", label="属于审核目录的，须经法制审核且审核通过", rule="行政处罚法第五十八条")
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


@effect("record_review", label="记录法制审核意见")
def record_review(ctx: Context) -> None:
    from sanxiang.reviews.services import review_record

    ctx.created.append(review_record(case=ctx.case, reviewer=ctx.actor, values=ctx.values, today=ctx.today))


@checklist("review_checklist")
def review_checklist(agency=None) -> list[tuple[str, str]]:
    """行政处罚法第五十八条 review items."""
    return list(CHECKLIST)


choice_list("review_opinion", Opinion)
condition("review_required", label="属于重大执法决定法制审核目录的")(lambda ctx: bool(review_matches(ctx.case)))
condition("opinion_agree", label="审核意见为同意的")(lambda ctx: ctx.values.get("opinion") == Opinion.AGREE)
condition("opinion_correct", label="审核意见为建议纠正的")(lambda ctx: ctx.values.get("opinion") == Opinion.CORRECT)
condition("opinion_return", label="审核意见为退回补充调查的")(lambda ctx: ctx.values.get("opinion") == Opinion.RETURN)
condition("opinion_transfer", label="审核意见为建议移送司法机关的")(
    lambda ctx: ctx.values.get("opinion") == Opinion.TRANSFER)
