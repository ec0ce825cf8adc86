"""The testing overview, the qualification register, applications, tracked changes, the body's
file (一企一卷) and the coverage pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from jianguan.core.downloads import file_download, stamped
from jianguan.core.filters import validated
from jianguan.core.forms import ImportForm
from jianguan.core.generic import crumb
from jianguan.core.middleware import body_limit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.views import export_format, record_export
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.inspections.models import Result
from jianguan.publication.models import PublicResult
from jianguan.registry.models import Entity

from .. import importing, permissions, reports, selectors, services, tasks
from ..filters import (
    ApplicationFilters,
    ChangeFilters,
    QualificationFilters,
    RevokeParam,
    YearParam,
)
from ..forms import ApplicationForm, ChangeForm, DecideForm, QualificationForm, StatusForm
from ..models import (
    Application,
    BodyChange,
    FollowUp,
    OnlineLead,
    Qualification,
    Rectification,
    TargetedCheck,
)
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
    status_badge,
)


@login_required
@staff_page
def home(request):
    """检验检测监管 at a glance: what is due, and where to go."""
    user, today = request.user, timezone.localdate()
    quals = Qualification.objects.restrict(user)
    follow_ups = FollowUp.objects.restrict(user)
    rects = Rectification.objects.restrict(user)
    year = today.year
    coverage = reports.monitoring_figures(today.replace(month=1, day=1), today, user)
    return render(
        request,
        "testing/home.html",
        {
            "title": "检验检测监管",
            "breadcrumbs": [("检验检测监管", None)],
            "counts": {
                "valid": quals.filter(status=Qualification.Status.VALID).count(),
                "suspended": quals.filter(status=Qualification.Status.SUSPENDED).count(),
                "expiring": quals.filter(
                    status=Qualification.Status.VALID,
                    expires_on__lte=today + timezone.timedelta(days=90),
                ).count(),
                "follow_ups_open": follow_ups.filter(outcome="").count(),
                "follow_ups_overdue": follow_ups.filter(outcome="", due_on__lt=today).count(),
                "rect_open": rects.filter(status=Rectification.Status.OPEN).count(),
                "rect_overdue": rects.filter(
                    status=Rectification.Status.OPEN, due_on__lt=today
                ).count(),
                "rect_failed": rects.filter(status=Rectification.Status.FAILED).count(),
                "leads_new": OnlineLead.objects.restrict(user)
                .filter(status=OnlineLead.Status.NEW)
                .count(),
                "checks_open": TargetedCheck.objects.restrict(user).filter(result="").count(),
            },
            "coverage": coverage,
            "year": year,
        },
    )


# --- qualifications -------------------------------------------------------------------------------

QUAL_COLS = [
    Col("机构名称", lambda q: q.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda q: q.entity.uscc, cls="mono"),
    Col("所属区局", lambda q: q.entity.district.short_name),
    Col(
        "证书编号",
        lambda q: q.cert_no,
        lambda q: reverse("testing:qualification_detail", args=[q.pk]),
        cls="mono",
    ),
    Col("取得方式", lambda q: q.get_route_display()),
    Col("检验检测领域", lambda q: "、".join(q.field_labels), cls="wrap small"),
    Col("发证日期", lambda q: q.issued_on),
    Col("有效期至", lambda q: q.expires_on),
    Col("状态", lambda q: q.get_status_display(), badge=lambda q: status_badge(q.status)),
    Col("状态变更日期", lambda q: q.status_on),
    Col("不得再次申请至", lambda q: q.bar_until, page=False),
]


class QualificationList(ListPage):
    title = "资质认定登记"
    filters = QualificationFilters
    selector = given(selectors.qualification_list)
    cols = QUAL_COLS
    add = ("testing:qualification_create", "登记资质认定", Qualification)
    buttons = [
        ("testing:qualification_import", "批量导入", (ADD, Qualification)),
        ("testing:application_list", "资质认定申请", None),
    ]
    intro = "资质认定证书有效期6年；因虚假承诺被撤销的，三年内不得再次申请（受理申请时校验）。"


@login_required
@staff_page
@validated(QualificationFilters)
def qualification_register(request):
    """The register in the import layout (re-importable)."""
    fmt = export_format(request)
    qs = selectors.qualification_list(request.user, request.GET)
    record_export(
        request,
        title="资质认定登记（导入格式）",
        object_type="testing.qualification",
        fmt=fmt,
        count=qs.count(),
    )
    return file_download(
        lambda f: importing.export_register(f, qs, fmt), stamped("资质认定登记", fmt)
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualification_create(request):
    if not allowed(request.user, ADD, Qualification):
        raise PermissionDenied
    entity = opened_from(request)
    f = QualificationForm(request.POST or None, user=request.user, entity=entity)

    def save(f):
        q = services.qualification_grant(
            user=request.user, entity=f.entity, data=f.data_for_service()
        )
        return reverse("testing:qualification_detail", args=[q.pk])

    return form(
        request,
        f,
        save,
        title="登记资质认定",
        crumb=[("资质认定登记", reverse("testing:qualification_list"))],
        cancel_url=reverse("testing:qualification_list"),
        intro="以告知承诺方式取得的，保存后自动安排告知承诺后续核查（3个月内）。"
        + (f"机构：{entity.name}" if entity else ""),
    )


@login_required
@staff_page
def qualification_detail(request, pk: int):
    q = get_object_or_404(
        Qualification.objects.restrict(request.user).select_related("entity", "entity__district"),
        pk=pk,
    )
    return render(
        request,
        "testing/qualification_detail.html",
        {
            "q": q,
            "title": f"资质认定 {q.cert_no}",
            "breadcrumbs": crumbs(
                ("资质认定登记", reverse("testing:qualification_list")), (q.cert_no, None)
            ),
            "events": q.events.select_related("recorded_by"),
            "follow_up": getattr(q, "follow_up", None),
            "can_change": Qualification.objects.restrict(request.user, CHANGE)
            .filter(pk=pk)
            .exists()
            and q.in_force,
            "can_revoke": permissions.is_city(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@validated(RevokeParam)
def qualification_status(request, pk: int):
    q = get_object_or_404(Qualification.objects.restrict(request.user, CHANGE), pk=pk)
    initial = {}
    if request.GET.get("false_commitment"):
        initial = {"status": "revoked", "false_commitment": True, "reason": "告知承诺内容不实"}
    f = StatusForm(request.POST or None, qualification=q, user=request.user, initial=initial)

    def save(f):
        d = f.cleaned_data
        services.qualification_status(
            user=request.user,
            qualification=q,
            status=d["status"],
            on=d["on"],
            reason=d["reason"],
            decision_no=d["decision_no"],
            false_commitment=d.get("false_commitment", False),
        )
        return reverse("testing:qualification_detail", args=[q.pk])

    return form(
        request,
        f,
        save,
        title=f"变更资质认定状态：{q.cert_no}",
        crumb=[
            ("资质认定登记", reverse("testing:qualification_list")),
            (q.cert_no, reverse("testing:qualification_detail", args=[q.pk])),
        ],
        cancel_url=reverse("testing:qualification_detail", args=[q.pk]),
        intro=f"{q.entity.name}，当前状态：{q.get_status_display()}。撤销资质认定由市局决定，须填写决定书文号。",
    )


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def qualification_import(request):
    if not allowed(request.user, ADD, Qualification):
        raise PermissionDenied
    return _import_page(
        request,
        tasks.start_register_import,
        title="导入资质认定登记",
        back=("资质认定登记", reverse("testing:qualification_list")),
        columns=importing.COLUMNS,
        template_url=reverse("testing:qualification_register"),
        intro="取得方式填“告知承诺”或“一般程序”；检验检测领域用顿号分隔；已登记的证书编号不重复登记。"
        "任何一行有误则整批不写入。",
    )


def _import_page(request, start, *, title, back, columns, template_url, intro):
    f = ImportForm(request.POST or None, request.FILES or None)
    del f.fields["skip_invalid"]  # legal records: all or nothing
    if request.method == "POST" and f.is_valid():
        try:
            job = start(request.user, f.cleaned_data["file"])
        except ValidationError as e:
            f.add_error("file", e)
        else:
            return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "testing/import.html",
        {
            "form": f,
            "title": title,
            "breadcrumbs": crumbs(back, (title, None)),
            "columns": [c.header for c in columns],
            "template_url": template_url,
            "intro": intro,
            "back_url": back[1],
        },
    )


# --- applications -------------------------------------------------------------------------------

APP_COLS = [
    Col("机构名称", lambda a: a.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda a: a.entity.uscc, cls="mono"),
    Col("受理日期", lambda a: a.received_on),
    Col("申请方式", lambda a: a.get_route_display()),
    Col(
        "状态",
        lambda a: a.get_status_display(),
        lambda a: (
            reverse("testing:application_decide", args=[a.pk]) if a.status == "pending" else ""
        ),
    ),
    Col("决定日期", lambda a: a.decided_on),
    Col("证书编号", lambda a: a.qualification.cert_no if a.qualification_id else "", cls="mono"),
]


class ApplicationList(ListPage):
    title = "资质认定申请"
    crumbs = (ROOT_CRUMB, crumb("资质认定登记", "testing:qualification_list"))
    filters = ApplicationFilters
    selector = given(selectors.application_list)
    cols = APP_COLS
    add = ("testing:application_create", "受理申请", Application)
    intro = "受理时校验：因虚假承诺被撤销资质认定的机构，三年内不得再次申请。"


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    if not allowed(request.user, ADD, Application):
        raise PermissionDenied
    f = ApplicationForm(request.POST or None, user=request.user, entity=opened_from(request))

    def save(f):
        services.application_record(user=request.user, entity=f.entity, data=f.data_for_service())
        return reverse("testing:application_list")

    return form(
        request,
        f,
        save,
        title="受理资质认定申请",
        crumb=[("资质认定申请", reverse("testing:application_list"))],
        cancel_url=reverse("testing:application_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_decide(request, pk: int):
    app = get_object_or_404(Application.objects.restrict(request.user, CHANGE), pk=pk)
    f = DecideForm(request.POST or None, initial={"decided_on": timezone.localdate()})

    def save(f):
        d = f.cleaned_data
        app2 = services.application_decide(
            user=request.user,
            application=app,
            approve=d["approve"],
            decided_on=d["decided_on"],
            note=d["note"],
            cert={"cert_no": d["cert_no"]},
        )
        if app2.qualification_id:
            return reverse("testing:qualification_detail", args=[app2.qualification_id])
        return reverse("testing:application_list")

    return form(
        request,
        f,
        save,
        title=f"资质认定申请决定：{app.entity.name}",
        crumb=[("资质认定申请", reverse("testing:application_list"))],
        cancel_url=reverse("testing:application_list"),
        intro=f"受理日期 {app.received_on}，{app.get_route_display()}。准予后登记证书（有效期6年）；告知承诺方式的，自动安排后续核查。",
    )


# --- tracked changes ----------------------------------------------------------------------------

CHANGE_COLS = [
    Col("机构名称", lambda c: c.entity.name, entity_link, cls="wrap"),
    Col("统一社会信用代码", lambda c: c.entity.uscc, cls="mono"),
    Col("所属区局", lambda c: c.entity.district.short_name),
    Col("变更事项", lambda c: c.get_kind_display()),
    Col("变更前", lambda c: c.before, cls="wrap small"),
    Col("变更后", lambda c: c.after, cls="wrap small"),
    Col("变更日期", lambda c: c.changed_on),
    Col(
        "来源",
        lambda c: c.get_source_display(),
        badge=lambda c: "warning" if c.unreported else "",
    ),
]


class ChangeList(ListPage):
    title = "机构变更"
    filters = ChangeFilters
    selector = given(selectors.change_list)
    cols = CHANGE_COLS
    add = ("testing:change_create", "登记变更", BodyChange)
    intro = (
        "法定代表人、技术负责人、授权签字人、场所、主要仪器设备和资质认定范围的变更；风险监测据此核对，"
        "监测发现而机构未报告的单独标出。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request):
    if not allowed(request.user, ADD, BodyChange):
        raise PermissionDenied
    entity = opened_from(request)
    f = ChangeForm(request.POST or None, user=request.user, entity=entity)

    def save(f):
        services.change_record(user=request.user, entity=f.entity, data=f.data_for_service())
        return (
            reverse("registry:entity_detail", args=[f.entity.pk]) + "#testing"
            if entity
            else reverse("testing:change_list")
        )

    return form(
        request,
        f,
        save,
        title="登记机构变更" + (f"：{entity.name}" if entity else ""),
        crumb=[("机构变更", reverse("testing:change_list"))],
        cancel_url=reverse("testing:change_list"),
    )


# --- the body's file ----------------------------------------------------------------------------


@login_required
@staff_page
def body_file(request, pk: int):
    """一企一卷: the printable file of one body with everything known about it."""
    entity = get_object_or_404(
        Entity.objects.restrict(request.user).select_related("district", "station"), pk=pk
    )
    if not hasattr(entity, "testing_body"):
        messages.error(request, "该主体不是检验检测机构。")
        return redirect("registry:entity_detail", pk=pk)
    ctx = selectors.body_file(request.user, entity)
    ctx.update(_other_sections(request.user, entity))
    ctx.update(
        {
            "title": f"{entity.name} 一企一卷",
            "breadcrumbs": crumbs(
                (entity.name, reverse("registry:entity_detail", args=[pk])), ("一企一卷", None)
            ),
            "printed_at": timezone.localtime(),
        }
    )
    return render(request, "testing/body_file.html", ctx)


def _other_sections(user, entity) -> dict:
    """What other apps hold about the body: checks and results, publication, listings."""
    return {
        "results": list(
            Result.objects.restrict(user)
            .filter(entity=entity)
            .select_related("inspection", "item", "code", "violation", "task")
            .order_by("-inspection__checked_on")[:200]
        ),
        "published": list(
            PublicResult.objects.filter(entity=entity).order_by("-published_at")[:100]
        ),
        "abnormal": list(AbnormalListing.objects.restrict(user).filter(entity=entity)),
        "serious": list(SeriousListing.objects.restrict(user).filter(entity=entity)),
    }


# --- coverage ----------------------------------------------------------------------------------


@login_required
@staff_page
def coverage(request):
    """Key fields covered by confirmed checks, and the yearly draw with its 15% floor."""
    year = YearParam.parse(request.GET).year or timezone.localdate().year
    return render(
        request,
        "testing/coverage.html",
        {
            "title": "重点领域覆盖与年度抽查",
            "breadcrumbs": crumbs(("重点领域覆盖与年度抽查", None)),
            "year": year,
            "key": reports.key_field_coverage(request.user, year),
            "floor": reports.draw_floor(request.user, year),
            "items": reports.testing_items(),
        },
    )
