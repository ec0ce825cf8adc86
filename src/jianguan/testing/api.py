"""/api/testing: inspection & testing bodies (检验检测机构) for other systems — the qualification
register, PT results (and recording one, graded by z), current credit grades and commitment
follow-ups. Reads through testing.selectors (scoped by `restrict`), writes through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from jianguan.core import uscc as uscc_codes
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
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.registry.models import Entity

from . import proficiency, selectors
from .filters import FollowUpFilters, GradeFilters, QualificationFilters, ResultFilters
from .models import PTResult, PTScheme, Qualification

router = Router(tags=["检验检测机构"])


class BodyRef(Schema):
    id: int = Field(description="市场主体 id")
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="名称")


def _body(e: Entity) -> dict:
    return {"id": e.pk, "uscc": e.uscc, "name": e.name}


class QualificationOut(Schema):
    id: int
    body: BodyRef
    cert_no: str = Field(description="资质认定证书编号")
    route: str = Field(description="取得方式：commitment 告知承诺；review 一般程序")
    status: str = Field(
        description="状态：valid 有效；suspended 暂停；revoked 撤销；cancelled 注销；expired 过期"
    )
    status_on: dt.date = Field(description="状态变更日期")
    issued_on: dt.date = Field(description="发证日期")
    expires_on: dt.date = Field(description="有效期至")
    fields: list[str] = Field(description="检验检测领域（中文）")
    scope: list[str] = Field(description="资质认定范围（每项一行）")
    bar_until: dt.date | None = Field(description="因虚假承诺撤销的，不得再次申请至")


def _qualification(q: Qualification) -> dict[str, Any]:
    return {
        "id": q.pk,
        "body": _body(q.entity),
        "cert_no": q.cert_no,
        "route": q.route,
        "status": q.status,
        "status_on": q.status_on,
        "issued_on": q.issued_on,
        "expires_on": q.expires_on,
        "fields": q.field_labels,
        "scope": q.scope_lines,
        "bar_until": q.bar_until,
    }


class QualificationPage(Schema):
    count: int
    items: list[QualificationOut]


@router.get(
    "/qualifications",
    response={200: QualificationPage, **LIST_ERRORS},
    summary="资质认定登记",
    description="调用者管辖范围内的资质认定证书，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_qualifications(request, filters: Query[QualificationFilters], paging: Query[PageParams]):
    qs = selectors.qualification_list(request.auth, filters.given())
    return page(qs, paging.limit, paging.offset, _qualification)


@router.get(
    "/qualifications/{qualification_id}",
    response={200: QualificationOut, **DETAIL_ERRORS},
    summary="资质认定证书详情",
    description="管辖范围以外的证书答复 404。\n\n" + errors_doc(DETAIL_ERRORS),
)
def get_qualification(
    request, qualification_id: Annotated[ObjectId, Path(description="资质认定 id")]
):
    q = (
        Qualification.objects.restrict(request.auth)
        .select_related("entity")
        .get(pk=qualification_id)
    )
    return _qualification(q)


class PTResultOut(Schema):
    id: int
    body: BodyRef
    scheme: str = Field(description="能力验证计划编号")
    item: str = Field(description="项目")
    x: Decimal | None = Field(description="结果值")
    assigned: Decimal | None = Field(description="指定值")
    sigma: Decimal | None = Field(description="能力评定标准差")
    z: str = Field(description="z值（保留2位小数；评定按未修约的 z）")
    grade: str = Field(
        description="评定结果：satisfactory 满意；questionable 可疑；unsatisfactory 不满意；missed 未参加"
    )
    reported_on: dt.date = Field(description="结果通报日期")


def _result(r) -> dict[str, Any]:
    return {
        "id": r.pk,
        "body": _body(r.entity),
        "scheme": r.scheme.number,
        "item": r.item,
        "x": r.x,
        "assigned": r.assigned,
        "sigma": r.sigma,
        "z": r.z_text,
        "grade": r.grade,
        "reported_on": r.reported_on,
    }


class PTResultPage(Schema):
    count: int
    items: list[PTResultOut]


class PTResultIn(Schema):
    """一条能力验证（盲样考核）结果；按 z = (x − X) / σ̂ 评定。未知字段一律拒绝（422）。"""

    model_config = ConfigDict(extra="forbid")

    uscc: Text = Field(max_length=30, description="检验检测机构统一社会信用代码")
    scheme: Text = Field(max_length=40, description="能力验证计划编号（项目库中已有）")
    item: Text = Field("", max_length=100, description="项目（计划的项目之一）")
    x: Decimal = Field(max_digits=24, decimal_places=8, allow_inf_nan=False, description="结果值")
    assigned: Decimal = Field(
        max_digits=24, decimal_places=8, allow_inf_nan=False, description="指定值"
    )
    sigma: Decimal = Field(
        gt=0,
        max_digits=24,
        decimal_places=8,
        allow_inf_nan=False,
        description="能力评定标准差（大于0）",
    )
    reported_on: dt.date = Field(description="结果通报日期（YYYY-MM-DD）")


@router.get(
    "/pt-results",
    response={200: PTResultPage, **LIST_ERRORS},
    summary="能力验证结果",
    description="调用者管辖范围内的能力验证和盲样考核结果，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_results(request, filters: Query[ResultFilters], paging: Query[PageParams]):
    qs = selectors.result_list(request.auth, filters.given())
    return page(qs, paging.limit, paging.offset, _result)


@router.post(
    "/pt-results",
    response={201: PTResultOut, **CREATE_ERRORS},
    summary="录入能力验证结果",
    description=(
        "按未修约的 z 评定（|z| ≤ 2.0 满意；2.0 < |z| < 3.0 可疑；|z| ≥ 3.0 不满意）；可疑、不满意的"
        "自动责令限期整改。写入留有审计记录。\n\n" + errors_doc(CREATE_ERRORS)
    ),
)
def create_result(request, payload: PTResultIn):
    if not allowed(request.auth, ADD, PTResult):
        raise PermissionDenied(_("您的角色无权录入能力验证结果"))
    code = uscc_codes.normalise(payload.uscc)
    entity = (
        Entity.objects.restrict(request.auth, CHANGE)
        .filter(uscc=code, testing_body__isnull=False)
        .first()
    )
    if entity is None:
        raise ValidationError({"uscc": _("不是名录库中的检验检测机构，或不在您的管辖范围内")})
    scheme = PTScheme.objects.filter(number=payload.scheme).first()
    if scheme is None:
        raise ValidationError({"scheme": _("项目库中没有该计划")})
    data = payload.dict(exclude={"uscc", "scheme"}) | {"scheme": scheme}
    r = proficiency.result_record(user=request.auth, entity=entity, data=data)
    return Status(201, _result(r))


class CreditGradeOut(Schema):
    body: BodyRef
    grade: str = Field(description="信用等级 A、B、C、D")
    score: Decimal = Field(description="得分（满分100）")
    veto: str = Field(description="触及的否决项代码（无则为空）")
    as_of: dt.date = Field(description="评价数据基准日")


class CreditGradePage(Schema):
    count: int
    items: list[CreditGradeOut]


@router.get(
    "/grades",
    response={200: CreditGradePage, **LIST_ERRORS},
    summary="现行信用等级",
    description="调用者管辖范围内检验检测机构的现行信用等级，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_grades(request, filters: Query[GradeFilters], paging: Query[PageParams]):
    qs = selectors.grade_list(request.auth, filters.given())
    return page(
        qs,
        paging.limit,
        paging.offset,
        lambda g: {
            "body": _body(g.entity),
            "grade": g.grade,
            "score": g.score,
            "veto": g.veto,
            "as_of": g.run.as_of,
        },
    )


class CommitmentFollowUpOut(Schema):
    id: int
    body: BodyRef
    cert_no: str = Field(description="资质认定证书编号")
    method: str = Field(description="核查方式：document 文件检查；onsite 现场检查")
    due_on: dt.date = Field(description="核查期限")
    checked_on: dt.date | None = Field(description="核查日期")
    outcome: str = Field(
        description="核查结论：空 待核查；true 属实；rectify 责令整改；untrue 不实"
    )


class CommitmentFollowUpPage(Schema):
    count: int
    items: list[CommitmentFollowUpOut]


@router.get(
    "/follow-ups",
    response={200: CommitmentFollowUpPage, **LIST_ERRORS},
    summary="告知承诺后续核查",
    description="调用者管辖范围内的告知承诺后续核查，分页。\n\n" + errors_doc(LIST_ERRORS),
)
def list_follow_ups(request, filters: Query[FollowUpFilters], paging: Query[PageParams]):
    qs = selectors.follow_up_list(request.auth, filters.given())
    return page(
        qs,
        paging.limit,
        paging.offset,
        lambda f: {
            "id": f.pk,
            "body": _body(f.entity),
            "cert_no": f.qualification.cert_no,
            "method": f.method,
            "due_on": f.due_on,
            "checked_on": f.checked_on,
            "outcome": f.outcome,
        },
    )
