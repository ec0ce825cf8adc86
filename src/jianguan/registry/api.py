"""/api/entities: the entity roster (检查对象名录库) for other systems.

Thin: parse, call a selector or a service, render. Reads go through registry.selectors (scoped by
`restrict`), writes through registry.services (scoped, validated, audited); an entity outside the
caller's jurisdiction answers 404 on every operation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict

from jianguan.core import uscc
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
from .filters import EntityFilters
from .models import DOMAINS, KEY_TESTING_FIELDS, TESTING_FIELDS, Entity, TestingBody

router = Router(tags=["检查对象"])

EntityType = Literal[tuple(Entity.Type.values)]  # type: ignore[valid-type]
EntityStatus = Literal[tuple(Entity.Status.values)]  # type: ignore[valid-type]
KeyTier = Literal[tuple(Entity.Tier.values)]  # type: ignore[valid-type]
RiskClass = Literal[tuple(Entity.RiskClass.values)]  # type: ignore[valid-type]
RiskClassOrNone = Literal[("", *Entity.RiskClass.values)]  # type: ignore[valid-type]
DomainCode = Literal[tuple(DOMAINS.by_code)]  # type: ignore[valid-type]


def _choices(choices) -> str:
    return "；".join(f"{value or '空'} {label}" for value, label in choices)


DOMAIN_HELP = "监管领域代码：" + _choices(DOMAINS.choices)
RISK_HELP = "【内部】信用风险分类（A 低 / B 一般 / C 较高 / D 高），仅供监管内部使用，不得对外公示"
# Spaces anywhere and lower case are normalised here; the model checks the code itself.
USCCInput = Annotated[Text, AfterValidator(uscc.normalise)]


# --- output --------------------------------------------------------------------------------------


class EntityOut(Schema):
    id: int
    uscc: str = Field(description="统一社会信用代码（18位）")
    name: str = Field(description="名称")
    entity_type: EntityType = Field(description="主体类型：" + _choices(Entity.Type.choices))
    entity_type_label: str = Field(description="主体类型（中文）")
    region_code: str = Field(description="登记地行政区划代码（GB/T 2260，取自信用代码第3–8位）")
    district: UnitRef = Field(description="所属区局")
    station: UnitRef | None = Field(description="所属市场监管所/执法大队")
    address: str = Field(description="住所")
    industry_code: str = Field(description="行业代码（GB/T 4754-2017）")
    status: EntityStatus = Field(description="登记状态：" + _choices(Entity.Status.choices))
    status_label: str = Field(description="登记状态（中文）")
    established_on: dt.date | None = Field(description="成立日期")
    capital_wan: Decimal | None = Field(description="注册资本（万元）")
    legal_rep: str = Field(description="法定代表人")
    domains: list[DomainCode] = Field(description=DOMAIN_HELP)
    domain_labels: list[str] = Field(description="监管领域（中文）")
    key_tier: KeyTier = Field(description="重点领域类别：" + _choices(Entity.Tier.choices))
    key_tier_label: str = Field(description="重点领域类别（中文）")
    risk_class: RiskClassOrNone = Field(description=RISK_HELP + "；空表示未分类")
    created_at: dt.datetime = Field(description="入库时间")
    updated_at: dt.datetime = Field(description="更新时间")


class TestingBodyOut(Schema):
    cert_no: str = Field(description="资质认定证书编号")
    scope: str = Field(description="资质认定范围")
    cert_issued_on: dt.date | None = Field(description="发证日期")
    cert_expires_on: dt.date | None = Field(description="有效期至（资质认定证书有效期6年）")
    by_commitment: bool = Field(description="是否以告知承诺方式取得")
    fields: list[str] = Field(description="检验检测领域代码：" + _choices(TESTING_FIELDS.choices))
    field_labels: list[str] = Field(description="检验检测领域（中文）")
    key_field: bool = Field(
        description="是否属于重点领域（防疫物资检测、机动车检验、生态环境监测、食品检验）"
    )


class EntityDetailOut(EntityOut):
    industry_name: str = Field(description="行业大类名称")
    testing_body: TestingBodyOut | None = Field(description="检验检测机构信息（仅检验检测机构有）")


class EntityPage(Schema):
    count: int = Field(description="符合条件的总数")
    items: list[EntityOut]


def _unit(unit: Unit | None) -> dict | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _entity_out(e: Entity) -> dict[str, Any]:
    return {
        "id": e.pk,
        "uscc": e.uscc,
        "name": e.name,
        "entity_type": e.entity_type,
        "entity_type_label": e.get_entity_type_display(),
        "region_code": e.region_code,
        "district": _unit(e.district),
        "station": _unit(e.station),
        "address": e.address,
        "industry_code": e.industry_code,
        "status": e.status,
        "status_label": e.get_status_display(),
        "established_on": e.established_on,
        "capital_wan": e.capital_wan,
        "legal_rep": e.legal_rep,
        "domains": DOMAINS.codes(e.domains),
        "domain_labels": DOMAINS.labels(e.domains),
        "key_tier": e.key_tier,
        "key_tier_label": e.get_key_tier_display(),
        "risk_class": e.risk_class,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _entity_detail(e: Entity) -> dict[str, Any]:
    industry = e.industry
    try:
        body = e.testing_body  # same jurisdiction as the entity, which was read scoped
    except TestingBody.DoesNotExist:
        body = None
    return {
        **_entity_out(e),
        "industry_name": industry.name if industry else "",
        "testing_body": None
        if body is None
        else {
            "cert_no": body.cert_no,
            "scope": body.scope,
            "cert_issued_on": body.cert_issued_on,
            "cert_expires_on": body.cert_expires_on,
            "by_commitment": body.by_commitment,
            "fields": TESTING_FIELDS.codes(body.fields),
            "field_labels": TESTING_FIELDS.labels(body.fields),
            "key_field": any(
                code in KEY_TESTING_FIELDS for code in TESTING_FIELDS.codes(body.fields)
            ),
        },
    }


# --- input ---------------------------------------------------------------------------------------


class EntityIn(Schema):
    """新建检查对象。未知字段一律拒绝（422），拼错的字段不会被悄悄忽略。"""

    model_config = ConfigDict(extra="forbid")

    uscc: USCCInput = Field(
        max_length=64,
        description="统一社会信用代码（18位；空格和小写会自动规范，校验位错误返回 422）",
    )
    name: Text = Field(max_length=200, description="名称")
    entity_type: EntityType = Field(
        Entity.Type.ENTERPRISE, description="主体类型：" + _choices(Entity.Type.choices)
    )
    district: ObjectId = Field(description="所属区局 id（须在调用者管辖范围内）")
    station: ObjectId | None = Field(None, description="所属所队 id（须属于所选区局）")
    address: Text = Field("", max_length=300, description="住所")
    industry_code: Text = Field(
        "", max_length=4, description="行业代码（GB/T 4754-2017 大类2位，或中类、小类3–4位）"
    )
    status: EntityStatus = Field(
        Entity.Status.ACTIVE, description="登记状态：" + _choices(Entity.Status.choices)
    )
    established_on: dt.date | None = Field(None, description="成立日期（YYYY-MM-DD）")
    capital_wan: Decimal | None = Field(
        None, ge=0, max_digits=16, decimal_places=4, description="注册资本（万元）"
    )
    legal_rep: Text = Field("", max_length=100, description="法定代表人")
    domains: list[DomainCode] = Field(
        default_factory=list, max_length=len(DOMAINS.items), description=DOMAIN_HELP
    )
    key_tier: KeyTier = Field("", description="重点领域类别：" + _choices(Entity.Tier.choices))
    risk_class: RiskClassOrNone = Field("", description=RISK_HELP + "；空表示未分类")


class EntityPatch(Schema):
    """只修改请求中给出的字段；可为空的字段给 null 即清空。未知字段一律拒绝（422）。"""

    model_config = ConfigDict(extra="forbid")

    uscc: USCCInput = Field(None, max_length=64, description="统一社会信用代码")
    name: Text = Field(None, max_length=200, description="名称")
    entity_type: EntityType = Field(None, description="主体类型")
    district: ObjectId = Field(None, description="所属区局 id（须在调用者管辖范围内）")
    station: ObjectId | None = Field(None, description="所属所队 id；null 表示不属于具体所队")
    address: Text = Field(None, max_length=300, description="住所")
    industry_code: Text = Field(None, max_length=4, description="行业代码")
    status: EntityStatus = Field(None, description="登记状态")
    established_on: dt.date | None = Field(None, description="成立日期")
    capital_wan: Decimal | None = Field(
        None, ge=0, max_digits=16, decimal_places=4, description="注册资本（万元）"
    )
    legal_rep: Text = Field(None, max_length=100, description="法定代表人")
    domains: list[DomainCode] = Field(None, max_length=len(DOMAINS.items), description=DOMAIN_HELP)
    key_tier: KeyTier = Field(None, description="重点领域类别")
    risk_class: RiskClassOrNone = Field(None, description=RISK_HELP + "；空表示未分类")


def _model_data(sent: dict[str, Any]) -> dict[str, Any]:
    """API values → model values: unit ids to units, domain codes to the bit mask."""
    data = dict(sent)
    if "district" in data:
        district = Unit.objects.filter(pk=data["district"], kind=Unit.Kind.DISTRICT).first()
        if district is None:
            raise ValidationError(
                {"district": _("区局不存在（id=%(id)s）") % {"id": data["district"]}}
            )
        data["district"] = district
    if data.get("station") is not None:
        station = Unit.objects.filter(
            pk=data["station"], kind__in=(Unit.Kind.STATION, Unit.Kind.TEAM)
        ).first()
        if station is None:
            raise ValidationError(
                {"station": _("所队不存在（id=%(id)s）") % {"id": data["station"]}}
            )
        data["station"] = station
    if "domains" in data:
        data["domains"] = DOMAINS.mask(data["domains"])
    return data


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: EntityPage, **LIST_ERRORS},
    summary="检查对象列表",
    description="调用者管辖范围内的检查对象，按 id 排序，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_entities(request, filters: Query[EntityFilters], paging: Query[PageParams]):
    qs = selectors.entity_list(user=request.auth, filters=filters)
    return page(qs, paging.limit, paging.offset, _entity_out)


@router.get(
    "/{entity_id}",
    response={200: EntityDetailOut, **DETAIL_ERRORS},
    summary="检查对象详情",
    description="含检验检测机构信息（如有）。管辖范围以外的对象答复 404。\n\n"
    + errors_doc(DETAIL_ERRORS),
)
def get_entity(request, entity_id: Annotated[ObjectId, Path(description="检查对象 id")]):
    return _entity_detail(selectors.entity_get(user=request.auth, pk=entity_id))


@router.post(
    "",
    response={201: EntityDetailOut, **CREATE_ERRORS},
    summary="新建检查对象",
    description="区局只能在本区新建；所队和只读账号答复 403。写入留有审计记录。\n\n"
    + errors_doc(CREATE_ERRORS),
)
def create_entity(request, payload: EntityIn):
    if not allowed(request.auth, ADD, Entity):
        raise PermissionDenied(_("您的角色无权新建检查对象"))
    data = _model_data(payload.dict(exclude_unset=True))
    entity = services.entity_create(user=request.auth, data=data)
    return Status(201, _entity_detail(selectors.entity_get(user=request.auth, pk=entity.pk)))


@router.patch(
    "/{entity_id}",
    response={200: EntityDetailOut, **UPDATE_ERRORS},
    summary="修改检查对象",
    description=(
        "只修改请求中给出的字段。调用者无权修改的对象（管辖范围以外，或角色只读）答复 404。"
        "写入留有审计记录。\n\n" + errors_doc(UPDATE_ERRORS)
    ),
)
def update_entity(
    request, entity_id: Annotated[ObjectId, Path(description="检查对象 id")], payload: EntityPatch
):
    entity = selectors.entity_get(user=request.auth, pk=entity_id, action=CHANGE)
    data = _model_data(payload.dict(exclude_unset=True))
    services.entity_update(user=request.auth, entity=entity, data=data)
    return _entity_detail(selectors.entity_get(user=request.auth, pk=entity_id))
