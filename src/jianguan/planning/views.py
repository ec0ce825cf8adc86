"""Pages of annual plans (年度抽查计划) and random-check tasks (抽查任务).

Thin views: parse (forms), read (selectors), write (services), render. Single objects are fetched
through `restrict(user, action)`, so a plan or task outside the caller's jurisdiction is a 404.
The draw itself lives in the sampling app; the task page includes its panel.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.downloads import stamped, table_download
from jianguan.core.filters import validated
from jianguan.core.forms import add_service_errors
from jianguan.core.generic import ObjectListView, get_or_404
from jianguan.core.scoping import ADD, CHANGE, allowed

from . import exporting, permissions, selectors, services
from .describe import describe
from .filters import PlanFilters, PlanParam, TaskFilters
from .forms import (
    DefinitionUploadForm,
    PlanForm,
    ReturnForm,
    TaskForm,
    initial_from_definition,
    path_label,
)
from .models import Plan, Task
from .rules import DefinitionError

QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


SAMPLING = ("双随机抽查", None)


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [SAMPLING, *items]


def _plans_crumb() -> tuple[str, str]:
    return ("抽查计划", reverse("planning:plan_list"))


def _tasks_crumb() -> tuple[str, str]:
    return ("抽查任务", reverse("planning:task_list"))


# ---------------------------------------------------------------------------------------------
# Plans


class PlanList(ObjectListView):
    title = "年度抽查计划"
    crumbs = [SAMPLING]
    filters = PlanFilters
    selector = staticmethod(selectors.plan_list)
    template_name = "planning/plan_list.html"
    noun = "个"
    add = ("planning:plan_create", "新建计划", Plan)
    empty = "没有符合条件的计划。"

    def export_response(self, queryset, fmt, count):
        records = exporting.plan_records(queryset)
        return table_download(exporting.PLAN_COLUMNS, records, fmt, stamped(self.title, fmt))


def _task_groups(tasks) -> list[tuple[str, list[Task]]]:
    """Tasks by quarter, then batch: [("第一季度 · 第 1 批", [...]), ...]."""
    tasks = sorted(tasks, key=lambda t: (t.quarter or 5, t.batch, t.check_date, t.pk))
    groups = []
    for (quarter, batch), rows in groupby(tasks, key=lambda t: (t.quarter, t.batch)):
        label = QUARTER_LABELS.get(quarter, "未指定季度")
        groups.append((f"{label} · 第 {batch} 批", list(rows)))
    return groups


@login_required
def plan_detail(request, pk: int):
    user = request.user
    plan = get_or_404(selectors.plan_get, user=user, pk=pk)
    tasks = selectors.task_list(user=user, filters=TaskFilters(plan=plan.pk))
    can_change = selectors.plan_list(user=user, action=CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "groups": _task_groups(tasks),
            "task_total": len(tasks),
            "history": audit.history(plan)[:100],
            "can_edit": can_change and plan.status == Plan.Status.DRAFT,
            "can_add_task": allowed(user, ADD, Task) and can_change,
            "can_file": permissions.can_file(user, plan),
            "can_approve": permissions.can_approve(user, plan),
            "return_form": ReturnForm(),
            "breadcrumbs": _crumbs(_plans_crumb(), (plan.title, None)),
        },
    )


def _plan_form_page(request, form, title: str, cancel_url: str, breadcrumbs):
    return render(
        request,
        "planning/plan_form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "breadcrumbs": breadcrumbs},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    user = request.user
    if not allowed(user, ADD, Plan):
        raise PermissionDenied("无权制定抽查计划")
    initial = {"year": timezone.localdate().year}
    units = selectors.plan_units(user=user, action=ADD)
    if user.unit_id and units.filter(pk=user.unit_id).exists():
        initial["unit"] = user.unit_id
    form = PlanForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新建计划“{plan.title}”")
            return redirect("planning:plan_detail", pk=plan.pk)
    return _plan_form_page(
        request,
        form,
        "新建年度抽查计划",
        reverse("planning:plan_list"),
        _crumbs(_plans_crumb(), ("新建", None)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    user = request.user
    plan = get_or_404(selectors.plan_get, user=user, pk=pk, action=CHANGE)
    detail_url = reverse("planning:plan_detail", args=[pk])
    if plan.status != Plan.Status.DRAFT:
        messages.error(request, "已报备或已批准的计划不能修改；如需调整，请先由上级退回")
        return redirect(detail_url)
    title = plan.title
    form = PlanForm(request.POST or None, instance=plan, user=user, action=CHANGE)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_update(user=user, plan=plan, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "计划已保存")
            return redirect(detail_url)
    return _plan_form_page(
        request,
        form,
        f"修改计划：{title}",
        detail_url,
        _crumbs(_plans_crumb(), (title, detail_url), ("修改", None)),
    )


def _plan_action(request, pk: int, act, success: str):
    plan = get_or_404(selectors.plan_get, user=request.user, pk=pk)
    try:
        act(plan)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权执行该操作")
    else:
        messages.success(request, success)
    return redirect("planning:plan_detail", pk=pk)


@login_required
@require_POST
def plan_file(request, pk: int):
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_file(user=request.user, plan=plan),
        "计划已报备，等待上级批准",
    )


@login_required
@require_POST
def plan_approve(request, pk: int):
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_approve(user=request.user, plan=plan),
        "计划已批准",
    )


@login_required
@require_POST
def plan_return(request, pk: int):
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _plan_action(
        request,
        pk,
        lambda plan: services.plan_return(user=request.user, plan=plan, reason=reason),
        "计划已退回制定单位",
    )


# ---------------------------------------------------------------------------------------------
# Tasks


class TaskList(ObjectListView):
    title = "抽查任务"
    crumbs = [SAMPLING]
    filters = TaskFilters
    selector = staticmethod(selectors.task_list)
    template_name = "planning/task_list.html"
    noun = "项"
    add = ("planning:task_create", "新建抽查任务", Task)
    empty = "没有符合条件的抽查任务。"

    def export_response(self, queryset, fmt, count):
        records = exporting.task_records(queryset)
        return table_download(exporting.TASK_COLUMNS, records, fmt, stamped(self.title, fmt))


def _get_task(user, pk: int, action: str = "view") -> Task:
    try:
        return selectors.task_get(user, pk, action)
    except Task.DoesNotExist:
        raise Http404("抽查任务不存在") from None


@login_required
def task_detail(request, pk: int):
    user = request.user
    task = _get_task(user, pk)
    cap = services.task_cap(task)
    items = list(task.items.all())
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "items": items,
            "joint": len({i.department_id for i in items}) > 1,
            "cap": cap,
            "sections": describe(task.definition, cap) if task.definition else [],
            "can_edit": permissions.can_edit(user, task),
            "history": audit.history(task)[:100],
            "breadcrumbs": _crumbs(_tasks_crumb(), (task.title, None)),
        },
    )


@login_required
def task_export_json(request, pk: int):
    """The task's definition as a JSON file: it can be edited and imported again, or given to
    `jianguan run_draw`."""
    task = _get_task(request.user, pk)
    response = HttpResponse(
        services.definition_json(task), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''task-{task.pk}.json; filename=\"task-{task.pk}.json\""
    )
    return response


def _task_form_page(
    request, form, *, title, cancel_url, breadcrumbs, upload_form=None, upload_errors=None
):
    return render(
        request,
        "planning/task_form.html",
        {
            "form": form,
            "fieldsets": form.fieldsets(),
            "upload_form": upload_form,
            "upload_errors": upload_errors or [],
            "title": title,
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
        },
    )


def _readable(errors: dict[str, list[str]]) -> list[str]:
    return [
        f"{path_label(path)}：{m}" if path else m for path, msgs in errors.items() for m in msgs
    ]


@login_required
@require_http_methods(["GET", "POST"])
@validated(PlanParam)
def task_create(request):
    user = request.user
    if not allowed(user, ADD, Task):
        raise PermissionDenied("无权制定抽查任务")
    initial: dict = {
        "year": timezone.localdate().year,
        "batch": 1,
        "team_size": 2,
        "team_rotation": True,
        "population_statuses": ["active"],
    }
    units = selectors.plan_units(user=user, action=ADD)
    if user.unit_id and units.filter(pk=user.unit_id).exists():
        initial["unit"] = user.unit.code
    if (plan_id := request.filters.plan) is not None:
        plan = get_or_404(selectors.plan_get, user=user, pk=plan_id)
        initial.update(unit=plan.unit.code, year=plan.year)
    uploading = request.method == "POST" and "definition_file" in request.FILES
    upload_form = DefinitionUploadForm(
        request.POST if uploading else None, request.FILES if uploading else None
    )
    form = TaskForm(
        request.POST if request.method == "POST" and not uploading else None,
        user=user,
        initial=initial,
    )
    upload_errors: list[str] = []
    if uploading and upload_form.is_valid():
        upload = upload_form.cleaned_data["definition_file"]
        try:
            task = services.task_save(user, definition=services.load_definition(upload.read()))
        except DefinitionError as exc:
            upload_errors = _readable(exc.errors)
        else:
            messages.success(request, f"已从文件导入抽查任务“{task.title}”")
            return redirect("planning:task_detail", pk=task.pk)
    elif request.method == "POST" and not uploading and form.is_valid():
        try:
            task = services.task_save(user, definition=form.definition())
        except DefinitionError as exc:
            form.add_definition_errors(exc.errors)
        else:
            messages.success(request, f"已保存抽查任务“{task.title}”")
            return redirect("planning:task_detail", pk=task.pk)
    return _task_form_page(
        request,
        form,
        title="新建抽查任务",
        cancel_url=reverse("planning:task_list"),
        breadcrumbs=_crumbs(_tasks_crumb(), ("新建", None)),
        upload_form=upload_form,
        upload_errors=upload_errors,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, pk: int):
    user = request.user
    task = _get_task(user, pk, CHANGE)
    detail_url = reverse("planning:task_detail", args=[pk])
    if task.status != Task.Status.DRAFT:
        messages.error(request, services.FROZEN_MESSAGE)
        return redirect(detail_url)
    if task.plan.status == Plan.Status.FILED:
        messages.error(request, services.PLAN_UNDER_REVIEW.format(plan=task.plan.title))
        return redirect(detail_url)
    title = task.title
    form = TaskForm(
        request.POST or None,
        user=user,
        action=CHANGE,
        initial=initial_from_definition(task.definition) if task.definition else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_save(user, definition=form.definition(), task=task)
        except DefinitionError as exc:
            form.add_definition_errors(exc.errors)
        else:
            messages.success(request, "抽查任务已保存")
            return redirect(detail_url)
    return _task_form_page(
        request,
        form,
        title=f"修改抽查任务：{title}",
        cancel_url=detail_url,
        breadcrumbs=_crumbs(_tasks_crumb(), (title, detail_url), ("修改", None)),
    )
