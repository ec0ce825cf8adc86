"""Proficiency testing and blind samples: the scheme library, results (import, export, form),
one result with its rectification and appeal, the rectification list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.downloads import file_download, stamped
from jianguan.core.generic import crumb
from jianguan.core.middleware import body_limit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.views import export_format
from jianguan.registry.models import Entity

from .. import proficiency, selectors, tasks
from ..filters import RectificationFilters, ResultFilters, SchemeFilters
from ..forms import AppealDecideForm, AppealForm, HandlingForm, ResultForm, RetestForm, SchemeForm
from ..models import Appeal, Grade, PTResult, PTScheme, Rectification
from .bodies import _import_page
from .common import (
    ROOT_CRUMB,
    Col,
    ListPage,
    crumbs,
    entity_link,
    form,
    given,
    grade_badge,
    opened_from,
    staff_page,
)


def _schemes_crumb():
    return ("能力验证项目库", reverse("testing:scheme_list"))


def _results_crumb():
    return ("能力验证结果", reverse("testing:result_list"))


SCHEME_COLS = [
    Col(
        "计划编号",
        lambda s: s.number,
        lambda s: reverse("testing:scheme_detail", args=[s.pk]),
        cls="mono",
    ),
    Col("名称", lambda s: s.name, cls="wrap"),
    Col("类型", lambda s: s.get_kind_display()),
    Col("领域", lambda s: s.get_field_display()),
    Col("年度", lambda s: s.year),
    Col("提供者", lambda s: s.provider, cls="wrap small"),
    Col("强制参加", lambda s: "、".join(s.required_labels) or "自愿参加", cls="wrap small"),
    Col("截止日期", lambda s: s.deadline),
    Col("项目", lambda s: "、".join(s.item_list), page=False),
]


class SchemeList(ListPage):
    title = "能力验证项目库"
    filters = SchemeFilters
    selector = given(selectors.scheme_list)
    cols = SCHEME_COLS
    add = ("testing:scheme_create", "新增计划", PTScheme)
    buttons = [("testing:result_list", "能力验证结果", None)]
    intro = (
        "市局对能力验证项目库实施动态管理；规定为强制参加的领域内的机构未参加的，登记为“未参加”。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request):
    return _scheme_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk: int):
    return _scheme_form(request, get_object_or_404(PTScheme, pk=pk))


def _scheme_form(request, scheme):
    if not allowed(request.user, ADD if scheme is None else CHANGE, PTScheme):
        raise PermissionDenied
    f = SchemeForm(request.POST or None, instance=scheme)

    def save(f):
        data = {name: f.cleaned_data[name] for name in SchemeForm.Meta.fields}
        s = proficiency.scheme_save(user=request.user, data=data, scheme=scheme)
        return reverse("testing:scheme_detail", args=[s.pk])

    return form(
        request,
        f,
        save,
        title="新增能力验证计划" if scheme is None else f"修改：{scheme.number}",
        crumb=[_schemes_crumb()],
        cancel_url=reverse("testing:scheme_list"),
    )


@login_required
@staff_page
def scheme_detail(request, pk: int):
    scheme = get_object_or_404(PTScheme.objects.restrict(request.user), pk=pk)
    results = PTResult.objects.restrict(request.user).filter(scheme=scheme)
    counts = dict(results.order_by().values_list("grade").annotate(n=Count("pk")))
    today = timezone.localdate()
    return render(
        request,
        "testing/scheme_detail.html",
        {
            "scheme": scheme,
            "title": f"{scheme.number} {scheme.name}",
            "breadcrumbs": crumbs(_schemes_crumb(), (scheme.number, None)),
            "counts": [
                (label, counts.get(code, 0), grade_badge(code)) for code, label in Grade.choices
            ],
            "required": proficiency.required_bodies(scheme)
            .filter(pk__in=Entity.objects.restrict(request.user).values("pk"))
            .count(),
            "can_edit": allowed(request.user, CHANGE, PTScheme),
            "can_mark_missed": allowed(request.user, ADD, PTResult) and scheme.deadline < today,
            "history": audit.history(scheme)[:10],
        },
    )


@login_required
@require_POST
def scheme_missed(request, pk: int):
    if not allowed(request.user, ADD, PTResult):
        raise PermissionDenied
    scheme = get_object_or_404(PTScheme.objects.restrict(request.user), pk=pk)
    try:
        n = proficiency.record_missed(user=request.user, scheme=scheme)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"已登记未参加 {n} 家。" if n else "没有未参加的机构。")
    return redirect("testing:scheme_detail", pk=pk)


RESULT_COLS = [
    Col("机构名称", lambda r: r.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda r: r.entity.uscc, cls="mono"),
    Col("所属区局", lambda r: r.entity.district.short_name),
    Col("计划编号", lambda r: r.scheme.number, cls="mono"),
    Col("项目", lambda r: r.item),
    Col("结果值", lambda r: r.x, cls="text-end"),
    Col("指定值", lambda r: r.assigned, cls="text-end"),
    Col("能力评定标准差", lambda r: r.sigma, cls="text-end"),
    Col("z值", lambda r: r.z_text, cls="text-end"),
    Col(
        "评定结果",
        lambda r: r.get_grade_display(),
        lambda r: reverse("testing:result_detail", args=[r.pk]),
        badge=lambda r: grade_badge(r.grade),
    ),
    Col("通报日期", lambda r: r.reported_on),
]


class ResultList(ListPage):
    title = "能力验证结果"
    crumbs = (ROOT_CRUMB, crumb("能力验证项目库", "testing:scheme_list"))
    filters = ResultFilters
    selector = given(selectors.result_list)
    cols = RESULT_COLS
    add = ("testing:result_create", "录入结果", PTResult)
    buttons = [
        ("testing:result_import", "导入结果", (ADD, PTResult)),
        ("testing:rectification_list", "整改跟踪", None),
    ]
    intro = (
        "z = (x − X) / σ̂；按未修约的 z 评定：|z| ≤ 2.0 满意，2.0 < |z| < 3.0 可疑，|z| ≥ 3.0 不满意。"
        "可疑、不满意的责令限期整改；结果通报之日起15个工作日内可申诉。"
    )

    def export_response(self, queryset, fmt, count):
        """The import layout plus z值 and 评定结果 (as export_pt_results): it imports back."""
        title = self.get_title()
        return file_download(
            lambda f: proficiency.export_results(f, queryset, fmt), stamped(title, fmt)
        )


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def result_import(request):
    if not allowed(request.user, ADD, PTResult):
        raise PermissionDenied
    return _import_page(
        request,
        tasks.start_pt_import,
        title="导入能力验证结果",
        back=_results_crumb(),
        columns=proficiency.RESULT_COLUMNS,
        template_url=reverse("testing:result_template"),
        intro="每行一家机构一个项目的结果；按 z 评定，可疑、不满意的自动责令整改。z值、评定结果两列导入时不读取"
        "（重新计算），评定结果填“未参加”且不填数值的，登记为未参加。任何一行有误则整批不写入。",
    )


@login_required
@staff_page
def result_template(request):
    fmt = export_format(request)
    return file_download(
        lambda f: proficiency.write_template(f, fmt), f"能力验证结果导入模板.{fmt}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_create(request):
    if not allowed(request.user, ADD, PTResult):
        raise PermissionDenied
    f = ResultForm(request.POST or None, user=request.user, entity=opened_from(request))

    def save(f):
        r = proficiency.result_record(user=request.user, entity=f.entity, data=f.data_for_service())
        return reverse("testing:result_detail", args=[r.pk])

    return form(
        request,
        f,
        save,
        title="录入能力验证结果",
        crumb=[_results_crumb()],
        cancel_url=reverse("testing:result_list"),
        intro="保存时按 z 评定；可疑、不满意的自动责令限期整改。",
    )


@login_required
@staff_page
def result_detail(request, pk: int):
    r = get_object_or_404(
        PTResult.objects.restrict(request.user).select_related("entity", "scheme"), pk=pk
    )
    rect = Rectification.objects.filter(result=r).select_related("handling").first()
    can_change = PTResult.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    deadline = proficiency.appeal_deadline(r) if r.poor else None
    today = timezone.localdate()
    return render(
        request,
        "testing/result_detail.html",
        {
            "r": r,
            "rect": rect,
            "overdue": bool(rect and rect.overdue(today)),
            "appeals": r.appeals.all(),
            "deadline": deadline,
            "can_change": can_change,
            "can_appeal": can_change
            and r.poor
            and not r.appeals.exists()
            and deadline.date >= today,
            "title": f"能力验证结果：{r.entity.name}",
            "breadcrumbs": crumbs(_results_crumb(), (f"{r.scheme.number} {r.item}", None)),
            "history": audit.history(r)[:10],
        },
    )


def _rect(request, pk):
    return get_object_or_404(
        Rectification.objects.restrict(request.user, CHANGE).select_related("result", "entity"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def retest(request, pk: int):
    rect = _rect(request, pk)
    f = RetestForm(request.POST or None, initial={"on": timezone.localdate()})

    def save(f):
        proficiency.retest(
            user=request.user, rectification=rect, x=f.cleaned_data["x"], on=f.cleaned_data["on"]
        )
        return reverse("testing:result_detail", args=[rect.result_id])

    return form(
        request,
        f,
        save,
        title=f"录入复测结果：{rect.entity.name}",
        crumb=[_results_crumb()],
        cancel_url=reverse("testing:result_detail", args=[rect.result_id]),
        intro=f"按原指定值 {rect.result.assigned}、标准差 {rect.result.sigma} 评定；整改期限 {rect.due_on}。"
        "复测满意且在期限内的，整改合格；否则依法处理。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def handle(request, pk: int):
    rect = _rect(request, pk)
    f = HandlingForm(request.POST or None)

    def save(f):
        proficiency.handle(user=request.user, rectification=rect, data=f.cleaned_data)
        return reverse("testing:result_detail", args=[rect.result_id])

    return form(
        request,
        f,
        save,
        title=f"依法处理：{rect.entity.name}",
        crumb=[_results_crumb()],
        cancel_url=reverse("testing:result_detail", args=[rect.result_id]),
        intro="逾期未整改或者整改后仍不符合要求的，依法处理；移送立案的填写案件编号。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request, pk: int):
    r = get_object_or_404(PTResult.objects.restrict(request.user, CHANGE), pk=pk)
    f = AppealForm(request.POST or None, initial={"filed_on": timezone.localdate()})

    def save(f):
        proficiency.appeal_file(user=request.user, result=r, **f.cleaned_data)
        return reverse("testing:result_detail", args=[r.pk])

    return form(
        request,
        f,
        save,
        title=f"登记申诉：{r.entity.name}",
        crumb=[_results_crumb()],
        cancel_url=reverse("testing:result_detail", args=[r.pk]),
        intro=f"结果通报日期 {r.reported_on}，申诉应在 {proficiency.appeal_deadline(r).date} 前（15个工作日内）提出。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request, pk: int):
    a = get_object_or_404(
        Appeal.objects.restrict(request.user, CHANGE).select_related("result"), pk=pk
    )
    f = AppealDecideForm(
        request.POST or None,
        initial={
            "decided_on": timezone.localdate(),
            "x": a.result.x,
            "assigned": a.result.assigned,
            "sigma": a.result.sigma,
        },
    )

    def save(f):
        d = f.cleaned_data
        proficiency.appeal_decide(
            user=request.user,
            appeal=a,
            outcome=d["outcome"],
            reply=d["reply"],
            decided_on=d["decided_on"],
            values=f.values(),
        )
        return reverse("testing:result_detail", args=[a.result_id])

    return form(
        request,
        f,
        save,
        title=f"处理申诉：{a.entity.name}",
        crumb=[_results_crumb()],
        cancel_url=reverse("testing:result_detail", args=[a.result_id]),
        intro="更正评定的，填写更正后的数值，重新评定；更正为满意的，整改终止。",
    )


RECT_COLS = [
    Col("机构名称", lambda r: r.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda r: r.entity.uscc, cls="mono"),
    Col("所属区局", lambda r: r.entity.district.short_name),
    Col("计划编号", lambda r: r.result.scheme.number, cls="mono"),
    Col("项目", lambda r: r.result.item),
    Col(
        "原评定",
        lambda r: r.result.get_grade_display(),
        badge=lambda r: grade_badge(r.result.grade),
    ),
    Col("责令整改日期", lambda r: r.ordered_on),
    Col("整改期限", lambda r: r.due_on),
    Col(
        "状态",
        lambda r: "已逾期" if r.overdue(timezone.localdate()) else r.get_status_display(),
        lambda r: reverse("testing:result_detail", args=[r.result_id]),
        badge=lambda r: "danger" if r.overdue(timezone.localdate()) or r.status == "failed" else "",
    ),
    Col("复测评定", lambda r: r.get_retest_grade_display()),
]


class RectificationList(ListPage):
    title = "能力验证整改跟踪"
    crumbs = (ROOT_CRUMB, crumb("能力验证结果", "testing:result_list"))
    filters = RectificationFilters
    selector = given(selectors.rectification_list)
    cols = RECT_COLS
    intro = (
        "可疑、不满意的结果责令限期整改；逾期未整改或复测仍不合格的，依法处理（或移送案件办理）。"
    )
