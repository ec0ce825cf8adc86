"""The holiday table's writes (city administrators); the reads are in selectors.py."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import ADD, DELETE, allowed
from jianguan.core.services import snapshot

from .models import CalendarDay

MAX_RANGE_DAYS = 31  # one entry form covers one holiday period, not a year by accident
FIELDS = ["date", "kind", "note"]


# --- the table (city administrators) ---------------------------------------------------------


@transaction.atomic
def calendar_add(
    *, user, start: dt.date, end: dt.date | None = None, kind: str, note: str = ""
) -> list[CalendarDay]:
    """Enter one day or a period (start..end inclusive) of a published holiday schedule."""
    if not allowed(user, ADD, CalendarDay):
        raise PermissionDenied(_("节假日安排由市局维护"))
    end = end or start
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期")})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationError({"end": _("一次最多录入 %(n)d 天") % {"n": MAX_RANGE_DAYS}})
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    taken = CalendarDay.objects.filter(date__in=days).order_by("date")
    if taken:
        listed = "、".join(f"{d.date:%Y-%m-%d}（{d.get_kind_display()}）" for d in taken)
        raise ValidationError({"start": _("以下日期已有安排，请先删除：%(d)s") % {"d": listed}})
    created = []
    for day in days:
        entry = CalendarDay(date=day, kind=kind, note=note)
        entry.full_clean()
        entry.save()
        audit.record(user, "create", entry, changes=audit.diff({}, snapshot(entry, FIELDS)))
        created.append(entry)
    return created


@transaction.atomic
def calendar_remove(*, user, entry: CalendarDay) -> None:
    if not allowed(user, DELETE, CalendarDay):
        raise PermissionDenied(_("节假日安排由市局维护"))
    audit.record(user, "delete", entry, changes=audit.diff(snapshot(entry, FIELDS), {}))
    entry.delete()
