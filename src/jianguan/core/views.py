"""Shared view helpers and the pages every user has: home, audit log, background jobs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import audit, dashboard
from .filters import BadFilters, Choice, Date, Filters, Pattern, Search, validated
from .forms import add_service_errors
from .models import AuditEvent, Job
from .scoping import user_district

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
    return {
        "page_obj": page,
        "rows": page.object_list,
        "querystring_without_page": f"{encoded}&" if encoded else "",
    }


EXPORT_FORMATS = ("xlsx", "csv")


def export_format(request) -> str:
    """The ?format= of a list's export link: xlsx (default) or csv; anything else is a 400."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        raise BadRequest("导出格式应为 xlsx 或 csv")
    return fmt


def query_without(request, *keys: str) -> str:
    """The list's filters as a query string, without paging, format and `keys`."""
    params = request.GET.copy()
    for key in ("page", "format", *keys):
        params.pop(key, None)
    return params.urlencode()


def record_export(
    request,
    *,
    title: str,
    object_type: str,
    fmt: str,
    count: int,
    filters: str | None = None,
    unit: str = "条",
) -> None:
    """Data leaving the system is on record (数据导出留痕): who, what, how many, which filters
    (by default the list's query without paging and format)."""
    if filters is None:
        filters = query_without(request)
    audit.record(
        request.user,
        AuditEvent.Action.OTHER,
        object_type=object_type,
        object_repr=title,
        note=f"导出 {fmt}：{count} {unit}；筛选条件：{filters or '无'}",
        district=user_district(request.user),
    )


def form_page(request, form, save, *, title, breadcrumbs, cancel_url, intro="", subject=None):
    """GET shows the form; a valid POST calls `save(form)` and redirects to the URL it returns.
    A service's ValidationError is shown on the form, which keeps what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            url = save(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect(url)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "subject": subject,
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
        },
    )


def bad_request(request, exception=None):
    """400: a parameter the page cannot understand (core.filters.BadFilters names each one)."""
    problems = []
    if isinstance(exception, BadFilters):
        problems = [(exception.labels[name], msgs[0]) for name, msgs in exception.errors.items()]
    match = getattr(request, "resolver_match", None)
    portal = match is not None and "portal" in match.namespaces
    template = "portal/400.html" if portal else "400.html"
    return render(request, template, {"problems": problems}, status=400)


# --- home -------------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "core/home.html",
        {
            "counts": dashboard.counts(user),
            "todo": dashboard.todo(user),
            "recent_events": AuditEvent.objects.restrict(user)[:8],
            "recent_jobs": Job.objects.restrict(user)[:5],
            "jobs_running": Job.objects.restrict(user)
            .filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .count(),
        },
    )


# --- background jobs --------------------------------------------------------------------------

RESULT_LABELS = {
    "total": "总行数",
    "rows": "总行数",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变化",
    "skipped": "跳过",
    "invalid": "错误行",
    "errors": "错误行",
    "error_count": "错误行",
    "exported": "导出行数",
}


class JobFilters(Filters):
    status: Choice("状态", Job.Status.choices) = None


@login_required
@validated(JobFilters)
def job_list(request):
    qs = Job.objects.restrict(request.user).select_related("created_by")
    if (status := request.GET.get("status")) in Job.Status.values:
        qs = qs.filter(status=status)
    ctx = paginate(request, qs)
    ctx.update(
        {
            "title": "后台任务",
            "breadcrumbs": [("系统管理", None), ("后台任务", None)],
            "statuses": Job.Status.choices,
            "status": status or "",
        }
    )
    return render(request, "core/job_list.html", ctx)


@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(Job.objects.restrict(request.user).select_related("created_by"), pk=pk)
    return render(
        request,
        "core/job_detail.html",
        {
            "title": job.title,
            "breadcrumbs": [
                ("系统管理", None),
                ("后台任务", _url("core:job_list")),
                (job.title, None),
            ],
            **_job_context(job),
        },
    )


@login_required
def job_progress(request, pk: int):
    """The status block of a job; htmx polls it every second while the job is queued or running."""
    job = get_object_or_404(Job.objects.restrict(request.user), pk=pk)
    return render(request, "core/_job_status.html", _job_context(job))


def _job_context(job: Job) -> dict:
    result = job.result or {}
    live = _live_progress(job)
    done, total = live.get("done"), live.get("total")
    if job.status == Job.Status.DONE:
        percent = 100
    elif isinstance(live.get("percent"), int):
        percent = max(0, min(100, live["percent"]))
    elif done is not None and total:
        percent = max(0, min(100, int(done * 100 / total)))
    else:
        percent = 0
    errors = result.get("errors")
    errors = errors if isinstance(errors, list) else result.get("first_errors") or []
    counts = [
        (RESULT_LABELS.get(k, k), v)
        for k, v in (result.get("counts") or result).items()
        if isinstance(v, int) and not isinstance(v, bool)
    ]
    files = [(name, label) for name, label in _job_files(job) if name]
    url = result.get("url")
    # a page of this site where the outcome lives (e.g. a draw); never an outside address
    result_url = url if isinstance(url, str) and url.startswith("/") and "//" not in url else ""
    return {
        "job": job,
        "result_url": result_url if job.status == Job.Status.DONE else "",
        "running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
        "percent": percent,
        "live": live,
        "counts": counts,
        "errors": [_error_row(e) for e in errors[:20]],
        "more_errors": (
            len(errors) > 20
            or (result.get("error_count") or 0) > len(errors)
            or bool(result.get("errors_truncated"))
        ),
        "files": files,
    }


def _error_row(error) -> dict:
    """{row, column, reason} from a dict, a (row, column, reason) sequence, or plain text."""
    if isinstance(error, dict):
        return {
            "row": error.get("row"),
            "column": error.get("column") or error.get("field"),
            "reason": error.get("reason") or error.get("message") or "",
        }
    if isinstance(error, list | tuple) and len(error) == 3:
        return dict(zip(("row", "column", "reason"), error, strict=True))
    return {"row": None, "column": None, "reason": str(error)}


def _live_progress(job: Job) -> dict:
    """{done, total, phase, percent} from core.jobs while running; empty when unknown."""
    if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return {}
    try:
        from .jobs import get_progress
    except ImportError:
        return {}
    progress = get_progress(job.pk) or {}
    return progress if isinstance(progress, dict) else {}


# Files a job may offer for download: result keys naming a path relative to MEDIA_ROOT.
JOB_FILE_KEYS = {
    "error_report": "错误报告",
    "error_file": "错误报告",
    "output": "导出文件",
    "export_file": "导出文件",
}


def _job_files(job: Job) -> list[tuple[str, str]]:
    result = job.result or {}
    out = []
    for key, label in JOB_FILE_KEYS.items():
        if result.get(key):
            out.append((key, label))
    for key, value in (result.get("files") or {}).items():
        if value:
            out.append((f"files.{key}", JOB_FILE_KEYS.get(key, key)))
    return out


def _job_file_path(job: Job, name: str) -> Path | None:
    result = job.result or {}
    if name.startswith("files."):
        rel = (result.get("files") or {}).get(name[6:])
    elif name in JOB_FILE_KEYS:
        rel = result.get(name)
    else:
        return None
    if not rel or not isinstance(rel, str):
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / rel).resolve()
    # Never leave MEDIA_ROOT, whatever the result says.
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@login_required
def job_file(request, pk: int, name: str):
    """A job's file (error report, export) after the jurisdiction check; never served directly."""
    job = get_object_or_404(Job.objects.restrict(request.user), pk=pk)
    path = _job_file_path(job, name)
    if path is None:
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=_download_name(job, name, path)
    )


