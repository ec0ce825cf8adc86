"""The one jurisdiction mechanism (市 → 区 → 所队).

Every query for user-visible data goes through `Model.objects.restrict(user, action)`, in the
spirit of NetBox's RestrictedQuerySet. A model says where its jurisdiction lives with two class
attributes naming lookups to org.Unit:

    scope_district = "district"          # the district bureau that owns the row
    scope_station = "station"            # the station/team within it (optional)

A model with both set to None is city-wide reference data (e.g. the expert pool): every staff
member may view it, only city administrators may change it.

Only selectors (`<app>/selectors.py`) and the generic views (`core/generic.py`) call `restrict`;
views and APIs read through selectors, so a row outside the caller's jurisdiction answers 404,
never 403: its existence does not leak.

The actor is a user, or SYSTEM: the system itself (commands an operator runs, the scheduler,
background work started by the system), which reaches everything as the city does and is
recorded as 系统. There is no "no actor": `restrict(None)` yields nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import models

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)


class SystemActor:
    """The system itself as an actor: city-wide reach, every action, recorded as 系统."""

    pk = id = unit_id = unit = None
    username = "system"
    role = None
    is_authenticated = is_active = True
    is_superuser = False  # not an operator account: SYSTEM is recognised by identity
    scope_level = "city"

    def __str__(self) -> str:
        return "系统"

    def __repr__(self) -> str:
        return "SYSTEM"

    def get_full_name(self) -> str:
        return "系统"

    def get_username(self) -> str:
        return self.username


SYSTEM = SystemActor()


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = VIEW) -> ScopedQuerySet:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if user is SYSTEM:
            return self.all()
        if not allowed(user, action, self.model):
            return self.none()
        level = "city" if user.is_superuser else user.scope_level
        district_path = getattr(self.model, "scope_district", None)
        station_path = getattr(self.model, "scope_station", None)
        if level == "city" or (district_path is None and station_path is None):
            # City-wide reference data (no scope paths) is read by all staff; allowed() has
            # already limited its writes to the city.
            return self.all()
        if level == "district":
            return self.filter(**{district_path: user.unit.district_id})
        if level == "station" and station_path:
            return self.filter(**{station_path: user.unit_id})
        return self.none()


def allowed(user, action: str, model: type[models.Model]) -> bool:
    """May `user` perform `action` on rows of `model` at all (to show buttons, to guard creates)?"""
    if user is SYSTEM:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if action not in user.role_spec.actions or user.scope_level is None:
        return False
    city_wide = (
        getattr(model, "scope_district", None) is None
        and getattr(model, "scope_station", None) is None
    )
    return action == VIEW or not city_wide or user.scope_level == "city"


def granted(user, grant: str) -> bool:
    """Does the user's role carry `grant` (org.models.ROLE_SPECS: what a role may do beyond the
    four actions)? Only users with a jurisdiction; operators and the system have every grant."""
    if user is SYSTEM:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return grant in user.role_spec.grants and user.scope_level is not None


def city_wide(user) -> bool:
    """Does the user act for the whole city (the system, an operator, a city-level role)?"""
    if user is SYSTEM:
        return True
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.scope_level == "city"


def reaches(user, action: str, obj: models.Model) -> bool:
    """Is this row inside what `restrict(user, action)` yields (to show an edit button, to check
    a write)?"""
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def user_district(user):
    """The district bureau whose records a user's actions belong to (None: city-wide)."""
    if user is None or user is SYSTEM or not user.unit_id or user.scope_level == "city":
        return None
    return user.unit.district


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass
