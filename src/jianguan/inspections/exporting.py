"""The inspection and follow-up lists as xlsx/csv (core.tabular: formulas neutralised)."""

from __future__ import annotations

from jianguan.core.tabular import Column, format_date

from . import selectors

INSPECTION_COLUMNS = [
    Column("统一社会信用代码", "uscc"),
    Column("检查对象", "name"),
    Column("住所（经营场所）", "address"),
    Column("抽查任务", "task"),
    Column("检查开始日期", "window_start", format=format_date),
    Column("检查结束日期", "window_end", format=format_date),
    Column("合并检查的任务", "merged"),
    Column("状态", "status"),
    Column("检查日期", "checked_on", format=format_date),
    Column("无法实施检查", "impossible"),
]


def inspection_records(visits):
    labels = dict(selectors.STATUS_CHOICES)
    for v in visits.iterator(chunk_size=2000):
        inspection = selectors.inspection_of(v)
        task = v.draw.task
        yield [
            v.entity.uscc,
            v.entity.name,
            v.entity.address,
            task.title,
            task.window_start or task.check_date,
            task.window_end,
            "、".join(m.draw.task.title for m in v.merged.all()),
            str(labels[selectors.status_of(v)]),
            inspection.checked_on if inspection else None,
            "是" if inspection and inspection.impossible else "",
        ]


FOLLOW_UP_COLUMNS = [
    Column("统一社会信用代码", "uscc"),
    Column("检查对象", "name"),
    Column("管辖区局", "district"),
    Column("管辖所队", "station"),
    Column("抽查任务", "task"),
    Column("抽查事项", "item"),
    Column("检查结果", "code"),
    Column("检查日期", "checked_on", format=format_date),
    Column("整改期限", "due_on", format=format_date),
    Column("状态", "status"),
    Column("逾期", "overdue"),
    Column("复查日期", "rechecked_on", format=format_date),
    Column("复查情况", "recheck_note"),
    Column("移送案件编号", "case_ref"),
]


def follow_up_records(qs):
    for f in qs.iterator(chunk_size=2000):
        r = f.result
        yield [
            f.entity.uscc,
            f.entity.name,
            f.district.name,
            f.station.name if f.station_id else "",
            r.task.title,
            f"{r.item.code} {r.item.name}",
            f"{r.code.code} {r.code.name}",
            r.inspection.checked_on,
            f.due_on,
            str(f.get_status_display()),
            "是" if selectors.is_overdue(f) else "",
            f.rechecked_on,
            f.recheck_note,
            f.case_ref,
        ]
