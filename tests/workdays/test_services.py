"""The Django side: the table an administrator fills in (city only, audited), the cached
schedule that follows it, the command, the page and the 「暂定」 badge."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.workdays import core, selectors, services
from jianguan.workdays.models import CalendarDay

pytestmark = pytest.mark.django_db
D = dt.date
PAGE = reverse("workdays:calendar")


def test_deadline_becomes_exact_once_the_year_is_entered(city_admin):
    assert selectors.add_working_days(D(2026, 12, 18), 20) == (D(2027, 1, 15), True)
    assert not selectors.year_known(2027)
    services.calendar_add(user=city_admin, start=D(2027, 1, 1), kind="holiday", note="元旦")
    assert selectors.year_known(2027)
    assert selectors.add_working_days(D(2026, 12, 18), 20) == (D(2027, 1, 18), False)
    assert not selectors.is_working_day(D(2027, 1, 1))


def test_a_period_is_entered_day_by_day_each_audited(city_admin):
    added = services.calendar_add(
        user=city_admin, start=D(2027, 10, 1), end=D(2027, 10, 7), kind="holiday", note="国庆节"
    )
    assert len(added) == 7
    events = AuditEvent.objects.filter(object_type="workdays.calendarday", action="create")
    assert events.count() == 7


def test_duplicates_and_reversed_periods_are_refused(city_admin):
    services.calendar_add(user=city_admin, start=D(2027, 2, 6), kind="workday")
    with pytest.raises(ValidationError, match="2027-02-06"):
        services.calendar_add(
            user=city_admin, start=D(2027, 2, 5), end=D(2027, 2, 7), kind="holiday"
        )
    with pytest.raises(ValidationError, match="结束日期"):
        services.calendar_add(
            user=city_admin, start=D(2027, 2, 5), end=D(2027, 2, 1), kind="holiday"
        )
    assert CalendarDay.objects.count() == 1


def test_only_the_city_changes_the_table(admin_a, city_admin):
    with pytest.raises(PermissionDenied):
        services.calendar_add(user=admin_a, start=D(2027, 1, 1), kind="holiday")
    entry = services.calendar_add(user=city_admin, start=D(2027, 1, 1), kind="holiday")[0]
    with pytest.raises(PermissionDenied):
        services.calendar_remove(user=admin_a, entry=entry)


def test_removal_is_audited_and_makes_the_deadline_provisional_again(city_admin):
    entry = services.calendar_add(user=city_admin, start=D(2027, 1, 1), kind="holiday")[0]
    assert not selectors.add_working_days(D(2026, 12, 18), 20).provisional
    services.calendar_remove(user=city_admin, entry=entry)
    assert selectors.add_working_days(D(2026, 12, 18), 20).provisional
    assert AuditEvent.objects.filter(object_type="workdays.calendarday", action="delete").exists()


def test_command_prints_the_date():
    out = io.StringIO()
    call_command("workdays", "add", "2025-09-26", "20", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == "2025-10-30\n"


def test_command_flags_provisional():
    out = io.StringIO()
    call_command("workdays", "add", "2026-12-18", "20", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == "2027-01-15 provisional\n"


def test_page_lists_adds_and_removes(client, city_admin):
    client.force_login(city_admin)
    response = client.get(PAGE, {"year": 2027})
    assert response.status_code == 200
    assert "尚无节假日安排" in response.content.decode()
    response = client.post(
        f"{PAGE}?year=2027",
        {"start": "2027-10-01", "end": "2027-10-03", "kind": "holiday", "note": "国庆节"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 3
    entry = CalendarDay.objects.get(date=D(2027, 10, 2))
    client.post(reverse("workdays:calendar_remove", args=[entry.pk]))
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    page = client.get(PAGE, {"year": 2027, "start": "2026-12-18", "n": "20"}).content.decode()
    assert (
        "已由管理员录入" in page
        and "2027-01-15" in page
        and "暂定" not in page.split("期限计算")[1]
    )


def test_district_admin_reads_but_cannot_change(client, admin_a):
    client.force_login(admin_a)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, {"start": "2027-01-01", "kind": "holiday"})
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_deadline_tag_shows_the_provisional_badge():
    template = Template("{% load workdays %}{% deadline d %}|{% deadline e True %}")
    html = template.render(
        Context(
            {"d": core.Deadline(D(2027, 1, 15), True), "e": core.Deadline(D(2025, 10, 30), False)}
        )
    )
    first, second = html.split("|")
    assert "2027-01-15" in first and "暂定" in first
    assert "2025-10-30" in second and "暂定" not in second and "已超期" in second
