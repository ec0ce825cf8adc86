"""Reads of the risk app. Staff reads start from `restrict(user, action)`.

Privacy rule (DOMAIN.md "Credit lists": risk classes are internal): classes, scores and their
explanations never appear on a public page or in a public answer. Among staff, scores and
explanations are for the roles that direct checks — city administrators, district
administrators, station inspectors (and superusers); read-only users and experts do not get them
(`may_see_scores`: the SEE_RISK_SCORES grant of ROLE_SPECS), neither on the entity page nor through the API.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from jianguan.core import uscc
from jianguan.core.scoping import granted
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.org.models import SEE_RISK_SCORES
from jianguan.planning.models import Task
from jianguan.registry.models import DOMAINS, Entity
from jianguan.sampling.models import Draw, Visit
from jianguan.testing.models import Grade, PTResult

from . import chance
from .filters import ClassFilters, CoverageFilters, InfoFilters, ListingFilters, MatterFilters
from .models import (
    ClassRun,
    EntityRiskClass,
    Indicator,
    KeyAreaInfo,
    KeyAreaListing,
    KeyAreaMatter,
    RiskModel,
)


def may_see_scores(user) -> bool:
    """The roles granted SEE_RISK_SCORES in org.models.ROLE_SPECS."""
    return granted(user, SEE_RISK_SCORES)


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(status=RiskModel.Status.ACTIVE).first()


def _search(qs: QuerySet, q: str, prefix: str = "") -> QuerySet:
    code = uscc.normalise(q)
    if code.isalnum() and code.isascii() and len(code) >= 6:
        if len(code) == 18:
            return qs.filter(**{f"{prefix}uscc": code})
        return qs.filter(**{f"{prefix}uscc__startswith": code})
    return qs.filter(**{f"{prefix}name__contains": q})


def _district(qs: QuerySet, district: int | None, field: str) -> QuerySet:
    return qs if district is None else qs.filter(**{field: district})


def matter_list(*, user, filters: MatterFilters | None = None) -> QuerySet[KeyAreaMatter]:
    f = filters or MatterFilters()
    qs = KeyAreaMatter.objects.restrict(user)
    if f.q:
        qs = qs.filter(
            Q(title__contains=f.q) | Q(subject__contains=f.q) | Q(supervisor__contains=f.q)
        )
    if f.area:
        qs = qs.filter(area=f.area)
    return qs.order_by("area", "id")


def info_list(*, user, filters: InfoFilters | None = None) -> QuerySet[KeyAreaInfo]:
    f = filters or InfoFilters()
    qs = KeyAreaInfo.objects.restrict(user)
    if f.q:
        qs = qs.filter(Q(title__contains=f.q) | Q(provider__contains=f.q))
    if f.area:
        qs = qs.filter(area=f.area)
    if f.category:
        qs = qs.filter(category=f.category)
    return qs.order_by("area", "category", "id")


def key_entity_list(*, user, filters: ListingFilters | None = None) -> QuerySet[Entity]:
    """企业清单: entities with a key tier (special / general) in the user's jurisdiction, with
    their active listings (reasons) prefetched."""
    f = filters or ListingFilters()
    qs = Entity.objects.restrict(user).exclude(key_tier="").select_related("district", "station")
    if f.q:
        qs = _search(qs, f.q)
    if f.tier:
        qs = qs.filter(key_tier=f.tier)
    if f.area:
        qs = qs.filter(
            key_area_listings__area=f.area, key_area_listings__removed_on__isnull=True
        ).distinct()
    qs = _district(qs, f.district, "district_id")
    return qs.prefetch_related(
        Prefetch(
            "key_area_listings",
            queryset=KeyAreaListing.objects.filter(removed_on__isnull=True),
            to_attr="active_listings",
        )
    ).order_by("district_id", "id")


def listing_records(*, user, filters: ListingFilters | None = None) -> QuerySet[KeyAreaListing]:
    """Active key-area listings in the user's jurisdiction, one row per listing."""
    f = filters or ListingFilters()
    qs = KeyAreaListing.objects.restrict(user).filter(removed_on__isnull=True)
    if f.q:
        qs = _search(qs, f.q, "entity__")
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.area:
        qs = qs.filter(area=f.area)
    return _district(qs, f.district, "entity__district_id").order_by("entity_id", "area")


def class_list(*, user, filters: ClassFilters | None = None) -> QuerySet[Entity]:
    """信用风险分类名单: the current class of each entity (from the runs)."""
    f = filters or ClassFilters()
    qs = Entity.objects.restrict(user).exclude(risk_class="").select_related("district")
    if f.q:
        qs = _search(qs, f.q)
    if f.risk_class:
        qs = qs.filter(risk_class=f.risk_class)
    return _district(qs, f.district, "district_id").order_by("id")


def latest_rows(entity_ids) -> dict[int, EntityRiskClass]:
    """The latest history row of each entity (score, explanation)."""
    rows: dict[int, EntityRiskClass] = {}
    for row in EntityRiskClass.objects.filter(
        entity_id__in=list(entity_ids), run__status=ClassRun.Status.DONE
    ).order_by("entity_id", "-run_id"):
        rows.setdefault(row.entity_id, row)
    return rows


def visited_this_year(year: int) -> QuerySet:
    return Visit.objects.filter(
        draw__status=Draw.Status.DRAWN, draw__task__check_date__year=year
    ).values("entity_id")


