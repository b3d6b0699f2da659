"""The working-day calendar in force: chinesecalendar plus what administrators entered."""

from __future__ import annotations

import datetime as dt

from sanxiang.common.exceptions import DeadlineError
from sanxiang.common.workdays import UnknownCalendarYear, WorkingCalendar


def current_calendar() -> WorkingCalendar:
    from sanxiang.common.models import CalendarOverride, CalendarYear

    overrides = dict(CalendarOverride.objects.values_list("date", "is_working_day"))
    years = set(CalendarYear.objects.values_list("year", flat=True))
    return WorkingCalendar(overrides=overrides, declared_years=years)


def add_working_days(start: dt.date, n: int, *, what: str) -> dt.date:
    """`n` working days after `start`, or a DeadlineError naming the missing calendar year."""
    try:
        return current_calendar().add_working_days(start, n)
    except UnknownCalendarYear as exc:
        raise DeadlineError(f"无法计算{what}：{exc}", code="calendar_year_unknown") from exc
