"""Pages of the inspector roster, the expert pool and conflict declarations.

Thin views: parse (forms), read (selectors), write (services), render. Every single object is
fetched through `restrict(user, action)`, so a row outside the caller's jurisdiction is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.forms import ImportForm, add_service_errors
from jianguan.core.scoping import allowed
from jianguan.core.views import export_format, paginate, query_without, record_export
from jianguan.org.models import Unit

from . import importing, importing_experts, selectors, services, tasks
from .forms import ConflictEndForm, ConflictForm, ExpertForm, InspectorForm
from .models import ConflictDeclaration, Expert, Expertise, Inspector

CERT_SOON_DAYS = 90


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("名录库", None), *items]


def cert_state(inspector: Inspector, today: dt.date) -> tuple[str, str]:
    """(label, Bootstrap colour) of an inspector's enforcement certificate on `today`."""
    if not inspector.cert_no or not inspector.cert_expires_on:
        return "无执法证", "secondary"
    if inspector.cert_expires_on < today:
        return "已过期", "danger"
    if inspector.cert_expires_on <= today + dt.timedelta(days=CERT_SOON_DAYS):
        return "即将到期", "warning"
    return "有效", "success"


def conflict_state(declaration: ConflictDeclaration, today: dt.date) -> tuple[str, str]:
    if declaration.valid_from > today:
        return "未生效", "info"
    if declaration.valid_to is not None and declaration.valid_to < today:
        return "已结束", "secondary"
    return "生效中", "success"


def _mark_conflicts(rows, today: dt.date):
    rows = list(rows)
    for row in rows:
        row.state_label, row.state_css = conflict_state(row, today)
        # Ending means a date from today on; one already ending today cannot end earlier.
        row.can_end = row.valid_to is None or row.valid_to > today
    return rows


def _unit_choices(user) -> list[tuple[int, str]]:
    units = Unit.objects.restrict(user).filter(active=True).order_by("sort", "code")
    return [(u.pk, f"\u3000{u.name}" if u.is_station else u.name) for u in units]


# ---------------------------------------------------------------- inspectors


@login_required
def inspector_list(request):
    user = request.user
    today = timezone.localdate()
    qs = selectors.inspector_list(user, request.GET)
    ctx = paginate(request, qs)
    rows = list(ctx["rows"])
    for row in rows:
        row.cert_label, row.cert_css = cert_state(row, today)
    ctx.update(
        rows=rows,
        params=request.GET,
        units=_unit_choices(user),
        expertise=Expertise.objects.order_by("id"),
        can_add=allowed(user, "add", Inspector),
        export_query=query_without(request),
        breadcrumbs=_crumbs(("检查人员", None)),
    )
    return render(request, "personnel/inspector_list.html", ctx)


