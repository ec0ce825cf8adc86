"""Pages of the credit lists: 经营异常名录, 严重违法失信名单, 信用承诺, and the legal clocks.

Declarations over core.generic: reads through credit.selectors (scoped), writes through
credit.services. Outside the caller's jurisdiction is a 404, never a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jianguan.core import audit
from jianguan.core.generic import (
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    crumb,
    get_or_404,
)
from jianguan.core.scoping import ADD, CHANGE, allowed, reaches
from jianguan.registry.filters import EntityParam
from jianguan.registry.selectors import entity_find

from . import clocks, exporting, permissions, selectors, services
from .filters import AbnormalFilters, CommitmentFilters, RemovalParam, SeriousFilters
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

CREDIT = ("信用监管", None)
ABNORMAL = crumb("经营异常名录", "credit:abnormal_list")
SERIOUS = crumb("严重违法失信名单", "credit:serious_list")
COMMITMENTS = crumb("信用承诺", "credit:commitment_list")
DUE_BUTTON = ("credit:due", "期限提醒", None)


def _entity_param(request):
    """?entity=<id>: a form opened from the entity's file starts with its credit code."""
    pk = EntityParam.parse(request.GET).entity
    return entity_find(user=request.user, pk=pk, action=ADD)


def _timeline(*events):
    """(date, label) pairs with a date, in order."""
    return sorted((e for e in events if e[0]), key=lambda e: e[0])


class CreditList(ObjectListView):
    crumbs = [CREDIT]
    buttons = [DUE_BUTTON]

    def decorate(self, rows):
        return selectors.with_clocks(rows)


class CreditForm(ObjectFormView):
    """A step on one listing: its page is the way back."""

    subject_crumb = ABNORMAL
    detail = "credit:abnormal_detail"

    def listing(self):
        return self.object

    def get_title(self):
        return self.title

    def page(self, form):
        listing = self.listing()
        self.crumbs = [
            CREDIT,
            self.subject_crumb,
            (listing.entity.name, reverse(self.detail, args=[listing.pk])),
        ]
        return super().page(form)

    def cancel_url(self):
        return reverse(self.detail, args=[self.listing().pk])

    def get_context(self):
        return {"subject": self.listing()}


# --- 经营异常名录 -------------------------------------------------------------------------------


class AbnormalList(CreditList):
    title = "经营异常名录"
    filters = AbnormalFilters
    selector = staticmethod(selectors.abnormal_list)
    template_name = "credit/abnormal_list.html"
    intro = (
        "事由发生后10个工作日内列入；事由消除后5个工作日内移出；列入满3年仍未履行义务的，"
        "转入严重违法失信名单。列入中的记录对社会公示，移出后不再公示。"
    )
    add = ("credit:abnormal_create", "列入经营异常名录", AbnormalListing)
    export_columns = exporting.ABNORMAL_COLUMNS


class AbnormalDetail(ObjectDetailView):
    template_name = "credit/abnormal_detail.html"
    crumbs = [CREDIT, ABNORMAL]
    selector = staticmethod(selectors.abnormal_get)

    def get_title(self):
        return self.object.entity.name

    def get_context(self):
        (listing,) = selectors.with_clocks([self.object])
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
        can_change = reaches(self.request.user, CHANGE, listing)
        return {
            "listing": listing,
            "objections": objections,
            "timeline": timeline,
            "history": history.order_by("-at", "-id")[:100],
            "can_change": can_change and listing.is_active,
            "can_decide_objection": can_change,
            "reminder_days": clocks.ESCALATION_REMINDER_DAYS,
        }


class AbnormalCreate(ObjectFormView):
    form_class = AbnormalListingForm
    model = AbnormalListing
    crumbs = [CREDIT, ABNORMAL]
    title = "列入经营异常名录"
    intro = "应自列入事由发生之日起10个工作日内作出列入决定；逾期列入会在名录中标注。"
    permission_message = "无权列入经营异常名录"

    def form_kwargs(self):
        return {"user": self.request.user, "entity": _entity_param(self.request)}

    def save(self, form):
        listing = services.abnormal_create(user=self.request.user, data=form.service_data())
        return reverse("credit:abnormal_detail", args=[listing.pk])

    def cancel_url(self):
        return reverse("credit:abnormal_list")


class AbnormalStep(CreditForm):
    selector = staticmethod(selectors.abnormal_get)


class AbnormalCure(AbnormalStep):
    form_class = CureForm
    title = "登记列入事由消除"

    def form_kwargs(self):
        return {"initial": {"cured_on": self.object.cured_on}}

    def save(self, form):
        services.abnormal_cure(user=self.request.user, listing=self.object, **form.cleaned_data)
        return self.cancel_url()


