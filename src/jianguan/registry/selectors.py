"""Reads of the entity roster. Every read starts from `restrict(user, action)`."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from jianguan.core import uscc

from .models import DOMAINS, Entity

FILTERS = (
    "q",
    "district",
    "station",
    "domain",
    "tier",
    "status",
    "industry",
    "entity_type",
    "risk_class",
)


def entity_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[Entity]:
    """The entities `user` may see, filtered by list/API/export parameters.

    q: name contains, or a (partial) credit code; district/station: unit ids; domain: domain code;
    tier: special/general/none; status; industry: code prefix (section letter or division digits).
    """
    params = params or {}
    qs = Entity.objects.restrict(user, action).select_related("district", "station")
    if q := (params.get("q") or "").strip():
        code = uscc.normalise(q)
        if code.isalnum() and len(code) >= 6 and code.isascii():
            qs = qs.filter(uscc__startswith=code) if len(code) < 18 else qs.filter(uscc=code)
        else:
            qs = qs.filter(name__contains=q)
    for key in ("district", "station"):
        if value := params.get(key):
            qs = qs.filter(**{f"{key}_id": value}) if str(value).isdigit() else qs.none()
    if domain := params.get("domain"):
        qs = DOMAINS.filter(qs, "domains", [domain]) if domain in DOMAINS.by_code else qs.none()
    if tier := params.get("tier"):
        qs = qs.filter(key_tier="" if tier == "none" else tier)
    for key, field in (
        ("status", "status"),
        ("entity_type", "entity_type"),
        ("risk_class", "risk_class"),
    ):
        if value := params.get(key):
            qs = qs.filter(**{field: value})
    if industry := (params.get("industry") or "").strip():
        qs = qs.filter(_industry_q(industry))
    return qs.order_by("id")


def _industry_q(code: str) -> Q:
    if code.isalpha():  # a section letter: every division under it
        from .models import Industry

        divisions = Industry.objects.filter(section=code.upper(), level="division").values_list(
            "code", flat=True
        )
        q = Q(pk__in=[])
        for d in divisions:
            q |= Q(industry_code__startswith=d)
        return q
    return Q(industry_code__startswith=code)


def entity_from_query(user, params: Mapping[str, str], action: str) -> Entity | None:
    """?entity=<id>: the entity whose file a form was opened from, if `user` may `action` it."""
    pk = params.get("entity", "")
    return Entity.objects.restrict(user, action).filter(pk=pk).first() if pk.isdigit() else None


def entity_get(user, pk: int, action: str = "view") -> Entity:
    """Raise Entity.DoesNotExist (→ 404) when outside the user's jurisdiction."""
    return Entity.objects.restrict(user, action).select_related("district", "station").get(pk=pk)
