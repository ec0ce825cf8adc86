"""Reads of units (市局 → 区局 → 所队): the ones inside a user's jurisdiction, for filters and
forms. Every read starts from `restrict(user, action)`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from jianguan.core.scoping import VIEW

from .models import Unit

STATION_KINDS = (Unit.Kind.STATION, Unit.Kind.TEAM)


def unit_list(
    *,
    user,
    action: str = VIEW,
    kinds: Iterable[str] | None = None,
    district: int | None = None,
    active: bool | None = True,
) -> QuerySet[Unit]:
    """Units inside the user's jurisdiction for `action`, in list order; `kinds`: only these
    levels; `district`: only the units of that district bureau; `active`: only units in use."""
    qs = Unit.objects.restrict(user, action)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if district is not None:
        qs = qs.filter(district_id=district)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("sort", "code")


def district_list(*, user, action: str = VIEW) -> QuerySet[Unit]:
    """District bureaus inside the user's jurisdiction (one for a district user, all for the city)."""
    return unit_list(user=user, action=action, kinds=[Unit.Kind.DISTRICT])


def station_list(*, user, district: int | None = None, action: str = VIEW) -> QuerySet[Unit]:
    """Stations and teams inside the user's jurisdiction, optionally of one district."""
    return unit_list(user=user, action=action, kinds=STATION_KINDS, district=district)


def unit_get(*, user, pk: int, action: str = VIEW) -> Unit:
    return Unit.objects.restrict(user, action).get(pk=pk)
