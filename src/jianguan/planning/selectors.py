"""Reads of plans and tasks, always through `restrict(user, action)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from jianguan.catalog.models import CheckItem
from jianguan.core.scoping import VIEW
from jianguan.org.models import Unit

from .models import Plan, Task

if TYPE_CHECKING:
    from .filters import PlanFilters, TaskFilters

PLAN_UNIT_KINDS = (Unit.Kind.CITY, Unit.Kind.DISTRICT)  # who makes plans: the city and districts


def plan_list(*, user, filters: PlanFilters | None = None, action: str = VIEW) -> QuerySet[Plan]:
    """q: title contains; year; status; unit: unit id."""
    qs = (
        Plan.objects.restrict(user, action)
        .select_related("unit", "district", "filed_by", "approved_by")
        .annotate(task_count=Count("tasks"))
    )
    if filters is not None:
        qs = _plan_filtered(qs, filters)
    return qs.order_by("-year", "unit__sort", "id")


def _plan_filtered(qs: QuerySet[Plan], f: PlanFilters) -> QuerySet[Plan]:
    if f.q:
        qs = qs.filter(title__contains=f.q)
    if f.year is not None:
        qs = qs.filter(year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit is not None:
        qs = qs.filter(unit_id=f.unit)
    return qs


def plan_get(user, pk: int, action: str = VIEW) -> Plan:
    return plan_list(user=user, action=action).get(pk=pk)


def plan_years(*, user) -> list[int]:
    """The years of the plans the caller may see, newest first (the year filter's options)."""
    years = Plan.objects.restrict(user).order_by("-year").values_list("year", flat=True)
    return list(years.distinct())


def plan_units(*, user, action: str = VIEW) -> QuerySet[Unit]:
    """Units that may own a plan or task: the city and district bureaus in the jurisdiction."""
    return (
        Unit.objects.restrict(user, action)
        .filter(kind__in=PLAN_UNIT_KINDS, active=True)
        .order_by("sort", "code")
    )


def task_items(*, user) -> QuerySet[CheckItem]:
    """The check items of the tasks the caller may see (the item filter's options)."""
    return (
        CheckItem.objects.filter(tasks__in=Task.objects.restrict(user)).distinct().order_by("code")
    )


def task_list(*, user, filters: TaskFilters | None = None, action: str = VIEW) -> QuerySet[Task]:
    """q: title contains; year (the plan's); quarter (1–4, or none); status; item: check item
    id; item_code: check item code; joint: items of several departments or not; unit: unit id;
    plan: plan id."""
    qs = (
        Task.objects.restrict(user, action)
        .select_related("plan", "unit", "district")
        .prefetch_related("items", "items__department")
        .annotate(department_count=Count("items__department", distinct=True))
    )
    if filters is not None:
        qs = _task_filtered(qs, filters)
    return qs.order_by("-check_date", "-id")


def _task_filtered(qs: QuerySet[Task], f: TaskFilters) -> QuerySet[Task]:
    if f.q:
        qs = qs.filter(title__contains=f.q)
    if f.year is not None:
        qs = qs.filter(plan__year=f.year)
    if f.quarter == "none":
        qs = qs.filter(quarter__isnull=True)
    elif f.quarter:
        qs = qs.filter(quarter=int(f.quarter))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.item is not None:
        qs = qs.filter(items__pk=f.item).distinct()
    if f.item_code:
        qs = qs.filter(items__code=f.item_code).distinct()
    if f.joint is not None:
        qs = qs.filter(department_count__gt=1) if f.joint else qs.filter(department_count__lte=1)
    if f.unit is not None:
        qs = qs.filter(unit_id=f.unit)
    if f.plan is not None:
        qs = qs.filter(plan_id=f.plan)
    return qs


def task_get(user, pk: int, action: str = "view") -> Task:
    return (
        Task.objects.restrict(user, action)
        .select_related("plan", "unit", "district", "created_by")
        .prefetch_related("items", "items__department")
        .get(pk=pk)
    )
