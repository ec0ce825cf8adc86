"""The administrator's holiday table, for years the chinesecalendar package does not know."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager


class CalendarDay(models.Model):
    """One day of a State Council holiday schedule (国务院办公厅关于部分节假日安排的通知).

    An entry overrides the package for its date; one entry in a year makes the year "known"
    (workdays.core). Only the exceptions are entered: holidays on weekdays and make-up
    workdays on weekends; entering weekend days of a holiday too is harmless.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    # City-wide reference data: all staff read it, only the city changes it (core.scoping).
    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
