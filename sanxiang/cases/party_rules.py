"""Rules about the parties of a case (共同违法: several parties, each with its own penalty).

Registered with the flow engine from CasesConfig.ready(), like cases.guards.
"""

from __future__ import annotations

from decimal import Decimal

from sanxiang.cases.choices import PenaltyKind
from sanxiang.cases.engine import Context, guard
from sanxiang.cases.facts import decided_rows
from sanxiang.common.exceptions import ValidationFailed

RULE = "行政处罚法第五条、第五十九条"


@guard("penalty_per_party", label="共同违法的，对每名当事人分别决定处罚", rule=RULE)
def penalty_per_party(ctx: Context) -> None:
    """With several parties, the decision states each party's own penalty (第五十九条 lists the
    party and the penalty; 第五条 过罚相当 asks that each be measured by that party's part).

    Runs before the other decision guards: from the per-party rows it sets the case's penalty
    kinds (their union) and fine (their sum, 罚款合计), so that every later rule reads the same
    figures. Each later rule that concerns a party reads the rows (facts.party_penalties).
    """
    case = ctx.case
    parties = case.parties_in_order()
    rows = decided_rows(case)
    if not rows:
        if len(parties) > 1:
            names = "、".join(p.name for p in parties)
            raise ValidationFailed(
                f"本案有{len(parties)}名当事人（{names}），须对每名当事人分别填写处罚种类和罚款金额"
                f"（《行政处罚法》第五条、第五十九条）", field="party_penalties", code="penalty_per_party_missing",
                rule=RULE)
        return
    by_party = {}
    for row in rows:
        if row["party"] in by_party:
            raise ValidationFailed("同一当事人的处罚只能填写一次", field="party_penalties", code="penalty_party_twice",
                                   rule=RULE)
        by_party[row["party"]] = row
    known = {p.pk: p for p in parties}
    strangers = set(by_party) - set(known)
    if strangers:
        raise ValidationFailed("所填当事人不是本案当事人", field="party_penalties", code="penalty_party_unknown",
                               rule=RULE)
    missing = [p.name for p in parties if p.pk not in by_party]
    if missing:
        raise ValidationFailed(f"未填写{'、'.join(missing)}的处罚；共同违法的，须对每名当事人分别决定处罚"
                               f"（《行政处罚法》第五条、第五十九条）", field="party_penalties",
                               code="penalty_per_party_missing", rule=RULE)
    for party in parties:
        row = by_party[party.pk]
        if not row["penalty_kinds"]:
            raise ValidationFailed(f"请选择对{party.name}的处罚种类（《行政处罚法》第五十九条）",
                                   field="party_penalties", code="penalty_kind_required", rule=RULE)
    kinds = [k for k in PenaltyKind.values if any(k in by_party[p.pk]["penalty_kinds"] for p in parties)]
    fines = [Decimal(r["fine_amount"]) for r in by_party.values() if r.get("fine_amount") not in (None, "")]
    case.penalty_kinds = kinds
    case.fine_amount = sum(fines, Decimal("0")) if fines else None
    # Keep the case's order, whatever order the rows came in.
    case.data["party_penalties"] = [by_party[p.pk] for p in parties]
