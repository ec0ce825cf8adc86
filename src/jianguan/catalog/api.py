"""/api/catalog: the check-item list (随机抽查事项清单), departments and result codes, read-only.

Thin: parse, call a selector, render. These lists are city-wide reference data: every caller
with a staff role reads all of them; they are changed on the pages (city administrators).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Path, Query, Router, Schema

from jianguan.core.api import (
    DETAIL_ERRORS,
    LIST_ERRORS,
    ObjectId,
    PageParams,
    Text,
    errors_doc,
    page,
)
from jianguan.registry.models import DOMAINS

from . import selectors
from .models import METHODS, CheckItem, Department, ResultCode

router = Router(tags=["抽查事项与结果代码"])

ItemKind = Literal[tuple(CheckItem.Kind.values)]  # type: ignore[valid-type]
DomainCode = Literal[tuple(DOMAINS.by_code)]  # type: ignore[valid-type]
MethodCode = Literal[tuple(METHODS.by_code)]  # type: ignore[valid-type]


def _choices(choices) -> str:
    return "；".join(f"{value} {label}" for value, label in choices)


KIND_HELP = "事项类别：" + _choices(CheckItem.Kind.choices)
DOMAIN_HELP = "监管领域代码：" + _choices(DOMAINS.choices)
METHOD_HELP = "检查方式代码：" + _choices(METHODS.choices)


# --- output --------------------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int = Field(description="部门 id")
    code: str = Field(description="部门代码")
    name: str = Field(description="部门名称")


class CheckItemOut(Schema):
    id: int
    code: str = Field(description="事项编码（全市唯一）")
    name: str = Field(description="事项名称")
    department: DepartmentOut = Field(description="部门")
    kind: ItemKind = Field(description=KIND_HELP)
    kind_label: str = Field(description="事项类别（中文）")
    default_ratio: Decimal = Field(description="默认抽查比例（小数，0.03 表示 3%）")
    cap: Decimal | None = Field(
        description="比例上限（小数）；重点检查事项不设上限，为 null；一般检查事项必有"
    )
    object_type: str = Field(description="检查对象类型")
    methods: list[MethodCode] = Field(description=METHOD_HELP)
    method_labels: list[str] = Field(description="检查方式（中文）")
    domains: list[DomainCode] = Field(description=DOMAIN_HELP)
    domain_labels: list[str] = Field(description="监管领域（中文）")
    legal_basis: str = Field(description="法律依据")
    active: bool = Field(description="是否启用（停用的事项不能用于新的抽查任务）")


class CheckItemPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[CheckItemOut]


class ResultCodeOut(Schema):
    id: int
    code: str = Field(description="代码")
    name: str = Field(description="名称")
    parent: str | None = Field(description="上级代码（细分类型才有）")
    level: int = Field(description="层级：1 一级代码；2 细分类型")
    problem_found: bool = Field(description="该结果是否表示检查发现了问题")
    sort: int = Field(description="排序（小的在前）")
    active: bool = Field(description="是否启用")


class ResultCodeList(Schema):
    count: int = Field(description="代码总数")
    items: list[ResultCodeOut] = Field(description="按层级顺序：每个一级代码之后是其细分类型")


class DepartmentList(Schema):
    count: int = Field(description="部门总数")
    items: list[DepartmentOut]


def _department_out(d: Department) -> dict[str, Any]:
    return {"id": d.pk, "code": d.code, "name": d.name}


def _item_out(i: CheckItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "code": i.code,
        "name": i.name,
        "department": _department_out(i.department),
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "default_ratio": i.default_ratio,
        "cap": i.cap,
        "object_type": i.object_type,
        "methods": METHODS.codes(i.methods),
        "method_labels": METHODS.labels(i.methods),
        "domains": DOMAINS.codes(i.domains),
        "domain_labels": DOMAINS.labels(i.domains),
        "legal_basis": i.legal_basis,
        "active": i.active,
    }


def _result_code_out(c: ResultCode) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "parent": c.parent.code if c.parent_id else None,
        "level": 2 if c.parent_id else 1,
        "problem_found": c.problem_found,
        "sort": c.sort,
        "active": c.active,
    }


# --- input ---------------------------------------------------------------------------------------


class CheckItemFilters(PageParams):
    q: Text | None = Field(None, max_length=100, description="事项名称包含该文字，或事项编码前缀")
    department: ObjectId | None = Field(None, description="部门 id（见 /api/catalog/departments）")
    kind: ItemKind | None = Field(None, description=KIND_HELP)
    domain: DomainCode | None = Field(None, description=DOMAIN_HELP)
    active: bool | None = Field(None, description="true 启用；false 停用")


class ResultCodeFilters(Schema):
    active: bool | None = Field(None, description="true 只列启用的代码；false 只列停用的")


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "/items",
    response={200: CheckItemPage, **LIST_ERRORS},
    summary="抽查事项列表",
    description="随机抽查事项清单（全市共用），按部门代码和事项编码排序，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_items(request, filters: Query[CheckItemFilters]):
    params: dict[str, str] = {}
    if filters.q:
        params["q"] = filters.q
    if filters.department is not None:
        params["department"] = str(filters.department)
    if filters.kind:
        params["kind"] = filters.kind
    if filters.domain:
        params["domain"] = filters.domain
    if filters.active is not None:
        params["active"] = "1" if filters.active else "0"
    qs = selectors.item_list(request.auth, params)
    return page(qs, filters.limit, filters.offset, _item_out)


@router.get(
    "/items/{item_id}",
    response={200: CheckItemOut, **DETAIL_ERRORS},
    summary="抽查事项详情",
    description="不存在的事项答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_item(request, item_id: Annotated[ObjectId, Path(description="抽查事项 id")]):
    return _item_out(selectors.item_get(request.auth, item_id))


@router.get(
    "/result-codes",
    response={200: ResultCodeList, **LIST_ERRORS},
    summary="检查结果代码",
    description="全部检查结果代码（不分页）：每个一级代码之后是其细分类型。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_result_codes(request, filters: Query[ResultCodeFilters]):
    params = {} if filters.active is None else {"active": "1" if filters.active else "0"}
    codes = selectors.result_code_tree(selectors.result_code_list(request.auth, params))
    return {"count": len(codes), "items": [_result_code_out(c) for c, _depth in codes]}


@router.get(
    "/departments",
    response={200: DepartmentList, **LIST_ERRORS},
    summary="部门",
    description="拥有抽查事项的部门（不分页）。\n\n" + errors_doc(LIST_ERRORS),
)
def list_departments(request):
    departments = selectors.department_list(request.auth)
    return {"count": departments.count(), "items": [_department_out(d) for d in departments]}
