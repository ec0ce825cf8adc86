"""Forms of the testing pages: they parse and check what a user typed; the services decide."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django import forms
from django.utils import timezone

from jianguan.catalog.models import Violation
from jianguan.core import uscc
from jianguan.core.forms import StyledForm, StyledModelForm
from jianguan.core.scoping import CHANGE
from jianguan.org.models import Unit
from jianguan.personnel.models import Expert
from jianguan.registry.models import TESTING_FIELDS, Entity

from . import grading
from .models import (
    Aspect,
    Assessment,
    BodyChange,
    FollowUp,
    GradeIndicator,
    GradeVeto,
    Handling,
    MonitoringVisit,
    OnlineLead,
    PTScheme,
    Qualification,
    Route,
    TargetedCheck,
    TypicalCase,
)
from .permissions import is_city
from .services import TRANSITIONS

WIDE = {"col": "col-12"}


def _date(label, required=True, **kw):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(), **kw)


def _text(label, rows=3, required=True, **kw):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows, **WIDE}), **kw
    )


class FieldsField(forms.MultipleChoiceField):
    """检验检测领域 as checkboxes, cleaned to the bit mask."""

    def __init__(self, label="检验检测领域", **kw):
        super().__init__(
            label=label,
            choices=TESTING_FIELDS.choices,
            widget=forms.CheckboxSelectMultiple(attrs=WIDE),
            **kw,
        )

    def clean(self, value):
        return TESTING_FIELDS.mask(super().clean(value))

    def prepare_value(self, value):
        return TESTING_FIELDS.codes(value) if isinstance(value, int) else value


class BodyForm(StyledForm):
    """A form about one body, named by its USCC (or fixed when opened from the body's page)."""

    body = forms.CharField(label="检验检测机构（统一社会信用代码）", max_length=30)

    def __init__(self, *args, user=None, entity: Entity | None = None, **kw):
        super().__init__(*args, **kw)
        self.user, self.entity = user, entity
        if entity is not None:
            del self.fields["body"]
        else:
            self.fields["body"].widget.attrs["class"] += " mono"

    def clean_body(self):
        code = uscc.normalise(self.cleaned_data["body"])
        entity = (
            Entity.objects.restrict(self.user, CHANGE)
            .filter(uscc=code, testing_body__isnull=False)
            .first()
        )
        if entity is None:
            raise forms.ValidationError("名录库中没有该检验检测机构，或不在您的管辖范围内")
        self.entity = entity
        return code

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "body"}


class QualificationForm(BodyForm):
    cert_no = forms.CharField(label="资质认定证书编号", max_length=32)
    route = forms.ChoiceField(label="取得方式", choices=Route.choices)
    issued_on = _date("发证日期")
    expires_on = _date("有效期至", required=False, help_text="留空为发证日期起6年")
    fields = FieldsField()
    scope = _text(
        "资质认定范围（项目/参数）", rows=4, help_text="每行一项，如：食品 / 铅 / GB 5009.12"
    )


class StatusForm(StyledForm):
    status = forms.ChoiceField(label="新状态")
    on = _date("日期")
    reason = forms.CharField(label="事由", max_length=300, widget=forms.TextInput(attrs=WIDE))
    decision_no = forms.CharField(label="决定书文号", max_length=100, required=False)
    false_commitment = forms.BooleanField(
        label="因虚假承诺撤销（三年内不得再次申请）", required=False
    )

    def __init__(self, *args, qualification: Qualification, user, **kw):
        super().__init__(*args, **kw)
        allowed = TRANSITIONS.get(qualification.status, set())
        if not is_city(user):
            allowed = allowed - {Qualification.Status.REVOKED}
            del self.fields["false_commitment"]
        self.fields["status"].choices = [
            (c, label) for c, label in Qualification.Status.choices if c in allowed
        ]
        self.initial.setdefault("on", timezone.localdate())


class ApplicationForm(BodyForm):
    received_on = _date("受理日期")
    route = forms.ChoiceField(label="申请方式", choices=Route.choices)
    fields = FieldsField()
    scope = _text("申请范围（项目/参数）", rows=4)


