"""The public commitment board (抽取公示板): a page and a JSON feed, no login, no JavaScript.

Every commitment is here the moment it is made, long before any result; then how each draw
ended (made, superseded by a re-draw, failed). The head (count, hash) is on every page: a copy
of it kept by anyone proves later that no entry was removed, reordered or back-dated.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jianguan.board import selectors
from jianguan.board.services import head
from jianguan.core.filters import validated
from jianguan.core.views import paginate

from .filters import BoardSearch
from .ratelimit import limit_page

PAGE_SIZE = 20


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_GET
@limit_page
@validated(BoardSearch)
def board(request):
    q, draw_id = request.filters.q or "", request.filters.draw
    ctx = paginate(request, selectors.entries(q=q, draw_id=draw_id), per_page=PAGE_SIZE)
    ctx["rows"] = [
        {"entry": e, "facts": selectors.facts(e), "redrawn_by": selectors.redrawn_by(e)}
        for e in ctx["rows"]
    ]
    count, hash_ = head()
    ctx.update({"q": q, "draw_id": draw_id, "head_count": count, "head_hash": hash_})
    return render(request, "portal/board.html", ctx)


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
@limit_page
def board_json(request):
    """?page=N (1 = the oldest entries); `next` links the following page of the same head."""
    raw = request.GET.get("page", "1")
    page = _int(raw)
    doc = selectors.feed(page) if page is not None else None
    if doc is None:
        return _json({"error": f"页码无效：{raw[:20]}（应为 1 至最后一页的整数）"}, status=404)
    url = request.build_absolute_uri(reverse("portal:board_json"))
    doc["next"] = f"{url}?page={page + 1}" if page < doc["pages"] else None
    doc["previous"] = f"{url}?page={page - 1}" if page > 1 else None
    return _json(doc)
