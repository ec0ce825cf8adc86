"""Task completion, the publication deadline, publishing, queueing and withdrawal (services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.inspections.models import Inspection, Result
from jianguan.publication import selectors, services
from jianguan.publication.models import Publication, PublicResult
from jianguan.sampling.models import Visit
from jianguan.workdays import services as workdays

from . import factories as F

pytestmark = pytest.mark.django_db
D = dt.date


def test_task_finished_on_2025_09_26_is_published_by_2025_10_30(admin_a):
    """DOMAIN.md "Working days" / issue 4: 20 working days after 2025-09-26 is 2025-10-30,
    across the National Day holiday (10-01..10-08) and its make-up days (09-28, 10-11); the day
    the task finished is not counted."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))
    publication = built.publication
    assert publication.finished_on == D(2025, 9, 26)
    assert (publication.deadline, publication.deadline_provisional) == (D(2025, 10, 30), False)
    (shown,) = selectors.with_deadlines([publication], today=D(2025, 10, 29))
    assert shown.due == (D(2025, 10, 30), False)
    assert shown.days_left == 1 and shown.near and not shown.overdue


def test_a_task_is_finished_only_when_every_visit_is_confirmed(admin_a):
    """Issue 4 point 3: a task is finished when all its visits are recorded (and confirmed, as
    "a second member confirms"); until then no publication opens."""
    F.entities(3)
    F.inspectors(4)
    task, draw = F.drawn_task(admin_a)
    visits = list(Visit.objects.filter(draw=draw))
    for visit in visits[:-1]:
        F.record(visit)
    assert not selectors.is_finished(task)
    assert services.record_progress([task], on=D(2025, 9, 26)) == []
    F.record(visits[-1])
    Inspection.objects.filter(visit=visits[-1]).update(status=Inspection.Status.RECORDED)
    assert not selectors.is_finished(task)  # recorded, not yet confirmed by a second member
    Inspection.objects.filter(visit=visits[-1]).update(status=Inspection.Status.CONFIRMED)
    assert selectors.is_finished(task)
    (publication,) = services.record_progress([task], on=D(2025, 9, 26), actor=admin_a)
    assert publication.status == Publication.Status.PENDING
    assert services.record_progress([task], on=D(2025, 9, 29)) == []  # opened once
    assert AuditEvent.objects.filter(
        object_type="publication.publication", object_id=str(publication.pk), action="create"
    ).exists()


def test_deadline_in_a_year_without_schedule_is_provisional_then_exact(admin_a, city_admin):
    """Issue 4 Must show: a deadline in a year without a schedule is flagged provisional and
    becomes exact once an administrator enters that year's schedule (DOMAIN.md "Working days":
    never fail, never pretend). 2027 is unknown to the package: from 2026-12-18 the weekends
    alone give 2027-01-15; with 2027-01-01 entered as a holiday it is 2027-01-18."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    publication = built.publication
    assert (publication.deadline, publication.deadline_provisional) == (D(2027, 1, 15), True)
    workdays.calendar_add(user=city_admin, start=D(2027, 1, 1), kind="holiday", note="元旦")
    publication.refresh_from_db()
    assert (publication.deadline, publication.deadline_provisional) == (D(2027, 1, 18), False)
    (shown,) = selectors.with_deadlines([publication], today=D(2027, 1, 4))
    assert shown.due == (D(2027, 1, 18), False)
    # the filters read the stored deadline: 2027-01-15 is no longer overdue on 2027-01-18
    near = selectors.publication_list(admin_a, {"clock": "overdue"}, today=D(2027, 1, 18))
    assert publication not in near


def test_any_entry_of_the_year_makes_a_provisional_deadline_exact(admin_a, city_admin):
    """DOMAIN.md "Working days": a deadline is provisional only while its year has no schedule.
    An entry far from the deadline (National Day 2027) still makes 2027 known, so the stored
    deadline of a task finished on 2026-12-18 stops being provisional (2027-01-15, exact)."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    workdays.calendar_add(user=city_admin, start=D(2027, 10, 1), kind="holiday", note="国庆节")
    built.publication.refresh_from_db()
    assert built.publication.due == (D(2027, 1, 15), False)