class AbnormalRemove(AbnormalStep):
    form_class = AbnormalRemovalForm
    title = "移出经营异常名录"
    intro = "事由消除后应在5个工作日内作出移出决定；移出后不再公示。"

    def form_kwargs(self):
        reason = RemovalParam.parse(self.request.GET).reason
        return {
            "initial": {
                "cured_on": self.object.cured_on,
                "removal_reason": reason or "cured",
            }
        }

    def save(self, form):
        services.abnormal_remove(
            user=self.request.user, listing=self.object, data=form.cleaned_data
        )
        return self.cancel_url()


class ObjectionCreate(AbnormalStep):
    form_class = ObjectionForm
    title = "登记异议"

    def form_kwargs(self):
        return {}

    def save(self, form):
        services.objection_create(
            user=self.request.user, listing=self.object, data=form.cleaned_data
        )
        return self.cancel_url()


class ObjectionDecide(CreditForm):
    form_class = ObjectionDecideForm
    selector = staticmethod(selectors.objection_get)
    title = "处理异议"

    def listing(self):
        return self.object.listing

    def form_kwargs(self):
        return {}

    @property
    def intro(self):
        return f"异议内容：{self.object.content}"

    def save(self, form):
        objection = self.object
        services.objection_decide(
            user=self.request.user, objection=objection, data=form.cleaned_data
        )
        if form.cleaned_data["outcome"] == AbnormalObjection.Outcome.UPHELD:
            messages.info(self.request, "异议成立：请作出移出决定。")
            remove = reverse("credit:abnormal_remove", args=[objection.listing_id])
            return remove + "?reason=objection"
        return self.cancel_url()


@login_required
@require_POST
def abnormal_escalate(request, pk: int):
    listing = get_or_404(selectors.abnormal_get, user=request.user, pk=pk, action=CHANGE)
    try:
        serious = services.abnormal_escalate(user=request.user, listing=listing)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("credit:abnormal_detail", pk=pk)
    messages.success(request, "已转入严重违法失信名单（拟列入）：请办理告知、陈述申辩和列入决定。")
    return redirect("credit:serious_detail", pk=serious.pk)


# --- 严重违法失信名单 ----------------------------------------------------------------------------


class SeriousList(CreditList):
    title = "严重违法失信名单"
    filters = SeriousFilters
    selector = staticmethod(selectors.serious_list)
    template_name = "credit/serious_list.html"
    intro = (
        "总局令第44号：谁处罚、谁列入、谁移出。列入满3年移出；满1年且符合条件的可申请信用修复"
        "提前移出。列入中的记录对社会公示，移出后不再公示。"
    )
    add = ("credit:serious_create", "列入严重违法失信名单", SeriousListing)
    export_columns = exporting.SERIOUS_COLUMNS


class SeriousDetail(ObjectDetailView):
    template_name = "credit/serious_detail.html"
    crumbs = [CREDIT, SERIOUS]
    selector = staticmethod(selectors.serious_get)

    def get_title(self):
        return self.object.entity.name

    def get_context(self):
        user = self.request.user
        (listing,) = selectors.with_clocks([self.object])
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
        can_change = reaches(user, CHANGE, listing)
        may_decide = can_change and permissions.may_decide(user, listing)
        try:
            escalated_from = listing.from_abnormal
        except AbnormalListing.DoesNotExist:
            escalated_from = None
        return {
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
        }


class SeriousCreate(ObjectFormView):
    form_class = SeriousListingForm
    model = SeriousListing
    crumbs = [CREDIT, SERIOUS]
    title = "列入严重违法失信名单"
    intro = (
        "总局令第44号：因严重违法行为受到较重行政处罚的，由作出处罚的部门列入"
        "（谁处罚、谁列入、谁移出）。列入前应告知当事人并听取陈述申辩；未填列入日期的登记为“拟列入”。"
    )
    permission_message = "无权列入严重违法失信名单"

    def form_kwargs(self):
        return {"user": self.request.user, "entity": _entity_param(self.request)}

    def save(self, form):
        listing = services.serious_create(user=self.request.user, data=form.service_data())
        return reverse("credit:serious_detail", args=[listing.pk])

    def cancel_url(self):
        return reverse("credit:serious_list")


class SeriousStep(CreditForm):
    """谁列入、谁移出: only the listing unit or the city acts on a serious listing."""

    subject_crumb = SERIOUS
    detail = "credit:serious_detail"
    selector = staticmethod(selectors.serious_get)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        pk = kwargs["pk"]
        listing = get_or_404(selectors.serious_get, user=request.user, pk=pk, action=CHANGE)
        self.require_decider(listing)
        return super().dispatch(request, *args, **kwargs)

    def require_decider(self, listing):
        if not permissions.may_decide(self.request.user, listing):
            raise PermissionDenied(
                f"严重违法失信名单由列入机关（{listing.listed_by.name}）或市局办理（谁列入、谁移出）"
            )


