"""Pages of the risk app: model versions and runs (信用风险分类), the key-area lists (四个清单) and
special-key full coverage. Thin views: forms parse, selectors read, services write.

Staff pages only (login required); risk classes and scores are internal and never on a public
page. Single objects come through restrict(): outside the caller's jurisdiction is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.downloads import spec_download, stamped, table_download
from jianguan.core.filters import validated
from jianguan.core.generic import ObjectListView, crumb, permission_required
from jianguan.core.importing import start_from_form
from jianguan.core.middleware import body_limit
from jianguan.core.models import Job
from jianguan.core.scoping import ADD, CHANGE, VIEW, allowed
from jianguan.core.views import form_page, paginate, record_export
from jianguan.org.selectors import district_list
from jianguan.registry.filters import EntityParam
from jianguan.registry.models import DOMAINS, Entity
from jianguan.registry.selectors import entity_find

from . import importing, selectors, services, tasks
from .filters import (
    ClassFilters,
    CoverageFilters,
    InfoFilters,
    JobParam,
    ListingFilters,
    MatterFilters,
)
from .forms import (
    AdjustmentForm,
    BacktestForm,
    IndicatorForm,
    InfoForm,
    ListingForm,
    ListingRemoveForm,
    MatterForm,
    ModelSettingsForm,
    UploadForm,
    VetoForm,
)
from .models import (
    ClassRun,
    DomainAdjustment,
    Indicator,
    KeyAreaInfo,
    KeyAreaListing,
    KeyAreaMatter,
    RiskModel,
    VetoItem,
)

FORMATS = ("xlsx", "csv")


def _crumbs(*items):
    return [("信用监管", None), *items]


def _models_crumb():
    return ("风险分类模型", reverse("risk:model_list"))


def _keyarea_crumb():
    return ("重点领域清单", reverse("risk:keyarea_list"))


def _form_page(request, form, save, *, title, crumbs, **kwargs):
    return form_page(
        request, form, save, title=title, breadcrumbs=_crumbs(*crumbs, (title, None)), **kwargs
    )


def _list_context(request) -> dict:
    """The coverage page's filter bar (the lists draw theirs from their declarations)."""
    return {
        "params": request.GET,
        "districts": [(str(d.pk), d.name) for d in district_list(user=request.user)],
        "export_query": request.filters.query(),
    }


def _export(request, qs, fmt: str, spec, title: str, object_type: str):
    if fmt not in FORMATS:
        raise Http404
    _record_export(request, qs, fmt, title, object_type)
    return spec_download(qs.iterator(chunk_size=2000), spec, fmt, title)


def _record_export(request, qs, fmt: str, title: str, object_type: str) -> None:
    filters = request.GET.urlencode()
    record_export(
        request, title=title, object_type=object_type, fmt=fmt, count=qs.count(), filters=filters
    )


# --- model versions ------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, RiskModel)
def model_list(request):
    return render(
        request,
        "risk/model_list.html",
        {
            "models": selectors.models_with_runs(),
            "runs": ClassRun.objects.select_related("model", "job")[:20],
            "can_change": allowed(request.user, CHANGE, RiskModel),
            "breadcrumbs": _crumbs(("风险分类模型", None)),
        },
    )


@login_required
@permission_required(VIEW, RiskModel)
def model_detail(request, pk: int):
    model = get_object_or_404(RiskModel.objects.restrict(request.user), pk=pk)
    groups = []
    indicators = list(model.indicators.all())
    for code, label in Indicator.Group.choices:
        rows = [i for i in indicators if i.group == code]
        groups.append((label, rows))
    return render(
        request,
        "risk/model_detail.html",
        {
            "model": model,
            "groups": groups,
            "vetoes": model.vetoes.all(),
            "adjustments": model.adjustments.all(),
            "domain_labels": dict(DOMAINS.choices),
            "runs": model.runs.all()[:10],
            "can_change": allowed(request.user, CHANGE, RiskModel),
            "frozen": model.frozen,
            "history": audit.history(model)[:20],
            "breadcrumbs": _crumbs(_models_crumb(), (str(model), None)),
        },
    )


