"""/api/planning: annual plans (年度抽查计划) and random-check tasks (抽查任务).

Thin: parse, call a selector or a service, render. A task is created from its definition
document (docs/draw-protocol.md; the same JSON the task page downloads and `run_draw` reads);
whatever is wrong with it answers 422 with the path of each bad field in `errors`, e.g.
{"sampling.ratio": ["应大于 0 且不超过 1（如 0.05 表示 5%）"]}. Plans and tasks outside the
caller's jurisdiction answer 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from jianguan.core.api import (
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    Text,
    errors_doc,
    page,
)
from jianguan.core.scoping import ADD, allowed
from jianguan.org.models import Unit

from . import filters as lists
from . import rules, selectors, services
from .models import Plan, Task

router = Router(tags=["抽查计划与任务"])

TaskStatus = Literal[tuple(Task.Status.values)]  # type: ignore[valid-type]
PlanStatus = Literal[tuple(Plan.Status.values)]  # type: ignore[valid-type]
Code = Annotated[Text, Field(max_length=64)]
CodeList = Annotated[list[Code], Field(max_length=1000)]


def _choices(choices) -> str:
    return "；".join(f"{value or '空'} {label}" for value, label in choices)


# --- output --------------------------------------------------------------------------------------


class PlanUnit(Schema):
    id: int = Field(description="机构 id")
    code: str = Field(description="机构代码")
    name: str = Field(description="机构名称")


class PlanRef(Schema):
    id: int = Field(description="计划 id")
    title: str = Field(description="计划名称")
    year: int = Field(description="年度")
    status: PlanStatus = Field(description="计划状态：" + _choices(Plan.Status.choices))


class ItemRef(Schema):
    code: str = Field(description="事项编码")
    name: str = Field(description="事项名称")
    department: str = Field(description="所属部门")
    kind: Literal["general", "key"] = Field(description="事项类别：general 一般；key 重点")
    cap: str | None = Field(description="比例上限（小数，如 0.02 表示 2%；重点事项为空）")


class TaskOut(Schema):
    id: int
    title: str = Field(description="任务名称")
    plan: PlanRef = Field(description="所属年度计划")
    unit: PlanUnit = Field(description="组织单位")
    district: PlanUnit | None = Field(description="所属区局（市局任务为空）")
    year: int = Field(description="年度")
    batch: int = Field(description="批次")
    quarter: int | None = Field(description="季度（1–4；未指定为空）")
    check_date: dt.date = Field(description="计划检查日期")
    window_start: dt.date | None = Field(description="检查开始日期")
    window_end: dt.date | None = Field(description="检查结束日期")
    items: list[ItemRef] = Field(description="抽查事项")
    joint: bool = Field(description="是否联合抽查（事项分属多个部门）")
    cap: str | None = Field(
        description="任务的抽查比例上限：所含一般检查事项中最小的上限（小数）；仅含重点事项时为空"
    )
    status: TaskStatus = Field(description="任务状态：" + _choices(Task.Status.choices))
    status_label: str = Field(description="任务状态（中文）")
    created_at: dt.datetime = Field(description="创建时间")


class TaskDetailOut(TaskOut):
    definition: dict[str, Any] = Field(
        description="规范化后的任务定义（所有默认值均已写出；即抽取时冻结的规则）"
    )


class TaskPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[TaskOut]


class PlanOut(Schema):
    id: int
    title: str = Field(description="计划名称")
    unit: PlanUnit = Field(description="制定单位")
    district: PlanUnit | None = Field(description="所属区局（市局计划为空）")
    year: int = Field(description="年度")
    status: PlanStatus = Field(description="计划状态：" + _choices(Plan.Status.choices))
    status_label: str = Field(description="计划状态（中文）")
    note: str = Field(description="说明")
    task_count: int = Field(description="任务数")
    filed_at: dt.datetime | None = Field(description="报备时间")
    filed_by: str | None = Field(description="报备人")
    approved_at: dt.datetime | None = Field(description="批准时间")
    approved_by: str | None = Field(description="批准人")
    created_at: dt.datetime = Field(description="创建时间")


class TaskSummary(Schema):
    id: int
    title: str = Field(description="任务名称")
    batch: int = Field(description="批次")
    quarter: int | None = Field(description="季度")
    check_date: dt.date = Field(description="计划检查日期")
    status: TaskStatus = Field(description="任务状态")


class PlanDetailOut(PlanOut):
    tasks: list[TaskSummary] = Field(description="计划中的抽查任务（调用者管辖范围内）")


class PlanPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[PlanOut]


def _unit(unit: Unit | None) -> dict | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def _task_out(t: Task) -> dict[str, Any]:
    items = list(t.items.all())  # prefetched by the selector
    return {
        "id": t.pk,
        "title": t.title,
        "plan": {
            "id": t.plan.pk,
            "title": t.plan.title,
            "year": t.plan.year,
            "status": t.plan.status,
        },
        "unit": _unit(t.unit),
        "district": _unit(t.district),
        "year": t.plan.year,
        "batch": t.batch,
        "quarter": t.quarter,
        "check_date": t.check_date,
        "window_start": t.window_start,
        "window_end": t.window_end,
        "items": [
            {
                "code": i.code,
                "name": i.name,
                "department": i.department.name,
                "kind": i.kind,
                "cap": format(i.cap.normalize(), "f") if i.cap is not None else None,
            }
            for i in items
        ],
        "joint": len({i.department_id for i in items}) > 1,
        "cap": services.cap_of(items),
        "status": t.status,
        "status_label": t.get_status_display(),
        "created_at": t.created_at,
    }


def _task_detail(t: Task) -> dict[str, Any]:
    return {**_task_out(t), "definition": t.definition}


def _plan_out(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "unit": _unit(p.unit),
        "district": _unit(p.district),
        "year": p.year,
        "status": p.status,
        "status_label": p.get_status_display(),
        "note": p.note,
        "task_count": p.task_count,
        "filed_at": p.filed_at,
        "filed_by": str(p.filed_by) if p.filed_by_id else None,
        "approved_at": p.approved_at,
        "approved_by": str(p.approved_by) if p.approved_by_id else None,
        "created_at": p.created_at,
    }


# --- input ---------------------------------------------------------------------------------------


class TaskFilters(PageParams):
    q: Text | None = Field(None, max_length=100, description="任务名称包含该文字")
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    quarter: int | None = Field(None, ge=1, le=4, description="季度（1–4）")
    status: TaskStatus | None = Field(
        None, description="任务状态：" + _choices(Task.Status.choices)
    )
    item: Code | None = Field(None, description="含该抽查事项（事项编码，如 SH-SC-001）")
    joint: bool | None = Field(None, description="true 联合抽查；false 单一部门")
    unit: ObjectId | None = Field(None, description="组织单位 id")
    plan: ObjectId | None = Field(None, description="所属计划 id")


class PlanFilters(PageParams):
    q: Text | None = Field(None, max_length=100, description="计划名称包含该文字")
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    status: PlanStatus | None = Field(
        None, description="计划状态：" + _choices(Plan.Status.choices)
    )
    unit: ObjectId | None = Field(None, description="制定单位 id")


# The definition document. Every field may be left out (defaults are written out on saving);
# values are checked by planning.rules and against the database, and each problem is reported
# under its path. Unknown fields are refused (a misspelt rule is never silently ignored): these
# are plain pydantic models, since ninja's Schema reads known attributes only and would drop them.


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    start: dt.date | None = Field(None, description="检查开始日期")
    end: dt.date | None = Field(None, description="检查结束日期（不早于开始日期）")


class PopulationIn(BaseModel):
    """检查对象范围：各项条件同时满足的对象进入名录；不给或空列表表示不限。"""

    model_config = ConfigDict(extra="allow")

    domains: CodeList | None = Field(None, description="监管领域代码（如 food、drug）")
    districts: CodeList | None = Field(None, description="区局机构代码（如 310101）")
    stations: CodeList | None = Field(None, description="所队机构代码（如 310101-S01）")
    industries: CodeList | None = Field(
        None, description="GB/T 4754-2017 门类字母或大类代码（如 F、52）"
    )
    key_tiers: CodeList | None = Field(
        None, description="重点领域类别：special 特殊重点；general 一般重点；空字符串 非重点"
    )
    risk_classes: CodeList | None = Field(None, description="信用风险分类：A、B、C、D")
    statuses: CodeList | None = Field(
        None, description='登记状态：active、revoked、cancelled、moved_out；默认 ["active"]'
    )
    entity_types: CodeList | None = Field(
        None, description="主体类型：enterprise、individual、cooperative、other"
    )


class CertaintyIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    key_tiers: CodeList | None = Field(
        None, description="全部检查（不参与随机抽取）的重点领域类别：special、general"
    )
    risk_classes: CodeList | None = Field(None, description='全部检查的信用风险分类，如 ["D"]')


class SamplingIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    mode: Text | None = Field(None, description="ratio 按比例（默认）；count 按数量")
    ratio: Decimal | None = Field(
        None, description='抽查比例，0 到 1 之间的小数（如 "0.05" 表示 5%）'
    )
    count: int | None = Field(None, description="按数量抽取时的户数")
    class_ratios: dict[Code, Decimal] | None = Field(
        None, description='按信用风险分类的比例，如 {"A": "0.02", "D": "1"}'
    )
    stratify_by: CodeList | None = Field(None, description="分层：district、risk_class")
    min_per_stratum: int | None = Field(None, description="每层至少抽取户数（默认 0）")
    exclude_checked_months: int | None = Field(
        None, description="排除近几个月内已被抽查的对象（0–120，默认 0）"
    )
    certainty: CertaintyIn | None = Field(None, description="必查对象")
    listed_class: Text | None = Field(
        None,
        description="列入经营异常名录或严重违法失信名单的对象按此风险分类抽取（A–D，留空则不调整）",
    )
    missed_pt_class: Text | None = Field(
        None,
        description="近 missed_pt_months 个月内未参加能力验证的检验检测机构按此风险分类抽取（A–D，留空则不调整）",
    )
    missed_pt_months: int | None = Field(
        None, description="未参加能力验证的回溯月数（1–60，默认 12）"
    )


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    size: int | None = Field(
        None, description="每户检查人员数，2–10，默认 2（《行政处罚法》第四十二条：不少于两人）"
    )
    skills: CodeList | None = Field(None, description="业务专长代码：每组至少 1 人具备")
    units: CodeList | None = Field(None, description="只从这些机构（代码）的人员中抽取")
    pool_by: Text | None = Field(
        None, description="district 检查人员只查本区对象（默认）；none 不分区"
    )
    max_load: int | None = Field(None, description="每人最多检查户数")
    rotation: bool | None = Field(None, description="轮换回避（默认 true）")


class ExpertsIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    per_target: int | None = Field(None, description="每户专家人数，0–5，默认 0")
    field: Code | None = Field(None, description="专家专业领域（业务专长代码）")


class TaskDefinitionIn(BaseModel):
    """任务定义（与任务页“下载任务定义 JSON”、run_draw 读取的文件格式相同）。"""

    model_config = ConfigDict(extra="allow")

    title: Text | None = Field(None, max_length=200, description="任务名称（必填）")
    unit: Code | None = Field(
        None, description="组织单位机构代码（市局或区局，须在调用者管辖范围内）"
    )
    year: int | None = Field(None, description="年度；不给则取计划检查日期所在年度")
    batch: int | None = Field(None, description="批次，默认 1")
    quarter: int | None = Field(None, description="季度 1–4")
    items: CodeList | None = Field(None, description="抽查事项编码（至少一个，如 SH-SC-001）")
    check_date: dt.date | None = Field(None, description="计划检查日期（必填）")
    window: WindowIn | None = Field(None, description="检查期间")
    population: PopulationIn | None = Field(None, description="检查对象范围")
    sampling: SamplingIn | None = Field(None, description="抽取规则")
    team: TeamIn | None = Field(None, description="检查人员规则")
    experts: ExpertsIn | None = Field(None, description="专家规则")
    requires_external_entropy: bool | None = Field(
        None, description="是否须录入外部随机数后才能抽取（默认 false）"
    )


def _definition(payload: TaskDefinitionIn) -> dict[str, Any]:
    """The request as a plain document: dates and decimals as text, only what was sent."""
    return _plain(payload.model_dump(exclude_unset=True))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return value


def _definition_error(exc: rules.DefinitionError):
    errors = {(path or NON_FIELD_ERRORS): msgs for path, msgs in exc.errors.items()}
    first = [f"{p}：{m[0]}" if p != NON_FIELD_ERRORS else m[0] for p, m in errors.items() if m]
    detail = _("任务定义未通过校验：") + "；".join(first)
    return Status(422, {"detail": detail, "errors": errors})


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "/tasks",
    response={200: TaskPage, **LIST_ERRORS},
    summary="抽查任务列表",
    description="调用者管辖范围内的抽查任务，按计划检查日期倒序，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_tasks(request, filters: Query[TaskFilters]):
    # The API names the item by its code (SH-SC-001), the page by its id. The values are
    # validated by the API's schema already.
    given = filters.dict(exclude_none=True, exclude={"limit", "offset", "item", "quarter"})
    listed = lists.TaskFilters.model_construct(
        **given, item_code=filters.item, quarter=filters.quarter and str(filters.quarter)
    )
    qs = selectors.task_list(user=request.auth, filters=listed)
    return page(qs, filters.limit, filters.offset, _task_out)


@router.get(
    "/tasks/{task_id}",
    response={200: TaskDetailOut, **DETAIL_ERRORS},
    summary="抽查任务详情",
    description="含规范化后的完整任务定义。管辖范围以外的任务答复 404。\n\n"
    + errors_doc(DETAIL_ERRORS),
)
def get_task(request, task_id: Annotated[ObjectId, Path(description="抽查任务 id")]):
    return _task_detail(selectors.task_get(request.auth, task_id))


@router.post(
    "/tasks",
    response={201: TaskDetailOut, **CREATE_ERRORS},
    summary="新建抽查任务",
    description=(
        "请求体即任务定义 JSON。保存时补全所有默认值；该单位当年的年度计划不存在时自动建立（草稿）。"
        "任务定义有误时答复 422，errors 的键为出错字段的路径（如 sampling.ratio、team.size）。"
        "所队和只读账号答复 403。写入留有审计记录。\n\n" + errors_doc(CREATE_ERRORS)
    ),
)
def create_task(request, payload: TaskDefinitionIn):
    if not allowed(request.auth, ADD, Task):
        raise PermissionDenied(_("您的角色无权制定抽查任务"))
    try:
        task = services.task_save(request.auth, definition=_definition(payload))
    except rules.DefinitionError as exc:
        return _definition_error(exc)
    return Status(201, _task_detail(selectors.task_get(request.auth, task.pk)))


@router.get(
    "/plans",
    response={200: PlanPage, **LIST_ERRORS},
    summary="年度抽查计划列表",
    description="调用者管辖范围内的年度计划，按年度倒序，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_plans(request, filters: Query[PlanFilters]):
    listed = lists.PlanFilters.model_construct(
        **filters.dict(exclude_none=True, exclude={"limit", "offset"})
    )
    qs = selectors.plan_list(user=request.auth, filters=listed)
    return page(qs, filters.limit, filters.offset, _plan_out)


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **DETAIL_ERRORS},
    summary="年度抽查计划详情",
    description="含计划中的抽查任务。管辖范围以外的计划答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_plan(request, plan_id: Annotated[ObjectId, Path(description="年度计划 id")]):
    plan = selectors.plan_get(request.auth, plan_id)
    tasks = selectors.task_list(user=request.auth, filters=lists.TaskFilters(plan=plan.pk))
    tasks = tasks.order_by("quarter", "batch", "id")
    return {
        **_plan_out(plan),
        "tasks": [
            {
                "id": t.pk,
                "title": t.title,
                "batch": t.batch,
                "quarter": t.quarter,
                "check_date": t.check_date,
                "status": t.status,
            }
            for t in tasks
        ],
    }
