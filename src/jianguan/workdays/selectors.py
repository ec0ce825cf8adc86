"""Deadlines on the Django side: the package's schedule plus the administrator's table.

The table is read once per process and kept; a save or delete of a CalendarDay invalidates it
here and, through a version stamp in the shared cache, in every other process.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import core
from .core import Deadline
from .models import CalendarDay

VERSION_KEY = "jianguan:workdays:version"

_loaded: dict = {"version": None, "schedule": None}


def schedule() -> core.Schedule:
    version = cache.get(VERSION_KEY)
    if _loaded["schedule"] is None or _loaded["version"] != version:
        entries = {
            day: kind == CalendarDay.Kind.WORKDAY
            for day, kind in CalendarDay.objects.values_list("date", "kind")
        }
        _loaded.update(schedule=core.Schedule(entries), version=version)
    return _loaded["schedule"]


def invalidate() -> None:
    _loaded["schedule"] = None
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


@receiver([post_save, post_delete], sender=CalendarDay)
def _table_changed(**kwargs) -> None:
    invalidate()  # this process, at once
    transaction.on_commit(invalidate)  # and again once others can read the change


def add_working_days(day: dt.date, n: int) -> Deadline:
    return core.add_working_days(day, n, schedule())


def add_calendar_days(day: dt.date, n: int) -> Deadline:
    return core.add_calendar_days(day, n)


def is_working_day(day: dt.date) -> bool:
    return core.is_working_day(day, schedule())


def year_known(year: int) -> bool:
    return schedule().knows(year)
