"""Reads of the publication pages and exports. Everything starts from `restrict(user, action)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jianguan.core import uscc
from jianguan.inspections.models import Inspection, Result
from jianguan.planning.models import Task
from jianguan.sampling.models import Draw, Visit
from jianguan.workdays import selectors as workdays

from .models import Publication, PublicResult


def draw_in_force(task: Task) -> Draw | None:
    return task.draws.filter(status=Draw.Status.DRAWN).order_by("-number", "-pk").first()


def confirmed_results(task: Task, draw: Draw | None = None):
    """The task's results that count: confirmed, on visits of its draw in force."""
    draw = draw or draw_in_force(task)
    return Result.objects.filter(
        task=task, visit__draw=draw, inspection__status=Inspection.Status.CONFIRMED
    )


def is_finished(task: Task, draw: Draw | None = None) -> bool:
    """Every visit of the task's draw in force carries a confirmed result for every item."""
    draw = draw or draw_in_force(task)
    if draw is None:
        return False
    visits = Visit.objects.filter(draw=draw).count()
    item_ids = list(task.items.values_list("pk", flat=True))
    confirmed = confirmed_results(task, draw).filter(item__in=item_ids).count()
    return visits > 0 and confirmed >= visits * len(item_ids)


NEAR_WORKING_DAYS = 5  # 临近期限: five working days or fewer left
PUBLICATION_FILTERS = ("q", "status", "clock", "district")
RESULT_FILTERS = ("q", "task", "code", "withdrawn", "publication", "district", "since")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def near_limit(today: dt.date | None = None) -> dt.date:
    """The last deadline that counts as near: today plus five working days."""
    return workdays.add_working_days(_today(today), NEAR_WORKING_DAYS).date


def publication_list(
    user, params: Mapping[str, str] | None = None, action: str = "view", today=None
) -> QuerySet[Publication]:
    """q: task title; status; clock: near (≤5 working days left) / overdue (past the deadline,
    not published); district: unit id."""
    params = params or {}
    today = _today(today)
    qs = Publication.objects.restrict(user, action).select_related(
        "task", "task__unit", "district", "published_by"
    )
    if q := (params.get("q") or "").strip():
        qs = qs.filter(task__title__contains=q)
    if status := params.get("status"):
        qs = qs.filter(status=status) if status in Publication.Status.values else qs.none()
    if district := params.get("district"):
        qs = qs.filter(district_id=district) if str(district).isdigit() else qs.none()
    unpublished = ~Q(status=Publication.Status.PUBLISHED)
    clock = params.get("clock")
    if clock == "near":
        qs = qs.filter(unpublished, deadline__gte=today, deadline__lte=near_limit(today))
    elif clock == "overdue":
        qs = qs.filter(unpublished, deadline__lt=today)
    elif clock:
        qs = qs.none()
    return qs.annotate(entry_count=Count("entries")).order_by("deadline", "id")


def working_days_left(deadline: dt.date, today: dt.date) -> int:
    """Working days from tomorrow up to the deadline (negative when past: days overdue)."""
    step = 1 if deadline >= today else -1
    day, n = today, 0
    while day != deadline:
        day += dt.timedelta(days=step)
        if workdays.is_working_day(day):
            n += step
    return n


def with_deadlines(rows, today: dt.date | None = None) -> list[Publication]:
    """Set on each publication: days_left, overdue, near, late (published after the deadline)."""
    today = _today(today)
    rows = list(rows)
    for p in rows:
        published = p.status == Publication.Status.PUBLISHED
        p.days_left = None if published else working_days_left(p.due.date, today)
        p.overdue = not published and today > p.due.date
        p.days_over = -p.days_left if p.overdue else 0
        p.near = not published and not p.overdue and p.days_left <= NEAR_WORKING_DAYS
        p.late = bool(published and timezone.localdate(p.published_at) > p.due.date)
    return rows