class DecideForm(StyledForm):
    approve = forms.TypedChoiceField(
        label="决定",
        choices=[("1", "准予资质认定"), ("0", "不予许可")],
        coerce=lambda v: v == "1",
    )
    decided_on = _date("决定日期")
    cert_no = forms.CharField(label="资质认定证书编号（准予时）", max_length=32, required=False)
    note = forms.CharField(label="决定说明", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("approve") and not data.get("cert_no"):
            self.add_error("cert_no", "准予资质认定的，请填写证书编号")
        return data


class ChangeForm(BodyForm):
    kind = forms.ChoiceField(label="变更事项", choices=BodyChange.Kind.choices)
    changed_on = _date("变更日期")
    before = forms.CharField(label="变更前", max_length=300, required=False)
    after = forms.CharField(label="变更后", max_length=300)
    source = forms.ChoiceField(label="来源", choices=BodyChange.Source.choices)
    note = forms.CharField(label="备注", max_length=300, required=False)


class FollowUpForm(StyledForm):
    checked_on = _date("核查日期")
    experts = forms.ModelMultipleChoiceField(
        label="到场专家",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=WIDE),
    )
    findings = _text("核查情况", rows=4)
    outcome = forms.ChoiceField(
        label="核查结论", choices=[c for c in FollowUp.Outcome.choices if c[0]]
    )
    rectify_by = _date("整改期限", required=False)

    def __init__(self, *args, follow_up: FollowUp, drawn: list, **kw):
        super().__init__(*args, **kw)
        if follow_up.method == FollowUp.Method.ONSITE:
            self.fields["experts"].queryset = Expert.objects.filter(pk__in=[e.pk for e in drawn])
            self.fields["experts"].help_text = "现场核查须有至少 2 名抽取的技术专家到场"
        else:
            del self.fields["experts"]


class DayForm(StyledForm):
    on = _date("日期")

    def __init__(self, *args, label="日期", **kw):
        super().__init__(*args, **kw)
        self.fields["on"].label = label
        self.initial.setdefault("on", timezone.localdate())


class MethodForm(StyledForm):
    method = forms.ChoiceField(label="核查方式", choices=FollowUp.Method.choices)


class PlanForm(StyledForm):
    district = forms.ModelChoiceField(label="区局", queryset=Unit.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", max_length=200, required=False)
    note = _text("工作要求", required=False)

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.fields["district"].queryset = Unit.objects.restrict(user, "add").filter(
            kind=Unit.Kind.DISTRICT
        )
        self.initial.setdefault("year", timezone.localdate().year)

    def clean(self):
        data = super().clean()
        if data.get("district") and data.get("year") and not data.get("title"):
            data["title"] = f"{data['year']}年度{data['district'].name}检验检测机构风险监测计划"
        return data


class VisitForm(StyledModelForm):
    change_kind = forms.ChoiceField(
        label="发现未报告的变更（可选）",
        choices=[("", "无")] + list(BodyChange.Kind.choices),
        required=False,
    )
    change_before = forms.CharField(label="变更前", max_length=300, required=False)
    change_after = forms.CharField(label="变更后", max_length=300, required=False)
    change_on = _date("变更日期", required=False)

    class Meta:
        model = MonitoringVisit
        fields = [
            "visited_on",
            "inspectors",
            "staff",
            "site",
            "equipment",
            "compliance",
            "findings",
        ]
        widgets = {
            "visited_on": forms.DateInput(),
            "findings": forms.Textarea(attrs={"rows": 3, **WIDE}),
        }

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.initial.setdefault("visited_on", timezone.localdate())
        for name in ("staff", "site", "equipment"):
            self.fields[name].initial = Aspect.OK
        self.fields["compliance"].initial = Aspect.OK

    def clean(self):
        data = super().clean()
        if data.get("change_kind") and not (data.get("change_after") and data.get("change_on")):
            self.add_error("change_after", "登记变更时请填写变更后内容和变更日期")
        return data

    def visit_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}

    def changes(self) -> list[dict]:
        d = self.cleaned_data
        if not d.get("change_kind"):
            return []
        return [
            {
                "kind": d["change_kind"],
                "before": d.get("change_before") or "",
                "after": d["change_after"],
                "changed_on": d["change_on"],
                "note": "风险监测时发现",
            }
        ]


class SummaryForm(StyledForm):
    title = forms.CharField(label="标题", max_length=200, widget=forms.TextInput(attrs=WIDE))
    start = _date("起始日期")
    end = _date("截止日期")
    note = _text("通报意见", rows=5, required=False)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        today = timezone.localdate()
        q = (today.month - 1) // 3
        start = dt.date(today.year, 3 * q + 1, 1) if q else dt.date(today.year, 1, 1)
        self.initial.setdefault("start", start)
        self.initial.setdefault("end", today)
        self.initial.setdefault("title", f"{today.year}年第{q + 1}季度检验检测机构风险监测情况通报")


