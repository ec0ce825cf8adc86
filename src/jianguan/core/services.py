"""Helpers shared by every app's services: snapshots for audit diffs, jurisdiction checks on writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .scoping import reaches


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Field values for an audit diff; many-to-many fields as sorted lists of names."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            out[name] = sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            out[name] = str(getattr(obj, name)) if getattr(obj, f"{name}_id") else None
        else:
            out[name] = getattr(obj, name)
    return out


def require(user, action: str, obj: models.Model) -> None:
    """The object must be inside what `restrict(user, action)` yields (defence in depth for services)."""
    if not reaches(user, action, obj):
        raise PermissionDenied(_("无权操作该对象"))


def require_unit(user, action: str, unit, field: str) -> None:
    """A write may only place data in a unit the user's jurisdiction covers."""
    if (
        unit is not None
        and not type(unit).objects.restrict(user, action).filter(pk=unit.pk).exists()
    ):
        raise ValidationError({field: _("所选机构不在您的管辖范围内")})


def apply(obj: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(obj, name, value)
