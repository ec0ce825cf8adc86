"""Stored deadlines follow the holiday table: an administrator entering next year's schedule
turns the provisional deadlines that reach into it into exact ones, in the same transaction."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jianguan.workdays import services as workdays
from jianguan.workdays.models import CalendarDay

from . import services


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(instance: CalendarDay, **kwargs) -> None:
    workdays.invalidate()  # never compute from the table as it was before this entry
    services.refresh_deadlines(instance.date)