def coverage(*, user, year: int | None = None, filters: CoverageFilters | None = None):
    """Special-key full coverage (特殊重点 全覆盖): per district, special-key entities in force
    and how many have a visit in a final draw of this year; and the not-yet-visited ones."""
    f = filters or CoverageFilters()
    year = year or timezone.localdate().year
    special = Entity.objects.restrict(user).filter(
        key_tier=Entity.Tier.SPECIAL, status=Entity.Status.ACTIVE
    )
    visited = visited_this_year(year)
    per_district = list(
        special.values("district_id", "district__name")
        .annotate(total=Count("id"), visited=Count("id", filter=Q(id__in=visited)))
        .order_by("district_id")
    )
    for row in per_district:
        row["missing"] = row["total"] - row["visited"]
    missing = special.exclude(id__in=visited).select_related("district", "station")
    if f.q:
        missing = _search(missing, f.q)
    missing = _district(missing, f.district, "district_id").order_by("district_id", "id")
    return year, per_district, missing


def explain(row: EntityRiskClass | None) -> dict:
    """A history row's explanation with indicator names: {"top": [(name, points)], "veto": name}."""
    if row is None:
        return {"top": [], "veto": None}
    data = json.loads(row.explanation or "{}")
    model_id = row.run.model_id
    names = dict(Indicator.objects.filter(model_id=model_id).values_list("code", "name"))
    vetoes = dict(row.run.model.vetoes.values_list("code", "name"))
    domains = dict(DOMAINS.choices)
    top = []
    for term, pts in data.get("t", []):
        if term.startswith("domain:"):
            label = f"专业调整：{domains.get(term[7:], term[7:])}"
        else:
            label = names.get(term, term)
        top.append((label, pts))
    veto = data.get("v")
    return {"top": top, "veto": vetoes.get(veto, veto) if veto else None}


def entity_risk(entity: Entity, user) -> dict:
    """Everything the entity page shows about its class and its draw probability."""
    history = list(
        EntityRiskClass.objects.filter(entity=entity, run__status=ClassRun.Status.DONE)
        .select_related("run", "run__model")
        .order_by("-run_id")[:10]
    )
    current = history[0] if history else None
    model = active_model()
    ratio = None
    if model and entity.risk_class:
        ratio = model.draw_ratios.get(entity.risk_class)
    reasons = []
    if entity.key_tier == Entity.Tier.SPECIAL:
        reasons.append("特殊重点领域企业：每年全覆盖检查（至少一次），不参与随机抽取比例")
    elif entity.key_tier == Entity.Tier.GENERAL:
        reasons.append("一般重点领域企业：按抽取规则为一般重点设置的比例抽查，比例不设上限")
    if AbnormalListing.objects.filter(entity=entity, status=AbnormalListing.Status.LISTED).exists():
        reasons.append("列入经营异常名录（列入中）：按抽取规则的配置提高抽取概率")
    if SeriousListing.objects.filter(entity=entity, status=SeriousListing.Status.LISTED).exists():
        reasons.append("列入严重违法失信名单（列入中）：按抽取规则的配置提高抽取概率")
    listings = list(
        KeyAreaListing.objects.filter(entity=entity, removed_on__isnull=True).order_by("area")
    )
    facts = _facts(entity)
    if facts.missed_pt:
        reasons.append(
            f"能力验证未参加（最近一次 {max(facts.missed_pt):%Y-%m-%d}）："
            "按抽取规则的配置提高抽取概率"
        )
    return {
        "entity": entity,
        "current": current,
        "explanation": explain(current),
        "history": history,
        "model": model,
        "ratio": ratio,
        "reasons": reasons,
        "listings": listings,
        "chances": task_chances(entity, facts, user),
        "pts": list(PTResult.objects.filter(entity=entity).select_related("scheme")[:5]),
    }


def models_with_runs() -> QuerySet[RiskModel]:
    return RiskModel.objects.annotate(run_count=Count("runs")).order_by("-version")


def _facts(entity: Entity) -> chance.Facts:
    listed = []
    if AbnormalListing.objects.filter(entity=entity, status=AbnormalListing.Status.LISTED).exists():
        listed.append("经营异常名录")
    if SeriousListing.objects.filter(entity=entity, status=SeriousListing.Status.LISTED).exists():
        listed.append("严重违法失信名单")
    missed = list(
        PTResult.objects.filter(entity=entity, grade=Grade.MISSED).values_list(
            "reported_on", flat=True
        )
    )
    return chance.Facts(
        risk_class=entity.risk_class,
        key_tier=entity.key_tier,
        status=entity.status,
        entity_type=entity.entity_type,
        district_code=entity.district.code,
        listed=listed,
        missed_pt=missed,
    )


RECENT_DAYS = 90


def task_chances(entity: Entity, facts: chance.Facts, user) -> list[tuple[Task, chance.Chance]]:
    """The open tasks (not yet drawn) and those drawn in the last RECENT_DAYS days that may
    reach the entity (city-wide or of its district), with the rule each applies to it."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    qs = Task.objects.restrict(user)
    tasks = (
        qs.filter(Q(district__isnull=True) | Q(district_id=entity.district_id))
        .filter(Q(status__in=[Task.Status.DRAFT, Task.Status.COMMITTED]) | Q(check_date__gte=since))
        .order_by("-check_date", "-id")[:10]
    )
    return [(t, chance.explain(facts, t.definition or {}, t.check_date)) for t in tasks]