def test_publishing_copies_only_public_results_without_internal_data(admin_a):
    """DOMAIN.md: results go public except what law keeps private; risk classes are internal;
    the portal shows no inspector names. PublicResult holds exactly the public fields."""
    built = F.finished_task(admin_a, n=4, non_public=1)
    withheld = [r for r in built.results if not r.public]
    assert len(withheld) == 1
    count = services.publish(user=admin_a, publication=built.publication)
    public = [r for r in built.results if r.public]
    assert count == len(public) == PublicResult.objects.count()
    assert not PublicResult.objects.filter(result__in=withheld).exists()
    entry = PublicResult.objects.get(result=public[0])
    task = built.task
    assert entry.uscc == public[0].entity.uscc and entry.entity_name == public[0].entity.name
    assert entry.task_title == task.title and entry.authority == task.unit.name
    assert entry.item == public[0].item.name and entry.checked_on == D(2025, 9, 20)
    assert entry.code == public[0].code.code
    sub_kind = PublicResult.objects.get(code="0201")
    assert sub_kind.code_text == "发现问题待后续处理（未按规定公示应当公示的信息）"
    stored = {f.name for f in PublicResult._meta.get_fields()}
    assert not stored & {"risk_class", "findings", "inspector", "recorded_by", "confirmed_by"}
    values = " ".join(str(v) for v in PublicResult.objects.values_list().first())
    assert "检查员" not in values and "内部记录" not in values
    publication = Publication.objects.get(pk=built.publication.pk)
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.published_by == admin_a
    event = AuditEvent.objects.get(
        object_type="publication.publication", object_id=str(publication.pk), action="update"
    )
    assert "公示检查结果 3 条" in event.note and "不予公示 1 条" in event.note


def test_only_supervisors_publish(admin_a, admin_b, station_a, city_admin, make_user):
    """Issue 4: "a supervisor publishes": the administrator of the task's district or the city;
    not another district, not an inspector, not a read-only user. A refusal writes nothing."""
    built = F.finished_task(admin_a)
    read_only = make_user("read_only", "310101")
    for user in (admin_b, station_a, read_only):
        with pytest.raises(PermissionDenied):
            services.publish(user=user, publication=built.publication)
        with pytest.raises(PermissionDenied):
            services.queue(user=user, publication=built.publication, publish_on=D(2025, 10, 9))
    assert not PublicResult.objects.exists()
    assert services.publish(user=city_admin, publication=built.publication) == 3
    with pytest.raises(ValidationError, match="已于"):
        services.publish(user=admin_a, publication=built.publication)
    assert PublicResult.objects.count() == 3


def test_queue_no_later_than_the_deadline_then_publish_due_on_the_day(admin_a):
    """Issue 4: results are published or queued; a queued date after the 20-working-day
    deadline is refused with a clear message; `publish_due` publishes on the day."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))
    publication = built.publication
    with pytest.raises(ValidationError, match="不能晚于公示期限 2025-10-30"):
        services.queue(
            user=admin_a, publication=publication, publish_on=D(2025, 10, 31), today=D(2025, 9, 29)
        )
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PENDING and publication.publish_on is None
    services.queue(
        user=admin_a, publication=publication, publish_on=D(2025, 10, 30), today=D(2025, 9, 29)
    )
    assert services.publish_due(D(2025, 10, 29)) == []
    assert not PublicResult.objects.exists()
    ((done, count),) = services.publish_due(D(2025, 10, 30))
    assert done.pk == publication.pk and count == 3
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.published_by == admin_a  # on behalf of the supervisor who queued it
    assert services.publish_due(D(2025, 10, 31)) == []


def test_withdrawal_needs_a_reason_and_keeps_history(admin_a):
    """Issue 4 Must show: withdrawal keeps history. Only with a written reason; the row stays
    with the time, reason and who; an audit event records it."""
    built = F.finished_task(admin_a)
    services.publish(user=admin_a, publication=built.publication)
    entry = PublicResult.objects.first()
    with pytest.raises(ValidationError, match="撤回理由"):
        services.withdraw(user=admin_a, entry=entry, reason="  ")
    entry.refresh_from_db()
    assert entry.withdrawn_at is None
    services.withdraw(user=admin_a, entry=entry, reason="检查结果录入有误，经复核予以撤回")
    entry.refresh_from_db()
    assert entry.withdrawn and entry.withdrawn_by == admin_a
    assert entry.withdrawal_reason == "检查结果录入有误，经复核予以撤回"
    assert entry.code_text  # the row and what was published remain on record
    assert PublicResult.objects.count() == 3
    event = AuditEvent.objects.get(object_type="publication.publicresult", object_id=str(entry.pk))
    assert "检查结果录入有误" in event.note
    with pytest.raises(ValidationError, match="已于"):
        services.withdraw(user=admin_a, entry=entry, reason="再次撤回的理由")


def test_withdrawal_is_for_supervisors_only(admin_a, admin_b, station_a):
    """Withdrawal is a supervisor's act, like publication."""
    built = F.finished_task(admin_a)
    services.publish(user=admin_a, publication=built.publication)
    entry = PublicResult.objects.first()
    for user in (admin_b, station_a):
        with pytest.raises(PermissionDenied):
            services.withdraw(user=user, entry=entry, reason="无权撤回的测试理由")
    entry.refresh_from_db()
    assert not entry.withdrawn