def _editor(request) -> None:
    if not allowed(request.user, CHANGE, RiskModel):
        raise PermissionDenied


def _edited_message(request, model, target) -> None:
    if target.pk != model.pk:
        messages.info(
            request,
            f"V{model.version} 已使用或已启用，不能修改：修改已保存为新的草稿版本 V{target.version}。",
        )


@login_required
@require_http_methods(["GET", "POST"])
def model_edit(request, pk: int):
    _editor(request)
    model = get_object_or_404(RiskModel, pk=pk)
    form = ModelSettingsForm(request.POST or None, initial=ModelSettingsForm.initial_of(model))

    def save(f):
        target = services.model_update(request.user, model=model, data=f.changes())
        _edited_message(request, model, target)
        return reverse("risk:model_detail", args=[target.pk])

    return _form_page(
        request,
        form,
        save,
        title=f"修改模型设置（V{model.version}）",
        crumbs=[_models_crumb(), (str(model), reverse("risk:model_detail", args=[pk]))],
        cancel_url=reverse("risk:model_detail", args=[pk]),
        intro="已启用或已用于分类的版本不会被修改：保存时自动创建新的草稿版本。",
    )


CHILDREN = {
    # kind: (model class, key field, form, service, label)
    "indicator": (Indicator, "code", IndicatorForm, services.indicator_save, "指标"),
    "veto": (VetoItem, "code", VetoForm, services.veto_save, "否决项"),
    "adjustment": (
        DomainAdjustment,
        "domain",
        AdjustmentForm,
        services.adjustment_save,
        "专业模型调整",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request, pk: int, kind: str, key: str = ""):
    _editor(request)
    if kind not in CHILDREN:
        raise Http404
    cls, field, form_cls, save_fn, label = CHILDREN[kind]
    model = get_object_or_404(RiskModel, pk=pk)
    row = get_object_or_404(cls, model=model, **{field: key}) if key else None
    form = form_cls(request.POST or None, instance=row)

    def save(f):
        data = {name: f.cleaned_data[name] for name in f.Meta.fields}
        if key:
            data["original_" + field] = key
        target, _row = save_fn(request.user, model=model, data=data)
        _edited_message(request, model, target)
        return reverse("risk:model_detail", args=[target.pk])

    # The service validates the row against its version (full_clean); the form only parses.
    form.instance.model = model
    return _form_page(
        request,
        form,
        save,
        title=f"{'修改' if key else '新增'}{label}（V{model.version}）",
        crumbs=[_models_crumb(), (str(model), reverse("risk:model_detail", args=[pk]))],
        cancel_url=reverse("risk:model_detail", args=[pk]),
        intro="已启用或已用于分类的版本不会被修改：保存时自动创建新的草稿版本。",
    )


@login_required
@require_POST
def child_delete(request, pk: int, kind: str, key: str):
    _editor(request)
    if kind not in CHILDREN:
        raise Http404
    model = get_object_or_404(RiskModel, pk=pk)
    target = services.child_delete(request.user, model=model, kind=kind, key=key)
    _edited_message(request, model, target)
    messages.success(request, "已删除。")
    return redirect("risk:model_detail", target.pk)


@login_required
@require_POST
def model_draft(request, pk: int):
    _editor(request)
    model = get_object_or_404(RiskModel, pk=pk)
    draft = services.model_draft(request.user, source=model)
    messages.success(request, f"已创建草稿版本 V{draft.version}。")
    return redirect("risk:model_detail", draft.pk)


@login_required
@require_POST
def model_activate(request, pk: int):
    _editor(request)
    model = get_object_or_404(RiskModel, pk=pk)
    try:
        services.model_activate(request.user, model=model)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"V{model.version} 已启用，原启用版本已停用。")
    return redirect("risk:model_detail", model.pk)


@login_required
@require_POST
def run_start(request):
    _editor(request)
    pk = request.POST.get("model", "")
    model = RiskModel.objects.filter(pk=pk).first() if pk.isdigit() else None
    try:
        job = tasks.start_classify(request.user, model)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("risk:model_list")
    return redirect("core:job_detail", job.pk)


