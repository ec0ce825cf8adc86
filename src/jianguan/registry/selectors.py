"""Reads of the entity roster. Every read starts from `restrict(user, action)`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jianguan.core import uscc
from jianguan.core.scoping import VIEW

from .filters import EntityFilters
from .models import DOMAINS, Entity, Industry, TestingBody


def entity_list(
    *, user, filters: EntityFilters | None = None, action: str = VIEW
) -> QuerySet[Entity]:
    """The entities `user` may see (or `action`), filtered: q, a name part or a (partial) credit
    code; district/station: unit ids; domain; tier (special/general/none); status; entity_type;
    industry: a section letter or a code prefix; risk_class."""
    f = filters or EntityFilters()
    qs = Entity.objects.restrict(user, action).select_related("district", "station")
    if f.q:
        qs = search(qs, f.q)
    if f.district is not None:
        qs = qs.filter(district_id=f.district)
    if f.station is not None:
        qs = qs.filter(station_id=f.station)
    if f.domain:
        qs = DOMAINS.filter(qs, "domains", [f.domain])
    if f.tier:
        qs = qs.filter(key_tier="" if f.tier == "none" else f.tier)
    for field in ("status", "entity_type", "risk_class"):
        if value := getattr(f, field):
            qs = qs.filter(**{field: value})
    if f.industry:
        qs = qs.filter(_industry_q(f.industry))
    return qs.order_by("id")


def search(qs: QuerySet, text: str, prefix: str = "") -> QuerySet:
    """The roster's search box, on entities or on rows of an entity (`prefix` "entity__"): a
    credit code (6 characters or more: a prefix; 18: the code) or a part of the name."""
    code = uscc.normalise(text)
    if code.isalnum() and code.isascii() and len(code) >= 6:
        if len(code) >= 18:
            return qs.filter(**{f"{prefix}uscc": code})
        return qs.filter(**{f"{prefix}uscc__startswith": code})
    return qs.filter(**{f"{prefix}name__contains": text})


def _industry_q(code: str) -> Q:
    if code.isalpha():  # a section letter: every division under it
        divisions = Industry.objects.filter(section=code.upper(), level="division").values_list(
            "code", flat=True
        )
        q = Q(pk__in=[])
        for d in divisions:
            q |= Q(industry_code__startswith=d)
        return q
    return Q(industry_code__startswith=code)


def entity_get(*, user, pk: int, action: str = VIEW) -> Entity:
    """Entity.DoesNotExist (→ 404) when outside the user's jurisdiction for `action`."""
    return Entity.objects.restrict(user, action).select_related("district", "station").get(pk=pk)


def entity_find(
    *, user, pk: int | None = None, uscc: str | None = None, action: str = VIEW
) -> Entity | None:
    """The entity with this id (a form opened from its file, ?entity=<id>) or credit code, if
    `user` may `action` it; None otherwise."""
    if not pk and not uscc:
        return None
    lookup = {"pk": pk} if pk else {"uscc": uscc}
    return Entity.objects.restrict(user, action).filter(**lookup).first()


def dashboard_counts(user) -> dict:
    """The home page's roster figures (registered in `RegistryConfig.ready`)."""
    today = timezone.localdate()
    status_labels = dict(Entity.Status.choices)
    by_status = {
        row["status"]: row["n"]
        for row in Entity.objects.restrict(user).order_by().values("status").annotate(n=Count("id"))
    }
    bodies = TestingBody.objects.restrict(user)
    return {
        "entities_total": sum(by_status.values()),
        "entities_by_status": [
            (code, status_labels[code], by_status.get(code, 0)) for code in status_labels
        ],
        "testing_bodies": bodies.count(),
        "testing_bodies_expiring": bodies.filter(
            cert_expires_on__gte=today, cert_expires_on__lte=today + dt.timedelta(days=90)
        ).count(),
    }
