"""Pages of the inspector roster, the expert pool and conflict declarations.

Declarations over core.generic: reads through personnel.selectors (scoped), writes through
personnel.services; a row outside the caller's jurisdiction is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.forms import ImportForm, add_service_errors
from jianguan.core.generic import (
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    crumb,
    get_or_404,
)
from jianguan.core.middleware import body_limit
from jianguan.core.scoping import ADD, CHANGE, allowed, reaches
from jianguan.core.views import export_format
from jianguan.org import selectors as org

from . import importing, importing_experts, selectors, services, tasks
from .filters import ConflictFilters, ExpertFilters, InspectorFilters
from .forms import ConflictEndForm, ConflictForm, ExpertForm, InspectorForm
from .models import ConflictDeclaration, Expert, Inspector

CERT_SOON_DAYS = 90
ROSTER = ("名录库", None)
INSPECTORS = crumb("检查人员", "personnel:inspector_list")
EXPERTS = crumb("专家", "personnel:expert_list")
CONFLICTS = crumb("回避声明", "personnel:conflict_list")


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


def _conflicts_of(user, **person) -> list:
    """The declarations of one inspector or expert, for their page."""
    filters = ConflictFilters(**person)
    return _mark_conflicts(
        selectors.conflict_list(user=user, filters=filters), timezone.localdate()
    )


# ---------------------------------------------------------------- inspectors


class InspectorList(ObjectListView):
    title = "检查人员名录库"
    crumbs = [ROSTER]
    filters = InspectorFilters
    selector = staticmethod(selectors.inspector_list)
    template_name = "personnel/inspector_list.html"
    noun = "人"
    empty = "没有符合条件的检查人员。"
    add = ("personnel:inspector_create", "新增检查人员", Inspector)
    buttons = [("personnel:inspector_import", "批量导入", (ADD, Inspector))]
    export_title = "检查人员名录"

    def decorate(self, rows):
        today = timezone.localdate()
        for row in rows:
            row.cert_label, row.cert_css = cert_state(row, today)
        return rows

    def export_response(self, queryset, fmt, count):
        """In the import file's columns, so the file imports back."""
        return importing.export_inspectors_response(queryset, fmt)


class InspectorDetail(ObjectDetailView):
    template_name = "personnel/inspector_detail.html"
    crumbs = [ROSTER, INSPECTORS]
    selector = staticmethod(selectors.inspector_get)

    def get_title(self):
        return self.object.name

    def get_context(self):
        user, inspector = self.request.user, self.object
        today = timezone.localdate()
        label, css = cert_state(inspector, today)
        return {
            "inspector": inspector,
            "cert_label": label,
            "cert_css": css,
            "qualified": inspector.qualified_on(today),
            "conflicts": _conflicts_of(user, inspector=inspector.pk),
            "history": audit.history(inspector)[:100],
            "can_change": reaches(user, CHANGE, inspector),
            "can_declare": allowed(user, ADD, ConflictDeclaration),
            "can_end": allowed(user, CHANGE, ConflictDeclaration),
        }


class InspectorEdit(ObjectFormView):
    """新增 (no pk) and 编辑 (pk) an inspector."""

    form_class = InspectorForm
    model = Inspector
    selector = staticmethod(selectors.inspector_get)
    crumbs = [ROSTER, INSPECTORS]
    permission_message = "无权新增检查人员"

    def form_kwargs(self):
        user = self.request.user
        kwargs = {
            **super().form_kwargs(),
            "user": user,
            "action": CHANGE if self.object else ADD,
        }
        if self.object is None:
            units = org.unit_list(user=user, action=ADD)
            if user.unit_id and units.filter(pk=user.unit_id).exists():
                kwargs["initial"] = {"unit": user.unit_id}
        return kwargs

    def get_title(self):
        return f"编辑检查人员：{self.stored.name}" if self.object else "新增检查人员"

    def save(self, form):
        user, data = self.request.user, form.service_data()
        if self.object is None:
            inspector = services.inspector_create(user=user, data=data)
            self.success_message = f"已新增检查人员 {inspector}"
        else:
            inspector = services.inspector_update(user=user, inspector=self.object, data=data)
            self.success_message = f"已保存检查人员 {inspector}"
        return reverse("personnel:inspector_detail", args=[inspector.pk])

    def cancel_url(self):
        if self.object:
            return reverse("personnel:inspector_detail", args=[self.object.pk])
        return reverse("personnel:inspector_list")


@login_required
def inspector_import_template(request):
    if not allowed(request.user, ADD, Inspector):
        raise PermissionDenied("无权导入检查人员")
    return importing.template_response(export_format(request))


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def inspector_import(request):
    if not allowed(request.user, ADD, Inspector):
        raise PermissionDenied("无权导入检查人员")
    crumbs = [ROSTER, INSPECTORS, ("批量导入", None)]
    return _import_page(
        request, tasks.start_inspector_import, "personnel/inspector_import.html", crumbs
    )


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


class ExpertList(ObjectListView):
    """The pool is city-wide: every member of staff may view, so may export, all of it."""

    title = "专家库"
    crumbs = [ROSTER]
    filters = ExpertFilters
    selector = staticmethod(selectors.expert_list)
    template_name = "personnel/expert_list.html"
    noun = "人"
    empty = "没有符合条件的专家。"
    intro = "专家库由市局统一维护，全市共用。"
    add = ("personnel:expert_create", "新增专家", Expert)
    buttons = [("personnel:expert_import", "批量导入", (ADD, Expert))]

    def export_response(self, queryset, fmt, count):
        return importing_experts.export_experts_response(queryset, fmt)


