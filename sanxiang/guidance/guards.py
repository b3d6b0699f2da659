"""The discretion benchmark's rules registered with the flow engine.

- `benchmark_applied` (guard): a proposal or decision outside the tier the benchmark suggests
  needs a stated reason; a decision on a case whose proposal was outside needs a passed review.
- `record_benchmark` (effect): stores the version, tier and whether the case is outside on it.
- `outside_benchmark` (route condition): sends such a case to 法制审核.
- `discretion_circumstances` (choice provider): the circumstances of the version in force.
"""

from __future__ import annotations

from sanxiang.cases.engine import Context, choice_provider, condition, effect, guard
from sanxiang.common.exceptions import ReviewRequired, ValidationFailed

RULE = "行政处罚法第三十四条"


def _proposal(ctx: Context):
    case = ctx.case
    if "penalty_kinds" in ctx.values:
        return list(case.penalty_kinds or []), case.fine_amount, "fine_amount"
    return list(case.proposed_penalty_kinds or []), case.proposed_fine, "proposed_fine"


def _on(ctx: Context):
    return ctx.values.get("decided_on") or ctx.today


@guard("benchmark_applied", label="拟处罚超出裁量基准建议阶次的，须说明理由并经法制审核", rule=RULE)
def benchmark_applied(ctx: Context) -> None:
    from sanxiang.guidance.discretion import case_suggestion

    suggestion = case_suggestion(ctx.case, _on(ctx))
    if suggestion is None:
        return
    kinds, fine, _ = _proposal(ctx)
    # The decision's own reason, else the one stated with the proposal (still in case.data).
    reason = (ctx.values.get("decision_benchmark_reason") or ctx.values.get("benchmark_reason")
              or ctx.case.data.get("benchmark_reason") or "").strip()
    if not suggestion.contains(kinds, fine) and not reason:
        raise ValidationFailed(
            f"拟处罚超出裁量基准建议的阶次：{suggestion.text}。超出建议阶次的，须在“偏离裁量基准的理由”中说明理由，"
            f"并经法制审核（《行政处罚法》第三十四条：规范行使行政处罚裁量权）",
            field="decision_benchmark_reason" if "penalty_kinds" in ctx.values else "benchmark_reason",
            code="benchmark_reason_required", rule=RULE)
    if "penalty_kinds" in ctx.values and ctx.case.outside_benchmark:
        from sanxiang.reviews.selectors import latest_review

        review = latest_review(ctx.case)
        if review is None or not review.passed:
            raise ReviewRequired("拟处罚超出裁量基准建议阶次的案件，未经法制审核或者审核未通过的，不得作出决定"
                                 "（《行政处罚法》第三十四条、第五十八条）", code="benchmark_review_required", rule=RULE)


@effect("record_benchmark", label="记录适用的裁量基准版本和阶次", rule=RULE)
def record_benchmark(ctx: Context) -> None:
    from sanxiang.guidance.discretion import case_suggestion

    case = ctx.case
    suggestion = case_suggestion(case, _on(ctx))
    if suggestion is None:
        case.benchmark, case.benchmark_tier, case.outside_benchmark = None, "", False
        return
    kinds, fine, _ = _proposal(ctx)
    outside = not suggestion.contains(kinds, fine)
    deciding = "penalty_kinds" in ctx.values
    case.benchmark = suggestion.benchmark
    case.benchmark_tier = suggestion.tier_code
    # The proposal's deviation is what sends the case to review; a decision keeps that mark.
    case.outside_benchmark = outside or (deciding and case.outside_benchmark)
    ctx.content["discretion"] = {**suggestion.as_dict(), "outside": outside}


condition("outside_benchmark", label="拟处罚超出裁量基准建议阶次的")(lambda ctx: bool(ctx.case.outside_benchmark))


@choice_provider("discretion_circumstances")
def discretion_circumstances(case=None) -> list[tuple[str, str]]:
    from sanxiang.guidance.discretion import circumstance_options

    return circumstance_options(case)
