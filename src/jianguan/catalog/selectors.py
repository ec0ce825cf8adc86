"""Reads of the check-item list, departments and result codes. Every read starts from
`restrict(user, action)` (city-wide reference data: all staff read, the city writes)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from jianguan.registry.models import DOMAINS

from .models import CheckItem, Department, ResultCode

ITEM_FILTERS = ("q", "department", "kind", "domain", "active")


def item_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[CheckItem]:
    """q: name contains or code prefix; department: department id; kind: general/key;
    domain: a registry.DOMAINS code; active: 1/0."""
    params = params or {}
    qs = CheckItem.objects.restrict(user, action).select_related("department")
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(code__istartswith=q))
    if department := params.get("department"):
        qs = qs.filter(department_id=department) if str(department).isdigit() else qs.none()
    if kind := params.get("kind"):
        qs = qs.filter(kind=kind) if kind in CheckItem.Kind.values else qs.none()
    if domain := params.get("domain"):
        qs = DOMAINS.filter(qs, "domains", [domain]) if domain in DOMAINS.by_code else qs.none()
    if params.get("active") in ("1", "0"):
        qs = qs.filter(active=params["active"] == "1")
    return qs.order_by("department__code", "code")


def item_get(user, pk: int, action: str = "view") -> CheckItem:
    """Raise CheckItem.DoesNotExist (→ 404) when the user may not `action` it."""
    return CheckItem.objects.restrict(user, action).select_related("department").get(pk=pk)


def department_list(user, action: str = "view") -> QuerySet[Department]:
    return Department.objects.restrict(user, action).order_by("code")


def result_code_list(
    user, params: Mapping[str, str] | None = None, action: str = "view"
) -> QuerySet[ResultCode]:
    """q: name contains or code prefix; active: 1/0."""
    params = params or {}
    qs = ResultCode.objects.restrict(user, action).select_related("parent")
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    if params.get("active") in ("1", "0"):
        qs = qs.filter(active=params["active"] == "1")
    return qs.order_by("sort", "code")


def result_code_tree(codes) -> list[tuple[ResultCode, int]]:
    """(code, depth) in display order: each top-level code, then its sub-kinds (depth 1).
    A sub-kind whose parent is not among `codes` (filtered out) is shown at depth 1 in place."""
    codes = list(codes)
    ids = {c.pk for c in codes}
    children: dict[int, list[ResultCode]] = {}
    for c in codes:
        if c.parent_id in ids:
            children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[ResultCode, int]] = []
    for c in codes:
        if c.parent_id in ids:
            continue
        out.append((c, 1 if c.parent_id else 0))
        out += [(child, 1) for child in children.get(c.pk, [])]
    return out
