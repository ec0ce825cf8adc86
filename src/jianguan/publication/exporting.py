"""Exports: the staff lists (xlsx/csv) and the interchange file for the national enterprise credit
publicity system (国家企业信用信息公示系统), whose layout docs/interchange.md describes.

Every file goes through core.tabular's writers (formula neutralisation, UTF-8 with BOM for csv)
except JSON, which is written here, one record at a time, so that half a million rows never sit
in memory. The interchange reads PublicResult alone: nothing unpublished, internal or personal
can reach it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.utils import timezone

from jianguan.core.downloads import Spec
from jianguan.core.tabular import Column, write_table

from .models import PublicResult

CHUNK = 2000
INTERCHANGE_FORMAT = "jianguan-public-results"
INTERCHANGE_VERSION = 1


def _stamp(value: dt.datetime | None) -> str:
    """A moment as ISO 8601 in the site's time zone, to the second: 2026-11-23T16:05:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _yes(value: bool) -> str:
    return "是" if value else ""


# --- staff lists ---------------------------------------------------------------------------------

PUBLICATION_COLUMNS: Spec = [
    ("抽查任务", lambda p: p.task.title),
    ("组织单位", lambda p: p.task.unit.name),
    ("所属区局", lambda p: p.district.name if p.district else ""),
    ("任务完成日期", lambda p: p.finished_on),
    ("公示期限", lambda p: p.due.date),
    ("期限暂定", lambda p: _yes(p.due.provisional)),
    ("状态", lambda p: p.get_status_display()),
    ("已逾期", lambda p: _yes(p.overdue or p.late)),
    ("排期公示日期", lambda p: p.publish_on),
    ("公示时间", lambda p: _stamp(p.published_at)),
    ("公示结果数", lambda p: p.entry_count),
]

RESULT_COLUMNS: Spec = [
    ("统一社会信用代码", lambda r: r.uscc),
    ("名称", lambda r: r.entity_name),
    ("抽查任务", lambda r: r.task_title),
    ("抽查事项", lambda r: r.item),
    ("检查机关", lambda r: r.authority),
    ("检查日期", lambda r: r.checked_on),
    ("结果代码", lambda r: r.code),
    ("检查结果", lambda r: r.code_text),
    ("公示时间", lambda r: _stamp(r.published_at)),
    ("已撤回", lambda r: _yes(r.withdrawn)),
    ("撤回时间", lambda r: _stamp(r.withdrawn_at)),
    ("撤回理由", lambda r: r.withdrawal_reason),
]


def _chunked(qs) -> Iterable[Any]:
    """Rows by primary-key chunks: memory stays flat however long the list."""
    last = 0
    qs = qs.order_by("pk")
    while True:
        rows = list(qs.filter(pk__gt=last)[:CHUNK])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


# --- interchange ---------------------------------------------------------------------------------

# (key, Chinese label, type, getter): the layouts of docs/interchange.md, in column order.
Fields = list[tuple[str, str, str, Callable[[PublicResult], Any]]]

INTERCHANGE_FIELDS: Fields = [
    ("record_id", "记录编号", "integer", lambda r: r.pk),
    ("uscc", "统一社会信用代码", "string(18)", lambda r: r.uscc),
    ("entity_name", "市场主体名称", "string(≤200)", lambda r: r.entity_name),
    ("task", "抽查任务名称", "string(≤200)", lambda r: r.task_title),
    ("item", "抽查事项", "string(≤300)", lambda r: r.item),
    ("authority", "检查机关", "string(≤200)", lambda r: r.authority),
    ("checked_on", "检查日期", "date", lambda r: r.checked_on),
    ("result_code", "检查结果代码", "string(≤16)", lambda r: r.code),
    ("result_text", "检查结果", "string(≤300)", lambda r: r.code_text),
    ("published_at", "公示时间", "datetime", lambda r: _stamp(r.published_at)),
]
INTERCHANGE_KEYS = [key for key, *_rest in INTERCHANGE_FIELDS]

# Withdrawals (撤回): what a receiver needs to take a record it has loaded off public view.
WITHDRAWAL_FIELDS: Fields = [
    ("record_id", "记录编号", "integer", lambda r: r.pk),
    ("uscc", "统一社会信用代码", "string(18)", lambda r: r.uscc),
    ("entity_name", "市场主体名称", "string(≤200)", lambda r: r.entity_name),
    ("withdrawn_at", "撤回时间", "datetime", lambda r: _stamp(r.withdrawn_at)),
    ("withdrawal_reason", "撤回理由", "string", lambda r: r.withdrawal_reason),
]
WITHDRAWAL_KEYS = [key for key, *_rest in WITHDRAWAL_FIELDS]


def interchange_record(entry: PublicResult, fields: Fields = INTERCHANGE_FIELDS) -> dict[str, Any]:
    record = {key: get(entry) for key, _label, _type, get in fields}
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def write_interchange(target: IO[bytes], qs, fmt: str, withdrawals: bool = False) -> int:
    """Write the interchange file (csv/xlsx: a header row of keys or labels; json: an object
    with the records): the published results, or with `withdrawals` the withdrawn ones. `qs`:
    PublicResult rows, already limited to the one kind."""
    fields = WITHDRAWAL_FIELDS if withdrawals else INTERCHANGE_FIELDS
    rows = _chunked(qs)
    if fmt == "json":
        return _write_json(target, rows, fields, "withdrawals" if withdrawals else "results")
    # csv: the keys, stable for loading programs; xlsx: the Chinese labels, for people.
    columns = [Column(key if fmt == "csv" else label, key) for key, label, _t, _g in fields]
    getters = [get for *_rest, get in fields]
    return write_table(target, columns, ([get(r) for get in getters] for r in rows), fmt)


def _write_json(target: IO[bytes], rows: Iterable[PublicResult], fields: Fields, name: str) -> int:
    head = {
        "format": INTERCHANGE_FORMAT,
        "version": INTERCHANGE_VERSION,
        "generated_at": _stamp(timezone.now()),
    }
    target.write(json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8"))
    target.write(f', "{name}": ['.encode())
    count = 0
    for entry in rows:
        if count:
            target.write(b",")
        record = interchange_record(entry, fields)
        target.write(b"\n  " + json.dumps(record, ensure_ascii=False).encode())
        count += 1
    target.write(f'\n], "count": {count}}}\n'.encode())
    return count
