"""Pages of the entity roster (检查对象名录库): list, export, file (一企一卷), create/edit, import.

Thin views: parse the request, call registry.selectors / registry.services, render. Every
single object is fetched through `restrict(user, action)`, so a row outside the user's
jurisdiction answers 404, never 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.downloads import file_download, stamped
from jianguan.core.forms import ImportForm, add_service_errors
from jianguan.core.scoping import allowed
from jianguan.core.views import paginate, record_export
from jianguan.personnel.models import ConflictDeclaration

from . import importing, selectors, services, tasks
from .forms import (
    EntityForm,
    TestingBodyForm,
    districts_for,
    industry_options,
    stations_for,
)
from .models import DOMAINS, Entity, TestingBody

# Synchronous exports stop here: beyond it the request would hold a web worker (and the user)
# too long. Measured: csv ~1.2 s and xlsx ~20 s per 100,000 rows on one core. Larger exports run
# as a background job (registry.tasks.start_entity_export).
EXPORT_SYNC_LIMIT = {"csv": 200_000, "xlsx": 50_000}


def _breadcrumbs(*extra):
    """名录库 › 检查对象 › …; on the list itself the last crumb is not a link."""
    roster = ("检查对象", reverse("registry:entity_list") if extra else None)
    return [("名录库", None), roster, *extra]


# --- list and export -------------------------------------------------------------------------


@login_required
def entity_list(request):
    params = request.GET
    qs = selectors.entity_list(request.user, params)
    ctx = paginate(request, qs)
    ctx.update(_filter_context(request))
    ctx.update(
        {
            "title": "检查对象名录",
            "breadcrumbs": _breadcrumbs(),
            "can_add": allowed(request.user, "add", Entity),
            "export_limits": EXPORT_SYNC_LIMIT,
            "filter_query": _filter_query(params),
        }
    )
    return render(request, "registry/entity_list.html", ctx)


def _filter_context(request) -> dict:
    user, params = request.user, request.GET
    district = params.get("district") or ""
    districts = list(districts_for(user))
    stations = stations_for(user, int(district) if district.isdigit() else None)
    if not district.isdigit() and len(districts) > 1:
        stations = stations.none()  # a city user picks a district first; 300 stations is no list
    return {
        "f": {key: params.get(key, "") for key in selectors.FILTERS},
        "districts": districts,
        "stations": list(stations),
        "domains": DOMAINS.choices,
        "tiers": [("special", "特殊重点"), ("general", "一般重点"), ("none", "非重点")],
        "statuses": Entity.Status.choices,
        "types": Entity.Type.choices,
        "risk_classes": Entity.RiskClass.choices,
        "industries": industry_options(),
        "any_filter": any(params.get(k) for k in selectors.FILTERS),
    }


def _filter_query(params) -> str:
    keep = params.copy()
    for key in list(keep):
        if key not in selectors.FILTERS or not keep.get(key):
            keep.pop(key)
    return keep.urlencode()


@login_required
def entity_export(request, fmt: str):
    """The filtered list as xlsx or csv, in the import template's layout."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    qs = selectors.entity_list(request.user, request.GET)
    total = qs.count()
    record_export(
        request,
        title="检查对象名录",
        object_type="registry.entity",
        fmt=fmt,
        count=total,
        filters=_filter_query(request.GET),
        unit="行",
    )
    if total > EXPORT_SYNC_LIMIT[fmt]:
        # Large exports do not run inside the request: a background job writes the file.
        filters = {k: v for k, v in request.GET.items() if k in selectors.FILTERS and v}
        job = tasks.start_entity_export(request.user, filters, fmt)
        messages.info(
            request,
            _("导出超过 %(n)s 行，已转为后台任务，完成后可在此下载。")
            % {"n": f"{EXPORT_SYNC_LIMIT[fmt]:,}"},
        )
        return redirect("core:job_detail", pk=job.pk)
    # The import layout, so the file imports back unchanged; formulas are neutralised by
    # core.tabular. Risk classes are internal and not part of the layout.
    return file_download(
        lambda f: importing.export_entities(f, queryset=qs, fmt=fmt), stamped("检查对象名录", fmt)
    )


# --- one entity -------------------------------------------------------------------------------


