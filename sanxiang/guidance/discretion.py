"""The discretion benchmark (裁量基准) applied to a case: which version is in force, which tier the
ticked circumstances select, and the range that tier calls for.

Reads only; the guard and effect in guidance.guards enforce and record it. The same rows are
published on the portal (行政处罚法第三十四条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sanxiang.guidance.choices import STATUTORY_CIRCUMSTANCES, Tier
from sanxiang.guidance.models import Benchmark, BenchmarkCircumstance, BenchmarkTier


def benchmark_in_force(item, on: dt.date) -> Benchmark | None:
    """The newest version of the item's benchmark whose effective date is on or before `on`."""
    return (Benchmark.objects.filter(item=item, effective_from__lte=on)
            .order_by("-effective_from", "-version").first())


def select_tier(circumstances: list[BenchmarkCircumstance]) -> str:
    """The tier the ticked circumstances select.

    不予处罚 wins (行政处罚法第三十三条); 减轻 next (第三十二条), stepped back to 从轻 when an
    aggravating circumstance is present too; 从轻 and 从重 together offset to 一般.
    """
    tiers = {c.tier for c in circumstances}
    aggravated = Tier.AGGRAVATED in tiers
    if Tier.EXEMPT in tiers:
        return Tier.EXEMPT
    if Tier.MITIGATED in tiers:
        return Tier.LENIENT if aggravated else Tier.MITIGATED
    if Tier.LENIENT in tiers:
        return Tier.GENERAL if aggravated else Tier.LENIENT
    return Tier.AGGRAVATED if aggravated else Tier.GENERAL


@dataclass
class Suggestion:
    """What the benchmark suggests for one case: version, tier, kinds and fine range."""

    benchmark: Benchmark
    tier: BenchmarkTier | None
    tier_code: str
    circumstances: list[BenchmarkCircumstance] = field(default_factory=list)
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def tier_label(self) -> str:
        return Tier(self.tier_code).label

    @property
    def kinds(self) -> list[str]:
        return list(self.tier.penalty_kinds) if self.tier else []

    @property
    def range_text(self) -> str:
        from sanxiang.registry.models import yuan

        if self.tier_code == Tier.EXEMPT:
            return "不予行政处罚"
        if self.low is None and self.high is None:
            return "不处罚款"
        if self.low and self.high:
            return f"罚款{yuan(self.low)}以上{yuan(self.high)}以下"
        return f"罚款{yuan(self.high)}以下" if self.high else f"罚款{yuan(self.low)}以上"

    @property
    def text(self) -> str:
        from sanxiang.cases.choices import PenaltyKind

        kinds = "、".join(PenaltyKind(k).label for k in self.kinds if k in PenaltyKind.values)
        reasons = "、".join(c.label for c in self.circumstances) or "无从轻、减轻、从重情节"
        return (f"依据{self.benchmark.label}，情节：{reasons}，建议“{self.tier_label}”"
                f"{('：' + kinds) if kinds else ''}{'，' if kinds else '：'}{self.range_text}")

    def contains(self, kinds: list[str], fine: Decimal | None) -> bool:
        """Whether a proposal (kinds and fine) lies within the suggested tier."""
        if self.tier_code == Tier.EXEMPT:
            return not kinds
        if self.tier is None:
            return True
        if self.tier.penalty_kinds and any(k not in self.tier.penalty_kinds for k in kinds):
            return False
        if fine:
            if self.low is None and self.high is None:
                return False
            return (self.low is None or fine >= self.low) and (self.high is None or fine <= self.high)
        return True

    def as_dict(self) -> dict:
        return {
            "benchmark_id": self.benchmark.pk, "benchmark": self.benchmark.label, "version": self.benchmark.version,
            "effective_from": self.benchmark.effective_from.isoformat(), "tier": self.tier_code,
            "tier_label": self.tier_label, "kinds": self.kinds,
            "min": None if self.low is None else str(self.low), "max": None if self.high is None else str(self.high),
            "range": self.range_text, "circumstances": [c.code for c in self.circumstances], "text": self.text,
        }