def test_near_and_overdue_filters(admin_a):
    """The dashboard lists tasks near (≤5 working days left) or past their deadline."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))  # deadline 2025-10-30
    pk = built.publication.pk

    def listed(clock, today):
        qs = selectors.publication_list(admin_a, {"clock": clock}, today=today)
        return list(qs.values_list("pk", flat=True))

    assert listed("near", D(2025, 10, 22)) == []  # 6 working days left
    assert listed("near", D(2025, 10, 23)) == [pk]  # 5 left
    assert listed("overdue", D(2025, 10, 30)) == []
    assert listed("overdue", D(2025, 10, 31)) == [pk]
    (row,) = selectors.with_deadlines([built.publication], today=D(2025, 11, 3))
    assert row.overdue and row.days_over == 2
    services.publish(user=admin_a, publication=built.publication)
    assert listed("overdue", D(2025, 10, 31)) == []


def test_published_late_is_noted(admin_a):
    """A publication after the deadline is shown as 逾期公示 and the audit says so."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))
    late = timezone.make_aware(dt.datetime(2025, 11, 3, 10, 0))
    services.publish(user=admin_a, publication=built.publication, now=late)
    publication = Publication.objects.get(pk=built.publication.pk)
    (row,) = selectors.with_deadlines([publication], today=D(2025, 11, 3))
    assert row.late
    assert AuditEvent.objects.filter(note__contains="超过公示期限").exists()


def test_results_of_another_district_are_invisible(admin_a, admin_b):
    """Jurisdiction: a district sees only its own publications and results."""
    built = F.finished_task(admin_a)
    services.publish(user=admin_a, publication=built.publication)
    assert not selectors.publication_list(admin_b).exists()
    assert not selectors.result_list(admin_b).exists()
    assert selectors.result_list(admin_a).count() == 3
    assert Result.objects.count() == 4


def test_publish_due_leaves_a_queue_whose_supervisor_lost_the_right(admin_a):
    """publish_due acts for the supervisor who queued; if they may no longer publish (moved to
    read-only), nothing is published, the reason is reported and the queue stays."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))
    services.queue(
        user=admin_a, publication=built.publication, publish_on=D(2025, 10, 9), today=D(2025, 9, 29)
    )
    admin_a.role = "read_only"
    admin_a.save()
    ((publication, outcome),) = services.publish_due(D(2025, 10, 9))
    assert isinstance(outcome, str) and "管理员" in outcome
    publication.refresh_from_db()
    assert publication.status == Publication.Status.QUEUED
    assert not PublicResult.objects.exists()


def test_removing_a_calendar_entry_makes_the_deadline_provisional_again(admin_a, city_admin):
    """DOMAIN.md "Working days": the stored deadline follows the table both ways — removing the
    only 2027 entry leaves 2027 unknown again, and the deadline provisional."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    entry = workdays.calendar_add(user=city_admin, start=D(2027, 1, 1), kind="holiday")[0]
    workdays.calendar_remove(user=city_admin, entry=entry)
    built.publication.refresh_from_db()
    assert (built.publication.deadline, built.publication.deadline_provisional) == (
        D(2027, 1, 15),
        True,
    )
