"""/api/public: the public portal's data for other systems and the curious — no token.

Every operation opts out of the API-wide token (auth=None) and is under the portal's rate limit
(429 with the common error body). The data rules are the portal pages' (portal/selectors.py):
published results only, no risk class, no staff, an entity drawn but not yet checked has no result.
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from jianguan.core import uscc as codes
from jianguan.core.api import MAX_OFFSET, ErrorOut, ObjectId, Text
from jianguan.registry.models import Entity

from . import selectors
from .ratelimit import limit_api

router = Router(tags=["公众查询（无需令牌）"])

PUBLIC_LIMIT = 50
PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
ERRORS_DOC = (
    "无需令牌。每个网络地址与公众查询页面共用访问频率限制，超过时答复 429。\n\n"
    "- 404：对象不存在或尚未公示\n- 422：参数校验未通过，errors 中按字段说明原因\n"
    "- 429：访问过于频繁，请稍后再试"
)


class PublicEntity(Schema):
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")
    status: str = Field(
        description="登记状态：" + "；".join(f"{v} {lbl}" for v, lbl in Entity.Status.choices)
    )
    status_label: str = Field(description="登记状态（中文）")
    address: str = Field(description="住所")


class PublicEntityPage(Schema):
    count: int = Field(description="本次查询返回的条数（至多 200 条）")
    capped: bool = Field(
        description="匹配超过 200 条时为 true：仅返回前 200 条，请输入更完整的名称"
    )
    items: list[PublicEntity]


class SearchParams(Schema):
    q: Text = Field(
        ..., max_length=100, description="名称的一部分（至少 2 个字），或 18 位统一社会信用代码"
    )
    limit: int = Field(PUBLIC_LIMIT, ge=1, le=selectors.SEARCH_CAP, description="每页条数")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class PublicResultOut(Schema):
    task_id: int = Field(description="抽查任务 id（见 /api/public/tasks/{task_id}）")
    task_title: str = Field(description="抽查任务")
    item: str = Field(description="抽查事项")
    authority: str = Field(description="检查机关")
    checked_on: dt.date = Field(description="检查日期")
    published_on: dt.date = Field(description="公示日期")
    withdrawn: bool = Field(description="是否已撤回")
    withdrawn_on: dt.date | None = Field(description="撤回日期")
    withdrawal_reason: str = Field(description="撤回理由")
    result_code: str | None = Field(description="检查结果代码；已撤回的结果为 null")
    result: str | None = Field(description="检查结果；已撤回的结果为 null")


class PublicListing(Schema):
    list: str = Field(description="名单：abnormal 经营异常名录；serious 严重违法失信名单")
    list_label: str = Field(description="名单（中文）")
    reason: str = Field(description="列入事由")
    listed_on: dt.date = Field(description="列入日期")
    decided_by: str = Field(description="作出决定机关")
    decision_no: str = Field(description="决定书文号")


class PublicEntityDetail(PublicEntity):
    results: list[PublicResultOut] = Field(description="已公示的抽查检查结果，检查日期倒序")
    listings: list[PublicListing] = Field(description="列入中的信用约束名单")


class PublicTaskOut(Schema):
    task_id: int
    title: str = Field(description="抽查任务名称")
    authority: str = Field(description="检查机关")
    published_on: dt.date = Field(description="公示日期")


class PublicTaskPage(Schema):
    count: int
    items: list[PublicTaskOut]


class PublicPageParams(Schema):
    limit: int = Field(PUBLIC_LIMIT, ge=1, le=200, description="每页条数，1–200")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class PublicDrawOut(Schema):
    id: int
    number: int = Field(description="第几次抽取")
    drawn_at: dt.datetime | None = Field(description="抽取时间")
    commitment: str = Field(description="承诺值：约束密钥、抽取规则、各名单和外部随机数声明")
    seed: str = Field(description="随机种子")
    proof_url: str | None = Field(
        description="抽取证明包（zip）下载地址；按内部信用分级抽取的，证明包含内部信息，不公开（为空）"
    )
    verify_url: str = Field(description="验证说明页面")


class PublicTaskDetail(PublicTaskOut):
    window_start: dt.date | None = Field(description="检查开始日期")
    window_end: dt.date | None = Field(description="检查结束日期")
    items: list[str] = Field(description="抽查事项")
    results: int = Field(description="已公示（未撤回）的检查结果条数")
    withdrawn: int = Field(description="已撤回的检查结果条数")
    draws: list[PublicDrawOut] = Field(description="有效的随机抽取及其证明")


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value else None


def _entity(row: dict) -> dict:
    return {**row, "status_label": str(Entity.Status(row["status"]).label)}


def _result(row: dict) -> dict:
    withdrawn = row["withdrawn_at"] is not None
    return {
        "task_id": row["publication__task_id"],
        "task_title": row["task_title"],
        "item": row["item"],
        "authority": row["authority"],
        "checked_on": row["checked_on"],
        "published_on": _day(row["published_at"]),
        "withdrawn": withdrawn,
        "withdrawn_on": _day(row["withdrawn_at"]),
        "withdrawal_reason": row["withdrawal_reason"] if withdrawn else "",
        "result_code": None if withdrawn else row["code"],
        "result": None if withdrawn else row["code_text"],
    }


def _listing(row: dict) -> dict:
    return {k: row[k] for k in ("list", "list_label", "reason", "listed_on", "decided_by")} | {
        "decision_no": row["decision_no"]
    }


@router.get(
    "/entities",
    auth=None,
    response={200: PublicEntityPage, **PUBLIC_ERRORS},
    summary="查询市场主体",
    description="按名称的一部分（子串）或统一社会信用代码（空格、小写可忽略）查询市场主体，"
    "至多 200 条，按入库顺序。\n\n" + ERRORS_DOC,
)
@limit_api
def search_entities(request, params: Query[SearchParams]):
    found = selectors.search(params.q)
    if found.query.kind == "error":
        raise ValidationError({"q": [found.query.error]})
    rows = found.rows[params.offset : params.offset + params.limit]
    return {"count": len(found.rows), "capped": found.capped, "items": [_entity(r) for r in rows]}


@router.get(
    "/entities/{uscc}",
    auth=None,
    response={200: PublicEntityDetail, **PUBLIC_ERRORS},
    summary="市场主体的公示信息",
    description="按统一社会信用代码：登记信息、已公示的抽查检查结果（已撤回的注明撤回日期和理由，"
    "不再给出结果）、列入中的信用约束名单。已抽中但尚未检查或尚未公示的，没有任何结果。\n\n"
    + ERRORS_DOC,
)
@limit_api
def get_entity(request, uscc: Annotated[Text, Path(description="统一社会信用代码")]):
    try:
        code = codes.validate(uscc)
    except codes.USCCError as e:
        raise ValidationError({"uscc": [str(e)]}) from e
    entity = selectors.entity(code)
    if entity is None:
        raise HttpError(404, "未找到该统一社会信用代码对应的市场主体")
    results = selectors.entity_results(entity["id"])[:500]
    return {
        **_entity(entity),
        "results": [_result(r) for r in results],
        "listings": [_listing(r) for r in selectors.entity_listings(entity["id"])],
    }


@router.get(
    "/tasks",
    auth=None,
    response={200: PublicTaskPage, **PUBLIC_ERRORS},
    summary="已公示的抽查任务",
    description="按公示时间倒序，分页。\n\n" + ERRORS_DOC,
)
@limit_api
def list_tasks(request, params: Query[PublicPageParams]):
    qs = selectors.published()
    items = [_task(p) for p in qs[params.offset : params.offset + params.limit]]
    return {"count": qs.count(), "items": items}


def _task(publication) -> dict:
    return {
        "task_id": publication.task_id,
        "title": publication.task.title,
        "authority": selectors.authority(publication),
        "published_on": _day(publication.published_at),
    }


@router.get(
    "/tasks/{task_id}",
    auth=None,
    response={200: PublicTaskDetail, **PUBLIC_ERRORS},
    summary="已公示抽查任务详情",
    description="检查事项、已公示结果条数、有效的随机抽取及其证明包下载地址。未公示的任务答复 404。\n\n"
    + ERRORS_DOC,
)
@limit_api
def get_task(request, task_id: Annotated[ObjectId, Path(description="抽查任务 id")]):
    publication = selectors.task_publication(task_id)
    if publication is None:
        raise HttpError(404, "该抽查任务不存在或尚未公示")
    summary = selectors.task_summary(publication)
    return {
        **_task(publication),
        **{k: summary[k] for k in ("window_start", "window_end", "items", "results", "withdrawn")},
        "draws": [
            {
                "id": d.pk,
                "number": d.number,
                "drawn_at": d.drawn_at,
                "commitment": d.commitment,
                "seed": d.seed,
                "proof_url": reverse("portal:draw_proof", args=[d.pk]) if public else None,
                "verify_url": reverse("portal:draw_verify", args=[d.pk]),
            }
            for d, public in ((row["draw"], row["proof_public"]) for row in summary["draws"])
        ],
    }