def suggest(*, item, citizen: bool, codes: list[str], base: Decimal | None, on: dt.date) -> Suggestion | None:
    """The suggestion of the benchmark in force on `on`, or None when the item has none."""
    benchmark = benchmark_in_force(item, on)
    if benchmark is None:
        return None
    ticked = [c for c in benchmark.circumstances.all() if c.code in set(codes or [])]
    tier_code = select_tier(ticked)
    tiers = {t.tier: t for t in benchmark.tiers.all()}
    tier = tiers.get(tier_code)
    if tier is None and tier_code != Tier.EXEMPT:
        tier_code, tier = Tier.GENERAL, tiers.get(Tier.GENERAL)
    low = high = None
    base = _floored(item, base)
    if tier is not None:
        if tier.multiple_max is not None and base:
            low = (tier.multiple_min * base).quantize(Decimal("0.01")) if tier.multiple_min else None
            high = (tier.multiple_max * base).quantize(Decimal("0.01"))
        else:
            low, high = (tier.citizen_min, tier.citizen_max) if citizen else (tier.org_min, tier.org_max)
    return Suggestion(benchmark, tier, tier_code, ticked, low, high)


def _floored(item, base: Decimal | None) -> Decimal | None:
    """The base raised to the provision's floor (e.g. 所需处置费用不足十万元的，按十万元计算)."""
    from sanxiang.registry.choices import FineBasis
    from sanxiang.registry.ranges import penalty_citations

    floors = [c.base_floor for c in penalty_citations(item) if c.fine_basis == FineBasis.MULTIPLE and c.base_floor]
    if floors and (base is None or base < max(floors)):
        return max(floors)
    return base


def case_suggestion(case, on: dt.date | None = None, party=None) -> Suggestion | None:
    """The suggestion for a case from what it recorded (circumstances, illegal gains), for `party`
    (the tiers differ for citizens and organisations), by default the first-named one."""
    from django.utils import timezone

    from sanxiang.cases.facts import party_is_citizen
    from sanxiang.registry.ranges import case_base

    data = case.data or {}
    citizen = party_is_citizen(party if party is not None else case)
    return suggest(item=case.item, citizen=citizen, codes=list(data.get("circumstances") or []),
                   base=case_base(case), on=on or timezone.localdate())


def circumstance_options(case=None) -> list[tuple[str, str]]:
    """The circumstances an officer can tick: those of the benchmark in force for the case's item;
    without a case, every circumstance any benchmark (or the statute) names, for labels."""
    from django.utils import timezone

    if case is not None:
        benchmark = benchmark_in_force(case.item, timezone.localdate())
        if benchmark is None:
            return []
        return [(c.code, f"{c.label}（{c.get_tier_display()}）") for c in benchmark.circumstances.all()]
    options = {code: label for code, label, _, _ in STATUTORY_CIRCUMSTANCES}
    for code, label in BenchmarkCircumstance.objects.values_list("code", "label").distinct():
        options.setdefault(code, label)
    return list(options.items())


def case_discretion(case, *, codes: list[str] | None = None, base: Decimal | None = None) -> dict:
    """What the case page, its live hint and the API show: the statutory range for this party,
    the benchmark's suggestion (from the ticked circumstances, or those recorded) and what was
    stored on the case (version, tier, whether the proposal is outside it)."""
    from django.utils import timezone

    from sanxiang.cases.facts import party_is_citizen
    from sanxiang.registry.ranges import case_base, range_summary

    citizen = party_is_citizen(case)
    base = base if base is not None else case_base(case)
    recorded = list((case.data or {}).get("circumstances") or [])
    suggestion = suggest(item=case.item, citizen=citizen, codes=recorded if codes is None else codes, base=base,
                         on=case.decided_on or timezone.localdate())
    return {
        "statutory": range_summary(case.item, citizen=citizen, base=base),
        "suggestion": suggestion.as_dict() if suggestion else None,
        "recorded": {"benchmark_id": case.benchmark_id, "benchmark": case.benchmark.label if case.benchmark_id else None,
                     "tier": case.benchmark_tier or None,
                     "tier_label": Tier(case.benchmark_tier).label if case.benchmark_tier in Tier.values else None,
                     "outside_benchmark": case.outside_benchmark,
                     "reason": (case.data or {}).get("benchmark_reason") or ""},
    }