class SchemeForm(StyledModelForm):
    required_fields = FieldsField(label="强制参加的领域", required=False)

    class Meta:
        model = PTScheme
        fields = [
            "number",
            "name",
            "kind",
            "field",
            "year",
            "provider",
            "deadline",
            "items",
            "required_fields",
            "active",
        ]
        widgets = {"deadline": forms.DateInput(), "items": forms.Textarea(attrs={"rows": 3})}


class ResultForm(BodyForm):
    scheme = forms.ModelChoiceField(
        label="能力验证计划", queryset=PTScheme.objects.filter(active=True)
    )
    item = forms.CharField(label="项目", max_length=100, required=False)
    x = forms.DecimalField(label="结果值 x", max_digits=24, decimal_places=8)
    assigned = forms.DecimalField(label="指定值 X", max_digits=24, decimal_places=8)
    sigma = forms.DecimalField(label="能力评定标准差 σ̂", max_digits=24, decimal_places=8)
    reported_on = _date("结果通报日期")

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.initial.setdefault("reported_on", timezone.localdate())

    def clean_sigma(self):
        if self.cleaned_data["sigma"] <= 0:
            raise forms.ValidationError("能力评定标准差应大于0")
        return self.cleaned_data["sigma"]


class RetestForm(StyledForm):
    x = forms.DecimalField(label="复测结果值", max_digits=24, decimal_places=8)
    on = _date("复测日期")


class HandlingForm(StyledModelForm):
    class Meta:
        model = Handling
        fields = [
            "measure",
            "violation",
            "other_law",
            "fine_yuan",
            "decided_on",
            "decision_no",
            "case_ref",
            "facts",
            "public",
        ]
        widgets = {
            "decided_on": forms.DateInput(),
            "facts": forms.Textarea(attrs={"rows": 4, **WIDE}),
            "other_law": forms.TextInput(attrs=WIDE),
        }

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["violation"].queryset = Violation.objects.filter(active=True)
        self.fields["fine_yuan"].help_text = (
            "行政处罚的罚款：违法行为适用《检验检测机构监督管理办法》第二十六条且法律、法规"
            "未另作规定的，留空即按 30,000 元"
        )
        self.initial.setdefault("decided_on", timezone.localdate())


class BodyHandlingForm(BodyForm, HandlingForm):
    source = forms.ChoiceField(label="来源", choices=Handling.Source.choices)


class AppealForm(StyledForm):
    filed_on = _date("申诉日期")
    reason = _text("申诉理由")


class AppealDecideForm(StyledForm):
    outcome = forms.ChoiceField(
        label="处理结果", choices=[("upheld", "维持原评定"), ("corrected", "更正评定")]
    )
    decided_on = _date("处理日期")
    reply = _text("处理意见")
    x = forms.DecimalField(label="更正后结果值", required=False, max_digits=24, decimal_places=8)
    assigned = forms.DecimalField(
        label="更正后指定值", required=False, max_digits=24, decimal_places=8
    )
    sigma = forms.DecimalField(
        label="更正后标准差", required=False, max_digits=24, decimal_places=8
    )

    def values(self):
        d = self.cleaned_data
        if d["outcome"] != "corrected":
            return None
        values = (d.get("x"), d.get("assigned"), d.get("sigma"))
        return values if None not in values else None


class AssessmentForm(BodyForm):
    held_on = _date("考核日期")
    field = forms.ChoiceField(label="考核领域", choices=TESTING_FIELDS.choices)
    exam_score = forms.DecimalField(
        label="理论考试成绩", required=False, min_value=0, max_value=100
    )
    practical_score = forms.DecimalField(
        label="实践操作成绩", required=False, min_value=0, max_value=100
    )
    equipment = forms.ChoiceField(label="仪器设备", choices=Assessment.Review.choices)
    site = forms.ChoiceField(label="场地设施", choices=Assessment.Review.choices)
    reports = forms.ChoiceField(label="检验检测报告", choices=Assessment.Review.choices)
    system = forms.ChoiceField(label="管理体系运行", choices=Assessment.Review.choices)
    experts = forms.ModelMultipleChoiceField(label="审查专家", queryset=None, required=False)
    findings = _text("考核发现", required=False)
    conclusion = forms.ChoiceField(label="考核结论", choices=Assessment.Conclusion.choices)
    rectify_by = _date("整改期限", required=False)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["experts"].queryset = Expert.objects.filter(active=True).order_by("name")
        self.fields["experts"].widget.attrs["size"] = 6

    def data_for_service(self) -> dict:
        return {k: v for k, v in super().data_for_service().items() if k != "experts"}


class GradeModelForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    cut_A = forms.FloatField(label="A级得分下限", min_value=0, max_value=100)
    cut_B = forms.FloatField(label="B级得分下限", min_value=0, max_value=100)
    cut_C = forms.FloatField(label="C级得分下限", min_value=0, max_value=100)
    ratio_A = forms.DecimalField(label="A级抽查比例", min_value=0, max_value=1)
    ratio_B = forms.DecimalField(label="B级抽查比例", min_value=0, max_value=1)
    ratio_C = forms.DecimalField(label="C级抽查比例", min_value=0, max_value=1)
    ratio_D = forms.DecimalField(label="D级抽查比例", min_value=0, max_value=1)
    published = forms.BooleanField(label="向社会公开等级", required=False)
    note = _text("说明", required=False)

    @classmethod
    def initial_of(cls, model) -> dict:
        data = {"name": model.name, "note": model.note, "published": model.published}
        data |= {f"cut_{g}": model.thresholds.get(g) for g in "ABC"}
        data |= {f"ratio_{g}": model.draw_ratios.get(g) for g in "ABCD"}
        return data

    def changes(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "note": d["note"],
            "published": d["published"],
            "thresholds": {g: d[f"cut_{g}"] for g in "ABC"},
            "draw_ratios": {g: format(d[f"ratio_{g}"].normalize(), "f") for g in "ABCD"},
        }


FEATURE_CHOICES = list(grading.FEATURES.items())


class IndicatorForm(StyledModelForm):
    feature = forms.ChoiceField(label="数据来源", choices=FEATURE_CHOICES)

    class Meta:
        model = GradeIndicator
        fields = ["category", "code", "name", "feature", "points", "cap", "position"]


class VetoForm(StyledModelForm):
    feature = forms.ChoiceField(label="数据来源", choices=FEATURE_CHOICES)

    class Meta:
        model = GradeVeto
        fields = ["code", "name", "feature", "at_least", "basis"]


class LeadForm(StyledModelForm):
    body = forms.CharField(
        label="对应市场主体（统一社会信用代码，可选）", max_length=30, required=False
    )

    class Meta:
        model = OnlineLead
        fields = ["district", "platform", "url", "seller", "kind", "found_on", "evidence"]
        widgets = {"found_on": forms.DateInput(), "evidence": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"url": partial(forms.URLField, assume_scheme="https")}

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.user = user
        self.fields["district"].queryset = Unit.objects.restrict(user, "add").filter(
            kind=Unit.Kind.DISTRICT
        )
        self.fields["evidence"].widget.attrs["col"] = "col-12"

    def clean_body(self):
        code = uscc.normalise(self.cleaned_data.get("body") or "")
        if not code:
            return None
        entity = Entity.objects.restrict(self.user).filter(uscc=code).first()
        if entity is None:
            raise forms.ValidationError("名录库中没有该主体，或不在您的管辖范围内")
        return entity

    def data_for_service(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "body"}
        return data | {"entity": self.cleaned_data.get("body")}


class LeadCheckForm(BodyForm):
    due_on = _date("完成期限")


class LeadCloseForm(StyledForm):
    status = forms.ChoiceField(
        label="办结方式",
        choices=[
            (OnlineLead.Status.CLOSED, OnlineLead.Status.CLOSED.label),
            (OnlineLead.Status.TRANSFERRED, OnlineLead.Status.TRANSFERRED.label),
        ],
    )
    note = forms.CharField(label="办结说明", max_length=300)


class TargetedCheckForm(StyledModelForm):
    class Meta:
        model = TargetedCheck
        fields = ["checked_on", "inspectors", "result", "violation", "findings"]
        widgets = {"checked_on": forms.DateInput(), "findings": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields["result"].choices = [c for c in TargetedCheck.Result.choices if c[0]]
        self.fields["violation"].queryset = Violation.objects.filter(active=True)
        self.fields["findings"].widget.attrs["col"] = "col-12"


class TypicalCaseForm(StyledModelForm):
    class Meta:
        model = TypicalCase
        fields = [
            "title",
            "entity_name",
            "violation",
            "published_on",
            "published",
            "summary",
            "outcome",
        ]
        widgets = {
            "published_on": forms.DateInput(),
            "summary": forms.Textarea(attrs={"rows": 5, **WIDE}),
            "outcome": forms.Textarea(attrs={"rows": 3, **WIDE}),
            "title": forms.TextInput(attrs=WIDE),
        }
