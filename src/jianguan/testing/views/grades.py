"""Credit grades (信用等级评价): the current grades, runs (a background job), the indicator system
and its versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.models import Job
from jianguan.core.scoping import CHANGE, allowed

from .. import grades, grading, selectors, tasks
from ..filters import GradeFilters
from ..forms import GradeModelForm, IndicatorForm, VetoForm
from ..models import GradeIndicator, GradeModel, GradeRun, GradeVeto
from .common import Col, ListPage, credit_badge, crumbs, entity_link, form, given, staff_page

COLS = [
    Col("机构名称", lambda g: g.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda g: g.entity.uscc, cls="mono"),
    Col("所属区局", lambda g: g.entity.district.short_name),
    Col("信用等级", lambda g: g.grade, badge=lambda g: credit_badge(g.grade)),
    Col("得分", lambda g: g.score, cls="text-end"),
    Col("否决项", lambda g: g.veto),
    Col("评价日期", lambda g: g.run.as_of),
]


def _crumb():
    return ("信用等级评价", reverse("testing:grade_list"))


class GradeList(ListPage):
    title = "信用等级评价"
    filters = GradeFilters
    selector = given(selectors.grade_list)
    cols = COLS
    buttons = [("testing:grade_models", "指标体系", None)]
    export_title = "检验检测机构信用等级"
    intro = (
        "按评价指标体系（法律法规、技术要求、管理要求、责任要求）从100分扣分，触及否决项的评为D级；"
        "每月自动评价一次，也可随时重新评价。等级用于差异化抽查比例，并向购买检验检测服务的部门和社会公开。"
    )

    def get_context(self):
        running = Job.objects.filter(
            kind=tasks.KIND_GRADES, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).first()
        return {
            **super().get_context(),
            "can_run": allowed(self.request.user, CHANGE, GradeModel),
            "last_run": GradeRun.objects.filter(status=GradeRun.Status.DONE).first(),
            "running": running,
            "above": "testing/_grade_run.html",
        }


@login_required
@require_POST
def grade_run(request):
    if not allowed(request.user, CHANGE, GradeModel):
        raise PermissionDenied
    if grades.active_model() is None:
        messages.error(request, "没有启用中的评价指标体系。")
        return redirect("testing:grade_list")
    job = tasks.start_grades(request.user)
    return redirect("core:job_detail", pk=job.pk)


@login_required
@staff_page
def grade_models(request):
    return render(
        request,
        "testing/grade_models.html",
        {
            "title": "信用等级评价指标体系",
            "breadcrumbs": crumbs(_crumb(), ("指标体系", None)),
            "models": GradeModel.objects.all(),
            "runs": GradeRun.objects.select_related("model", "created_by")[:20],
        },
    )


@login_required
@staff_page
def grade_model(request, pk: int):
    model = get_object_or_404(GradeModel.objects.restrict(request.user), pk=pk)
    indicators = list(model.indicators.all())
    groups = [
        (label, [i for i in indicators if i.category == code])
        for code, label in GradeIndicator.Category.choices
    ]
    return render(
        request,
        "testing/grade_model.html",
        {
            "model": model,
            "groups": groups,
            "vetoes": model.vetoes.all(),
            "features": grading.FEATURES,
            "can_change": allowed(request.user, CHANGE, GradeModel),
            "history": audit.history(model)[:20],
            "title": str(model),
            "breadcrumbs": crumbs(
                _crumb(), ("指标体系", reverse("testing:grade_models")), (str(model), None)
            ),
        },
    )


def _edited(request, model, target):
    if target.pk != model.pk:
        messages.info(
            request,
            f"V{model.version} 已启用或已用于评价，修改已保存为新的草稿版本 V{target.version}。",
        )
    return reverse("testing:grade_model", args=[target.pk])


def _editor(request, pk):
    if not allowed(request.user, CHANGE, GradeModel):
        raise PermissionDenied
    return get_object_or_404(GradeModel, pk=pk)


def _model_crumb(model):
    return [
        _crumb(),
        ("指标体系", reverse("testing:grade_models")),
        (str(model), reverse("testing:grade_model", args=[model.pk])),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def grade_model_edit(request, pk: int):
    model = _editor(request, pk)
    f = GradeModelForm(request.POST or None, initial=GradeModelForm.initial_of(model))

    def save(f):
        return _edited(
            request, model, grades.model_update(user=request.user, model=model, data=f.changes())
        )

    return form(
        request,
        f,
        save,
        title=f"修改设置（V{model.version}）",
        crumb=_model_crumb(model),
        cancel_url=reverse("testing:grade_model", args=[pk]),
        intro="等级分数线为各等级得分下限；抽查比例用于按信用等级差异化抽取（不得低于检验检测机构 15% 的下限）。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, code: str = ""):
    return _child_edit(
        request, pk, code, GradeIndicator, IndicatorForm, grades.indicator_save, "评价指标"
    )


@login_required
@require_http_methods(["GET", "POST"])
def veto_edit(request, pk: int, code: str = ""):
    return _child_edit(request, pk, code, GradeVeto, VetoForm, grades.veto_save, "否决项")


def _child_edit(request, pk, code, model_cls, form_cls, service, label):
    model = _editor(request, pk)
    instance = model_cls.objects.filter(model=model, code=code).first() if code else None
    if code and instance is None:
        from django.http import Http404

        raise Http404
    f = form_cls(request.POST or None, instance=instance)

    def save(f):
        data = {name: f.cleaned_data[name] for name in form_cls.Meta.fields}
        return _edited(
            request, model, service(user=request.user, model=model, data=data, code=code or None)
        )

    return form(
        request,
        f,
        save,
        title=f"{'修改' if code else '新增'}{label}（V{model.version}）",
        crumb=_model_crumb(model),
        cancel_url=reverse("testing:grade_model", args=[pk]),
        intro="已启用或已用于评价的版本不会被修改：保存时自动创建新的草稿版本。",
    )


@login_required
@require_POST
def grade_model_action(request, pk: int, action: str):
    model = _editor(request, pk)
    try:
        if action == "activate":
            grades.model_activate(user=request.user, model=model)
            messages.success(request, f"已启用 V{model.version}。")
        elif action == "draft":
            model = grades.model_draft(user=request.user, model=model)
            messages.success(request, f"已复制为草稿 V{model.version}。")
        elif action in ("delete_indicator", "delete_veto"):
            code = request.POST.get("code", "")
            service = (
                grades.indicator_delete if action == "delete_indicator" else grades.veto_delete
            )
            model = service(user=request.user, model=model, code=code)
        else:
            raise PermissionDenied
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("testing:grade_model", pk=model.pk)
