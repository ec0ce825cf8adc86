"""/api/inspectors: the inspector roster (执法检查人员名录库) for other systems.

Thin: parse, call a selector or a service, render. Reads go through personnel.selectors (scoped
by `restrict`), writes through personnel.services (scoped, validated, audited); an inspector
outside the caller's jurisdiction answers 404 on every operation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from jianguan.core.api import (
    CREATE_ERRORS,
    DETAIL_ERRORS,
    LIST_ERRORS,
    UPDATE_ERRORS,
    ObjectId,
    PageParams,
    Text,
    UnitRef,
    errors_doc,
    page,
)
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.org.models import Unit

from . import selectors, services
from .filters import InspectorFilters
from .models import Expertise, Inspector

router = Router(tags=["检查人员"])

ExpertiseCode = Annotated[Text, Field(max_length=32)]
EXPERTISE_HELP = (
    "业务专长代码（如 food 食品安全、special_equipment 特种设备；完整列表见系统管理中的业务专长）"
)


# --- output --------------------------------------------------------------------------------------


class InspectorOut(Schema):
    id: int
    name: str = Field(description="姓名")
    staff_no: str = Field(description="工号")
    unit: UnitRef = Field(description="所属机构（区局、市场监管所或执法大队）")
    district: UnitRef | None = Field(description="所属区局（市局人员为空）")
    cert_no: str = Field(description="执法证号")
    cert_expires_on: dt.date | None = Field(description="执法证有效期至")
    qualified: bool = Field(description="今天是否在岗且持有效执法证（可被抽取参加检查）")
    expertise: list[str] = Field(description=EXPERTISE_HELP)
    expertise_labels: list[str] = Field(description="业务专长（中文）")
    active: bool = Field(description="是否在岗")
    inactive_since: dt.date | None = Field(description="离岗日期")
    updated_at: dt.datetime = Field(description="更新时间")


class InspectorPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[InspectorOut]


def _unit(unit: Unit | None) -> dict | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _inspector_out(i: Inspector) -> dict[str, Any]:
    tags = list(i.expertise.all())  # prefetched by the selector
    return {
        "id": i.pk,
        "name": i.name,
        "staff_no": i.staff_no,
        "unit": _unit(i.unit),
        "district": _unit(i.unit.district),
        "cert_no": i.cert_no,
        "cert_expires_on": i.cert_expires_on,
        "qualified": i.qualified_on(timezone.localdate()),
        "expertise": [t.code for t in tags],
        "expertise_labels": [t.name for t in tags],
        "active": i.active,
        "inactive_since": i.inactive_since,
        "updated_at": i.updated_at,
    }


# --- input ---------------------------------------------------------------------------------------


class InspectorIn(Schema):
    """新建检查人员。未知字段一律拒绝（422）。"""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(max_length=50, description="姓名")
    staff_no: Text = Field(max_length=32, description="工号（全市唯一）")
    unit: ObjectId = Field(description="所属机构 id（须在调用者管辖范围内）")
    cert_no: Text = Field("", max_length=32, description="执法证号")
    cert_expires_on: dt.date | None = Field(None, description="执法证有效期至（YYYY-MM-DD）")
    expertise: list[ExpertiseCode] = Field(
        default_factory=list, max_length=50, description=EXPERTISE_HELP
    )
    active: bool = Field(True, description="是否在岗")
    inactive_since: dt.date | None = Field(None, description="离岗日期（离岗人员必填）")


class InspectorPatch(Schema):
    """只修改请求中给出的字段；可为空的字段给 null 即清空。未知字段一律拒绝（422）。"""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(None, max_length=50, description="姓名")
    staff_no: Text = Field(None, max_length=32, description="工号")
    unit: ObjectId = Field(None, description="所属机构 id（须在调用者管辖范围内）")
    cert_no: Text = Field(None, max_length=32, description="执法证号")
    cert_expires_on: dt.date | None = Field(None, description="执法证有效期至")
    expertise: list[ExpertiseCode] = Field(
        None, max_length=50, description=EXPERTISE_HELP + "；给出即整体替换"
    )
    active: bool = Field(None, description="是否在岗")
    inactive_since: dt.date | None = Field(None, description="离岗日期")


def _expertise(codes: list[str], field: str) -> list[Expertise]:
    tags = list(Expertise.objects.filter(code__in=codes))
    if unknown := sorted(set(codes) - {t.code for t in tags}):
        raise ValidationError(
            {field: _("未知的业务专长代码：%(codes)s") % {"codes": "、".join(unknown)}}
        )
    return tags


def _model_data(sent: dict[str, Any]) -> dict[str, Any]:
    """API values → model values: the unit id to the unit, expertise codes to tags."""
    data = dict(sent)
    if "unit" in data:
        unit = Unit.objects.filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": _("机构不存在（id=%(id)s）") % {"id": data["unit"]}})
        data["unit"] = unit
    if "expertise" in data:
        data["expertise"] = _expertise(data["expertise"], "expertise")
    return data


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: InspectorPage, **LIST_ERRORS},
    summary="检查人员列表",
    description="调用者管辖范围内的执法检查人员，按机构和工号排序，分页。\n\n"
    + errors_doc(LIST_ERRORS),
)
def list_inspectors(request, filters: Query[InspectorFilters], paging: Query[PageParams]):
    qs = selectors.inspector_list(user=request.auth, filters=filters)
    return page(qs, paging.limit, paging.offset, _inspector_out)


@router.get(
    "/{inspector_id}",
    response={200: InspectorOut, **DETAIL_ERRORS},
    summary="检查人员详情",
    description="管辖范围以外的人员答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_inspector(request, inspector_id: Annotated[ObjectId, Path(description="检查人员 id")]):
    return _inspector_out(selectors.inspector_get(user=request.auth, pk=inspector_id))


@router.post(
    "",
    response={201: InspectorOut, **CREATE_ERRORS},
    summary="新建检查人员",
    description="区局只能在本区的机构中新建；所队和只读账号答复 403。写入留有审计记录。\n\n"
    + errors_doc(CREATE_ERRORS),
)
def create_inspector(request, payload: InspectorIn):
    if not allowed(request.auth, ADD, Inspector):
        raise PermissionDenied(_("您的角色无权新建检查人员"))
    data = _model_data(payload.dict(exclude_unset=True))
    inspector = services.inspector_create(user=request.auth, data=data)
    return Status(201, _inspector_out(selectors.inspector_get(user=request.auth, pk=inspector.pk)))


@router.patch(
    "/{inspector_id}",
    response={200: InspectorOut, **UPDATE_ERRORS},
    summary="修改检查人员",
    description=(
        "只修改请求中给出的字段；expertise 给出即整体替换。调用者无权修改的人员（管辖范围以外，"
        "或角色只读）答复 404。写入留有审计记录。\n\n" + errors_doc(UPDATE_ERRORS)
    ),
)
def update_inspector(
    request,
    inspector_id: Annotated[ObjectId, Path(description="检查人员 id")],
    payload: InspectorPatch,
):
    inspector = selectors.inspector_get(user=request.auth, pk=inspector_id, action=CHANGE)
    data = _model_data(payload.dict(exclude_unset=True))
    services.inspector_update(user=request.auth, inspector=inspector, data=data)
    return _inspector_out(selectors.inspector_get(user=request.auth, pk=inspector_id))
