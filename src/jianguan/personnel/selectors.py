"""Reads of the inspector roster, the expert pool and conflict declarations. Every read of what
a user may see starts from `restrict(user, action)`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jianguan.core.scoping import VIEW

from .filters import ConflictFilters, ExpertFilters, InspectorFilters
from .models import ConflictDeclaration, Expert, Inspector


def inspector_list(
    *, user, filters: InspectorFilters | None = None, action: str = VIEW
) -> QuerySet[Inspector]:
    """q: name/工号/执法证号; unit: unit id (a district id includes its stations); expertise: tag
    code; active; cert: valid/expired (on today)."""
    f = filters or InspectorFilters()
    qs = (
        Inspector.objects.restrict(user, action)
        .select_related("unit", "unit__district")
        .prefetch_related("expertise")
    )
    if f.q:
        qs = qs.filter(
            Q(name__contains=f.q) | Q(staff_no__startswith=f.q) | Q(cert_no__startswith=f.q)
        )
    if f.unit is not None:
        qs = qs.filter(Q(unit_id=f.unit) | Q(unit__district_id=f.unit))
    if f.expertise:
        qs = qs.filter(expertise__code=f.expertise)
    if f.active is not None:
        qs = qs.filter(active=f.active)
    today = timezone.localdate()
    if f.cert == "valid":
        qs = qs.filter(cert_expires_on__gte=today).exclude(cert_no="")
    elif f.cert == "expired":
        qs = qs.filter(
            Q(cert_expires_on__lt=today) | Q(cert_expires_on__isnull=True) | Q(cert_no="")
        )
    return qs.order_by("unit__sort", "staff_no")


def inspector_get(*, user, pk: int, action: str = VIEW) -> Inspector:
    """Inspector.DoesNotExist (→ 404) outside the user's jurisdiction for `action`."""
    return inspector_list(user=user, action=action).get(pk=pk)


def expert_list(
    *, user, filters: ExpertFilters | None = None, action: str = VIEW
) -> QuerySet[Expert]:
    f = filters or ExpertFilters()
    qs = Expert.objects.restrict(user, action).select_related("field")
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(employer__contains=f.q))
    if f.field is not None:
        qs = qs.filter(field_id=f.field)
    if f.active is not None:
        qs = qs.filter(active=f.active)
    return qs.order_by("id")


def expert_get(*, user, pk: int, action: str = VIEW) -> Expert:
    return expert_list(user=user, action=action).get(pk=pk)


def conflict_list(
    *,
    user,
    filters: ConflictFilters | None = None,
    entity=None,
    action: str = VIEW,
) -> QuerySet[ConflictDeclaration]:
    """Declarations in the user's jurisdiction; `entity`: those naming it (its file)."""
    f = filters or ConflictFilters()
    qs = ConflictDeclaration.objects.restrict(user, action).select_related(
        "inspector", "expert", "entity"
    )
    if f.q:
        qs = qs.filter(
            Q(entity__name__contains=f.q)
            | Q(entity__uscc__startswith=f.q.upper())
            | Q(inspector__name__contains=f.q)
            | Q(expert__name__contains=f.q)
        )
    if f.current:
        today = timezone.localdate()
        qs = qs.filter(valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
    if f.inspector is not None:
        qs = qs.filter(inspector_id=f.inspector)
    if f.expert is not None:
        qs = qs.filter(expert_id=f.expert)
    if entity is not None:
        qs = qs.filter(entity=entity)
    return qs.order_by("-valid_from", "-id")


def conflict_get(*, user, pk: int, action: str = VIEW) -> ConflictDeclaration:
    return conflict_list(user=user, action=action).get(pk=pk)


def conflicts_on(day: dt.date) -> QuerySet[ConflictDeclaration]:
    """Declarations in force on `day` (used by the draw to exclude conflicted pairs)."""
    return ConflictDeclaration.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def dashboard_counts(user) -> dict:
    """The home page's inspector figures (registered in `PersonnelConfig.ready`)."""
    valid = Q(cert_expires_on__gte=timezone.localdate()) & ~Q(cert_no="")
    ins = Inspector.objects.restrict(user).filter(active=True)
    ins = ins.aggregate(total=Count("id"), valid=Count("id", filter=valid))
    return {
        "inspectors_active": ins["total"],
        "inspectors_valid": ins["valid"],
        "inspectors_expired": ins["total"] - ins["valid"],
    }
