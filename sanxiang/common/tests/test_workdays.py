"""PRC working-day calendar: library data, administrator overrides and declared years."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanxiang.common.workdays import UnknownCalendarYear, WorkingCalendar, add_calendar_days, known_years

D = dt.date
UNKNOWN_YEAR = 2035


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_known_years_come_from_the_library():
    years = known_years()
    assert years.start == 2004
    assert 2024 in years and 2025 in years
    assert UNKNOWN_YEAR not in years
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(years.stop, 1, 5))


def test_national_day_is_not_a_working_day(calendar):
    assert not calendar.is_working_day(D(2024, 10, 1))


def test_adjusted_sunday_is_a_working_day(calendar):
    assert D(2024, 9, 29).weekday() == 6
    assert calendar.is_working_day(D(2024, 9, 29))


def test_datetime_is_read_as_its_date(calendar):
    assert not calendar.is_working_day(dt.datetime(2024, 10, 1, 9, 30))
    assert calendar.add_working_days(dt.datetime(2024, 9, 27, 18, 0), 1) == D(2024, 9, 29)


def test_five_working_days_across_national_day(calendar):
    # Fri 27 Sep (start, not counted); Sat 28 rest; Sun 29 (调休) = 1; Mon 30 = 2;
    # 1-7 Oct holiday; Tue 8 = 3; Wed 9 = 4; Thu 10 = 5.
    assert calendar.add_working_days(D(2024, 9, 27), 5) == D(2024, 10, 10)
    counted = [D(2024, 9, 27) + dt.timedelta(days=i) for i in range(1, 14)]
    library = [day for day in counted if chinese_calendar.is_workday(day)]
    assert library[4] == D(2024, 10, 10)


def test_zero_days_is_the_start_even_on_a_holiday(calendar):
    assert calendar.add_working_days(D(2024, 10, 1), 0) == D(2024, 10, 1)


def test_counting_from_a_holiday(calendar):
    assert calendar.add_working_days(D(2024, 10, 3), 1) == D(2024, 10, 8)


def test_negative_days_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(D(2024, 9, 27), -1)
    with pytest.raises(ValueError):
        calendar.end_of_period_natural_days(D(2024, 9, 27), -1)
    with pytest.raises(ValueError):
        add_calendar_days(D(2024, 9, 27), -1)


def test_working_days_between(calendar):
    assert calendar.working_days_between(D(2024, 9, 27), D(2024, 10, 10)) == 5
    assert calendar.working_days_between(D(2024, 9, 27), D(2024, 9, 27)) == 0
    assert calendar.working_days_between(D(2024, 9, 30), D(2024, 10, 7)) == 0
    with pytest.raises(ValueError):
        calendar.working_days_between(D(2024, 10, 10), D(2024, 9, 27))


@given(st.dates(min_value=D(2005, 1, 1), max_value=D(2025, 6, 30)), st.integers(0, 60))
def test_working_days_between_inverts_add(start, n):
    calendar = WorkingCalendar()
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n
    assert n == 0 or calendar.is_working_day(end)


# --- unknown years ------------------------------------------------------------------------------


def test_unknown_year_raises_with_the_year(calendar):
    with pytest.raises(UnknownCalendarYear) as info:
        calendar.is_working_day(D(UNKNOWN_YEAR, 3, 5))
    assert info.value.year == UNKNOWN_YEAR
    assert isinstance(info.value, LookupError)
    assert str(info.value).startswith(f"{UNKNOWN_YEAR}年的节假日安排尚未录入工作日历")
    assert "国务院办公厅" in str(info.value)


def test_unknown_year_is_not_treated_as_weekdays_only(calendar):
    """An ordinary Wednesday of an unknown year still raises: no silent weekday fallback."""
    assert D(UNKNOWN_YEAR, 3, 7).weekday() == 2
    with pytest.raises(UnknownCalendarYear):
        calendar.is_working_day(D(UNKNOWN_YEAR, 3, 7))


def test_period_running_into_an_unknown_year_raises(calendar):
    last = known_years()[-1]
    with pytest.raises(UnknownCalendarYear) as info:
        calendar.add_working_days(D(last, 12, 20), 20)
    assert info.value.year == last + 1


# --- administrators' data -----------------------------------------------------------------------


def test_declared_year_with_overrides():
    overrides = {D(UNKNOWN_YEAR, 10, 1): False, D(UNKNOWN_YEAR, 9, 30): True}
    calendar = WorkingCalendar(overrides=overrides, declared_years={UNKNOWN_YEAR})
    assert D(UNKNOWN_YEAR, 10, 1).weekday() == 0 and D(UNKNOWN_YEAR, 9, 30).weekday() == 6
    assert not calendar.is_working_day(D(UNKNOWN_YEAR, 10, 1))   # holiday entered
    assert calendar.is_working_day(D(UNKNOWN_YEAR, 9, 30))       # adjusted Sunday entered
    assert calendar.is_working_day(D(UNKNOWN_YEAR, 10, 2))       # ordinary Tuesday
    assert not calendar.is_working_day(D(UNKNOWN_YEAR, 10, 6))   # ordinary Saturday
    # Fri 28 Sep start; Sat 29 rest; Sun 30 = 1; Mon 1 Oct holiday; Tue 2 = 2.
    assert calendar.add_working_days(D(UNKNOWN_YEAR, 9, 28), 2) == D(UNKNOWN_YEAR, 10, 2)
    assert calendar.covers_year(UNKNOWN_YEAR)


def test_override_alone_does_not_declare_the_year():
    calendar = WorkingCalendar(overrides={D(UNKNOWN_YEAR, 10, 1): False})
    assert not calendar.is_working_day(D(UNKNOWN_YEAR, 10, 1))
    assert not calendar.covers_year(UNKNOWN_YEAR)
    with pytest.raises(UnknownCalendarYear):
        calendar.is_working_day(D(UNKNOWN_YEAR, 10, 2))


def test_overrides_beat_the_library():
    calendar = WorkingCalendar(overrides={D(2024, 10, 1): True, D(2024, 10, 8): False})
    assert calendar.is_working_day(D(2024, 10, 1))
    assert not calendar.is_working_day(D(2024, 10, 8))
    assert calendar.add_working_days(D(2024, 9, 30), 2) == D(2024, 10, 9)


def test_library_beats_a_declared_year():
    calendar = WorkingCalendar(declared_years={2024})
    assert not calendar.is_working_day(D(2024, 10, 1))


# --- natural-day periods ------------------------------------------------------------------------


def test_add_calendar_days():
    assert add_calendar_days(D(2024, 7, 3), 90) == D(2024, 10, 1)
    assert add_calendar_days(D(2024, 7, 3), 0) == D(2024, 7, 3)


def test_natural_period_ending_on_a_holiday_moves_to_the_next_working_day(calendar):
    # 90 days from 3 Jul 2024 is 1 Oct (National Day); the first working day after is 8 Oct.
    assert calendar.end_of_period_natural_days(D(2024, 7, 3), 90) == D(2024, 10, 8)


def test_natural_period_ending_on_a_weekend_moves_to_monday(calendar):
    assert D(2024, 6, 1).weekday() == 5
    assert calendar.end_of_period_natural_days(D(2024, 3, 3), 90) == D(2024, 6, 3)


def test_natural_period_ending_on_an_adjusted_working_day_is_not_extended(calendar):
    assert calendar.end_of_period_natural_days(D(2024, 7, 1), 90) == D(2024, 9, 29)


def test_natural_period_ending_on_a_working_day(calendar):
    assert calendar.end_of_period_natural_days(D(2024, 3, 1), 90) == D(2024, 5, 30)


def test_natural_period_ending_in_an_unknown_year(calendar):
    with pytest.raises(UnknownCalendarYear):
        calendar.end_of_period_natural_days(D(UNKNOWN_YEAR, 1, 2), 90)
    declared = WorkingCalendar(declared_years={UNKNOWN_YEAR})
    # 2 Jan + 90 days = 2 Apr 2035, a Monday.
    assert declared.end_of_period_natural_days(D(UNKNOWN_YEAR, 1, 2), 90) == D(UNKNOWN_YEAR, 4, 2)
