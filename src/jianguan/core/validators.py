"""Validators shared by every app.

`not_in_future` is the one rule for dates of things that have happened: a listing decision, a
publication, a penalty, a check. A public record dated tomorrow would be public today (the portal
shows what is in force), so such a date is refused where it is entered, with the same message
everywhere. Scheduled dates (a publication queued for a later day, a deadline) are not facts
and do not use it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def not_in_future(
    value: dt.date | None, *, label: str = "", field: str = "", today: dt.date | None = None
):
    """Refuse a date after today (Beijing time, `TIME_ZONE`); None passes. With `field`, the
    error is that field's (a form shows it beside the input)."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    today = today or timezone.localdate()
    if value > today:
        message = _("%(label)s不能晚于今天（%(today)s）") % {
            "label": label or _("日期"),
            "today": f"{today:%Y-%m-%d}",
        }
        error = ValidationError(message, code="future")
        raise ValidationError({field: [error]}) if field else error


def past_dates(instance, *fields: str) -> dict[str, list[str]]:
    """`not_in_future` over model fields, as a `clean()` error dict keyed by field name and
    labelled with each field's verbose name."""
    errors: dict[str, list[str]] = {}
    for name in fields:
        label = str(instance._meta.get_field(name).verbose_name)
        try:
            not_in_future(getattr(instance, name), label=label)
        except ValidationError as e:
            errors[name] = list(e.messages)
    return errors
