"""/api/draws: draws (抽取) for other systems: list, detail, selected targets, and the steps
commit → external entropy → execute.

Thin: parse, call a selector, a service or tasks.start_draw, render. A draw or task outside the
caller's jurisdiction answers 404; a caller who may see but not change it answers 403; a step
the draw's state does not allow answers 422 with the engine's Chinese message. The secret and
the seed are in an answer only once the draw is made.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from jianguan.core.api import (
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    TaskRef,
    Text,
    UnitRef,
    error_responses,
    errors_doc,
    page,
)
from jianguan.planning.models import Task

from . import filters as lists
from . import selectors, services, tasks
from .models import Draw

router = Router(tags=["双随机抽取"])

DrawStatus = Literal[tuple(Draw.Status.values)]  # type: ignore[valid-type]
STATUS_HELP = "；".join(f"{v} {label}" for v, label in Draw.Status.choices)
STEP_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


# --- output --------------------------------------------------------------------------------------


class DeclarationOut(Schema):
    source: str = Field(description="来源，如：中国福利彩票 福彩3D")
    identifier: str = Field(description="期号与数值，如：福彩3D 第2026340期 开奖号码")
    announced_at: str = Field(description="公布时间（ISO 8601，UTC），须晚于承诺时间")
    format: str = Field(description="规范形式：digits:N（N 位数字）或 numbers:N（N 个号码）")


class DrawOut(Schema):
    id: int
    task: TaskRef
    district: UnitRef | None = Field(description="所属区局（市局的抽取为 null）")
    number: int = Field(description="该任务的第几次抽取")
    status: DrawStatus = Field(description="状态：" + STATUS_HELP)
    status_label: str = Field(description="状态（中文）")
    protocol: str = Field(description="抽取协议版本（jianguan-draw/2；此前的抽取为 /1）")
    commitment: str = Field(
        description="承诺值：冻结名单时公布，约束密钥、抽取规则、各名单和外部随机数声明"
    )
    committed_at: dt.datetime = Field(description="冻结名单、公布承诺值的时间")
    requires_entropy: bool = Field(description="是否要求外部随机数")
    entropy_declaration: DeclarationOut | None = Field(
        description="外部随机数声明（承诺时作出，受承诺值约束；不要求外部随机数时为 null）"
    )
    external_entropy: str = Field(description="外部随机数的规范形式（未录入为空）")
    entropy_entered_at: dt.datetime | None = Field(description="外部随机数录入时间")
    entropy_source: str = Field(description="外部随机数来源（协议 /2 中为声明的期号与数值）")
    secret: str | None = Field(
        description="密钥：抽取完成（或确定无法配齐人员）后才公开，之前为 null"
    )
    seed: str | None = Field(description="随机种子：抽取完成后才公开，之前为 null")
    drawn_at: dt.datetime | None = Field(description="抽取时间")
    digests: dict[str, str] = Field(description="抽取规则和各名单（及结果）的 SHA-256 摘要")
    counts: dict[str, Any] = Field(
        description="数量：targets 名单户数、certain 必查户数、inspectors、experts、exclusions；"
        "抽取后另有 population（各层对象数）、drawn（各层随机抽中数）、selected（抽中总户数）"
    )
    unstaffed: dict[str, str] = Field(
        description="无法配齐检查人员的检查对象：统一社会信用代码 → 原因（仅 infeasible）"
    )
    redraw_of: int | None = Field(description="重新抽取自哪次抽取（id）")
    redrawn_by: int | None = Field(description="被哪次抽取重新抽取（id）")
    redraw_reason: str = Field(description="重新抽取理由")


class DrawPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[DrawOut]


class VisitOut(Schema):
    id: int
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")
    entity_id: int = Field(description="检查对象 id")
    stratum: str = Field(description="抽取层代码（区局代码|风险分类，* 表示不分层）")
    certain: bool = Field(description="是否为必查对象（全部检查，不参与随机抽取）")
    inspector_ids: list[int] = Field(description="检查人员 id（按抽取顺序）")
    expert_ids: list[int] = Field(description="专家 id")
    merged_into: int | None = Field(description="已并入的其他任务的检查（id），进一次门、查多项事")


class VisitPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[VisitOut]


class JobOut(Schema):
    job_id: int = Field(description="后台任务 id")
    status: str = Field(
        description="后台任务状态：queued 排队中；running 进行中；done 已完成；failed 失败"
    )
    draw_id: int = Field(description="抽取 id")
    job_url: str = Field(description="后台任务页面（查看进度）")


def _draw_out(d: Draw) -> dict[str, Any]:
    final = d.is_final
    redrawn_by = d.redrawn_by
    return {
        "id": d.pk,
        "task": {"id": d.task_id, "title": d.task.title},
        "district": {"id": d.district_id, "name": d.district.name} if d.district_id else None,
        "number": d.number,
        "status": d.status,
        "status_label": d.get_status_display(),
        "protocol": d.protocol,
        "commitment": d.commitment,
        "committed_at": d.committed_at,
        "requires_entropy": d.requires_entropy,
        "entropy_declaration": d.entropy_declaration,
        "external_entropy": d.external_entropy,
        "entropy_entered_at": d.entropy_entered_at,
        "entropy_source": d.entropy_source,
        "secret": d.secret if d.status != Draw.Status.COMMITTED else None,
        "seed": d.seed if final else None,
        "drawn_at": d.drawn_at,
        "digests": d.digests or {},
        "counts": d.counts or {},
        "unstaffed": d.unstaffed or {},
        "redraw_of": d.redraw_of_id,
        "redrawn_by": redrawn_by.pk if redrawn_by is not None else None,
        "redraw_reason": d.redraw_reason,
    }


def _visit_out(v) -> dict[str, Any]:
    t = selectors.team(v)
    return {
        "id": v.pk,
        "uscc": v.entity.uscc,
        "name": v.entity.name,
        "entity_id": v.entity_id,
        "stratum": v.stratum,
        "certain": v.certain,
        "inspector_ids": [i.pk for i in t["inspectors"]],
        "expert_ids": [e.pk for e in t["experts"]],
        "merged_into": v.merged_into_id,
    }


# --- input ---------------------------------------------------------------------------------------


class DrawFilters(PageParams):
    task: ObjectId | None = Field(None, description="抽查任务 id")
    status: DrawStatus | None = Field(None, description="状态：" + STATUS_HELP)


class VisitFilters(PageParams):
    q: Text | None = Field(
        None, max_length=100, description="名称包含该文字，或统一社会信用代码（6位以上前缀）"
    )


class DeclarationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    source: Text = Field(max_length=200, description="来源，如：中国福利彩票 福彩3D")
    identifier: Text = Field(
        max_length=200, description="期号与数值，如：福彩3D 第2026340期 开奖号码"
    )
    announced_at: dt.datetime = Field(description="公布时间（须带时区，且在将来）")
    format: Text = Field(
        max_length=12, description="规范形式：digits:N（N 位数字）或 numbers:N（N 个号码）"
    )


class CommitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    task_id: ObjectId = Field(description="抽查任务 id")
    entropy_declaration: DeclarationIn | None = Field(
        None,
        description="外部随机数声明：任务要求外部随机数时必填；公布时间须在将来",
    )


class EntropyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    value: Text = Field(
        min_length=1,
        max_length=400,
        description="声明的公开数值，按声明的格式统一为规范形式；只能录入一次",
    )


DrawId = Annotated[ObjectId, Path(description="抽取 id")]


def _draw(user, draw_id: int, action: str = "view") -> Draw:
    return selectors.draw_get(user, draw_id, action)  # DoesNotExist → 404


def _draw_for_step(user, draw_id: int) -> Draw:
    """404 outside the caller's reach; 403 (PermissionDenied) when it may see but not change."""
    draw = _draw(user, draw_id)
    if not selectors.can_change(user, draw):
        raise PermissionDenied("您无权对该任务进行抽取")
    return draw


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: DrawPage, **LIST_ERRORS},
    summary="抽取列表",
    description="调用者管辖范围内的抽取，按承诺时间倒序，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_draws(request, filters: Query[DrawFilters]):
    listed = lists.DrawFilters.model_construct(task=filters.task, status=filters.status)
    qs = selectors.draw_list(user=request.auth, filters=listed)
    return page(qs, filters.limit, filters.offset, _draw_out)


