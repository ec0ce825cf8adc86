"""The parts every testing page shares: the list page and its export from one column spec,
filters, breadcrumbs, the entity lookup of a form opened from a body's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.urls import reverse

from jianguan.core.generic import ObjectListView, crumb, permission_required
from jianguan.core.scoping import VIEW
from jianguan.core.views import form_page
from jianguan.registry.filters import EntityParam
from jianguan.registry.models import Entity
from jianguan.registry.selectors import entity_find

from ..cells import text
from ..models import Qualification

ROOT = "检验检测监管"
ROOT_CRUMB = crumb(ROOT, "testing:home")

# Testing pages are for staff with a jurisdiction (an expert has none).
staff_page = permission_required(VIEW, Qualification)


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


def entity_link(row) -> str:
    return reverse("registry:entity_detail", args=[row.entity_id])


def crumbs(*items) -> list[tuple[str, str | None]]:
    return [(ROOT, reverse("testing:home")), *items]


class ListPage(ObjectListView):
    """A testing list (core.generic.ObjectListView) drawn from its column spec: the same `cols`
    make the page's table and the export. Staff with a jurisdiction only (an expert: 403)."""

    template_name = "testing/list.html"
    permission = (VIEW, Qualification)
    crumbs = (ROOT_CRUMB,)
    cols: ClassVar[Sequence[Col]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.cols and cls.export_columns is None:
            cls.export_columns = [(c.header, _plain(c.get)) for c in cls.cols]

    def decorate(self, rows: list) -> list:
        shown = [c for c in self.cols if c.page]
        for row in rows:
            row.cells = [
                {
                    "text": text(c.get(row)),
                    "url": c.link(row) if c.link else "",
                    "badge": c.badge(row) if c.badge else "",
                    "cls": c.cls,
                }
                for c in shown
            ]
        return rows

    def get_context(self) -> dict:
        return {"headers": [c.header for c in self.cols if c.page]}


def given(selector):
    """A selector of (user, params) as the generic views call it (user=, filters=)."""

    def select(*, user, filters):
        return selector(user, filters.given())

    return staticmethod(select)


def _plain(get: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def cell(row):
        value = get(row)
        if value is None:
            return ""
        return value if isinstance(value, int | Decimal | dt.date) else str(value)

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


def opened_from(request, action: str = "change") -> Entity | None:
    """The body a form was opened from (?entity=<id>), when the user may act on it."""
    pk = EntityParam.parse(request.GET).entity
    entity = entity_find(user=request.user, pk=pk, action=action)
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
