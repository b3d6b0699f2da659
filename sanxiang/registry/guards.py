"""The registry's rules registered with the flow engine: the statutory range of the item's 处罚依据.

Imported by RegistryConfig.ready(); the engine owns the registry and imports no app.
"""

from __future__ import annotations

from sanxiang.cases.engine import Context, guard
from sanxiang.registry.ranges import case_base


@guard("within_statutory_range", label="处罚种类和罚款金额在处罚依据设定的种类和幅度之内",
       rule="行政处罚法第四条")
def within_statutory_range(ctx: Context) -> None:
    from sanxiang.cases.facts import party_is_citizen, party_penalties
    from sanxiang.registry.ranges import check_statutory

    case = ctx.case
    deciding = "penalty_kinds" in ctx.values
    fields = ("penalty_kinds", "fine_amount") if deciding else ("proposed_penalty_kinds", "proposed_fine")
    penalties = party_penalties(case, proposed=not deciding)
    if len(penalties) > 1 and deciding:
        fields = ("party_penalties", "party_penalties")
    # 共同违法: each party's own penalty lies within the range the provision sets for its type.
    for p in penalties:
        check_statutory(item=case.item, citizen=party_is_citizen(p.party), kinds=list(p.kinds), fine=p.fine,
                        base=case_base(case), kinds_field=fields[0], fine_field=fields[1], mitigated=_mitigated(case))


def _mitigated(case) -> bool:
    """Whether the circumstances ticked at 调查取证 select 减轻处罚 under the benchmark in force."""
    from sanxiang.guidance.choices import Tier
    from sanxiang.guidance.discretion import case_suggestion

    suggestion = case_suggestion(case)
    return suggestion is not None and suggestion.tier_code == Tier.MITIGATED
