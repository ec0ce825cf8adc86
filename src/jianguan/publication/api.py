"""/api/publication: tasks' publications and the published results, for other systems.

Staff tokens; scoped by `restrict` (a publication belongs to its task's district): outside the
caller's jurisdiction answers 404. The results carry the interchange layout of
docs/interchange.md plus the withdrawal; nothing internal (risk class, inspectors, findings).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema

from jianguan.core.api import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    Text,
    error_responses,
    errors_doc,
    page,
)

from . import exporting, permissions, selectors, services
from .models import Publication, PublicResult

router = Router(tags=["结果公示"])

Status = Literal[tuple(Publication.Status.values)]  # type: ignore[valid-type]
PUBLISH_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


def _choices(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


class PublicationOut(Schema):
    id: int
    task_id: int = Field(description="抽查任务 id")
    task: str = Field(description="抽查任务名称")
    authority: str = Field(description="组织单位（检查机关）")
    district_id: int | None = Field(description="所属区局 id")
    finished_on: dt.date = Field(description="任务完成日期（全部检查结果确认之日）")
    deadline: dt.date = Field(description="公示期限：完成后第20个工作日（完成当日不计入）")
    deadline_provisional: bool = Field(
        description="期限是否暂定（跨入尚无国务院节假日安排的年份，只按周末计算）"
    )
    overdue: bool = Field(description="是否已过期限仍未公示")
    status: Status = Field(description="状态：" + _choices(Publication.Status.choices))
    status_label: str = Field(description="状态（中文）")
    publish_on: dt.date | None = Field(description="排期公示日期")
    published_at: dt.datetime | None = Field(description="公示时间")
    published_count: int = Field(description="已公示结果条数（含已撤回）")


class PublicationPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[PublicationOut]


class PublishedResultOut(Schema):
    record_id: int = Field(description="记录编号（交换文件的 record_id）")
    publication_id: int = Field(description="所属结果公示 id")
    uscc: str = Field(description="统一社会信用代码")
    entity_name: str = Field(description="市场主体名称")
    task: str = Field(description="抽查任务名称")
    item: str = Field(description="抽查事项")
    authority: str = Field(description="检查机关")
    checked_on: dt.date = Field(description="检查日期")
    result_code: str = Field(description="检查结果代码")
    result_text: str = Field(description="检查结果")
    published_at: dt.datetime = Field(description="公示时间")
    withdrawn: bool = Field(description="是否已撤回")
    withdrawn_at: dt.datetime | None = Field(description="撤回时间")
    withdrawal_reason: str = Field(description="撤回理由")


class ResultPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[PublishedResultOut]


class PublishOut(Schema):
    publication: PublicationOut
    published: int = Field(description="本次公示的结果条数")


class PublicationFilters(PageParams):
    q: Text | None = Field(None, max_length=100, description="任务名称包含该文字")
    status: Status | None = Field(None, description=_choices(Publication.Status.choices))
    clock: Literal["near", "overdue"] | None = Field(
        None, description="期限：near 临近期限（5个工作日内）；overdue 已逾期未公示"
    )
    district: ObjectId | None = Field(None, description="所属区局 id")


class ResultFilters(PageParams):
    q: Text | None = Field(
        None, max_length=100, description="名称包含该文字；或统一社会信用代码（6位以上前缀）"
    )
    task: ObjectId | None = Field(None, description="抽查任务 id")
    code: Text | None = Field(None, max_length=16, description="检查结果代码")
    withdrawn: bool | None = Field(None, description="true 只要已撤回的；false 只要公示中的")
    since: dt.date | None = Field(None, description="只要该日起公示的结果")


def _publication_out(p: Publication) -> dict[str, Any]:
    (p,) = selectors.with_deadlines([p])
    return {
        "id": p.pk,
        "task_id": p.task_id,
        "task": p.task.title,
        "authority": p.task.unit.name,
        "district_id": p.district_id,
        "finished_on": p.finished_on,
        "deadline": p.due.date,
        "deadline_provisional": p.due.provisional,
        "overdue": p.overdue,
        "status": p.status,
        "status_label": p.get_status_display(),
        "publish_on": p.publish_on,
        "published_at": p.published_at,
        "published_count": getattr(p, "entry_count", None) or p.entries.count(),
    }


def _result_out(r: PublicResult) -> dict[str, Any]:
    record = exporting.interchange_record(r)
    record.update(
        publication_id=r.publication_id,
        checked_on=r.checked_on,
        published_at=r.published_at,
        withdrawn=r.withdrawn,
        withdrawn_at=r.withdrawn_at,
        withdrawal_reason=r.withdrawal_reason,
    )
    return record


def _params(filters: Schema, names) -> dict[str, str]:
    return {k: str(v) for k, v in filters.dict(exclude_none=True).items() if k in names}


@router.get(
    "/publications",
    response={200: PublicationPage, **LIST_ERRORS},
    summary="结果公示任务",
    description="调用者管辖范围内已完成抽查任务的结果公示，按公示期限排序，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_publications(request, filters: Query[PublicationFilters]):
    qs = selectors.publication_list(request.auth, _params(filters, selectors.PUBLICATION_FILTERS))
    return page(qs, filters.limit, filters.offset, _publication_out)


@router.get(
    "/publications/{publication_id}",
    response={200: PublicationOut, **DETAIL_ERRORS},
    summary="结果公示详情",
    description="管辖范围以外的记录答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_publication(request, publication_id: Annotated[ObjectId, Path(description="结果公示 id")]):
    return _publication_out(selectors.publication_list(request.auth).get(pk=publication_id))


@router.post(
    "/publications/{publication_id}/publish",
    response={200: PublishOut, **PUBLISH_ERRORS},
    summary="立即公示",
    description="把任务中应公示的检查结果全部公示（依法不予公示的除外）。只有任务所属区局或市局的"
    "管理员可以公示；已公示的答复 422。\n\n" + errors_doc(PUBLISH_ERRORS),
)
def publish_publication(
    request, publication_id: Annotated[ObjectId, Path(description="结果公示 id")]
):
    user = request.auth
    publication = get_object_or_404(Publication.objects.restrict(user), pk=publication_id)
    if not permissions.may_publish(user, publication):
        raise PermissionDenied("只有任务所属区局或市局的管理员可以公示检查结果")
    count = services.publish(user=user, publication=publication)
    publication = selectors.publication_list(user).get(pk=publication_id)
    return {"publication": _publication_out(publication), "published": count}


@router.get(
    "/results",
    response={200: ResultPage, **LIST_ERRORS},
    summary="已公示检查结果",
    description="调用者管辖范围内已公示的检查结果（交换格式，见 docs/interchange.md），含撤回信息，"
    "按公示时间排序，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_results(request, filters: Query[ResultFilters]):
    params = _params(filters, ("q", "task", "code", "since"))
    if filters.withdrawn is not None:
        params["withdrawn"] = "yes" if filters.withdrawn else "no"
    qs = selectors.result_list(request.auth, params)
    return page(qs.order_by("published_at", "id"), filters.limit, filters.offset, _result_out)
