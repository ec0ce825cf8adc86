"""Pages of the credit lists: 经营异常名录, 严重违法失信名单, 信用承诺, and the legal clocks.

Thin views: parse (forms), read (selectors), write (services), render. Single objects come
through `restrict(user, action)`: outside the caller's jurisdiction is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.views import form_page, paginate, record_export
from jianguan.registry.forms import districts_for
from jianguan.registry.models import Entity
from jianguan.registry.selectors import entity_from_query

from . import clocks, exporting, selectors, services
from .forms import (
    AbnormalListingForm,
    AbnormalRemovalForm,
    CommitmentForm,
    CureForm,
    ObjectionDecideForm,
    ObjectionForm,
    RepairApplyForm,
    RepairDecideForm,
    SeriousListingForm,
    SeriousRemovalForm,
)
from .models import (
    AbnormalListing,
    AbnormalObjection,
    CreditCommitment,
    CreditRepair,
    SeriousListing,
)

FORMATS = ("xlsx", "csv")


def _crumbs(*items):
    return [("信用监管", None), *items]


def _abnormal_crumb():
    return ("经营异常名录", reverse("credit:abnormal_list"))


def _serious_crumb():
    return ("严重违法失信名单", reverse("credit:serious_list"))


def _entity_param(request) -> Entity | None:
    """?entity=<id> from the entity's file pre-fills the credit code."""
    return entity_from_query(request.user, request.GET, ADD)


def _form_page(request, form, save, *, title, crumbs, **kwargs):
    return form_page(
        request, form, save, title=title, breadcrumbs=_crumbs(*crumbs, (title, None)), **kwargs
    )


def _list_context(request, filters) -> dict:
    params = request.GET
    query = params.copy()
    for key in list(query):
        if key not in filters or not query.get(key):
            query.pop(key)
    return {
        "params": params,
        "districts": [(str(d.pk), d.name) for d in districts_for(request.user)],
        "export_query": query.urlencode(),
    }


def _export(request, qs, fmt: str, spec, title: str, object_type: str, clocked=False):
    if fmt not in FORMATS:
        raise Http404
    filters = request.GET.urlencode()
    record_export(
        request, title=title, object_type=object_type, fmt=fmt, count=qs.count(), filters=filters
    )
    return exporting.export_response(qs, spec, fmt, title, clocked)


def _timeline(*events):
    """(date, label) pairs with a date, in order."""
    return sorted((e for e in events if e[0]), key=lambda e: e[0])


# --- 经营异常名录 -------------------------------------------------------------------------------


@login_required
def abnormal_list(request):
    ctx = paginate(request, selectors.abnormal_list(request.user, request.GET))
    ctx.update(_list_context(request, selectors.ABNORMAL_FILTERS))
    ctx.update(
        rows=selectors.with_clocks(ctx["rows"]),
        reasons=AbnormalListing.Reason.choices,
        statuses=AbnormalListing.Status.choices,
        clock_options=[
            ("late", "逾期列入"),
            ("removal_due", "待移出（事由已消除）"),
            ("escalation", "将满或已满3年"),
        ],
        can_add=allowed(request.user, ADD, AbnormalListing),
        breadcrumbs=_crumbs(("经营异常名录", None)),
    )
    return render(request, "credit/abnormal_list.html", ctx)


@login_required
def abnormal_export(request, fmt: str):
    qs = selectors.abnormal_list(request.user, request.GET)
    return _export(
        request,
        qs,
        fmt,
        exporting.ABNORMAL_COLUMNS,
        "经营异常名录",
        "credit.abnormallisting",
        clocked=True,
    )


@login_required
def abnormal_detail(request, pk: int):
    user = request.user
    listing = get_object_or_404(
        AbnormalListing.objects.restrict(user).select_related(
            "entity", "entity__district", "decided_by", "escalated_to"
        ),
        pk=pk,
    )
    (listing,) = selectors.with_clocks([listing])
    objections = list(listing.objections.all())
    history = audit.history(listing)
    for o in objections:
        history = history | audit.history(o)
    timeline = _timeline(
        (listing.trigger_date, "事由发生"),
        (listing.listed_on, f"列入（{listing.decision_no}）"),
        *[(o.filed_on, "提出异议") for o in objections],
        *[(o.decided_on, f"异议处理：{o.get_outcome_display()}") for o in objections],
        (listing.cured_on, "列入事由消除"),
        (listing.removed_on, f"移出：{listing.get_removal_reason_display()}"),
    )
    can_change = AbnormalListing.objects.restrict(user, CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "credit/abnormal_detail.html",
        {
            "listing": listing,
            "objections": objections,
            "timeline": timeline,
            "history": history.order_by("-at", "-id")[:100],
            "can_change": can_change and listing.is_active,
            "can_decide_objection": can_change,
            "reminder_days": clocks.ESCALATION_REMINDER_DAYS,
            "breadcrumbs": _crumbs(_abnormal_crumb(), (listing.entity.name, None)),
        },
    )


