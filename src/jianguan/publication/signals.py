"""Publication reacts to other apps, in their transaction:

- an inspection confirmed: each task whose visits are now all confirmed gets its publication
  opened, with its deadline of 20 working days;
- stored deadlines follow the holiday table: an administrator entering next year's schedule turns
  the provisional deadlines that reach into it into exact ones."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jianguan.inspections.signals import inspection_confirmed
from jianguan.workdays import selectors as workdays
from jianguan.workdays.models import CalendarDay

from . import services


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(instance: CalendarDay, **kwargs) -> None:
    workdays.invalidate()  # never compute from the table as it was before this entry
    services.refresh_deadlines(instance.date)


@receiver(inspection_confirmed)
def _inspection_confirmed(visit, user, on, **kwargs) -> None:
    services.record_progress(services.tasks_of(visit), on=on, actor=user)
