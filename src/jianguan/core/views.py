"""Shared view helpers and the pages every user has: home, audit log, background jobs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

PAGE_SIZE = 50


def paginate(request, qs, per_page: int = PAGE_SIZE) -> dict:
    """Context for includes/pagination.html; keeps the filters in the page links.

    The total count is computed once per page view; on millions of rows the count query is the
    cost of showing "第 n / m 页", which regulators expect.
    """
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {"page_obj": page, "rows": page.object_list, "querystring_without_page": f"{encoded}&" if encoded else ""}


@login_required
def home(request):
    return render(request, "core/home.html", {})