@login_required
def inspector_detail(request, pk: int):
    inspector = get_object_or_404(
        Inspector.objects.restrict(request.user, "view").select_related(
            "unit", "unit__district", "user"
        ),
        pk=pk,
    )
    today = timezone.localdate()
    label, css = cert_state(inspector, today)
    conflicts = _mark_conflicts(
        selectors.conflict_list(request.user)
        .filter(inspector=inspector)
        .order_by("-valid_from", "-id"),
        today,
    )
    ctx = {
        "inspector": inspector,
        "cert_label": label,
        "cert_css": css,
        "qualified": inspector.qualified_on(today),
        "conflicts": conflicts,
        "history": audit.history(inspector)[:100],
        "can_change": Inspector.objects.restrict(request.user, "change").filter(pk=pk).exists(),
        "can_declare": allowed(request.user, "add", ConflictDeclaration),
        "can_end": allowed(request.user, "change", ConflictDeclaration),
        "breadcrumbs": _crumbs(
            ("检查人员", reverse("personnel:inspector_list")), (inspector.name, None)
        ),
    }
    return render(request, "personnel/inspector_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def inspector_create(request):
    user = request.user
    if not allowed(user, "add", Inspector):
        raise PermissionDenied("无权新增检查人员")
    initial = {}
    if user.unit_id and Unit.objects.restrict(user, "add").filter(pk=user.unit_id).exists():
        initial["unit"] = user.unit_id
    form = InspectorForm(request.POST or None, user=user, action="add", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspector = services.inspector_create(user=user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增检查人员 {inspector}")
            return redirect("personnel:inspector_detail", pk=inspector.pk)
    return render(
        request,
        "personnel/inspector_form.html",
        {
            "form": form,
            "title": "新增检查人员",
            "cancel_url": reverse("personnel:inspector_list"),
            "breadcrumbs": _crumbs(
                ("检查人员", reverse("personnel:inspector_list")), ("新增", None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspector_edit(request, pk: int):
    user = request.user
    inspector = get_object_or_404(Inspector.objects.restrict(user, "change"), pk=pk)
    name = inspector.name
    form = InspectorForm(request.POST or None, instance=inspector, user=user, action="change")
    if request.method == "POST" and form.is_valid():
        try:
            inspector = services.inspector_update(
                user=user, inspector=inspector, data=form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存检查人员 {inspector}")
            return redirect("personnel:inspector_detail", pk=inspector.pk)
    detail_url = reverse("personnel:inspector_detail", args=[pk])
    return render(
        request,
        "personnel/inspector_form.html",
        {
            "form": form,
            "title": f"编辑检查人员：{name}",
            "cancel_url": detail_url,
            "breadcrumbs": _crumbs(
                ("检查人员", reverse("personnel:inspector_list")),
                (name, detail_url),
                ("编辑", None),
            ),
        },
    )


@login_required
def inspector_export(request):
    """The filtered list as xlsx or csv, in the import file's columns (so it round-trips)."""
    qs = selectors.inspector_list(request.user, request.GET)
    return _export(
        request, qs, "personnel.inspector", "检查人员名录", importing.export_inspectors_response
    )


@login_required
def inspector_import_template(request):
    if not allowed(request.user, "add", Inspector):
        raise PermissionDenied("无权导入检查人员")
    return importing.template_response(export_format(request))


@login_required
@require_http_methods(["GET", "POST"])
def inspector_import(request):
    if not allowed(request.user, "add", Inspector):
        raise PermissionDenied("无权导入检查人员")
    crumbs = _crumbs(("检查人员", reverse("personnel:inspector_list")), ("批量导入", None))
    return _import_page(
        request, tasks.start_inspector_import, "personnel/inspector_import.html", crumbs
    )


def _export(request, qs, object_type: str, label: str, respond):
    """Export `qs` (already scoped) as the requested format, on record: personal data leaving
    the system is audited with who, how many and which filters (数据导出留痕)."""
    fmt = export_format(request)
    count = qs.count()
    record_export(request, title=label, object_type=object_type, fmt=fmt, count=count, unit="人")
    return respond(qs, fmt)


def _import_page(request, start, template: str, breadcrumbs):
    """Upload page: the file goes to a background job (`start`), then to the job's page."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = start(request.user, form.cleaned_data["file"], form.cleaned_data["skip_invalid"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(
                request, "文件已上传，正在后台导入；可离开此页，稍后在“后台任务”中查看结果。"
            )
            return redirect("core:job_detail", pk=job.pk)
    return render(request, template, {"form": form, "breadcrumbs": breadcrumbs})


# ---------------------------------------------------------------- experts


@login_required
def expert_list(request):
    user = request.user
    ctx = paginate(request, selectors.expert_list(user, request.GET))
    ctx.update(
        params=request.GET,
        fields=Expertise.objects.order_by("id"),
        can_add=allowed(user, "add", Expert),
        export_query=query_without(request),
        breadcrumbs=_crumbs(("专家", None)),
    )
    return render(request, "personnel/expert_list.html", ctx)


@login_required
def expert_export(request):
    """The filtered list as xlsx or csv, in the import file's columns (so it round-trips).
    The pool is city-wide: every member of staff may view, so may export, all of it."""
    qs = selectors.expert_list(request.user, request.GET)
    return _export(
        request, qs, "personnel.expert", "专家库", importing_experts.export_experts_response
    )


@login_required
def expert_import_template(request):
    if not allowed(request.user, "add", Expert):
        raise PermissionDenied("专家库由市局维护")
    return importing_experts.template_response(export_format(request))


@login_required
@require_http_methods(["GET", "POST"])
def expert_import(request):
    if not allowed(request.user, "add", Expert):
        raise PermissionDenied("专家库由市局维护")
    crumbs = _crumbs(("专家", reverse("personnel:expert_list")), ("批量导入", None))
    return _import_page(request, tasks.start_expert_import, "personnel/expert_import.html", crumbs)


@login_required
def expert_detail(request, pk: int):
    user = request.user
    expert = get_object_or_404(Expert.objects.restrict(user, "view").select_related("field"), pk=pk)
    today = timezone.localdate()
    conflicts = _mark_conflicts(
        selectors.conflict_list(user).filter(expert=expert).order_by("-valid_from", "-id"), today
    )
    return render(
        request,
        "personnel/expert_detail.html",
        {
            "expert": expert,
            "conflicts": conflicts,
            "history": audit.history(expert)[:100],
            "can_change": Expert.objects.restrict(user, "change").filter(pk=pk).exists(),
            "can_declare": allowed(user, "add", ConflictDeclaration),
            "can_end": allowed(user, "change", ConflictDeclaration),
            "breadcrumbs": _crumbs(("专家", reverse("personnel:expert_list")), (expert.name, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_create(request):
    user = request.user
    if not allowed(user, "add", Expert):
        raise PermissionDenied("专家库由市局维护")
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_save(user=user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增专家 {expert.name}")
            return redirect("personnel:expert_detail", pk=expert.pk)
    return render(
        request,
        "personnel/expert_form.html",
        {
            "form": form,
            "title": "新增专家",
            "cancel_url": reverse("personnel:expert_list"),
            "breadcrumbs": _crumbs(("专家", reverse("personnel:expert_list")), ("新增", None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request, pk: int):
    user = request.user
    expert = get_object_or_404(Expert.objects.restrict(user, "change"), pk=pk)
    name = expert.name
    form = ExpertForm(request.POST or None, instance=expert)
    if request.method == "POST" and form.is_valid():
        try:
            expert = services.expert_save(user=user, expert=expert, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存专家 {expert.name}")
            return redirect("personnel:expert_detail", pk=expert.pk)
    detail_url = reverse("personnel:expert_detail", args=[pk])
    return render(
        request,
        "personnel/expert_form.html",
        {
            "form": form,
            "title": f"编辑专家：{name}",
            "cancel_url": detail_url,
            "breadcrumbs": _crumbs(
                ("专家", reverse("personnel:expert_list")), (name, detail_url), ("编辑", None)
            ),
        },
    )


# ---------------------------------------------------------------- conflict declarations


@login_required
def conflict_list(request):
    user = request.user
    today = timezone.localdate()
    ctx = paginate(
        request, selectors.conflict_list(user, request.GET).order_by("-valid_from", "-id")
    )
    ctx.update(
        rows=_mark_conflicts(ctx["rows"], today),
        params=request.GET,
        can_add=allowed(user, "add", ConflictDeclaration),
        can_end=allowed(user, "change", ConflictDeclaration),
        breadcrumbs=_crumbs(("回避声明", None)),
    )
    return render(request, "personnel/conflict_list.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def conflict_create(request):
    user = request.user
    if not allowed(user, "add", ConflictDeclaration):
        raise PermissionDenied("无权登记回避声明")
    initial: dict = {"valid_from": timezone.localdate()}
    person_url = None
    if (pk := request.GET.get("inspector", "")).isdigit():
        inspector = get_object_or_404(Inspector.objects.restrict(user), pk=pk)
        initial["staff_no"] = inspector.staff_no
        person_url = reverse("personnel:inspector_detail", args=[inspector.pk])
    elif (pk := request.GET.get("expert", "")).isdigit():
        expert = get_object_or_404(Expert.objects.restrict(user), pk=pk)
        initial["expert"] = expert.pk
        person_url = reverse("personnel:expert_detail", args=[expert.pk])
    form = ConflictForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.conflict_create(user=user, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("entity_uscc", "该市场主体不在您的管辖范围内")
        else:
            messages.success(request, f"已登记回避声明：{declaration}")
            if declaration.inspector_id:
                return redirect("personnel:inspector_detail", pk=declaration.inspector_id)
            return redirect("personnel:expert_detail", pk=declaration.expert_id)
    return render(
        request,
        "personnel/conflict_form.html",
        {
            "form": form,
            "cancel_url": person_url or reverse("personnel:conflict_list"),
            "breadcrumbs": _crumbs(
                ("回避声明", reverse("personnel:conflict_list")), ("登记", None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conflict_end(request, pk: int):
    """End a declaration (set its end date). Declarations are never deleted: they explain past draws."""
    user = request.user
    declaration = get_object_or_404(
        ConflictDeclaration.objects.restrict(user, "change").select_related(
            "inspector", "expert", "entity"
        ),
        pk=pk,
    )
    today = timezone.localdate()
    ended = declaration.valid_to is not None and declaration.valid_to < today
    form = ConflictEndForm(
        request.POST or None,
        declaration=declaration,
        initial={"valid_to": max(today, declaration.valid_from)},
    )
    if request.method == "POST" and not ended and form.is_valid():
        try:
            services.conflict_end(
                user=user, declaration=declaration, valid_to=form.cleaned_data["valid_to"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"回避声明将于 {form.cleaned_data['valid_to']:%Y-%m-%d} 结束")
            return redirect(_safe_next(request) or reverse("personnel:conflict_list"))
    label, css = conflict_state(declaration, today)
    return render(
        request,
        "personnel/conflict_end.html",
        {
            "declaration": declaration,
            "state_label": label,
            "state_css": css,
            "ended": ended,
            "form": form,
            "next": _safe_next(request) or "",
            "back_url": _safe_next(request) or reverse("personnel:conflict_list"),
            "breadcrumbs": _crumbs(
                ("回避声明", reverse("personnel:conflict_list")), ("结束回避", None)
            ),
        },
    )


def _safe_next(request) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return None
