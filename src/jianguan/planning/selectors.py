"""Reads of plans and tasks, always through `restrict(user, action)`."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Count, QuerySet

from .models import Plan, Task

PLAN_FILTERS = ("q", "year", "status", "unit")
TASK_FILTERS = ("q", "year", "quarter", "status", "item", "item_code", "joint", "unit", "plan")


def _digits(value) -> str | None:
    value = str(value or "").strip()
    return value if value.isdigit() and len(value) <= 18 else None


def plan_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[Plan]:
    """q: title contains; year; status; unit: unit id."""
    params = params or {}
    qs = (
        Plan.objects.restrict(user, action)
        .select_related("unit", "district", "filed_by", "approved_by")
        .annotate(task_count=Count("tasks"))
    )
    if q := (params.get("q") or "").strip():
        qs = qs.filter(title__contains=q)
    if (year := _digits(params.get("year"))) and len(year) == 4:
        qs = qs.filter(year=int(year))
    if (status := params.get("status")) in Plan.Status.values:
        qs = qs.filter(status=status)
    if unit := _digits(params.get("unit")):
        qs = qs.filter(unit_id=int(unit))
    return qs.order_by("-year", "unit__sort", "id")


def plan_get(user, pk: int, action: str = "view") -> Plan:
    return plan_list(user, action=action).get(pk=pk)


def task_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[Task]:
    """q: title contains; year (the plan's); quarter; status; item: check item id;
    item_code: check item code;
    joint: 1 (items of several departments) / 0; unit: unit id; plan: plan id."""
    params = params or {}
    qs = (
        Task.objects.restrict(user, action)
        .select_related("plan", "unit", "district")
        .prefetch_related("items", "items__department")
        .annotate(department_count=Count("items__department", distinct=True))
    )
    if q := (params.get("q") or "").strip():
        qs = qs.filter(title__contains=q)
    if (year := _digits(params.get("year"))) and len(year) == 4:
        qs = qs.filter(plan__year=int(year))
    if (quarter := params.get("quarter")) in ("1", "2", "3", "4"):
        qs = qs.filter(quarter=int(quarter))
    elif quarter == "none":
        qs = qs.filter(quarter__isnull=True)
    if (status := params.get("status")) in Task.Status.values:
        qs = qs.filter(status=status)
    if item := _digits(params.get("item")):
        qs = qs.filter(items__pk=int(item)).distinct()
    if code := (params.get("item_code") or "").strip():
        qs = qs.filter(items__code=code).distinct()
    if params.get("joint") == "1":
        qs = qs.filter(department_count__gt=1)
    elif params.get("joint") == "0":
        qs = qs.filter(department_count__lte=1)
    if unit := _digits(params.get("unit")):
        qs = qs.filter(unit_id=int(unit))
    if plan := _digits(params.get("plan")):
        qs = qs.filter(plan_id=int(plan))
    return qs.order_by("-check_date", "-id")


def task_get(user, pk: int, action: str = "view") -> Task:
    return (
        Task.objects.restrict(user, action)
        .select_related("plan", "unit", "district", "created_by")
        .prefetch_related("items", "items__department")
        .get(pk=pk)
    )
