"""Forms of the personnel pages. They parse and check input; writes go through services.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.core import uscc
from jianguan.core.forms import StyledForm, StyledModelForm
from jianguan.org.models import Unit
from jianguan.registry.models import Entity

from .models import Expert, Expertise, Inspector

INSPECTOR_FORM_FIELDS = [
    "name",
    "staff_no",
    "unit",
    "cert_no",
    "cert_expires_on",
    "expertise",
    "active",
    "inactive_since",
]
EXPERT_FORM_FIELDS = [
    "name",
    "field",
    "title",
    "employer",
    "employer_uscc",
    "pledge_signed_on",
    "active",
]


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order; stations indented under their district."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"\u3000{obj.name}" if obj.is_station else obj.name


class InspectorForm(StyledModelForm):
    unit = UnitChoiceField(label=_("所属机构"), queryset=Unit.objects.none())

    class Meta:
        model = Inspector
        fields = INSPECTOR_FORM_FIELDS
        widgets = {
            "expertise": forms.CheckboxSelectMultiple,
            "cert_expires_on": forms.DateInput,
            "inactive_since": forms.DateInput,
        }
        help_texts = {"inactive_since": _("离岗（调离、退休、长期休假）人员不参加抽取")}
        error_messages = {"staff_no": {"unique": _("该工号已存在")}}

    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Only units inside the user's jurisdiction for this action (add/change).
        self.fields["unit"].queryset = (
            Unit.objects.restrict(user, action).filter(active=True).order_by("sort", "code")
        )
        self.fields["expertise"].queryset = Expertise.objects.order_by("id")
        self.fields["expertise"].widget.attrs["col"] = "col-12"

    def clean(self):
        data = super().clean()
        if data.get("cert_no") and not data.get("cert_expires_on"):
            self.add_error("cert_expires_on", _("填写了执法证号，请同时填写执法证有效期"))
        if data.get("cert_expires_on") and not data.get("cert_no"):
            self.add_error("cert_no", _("填写了执法证有效期，请同时填写执法证号"))
        # "离岗人员须填写离岗日期" comes from Inspector.clean(), run by the ModelForm.
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in INSPECTOR_FORM_FIELDS}


class ExpertForm(StyledModelForm):
    # Longer than the 18 stored characters: spaces typed into the code are normalised away.
    employer_uscc = forms.CharField(
        label=_("工作单位统一社会信用代码"), max_length=40, required=False
    )

    class Meta:
        model = Expert
        fields = EXPERT_FORM_FIELDS
        widgets = {"pledge_signed_on": forms.DateInput}
        help_texts = {
            "pledge_signed_on": _("未签署保密承诺的专家不应参加检查"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_uscc"].help_text = _("用于回避：专家不应参加对其工作单位的检查")
        self.fields["field"].queryset = Expertise.objects.order_by("id")

    def clean_employer_uscc(self) -> str:
        raw = self.cleaned_data.get("employer_uscc") or ""
        if not raw.strip():
            return ""
        try:
            return uscc.validate(raw)
        except uscc.USCCError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_pledge_signed_on(self):
        day = self.cleaned_data.get("pledge_signed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("保密承诺签署日期不能晚于今天"))
        return day

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EXPERT_FORM_FIELDS}


class ConflictForm(StyledForm):
    """回避声明: one inspector (by 工号) or one expert, one entity (by credit code), reason, period."""

    staff_no = forms.CharField(
        label=_("检查人员工号"),
        required=False,
        max_length=32,
        help_text=_("声明检查人员回避时填写；与专家二选一"),
    )
    expert = forms.ModelChoiceField(
        label=_("专家"),
        required=False,
        queryset=Expert.objects.none(),
        empty_label=_("（不选）"),
        help_text=_("声明专家回避时选择；与检查人员二选一"),
    )
    entity_uscc = forms.CharField(
        label=_("市场主体统一社会信用代码"),
        max_length=40,
        help_text=_("18位代码；空格和小写会自动规范"),
    )
    reason = forms.CharField(
        label=_("回避事由"), max_length=200, widget=forms.TextInput(attrs={"col": "col-12"})
    )
    valid_from = forms.DateField(label=_("起始日期"), widget=forms.DateInput)
    valid_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput, help_text=_("不填表示长期有效")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["expert"].queryset = Expert.objects.restrict(user).order_by("name", "id")
        self.fields["expert"].label_from_instance = lambda e: f"{e.name}（{e.employer}）"
        self.fields["reason"].widget.attrs["placeholder"] = _(
            "例如：近亲属在该单位任职；曾在该单位工作"
        )

    def clean_staff_no(self):
        staff_no = (self.cleaned_data.get("staff_no") or "").strip()
        if not staff_no:
            return None
        inspector = Inspector.objects.restrict(self.user).filter(staff_no=staff_no).first()
        if inspector is None:
            raise forms.ValidationError(
                _("您的管辖范围内没有工号为“%(no)s”的检查人员") % {"no": staff_no}
            )
        return inspector

    def clean_entity_uscc(self):
        raw = self.cleaned_data.get("entity_uscc") or ""
        try:
            code = uscc.validate(raw)
        except uscc.USCCError as exc:
            raise forms.ValidationError(str(exc)) from exc
        entity = Entity.objects.restrict(self.user, "add").filter(uscc=code).first()
        if entity is None:
            raise forms.ValidationError(
                _("您的管辖范围内没有统一社会信用代码为 %(code)s 的市场主体") % {"code": code}
            )
        return entity

    def clean(self):
        data = super().clean()
        inspector, expert = data.get("staff_no"), data.get("expert")
        # Only judge "exactly one" when neither field already has its own error.
        if (
            "staff_no" not in self.errors
            and "expert" not in self.errors
            and (inspector is None) == (expert is None)
        ):
            raise forms.ValidationError(_("请在检查人员和专家中选择且只选择一人"))
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("截止日期不能早于起始日期"))
        return data

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "inspector": d["staff_no"],
            "expert": d["expert"],
            "entity": d["entity_uscc"],
            "reason": d["reason"],
            "valid_from": d["valid_from"],
            "valid_to": d["valid_to"],
        }


class ConflictEndForm(StyledForm):
    valid_to = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"col": "col-12"}))

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration

    def clean_valid_to(self):
        day = self.cleaned_data["valid_to"]
        today = timezone.localdate()
        if day < today:
            # Past draws were made under the declaration as it stood; it cannot end retroactively.
            raise forms.ValidationError(_("截止日期不能早于今天（回避声明不能追溯结束）"))
        if day < self.declaration.valid_from:
            raise forms.ValidationError(
                _("截止日期不能早于起始日期 %(d)s")
                % {"d": f"{self.declaration.valid_from:%Y-%m-%d}"}
            )
        return day