class ExpertDetail(ObjectDetailView):
    template_name = "personnel/expert_detail.html"
    crumbs = [ROSTER, EXPERTS]
    selector = staticmethod(selectors.expert_get)

    def get_title(self):
        return self.object.name

    def get_context(self):
        user, expert = self.request.user, self.object
        return {
            "expert": expert,
            "conflicts": _conflicts_of(user, expert=expert.pk),
            "history": audit.history(expert)[:100],
            "can_change": reaches(user, CHANGE, expert),
            "can_declare": allowed(user, ADD, ConflictDeclaration),
            "can_end": allowed(user, CHANGE, ConflictDeclaration),
        }


class ExpertEdit(ObjectFormView):
    form_class = ExpertForm
    model = Expert
    selector = staticmethod(selectors.expert_get)
    crumbs = [ROSTER, EXPERTS]
    permission_message = "专家库由市局维护"

    def get_title(self):
        return f"编辑专家：{self.stored.name}" if self.object else "新增专家"

    def save(self, form):
        expert = services.expert_save(
            user=self.request.user, expert=self.object, data=form.service_data()
        )
        self.success_message = f"已{'保存' if self.object else '新增'}专家 {expert.name}"
        return reverse("personnel:expert_detail", args=[expert.pk])

    def cancel_url(self):
        if self.object:
            return reverse("personnel:expert_detail", args=[self.object.pk])
        return reverse("personnel:expert_list")


@login_required
def expert_import_template(request):
    if not allowed(request.user, ADD, Expert):
        raise PermissionDenied("专家库由市局维护")
    return importing_experts.template_response(export_format(request))


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def expert_import(request):
    if not allowed(request.user, ADD, Expert):
        raise PermissionDenied("专家库由市局维护")
    crumbs = [ROSTER, EXPERTS, ("批量导入", None)]
    return _import_page(request, tasks.start_expert_import, "personnel/expert_import.html", crumbs)


# ---------------------------------------------------------------- conflict declarations


class ConflictList(ObjectListView):
    title = "回避声明"
    crumbs = [ROSTER]
    filters = ConflictFilters
    selector = staticmethod(selectors.conflict_list)
    template_name = "personnel/conflict_list.html"
    intro = (
        "生效中的声明在抽取时排除对应的人员与市场主体组合（行政处罚法第四十三条）。"
        "声明不可删除，只能结束。"
    )
    empty = "没有符合条件的回避声明。"
    add = ("personnel:conflict_create", "登记回避声明", ConflictDeclaration)

    def decorate(self, rows):
        return _mark_conflicts(rows, timezone.localdate())

    def get_context(self):
        return {"can_end": allowed(self.request.user, CHANGE, ConflictDeclaration)}


class ConflictCreate(ObjectFormView):
    """登记: opened from a person's page (?inspector= / ?expert=) the person is filled in."""

    template_name = "personnel/conflict_form.html"
    form_class = ConflictForm
    model = ConflictDeclaration
    crumbs = [ROSTER, CONFLICTS]
    title = "登记"
    permission_message = "无权登记回避声明"

    def dispatch(self, request, *args, **kwargs):
        self.person_url = None
        return super().dispatch(request, *args, **kwargs)

    def form_kwargs(self):
        user = self.request.user
        person = ConflictFilters.parse(self.request.GET)
        initial: dict = {"valid_from": timezone.localdate()}
        if person.inspector:
            inspector = get_or_404(selectors.inspector_get, user=user, pk=person.inspector)
            initial["staff_no"] = inspector.staff_no
            self.person_url = reverse("personnel:inspector_detail", args=[inspector.pk])
        elif person.expert:
            expert = get_or_404(selectors.expert_get, user=user, pk=person.expert)
            initial["expert"] = expert.pk
            self.person_url = reverse("personnel:expert_detail", args=[expert.pk])
        return {"user": user, "initial": initial}

    def save(self, form):
        try:
            declaration = services.conflict_create(user=self.request.user, data=form.service_data())
        except PermissionDenied:
            raise ValidationError({"entity_uscc": "该市场主体不在您的管辖范围内"}) from None
        self.success_message = f"已登记回避声明：{declaration}"
        if declaration.inspector_id:
            return reverse("personnel:inspector_detail", args=[declaration.inspector_id])
        return reverse("personnel:expert_detail", args=[declaration.expert_id])

    def cancel_url(self):
        return self.person_url or reverse("personnel:conflict_list")


class ConflictEnd(ObjectFormView):
    """End a declaration (set its end date). Declarations are never deleted: they explain past
    draws."""

    template_name = "personnel/conflict_end.html"
    form_class = ConflictEndForm
    selector = staticmethod(selectors.conflict_get)
    crumbs = [ROSTER, CONFLICTS]
    title = "结束回避"
    success_message = ""

    def form_kwargs(self):
        today = timezone.localdate()
        declaration = self.object
        return {
            "declaration": declaration,
            "initial": {"valid_to": max(today, declaration.valid_from)},
        }

    def ended(self) -> bool:
        valid_to = self.object.valid_to
        return valid_to is not None and valid_to < timezone.localdate()

    def post(self, request, *args, **kwargs):
        if self.ended():
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def save(self, form):
        valid_to = form.cleaned_data["valid_to"]
        services.conflict_end(user=self.request.user, declaration=self.object, valid_to=valid_to)
        messages.success(self.request, f"回避声明将于 {valid_to:%Y-%m-%d} 结束")
        return self.cancel_url()

    def cancel_url(self):
        return _safe_next(self.request) or reverse("personnel:conflict_list")

    def get_context(self):
        label, css = conflict_state(self.object, timezone.localdate())
        return {
            "declaration": self.object,
            "state_label": label,
            "state_css": css,
            "ended": self.ended(),
            "next": _safe_next(self.request) or "",
            "back_url": self.cancel_url(),
        }


def _safe_next(request) -> str | None:
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return None
