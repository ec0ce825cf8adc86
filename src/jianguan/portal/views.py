"""The public portal's pages (公众查询): no login, plain GET forms, no JavaScript.

Every page is under the portal's rate limit (portal/ratelimit.py). What may be shown is decided in
portal/selectors.py alone.
"""

from __future__ import annotations

from pathlib import Path

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jianguan.board import selectors as board_selectors
from jianguan.board import services as board_services
from jianguan.core.filters import validated
from jianguan.core.views import paginate
from jianguan.sampling import exporting, protocol
from jianguan.sampling import services as sampling_services
from jianguan.testing import public

from . import selectors
from .filters import EntitySearch, TestingSearch
from .ratelimit import limit_page

SEARCH_PAGE_SIZE = 20


def _not_found(request, message: str):
    """The portal's own 404 page (not the staff one)."""
    return render(request, "portal/404.html", {"message": message}, status=404)


@require_GET
@limit_page
@validated(EntitySearch)
def search(request):
    """The start page: one box for a name or a credit code. A valid code that exists goes
    straight to the entity's page."""
    found = selectors.search(request.GET.get("q"))
    if found.query.kind == "uscc" and len(found.rows) == 1:
        return redirect("portal:entity_detail", uscc=found.rows[0]["uscc"])
    page = Paginator(found.rows, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return render(
        request,
        "portal/search.html",
        {
            "q": request.GET.get("q", ""),
            "found": found,
            "page_obj": page,
            "rows": page.object_list,
            "querystring_without_page": f"{encoded}&" if encoded else "",
            "cap": selectors.SEARCH_CAP,
        },
    )


@require_GET
@limit_page
def entity_detail(request, uscc: str):
    entity = selectors.entity(uscc)
    if entity is None:
        return _not_found(request, "未找到该统一社会信用代码对应的市场主体。")
    if entity["uscc"] != uscc:  # lower case or spaces in the address: the one spelling
        return redirect("portal:entity_detail", uscc=entity["uscc"])
    ctx = paginate(request, selectors.entity_results(entity["id"]))
    ctx.update({"entity": entity, "listings": selectors.entity_listings(entity["id"])})
    return render(request, "portal/entity_detail.html", ctx)


@require_GET
@limit_page
def task_list(request):
    ctx = paginate(request, selectors.published())
    ctx["rows"] = [{"publication": p, "authority": selectors.authority(p)} for p in ctx["rows"]]
    return render(request, "portal/task_list.html", ctx)


@require_GET
@limit_page
def task_detail(request, pk: int):
    publication = selectors.task_publication(pk)
    if publication is None:
        return _not_found(request, "该抽查任务不存在或尚未公示。")
    count, hash_ = board_services.head()
    rows = [
        {"entry": e, "facts": board_selectors.facts(e), "redrawn_by": board_selectors.redrawn_by(e)}
        for e in board_selectors.for_task(pk)
    ]
    return render(
        request,
        "portal/task_detail.html",
        {
            "task": selectors.task_summary(publication),
            "board_rows": rows,
            "head_count": count,
            "head_hash": hash_,
        },
    )


@require_GET
@limit_page
def draw_proof(request, pk: int):
    """The public proof of a draw in force of a published task: no risk class, key tier or staff
    id (docs/draw-protocol.md §9); staff download the full proof."""
    draw = selectors.published_draw(pk)
    if draw is None or not selectors.proof_is_public(draw) or not _proof_complete(draw):
        return _not_found(request, "该抽取不存在、所属任务尚未公示，或抽取证明不可下载。")
    return exporting.proof_zip(draw, public=True)


def _proof_complete(draw) -> bool:
    folder = sampling_services.draw_dir(draw)
    return all(
        (folder / name).is_file() for name in sampling_services.proof_files(draw, public=True)
    )


@require_GET
@limit_page
def draw_verify(request, pk: int):
    """How anyone checks the draw with tools/verify_draw.py, and the values to compare."""
    draw = selectors.published_draw(pk)
    if draw is None:
        return _not_found(request, "该抽取不存在或所属任务尚未公示。")
    return render(
        request,
        "portal/draw_verify.html",
        {
            "draw": draw,
            "folder": exporting.proof_folder(draw),
            "digests": sorted((draw.digests or {}).items()),
            "proof_url": reverse("portal:draw_proof", args=[draw.pk]),
            "proof_public": selectors.proof_is_public(draw),
        },
    )


@require_GET
@limit_page
def verifier(request):
    """tools/verify_draw.py itself: the reference implementation, Python standard library only
    (the same file as jianguan.sampling.protocol)."""
    path = Path(protocol.__file__)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename="verify_draw.py",
        content_type="text/x-python; charset=utf-8",
    )


# --- inspection & testing bodies (检验检测机构) ----------------------------------------------------


@require_GET
@limit_page
@validated(TestingSearch)
def testing_search(request):
    """Look a testing body up by name, credit code or certificate number."""
    q = request.GET.get("q", "")
    rows = public.search(q)
    too_short = bool(q.strip()) and len(q.strip()) < 2
    return render(
        request,
        "portal/testing_search.html",
        {"q": q, "rows": rows, "too_short": too_short, "cap": public.SEARCH_CAP},
    )


@require_GET
@limit_page
def testing_body(request, uscc: str):
    body = public.body(uscc)
    if body is None:
        return _not_found(request, "未找到该检验检测机构。")
    ctx = paginate(request, selectors.entity_results(body["id"]))
    ctx.update({"body": body, "listings": selectors.entity_listings(body["id"])})
    return render(request, "portal/testing_body.html", ctx)


@require_GET
@limit_page
def testing_cases(request):
    return render(request, "portal/testing_cases.html", paginate(request, public.cases(), 10))
