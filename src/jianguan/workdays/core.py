"""Working-day arithmetic for legal deadlines. Pure: no Django, no database.

Which days are working days (DOMAIN.md "Working days"):

1. an entry of the administrator's table (`Schedule`) for that date, if any: it wins;
2. otherwise the State Council schedule from the `chinesecalendar` package (holidays and
   make-up workdays, 调休), for the years the package covers;
3. otherwise Monday to Friday.

A year is *known* when the package covers it or the table has at least one entry in it (the
State Council publishes the next year's schedule each November; an administrator enters it).
A deadline whose counting passes through an unknown year is computed on weekends alone and
flagged provisional (暂定): never an error, never a silent guess.

The day of the event is not counted: n = 1 is the next working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

import chinese_calendar
from chinese_calendar.constants import holidays as _package_holidays

PACKAGE_YEARS = range(min(_package_holidays).year, max(_package_holidays).year + 1)
ONE_DAY = dt.timedelta(days=1)


class Deadline(NamedTuple):
    date: dt.date
    provisional: bool  # reached into a year without a known holiday schedule


class Schedule:
    """The administrator's table: date → True (working day, 调休上班) / False (holiday)."""

    def __init__(self, entries: Mapping[dt.date, bool] | None = None):
        self.entries = dict(entries or {})
        self.years = frozenset(d.year for d in self.entries)

    def knows(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.years


EMPTY = Schedule()


def is_working_day(day: dt.date, schedule: Schedule = EMPTY) -> bool:
    if day in schedule.entries:
        return schedule.entries[day]
    if day.year in PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(day: dt.date, n: int, schedule: Schedule = EMPTY) -> Deadline:
    """The n-th working day after `day` (the event day itself is not counted)."""
    if n < 0:
        raise ValueError("n must not be negative")
    provisional = False
    while n > 0:
        day += ONE_DAY
        provisional = provisional or not schedule.knows(day.year)
        if is_working_day(day, schedule):
            n -= 1
    return Deadline(day, provisional)


def add_calendar_days(day: dt.date, n: int) -> Deadline:
    """A limit in calendar days (自然日), e.g. a case decided within 90 days: plain arithmetic,
    holidays do not matter, never provisional. A separate kind on purpose: a rule says which."""
    return Deadline(day + dt.timedelta(days=n), False)


def add_years(day: dt.date, n: int) -> dt.date:
    """The same day n years later; 29 February → 28 February (民法典第二百零二条: no
    corresponding day, the last day of the month)."""
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return day.replace(year=day.year + n, day=28)
