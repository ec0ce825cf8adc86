"""Forms of the credit pages. They parse and check input; credit.services writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core import uscc
from jianguan.core.forms import StyledForm, StyledModelForm, style
from jianguan.core.scoping import ADD
from jianguan.org.selectors import unit_list
from jianguan.registry.models import Entity
from jianguan.registry.selectors import entity_find

from .models import (
    LISTING_UNIT_KINDS,
    AbnormalListing,
    AbnormalObjection,
    CreditCommitment,
    CreditRepair,
    SeriousListing,
)

WIDE = {"col": "col-12"}


def listing_units(user):
    """Units that may decide a listing and that the user acts for: the city, districts."""
    return unit_list(user=user, action=ADD, kinds=LISTING_UNIT_KINDS)


class EntityFormMixin:
    """An `entity_uscc` field (new records only) that resolves to an entity in the user's reach."""

    def add_entity_field(self, user, entity: Entity | None) -> None:
        self.user = user
        self.fields = {
            "entity_uscc": forms.CharField(
                label=_("市场主体统一社会信用代码"),
                max_length=40,
                initial=entity.uscc if entity else "",
                help_text=_("18位代码；空格和小写会自动规范"),
            ),
            **self.fields,
        }
        style(self)

    def clean_entity_uscc(self):
        try:
            code = uscc.validate(self.cleaned_data.get("entity_uscc") or "")
        except uscc.USCCError as exc:
            raise forms.ValidationError(str(exc)) from exc
        entity = entity_find(user=self.user, uscc=code, action=ADD)
        if entity is None:
            raise forms.ValidationError(
                _("您的管辖范围内没有统一社会信用代码为 %(code)s 的市场主体") % {"code": code}
            )
        return entity

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        if "entity_uscc" in self.cleaned_data:
            data["entity"] = self.cleaned_data["entity_uscc"]
        return data


class _ListingForm(EntityFormMixin, StyledModelForm):
    unit_field = ""

    def __init__(self, *args, user, entity: Entity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.add_entity_field(user, entity)
        units = listing_units(user)
        self.fields[self.unit_field].queryset = units
        if self.instance.pk is None and user.unit_id and units.filter(pk=user.unit_id).exists():
            self.fields[self.unit_field].initial = user.unit_id


class AbnormalListingForm(_ListingForm):
    unit_field = "decided_by"

    class Meta:
        model = AbnormalListing
        fields = ["reason", "trigger_date", "listed_on", "decided_by", "decision_no", "note"]
        widgets = {
            "trigger_date": forms.DateInput,
            "listed_on": forms.DateInput,
            "note": forms.Textarea(attrs={"rows": 2, **WIDE}),
        }


class CureForm(StyledForm):
    cured_on = forms.DateField(
        label=_("事由消除日期"),
        widget=forms.DateInput(attrs=WIDE),
        help_text=_("补报年报、补充公示、更正信息或恢复联系之日；自此起5个工作日内应作出移出决定"),
    )


class AbnormalRemovalForm(StyledForm):
    removal_reason = forms.ChoiceField(
        label=_("移出原因"), choices=AbnormalListing.RemovalReason.choices
    )
    cured_on = forms.DateField(
        label=_("事由消除日期"),
        required=False,
        widget=forms.DateInput,
        help_text=_("因事由消除移出的必填"),
    )
    removed_on = forms.DateField(label=_("移出决定日期"), widget=forms.DateInput)
    removal_decision_no = forms.CharField(label=_("移出决定书文号"), max_length=100)


class ObjectionForm(StyledModelForm):
    class Meta:
        model = AbnormalObjection
        fields = ["filed_on", "content"]
        widgets = {
            "filed_on": forms.DateInput,
            "content": forms.Textarea(attrs={"rows": 3, **WIDE}),
        }


class ObjectionDecideForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (AbnormalObjection.Outcome.UPHELD, _("异议成立")),
            (AbnormalObjection.Outcome.REJECTED, _("异议不成立")),
        ],
    )
    decided_on = forms.DateField(label=_("处理日期"), widget=forms.DateInput)
    reply = forms.CharField(
        label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3, **WIDE}), required=False
    )


