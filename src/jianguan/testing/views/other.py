"""Capability assessments, online-platform leads and targeted checks, legal handling, typical
cases, and the 39号令 violation code list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jianguan.catalog.models import Violation
from jianguan.core import audit
from jianguan.core.generic import crumb
from jianguan.core.scoping import ADD, CHANGE, allowed

from .. import selectors, services
from ..filters import (
    AssessmentFilters,
    CheckFilters,
    CheckParam,
    HandlingFilters,
    LeadFilters,
    ViolationFilters,
)
from ..forms import (
    AssessmentForm,
    BodyHandlingForm,
    DayForm,
    LeadCheckForm,
    LeadCloseForm,
    LeadForm,
    TargetedCheckForm,
    TypicalCaseForm,
)
from ..models import Assessment, Handling, OnlineLead, TargetedCheck, TypicalCase
from .common import (
    ROOT_CRUMB,
    Col,
    ListPage,
    crumbs,
    entity_link,
    form,
    given,
    opened_from,
    staff_page,
)

# --- capability assessments -----------------------------------------------------------------------

ASSESSMENT_COLS = [
    Col("机构名称", lambda a: a.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda a: a.entity.uscc, cls="mono"),
    Col("所属区局", lambda a: a.entity.district.short_name),
    Col(
        "考核日期", lambda a: a.held_on, lambda a: reverse("testing:assessment_detail", args=[a.pk])
    ),
    Col("考核领域", lambda a: a.get_field_display()),
    Col("理论考试", lambda a: a.exam_score, cls="text-end"),
    Col("实践操作", lambda a: a.practical_score, cls="text-end"),
    Col(
        "考核结论",
        lambda a: a.get_conclusion_display(),
        badge=lambda a: {"pass": "success", "rectify": "warning", "fail": "danger"}[a.conclusion],
    ),
    Col("整改期限", lambda a: a.rectify_by),
    Col("整改完成", lambda a: a.rectified_on),
]


class AssessmentList(ListPage):
    title = "综合能力考核"
    filters = AssessmentFilters
    selector = given(selectors.assessment_list)
    cols = ASSESSMENT_COLS
    add = ("testing:assessment_create", "录入考核", Assessment)
    intro = (
        "通过理论考试、实践操作、专家审查等方式，考核关键岗位人员、仪器设备、场地设施、检验检测报告和"
        "管理体系运行；不符合资质认定要求的责令限期整改。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request):
    if not allowed(request.user, ADD, Assessment):
        raise PermissionDenied
    f = AssessmentForm(request.POST or None, user=request.user, entity=opened_from(request))

    def save(f):
        a = services.assessment_record(
            user=request.user,
            entity=f.entity,
            data=f.data_for_service(),
            experts=f.cleaned_data["experts"],
        )
        return reverse("testing:assessment_detail", args=[a.pk])

    return form(
        request,
        f,
        save,
        title="录入综合能力考核",
        crumb=[("综合能力考核", reverse("testing:assessment_list"))],
        cancel_url=reverse("testing:assessment_list"),
    )


@login_required
@staff_page
def assessment_detail(request, pk: int):
    a = get_object_or_404(Assessment.objects.restrict(request.user).select_related("entity"), pk=pk)
    return render(
        request,
        "testing/assessment_detail.html",
        {
            "a": a,
            "experts": a.experts.all(),
            "can_rectify": Assessment.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
            and a.conclusion != "pass"
            and not a.rectified_on,
            "history": audit.history(a)[:10],
            "title": f"综合能力考核：{a.entity.name}",
            "breadcrumbs": crumbs(
                ("综合能力考核", reverse("testing:assessment_list")), (str(a.held_on), None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_rectified(request, pk: int):
    a = get_object_or_404(Assessment.objects.restrict(request.user, CHANGE), pk=pk)
    f = DayForm(request.POST or None, label="整改完成日期")

    def save(f):
        services.assessment_rectified(user=request.user, assessment=a, on=f.cleaned_data["on"])
        return reverse("testing:assessment_detail", args=[a.pk])

    return form(
        request,
        f,
        save,
        title=f"整改完成：{a.entity.name}",
        crumb=[("综合能力考核", reverse("testing:assessment_list"))],
        cancel_url=reverse("testing:assessment_detail", args=[a.pk]),
    )


# --- online leads and targeted checks -------------------------------------------------------------

LEAD_COLS = [
    Col("发现日期", lambda x: x.found_on, lambda x: reverse("testing:lead_detail", args=[x.pk])),
    Col("平台", lambda x: x.platform),
    Col("销售者", lambda x: x.seller, cls="wrap"),
    Col("线索类型", lambda x: x.get_kind_display()),
    Col("承办区局", lambda x: x.district.short_name),
    Col("网址", lambda x: x.url, cls="wrap small mono", page=False),
    Col(
        "状态",
        lambda x: x.get_status_display(),
        badge=lambda x: "warning" if x.status == "new" else "",
    ),
]


class LeadList(ListPage):
    title = "网络平台监测线索"
    filters = LeadFilters
    selector = given(selectors.lead_list)
    cols = LEAD_COLS
    add = ("testing:lead_create", "登记线索", OnlineLead)
    buttons = [("testing:check_list", "定向检查", None)]
    intro = (
        "对网络交易平台上销售检验检测服务、买卖伪造或变造检验检测报告等的监测线索，转为定向检查。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request):
    if not allowed(request.user, ADD, OnlineLead):
        raise PermissionDenied
    f = LeadForm(
        request.POST or None, user=request.user, initial={"found_on": timezone.localdate()}
    )

    def save(f):
        lead = services.lead_record(user=request.user, data=f.data_for_service())
        return reverse("testing:lead_detail", args=[lead.pk])

    return form(
        request,
        f,
        save,
        title="登记网络平台监测线索",
        crumb=[("网络平台监测线索", reverse("testing:lead_list"))],
        cancel_url=reverse("testing:lead_list"),
    )


def _lead(request, pk, action="view"):
    return get_object_or_404(
        OnlineLead.objects.restrict(request.user, action).select_related("district", "entity"),
        pk=pk,
    )


@login_required
@staff_page
def lead_detail(request, pk: int):
    lead = _lead(request, pk)
    return render(
        request,
        "testing/lead_detail.html",
        {
            "lead": lead,
            "checks": lead.checks.select_related("entity", "violation"),
            "can_change": OnlineLead.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
            and lead.status == OnlineLead.Status.NEW,
            "history": audit.history(lead)[:10],
            "title": f"网络平台监测线索：{lead.seller}",
            "breadcrumbs": crumbs(
                ("网络平台监测线索", reverse("testing:lead_list")), (lead.seller, None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_check(request, pk: int):
    lead = _lead(request, pk, CHANGE)
    f = LeadCheckForm(
        request.POST or None,
        user=request.user,
        initial={"body": lead.entity.uscc if lead.entity else ""},
    )

    def save(f):
        check = services.lead_to_check(
            user=request.user, lead=lead, entity=f.entity, due_on=f.cleaned_data["due_on"]
        )
        return reverse("testing:check_detail", args=[check.pk])

    return form(
        request,
        f,
        save,
        title=f"转定向检查：{lead.seller}",
        crumb=[("网络平台监测线索", reverse("testing:lead_list"))],
        cancel_url=reverse("testing:lead_detail", args=[pk]),
        intro="对线索涉及的检验检测机构开展定向检查（非随机抽取）。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_close(request, pk: int):
    lead = _lead(request, pk, CHANGE)
    f = LeadCloseForm(request.POST or None)

    def save(f):
        services.lead_close(
            user=request.user,
            lead=lead,
            status=f.cleaned_data["status"],
            note=f.cleaned_data["note"],
        )
        return reverse("testing:lead_detail", args=[pk])

    return form(
        request,
        f,
        save,
        title=f"办结线索：{lead.seller}",
        crumb=[("网络平台监测线索", reverse("testing:lead_list"))],
        cancel_url=reverse("testing:lead_detail", args=[pk]),
        intro="核查无问题的办结；涉及其他部门职责的移送有关部门。",
    )


CHECK_COLS = [
    Col("机构名称", lambda c: c.entity.name, entity_link, cls="wrap"),
    Col(
        "检查事由",
        lambda c: c.reason,
        lambda c: reverse("testing:check_detail", args=[c.pk]),
        cls="wrap",
    ),
    Col("完成期限", lambda c: c.due_on),
    Col("检查日期", lambda c: c.checked_on),
    Col(
        "检查结果",
        lambda c: c.get_result_display(),
        badge=lambda c: "danger" if c.result == "violation" else "",
    ),
    Col("违法行为", lambda c: c.violation.name if c.violation_id else "", cls="wrap small"),
]


class CheckList(ListPage):
    title = "定向检查"
    crumbs = (ROOT_CRUMB, crumb("网络平台监测线索", "testing:lead_list"))
    filters = CheckFilters
    selector = given(selectors.targeted_check_list)
    cols = CHECK_COLS


def _check(request, pk, action="view"):
    return get_object_or_404(
        TargetedCheck.objects.restrict(request.user, action).select_related(
            "entity", "lead", "violation"
        ),
        pk=pk,
    )


@login_required
@staff_page
def check_detail(request, pk: int):
    c = _check(request, pk)
    can_change = TargetedCheck.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "testing/check_detail.html",
        {
            "c": c,
            "fine": c.violation.fine() if c.violation_id else None,
            "can_record": can_change and not c.result,
            "can_handle": can_change
            and c.result == TargetedCheck.Result.VIOLATION
            and allowed(request.user, ADD, Handling),
            "history": audit.history(c)[:10],
            "title": f"定向检查：{c.entity.name}",
            "breadcrumbs": crumbs(
                ("定向检查", reverse("testing:check_list")), (c.entity.name, None)
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_record(request, pk: int):
    c = _check(request, pk, CHANGE)
    f = TargetedCheckForm(
        request.POST or None, instance=c, initial={"checked_on": timezone.localdate()}
    )

    def save(f):
        data = {k: f.cleaned_data[k] for k in TargetedCheckForm.Meta.fields}
        services.targeted_check_record(user=request.user, check=c, data=data)
        return reverse("testing:check_detail", args=[pk])

    return form(
        request,
        f,
        save,
        title=f"录入检查结果：{c.entity.name}",
        crumb=[("定向检查", reverse("testing:check_list"))],
        cancel_url=reverse("testing:check_detail", args=[pk]),
    )


# --- legal handling -----------------------------------------------------------------------------

HANDLING_COLS = [
    Col("机构名称", lambda h: h.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda h: h.entity.uscc, cls="mono"),
    Col("来源", lambda h: h.get_source_display(), cls="wrap small"),
    Col("违法行为", lambda h: h.violation.name if h.violation_id else "", cls="wrap small"),
    Col("处理措施", lambda h: h.get_measure_display()),
    Col("罚款（元）", lambda h: h.fine_yuan, cls="text-end"),
    Col("决定日期", lambda h: h.decided_on),
    Col("决定书文号", lambda h: h.decision_no),
    Col("案件编号", lambda h: h.case_ref),
]


class HandlingList(ListPage):
    title = "依法处理"
    filters = HandlingFilters
    selector = given(selectors.handling_list)
    cols = HANDLING_COLS
    add = ("testing:handling_create", "登记依法处理", Handling)
    intro = (
        "出具不实、虚假检验检测报告的，法律、法规未作规定的，责令限期改正，处3万元罚款"
        "（《检验检测机构监督管理办法》第二十六条）。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def handling_create(request):
    if not allowed(request.user, ADD, Handling):
        raise PermissionDenied
    entity = opened_from(request)
    check = None
    initial = {}
    if (pk := CheckParam.parse(request.GET).check) is not None:
        check = TargetedCheck.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if check is not None:
            entity = check.entity
            initial = {
                "source": Handling.Source.TARGETED,
                "violation": check.violation_id,
                "facts": check.findings,
            }
    f = BodyHandlingForm(request.POST or None, user=request.user, entity=entity, initial=initial)

    def save(f):
        data = {k: v for k, v in f.cleaned_data.items() if k != "body"}
        services.handling_record(user=request.user, entity=f.entity, data=data)
        return reverse("testing:handling_list")

    return form(
        request,
        f,
        save,
        title="登记依法处理" + (f"：{entity.name}" if entity else ""),
        crumb=[("依法处理", reverse("testing:handling_list"))],
        cancel_url=reverse("testing:handling_list"),
    )


# --- typical cases, violation codes ---------------------------------------------------------------

CASE_COLS = [
    Col("发布日期", lambda c: c.published_on),
    Col("标题", lambda c: c.title, lambda c: reverse("testing:case_edit", args=[c.pk]), cls="wrap"),
    Col("当事人", lambda c: c.entity_name, cls="wrap"),
    Col("违法行为", lambda c: c.violation.name if c.violation_id else "", cls="wrap small"),
    Col("已发布", lambda c: c.published),
]


class CaseList(ListPage):
    title = "典型案例"
    cols = CASE_COLS
    add = ("testing:case_create", "新增典型案例", TypicalCase)
    buttons = [("portal:testing_cases", "公开页面", None)]
    intro = "持续曝光检验检测典型案件，形成警示震慑效应；已发布的案例显示在公众查询页面。"

    @staticmethod
    def selector(*, user, filters):
        return TypicalCase.objects.restrict(user).select_related("violation")


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    return _case_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    return _case_form(request, get_object_or_404(TypicalCase.objects.restrict(request.user), pk=pk))


def _case_form(request, case):
    if not allowed(request.user, ADD if case is None else CHANGE, TypicalCase):
        raise PermissionDenied
    f = TypicalCaseForm(
        request.POST or None, instance=case, initial={"published_on": timezone.localdate()}
    )

    def save(f):
        data = {k: f.cleaned_data[k] for k in TypicalCaseForm.Meta.fields}
        services.typical_case_save(user=request.user, data=data, case=case)
        return reverse("testing:case_list")

    return form(
        request,
        f,
        save,
        title="新增典型案例" if case is None else f"修改：{case.title}",
        crumb=[("典型案例", reverse("testing:case_list"))],
        cancel_url=reverse("testing:case_list"),
    )


VIOLATION_COLS = [
    Col("代码", lambda v: v.code, cls="mono"),
    Col("类别", lambda v: v.get_category_display()),
    Col("违法行为", lambda v: v.name, cls="wrap"),
    Col("条款", lambda v: v.article, cls="wrap small"),
    Col("处罚依据", lambda v: v.penalty_basis, cls="wrap small"),
    Col("罚款（元，法律法规未另行规定时）", lambda v: v.fine_yuan, cls="text-end"),
]


class ViolationList(ListPage):
    title = "检验检测违法行为代码"
    filters = ViolationFilters
    cols = VIOLATION_COLS
    intro = "《检验检测机构监督管理办法》（总局令第39号）：用于检查结果、定向检查、依法处理和案件。"

    @staticmethod
    def selector(*, user, filters):
        qs = Violation.objects.restrict(user)
        return qs.filter(category=filters.category) if filters.category else qs
