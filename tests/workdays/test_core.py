"""workdays.core on real dates (DOMAIN.md "Working days"): the State Council schedule with its
make-up workdays; the event day is not counted; a year without a schedule is counted on
weekends alone and flagged provisional, never an error."""

from __future__ import annotations

import datetime as dt

from jianguan.workdays import core

D = dt.date
UNKNOWN = 2027  # chinesecalendar 1.11.0 covers 2004-2026


def test_the_installed_package_does_not_know_the_test_year():
    assert UNKNOWN not in core.PACKAGE_YEARS, "chinesecalendar now covers 2027: move these tests"
    assert 2025 in core.PACKAGE_YEARS and 2026 in core.PACKAGE_YEARS


def test_twenty_working_days_across_national_day_2025():
    # 国庆节/中秋节 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are workdays.
    assert core.add_working_days(D(2025, 9, 26), 20) == (D(2025, 10, 30), False)


def test_the_event_day_is_not_counted():
    assert core.add_working_days(D(2025, 9, 30), 1) == (D(2025, 10, 9), False)
    assert core.add_working_days(D(2025, 9, 27), 1) == (D(2025, 9, 28), False)  # make-up Sunday
    assert core.add_working_days(D(2025, 9, 26), 0) == (D(2025, 9, 26), False)


def test_a_year_without_schedule_is_provisional_on_weekends_alone():
    # 2026-12-18 is a Friday; 20 weekdays later, New Year's Day 2027 counted as a working day.
    result = core.add_working_days(D(2026, 12, 18), 20)
    assert result == (D(2027, 1, 15), True)
    assert result.provisional


def test_the_table_makes_a_year_known_and_exact():
    table = core.Schedule({D(2027, 1, 1): False})  # 元旦 2027 (a Friday)
    assert table.knows(UNKNOWN)
    assert core.add_working_days(D(2026, 12, 18), 20, table) == (D(2027, 1, 18), False)


def test_table_entries_override_the_package():
    table = core.Schedule({D(2025, 9, 29): False, D(2025, 10, 4): True})
    assert not core.is_working_day(D(2025, 9, 29), table)
    assert core.is_working_day(D(2025, 10, 4), table)
    assert core.is_working_day(D(2025, 9, 29))


def test_a_deadline_inside_a_known_year_is_not_provisional_because_of_later_years():
    assert core.add_working_days(D(2026, 12, 1), 5) == (D(2026, 12, 8), False)


def test_calendar_days_are_a_separate_kind():
    assert core.add_calendar_days(D(2025, 9, 26), 90) == (D(2025, 12, 25), False)
    assert core.add_calendar_days(D(2026, 12, 1), 90).provisional is False


def test_add_years_leap_day():
    assert core.add_years(D(2024, 2, 29), 3) == D(2027, 2, 28)
    assert core.add_years(D(2025, 3, 1), 1) == D(2026, 3, 1)