def publication_counts(user, today=None) -> dict[str, int]:
    """The dashboard's figures."""
    today = _today(today)
    qs = Publication.objects.restrict(user)
    unpublished = ~Q(status=Publication.Status.PUBLISHED)
    return qs.aggregate(
        pending=Count("id", filter=Q(status=Publication.Status.PENDING)),
        queued=Count("id", filter=Q(status=Publication.Status.QUEUED)),
        published=Count("id", filter=Q(status=Publication.Status.PUBLISHED)),
        near=Count(
            "id",
            filter=unpublished & Q(deadline__gte=today, deadline__lte=near_limit(today)),
        ),
        overdue=Count("id", filter=unpublished & Q(deadline__lt=today)),
    )


def task_results(publication: Publication) -> QuerySet[Result]:
    """The confirmed results of the publication's task (staff only: the detail page)."""
    return (
        confirmed_results(publication.task)
        .select_related("entity", "item", "code", "code__parent", "inspection")
        .order_by("entity__name", "item__code", "pk")
    )


def _search(qs: QuerySet, q: str) -> QuerySet:
    code = uscc.normalise(q)
    if code.isalnum() and code.isascii() and len(code) >= 6:
        if len(code) == 18:
            return qs.filter(uscc=code)
        return qs.filter(uscc__startswith=code)
    return qs.filter(entity_name__contains=q)


def result_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[PublicResult]:
    """q: name or credit code; task: task id; code: result code; withdrawn: yes/no;
    publication: publication id; district: unit id."""
    params = params or {}
    qs = PublicResult.objects.restrict(user, action).select_related("withdrawn_by", "publication")
    if q := (params.get("q") or "").strip():
        qs = _search(qs, q)
    for key, field in (("task", "publication__task_id"), ("publication", "publication_id")):
        if value := params.get(key):
            qs = qs.filter(**{field: value}) if str(value).isdigit() else qs.none()
    if district := params.get("district"):
        qs = qs.filter(district_id=district) if str(district).isdigit() else qs.none()
    if code := (params.get("code") or "").strip():
        qs = qs.filter(code=code)
    if since := params.get("since"):
        try:
            qs = _published_since(qs, dt.date.fromisoformat(str(since)))
        except ValueError:
            qs = qs.none()
    withdrawn = params.get("withdrawn")
    if withdrawn == "yes":
        qs = qs.filter(withdrawn_at__isnull=False)
    elif withdrawn == "no":
        qs = qs.filter(withdrawn_at__isnull=True)
    elif withdrawn:
        qs = qs.none()
    return qs.order_by("-published_at", "-id")


def interchange_rows(qs: QuerySet[PublicResult], since: dt.date | None = None):
    """What goes to the national credit publicity system: published, not withdrawn."""
    qs = qs.filter(withdrawn_at__isnull=True)
    if since:
        qs = _published_since(qs, since)
    return qs.order_by("published_at", "id")


def withdrawal_rows(qs: QuerySet[PublicResult], since: dt.date | None = None):
    """Withdrawn results, for receivers to take them off public view; `since`: withdrawn on
    that day or later."""
    qs = qs.filter(withdrawn_at__isnull=False)
    if since:
        qs = qs.filter(withdrawn_at__gte=_midnight(since))
    return qs.order_by("withdrawn_at", "id")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _published_since(qs: QuerySet[PublicResult], day: dt.date) -> QuerySet[PublicResult]:
    """Published on `day` or later (midnight in the site's time zone: an index range)."""
    return qs.filter(published_at__gte=_midnight(day))


def task_options(user) -> list[tuple[str, str]]:
    """(task id, title) of the tasks with published results, for the filter."""
    rows = (
        Publication.objects.restrict(user)
        .filter(status=Publication.Status.PUBLISHED)
        .values_list("task_id", "task__title")
        .order_by("-published_at")[:200]
    )
    return [(str(pk), title) for pk, title in rows]


ENTITY_ROWS = 50


def entity_public_results(entity) -> list[PublicResult]:
    """The entity's published results, newest first, withdrawals included. Not scoped: these
    rows are public (the portal shows them to anyone); the entity's file itself is scoped."""
    return list(
        PublicResult.objects.filter(entity=entity).order_by("-published_at", "-id")[:ENTITY_ROWS]
    )


def dashboard_todo(user) -> dict:
    """Publications near or past their deadline (the home page, registered in
    `PublicationConfig.ready`)."""
    counts = publication_counts(user)
    return {"publications_near": counts["near"], "publications_overdue": counts["overdue"]}