@login_required
@permission_required(VIEW, RiskModel)
def run_detail(request, pk: int):
    run = get_object_or_404(ClassRun.objects.restrict(request.user).select_related("model"), pk=pk)
    total = sum(run.counts.values()) or 0
    counts = [(k, v, (v / total) if total else 0) for k, v in run.counts.items()]
    return render(
        request,
        "risk/run_detail.html",
        {
            "run": run,
            "counts": counts,
            "total": total,
            "breadcrumbs": _crumbs(_models_crumb(), (str(run), None)),
        },
    )


# --- 重点领域清单 ---------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, RiskModel)
def keyarea_list(request):
    user = request.user
    entities = Entity.objects.restrict(user)
    return render(
        request,
        "risk/keyarea_list.html",
        {
            "matters": KeyAreaMatter.objects.restrict(user).filter(active=True).count(),
            "special": entities.filter(key_tier="special").count(),
            "general": entities.filter(key_tier="general").count(),
            "infos": KeyAreaInfo.objects.restrict(user).filter(active=True).count(),
            "classified": entities.exclude(risk_class="").count(),
            "breadcrumbs": _crumbs(("重点领域清单", None)),
        },
    )


MATTER_COLUMNS = [
    ("重点领域", lambda r: r.get_area_display()),
    ("监管事项", lambda r: r.title),
    ("监管对象", lambda r: r.subject),
    ("监管内容", lambda r: r.content),
    ("监管主体", lambda r: r.supervisor),
    ("监管措施", lambda r: r.measures),
    ("设定依据", lambda r: r.basis),
    ("有效", lambda r: "是" if r.active else "否"),
]
INFO_COLUMNS = [
    ("重点领域", lambda r: r.get_area_display()),
    ("信息类别", lambda r: r.get_category_display()),
    ("信息事项", lambda r: r.title),
    ("提供单位", lambda r: r.provider),
    ("归集公示时限", lambda r: r.time_limit),
    ("向社会公示", lambda r: "是" if r.published else "否"),
    ("有效", lambda r: "是" if r.active else "否"),
]
LISTING_COLUMNS = [
    ("统一社会信用代码", lambda e: e.uscc),
    ("名称", lambda e: e.name),
    ("所属区局", lambda e: e.district.name),
    ("重点领域类别", lambda e: e.get_key_tier_display()),
    (
        "重点领域及列入理由",
        lambda e: "；".join(
            f"{x.get_area_display()}（{x.get_tier_display()}）：{x.reason}"
            for x in e.active_listings
        ),
    ),
]
CLASS_COLUMNS = [
    ("统一社会信用代码", lambda e: e.uscc),
    ("名称", lambda e: e.name),
    ("所属区局", lambda e: e.district.name),
    ("信用风险分类", lambda e: e.risk_class),
]
COVERAGE_COLUMNS = [
    ("统一社会信用代码", lambda e: e.uscc),
    ("名称", lambda e: e.name),
    ("所属区局", lambda e: e.district.name),
    ("所属所", lambda e: e.station.name if e.station else ""),
    ("住所", lambda e: e.address),
]


class RiskList(ObjectListView):
    """A key-area or risk-class list: staff with a jurisdiction only (no experts); the export is
    addressed as export.xlsx / export.csv."""

    permission = (VIEW, RiskModel)
    crumbs = [("信用监管", None), crumb("重点领域清单", "risk:keyarea_list")]

    def get_context(self):
        return {"can_add": self.add is not None and allowed(self.request.user, ADD, self.add[2])}


class MatterList(RiskList):
    title = "重点领域监管事项清单"
    filters = MatterFilters
    selector = staticmethod(selectors.matter_list)
    template_name = "risk/matter_list.html"
    add = ("risk:matter_create", "新增监管事项", KeyAreaMatter)
    export_columns = MATTER_COLUMNS


class InfoList(RiskList):
    title = "重点领域信息归集公示事项清单"
    filters = InfoFilters
    selector = staticmethod(selectors.info_list)
    template_name = "risk/info_list.html"
    add = ("risk:info_create", "新增信息归集公示事项", KeyAreaInfo)
    export_columns = INFO_COLUMNS


