"""The parts every testing page shares: the list page and its export from one column spec,
filters, breadcrumbs, the entity lookup of a form opened from a body's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from jianguan.core.downloads import spec_download
from jianguan.core.scoping import VIEW, allowed
from jianguan.core.views import export_format, form_page, paginate, query_without, record_export
from jianguan.registry.forms import districts_for
from jianguan.registry.selectors import entity_from_query

from ..models import Qualification

ROOT = "检验检测监管"


@dataclass(frozen=True)
class Col:
    """A column of a list page and of its export: header, the cell's value, an optional link,
    an optional badge colour (Bootstrap text-bg-*) and td class."""

    header: str
    get: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None
    badge: Callable[[Any], str] | None = None
    cls: str = ""
    page: bool = True  # shown on the page (export always has it)


def text(value: Any) -> str:
    """A cell as users read it: dates as 2026-11-23, nothing as —, yes/no in Chinese."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def entity_link(row) -> str:
    return reverse("registry:entity_detail", args=[row.entity_id])


def crumbs(*items) -> list[tuple[str, str | None]]:
    return [(ROOT, reverse("testing:home")), *items]


def staff(request) -> None:
    """Testing pages are for staff with a jurisdiction (an expert has none)."""
    if not allowed(request.user, VIEW, Qualification):
        raise PermissionDenied


def filter_context(request, filters: Sequence[tuple], *, search: str = "", year=False) -> dict:
    """filters: (name, label, options) for each select; a district select is added for users who
    see several districts."""
    params = request.GET
    selects = [
        {
            "name": n,
            "label": label,
            "options": [(str(k), str(v)) for k, v in opts],
            "value": params.get(n, ""),
        }
        for n, label, opts in filters
    ]
    districts = [(str(d.pk), d.name) for d in districts_for(request.user)]
    if len(districts) > 1:
        selects.append(
            {
                "name": "district",
                "label": "所属区局",
                "options": districts,
                "value": params.get("district", ""),
            }
        )
    return {
        "selects": selects,
        "search": search,
        "year_filter": year,
        "params": params,
        "export_query": query_without(request),
    }


def list_page(
    request,
    qs,
    cols: Sequence[Col],
    *,
    title: str,
    crumb: list | None = None,
    filters: Sequence[tuple] = (),
    search: str = "名称或统一社会信用代码",
    year: bool = False,
    export: str | None = None,
    actions: Sequence[tuple[str, str]] = (),
    intro: str = "",
    above: str = "",
    extra: dict | None = None,
):
    """One list page: filters, a paged table from `cols`, export buttons, action buttons."""
    staff(request)
    ctx = paginate(request, qs)
    shown = [c for c in cols if c.page]
    ctx["table"] = [
        [
            {
                "text": text(c.get(row)),
                "url": c.link(row) if c.link else "",
                "badge": c.badge(row) if c.badge else "",
                "cls": c.cls,
            }
            for c in shown
        ]
        for row in ctx["rows"]
    ]
    ctx["headers"] = [c.header for c in shown]
    ctx.update(filter_context(request, filters, search=search, year=year))
    ctx.update(
        {
            "title": title,
            "breadcrumbs": crumbs(*(crumb or []), (title, None)),
            "export_url": reverse(export) if export else "",
            "actions": actions,
            "intro": intro,
            "above": above,
            **(extra or {}),
        }
    )
    return render(request, "testing/list.html", ctx)


def export(request, qs, cols: Sequence[Col], *, title: str, object_type: str):
    """The list as xlsx or csv (?format=), with the list's filters, on the record."""
    staff(request)
    fmt = export_format(request)
    record_export(request, title=title, object_type=object_type, fmt=fmt, count=qs.count())
    spec = [(c.header, _plain(c.get)) for c in cols]
    return spec_download(qs.iterator(chunk_size=2000), spec, fmt, title)


def _plain(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def cell(row):
        value = get(row)
        return (
            ""
            if value is None
            else value
            if isinstance(value, int | Decimal | dt.date)
            else str(value)
        )

    return cell


def form(request, form, save, *, title, crumb, cancel_url, intro="", subject=None):
    return form_page(
        request,
        form,
        save,
        title=title,
        breadcrumbs=crumbs(*crumb, (title, None)),
        cancel_url=cancel_url,
        intro=intro,
        subject=subject,
    )


def opened_from(request, action: str = "change"):
    """The body a form was opened from (?entity=<id>), when the user may act on it."""
    entity = entity_from_query(request.user, request.GET, action)
    return entity if entity is not None and hasattr(entity, "testing_body") else None


def grade_badge(grade: str) -> str:
    return {
        "satisfactory": "success",
        "questionable": "warning",
        "unsatisfactory": "danger",
        "missed": "danger",
    }.get(grade, "")


def status_badge(status: str) -> str:
    return {
        "valid": "success",
        "suspended": "warning",
        "revoked": "danger",
        "cancelled": "secondary",
        "expired": "secondary",
    }.get(status, "")


def credit_badge(grade: str) -> str:
    return {"A": "success", "B": "primary", "C": "warning", "D": "danger"}.get(grade, "")
