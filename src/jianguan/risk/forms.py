"""Forms of the risk app. Rules and conditions are JSON (shown pretty-printed)."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from jianguan.core import uscc
from jianguan.core.forms import StyledForm, StyledModelForm
from jianguan.core.jobs import check_upload
from jianguan.core.scoping import CHANGE
from jianguan.registry.models import DOMAINS, Entity

from .models import (
    AREAS,
    DomainAdjustment,
    Indicator,
    KeyAreaInfo,
    KeyAreaListing,
    KeyAreaMatter,
    RiskModel,
    VetoItem,
)


class JSONText(forms.JSONField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "class": "mono"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)


def _number(label):
    return forms.FloatField(label=label, min_value=0)


class ModelSettingsForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    cut_B = _number("B类得分下限")
    cut_C = _number("C类得分下限")
    cut_D = _number("D类得分下限")
    ratio_A = forms.FloatField(label="A类抽查比例", min_value=0, max_value=1)
    ratio_B = forms.FloatField(label="B类抽查比例", min_value=0, max_value=1)
    ratio_C = forms.FloatField(label="C类抽查比例", min_value=0, max_value=1)
    ratio_D = forms.FloatField(label="D类抽查比例", min_value=0, max_value=1)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_of(cls, model) -> dict:
        data = {"name": model.name, "note": model.note}
        for c in "BCD":
            data[f"cut_{c}"] = model.thresholds.get(c)
        for c in "ABCD":
            data[f"ratio_{c}"] = model.draw_ratios.get(c)
        return data

    def clean(self):
        data = super().clean()
        cuts = [data.get(f"cut_{c}") for c in "BCD"]
        if None not in cuts and not cuts[0] <= cuts[1] <= cuts[2]:
            raise forms.ValidationError("得分下限须满足 B ≤ C ≤ D")
        return data

    def changes(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "note": d["note"],
            "thresholds": {c: d[f"cut_{c}"] for c in "BCD"},
            "draw_ratios": {c: d[f"ratio_{c}"] for c in "ABCD"},
        }


class IndicatorForm(StyledModelForm):
    rule = JSONText(label="计分规则")

    class Meta:
        model = Indicator
        fields = ["group", "code", "name", "feature", "source_note", "rule", "weight", "position"]
        help_texts = {
            "rule": "bins：分段计分；flag：是/否；map：按类别；mask：按监管领域",
        }


class VetoForm(StyledModelForm):
    value = JSONText(label="比较值", help_text='如 true、3、["revoked"]')

    class Meta:
        model = VetoItem
        fields = ["code", "name", "feature", "op", "value", "basis"]


class AdjustmentForm(StyledModelForm):
    domain = forms.ChoiceField(label="监管领域", choices=DOMAINS.choices)
    multipliers = JSONText(label="指标权重系数", required=False, help_text='如 {"findings": 1.5}')

    class Meta:
        model = DomainAdjustment
        fields = ["domain", "extra_points", "multipliers", "note"]

    def clean_multipliers(self):
        return self.cleaned_data.get("multipliers") or {}


class MatterForm(StyledModelForm):
    class Meta:
        model = KeyAreaMatter
        fields = [
            "area",
            "title",
            "subject",
            "content",
            "supervisor",
            "measures",
            "basis",
            "active",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("content", "measures", "basis")}


class InfoForm(StyledModelForm):
    class Meta:
        model = KeyAreaInfo
        fields = [
            "area",
            "category",
            "title",
            "provider",
            "time_limit",
            "published",
            "basis",
            "active",
        ]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3})}


class _EntityByCode(StyledForm):
    """A form naming an entity of the user's jurisdiction by its credit code (field `uscc`)."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_uscc(self):
        code = uscc.normalise(self.cleaned_data["uscc"])
        entity = Entity.objects.restrict(self.user, CHANGE).filter(uscc=code).first()
        if entity is None:
            raise forms.ValidationError(
                "名录库中没有该统一社会信用代码的主体，或不在您的管辖范围内"
            )
        self.entity = entity
        return code


class ListingForm(_EntityByCode):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    area = forms.ChoiceField(label="重点领域", choices=AREAS)
    tier = forms.ChoiceField(label="类别", choices=KeyAreaListing.Tier.choices)
    reason = forms.CharField(label="列入理由", widget=forms.Textarea(attrs={"rows": 3}))
    listed_on = forms.DateField(label="列入日期", initial=timezone.localdate)

    def data_for_service(self) -> dict:
        d = self.cleaned_data
        return {
            "entity": self.entity,
            "area": d["area"],
            "tier": d["tier"],
            "reason": d["reason"],
            "listed_on": d["listed_on"],
        }


class ListingRemoveForm(StyledForm):
    removed_on = forms.DateField(label="移出日期", initial=timezone.localdate)
    reason = forms.CharField(label="移出理由", max_length=200)


class UploadForm(StyledForm):
    file = forms.FileField(
        label="导入文件",
        help_text="支持 .xlsx 和 .csv（UTF-8 或 GBK 编码），第一行为表头，列名与导出文件一致。"
        "任何一行有错误时整批不导入。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        check_upload(self.cleaned_data["file"])
        return self.cleaned_data["file"]


class BacktestForm(StyledForm):
    model = forms.ModelChoiceField(
        label="模型版本", queryset=RiskModel.objects.order_by("-version"), empty_label=None
    )
    split = forms.DateField(
        label="分界日期", help_text="按该日可知的数据分类，以该日之后的检查结果检验"
    )
    until = forms.DateField(label="检验截止日期", initial=timezone.localdate)

    def clean(self):
        d = super().clean()
        if d.get("split") and d.get("until") and d["until"] <= d["split"]:
            self.add_error("until", "检验截止日期应晚于分界日期")
        return d
