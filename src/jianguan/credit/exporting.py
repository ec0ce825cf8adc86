"""The columns of the credit lists' exports (xlsx/csv through core.tabular: formula-safe,
Excel-friendly); the rows carry their clocks (selectors.with_clocks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _yes(value: bool) -> str:
    return "是" if value else ""


ABNORMAL_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("统一社会信用代码", lambda r: r.entity.uscc),
    ("名称", lambda r: r.entity.name),
    ("所属区局", lambda r: r.entity.district.name),
    ("列入事由", lambda r: r.get_reason_display()),
    ("事由发生日期", lambda r: r.trigger_date),
    ("列入期限", lambda r: r.listing_due.date),
    ("列入日期", lambda r: r.listed_on),
    ("逾期列入", lambda r: _yes(r.listed_late)),
    ("作出决定机关", lambda r: r.decided_by.name),
    ("列入决定书文号", lambda r: r.decision_no),
    ("状态", lambda r: r.get_status_display()),
    ("事由消除日期", lambda r: r.cured_on),
    ("移出期限", lambda r: r.removal_due.date if r.removal_due else None),
    ("移出日期", lambda r: r.removed_on),
    ("移出原因", lambda r: r.get_removal_reason_display()),
    ("移出决定书文号", lambda r: r.removal_decision_no),
    ("届满3年日期", lambda r: r.escalation_due),
]

SERIOUS_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("统一社会信用代码", lambda r: r.entity.uscc),
    ("名称", lambda r: r.entity.name),
    ("所属区局", lambda r: r.entity.district.name),
    ("列入情形", lambda r: r.get_category_display()),
    ("较重行政处罚决定书文号", lambda r: r.penalty_decision_no),
    ("列入机关", lambda r: r.listed_by.name),
    ("告知日期", lambda r: r.notice_on),
    ("列入日期", lambda r: r.listed_on),
    ("列入决定书文号", lambda r: r.decision_no),
    ("公示日期", lambda r: r.published_on),
    ("期满移出日期", lambda r: r.expires_on),
    ("状态", lambda r: r.get_status_display()),
    ("移出日期", lambda r: r.removed_on),
    ("移出原因", lambda r: r.get_removal_reason_display()),
]

COMMITMENT_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("统一社会信用代码", lambda r: r.entity.uscc),
    ("名称", lambda r: r.entity.name),
    ("所属区局", lambda r: r.entity.district.name),
    ("承诺类型", lambda r: r.get_kind_display()),
    ("承诺内容", lambda r: r.content),
    ("承诺日期", lambda r: r.signed_on),
    ("履行状态", lambda r: r.get_status_display()),
    ("认定日期", lambda r: r.status_on),
]
