"""Filters of the plan and task lists (core/filters.py): pages, exports and the API parse them with
these declarations."""

from jianguan.core.filters import Choice, Filters, Flag, Pattern, Ref, Search, Year

from .models import Plan, Task

QUARTERS = (
    ("1", "第一季度"),
    ("2", "第二季度"),
    ("3", "第三季度"),
    ("4", "第四季度"),
    ("none", "未指定季度"),
)
ITEM_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


class PlanFilters(Filters):
    q: Search("输入名称关键字", label="计划名称") = None
    year: Year() = None
    status: Choice("状态", Plan.Status.choices) = None
    unit: Ref("制定单位") = None


class TaskFilters(Filters):
    q: Search("输入名称关键字", label="任务名称") = None
    year: Year() = None
    quarter: Choice("季度", QUARTERS) = None
    status: Choice("状态", Task.Status.choices) = None
    item: Ref("检查事项") = None
    item_code: Pattern("检查事项代码", ITEM_CODE) = None
    joint: Flag("联合抽查（涉及多个部门）") = None
    unit: Ref("执行单位") = None
    plan: Ref("抽查计划") = None


class PlanParam(Filters):
    """?plan=<id>: a task form opened from a plan starts in that plan."""

    plan: Ref("抽查计划") = None
