"""The PRC working-day calendar used to compute statutory periods (期间).

Sources, in order of precedence:

1. dates an administrator entered (`overrides`: date -> is it a working day);
2. the `chinesecalendar` package, which carries the State Council General Office's annual
   holiday notices (放假安排, including the adjusted weekend working days 调休) for the years
   it knows;
3. years an administrator declared complete (`declared_years`): every holiday and adjusted
   weekend of the year has been entered as an override, so the remaining dates follow the
   weekday rule (Monday-Friday working, Saturday-Sunday rest).

Any other date raises `UnknownCalendarYear`. The calendar never silently falls back to a
weekends-only rule: a deadline computed without the year's holidays could be days early.

Counting follows the rule for periods (民法典第二百零一条, 行政处罚法 and the procedural laws):
the day on which a period starts is not counted (期间开始的日，不计算在期间内).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import chinese_calendar
from chinese_calendar.constants import holidays as _library_holidays
from chinese_calendar.constants import workdays as _library_workdays

__all__ = ["UnknownCalendarYear", "WorkingCalendar", "add_calendar_days", "known_years"]

ONE_DAY = dt.timedelta(days=1)


class UnknownCalendarYear(LookupError):
    """The calendar has no holiday arrangement for `year`, so working days cannot be counted."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = (
            f"{year}年的节假日安排尚未录入工作日历，无法按工作日计算期限"
            "（请管理员录入国务院办公厅公布的当年放假安排）"
        )
        super().__init__(self.message)


@functools.cache
def known_years() -> range:
    """The years whose holiday arrangements the installed chinesecalendar package carries."""
    years = {day.year for day in _library_holidays} | {day.year for day in _library_workdays}
    return range(min(years), max(years) + 1)


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """The last day of a period of `n` natural days (自然日) starting on `start`.

    The start day is not counted, so this is simply `start + n days`. The Administrative
    Penalty Law's 90-day decision period (行政处罚法第六十条) counts natural days; use
    `WorkingCalendar.end_of_period_natural_days` to apply the rule that a period ending on a
    public holiday ends on the first working day after it.
    """
    _check_non_negative(n)
    return _as_date(start) + dt.timedelta(days=n)


def _as_date(value: dt.date) -> dt.date:
    """Drop the time of a datetime: calendars work on whole days."""
    return value.date() if isinstance(value, dt.datetime) else value


def _check_non_negative(n: int) -> None:
    if n < 0:
        raise ValueError(f"期间天数不能为负数：{n}")


def _library_is_working_day(day: dt.date) -> bool | None:
    """chinesecalendar's answer, or None when the package does not know the year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkingCalendar:
    """Working days of the PRC: administrator overrides, then chinesecalendar, then declared years."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None,
                 declared_years: set[int] | None = None) -> None:
        self.overrides: dict[dt.date, bool] = {
            _as_date(day): bool(working) for day, working in (overrides or {}).items()}
        self.declared_years: frozenset[int] = frozenset(declared_years or ())

    def covers_year(self, year: int) -> bool:
        """Whether every date of `year` can be answered without an override for it."""
        return year in known_years() or year in self.declared_years

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day; raises UnknownCalendarYear when nobody knows."""
        day = _as_date(day)
        if day in self.overrides:
            return self.overrides[day]
        library = _library_is_working_day(day)
        if library is not None:
            return library
        if day.year in self.declared_years:
            return day.weekday() < 5
        raise UnknownCalendarYear(day.year)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, otherwise the first working day after it."""
        day = _as_date(day)
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (start itself not counted); `start` when n is 0.

        行政处罚法第八十五条: the Law's "two/three/five/seven days" are working days,
        excluding public holidays.
        """
        _check_non_negative(n)
        day = _as_date(start)
        remaining = n
        while remaining:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall in (start, end]: the inverse of add_working_days."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            raise ValueError(f"结束日期{end}早于开始日期{start}")
        days = (start + ONE_DAY * offset for offset in range(1, (end - start).days + 1))
        return sum(1 for day in days if self.is_working_day(day))

    def end_of_period_natural_days(self, start: dt.date, n: int) -> dt.date:
        """The last day of an `n` natural-day period from `start`, extended past rest days.

        The period counts natural days (start not counted). When its last day is a statutory
        rest day (法定休假日: a public holiday or a weekend that is not an adjusted working
        day) the period ends on the first working day after it (民法典第二百零三条; likewise
        行政诉讼法 and 民事诉讼法 on 期间届满). 行政处罚法第八十五条 itself only makes the
        Law's short periods working days. Needs the calendar for the final days only, so it may
        raise UnknownCalendarYear.
        """
        return self.next_working_day(add_calendar_days(start, n))
