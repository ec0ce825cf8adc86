"""Risk monitoring (风险监测): yearly plans per district covering every body, visits against the
tracked changes, coverage and findings per district, the city's summaries (定期汇总并通报)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core.filters import controls
from jianguan.core.forms import add_service_errors
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.views import paginate

from .. import permissions, reports, selectors, services
from ..filters import PeriodParam, PlanFilters, TargetFilters
from ..forms import PlanForm, SummaryForm, VisitForm
from ..models import (
    BodyChange,
    MonitoringPlan,
    MonitoringSummary,
    MonitoringTarget,
    MonitoringVisit,
)
from .common import Col, ListPage, crumbs, form, staff_page


def _plans_crumb():
    return ("风险监测计划", reverse("testing:plan_list"))


PLAN_COLS = [
    Col("年度", lambda p: p.year),
    Col("区局", lambda p: p.district.name),
    Col(
        "名称", lambda p: p.title, lambda p: reverse("testing:plan_detail", args=[p.pk]), cls="wrap"
    ),
    Col("监测对象", lambda p: p.target_count),
    Col("已监测", lambda p: p.covered_count),
]


class PlanList(ListPage):
    title = "风险监测计划"
    filters = PlanFilters
    cols = PLAN_COLS
    add = ("testing:plan_create", "制定年度计划", MonitoringPlan)
    buttons = [("testing:monitoring_report", "监测统计与通报", None)]
    intro = (
        "各区年度风险监测要实现辖区内检验检测机构全覆盖，重点关注人员、场地、仪器设备的变化和"
        "检验检测活动的基本合规性。"
    )

    @staticmethod
    def selector(*, user, filters):
        return (
            selectors.monitoring_plans(user, filters.given())
            .annotate(
                target_count=Count("targets", distinct=True),
                covered_count=Count(
                    "targets", filter=Q(targets__visits__isnull=False), distinct=True
                ),
            )
            .order_by("-year", "district__sort")
        )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    if not allowed(request.user, ADD, MonitoringPlan):
        raise PermissionDenied
    f = PlanForm(request.POST or None, user=request.user)

    def save(f):
        d = f.cleaned_data
        plan = services.monitoring_plan_create(
            user=request.user,
            district=d["district"],
            year=d["year"],
            title=d["title"],
            note=d["note"],
        )
        return reverse("testing:plan_detail", args=[plan.pk])

    return form(
        request,
        f,
        save,
        title="制定风险监测计划",
        crumb=[_plans_crumb()],
        cancel_url=reverse("testing:plan_list"),
        intro="计划自动纳入该区全部存续的检验检测机构，按其所属所队分工；年内新登记的机构可随时补入。",
    )


@login_required
@staff_page
def plan_detail(request, pk: int):
    plan = get_object_or_404(
        MonitoringPlan.objects.restrict(request.user).select_related("district"), pk=pk
    )
    filtered = TargetFilters.parse(request.GET)
    targets = selectors.plan_targets(request.user, plan, filtered.given())
    ctx = paginate(request, targets)
    visits: dict[int, list] = {}
    for v in MonitoringVisit.objects.filter(target__in=[t.pk for t in ctx["rows"]]).order_by(
        "-visited_on"
    ):
        visits.setdefault(v.target_id, []).append(v)
    ctx["rows"] = [(t, visits.get(t.pk, [])) for t in ctx["rows"]]
    figures = [
        r
        for r in reports.monitoring_figures(
            dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31), request.user
        )
        if r["district_id"] == plan.district_id
    ]
    ctx.update({"controls": controls(filtered, request.user), "any_filter": bool(filtered.given())})
    ctx.update(
        {
            "plan": plan,
            "title": plan.title,
            "breadcrumbs": crumbs(_plans_crumb(), (plan.title, None)),
            "figures": figures[0] if figures else None,
            "can_change": MonitoringPlan.objects.restrict(request.user, CHANGE)
            .filter(pk=pk)
            .exists(),
        }
    )
    return render(request, "testing/plan_detail.html", ctx)


@login_required
@require_POST
def plan_refresh(request, pk: int):
    plan = get_object_or_404(MonitoringPlan.objects.restrict(request.user, CHANGE), pk=pk)
    added = services.monitoring_plan_refresh(user=request.user, plan=plan)
    messages.success(request, f"已补入监测对象 {added} 家。" if added else "没有需要补入的机构。")
    return redirect("testing:plan_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int):
    """Record a visit of one planned body; the tracked changes since its last visit are shown."""
    target = get_object_or_404(
        MonitoringTarget.objects.restrict(request.user).select_related("plan", "entity", "station"),
        pk=pk,
    )
    if not permissions.may_monitor(request.user, target):
        raise PermissionDenied
    f = VisitForm(request.POST or None)
    last = target.visits.order_by("-visited_on").first()
    changes = BodyChange.objects.filter(entity=target.entity)
    if last is not None:
        changes = changes.filter(changed_on__gt=last.visited_on)
    if request.method == "POST" and f.is_valid():
        from django.core.exceptions import ValidationError

        try:
            services.monitoring_visit_record(
                user=request.user, target=target, data=f.visit_data(), changes=f.changes()
            )
        except ValidationError as e:
            add_service_errors(f, e)
        else:
            messages.success(request, "监测记录已保存。")
            return redirect("testing:plan_detail", pk=target.plan_id)
    return render(
        request,
        "testing/visit_form.html",
        {
            "form": f,
            "target": target,
            "last": last,
            "changes": changes[:50],
            "title": f"风险监测记录：{target.entity.name}",
            "breadcrumbs": crumbs(
                _plans_crumb(),
                (target.plan.title, reverse("testing:plan_detail", args=[target.plan_id])),
                ("录入监测记录", None),
            ),
            "cancel_url": reverse("testing:plan_detail", args=[target.plan_id]),
        },
    )


@login_required
@staff_page
def monitoring_report(request):
    """Coverage and findings per district for a period; the city's summaries."""
    today = timezone.localdate()
    period = PeriodParam.parse(request.GET)
    start = period.start or today.replace(month=1, day=1)
    end = period.end or today
    return render(
        request,
        "testing/monitoring_report.html",
        {
            "title": "风险监测统计与通报",
            "breadcrumbs": crumbs(_plans_crumb(), ("统计与通报", None)),
            "start": start,
            "end": end,
            "rows": reports.monitoring_figures(start, end, request.user),
            "summaries": MonitoringSummary.objects.restrict(request.user)[:20],
            "can_issue": permissions.is_city(request.user)
            and allowed(request.user, ADD, MonitoringSummary),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def summary_create(request):
    if not (permissions.is_city(request.user) and allowed(request.user, ADD, MonitoringSummary)):
        raise PermissionDenied
    f = SummaryForm(request.POST or None)

    def save(f):
        d = f.cleaned_data
        s = services.monitoring_summary_issue(
            user=request.user, title=d["title"], start=d["start"], end=d["end"], note=d["note"]
        )
        return reverse("testing:summary_detail", args=[s.pk])

    return form(
        request,
        f,
        save,
        title="发布风险监测通报",
        crumb=[_plans_crumb(), ("统计与通报", reverse("testing:monitoring_report"))],
        cancel_url=reverse("testing:monitoring_report"),
        intro="通报固定发布时各区的监测对象、已监测机构、覆盖率、发现问题和未报告变更，供各区查阅。",
    )


@login_required
@staff_page
def summary_detail(request, pk: int):
    s = get_object_or_404(MonitoringSummary.objects.restrict(request.user), pk=pk)
    return render(
        request,
        "testing/summary_detail.html",
        {
            "s": s,
            "title": s.title,
            "breadcrumbs": crumbs(
                _plans_crumb(),
                ("统计与通报", reverse("testing:monitoring_report")),
                (s.title, None),
            ),
        },
    )