@router.get(
    "/{draw_id}",
    response={200: DrawOut, **DETAIL_ERRORS},
    summary="抽取详情",
    description="密钥和随机种子在抽取完成后才返回。管辖范围以外的抽取答复 404。\n\n"
    + errors_doc(DETAIL_ERRORS),
)
def get_draw(request, draw_id: DrawId):
    return _draw_out(_draw(request.auth, draw_id))


@router.get(
    "/{draw_id}/visits",
    response={200: VisitPage, **DETAIL_ERRORS},
    summary="抽中的检查对象及检查人员",
    description="按统一社会信用代码排序，分页；抽取完成前为空。\n\n" + errors_doc(DETAIL_ERRORS),
)
def list_visits(request, draw_id: DrawId, filters: Query[VisitFilters]):
    draw = _draw(request.auth, draw_id)
    params = {"q": filters.q} if filters.q else {}
    return page(selectors.draw_visits(draw, params), filters.limit, filters.offset, _visit_out)


@router.post(
    "",
    response={201: DrawOut, **CREATE_ERRORS},
    summary="冻结名单并公布承诺值",
    description=(
        "为抽查任务冻结检查对象、检查人员、专家和回避名单，生成密钥并只公布其承诺值。"
        "任务不存在或不在管辖范围内、任务已有抽取、或规则不能适用于名单时答复 422"
        "（重新抽取请在页面上填写理由）。无权抽取的调用者答复 403。\n\n" + errors_doc(CREATE_ERRORS)
    ),
)
def commit_draw(request, payload: CommitIn):
    task = Task.objects.restrict(request.auth).filter(pk=payload.task_id).first()
    if task is None:  # an id in the body, like registry's unit ids: a field error
        raise ValidationError({"task_id": _("抽查任务不存在，或不在您的管辖范围内")})
    declaration = payload.entropy_declaration
    draw = services.commit(
        task, user=request.auth, declaration=declaration.model_dump() if declaration else None
    )
    return Status(201, _draw_out(_draw(request.auth, draw.pk)))