SERIOUS_FORM_FIELDS = [
    "category",
    "violation",
    "penalty_decision_no",
    "penalty_on",
    "listed_by",
    "notice_on",
    "defence_received_on",
    "defence_outcome",
    "defence_decided_on",
    "listed_on",
    "decision_no",
    "published_on",
    "note",
]


class SeriousListingForm(_ListingForm):
    unit_field = "listed_by"

    class Meta:
        model = SeriousListing
        fields = SERIOUS_FORM_FIELDS
        widgets = {
            **{f: forms.DateInput for f in SERIOUS_FORM_FIELDS if f.endswith("_on")},
            "violation": forms.Textarea(attrs={"rows": 3, **WIDE}),
            "note": forms.Textarea(attrs={"rows": 2, **WIDE}),
        }
        help_texts = {
            "listed_on": _("列入决定作出之日；留空表示尚在告知、陈述申辩阶段（拟列入）"),
            "notice_on": _("拟列入前告知当事人（总局令第44号）"),
        }


class SeriousRemovalForm(StyledForm):
    removal_reason = forms.ChoiceField(
        label=_("移出原因"),
        choices=[
            (SeriousListing.RemovalReason.REVOKED, SeriousListing.RemovalReason.REVOKED.label),
            (SeriousListing.RemovalReason.EXPIRED, SeriousListing.RemovalReason.EXPIRED.label),
        ],
        help_text=_("信用修复提前移出请通过“信用修复申请”办理"),
    )
    removed_on = forms.DateField(label=_("移出日期"), widget=forms.DateInput)
    removal_note = forms.CharField(
        label=_("移出说明"), widget=forms.Textarea(attrs={"rows": 3, **WIDE}), required=False
    )


CONDITIONS = ["obligations_met", "harm_removed", "no_new_penalty"]


class RepairApplyForm(StyledModelForm):
    class Meta:
        model = CreditRepair
        fields = ["applied_on", *CONDITIONS, "evidence"]
        widgets = {
            "applied_on": forms.DateInput,
            "evidence": forms.Textarea(attrs={"rows": 3, **WIDE}),
            **{c: forms.CheckboxInput(attrs=WIDE) for c in CONDITIONS},
        }

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class RepairDecideForm(StyledModelForm):
    outcome = forms.ChoiceField(
        label=_("决定"),
        choices=[
            (CreditRepair.Outcome.GRANTED, CreditRepair.Outcome.GRANTED.label),
            (CreditRepair.Outcome.REFUSED, CreditRepair.Outcome.REFUSED.label),
        ],
    )

    class Meta:
        model = CreditRepair
        fields = [*CONDITIONS, "evidence", "outcome", "decided_on", "decision_note"]
        widgets = {
            "decided_on": forms.DateInput,
            "evidence": forms.Textarea(attrs={"rows": 3, **WIDE}),
            "decision_note": forms.Textarea(attrs={"rows": 3, **WIDE}),
            **{c: forms.CheckboxInput(attrs=WIDE) for c in CONDITIONS},
        }
        help_texts = {"evidence": _("核实后的证明材料说明")}

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class CommitmentForm(EntityFormMixin, StyledModelForm):
    class Meta:
        model = CreditCommitment
        fields = ["kind", "content", "signed_on", "status", "status_on", "note"]
        widgets = {
            "signed_on": forms.DateInput,
            "status_on": forms.DateInput,
            "content": forms.Textarea(attrs={"rows": 3, **WIDE}),
            "note": forms.Textarea(attrs={"rows": 2, **WIDE}),
        }

    def __init__(self, *args, user, entity: Entity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.add_entity_field(user, entity)
