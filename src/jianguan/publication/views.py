"""Pages of 结果公示: the dashboard of tasks to publish, a task's publication, the published
results with their withdrawals, and the exports (staff lists and the interchange file).

Thin views: parse (forms), read (selectors), write (services), render. Single objects come
through `restrict(user, action)`: outside the caller's jurisdiction is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.downloads import file_download, spec_download, stamped
from jianguan.core.filters import validated
from jianguan.core.forms import add_service_errors
from jianguan.core.views import export_format, paginate, query_without, record_export
from jianguan.org.selectors import district_list

from . import exporting, permissions, selectors, services
from .filters import InterchangeFilters, PublicationFilters, ResultFilters
from .forms import QueueForm, WithdrawForm
from .models import Publication, PublicResult

INTERCHANGE_FORMATS = ("csv", "json", "xlsx")
DETAIL_ROWS = 200


def _crumbs(*items):
    return [("结果公示", None), *items]


def _list_crumb():
    return ("公示管理", reverse("publication:publication_list"))


def _log_export(request, title: str, object_type: str, count: int) -> None:
    fmt = request.GET.get("format", "")
    record_export(request, title=title, object_type=object_type, fmt=fmt, count=count)


# --- dashboard -----------------------------------------------------------------------------------


@login_required
@validated(PublicationFilters)
def publication_list(request):
    user, params = request.user, request.GET
    ctx = paginate(request, selectors.publication_list(user, params))
    ctx.update(
        rows=selectors.with_deadlines(ctx["rows"]),
        params=params,
        counts=selectors.publication_counts(user),
        statuses=Publication.Status.choices,
        clock_options=[("near", "临近期限（5个工作日内）"), ("overdue", "已逾期")],
        districts=[(str(d.pk), d.name) for d in district_list(user=user)],
        export_query=query_without(request),
        near_days=selectors.NEAR_WORKING_DAYS,
        breadcrumbs=_crumbs(("公示管理", None)),
    )
    return render(request, "publication/publication_list.html", ctx)


@login_required
@validated(PublicationFilters)
def publication_export(request):
    fmt = export_format(request)
    qs = selectors.publication_list(request.user, request.GET)
    _log_export(request, "结果公示任务", "publication.publication", qs.count())

    rows = selectors.with_deadlines(qs.iterator(chunk_size=exporting.CHUNK))
    return spec_download(rows, exporting.PUBLICATION_COLUMNS, fmt, "结果公示任务")


@login_required
def publication_detail(request, pk: int):
    user = request.user
    publication = get_object_or_404(
        selectors.publication_list(user).select_related("task__plan"), pk=pk
    )
    (publication,) = selectors.with_deadlines([publication])
    results = selectors.task_results(publication)
    counts = results.aggregate(
        n_public=Count("pk", filter=Q(public=True)),
        n_withheld=Count("pk", filter=Q(public=False)),
        n_entities=Count("entity", distinct=True),
    )
    # A city-wide task has hundreds of thousands of results: the page shows the first rows and
    # links to the paged list of published results.
    public = list(results.filter(public=True)[:DETAIL_ROWS])
    withheld = list(results.filter(public=False)[:DETAIL_ROWS])
    entries_qs = publication.entries.all()
    entries = list(entries_qs.select_related("withdrawn_by").order_by("uscc", "item")[:DETAIL_ROWS])
    may_publish = permissions.may_publish(user, publication)
    is_open = publication.status != Publication.Status.PUBLISHED
    return render(
        request,
        "publication/publication_detail.html",
        {
            "publication": publication,
            "task": publication.task,
            "public_results": public,
            "withheld": withheld,
            "entries": entries,
            "counts": {k.removeprefix("n_"): v for k, v in counts.items()},
            "entry_count": entries_qs.count(),
            "withdrawn_count": entries_qs.filter(withdrawn_at__isnull=False).count(),
            "detail_rows": DETAIL_ROWS,
            "may_publish": may_publish and is_open,
            "may_withdraw": may_publish,
            "queue_form": QueueForm(initial={"publish_on": publication.publish_on}),
            "history": audit.history(publication).order_by("-at", "-id")[:100],
            "breadcrumbs": _crumbs(_list_crumb(), (publication.task.title, None)),
        },
    )


def _for_change(request, pk: int) -> Publication:
    """Supervisors only: others who may see it are refused (403), others get 404."""
    user = request.user
    publication = get_object_or_404(Publication.objects.restrict(user), pk=pk)
    if not permissions.may_publish(user, publication):
        raise PermissionDenied("只有任务所属区局或市局的管理员可以公示检查结果")
    return publication


@login_required
@require_POST
def publication_publish(request, pk: int):
    publication = _for_change(request, pk)
    try:
        count = services.publish(user=request.user, publication=publication)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已公示 {count} 条检查结果。")
    return redirect("publication:publication_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def publication_queue(request, pk: int):
    publication = _for_change(request, pk)
    (publication,) = selectors.with_deadlines([publication])
    form = QueueForm(request.POST or None, initial={"publish_on": publication.publish_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.queue(
                user=request.user,
                publication=publication,
                publish_on=form.cleaned_data["publish_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已排期于 {form.cleaned_data['publish_on']:%Y-%m-%d} 公示。")
            return redirect("publication:publication_detail", pk=pk)
    detail_url = reverse("publication:publication_detail", args=[pk])
    return render(
        request,
        "publication/form.html",
        {
            "form": form,
            "title": "排期公示",
            "publication": publication,
            "intro": "到排期日期由系统自动公示；排期日期不得晚于公示期限。",
            "submit_label": "排期",
            "cancel_url": detail_url,
            "breadcrumbs": _crumbs(
                _list_crumb(), (publication.task.title, detail_url), ("排期公示", None)
            ),
        },
    )


@login_required
@require_POST
def publication_unqueue(request, pk: int):
    publication = _for_change(request, pk)
    try:
        services.unqueue(user=request.user, publication=publication)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已取消排期。")
    return redirect("publication:publication_detail", pk=pk)


# --- published results ---------------------------------------------------------------------------


@login_required
@validated(ResultFilters)
def result_list(request):
    user, params = request.user, request.GET
    ctx = paginate(request, selectors.result_list(user, params))
    ctx.update(
        params=params,
        task_options=selectors.task_options(user),
        withdrawn_options=[("no", "公示中"), ("yes", "已撤回")],
        districts=[(str(d.pk), d.name) for d in district_list(user=user)],
        export_query=query_without(request),
        breadcrumbs=_crumbs(("已公示结果", None)),
    )
    return render(request, "publication/result_list.html", ctx)


@login_required
@validated(ResultFilters)
def result_export(request):
    fmt = export_format(request)
    qs = selectors.result_list(request.user, request.GET)
    _log_export(request, "已公示结果", "publication.publicresult", qs.count())
    return spec_download(exporting._chunked(qs), exporting.RESULT_COLUMNS, fmt, "已公示结果")


@login_required
@validated(InterchangeFilters)
def result_interchange(request):
    """The interchange file of the list's results that are still public (not withdrawn), or
    with ?withdrawals=1 of the list's withdrawals."""
    fmt = request.GET.get("format", "csv")
    if fmt not in INTERCHANGE_FORMATS:
        raise BadRequest("交换文件格式应为 " + " 或 ".join(INTERCHANGE_FORMATS))
    withdrawals = request.GET.get("withdrawals") == "1"
    select = selectors.withdrawal_rows if withdrawals else selectors.interchange_rows
    qs = select(selectors.result_list(request.user, request.GET))
    title = "撤回记录交换文件" if withdrawals else "公示结果交换文件"
    _log_export(request, title, "publication.publicresult", qs.count())
    return file_download(
        lambda t: exporting.write_interchange(t, qs, fmt, withdrawals), stamped(title, fmt)
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_withdraw(request, pk: int):
    user = request.user
    entry = get_object_or_404(
        PublicResult.objects.restrict(user).select_related("publication", "publication__task"),
        pk=pk,
    )
    if not permissions.may_publish(user, entry.publication):
        raise PermissionDenied("只有任务所属区局或市局的管理员可以撤回公示")
    detail_url = reverse("publication:publication_detail", args=[entry.publication_id])
    if entry.withdrawn:
        messages.info(request, "该结果已撤回。")
        return redirect(detail_url)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(user=user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已撤回公示，撤回理由已记录。")
            return redirect(detail_url)
    return render(
        request,
        "publication/form.html",
        {
            "form": form,
            "title": "撤回公示结果",
            "entry": entry,
            "publication": entry.publication,
            "intro": "撤回后该结果不再公示；公示系统显示“已撤回”及撤回理由，记录本身保留。",
            "submit_label": "撤回",
            "danger": True,
            "cancel_url": detail_url,
            "breadcrumbs": _crumbs(
                _list_crumb(),
                (entry.publication.task.title, detail_url),
                ("撤回公示结果", None),
            ),
        },
    )
