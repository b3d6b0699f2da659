"""公示期 (display periods) as data: DisplayPeriod rows, installed with these defaults and edited
by administrators in /admin/. For each penalty kind of a decision the most specific active row
applies (kind and sector > kind > sector > default); the longest minimum and the longest maximum
of those govern the decision (the longest penalty governs). Periods run from the day of release
(《市场监督管理行政处罚信息公示规定》第十三条: 自公示之日起)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sanxiang.cases.choices import PenaltyKind

BASIS_DEFAULT = "发改委令第58号《失信行为纠正后的信用信息修复管理办法（试行）》；《市场监督管理行政处罚信息公示规定》第十三条"

# (penalty_kind, sector, min_months, max_months, basis)
DEFAULT_PERIODS: tuple[tuple[str, str, int, int, str], ...] = (
    ("", "", 3, 36, BASIS_DEFAULT),
    ("", "安全生产", 12, 36, BASIS_DEFAULT + "（安全生产领域最短一年）"),
    ("", "消防", 12, 36, BASIS_DEFAULT + "（消防领域最短一年）"),
    ("", "特种设备", 12, 36, BASIS_DEFAULT + "（特种设备领域最短一年）"),
    (PenaltyKind.WARNING, "", 3, 3, "《市场监督管理行政处罚信息公示规定》第十三条（警告公示三个月）"),
    (PenaltyKind.CRITICISM, "", 3, 3, "《市场监督管理行政处罚信息公示规定》第十三条（通报批评公示三个月）"),
)


def display_periods_install(*, actor="system") -> list[str]:
    """Install the default rows that are not there yet (by kind and sector); logged."""
    from sanxiang.common.services import record_save
    from sanxiang.disclosure.models import DisplayPeriod

    done = []
    for kind, sector, low, high, basis in DEFAULT_PERIODS:
        if not DisplayPeriod.objects.filter(penalty_kind=str(kind), sector=sector).exists():
            record_save(DisplayPeriod(penalty_kind=str(kind), sector=sector, min_months=low, max_months=high,
                                      basis=basis), actor=actor)
            done.append(f"公示期限 {kind and PenaltyKind(kind).label or '默认'}{('·' + sector) if sector else ''}")
    return done


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    min_months: int
    max_months: int
    basis: str

    def bounds(self, start: dt.date) -> tuple[dt.date, dt.date]:
        return add_months(start, self.min_months), add_months(start, self.max_months)


def sector_text(case) -> str:
    """What a sector is matched against: the item's name and the titles of the laws it cites."""
    item = case.item
    laws = [c.law.title for c in item.citations.select_related("law")]
    return " ".join([item.name, *laws])


def period_for(penalty_kinds, sector_haystack: str) -> Period:
    from sanxiang.disclosure.models import DisplayPeriod

    rows = [(r.penalty_kind, r.sector, r.min_months, r.max_months, r.basis)
            for r in DisplayPeriod.objects.filter(is_active=True)] or list(DEFAULT_PERIODS)
    chosen = []
    for kind in (list(penalty_kinds) or [""]):
        best, score = None, -1
        for row_kind, sector, low, high, basis in rows:
            if row_kind and row_kind != kind:
                continue
            if sector and sector not in sector_haystack:
                continue
            s = (2 if row_kind else 0) + (1 if sector else 0)
            if s > score or (s == score and best and high > best[3]):
                best, score = (row_kind, sector, low, high, basis), s
        if best:
            chosen.append(best)
    if not chosen:
        return Period(3, 36, BASIS_DEFAULT)
    low = max(c[2] for c in chosen)
    high = max(c[3] for c in chosen)
    governing = max(chosen, key=lambda c: (c[3], c[2]))
    return Period(low, high, governing[4])