def _download_name(job: Job, name: str, path: Path) -> str:
    label = JOB_FILE_KEYS.get(name.removeprefix("files."), "文件")
    return f"{job.title}-{label}{path.suffix}"


# --- audit log --------------------------------------------------------------------------------


def object_types() -> list[tuple[str, str]]:
    """(label_lower, verbose name) of the project's models, for the audit filter."""
    out = []
    for model in apps.get_models():
        if model.__module__.startswith("jianguan.") and model is not AuditEvent:
            out.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(out)


class AuditFilters(Filters):
    action: Choice("操作", AuditEvent.Action.choices) = None
    object_type: Pattern("对象类型", r"^[a-z_]+\.[a-z_]+$") = None
    object_id: Pattern("对象编号", r"^[0-9A-Za-z_-]{1,64}$") = None
    date_from: Date("起始日期") = None
    date_to: Date("截止日期") = None
    actor: Search("用户名或姓名", label="操作人") = None
    q: Search("对象名称", label="对象") = None


@login_required
@validated(AuditFilters)
def audit_list(request):
    f = request.filters
    qs = AuditEvent.objects.restrict(request.user)
    for field in ("action", "object_type", "object_id"):
        if value := getattr(f, field):
            qs = qs.filter(**{field: value})
    if f.date_from:
        qs = qs.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.actor:
        qs = qs.filter(Q(actor_label__contains=f.actor) | Q(actor__username=f.actor))
    if f.q:
        qs = qs.filter(object_repr__contains=f.q)
    ctx = paginate(request, qs.select_related("district"))
    type_names = dict(object_types())
    ctx["rows"] = list(ctx["rows"])
    for ev in ctx["rows"]:
        ev.type_label = type_names.get(ev.object_type, ev.object_type)
        ev.change_rows = audit.readable_changes(ev)
    ctx.update(
        {
            "title": "审计日志",
            "breadcrumbs": [("系统管理", None), ("审计日志", None)],
            "actions": AuditEvent.Action.choices,
            "object_types": list(type_names.items()),
            "f": {k: "" if v is None else str(v) for k, v in f.model_dump().items()},
            "any_filter": bool(f.given()),
        }
    )
    return render(request, "core/audit_list.html", ctx)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the site's time zone (an index-friendly range, not a __date lookup)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)
