"""Writes to the check-item list, departments and result codes: validated, audited, atomic.

All three are city-wide reference data: only city administrators (and the system) change them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.services import apply, require, snapshot
from jianguan.registry.models import DOMAINS

from .models import METHODS, CheckItem, Department, ResultCode, percent

DEPARTMENT_FIELDS = ["code", "name"]
ITEM_FIELDS = [
    "department",
    "code",
    "name",
    "legal_basis",
    "object_type",
    "methods",
    "kind",
    "default_ratio",
    "cap",
    "domains",
    "active",
]
RESULT_CODE_FIELDS = ["code", "name", "parent", "problem_found", "sort", "active"]

CITY_ONLY = "抽查事项清单和检查结果代码由市局维护"


def shown(obj: models.Model, *, fields: list[str]) -> dict[str, Any]:
    """snapshot() as people read it in the history: methods and domains by name, ratios in %."""
    out = snapshot(obj, fields)
    if "methods" in out:
        out["methods"] = METHODS.labels(out["methods"] or 0)
    if "domains" in out:
        out["domains"] = DOMAINS.labels(out["domains"] or 0)
    for name in ("default_ratio", "cap"):
        if name in out:
            out[name] = percent(out[name]) if out[name] is not None else None
    return out


def _save(user, model: type[models.Model], obj, data: dict[str, Any], fields: list[str]):
    """Create (obj None) or update `obj` of a city-wide list; one audit event with the diff."""
    if obj is not None:
        require(user, CHANGE, obj)
        obj = model.objects.select_for_update().get(pk=obj.pk)
        before = shown(obj, fields=fields)
    else:
        if not allowed(user, ADD, model):
            raise PermissionDenied(_(CITY_ONLY))
        obj, before = model(), {}
    apply(obj, data)
    obj.full_clean()
    changes = audit.diff(before, shown(obj, fields=fields))
    if changes or not before:
        obj.save()
        audit.record(user, "update" if before else "create", obj, changes=changes)
    return obj


@transaction.atomic
def department_save(*, user, data: dict[str, Any], department: Department | None = None):
    """Create or update a department (city administrators only)."""
    return _save(user, Department, department, data, DEPARTMENT_FIELDS)


@transaction.atomic
def item_save(*, user, data: dict[str, Any], item: CheckItem | None = None) -> CheckItem:
    """Create or update a check item (city administrators only). The model enforces the
    ratio rules: key items have no cap; general items have one, and default ratio <= cap."""
    return _save(user, CheckItem, item, data, ITEM_FIELDS)


@transaction.atomic
def result_code_save(
    *, user, data: dict[str, Any], result_code: ResultCode | None = None
) -> ResultCode:
    """Create or update a result code (city administrators only)."""
    return _save(user, ResultCode, result_code, data, RESULT_CODE_FIELDS)
