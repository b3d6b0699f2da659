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


def _on(ctx: Context):
    return ctx.values.get("decided_on") or ctx.today


def _party_penalties(ctx: Context):
    """Each party with its own penalty (共同违法: each is measured against its own tier)."""
    from sanxiang.cases.facts import party_penalties

    return party_penalties(ctx.case, proposed="penalty_kinds" not in ctx.values)


@guard("benchmark_applied", label="拟处罚超出裁量基准建议阶次的，须说明理由并经法制审核", rule=RULE)
def benchmark_applied(ctx: Context) -> None:
    from sanxiang.guidance.discretion import case_suggestion

    deciding = "penalty_kinds" in ctx.values
    # The decision's own reason, else the one stated with the proposal (still in case.data).
    reason = (ctx.values.get("decision_benchmark_reason") or ctx.values.get("benchmark_reason")
              or ctx.case.data.get("benchmark_reason") or "").strip()
    penalties = _party_penalties(ctx)
    for p in penalties:
        suggestion = case_suggestion(ctx.case, _on(ctx), party=p.party)
        if suggestion is None or suggestion.contains(list(p.kinds), p.fine) or reason:
            continue
        who = f"对{p.party.name}" if len(penalties) > 1 else ""
        raise ValidationFailed(
            f"{who}拟处罚超出裁量基准建议的阶次：{suggestion.text}。超出建议阶次的，须在“偏离裁量基准的理由”中说明理由，"
            f"并经法制审核（《行政处罚法》第三十四条：规范行使行政处罚裁量权）",
            field="decision_benchmark_reason" if deciding else "benchmark_reason",
            code="benchmark_reason_required", rule=RULE)
    if deciding and ctx.case.outside_benchmark:
        from sanxiang.reviews.selectors import latest_review

        review = latest_review(ctx.case)
        if review is None or not review.passed:
            raise ReviewRequired("拟处罚超出裁量基准建议阶次的案件，未经法制审核或者审核未通过的，不得作出决定"
                                 "（《行政处罚法》第三十四条、第五十八条）", code="benchmark_review_required", rule=RULE)


@effect("record_benchmark", label="记录适用的裁量基准版本和阶次", rule=RULE)
def record_benchmark(ctx: Context) -> None:
    from sanxiang.guidance.discretion import case_suggestion

    case = ctx.case
    penalties = _party_penalties(ctx)
    suggestions = [(p, case_suggestion(case, _on(ctx), party=p.party)) for p in penalties]
    suggestions = [(p, s) for p, s in suggestions if s is not None]
    if not suggestions:
        case.benchmark, case.benchmark_tier, case.outside_benchmark = None, "", False
        return
    outside = any(not s.contains(list(p.kinds), p.fine) for p, s in suggestions)
    deciding = "penalty_kinds" in ctx.values
    first = suggestions[0][1]  # one version for the item; the tier of the first-named party
    case.benchmark = first.benchmark
    case.benchmark_tier = first.tier_code
    # The proposal's deviation is what sends the case to review; a decision keeps that mark.
    case.outside_benchmark = outside or (deciding and case.outside_benchmark)
    ctx.content["discretion"] = {**first.as_dict(), "outside": outside}


condition("outside_benchmark", label="拟处罚超出裁量基准建议阶次的")(lambda ctx: bool(ctx.case.outside_benchmark))


@choice_provider("discretion_circumstances")
def discretion_circumstances(case=None) -> list[tuple[str, str]]:
    from sanxiang.guidance.discretion import circumstance_options

    return circumstance_options(case)
