"""Confirmation and what follows it: follow-ups for the unit with jurisdiction over the entity
(谁管辖、谁负责), overdue listing, re-check, the task's publication, merged visits.

Rules: issue 4 §3–4; DOMAIN.md "Double random, one public" (problems found are handed to
whoever has jurisdiction; publication within 20 working days after the task is finished; one
visit, many items — 进一次门、查多项事).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.inspections import services
from jianguan.inspections.models import FollowUp, Inspection, Result
from jianguan.personnel.models import Inspector
from jianguan.publication.models import Publication
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Visit
from jianguan.workdays import selectors as workdays
from tests.conftest import DISTRICT_A, unit

from .conftest import STATION, drawn_task, login_for, make_inspectors, team_of
from .helpers import post_record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def confirm(client, user, visit):
    client.force_login(user)
    return client.post(reverse("inspections:confirm", args=[visit.pk]))


def record_problem(client, world, checked_on, due, code="0201"):
    client.force_login(world["first"])
    response = post_record(
        client, world["visit"], checked_on, code=code, measure="rectify", rectify_by=due
    )
    assert response.status_code == 302
    return confirm(client, world["second"], world["visit"])


def test_follow_up_goes_to_the_entitys_jurisdiction(client, world, make_user):
    """谁管辖、谁负责: the follow-up belongs to the entity's district and station (here the
    entity has moved to station S02 since the draw), not to the unit that ran the check."""
    world["entity"].station = unit(f"{DISTRICT_A}-S02")
    world["entity"].save()
    checked = TODAY - dt.timedelta(days=3)
    due = TODAY + dt.timedelta(days=20)
    record_problem(client, world, checked, due)
    inspection = Inspection.objects.get()
    assert inspection.station == unit(STATION)  # who checked
    follow_up = FollowUp.objects.get()
    assert follow_up.station == unit(f"{DISTRICT_A}-S02")  # who follows up
    assert follow_up.district == unit(DISTRICT_A)
    assert follow_up.due_on == due and follow_up.status == FollowUp.Status.OPEN
    assert AuditEvent.objects.filter(object_type="inspections.followup").count() == 1
    client.force_login(make_user("district_admin", DISTRICT_A))
    html = client.get(reverse("inspections:visit", args=[world["visit"].pk])).content.decode()
    assert reverse("inspections:follow_up_detail", args=[follow_up.pk]) in html

    s02 = make_user("station_inspector", f"{DISTRICT_A}-S02")
    client.force_login(s02)
    assert (
        world["entity"].name in client.get(reverse("inspections:follow_up_list")).content.decode()
    )
    client.force_login(world["first"])  # station S01: not theirs to follow
    assert (
        world["entity"].name
        not in client.get(reverse("inspections:follow_up_list")).content.decode()
    )


def test_no_follow_up_without_a_problem(client, world):
    """未发现问题 opens nothing."""
    client.force_login(world["first"])
    post_record(client, world["visit"], TODAY)
    confirm(client, world["second"], world["visit"])
    assert Inspection.objects.get().status == Inspection.Status.CONFIRMED
    assert not FollowUp.objects.exists()


def test_overdue_listing(client, world, admin_a, make_entity):
    """逾期: still open and past its deadline; rectified items and future deadlines are not."""
    checked = TODAY - dt.timedelta(days=30)
    record_problem(client, world, checked, TODAY - dt.timedelta(days=5))
    late = FollowUp.objects.get()
    client.force_login(admin_a)
    url = reverse("inspections:follow_up_list")
    html = client.get(url, {"overdue": "1"}).content.decode()
    assert world["entity"].name in html and "逾期" in html
    FollowUp.objects.filter(pk=late.pk).update(due_on=TODAY + dt.timedelta(days=1))
    assert world["entity"].name not in client.get(url, {"overdue": "1"}).content.decode()
    FollowUp.objects.filter(pk=late.pk).update(
        due_on=TODAY - dt.timedelta(days=1), status=FollowUp.Status.RECTIFIED
    )
    assert world["entity"].name not in client.get(url, {"overdue": "1"}).content.decode()
    assert world["entity"].name in client.get(url).content.decode()
    response = client.get(reverse("inspections:follow_up_export"), {"format": "csv"})
    assert world["entity"].uscc in b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_station_with_jurisdiction_rechecks(client, world, make_user):
    """谁管辖、谁负责: the inspectors of the entity's own station do the re-check on site; another
    station never sees the item (404) and a read-only user may not write (403)."""
    record_problem(client, world, TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=5))
    follow_up = FollowUp.objects.get()
    url = reverse("inspections:follow_up_detail", args=[follow_up.pk])
    rectified = {"outcome": "rectified", "rechecked_on": TODAY.isoformat()}
    client.force_login(make_user("station_inspector", f"{DISTRICT_A}-S02"))
    assert client.get(url).status_code == 404
    assert client.post(url, rectified).status_code == 404
    client.force_login(make_user("read_only", DISTRICT_A))
    assert client.post(url, rectified).status_code == 403
    client.force_login(world["first"])  # station S01, the entity's station
    assert "记录复查结论" in client.get(url).content.decode()
    assert client.post(url, rectified).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.RECTIFIED
    assert follow_up.rechecked_by == world["first"]


def test_recheck_rectified_or_transferred(client, world, admin_a):
    """Re-check by the unit with jurisdiction: 已整改, or 未整改 → 移送案件办理 with the case
    number (the link point for case handling); each an audit event."""
    record_problem(client, world, TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=5))
    follow_up = FollowUp.objects.get()
    url = reverse("inspections:follow_up_detail", args=[follow_up.pk])
    client.force_login(admin_a)
    response = client.post(url, {"outcome": "transferred", "rechecked_on": TODAY.isoformat()})
    assert "未整改移送案件办理须填写复查情况" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
    response = client.post(
        url,
        {
            "outcome": "transferred",
            "rechecked_on": TODAY.isoformat(),
            "note": "逾期仍未公示年度报告",
            "case_ref": "黄市监案〔2026〕12号",
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.TRANSFERRED
    assert follow_up.case_ref == "黄市监案〔2026〕12号"
    assert follow_up.rechecked_by == admin_a
    assert AuditEvent.objects.filter(
        object_type="inspections.followup", action="update", note__contains="移送"
    ).exists()
    response = client.post(url, {"outcome": "rectified", "rechecked_on": TODAY.isoformat()})
    assert "已复查完毕" in response.content.decode()


def test_publication_opens_when_the_last_visit_is_confirmed(client, admin_a, make_entity):
    """A task is finished when all its visits are confirmed; its publication deadline is 20
    working days later (publication.services.record_progress, called on confirmation)."""
    entities = [make_entity(station_code=STATION) for _ in range(2)]
    make_inspectors(2)
    draw = drawn_task(admin_a)
    visits = [Visit.objects.get(draw=draw, entity=e) for e in entities]
    first, second = (login_for(i) for i in team_of(visits[0]))
    checked = TODAY - dt.timedelta(days=2)
    for n, visit in enumerate(visits):
        client.force_login(first)
        assert post_record(client, visit, checked).status_code == 302
        confirm(client, second, visit)
        assert Inspection.objects.get(visit=visit).status == Inspection.Status.CONFIRMED
        if n == 0:
            assert not Publication.objects.filter(task=draw.task).exists()
    publication = Publication.objects.get(task=draw.task)
    assert publication.finished_on == checked
    assert publication.deadline == workdays.add_working_days(checked, 20).date


def test_merged_visits_are_recorded_on_the_host(client, admin_a, make_entity):
    """进一次门、查多项事: a visit merged into another is recorded on the host's page, with the
    items of both tasks; each Result points at its own visit and task; members of the merged
    visit's team record there too; both tasks' publications open on confirmation."""
    entity = make_entity(station_code=STATION)
    host_team = make_inspectors(2)
    draw1 = drawn_task(admin_a, items=2, title="主任务")
    Inspector.objects.filter(pk__in=[i.pk for i in host_team]).update(active=False)
    merged_team = make_inspectors(2)
    draw2 = drawn_task(admin_a, items=1, title="合并任务")
    host = Visit.objects.get(draw=draw1, entity=entity)
    other = Visit.objects.get(draw=draw2, entity=entity)
    sampling.merge(other, into=host, user=admin_a)
    assert {i.pk for i in team_of(other)} == {i.pk for i in merged_team}

    recorder = login_for(merged_team[0])  # on the merged visit's team only
    confirmer = login_for(host_team[0])  # on the host's team
    client.force_login(recorder)
    # the merged visit's page is the host's
    assert client.get(reverse("inspections:visit", args=[other.pk]))["Location"].endswith(
        reverse("inspections:visit", args=[host.pk])
    )
    html = client.get(reverse("inspections:my_visits")).content.decode()
    assert reverse("inspections:visit", args=[host.pk]) in html
    assert reverse("inspections:visit", args=[other.pk]) not in html  # host visits only
    checked = TODAY - dt.timedelta(days=1)
    assert post_record(client, host, checked).status_code == 302
    results = Result.objects.order_by("task_id", "item__code")
    assert results.count() == 3
    assert {(r.visit_id, r.task_id) for r in results} == {
        (host.pk, draw1.task_id),
        (other.pk, draw2.task_id),
    }
    assert not Inspection.objects.filter(visit=other).exists()
    confirm(client, confirmer, host)
    assert Inspection.objects.get(visit=host).status == Inspection.Status.CONFIRMED
    assert Publication.objects.filter(task__in=[draw1.task, draw2.task]).count() == 2


def test_confirm_service_needs_a_recorded_inspection(world):
    """Nothing to confirm before a member has submitted the record."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.confirm(user=world["second"], visit=world["visit"])
    assert not Inspection.objects.exists()
