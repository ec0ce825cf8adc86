"""Plan and task lists as xlsx or csv (core.tabular: formulas neutralised, dates as dates)."""

from __future__ import annotations

from django.utils import timezone

from jianguan.core import tabular
from jianguan.core.tabular import Column

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


PLAN_COLUMNS = [
    Column("计划名称", "title"),
    Column("制定单位", "unit"),
    Column("年度", "year"),
    Column("状态", "status"),
    Column("任务数", "task_count"),
    Column("报备时间", "filed_at", format=_when),
    Column("批准时间", "approved_at", format=_when),
    Column("批准人", "approved_by"),
    Column("说明", "note"),
]

TASK_COLUMNS = [
    Column("任务名称", "title"),
    Column("组织单位", "unit"),
    Column("所属计划", "plan"),
    Column("年度", "year"),
    Column("批次", "batch"),
    Column("季度", "quarter"),
    Column("计划检查日期", "check_date", format=tabular.format_date),
    Column("检查开始日期", "window_start", format=tabular.format_date),
    Column("检查结束日期", "window_end", format=tabular.format_date),
    Column("抽查事项", "items"),
    Column("联合抽查", "joint", format=tabular.format_yes_no),
    Column("状态", "status"),
]


def plan_records(qs):
    for p in qs:
        yield [
            p.title,
            p.unit.name,
            p.year,
            p.get_status_display(),
            p.task_count if hasattr(p, "task_count") else p.tasks.count(),
            p.filed_at,
            p.approved_at,
            str(p.approved_by) if p.approved_by_id else "",
            p.note,
        ]


def task_records(qs):
    for t in qs:
        items = list(t.items.all())
        yield [
            t.title,
            t.unit.name,
            t.plan.title,
            t.plan.year,
            t.batch,
            QUARTERS.get(t.quarter, ""),
            t.check_date,
            t.window_start,
            t.window_end,
            "；".join(f"{i.code} {i.name}" for i in items),
            len({i.department_id for i in items}) > 1,
            t.get_status_display(),
        ]