def _reference_edit(request, cls, form_cls, pk, list_name, label):
    if not allowed(request.user, CHANGE if pk else ADD, cls):
        raise PermissionDenied
    instance = get_object_or_404(cls.objects.restrict(request.user, CHANGE), pk=pk) if pk else None
    before = {f: getattr(instance, f) for f in form_cls.Meta.fields} if instance else {}
    form = form_cls(request.POST or None, instance=instance)

    def save(f):
        obj = f.save(commit=False)
        after = {name: getattr(obj, name) for name in form_cls.Meta.fields}
        services.reference_save(request.user, instance=obj, changed=audit.diff(before, after))
        return reverse(list_name)

    return _form_page(
        request,
        form,
        save,
        title=f"{'修改' if pk else '新增'}{label}",
        crumbs=[_keyarea_crumb(), (label + "清单", reverse(list_name))],
        cancel_url=reverse(list_name),
    )


@login_required
@require_http_methods(["GET", "POST"])
def matter_edit(request, pk: int | None = None):
    return _reference_edit(request, KeyAreaMatter, MatterForm, pk, "risk:matter_list", "监管事项")


@login_required
@require_http_methods(["GET", "POST"])
def info_edit(request, pk: int | None = None):
    return _reference_edit(request, KeyAreaInfo, InfoForm, pk, "risk:info_list", "信息归集公示事项")


class ListingList(RiskList):
    title = "重点领域企业清单"
    filters = ListingFilters
    selector = staticmethod(selectors.key_entity_list)
    template_name = "risk/listing_list.html"
    noun = "户"
    add = ("risk:listing_create", "列入企业清单", KeyAreaListing)
    export_columns = LISTING_COLUMNS


