"""Pages of the entity roster (检查对象名录库): list, export, file (一企一卷), create/edit, import.

Declarations over core.generic: reads through registry.selectors (scoped), writes through
registry.services. A row outside the caller's jurisdiction answers 404, never 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.downloads import file_download, stamped
from jianguan.core.filters import Filters, Ref
from jianguan.core.forms import ImportForm
from jianguan.core.generic import (
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    crumb,
)
from jianguan.core.middleware import body_limit
from jianguan.core.scoping import ADD, CHANGE, VIEW, allowed, reaches
from jianguan.org import selectors as org

from . import importing, selectors, services, tasks
from .filters import EntityFilters
from .forms import EntityForm, TestingBodyForm, industry_options
from .models import DOMAINS, Entity, TestingBody

# Synchronous exports stop here: beyond it the request would hold a web worker (and the user)
# too long. Measured: csv ~1.2 s and xlsx ~20 s per 100,000 rows on one core. Larger exports run
# as a background job (registry.tasks.start_entity_export).
EXPORT_SYNC_LIMIT = {"csv": 200_000, "xlsx": 50_000}

ROSTER = ("名录库", None)
ENTITIES = crumb("检查对象", "registry:entity_list")


# --- list and export -------------------------------------------------------------------------


class EntityList(ObjectListView):
    title = "检查对象名录"
    crumbs = [ROSTER]
    filters = EntityFilters
    selector = staticmethod(selectors.entity_list)
    template_name = "registry/entity_list.html"
    noun = "户"
    add = ("registry:entity_create", "新增", Entity)
    buttons = [("registry:entity_import", "批量导入", (ADD, Entity))]
    empty = "没有符合条件的检查对象。"

    def get_context(self):
        return {"export_limits": EXPORT_SYNC_LIMIT}

    def export_response(self, queryset, fmt, count):
        """The import layout, so the file imports back unchanged (formulas neutralised by
        core.tabular; risk classes are internal and not part of the layout). Beyond the
        synchronous limit a background job writes the file."""
        if count > EXPORT_SYNC_LIMIT[fmt]:
            job = tasks.start_entity_export(user=self.request.user, filters=self.filtered, fmt=fmt)
            messages.info(
                self.request,
                _("导出超过 %(n)s 行，已转为后台任务，完成后可在此下载。")
                % {"n": f"{EXPORT_SYNC_LIMIT[fmt]:,}"},
            )
            return redirect("core:job_detail", pk=job.pk)
        return file_download(
            lambda f: importing.export_entities(f, queryset=queryset, fmt=fmt),
            stamped("检查对象名录", fmt),
        )


# --- one entity -------------------------------------------------------------------------------


class EntityDetail(ObjectDetailView):
    """The entity's file (一企一卷): each app adds its section through its template tag."""

    template_name = "registry/entity_detail.html"
    crumbs = [ROSTER, ENTITIES]
    selector = staticmethod(selectors.entity_get)

    def get_context(self):
        entity = self.object
        body = TestingBody.objects.filter(entity=entity).first()
        history = audit.history(entity)
        if body is not None:
            history = history | audit.history(body)
        today = timezone.localdate()
        return {
            "entity": entity,
            "body": body,
            "is_testing_body": bool(entity.domains & DOMAINS.by_code["testing_body"]),
            "cert_expired": bool(body and body.cert_expires_on and body.cert_expires_on < today),
            "history": history.order_by("-at", "-id")[:50],
            "history_more": history.count() > 50,
            "can_change": reaches(self.request.user, CHANGE, entity),
            "industry": entity.industry,
        }


class EntityEdit(ObjectFormView):
    """新增 (no pk) and 修改 (pk) an entity."""

    template_name = "registry/entity_form.html"
    form_class = EntityForm
    model = Entity
    selector = staticmethod(selectors.entity_get)
    crumbs = [ROSTER, ENTITIES]

    def form_kwargs(self):
        return {**super().form_kwargs(), "user": self.request.user}

    def get_title(self):
        return f"修改：{self.stored.name}" if self.object else "新增检查对象"

    def save(self, form):
        user, data = self.request.user, form.service_data()
        if self.object is None:
            entity = services.entity_create(user=user, data=data)
            self.success_message = _("已新增检查对象“%(name)s”。") % {"name": entity.name}
        else:
            entity = services.entity_update(user=user, entity=self.object, data=data)
        return reverse("registry:entity_detail", args=[entity.pk])

    def cancel_url(self):
        if self.object:
            return reverse("registry:entity_detail", args=[self.object.pk])
        return reverse("registry:entity_list")

    def get_context(self):
        return {"industries": industry_options()}


class TestingBodyEdit(ObjectFormView):
    template_name = "registry/testing_body_form.html"
    form_class = TestingBodyForm
    selector = staticmethod(selectors.entity_get)
    crumbs = [ROSTER, ENTITIES]
    success_message = "检验检测机构信息已保存。"

    def get(self, request, *args, **kwargs):
        return self._unless_not_a_body() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._unless_not_a_body() or super().post(request, *args, **kwargs)

    def _unless_not_a_body(self):
        if not self.object.domains & DOMAINS.by_code["testing_body"]:
            messages.error(
                self.request, _("该主体的监管领域不含“检验检测机构”，请先在基本信息中勾选。")
            )
            return redirect("registry:entity_detail", pk=self.object.pk)
        return None

    def form_kwargs(self):
        entity = self.object
        body = TestingBody.objects.filter(entity=entity).first() or TestingBody(entity=entity)
        # testing.Qualification rows (reverse accessor): the register keeps the certificate
        return {"instance": body, "registered": entity.qualifications.exists()}

    def get_title(self):
        return f"检验检测机构信息：{self.object.name}"

    def save(self, form):
        services.testing_body_save(
            user=self.request.user, entity=self.object, data=form.service_data()
        )
        return reverse("registry:entity_detail", args=[self.object.pk])

    def cancel_url(self):
        return reverse("registry:entity_detail", args=[self.object.pk])

    def get_context(self):
        return {"entity": self.object}


class DistrictParam(Filters):
    district: Ref("所属区局") = None


@login_required
def station_options(request):
    """<option>s of the stations of one district (htmx, for the entity form)."""
    district = DistrictParam.parse(request.GET).district
    stations = org.station_list(user=request.user, district=district) if district else []
    return render(request, "registry/_station_options.html", {"stations": stations})


# --- bulk import ------------------------------------------------------------------------------


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def entity_import(request):
    if not allowed(request.user, ADD, Entity):
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
            "breadcrumbs": [ROSTER, ENTITIES, ("批量导入", None)],
            "form": form,
        },
    )


@login_required
def import_template(request, fmt: str = "xlsx"):
    """The empty import template (headers, one example row, the code lists)."""
    if not allowed(request.user, VIEW, Entity):
        raise Http404
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return file_download(lambda f: importing.write_template(f, fmt), f"检查对象导入模板.{fmt}")
