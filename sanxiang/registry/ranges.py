"""Statutory ranges (法定处罚种类和幅度) of an enforcement item, read from its 处罚依据 rows.

No rule is declared here: the rows are the data (registry.LegalBasis); this module computes
what they allow for one party and checks a proposal or decision against it. The guard
`within_statutory_range` (registry.guards) calls it, the case page and the portal print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sanxiang.common.exceptions import ValidationFailed
from sanxiang.registry.choices import CitationRole, FineBasis
from sanxiang.registry.models import LegalBasis, yuan


@dataclass(frozen=True)
class Range:
    """One applicable fine range: the provision that sets it and its bounds in yuan."""

    citation: LegalBasis
    low: Decimal | None
    high: Decimal | None
    how: str  # the range in the provision's words, for this party

    def contains(self, fine: Decimal, *, mitigated: bool = False) -> bool:
        """Within the range; with a 减轻 circumstance (行政处罚法第三十二条) below the minimum too."""
        return (mitigated or self.low is None or fine >= self.low) and (self.high is None or fine <= self.high)

    @property
    def text(self) -> str:
        return f"{self.citation.citation_text}：{self.how}"


def penalty_citations(item) -> list[LegalBasis]:
    return [c for c in item.citations.select_related("law") if c.role == CitationRole.PENALTY]


def allowed_kinds(item) -> list[str]:
    """The penalty kinds the item's 处罚依据 set (empty when the item declares none)."""
    kinds: list[str] = []
    for c in penalty_citations(item):
        kinds.extend(k for k in c.penalty_kinds or [] if k not in kinds)
    return kinds


def fine_ranges(item, *, citizen: bool, base: Decimal | None) -> tuple[list[Range], str]:
    """The ranges that apply to this party, and, when none can be computed, why (else "")."""
    ranges, missing_base = [], ""
    who = "公民" if citizen else "法人或者其他组织"
    for c in penalty_citations(item):
        if c.fine_basis == FineBasis.NONE:
            continue
        fixed = c.fixed_range(citizen)
        if c.fine_basis == FineBasis.MULTIPLE:
            amount = base if base else None
            if amount is None and c.base_floor:
                amount = c.base_floor
            elif amount is not None and c.base_floor and amount < c.base_floor:
                amount = c.base_floor
            if amount is not None:
                low = (c.multiple_min * amount).quantize(Decimal("0.01")) if c.multiple_min else None
                high = (c.multiple_max * amount).quantize(Decimal("0.01"))
                how = (f"{c.base_label}{yuan(amount)}的{c.multiple_min.normalize():f}倍以上"
                       if c.multiple_min else f"{c.base_label}{yuan(amount)}的") + f"{c.multiple_max.normalize():f}倍以下"
                ranges.append(Range(c, low, high, f"{how}，即{_span(low, high)}"))
                continue
            if fixed is None:
                missing_base = f"{c.citation_text}按{c.base_label}的倍数计罚，须先登记{c.base_label}金额"
                continue
        if fixed is None:
            continue
        ranges.append(Range(c, fixed[0], fixed[1], f"对{who}处{_span(*fixed)}的罚款"))
    return ranges, missing_base


def _span(low, high) -> str:
    if low and high:
        return f"{yuan(low)}以上{yuan(high)}以下"
    if high:
        return f"{yuan(high)}以下"
    return f"{yuan(low)}以上" if low else "不限"


def check_statutory(*, item, citizen: bool, kinds: list[str], fine: Decimal | None, base: Decimal | None,
                    kinds_field: str, fine_field: str, mitigated: bool = False) -> None:
    """Refuse penalty kinds the item's provisions do not set, and a fine outside their range.

    An item whose 处罚依据 declare neither kinds nor ranges is not checked (nothing to check
    against); one that declares kinds but no fine range for this party type cannot fine it.
    `mitigated` (a 减轻处罚 circumstance was recorded, 行政处罚法第三十二条) lifts the minimum only.
    """
    from sanxiang.cases.choices import PenaltyKind

    citations = penalty_citations(item)
    allowed = allowed_kinds(item)
    where = "、".join(c.citation_text for c in citations if c.penalty_kinds) or "处罚依据"
    if allowed:
        extra = [k for k in kinds if k not in allowed]
        if extra:
            labels = "、".join(PenaltyKind(k).label if k in PenaltyKind.values else k for k in extra)
            allowed_labels = "、".join(PenaltyKind(k).label for k in allowed if k in PenaltyKind.values)
            raise ValidationFailed(
                f"{where}未设定“{labels}”，本事项可以给予的处罚种类为：{allowed_labels}"
                "（《行政处罚法》第四条：行政处罚依照法律、法规、规章的规定实施）",
                field=kinds_field, code="penalty_kind_not_allowed", rule=where)
    if PenaltyKind.FINE not in kinds or not fine:
        return
    if not allowed and not any(c.has_range for c in citations):
        return
    ranges, missing_base = fine_ranges(item, citizen=citizen, base=base)
    if not ranges:
        if missing_base:
            raise ValidationFailed(missing_base, field="illegal_gains", code="fine_base_required", rule=where)
        who = "公民" if citizen else "法人或者其他组织"
        raise ValidationFailed(f"{where}未设定对{who}的罚款幅度，不能对其处以罚款（《行政处罚法》第四条）",
                               field=fine_field, code="fine_not_for_party", rule=where)
    if any(r.contains(fine, mitigated=mitigated) for r in ranges):
        return
    texts = "；".join(r.text for r in ranges)
    below = all(r.low is not None and fine < r.low for r in ranges)
    hint = "；低于法定最低数额的，须有法定减轻处罚情节（《行政处罚法》第三十二条）并在裁量情节中勾选" if below else ""
    raise ValidationFailed(
        f"罚款{yuan(fine)}不在法定幅度内：{texts}（《行政处罚法》第四条：行政处罚依照法律、法规、规章规定的种类和幅度实施）{hint}",
        field=fine_field, code="fine_outside_statutory_range", rule=ranges[0].citation.citation_text)


def range_summary(item, *, citizen: bool, base: Decimal | None = None) -> dict:
    """What the case page and the API show: allowed kinds and the ranges for this party."""
    from sanxiang.cases.choices import PenaltyKind

    ranges, missing = fine_ranges(item, citizen=citizen, base=base)
    return {
        "kinds": [{"code": k, "label": PenaltyKind(k).label} for k in allowed_kinds(item) if k in PenaltyKind.values],
        "ranges": [{"citation": r.citation.citation_text, "min": r.low, "max": r.high, "text": r.how} for r in ranges],
        "note": missing,
    }


def case_base(case) -> Decimal | None:
    """The illegal gains (or other base the provision multiplies) recorded at 调查取证."""
    raw = (case.data or {}).get("illegal_gains")
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None