def _entity_initial(request) -> dict:
    """The form opened from an entity's page (?entity=<pk>) starts with its credit code."""
    pk = EntityParam.parse(request.GET).entity
    entity = entity_find(user=request.user, pk=pk, action=CHANGE)
    return {"uscc": entity.uscc} if entity else {}


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request):
    if not allowed(request.user, ADD, KeyAreaListing):
        raise PermissionDenied
    initial = _entity_initial(request)
    form = ListingForm(request.POST or None, user=request.user, initial=initial)

    def save(f):
        services.listing_create(request.user, data=f.data_for_service())
        return reverse("risk:listing_list")

    return _form_page(
        request,
        form,
        save,
        title="列入重点领域企业清单",
        crumbs=[_keyarea_crumb(), ("重点领域企业清单", reverse("risk:listing_list"))],
        cancel_url=reverse("risk:listing_list"),
        intro="特殊重点：涉及公共安全和人民群众生命健康风险程度较高，每年全覆盖检查；"
        "一般重点：风险程度相对较低，按比例“双随机”抽查，比例不设上限。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_remove(request, pk: int):
    listing = get_object_or_404(
        KeyAreaListing.objects.restrict(request.user, CHANGE).select_related("entity"), pk=pk
    )
    form = ListingRemoveForm(request.POST or None)

    def save(f):
        services.listing_remove(
            request.user,
            listing=listing,
            removed_on=f.cleaned_data["removed_on"],
            reason=f.cleaned_data["reason"],
        )
        return reverse("risk:listing_list")

    return _form_page(
        request,
        form,
        save,
        title=f"移出重点领域企业清单：{listing}",
        crumbs=[_keyarea_crumb(), ("重点领域企业清单", reverse("risk:listing_list"))],
        cancel_url=reverse("risk:listing_list"),
    )


class ClassList(RiskList):
    title = "信用风险分类名单"
    export_title = "信用风险分类名单（内部）"
    filters = ClassFilters
    selector = staticmethod(selectors.class_list)
    template_name = "risk/class_list.html"
    noun = "户"
    export_columns = CLASS_COLUMNS

    def decorate(self, rows):
        """Each entity with its latest class row (the score), for those who may see scores."""
        if self.exporting or not selectors.may_see_scores(self.request.user):
            return rows
        latest = selectors.latest_rows(e.pk for e in rows)
        for e in rows:
            e.latest = latest.get(e.pk)
        return rows

    def get_context(self):
        return {"show_scores": selectors.may_see_scores(self.request.user)}


@login_required
@permission_required(VIEW, RiskModel)
@validated(CoverageFilters)
def coverage(request):
    year, per_district, missing = selectors.coverage(user=request.user, filters=request.filters)
    ctx = paginate(request, missing)
    ctx.update(_list_context(request))
    ctx.update(
        year=year,
        per_district=per_district,
        totals={k: sum(r[k] for r in per_district) for k in ("total", "visited", "missing")},
        breadcrumbs=_crumbs(_keyarea_crumb(), ("特殊重点全覆盖", None)),
    )
    return render(request, "risk/coverage.html", ctx)


@login_required
@permission_required(VIEW, RiskModel)
@validated(CoverageFilters)
def coverage_export(request, fmt: str):
    _year, _rows, missing = selectors.coverage(user=request.user, filters=request.filters)
    return _export(
        request,
        missing,
        fmt,
        COVERAGE_COLUMNS,
        "特殊重点领域企业本年度未检查名单",
        "registry.entity",
    )


# --- 导入（全部成功才写入） ----------------------------------------------------------------------


def _import_page(request, kind, *, title, columns, list_name, template_name, crumbs, intro):
    """The upload form; the file is imported by a background job (its page shows progress,
    the outcome and the error report)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    response = request.method == "POST" and form.is_valid() and start_from_form(request, form, kind)
    if response:
        return response
    return render(
        request,
        "risk/import.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "headers": [c.header for c in columns],
            "required": [c.header for c in columns if c.required],
            "template_name": template_name,
            "cancel_url": reverse(list_name),
            "breadcrumbs": _crumbs(*crumbs, (title, None)),
        },
    )


def _records_export(request, fmt, qs, columns, records, title, object_type):
    """Rows in the import's own columns: an exported file imports back (import template)."""
    if fmt not in FORMATS:
        raise Http404
    _record_export(request, qs, fmt, title, object_type)
    return table_download(columns, records(qs), fmt, stamped(title, fmt))


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def listing_import(request):
    if not allowed(request.user, ADD, KeyAreaListing):
        raise PermissionDenied
    return _import_page(
        request,
        tasks.KIND_LISTINGS,
        title="导入重点领域企业清单",
        columns=importing.LISTING_COLUMNS,
        list_name="risk:listing_list",
        template_name="risk:listing_records",
        crumbs=[_keyarea_crumb(), ("重点领域企业清单", reverse("risk:listing_list"))],
        intro="每行列入一户企业的一个重点领域；该主体已列入同一领域的，请先移出原记录。"
        "类别填“特殊重点”或“一般重点”。",
    )


@login_required
@permission_required(VIEW, RiskModel)
@validated(ListingFilters)
def listing_records(request, fmt: str):
    """The active listings (in the user's jurisdiction) in the import's columns."""
    qs = selectors.listing_records(user=request.user, filters=request.filters)
    return _records_export(
        request,
        fmt,
        qs,
        importing.LISTING_COLUMNS,
        importing.listing_records,
        "重点领域企业列入记录",
        "risk.keyarealisting",
    )


# --- 回测 ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@permission_required(VIEW, RiskModel)
@validated(JobParam)
def backtest(request):
    """Backtest a model version against recorded check results (a background job)."""
    today = timezone.localdate()
    form = BacktestForm(
        request.POST or None,
        initial={"model": selectors.active_model(), "split": today - dt.timedelta(days=365)},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            job = tasks.start_backtest(request.user, d["model"], d["split"], d["until"])
        except ValidationError as e:
            form.add_error(None, e)
        else:
            return redirect(f"{reverse('risk:backtest')}?job={job.pk}")
    jobs = Job.objects.filter(kind=tasks.BACKTEST_KIND).order_by("-id")
    shown = None
    pk = request.GET.get("job", "")
    if pk.isdigit():
        shown = jobs.filter(pk=pk).first()
    shown = shown or jobs.filter(status=Job.Status.DONE).first()
    return render(
        request,
        "risk/backtest.html",
        {
            "form": form,
            "job": shown,
            "report": shown.result if shown and shown.status == Job.Status.DONE else None,
            "recent": jobs[:10],
            "breadcrumbs": _crumbs(_models_crumb(), ("回测", None)),
        },
    )
