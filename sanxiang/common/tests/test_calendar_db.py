"""The calendar in force: chinesecalendar plus administrator-entered years and overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from sanxiang.common.calendar import add_working_days
from sanxiang.common.exceptions import DeadlineError
from sanxiang.common.models import CalendarOverride, CalendarYear, next_number
from sanxiang.common.services import record_save


@pytest.mark.django_db
def test_known_year_counts_holidays():
    # 2026-01-30 is a Friday: the next working day is Monday 02-02.
    assert add_working_days(dt.date(2026, 1, 30), 1, what="测试期限") == dt.date(2026, 2, 2)
    # 2026-05-01 (Labour Day) is a public holiday: one working day after 04-30 skips it.
    import chinese_calendar

    after = add_working_days(dt.date(2026, 4, 30), 1, what="测试期限")
    assert after > dt.date(2026, 5, 1) and chinese_calendar.is_workday(after)
    assert all(not chinese_calendar.is_workday(dt.date(2026, 5, 1) + dt.timedelta(days=d))
               for d in range((after - dt.date(2026, 5, 1)).days))


@pytest.mark.django_db
def test_unknown_year_is_an_explicit_error_until_entered():
    with pytest.raises(DeadlineError) as err:
        add_working_days(dt.date(2026, 12, 28), 7, what="公示期限")
    assert err.value.code == "calendar_year_unknown" and "2027" in err.value.message
    assert "公示期限" in err.value.message
    record_save(CalendarYear(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知（示例）"), actor="admin")
    for day in range(1, 4):
        record_save(CalendarOverride(date=dt.date(2027, 1, day), is_working_day=False, note="元旦"), actor="admin")
    # 2026-12-31 is a Thursday; 2027-01-01..03 are entered as holidays; next working day is Mon 01-04.
    assert add_working_days(dt.date(2026, 12, 31), 1, what="公示期限") == dt.date(2027, 1, 4)


@pytest.mark.django_db
def test_counter_is_gapless():
    assert [next_number("t") for _ in range(3)] == [1, 2, 3]
    assert next_number("other") == 1
