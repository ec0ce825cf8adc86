"""Commitment follow-up (告知承诺后续核查): the list, one follow-up with its drawn experts and
its record, and the timeliness per district."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.scoping import CHANGE

from .. import reports, selectors, services
from ..filters import FollowUpFilters, YearParam
from ..forms import DayForm, FollowUpForm, MethodForm
from ..models import FollowUp
from .common import Col, ListPage, crumbs, entity_link, form, given, staff_page


def _state(f: FollowUp) -> str:
    if f.outcome:
        return f.get_outcome_display()
    return "已逾期" if f.due_on < timezone.localdate() else "待核查"


def _state_badge(f: FollowUp) -> str:
    if f.outcome == FollowUp.Outcome.UNTRUE or (not f.outcome and f.due_on < timezone.localdate()):
        return "danger"
    return "success" if f.outcome == FollowUp.Outcome.TRUE else "warning" if f.outcome else ""


COLS = [
    Col("机构名称", lambda f: f.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda f: f.entity.uscc, cls="mono"),
    Col("所属区局", lambda f: f.entity.district.short_name),
    Col("证书编号", lambda f: f.qualification.cert_no, cls="mono"),
    Col("发证日期", lambda f: f.qualification.issued_on),
    Col("核查方式", lambda f: f.get_method_display()),
    Col("核查期限", lambda f: f.due_on),
    Col("核查日期", lambda f: f.checked_on),
    Col(
        "状态",
        _state,
        lambda f: reverse("testing:follow_up_detail", args=[f.pk]),
        badge=_state_badge,
    ),
]


class FollowUpList(ListPage):
    title = "告知承诺后续核查"
    filters = FollowUpFilters
    selector = given(selectors.follow_up_list)
    cols = COLS
    buttons = [("testing:follow_up_report", "及时性统计", None)]
    intro = (
        "以告知承诺方式取得资质认定的机构，自动安排后续核查；现场核查应在准予之日起3个月内，"
        "由从专家库抽取的至少2名技术专家实施。"
    )


def _get(request, pk, action="view"):
    return get_object_or_404(
        FollowUp.objects.restrict(request.user, action).select_related(
            "entity", "entity__district", "qualification", "task"
        ),
        pk=pk,
    )


@login_required
@staff_page
def follow_up_detail(request, pk: int):
    f = _get(request, pk)
    drawn = services.drawn_experts(f)
    can_change = FollowUp.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "testing/follow_up_detail.html",
        {
            "f": f,
            "title": f"告知承诺后续核查：{f.entity.name}",
            "breadcrumbs": crumbs(
                ("告知承诺后续核查", reverse("testing:follow_up_list")), (f.entity.name, None)
            ),
            "drawn": drawn,
            "present": list(f.experts_present.all()),
            "can_change": can_change,
            "can_draw": can_change
            and not f.done
            and f.method == FollowUp.Method.ONSITE
            and not drawn,
            "overdue": not f.done and f.due_on < timezone.localdate(),
            "history": audit.history(f)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_record(request, pk: int):
    f = _get(request, pk, CHANGE)
    drawn = services.drawn_experts(f)
    fm = FollowUpForm(
        request.POST or None, follow_up=f, drawn=drawn, initial={"checked_on": timezone.localdate()}
    )

    def save(fm):
        d = dict(fm.cleaned_data)
        experts = d.pop("experts", [])
        services.follow_up_record(user=request.user, follow_up=f, data=d, experts=experts)
        return reverse("testing:follow_up_detail", args=[f.pk])

    return form(
        request,
        fm,
        save,
        title=f"录入核查结果：{f.entity.name}",
        crumb=[
            ("告知承诺后续核查", reverse("testing:follow_up_list")),
            (f.entity.name, reverse("testing:follow_up_detail", args=[f.pk])),
        ],
        cancel_url=reverse("testing:follow_up_detail", args=[f.pk]),
        intro=f"{f.get_method_display()}，核查期限 {f.due_on}。承诺不实的，由市局启动撤销程序（撤销后三年内不得再次申请）。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_method(request, pk: int):
    f = _get(request, pk, CHANGE)
    fm = MethodForm(request.POST or None, initial={"method": f.method})

    def save(fm):
        services.follow_up_method(user=request.user, follow_up=f, method=fm.cleaned_data["method"])
        return reverse("testing:follow_up_detail", args=[f.pk])

    return form(
        request,
        fm,
        save,
        title=f"调整核查方式：{f.entity.name}",
        crumb=[("告知承诺后续核查", reverse("testing:follow_up_list"))],
        cancel_url=reverse("testing:follow_up_detail", args=[f.pk]),
        intro="根据告知承诺的事项类型，后续核查分为文件检查和现场检查。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_rectified(request, pk: int):
    f = _get(request, pk, CHANGE)
    fm = DayForm(request.POST or None, label="整改完成日期")

    def save(fm):
        services.follow_up_rectified(user=request.user, follow_up=f, on=fm.cleaned_data["on"])
        return reverse("testing:follow_up_detail", args=[f.pk])

    return form(
        request,
        fm,
        save,
        title=f"整改完成：{f.entity.name}",
        crumb=[("告知承诺后续核查", reverse("testing:follow_up_list"))],
        cancel_url=reverse("testing:follow_up_detail", args=[f.pk]),
    )


@login_required
@staff_page
def follow_up_report(request):
    """告知承诺后续监管及时性 per district (seed 001 §五(二))."""
    year = YearParam.parse(request.GET).year or timezone.localdate().year
    return render(
        request,
        "testing/follow_up_report.html",
        {
            "title": "告知承诺后续核查及时性",
            "breadcrumbs": crumbs(
                ("告知承诺后续核查", reverse("testing:follow_up_list")), ("及时性统计", None)
            ),
            "year": year,
            "rows": reports.follow_up_timeliness(request.user, year),
        },
    )
