"""Filters of the plan and task lists (core/filters.py): the pages, their exports and the API
read the lists through these declarations."""

from django.utils import timezone

from jianguan.core.filters import Choice, Filters, Flag, Pattern, Ref, Search, Year

from . import selectors
from .models import Plan, Task

QUARTERS = (
    ("1", "第一季度"),
    ("2", "第二季度"),
    ("3", "第三季度"),
    ("4", "第四季度"),
    ("none", "未指定"),
)
ITEM_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


def year_options(user, filters=None) -> list[tuple[str, str]]:
    """The years of the caller's plans, and this year (a plan is made for it)."""
    years = {*selectors.plan_years(user=user), timezone.localdate().year}
    return [(str(y), f"{y} 年") for y in sorted(years, reverse=True)]


def unit_options(user, filters=None) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in selectors.plan_units(user=user)]


def item_options(user, filters=None) -> list[tuple[str, str]]:
    return [(i.pk, f"{i.code} {i.name}") for i in selectors.task_items(user=user)]


class PlanFilters(Filters):
    q: Search("输入名称关键字", label="计划名称") = None
    year: Year("年度", year_options) = None
    status: Choice("状态", Plan.Status.choices) = None
    unit: Ref("制定单位", unit_options, col="col-12 col-md-4 col-lg-3") = None


class TaskFilters(Filters):
    q: Search("输入名称关键字", label="任务名称") = None
    year: Year("年度", year_options) = None
    quarter: Choice("季度", QUARTERS) = None
    status: Choice("状态", Task.Status.choices) = None
    item: Ref("抽查事项", item_options, col="col-12 col-md-6 col-lg-2") = None
    item_code: Pattern("抽查事项编码", ITEM_CODE) = None
    joint: Flag("联合抽查", "联合抽查", "单一部门") = None
    unit: Ref("组织单位") = None
    plan: Ref("抽查计划") = None


class PlanParam(Filters):
    """?plan=<id>: a task form opened from a plan starts in that plan."""

    plan: Ref("抽查计划") = None