@login_required
def entity_detail(request, pk: int):
    entity = get_object_or_404(
        Entity.objects.restrict(request.user, "view").select_related("district", "station"), pk=pk
    )
    body = TestingBody.objects.filter(entity=entity).first()
    history = audit.history(entity)
    if body is not None:
        history = history | audit.history(body)
    today = timezone.localdate()
    conflicts = [
        (c, c.active_on(today))
        for c in ConflictDeclaration.objects.restrict(request.user)
        .filter(entity=entity)
        .select_related("inspector", "inspector__unit", "expert")
    ]
    can_change = Entity.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "registry/entity_detail.html",
        {
            "title": entity.name,
            "breadcrumbs": _breadcrumbs((entity.name, None)),
            "entity": entity,
            "body": body,
            "is_testing_body": bool(entity.domains & DOMAINS.by_code["testing_body"]),
            "cert_expired": bool(body and body.cert_expires_on and body.cert_expires_on < today),
            "conflicts": conflicts,
            "today": today,
            "history": history.order_by("-at", "-id")[:50],
            "history_more": history.count() > 50,
            "can_change": can_change,
            "industry": entity.industry,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entity_create(request):
    if not allowed(request.user, "add", Entity):
        raise PermissionDenied
    form = EntityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.entity_create(user=request.user, data=form.service_data())
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("已新增检查对象“%(name)s”。") % {"name": entity.name})
            return redirect("registry:entity_detail", pk=entity.pk)
    return render(
        request,
        "registry/entity_form.html",
        {
            "title": "新增检查对象",
            "breadcrumbs": _breadcrumbs(("新增", None)),
            "form": form,
            "industries": industry_options(),
            "cancel_url": reverse("registry:entity_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entity_edit(request, pk: int):
    entity = get_object_or_404(Entity.objects.restrict(request.user, "change"), pk=pk)
    form = EntityForm(request.POST or None, instance=entity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.entity_update(
                user=request.user, entity=entity, data=form.service_data()
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("registry:entity_detail", pk=entity.pk)
    name = Entity.objects.filter(pk=pk).values_list("name", flat=True).first()
    return render(
        request,
        "registry/entity_form.html",
        {
            "title": f"修改：{name}",
            "breadcrumbs": _breadcrumbs(
                (name, reverse("registry:entity_detail", args=[pk])), ("修改", None)
            ),
            "form": form,
            "entity_pk": pk,
            "industries": industry_options(),
            "cancel_url": reverse("registry:entity_detail", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def testing_body_edit(request, pk: int):
    entity = get_object_or_404(Entity.objects.restrict(request.user, "change"), pk=pk)
    if not entity.domains & DOMAINS.by_code["testing_body"]:
        messages.error(request, _("该主体的监管领域不含“检验检测机构”，请先在基本信息中勾选。"))
        return redirect("registry:entity_detail", pk=pk)
    body = TestingBody.objects.filter(entity=entity).first() or TestingBody(entity=entity)
    form = TestingBodyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.testing_body_save(user=request.user, entity=entity, data=form.service_data())
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("检验检测机构信息已保存。"))
            return redirect("registry:entity_detail", pk=pk)
    return render(
        request,
        "registry/testing_body_form.html",
        {
            "title": f"检验检测机构信息：{entity.name}",
            "breadcrumbs": _breadcrumbs(
                (entity.name, reverse("registry:entity_detail", args=[pk])),
                ("检验检测机构信息", None),
            ),
            "form": form,
            "entity": entity,
            "cancel_url": reverse("registry:entity_detail", args=[pk]),
        },
    )


@login_required
def station_options(request):
    """<option>s of the stations of one district (htmx, for the entity form)."""
    district = request.GET.get("district", "")
    stations = stations_for(request.user, int(district)) if district.isdigit() else []
    return render(request, "registry/_station_options.html", {"stations": stations})


# --- bulk import ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def entity_import(request):
    if not allowed(request.user, "add", Entity):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = tasks.start_entity_import(
                request.user, form.cleaned_data["file"], form.cleaned_data["skip_invalid"]
            )
        except ValidationError as e:
            form.add_error("file", e)
        else:
            return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "registry/entity_import.html",
        {
            "title": "批量导入检查对象",
            "breadcrumbs": _breadcrumbs(("批量导入", None)),
            "form": form,
        },
    )


@login_required
def import_template(request, fmt: str = "xlsx"):
    """The empty import template (headers, one example row, the code lists)."""
    if not allowed(request.user, "view", Entity):
        raise Http404
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return file_download(lambda f: importing.write_template(f, fmt), f"检查对象导入模板.{fmt}")