@router.post(
    "/{draw_id}/entropy",
    response={200: DrawOut, **STEP_ERRORS},
    summary="录入外部随机数",
    description="声明的数值公布之后、抽取之前录入一次；再次录入、公布之前录入、"
    "格式不符或抽取后答复 422（录错只能说明理由重新抽取）。\n\n" + errors_doc(STEP_ERRORS),
)
def set_entropy(request, draw_id: DrawId, payload: EntropyIn):
    draw = _draw_for_step(request.auth, draw_id)
    services.set_entropy(draw, user=request.auth, value=payload.value)
    return _draw_out(_draw(request.auth, draw_id))


@router.post(
    "/{draw_id}/execute",
    response={202: JobOut, **STEP_ERRORS},
    summary="抽取",
    description=(
        "在后台抽取检查对象并分配检查人员，答复 202 和后台任务 id；完成后 GET /api/draws/{id} "
        "的状态为 drawn（或 infeasible：无法配齐检查人员）。要求外部随机数而尚未录入、"
        "或已抽取时答复 422。\n\n" + errors_doc(STEP_ERRORS)
    ),
)
def execute_draw(request, draw_id: DrawId):
    draw = _draw_for_step(request.auth, draw_id)
    job = tasks.start_draw(draw, request.auth)
    return Status(
        202,
        {
            "job_id": job.pk,
            "status": job.status,
            "draw_id": draw.pk,
            "job_url": reverse("core:job_detail", args=[job.pk]),
        },
    )