class SeriousEdit(SeriousStep):
    form_class = SeriousListingForm
    title = "办理列入程序"
    intro = "告知、陈述申辩、列入决定、公示。"

    def form_kwargs(self):
        return {"instance": self.object, "user": self.request.user}

    def save(self, form):
        services.serious_update(
            user=self.request.user, listing=self.object, data=form.service_data()
        )
        return self.cancel_url()


class SeriousRemove(SeriousStep):
    form_class = SeriousRemovalForm
    title = "移出严重违法失信名单"
    intro = "移出后停止公示。"

    def form_kwargs(self):
        return {}

    def save(self, form):
        services.serious_remove(user=self.request.user, listing=self.object, data=form.cleaned_data)
        return self.cancel_url()


class RepairApply(CreditForm):
    form_class = RepairApplyForm
    subject_crumb = SERIOUS
    detail = "credit:serious_detail"
    selector = staticmethod(selectors.serious_get)
    title = "登记信用修复申请"

    def form_kwargs(self):
        return {}

    @property
    def intro(self):
        intro = (
            "总局令第44号：列入满一年，且已履行处罚决定规定的义务、已消除危害后果和不良影响、"
            "未再受到较重行政处罚的，可申请提前移出。"
        )
        if eligible := self.object.repair_eligible_on:
            intro += f"本名单最早可于 {eligible:%Y-%m-%d} 申请。"
        return intro

    def save(self, form):
        services.repair_apply(user=self.request.user, listing=self.object, data=form.service_data())
        return self.cancel_url()


class RepairDecide(SeriousStep):
    form_class = RepairDecideForm
    selector = staticmethod(selectors.repair_get)
    title = "信用修复决定"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return ObjectFormView.dispatch(self, request, *args, **kwargs)
        repair = get_or_404(selectors.repair_get, user=request.user, pk=kwargs["pk"], action=CHANGE)
        self.require_decider(repair.listing)
        return ObjectFormView.dispatch(self, request, *args, **kwargs)

    def listing(self):
        return self.object.listing

    @property
    def intro(self):
        return (
            f"申请日期 {self.object.applied_on:%Y-%m-%d}。准予提前移出须三项条件均已核实；"
            "准予后名单移出并停止公示。"
        )

    def save(self, form):
        services.repair_decide(user=self.request.user, repair=self.object, data=form.service_data())
        return self.cancel_url()


# --- 信用承诺 ---------------------------------------------------------------------------------


class CommitmentList(ObjectListView):
    title = "信用承诺"
    crumbs = [CREDIT]
    buttons = [DUE_BUTTON]
    filters = CommitmentFilters
    selector = staticmethod(selectors.commitment_list)
    template_name = "credit/commitment_list.html"
    add = ("credit:commitment_create", "登记信用承诺", CreditCommitment)
    export_columns = exporting.COMMITMENT_COLUMNS
    empty = "没有符合条件的信用承诺。"

    def get_context(self):
        return {"can_change": allowed(self.request.user, CHANGE, CreditCommitment)}


class CommitmentEdit(ObjectFormView):
    form_class = CommitmentForm
    model = CreditCommitment
    selector = staticmethod(selectors.commitment_get)
    crumbs = [CREDIT, COMMITMENTS]
    permission_message = "无权登记信用承诺"

    def form_kwargs(self):
        if self.object is None:
            return {"user": self.request.user, "entity": _entity_param(self.request)}
        return {"instance": self.object, "user": self.request.user}

    def get_title(self):
        return f"信用承诺：{self.stored.entity.name}" if self.object else "登记信用承诺"

    @property
    def intro(self):
        return "登记履行情况：已履行或违反承诺的，请填写认定日期。" if self.object else ""

    def save(self, form):
        user, data = self.request.user, form.service_data()
        if self.object is None:
            services.commitment_create(user=user, data=data)
        else:
            services.commitment_update(user=user, commitment=self.object, data=data)
        return reverse("credit:commitment_list")

    def cancel_url(self):
        return reverse("credit:commitment_list")


# --- clocks -----------------------------------------------------------------------------------


@login_required
def due(request):
    ctx = selectors.due_items(user=request.user)
    ctx.update(
        reminder_days=clocks.ESCALATION_REMINDER_DAYS,
        expiry_days=clocks.EXPIRY_REMINDER_DAYS,
        breadcrumbs=[CREDIT, ("期限提醒", None)],
    )
    return render(request, "credit/due.html", ctx)
