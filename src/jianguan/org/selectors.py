"""Reads of units (市局 → 区局 → 所队): the ones inside a user's jurisdiction, for filters and
forms. Every read starts from `restrict(user, action)`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from jianguan.core.scoping import CHANGE, VIEW

from .models import Unit, User

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


# --- user management --------------------------------------------------------------------------

# How far a role reaches: nobody grants a role that reaches further than their own.
ROLE_RANK = {
    User.Role.READ_ONLY: 0,
    User.Role.EXPERT: 0,
    User.Role.STATION_INSPECTOR: 1,
    User.Role.DISTRICT_ADMIN: 2,
    User.Role.CITY_ADMIN: 3,
}


def may_manage_users(user) -> bool:
    """City and district administrators (and operators) manage the accounts of their units."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or (user.can(CHANGE) and user.scope_level in ("city", "district"))


def manageable_units(*, user) -> QuerySet[Unit]:
    """The units whose accounts `user` manages: the units it may change (its district and that
    district's stations; the whole city for the city)."""
    if not may_manage_users(user):
        return Unit.objects.none()
    return Unit.objects.restrict(user, CHANGE).filter(active=True)


def grantable_roles(*, user) -> list[str]:
    if user.is_superuser:
        return list(User.Role.values)
    rank = ROLE_RANK[user.role]
    return [role for role in User.Role.values if ROLE_RANK[role] <= rank]


def user_list(*, user) -> QuerySet[User]:
    """The accounts `user` manages. Operators' accounts are managed by operators only."""
    qs = User.objects.filter(unit__in=manageable_units(user=user)).select_related("unit")
    if not user.is_superuser:
        qs = qs.filter(is_superuser=False)
    return qs.order_by("unit__sort", "unit__code", "username")
