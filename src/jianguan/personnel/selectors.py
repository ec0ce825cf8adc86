"""Reads of the inspector roster, the expert pool and conflict declarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ConflictDeclaration, Expert, Inspector


def inspector_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[Inspector]:
    """q: name/工号/执法证号; unit: unit id (a district id includes its stations); expertise: tag id;
    active: 1/0; cert: valid/expired (on today)."""
    params = params or {}
    qs = (
        Inspector.objects.restrict(user, action)
        .select_related("unit")
        .prefetch_related("expertise")
    )
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(staff_no__startswith=q) | Q(cert_no__startswith=q))
    if (unit := params.get("unit")) and str(unit).isdigit():
        qs = qs.filter(Q(unit_id=unit) | Q(unit__district_id=unit))
    if (tag := params.get("expertise")) and str(tag).isdigit():
        qs = qs.filter(expertise__id=tag)
    if params.get("active") in ("1", "0"):
        qs = qs.filter(active=params["active"] == "1")
    today = timezone.localdate()
    if params.get("cert") == "valid":
        qs = qs.filter(cert_expires_on__gte=today).exclude(cert_no="")
    elif params.get("cert") == "expired":
        qs = qs.filter(
            Q(cert_expires_on__lt=today) | Q(cert_expires_on__isnull=True) | Q(cert_no="")
        )
    return qs.order_by("unit__sort", "staff_no")


def expert_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[Expert]:
    params = params or {}
    qs = Expert.objects.restrict(user, action).select_related("field")
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(employer__contains=q))
    if (field := params.get("field")) and str(field).isdigit():
        qs = qs.filter(field_id=field)
    if params.get("active") in ("1", "0"):
        qs = qs.filter(active=params["active"] == "1")
    return qs.order_by("id")


def conflict_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[ConflictDeclaration]:
    params = params or {}
    qs = ConflictDeclaration.objects.restrict(user, action).select_related(
        "inspector", "expert", "entity"
    )
    if q := (params.get("q") or "").strip():
        qs = qs.filter(
            Q(entity__name__contains=q)
            | Q(entity__uscc__startswith=q.upper())
            | Q(inspector__name__contains=q)
            | Q(expert__name__contains=q)
        )
    if params.get("current") == "1":
        today = timezone.localdate()
        qs = qs.filter(valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    return qs


def conflicts_on(day: dt.date) -> QuerySet[ConflictDeclaration]:
    """Declarations in force on `day` (used by the draw to exclude conflicted pairs)."""
    return ConflictDeclaration.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
