"""/api/credit: the business-abnormal list and the serious-violation list, for other systems.

Read-only, for staff tokens; scoped by `restrict` (a listing belongs to its entity's district):
a listing outside the caller's jurisdiction answers 404. Errors use the common body
{"detail", "errors"} (jianguan/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Path, Query, Router, Schema

from jianguan.core.api import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    errors_doc,
    page,
)
from jianguan.org.models import Unit
from jianguan.registry.models import Entity

from . import selectors
from .filters import AbnormalFilters, SeriousFilters
from .models import AbnormalListing, SeriousListing

router = Router(tags=["信用分类与信用名单"])

AbnormalReason = Literal[tuple(AbnormalListing.Reason.values)]  # type: ignore[valid-type]
AbnormalStatus = Literal[tuple(AbnormalListing.Status.values)]  # type: ignore[valid-type]
SeriousCategory = Literal[tuple(SeriousListing.Category.values)]  # type: ignore[valid-type]
SeriousStatus = Literal[tuple(SeriousListing.Status.values)]  # type: ignore[valid-type]


def _choices(choices) -> str:
    return "；".join(f"{value or '空'} {label}" for value, label in choices)


class ListingUnit(Schema):
    id: int = Field(description="机构 id")
    name: str = Field(description="机构名称")


class ListedEntity(Schema):
    id: int = Field(description="检查对象 id")
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")
    district: ListingUnit = Field(description="所属区局")


class AbnormalOut(Schema):
    id: int
    entity: ListedEntity
    reason: AbnormalReason = Field(
        description="列入事由：" + _choices(AbnormalListing.Reason.choices)
    )
    reason_label: str = Field(description="列入事由（中文）")
    trigger_date: dt.date = Field(description="事由发生日期")
    listing_due: dt.date = Field(description="列入期限：事由发生后第10个工作日")
    listing_due_provisional: bool = Field(
        description="列入期限是否暂定（跨入尚无国务院节假日安排的年份，只按周末计算）"
    )
    listed_on: dt.date = Field(description="列入日期")
    listed_late: bool = Field(description="是否逾期列入")
    decided_by: ListingUnit = Field(description="作出决定机关")
    decision_no: str = Field(description="列入决定书文号")
    status: AbnormalStatus = Field(description="状态：" + _choices(AbnormalListing.Status.choices))
    status_label: str = Field(description="状态（中文）")
    cured_on: dt.date | None = Field(description="列入事由消除日期")
    removal_due: dt.date | None = Field(description="移出期限：事由消除后第5个工作日")
    removal_due_provisional: bool = Field(description="移出期限是否暂定")
    removal_overdue: bool = Field(description="移出是否超期")
    removed_on: dt.date | None = Field(description="移出决定日期")
    removal_reason: str = Field(
        description="移出原因：" + _choices(AbnormalListing.RemovalReason.choices)
    )
    removal_decision_no: str = Field(description="移出决定书文号")
    escalation_due: dt.date = Field(
        description="列入届满3年日期（届满仍未履行义务的转入严重违法失信名单）"
    )
    escalated_to: int | None = Field(description="转入的严重违法失信名单 id")
    note: str = Field(description="【内部】备注，不对外公示")


class SeriousOut(Schema):
    id: int
    entity: ListedEntity
    category: SeriousCategory = Field(
        description="列入情形：" + _choices(SeriousListing.Category.choices)
    )
    category_label: str = Field(description="列入情形（中文）")
    violation: str = Field(description="违法行为")
    penalty_decision_no: str = Field(description="较重行政处罚决定书文号")
    penalty_on: dt.date | None = Field(description="处罚决定日期")
    listed_by: ListingUnit = Field(description="列入机关（谁列入、谁移出）")
    notice_on: dt.date | None = Field(description="告知日期")
    defence_received_on: dt.date | None = Field(description="陈述申辩收到日期")
    defence_outcome: str = Field(
        description="陈述申辩处理：" + _choices(SeriousListing.Defence.choices)
    )
    defence_decided_on: dt.date | None = Field(description="陈述申辩处理日期")
    listed_on: dt.date | None = Field(description="列入日期（列入决定作出之日；拟列入时为空）")
    decision_no: str = Field(description="列入决定书文号")
    published_on: dt.date | None = Field(description="公示日期")
    expires_on: dt.date | None = Field(description="期满移出日期（列入满3年）")
    repair_eligible_on: dt.date | None = Field(description="最早可申请信用修复日期（列入满1年）")
    status: SeriousStatus = Field(description="状态：" + _choices(SeriousListing.Status.choices))
    status_label: str = Field(description="状态（中文）")
    removed_on: dt.date | None = Field(description="移出日期")
    removal_reason: str = Field(
        description="移出原因：" + _choices(SeriousListing.RemovalReason.choices)
    )
    note: str = Field(description="【内部】备注，不对外公示")


class AbnormalPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[AbnormalOut]


class SeriousPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[SeriousOut]


def _unit(unit: Unit) -> dict:
    return {"id": unit.pk, "name": unit.name}


def _entity(e: Entity) -> dict:
    return {"id": e.pk, "uscc": e.uscc, "name": e.name, "district": _unit(e.district)}


def _abnormal_out(a: AbnormalListing) -> dict[str, Any]:
    (a,) = selectors.with_clocks([a])
    return {
        "id": a.pk,
        "entity": _entity(a.entity),
        "reason": a.reason,
        "reason_label": a.get_reason_display(),
        "trigger_date": a.trigger_date,
        "listing_due": a.listing_due.date,
        "listing_due_provisional": a.listing_due.provisional,
        "listed_on": a.listed_on,
        "listed_late": a.listed_late,
        "decided_by": _unit(a.decided_by),
        "decision_no": a.decision_no,
        "status": a.status,
        "status_label": a.get_status_display(),
        "cured_on": a.cured_on,
        "removal_due": a.removal_due.date if a.removal_due else None,
        "removal_due_provisional": bool(a.removal_due and a.removal_due.provisional),
        "removal_overdue": a.removal_overdue,
        "removed_on": a.removed_on,
        "removal_reason": a.removal_reason,
        "removal_decision_no": a.removal_decision_no,
        "escalation_due": a.escalation_due,
        "escalated_to": a.escalated_to_id,
        "note": a.note,
    }


def _serious_out(s: SeriousListing) -> dict[str, Any]:
    fields = [
        "violation",
        "penalty_decision_no",
        "penalty_on",
        "notice_on",
        "defence_received_on",
        "defence_outcome",
        "defence_decided_on",
        "listed_on",
        "decision_no",
        "published_on",
        "expires_on",
        "repair_eligible_on",
        "status",
        "removed_on",
        "removal_reason",
        "note",
    ]
    return {
        "id": s.pk,
        "entity": _entity(s.entity),
        "category": s.category,
        "category_label": s.get_category_display(),
        "listed_by": _unit(s.listed_by),
        "status_label": s.get_status_display(),
        **{f: getattr(s, f) for f in fields},
    }


@router.get(
    "/abnormal",
    response={200: AbnormalPage, **LIST_ERRORS},
    summary="经营异常名录",
    description="调用者管辖范围内的经营异常名录（含列入中和已移出），按列入日期倒序，分页；"
    "含列入、移出期限和届满3年日期。\n\n" + errors_doc(LIST_ERRORS),
)
def list_abnormal(request, filters: Query[AbnormalFilters], paging: Query[PageParams]):
    qs = selectors.abnormal_list(user=request.auth, filters=filters)
    return page(qs, paging.limit, paging.offset, _abnormal_out)


@router.get(
    "/abnormal/{listing_id}",
    response={200: AbnormalOut, **DETAIL_ERRORS},
    summary="经营异常名录详情",
    description="管辖范围以外的记录答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_abnormal(request, listing_id: Annotated[ObjectId, Path(description="记录 id")]):
    return _abnormal_out(selectors.abnormal_get(user=request.auth, pk=listing_id))


@router.get(
    "/serious",
    response={200: SeriousPage, **LIST_ERRORS},
    summary="严重违法失信名单",
    description="调用者管辖范围内的严重违法失信名单（含拟列入、列入中和已移出），按列入日期倒序，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_serious(request, filters: Query[SeriousFilters], paging: Query[PageParams]):
    qs = selectors.serious_list(user=request.auth, filters=filters)
    return page(qs, paging.limit, paging.offset, _serious_out)


@router.get(
    "/serious/{listing_id}",
    response={200: SeriousOut, **DETAIL_ERRORS},
    summary="严重违法失信名单详情",
    description="管辖范围以外的记录答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_serious(request, listing_id: Annotated[ObjectId, Path(description="记录 id")]):
    return _serious_out(selectors.serious_get(user=request.auth, pk=listing_id))
