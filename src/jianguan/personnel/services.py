"""Writes to the personnel rosters: validated, scoped, audited, atomic."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import allowed
from jianguan.core.services import apply, require, require_unit, snapshot

from .models import ConflictDeclaration, Expert, Inspector

INSPECTOR_FIELDS = [
    "name",
    "staff_no",
    "unit",
    "cert_no",
    "cert_expires_on",
    "expertise",
    "active",
    "inactive_since",
    "user",
]
EXPERT_FIELDS = [
    "name",
    "field",
    "title",
    "employer",
    "employer_uscc",
    "pledge_signed_on",
    "active",
]
CONFLICT_FIELDS = ["inspector", "expert", "entity", "reason", "valid_from", "valid_to"]


def _split_m2m(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    data = dict(data)
    return data, data.pop("expertise", None)


@transaction.atomic
def inspector_create(*, user, data: dict[str, Any]) -> Inspector:
    data, expertise = _split_m2m(data)
    inspector = Inspector()
    apply(inspector, data)
    require_unit(user, "add", inspector.unit, "unit")
    inspector.full_clean()
    inspector.save()
    if expertise is not None:
        inspector.expertise.set(expertise)
    audit.record(
        user, "create", inspector, changes=audit.diff({}, snapshot(inspector, INSPECTOR_FIELDS))
    )
    return inspector


@transaction.atomic
def inspector_update(*, user, inspector: Inspector, data: dict[str, Any]) -> Inspector:
    require(user, "change", inspector)
    inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
    before = snapshot(inspector, INSPECTOR_FIELDS)
    data, expertise = _split_m2m(data)
    apply(inspector, data)
    require_unit(user, "change", inspector.unit, "unit")
    inspector.full_clean()
    inspector.save()
    if expertise is not None:
        inspector.expertise.set(expertise)
    if changes := audit.diff(before, snapshot(inspector, INSPECTOR_FIELDS)):
        audit.record(user, "update", inspector, changes=changes)
    return inspector


@transaction.atomic
def expert_save(*, user, data: dict[str, Any], expert: Expert | None = None) -> Expert:
    """Create or update an expert of the city-wide pool (city administrators only)."""
    if expert is not None:
        require(user, "change", expert)
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        before = snapshot(expert, EXPERT_FIELDS)
    else:
        if not allowed(user, "add", Expert):
            raise PermissionDenied(_("专家库由市局维护"))
        expert, before = Expert(), {}
    apply(expert, data)
    expert.full_clean()
    expert.save()
    if changes := audit.diff(before, snapshot(expert, EXPERT_FIELDS)):
        audit.record(user, "update" if before else "create", expert, changes=changes)
    return expert


@transaction.atomic
def conflict_create(*, user, data: dict[str, Any]) -> ConflictDeclaration:
    declaration = ConflictDeclaration()
    apply(declaration, data)
    require(user, "add", declaration.entity)
    declaration.full_clean()
    declaration.save()
    audit.record(
        user, "create", declaration, changes=audit.diff({}, snapshot(declaration, CONFLICT_FIELDS))
    )
    return declaration


@transaction.atomic
def conflict_end(*, user, declaration: ConflictDeclaration, valid_to) -> ConflictDeclaration:
    """Declarations are never deleted (they explain past draws); they end."""
    require(user, "change", declaration)
    before = snapshot(declaration, CONFLICT_FIELDS)
    declaration.valid_to = valid_to
    declaration.full_clean()
    declaration.save()
    audit.record(
        user,
        "update",
        declaration,
        changes=audit.diff(before, snapshot(declaration, CONFLICT_FIELDS)),
    )
    return declaration