def _abnormal_for_change(request, pk: int) -> AbnormalListing:
    return get_object_or_404(
        AbnormalListing.objects.restrict(request.user, CHANGE).select_related("entity"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def abnormal_create(request):
    user = request.user
    if not allowed(user, ADD, AbnormalListing):
        raise PermissionDenied("无权列入经营异常名录")
    form = AbnormalListingForm(request.POST or None, user=user, entity=_entity_param(request))

    def save(form):
        listing = services.abnormal_create(user=user, data=form.service_data())
        return reverse("credit:abnormal_detail", args=[listing.pk])

    return _form_page(
        request,
        form,
        save,
        title="列入经营异常名录",
        crumbs=[_abnormal_crumb()],
        cancel_url=reverse("credit:abnormal_list"),
        intro="应自列入事由发生之日起10个工作日内作出列入决定；逾期列入会在名录中标注。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def abnormal_cure(request, pk: int):
    listing = _abnormal_for_change(request, pk)
    form = CureForm(request.POST or None, initial={"cured_on": listing.cured_on})

    def save(form):
        services.abnormal_cure(user=request.user, listing=listing, **form.cleaned_data)
        return reverse("credit:abnormal_detail", args=[pk])

    return _abnormal_form(request, listing, form, save, "登记列入事由消除")


@login_required
@require_http_methods(["GET", "POST"])
def abnormal_remove(request, pk: int):
    listing = _abnormal_for_change(request, pk)
    initial = {"cured_on": listing.cured_on, "removal_reason": request.GET.get("reason", "cured")}
    form = AbnormalRemovalForm(request.POST or None, initial=initial)

    def save(form):
        services.abnormal_remove(user=request.user, listing=listing, data=form.cleaned_data)
        return reverse("credit:abnormal_detail", args=[pk])

    return _abnormal_form(
        request,
        listing,
        form,
        save,
        "移出经营异常名录",
        "事由消除后应在5个工作日内作出移出决定；移出后不再公示。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request, pk: int):
    listing = _abnormal_for_change(request, pk)
    form = ObjectionForm(request.POST or None)

    def save(form):
        services.objection_create(user=request.user, listing=listing, data=form.cleaned_data)
        return reverse("credit:abnormal_detail", args=[pk])

    return _abnormal_form(request, listing, form, save, "登记异议")


@login_required
@require_http_methods(["GET", "POST"])
def objection_decide(request, pk: int):
    objection = get_object_or_404(
        AbnormalObjection.objects.restrict(request.user, CHANGE).select_related(
            "listing", "listing__entity"
        ),
        pk=pk,
    )
    form = ObjectionDecideForm(request.POST or None)

    def save(form):
        services.objection_decide(user=request.user, objection=objection, data=form.cleaned_data)
        if form.cleaned_data["outcome"] == AbnormalObjection.Outcome.UPHELD:
            messages.info(request, "异议成立：请作出移出决定。")
            return (
                reverse("credit:abnormal_remove", args=[objection.listing_id]) + "?reason=objection"
            )
        return reverse("credit:abnormal_detail", args=[objection.listing_id])

    return _abnormal_form(
        request, objection.listing, form, save, "处理异议", f"异议内容：{objection.content}"
    )


def _abnormal_form(request, listing, form, save, title, intro=""):
    return _form_page(
        request,
        form,
        save,
        title=title,
        intro=intro,
        subject=listing,
        crumbs=[
            _abnormal_crumb(),
            (listing.entity.name, reverse("credit:abnormal_detail", args=[listing.pk])),
        ],
        cancel_url=reverse("credit:abnormal_detail", args=[listing.pk]),
    )


@login_required
@require_POST
def abnormal_escalate(request, pk: int):
    listing = _abnormal_for_change(request, pk)
    try:
        serious = services.abnormal_escalate(user=request.user, listing=listing)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("credit:abnormal_detail", pk=pk)
    messages.success(request, "已转入严重违法失信名单（拟列入）：请办理告知、陈述申辩和列入决定。")
    return redirect("credit:serious_detail", pk=serious.pk)


# --- 严重违法失信名单 ----------------------------------------------------------------------------


@login_required
def serious_list(request):
    ctx = paginate(request, selectors.serious_list(request.user, request.GET))
    ctx.update(_list_context(request, selectors.SERIOUS_FILTERS))
    ctx.update(
        rows=selectors.with_clocks(ctx["rows"]),
        categories=SeriousListing.Category.choices,
        statuses=SeriousListing.Status.choices,
        can_add=allowed(request.user, ADD, SeriousListing),
        breadcrumbs=_crumbs(("严重违法失信名单", None)),
    )
    return render(request, "credit/serious_list.html", ctx)


@login_required
def serious_export(request, fmt: str):
    qs = selectors.serious_list(request.user, request.GET)
    return _export(
        request, qs, fmt, exporting.SERIOUS_COLUMNS, "严重违法失信名单", "credit.seriouslisting"
    )


@login_required
def serious_detail(request, pk: int):
    user = request.user
    listing = get_object_or_404(
        SeriousListing.objects.restrict(user).select_related(
            "entity", "entity__district", "listed_by"
        ),
        pk=pk,
    )
    (listing,) = selectors.with_clocks([listing])
    repairs = list(listing.repairs.all())
    history = audit.history(listing)
    for r in repairs:
        history = history | audit.history(r)
    timeline = _timeline(
        (listing.penalty_on, f"较重行政处罚（{listing.penalty_decision_no}）"),
        (listing.notice_on, "告知拟列入"),
        (listing.defence_received_on, "收到陈述申辩"),
        (listing.defence_decided_on, f"陈述申辩处理：{listing.get_defence_outcome_display()}"),
        (listing.listed_on, f"列入（{listing.decision_no}）"),
        (listing.published_on, "公示"),
        *[(r.applied_on, "申请信用修复") for r in repairs],
        *[(r.decided_on, f"信用修复：{r.get_outcome_display()}") for r in repairs],
        (listing.removed_on, f"移出：{listing.get_removal_reason_display()}"),
    )
    can_change = SeriousListing.objects.restrict(user, CHANGE).filter(pk=pk).exists()
    may_decide = can_change and services.may_decide(user, listing)
    try:
        escalated_from = listing.from_abnormal
    except AbnormalListing.DoesNotExist:
        escalated_from = None
    return render(
        request,
        "credit/serious_detail.html",
        {
            "listing": listing,
            "repairs": repairs,
            "timeline": timeline,
            "history": history.order_by("-at", "-id")[:100],
            "escalated_from": escalated_from,
            "may_decide": may_decide and listing.status != SeriousListing.Status.REMOVED,
            "can_apply": can_change
            and listing.is_active
            and not any(r.outcome == CreditRepair.Outcome.PENDING for r in repairs),
            "can_decide_repair": may_decide,
            "today": timezone.localdate(),
            "breadcrumbs": _crumbs(_serious_crumb(), (listing.entity.name, None)),
        },
    )


def _serious_for_change(request, pk: int) -> SeriousListing:
    return get_object_or_404(
        SeriousListing.objects.restrict(request.user, CHANGE).select_related("entity", "listed_by"),
        pk=pk,
    )


def _require_decider(request, listing) -> None:
    if not services.may_decide(request.user, listing):
        raise PermissionDenied(
            f"严重违法失信名单由列入机关（{listing.listed_by.name}）或市局办理（谁列入、谁移出）"
        )


def _serious_form(request, listing, form, save, title, intro=""):
    return _form_page(
        request,
        form,
        save,
        title=title,
        intro=intro,
        subject=listing,
        crumbs=[
            _serious_crumb(),
            (listing.entity.name, reverse("credit:serious_detail", args=[listing.pk])),
        ],
        cancel_url=reverse("credit:serious_detail", args=[listing.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def serious_create(request):
    user = request.user
    if not allowed(user, ADD, SeriousListing):
        raise PermissionDenied("无权列入严重违法失信名单")
    form = SeriousListingForm(request.POST or None, user=user, entity=_entity_param(request))

    def save(form):
        listing = services.serious_create(user=user, data=form.service_data())
        return reverse("credit:serious_detail", args=[listing.pk])

    return _form_page(
        request,
        form,
        save,
        title="列入严重违法失信名单",
        crumbs=[_serious_crumb()],
        cancel_url=reverse("credit:serious_list"),
        intro="总局令第44号：因严重违法行为受到较重行政处罚的，由作出处罚的部门列入（谁处罚、谁列入、谁移出）。"
        "列入前应告知当事人并听取陈述申辩；未填列入日期的登记为“拟列入”。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def serious_edit(request, pk: int):
    listing = _serious_for_change(request, pk)
    _require_decider(request, listing)
    form = SeriousListingForm(request.POST or None, instance=listing, user=request.user)

    def save(form):
        services.serious_update(user=request.user, listing=listing, data=form.service_data())
        return reverse("credit:serious_detail", args=[pk])

    return _serious_form(
        request, listing, form, save, "办理列入程序", "告知、陈述申辩、列入决定、公示。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def serious_remove(request, pk: int):
    listing = _serious_for_change(request, pk)
    _require_decider(request, listing)
    form = SeriousRemovalForm(request.POST or None)

    def save(form):
        services.serious_remove(user=request.user, listing=listing, data=form.cleaned_data)
        return reverse("credit:serious_detail", args=[pk])

    return _serious_form(request, listing, form, save, "移出严重违法失信名单", "移出后停止公示。")


@login_required
@require_http_methods(["GET", "POST"])
def repair_apply(request, pk: int):
    listing = _serious_for_change(request, pk)
    form = RepairApplyForm(request.POST or None)
    eligible = listing.repair_eligible_on

    def save(form):
        services.repair_apply(user=request.user, listing=listing, data=form.service_data())
        return reverse("credit:serious_detail", args=[pk])

    intro = "总局令第44号：列入满一年，且已履行处罚决定规定的义务、已消除危害后果和不良影响、未再受到较重行政处罚的，可申请提前移出。"
    if eligible:
        intro += f"本名单最早可于 {eligible:%Y-%m-%d} 申请。"
    return _serious_form(request, listing, form, save, "登记信用修复申请", intro)


@login_required
@require_http_methods(["GET", "POST"])
def repair_decide(request, pk: int):
    repair = get_object_or_404(
        CreditRepair.objects.restrict(request.user, CHANGE).select_related(
            "listing", "listing__entity", "listing__listed_by"
        ),
        pk=pk,
    )
    listing = repair.listing
    _require_decider(request, listing)
    form = RepairDecideForm(request.POST or None, instance=repair)

    def save(form):
        services.repair_decide(user=request.user, repair=repair, data=form.service_data())
        return reverse("credit:serious_detail", args=[listing.pk])

    return _serious_form(
        request,
        listing,
        form,
        save,
        "信用修复决定",
        f"申请日期 {repair.applied_on:%Y-%m-%d}。准予提前移出须三项条件均已核实；准予后名单移出并停止公示。",
    )


# --- 信用承诺 ---------------------------------------------------------------------------------


@login_required
def commitment_list(request):
    ctx = paginate(request, selectors.commitment_list(request.user, request.GET))
    ctx.update(_list_context(request, selectors.COMMITMENT_FILTERS))
    ctx.update(
        kinds=CreditCommitment.Kind.choices,
        statuses=CreditCommitment.Status.choices,
        can_add=allowed(request.user, ADD, CreditCommitment),
        can_change=allowed(request.user, CHANGE, CreditCommitment),
        breadcrumbs=_crumbs(("信用承诺", None)),
    )
    return render(request, "credit/commitment_list.html", ctx)


@login_required
def commitment_export(request, fmt: str):
    qs = selectors.commitment_list(request.user, request.GET)
    return _export(
        request, qs, fmt, exporting.COMMITMENT_COLUMNS, "信用承诺", "credit.creditcommitment"
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    user = request.user
    if not allowed(user, ADD, CreditCommitment):
        raise PermissionDenied("无权登记信用承诺")
    form = CommitmentForm(request.POST or None, user=user, entity=_entity_param(request))

    def save(form):
        services.commitment_create(user=user, data=form.service_data())
        return reverse("credit:commitment_list")

    return _form_page(
        request,
        form,
        save,
        title="登记信用承诺",
        crumbs=[("信用承诺", reverse("credit:commitment_list"))],
        cancel_url=reverse("credit:commitment_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int):
    commitment = get_object_or_404(
        CreditCommitment.objects.restrict(request.user, CHANGE).select_related("entity"), pk=pk
    )
    form = CommitmentForm(request.POST or None, instance=commitment, user=request.user)

    def save(form):
        services.commitment_update(
            user=request.user, commitment=commitment, data=form.service_data()
        )
        return reverse("credit:commitment_list")

    return _form_page(
        request,
        form,
        save,
        title=f"信用承诺：{commitment.entity.name}",
        crumbs=[("信用承诺", reverse("credit:commitment_list"))],
        cancel_url=reverse("credit:commitment_list"),
        intro="登记履行情况：已履行或违反承诺的，请填写认定日期。",
    )


# --- clocks -----------------------------------------------------------------------------------


@login_required
def due(request):
    ctx = selectors.due_items(request.user)
    ctx.update(
        reminder_days=clocks.ESCALATION_REMINDER_DAYS,
        expiry_days=clocks.EXPIRY_REMINDER_DAYS,
        breadcrumbs=_crumbs(("期限提醒", None)),
    )
    return render(request, "credit/due.html", ctx)
