"""/api/inspections: the inspector's visits, inspection records with their results, follow-ups.

Reads only (records are written on the pages, on site). Scoped like the pages: a visit answers
when it lies in the caller's jurisdiction or the caller is on its team; otherwise 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from jianguan.core.api import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    TaskRef,
    errors_doc,
)
from jianguan.core.api import page as paged
from jianguan.sampling.models import Visit

from . import selectors
from .filters import FollowUpFilters, VisitFilters
from .models import FollowUp

router = Router(tags=["检查实施"])

VisitStatus = Literal[tuple(c for c, _l in selectors.STATUS_CHOICES)]  # type: ignore[valid-type]
STATUS_HELP = "；".join(f"{c} {label}" for c, label in selectors.STATUS_CHOICES)
FollowUpStatus = Literal[tuple(FollowUp.Status.values)]  # type: ignore[valid-type]
FOLLOW_UP_HELP = "；".join(f"{c} {label}" for c, label in FollowUp.Status.choices)


class InspectionVisitOut(Schema):
    id: int = Field(description="检查（户）id：主检查，合并的检查在其上录入")
    entity_id: int = Field(description="检查对象 id")
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")
    address: str = Field(description="住所（经营场所）")
    task: TaskRef
    merged_tasks: list[TaskRef] = Field(description="合并到本次上门检查的其他任务")
    window_start: dt.date | None = Field(description="检查开始日期")
    window_end: dt.date | None = Field(description="检查结束日期")
    status: VisitStatus = Field(description="录入状态：" + STATUS_HELP)
    status_label: str = Field(description="录入状态（中文）")
    checked_on: dt.date | None = Field(description="检查日期")
    impossible: bool = Field(description="无法实施检查")


class InspectionVisitPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[InspectionVisitOut]


class InspectionResultOut(Schema):
    visit_id: int = Field(description="事项所属的检查（户）id（合并检查时为被合并的检查）")
    task: TaskRef
    item_code: str = Field(description="抽查事项编码")
    item_name: str = Field(description="抽查事项名称")
    recorded: bool = Field(description="是否已录入")
    method: str | None = Field(description="检查方式代码")
    method_label: str | None = Field(description="检查方式")
    code: str | None = Field(description="检查结果代码")
    code_name: str | None = Field(description="检查结果")
    findings: str | None = Field(description="检查情况")
    measure: str | None = Field(description="后续处置措施代码")
    measure_label: str | None = Field(description="后续处置措施")
    rectify_by: dt.date | None = Field(description="整改期限")
    public: bool | None = Field(description="是否公示")
    non_public_reason: str | None = Field(description="不予公示理由")


class InspectionOut(InspectionVisitOut):
    impossible_reason: str = Field(description="无法实施检查的原因")
    recorded_by: str | None = Field(description="录入人")
    confirmed_by: str | None = Field(description="确认人")
    confirmed_at: dt.datetime | None = Field(description="确认时间")
    evidence_count: int = Field(description="证据材料数量")
    results: list[InspectionResultOut]


class FollowUpOut(Schema):
    id: int
    entity_id: int = Field(description="检查对象 id")
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")
    district: str = Field(description="管辖区局")
    station: str | None = Field(description="管辖所队")
    task: TaskRef
    item_name: str = Field(description="抽查事项")
    code: str = Field(description="检查结果代码")
    code_name: str = Field(description="检查结果")
    due_on: dt.date | None = Field(description="整改期限")
    overdue: bool = Field(description="逾期：仍待复查且已过整改期限")
    status: FollowUpStatus = Field(description="状态：" + FOLLOW_UP_HELP)
    status_label: str = Field(description="状态（中文）")
    rechecked_on: dt.date | None = Field(description="复查日期")
    case_ref: str = Field(description="移送案件编号")


class FollowUpPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[FollowUpOut]


VisitId = Annotated[ObjectId, Path(description="检查（户）id")]


def _task(t) -> dict[str, Any]:
    return {"id": t.pk, "title": t.title}


def _visit_out(v: Visit) -> dict[str, Any]:
    inspection = selectors.inspection_of(v)
    status = selectors.status_of(v)
    task = v.draw.task
    return {
        "id": v.pk,
        "entity_id": v.entity_id,
        "uscc": v.entity.uscc,
        "name": v.entity.name,
        "address": v.entity.address,
        "task": _task(task),
        "merged_tasks": [_task(m.draw.task) for m in v.merged.all()],
        "window_start": task.window_start or task.check_date,
        "window_end": task.window_end,
        "status": status,
        "status_label": str(dict(selectors.STATUS_CHOICES)[status]),
        "checked_on": inspection.checked_on if inspection else None,
        "impossible": bool(inspection and inspection.impossible),
    }


def _line_out(line) -> dict[str, Any]:
    r = line.result
    out = {
        "visit_id": line.visit.pk,
        "task": _task(line.visit.draw.task),
        "item_code": line.item.code,
        "item_name": line.item.name,
        "recorded": r is not None,
    }
    keys = ("method", "method_label", "code", "code_name", "findings", "measure")
    out.update(dict.fromkeys(keys + ("measure_label", "rectify_by", "public", "non_public_reason")))
    if r is not None:
        out.update(
            method=r.method,
            method_label=r.get_method_display(),
            code=r.code.code,
            code_name=r.code.name,
            findings=r.findings,
            measure=r.measure,
            measure_label=r.get_measure_display(),
            rectify_by=r.rectify_by,
            public=r.public,
            non_public_reason=r.non_public_reason,
        )
    return out


def _follow_up_out(f: FollowUp) -> dict[str, Any]:
    r = f.result
    return {
        "id": f.pk,
        "entity_id": f.entity_id,
        "uscc": f.entity.uscc,
        "name": f.entity.name,
        "district": f.district.name,
        "station": f.station.name if f.station_id else None,
        "task": _task(r.task),
        "item_name": r.item.name,
        "code": r.code.code,
        "code_name": r.code.name,
        "due_on": f.due_on,
        "overdue": selectors.is_overdue(f),
        "status": f.status,
        "status_label": f.get_status_display(),
        "rechecked_on": f.rechecked_on,
        "case_ref": f.case_ref,
    }


@router.get(
    "/mine",
    response={200: InspectionVisitPage, **LIST_ERRORS},
    summary="我的检查",
    description="调用者（关联了执法检查人员的账号）作为检查人员参加的、抽取有效的检查（户），"
    "含合并到其上的其他任务。未关联检查人员的账号得到空列表。\n\n" + errors_doc(LIST_ERRORS),
)
def my_visits(request, filters: Query[VisitFilters], paging: Query[PageParams]):
    rows = selectors.my_visits(user=request.auth, filters=filters)
    items = rows[paging.offset : paging.offset + paging.limit]
    return {"count": len(rows), "items": [_visit_out(v) for v in items]}


@router.get(
    "",
    response={200: InspectionVisitPage, **LIST_ERRORS},
    summary="检查记录列表",
    description="调用者管辖范围内、抽取有效的检查（户）及其录入状态，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_inspections(request, filters: Query[VisitFilters], paging: Query[PageParams]):
    qs = selectors.inspection_list(user=request.auth, filters=filters)
    return paged(qs, paging.limit, paging.offset, _visit_out)


@router.get(
    "/visits/{visit_id}",
    response={200: InspectionOut, **DETAIL_ERRORS},
    summary="检查记录详情",
    description="一次上门检查的全部事项及其检查结果（合并的检查一并列出）。合并到其他检查的 id "
    "答复其主检查。管辖范围以外且不是检查人员时答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_inspection(request, visit_id: VisitId):
    try:
        visit = selectors.visit_get(request.auth, visit_id)
    except Visit.DoesNotExist:
        raise Http404 from None
    host = visit.merged_into if visit.merged_into_id else visit
    if host.pk != visit.pk:
        host = selectors.visit_get(request.auth, host.pk)
    inspection = selectors.inspection_of(host)
    out = _visit_out(host)
    out.update(
        impossible_reason=inspection.impossible_reason if inspection else "",
        recorded_by=inspection.recorded_by.name if inspection and inspection.recorded_by else None,
        confirmed_by=(
            inspection.confirmed_by.name if inspection and inspection.confirmed_by else None
        ),
        confirmed_at=inspection.confirmed_at if inspection else None,
        evidence_count=inspection.evidence.count() if inspection else 0,
        results=[_line_out(line) for line in selectors.lines(host)],
    )
    return out


@router.get(
    "/follow-ups",
    response={200: FollowUpPage, **LIST_ERRORS},
    summary="后续处置列表",
    description="检查发现问题后，由对检查对象有管辖权的单位跟进的事项（谁管辖、谁负责），"
    "按整改期限排序；overdue=true 只列逾期未复查的。\n\n" + errors_doc(LIST_ERRORS),
)
def list_follow_ups(request, filters: Query[FollowUpFilters], paging: Query[PageParams]):
    qs = selectors.follow_up_list(user=request.auth, filters=filters)
    return paged(qs, paging.limit, paging.offset, _follow_up_out)
