"""Risk API (/api/risk): an entity's current class, score and explanation, for staff.

Rule (see risk.selectors): risk classes and scores are internal. This answer exists only in the
token-authenticated staff API; among staff, only the roles that direct checks (city admin,
district admin, station inspector) get it — read-only users and experts are refused (403).
Entities outside the caller's jurisdiction answer 404.
"""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from jianguan.core.api import ObjectId, error_responses, errors_doc
from jianguan.registry.models import Entity

from .selectors import entity_risk, may_see_scores

router = Router(tags=["信用风险分类"])
ERRORS = error_responses(401, 403, 404, 422)


class ContributionOut(Schema):
    indicator: str = Field(description="指标（或专业调整）名称")
    points: float = Field(description="对得分的贡献（分）")


class EntityRiskOut(Schema):
    entity: int
    uscc: str
    risk_class: str = Field(description="信用风险分类 A/B/C/D（内部，不对外公示）；空表示未分类")
    score: float | None = Field(None, description="最近一次分类的得分")
    run: int | None = Field(None, description="分类运行 id")
    model_version: int | None = Field(None, description="模型版本号")
    top: list[ContributionOut] = Field(default_factory=list, description="影响得分最多的指标")
    veto: str | None = Field(None, description="触发的否决项（直接列为 D 类）")


@router.get(
    "/entities/{entity_id}",
    response={200: EntityRiskOut, **ERRORS},
    summary="检查对象的信用风险分类（内部）",
    description="仅限市局、区局管理员和所队检查人员；只读用户答复 403。\n\n" + errors_doc(ERRORS),
)
def entity_class(request, entity_id: Annotated[ObjectId, Path(description="检查对象 id")]):
    user = request.auth
    if not may_see_scores(user):
        raise PermissionDenied("无权查看信用风险分类得分")
    entity = get_object_or_404(Entity.objects.restrict(user), pk=entity_id)
    risk = entity_risk(entity, user)
    cur = risk["current"]
    return {
        "entity": entity.pk,
        "uscc": entity.uscc,
        "risk_class": entity.risk_class,
        "score": cur.score if cur else None,
        "run": cur.run_id if cur else None,
        "model_version": cur.run.model.version if cur else None,
        "top": [{"indicator": n, "points": p} for n, p in risk["explanation"]["top"]],
        "veto": risk["explanation"]["veto"],
    }
