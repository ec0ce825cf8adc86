"""Forms of the catalog pages. They parse and check input; writes go through services.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import ImportForm, StyledModelForm
from jianguan.registry.forms import FlagChoiceField
from jianguan.registry.models import DOMAINS

from .models import METHODS, RATIO_PLACES, CheckItem, Department, ResultCode, percent_number

ITEM_FORM_FIELDS = [
    "department",
    "code",
    "name",
    "kind",
    "default_ratio",
    "cap",
    "object_type",
    "methods",
    "domains",
    "legal_basis",
    "active",
]
RESULT_CODE_FORM_FIELDS = ["code", "name", "parent", "problem_found", "sort", "active"]
DEPARTMENT_FORM_FIELDS = ["code", "name"]


class PercentField(forms.DecimalField):
    """A ratio typed in percent (3 or 2.5) and stored as a fraction (0.0300, 0.0250)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 5)  # 100.00
        kwargs.setdefault("decimal_places", RATIO_PLACES - 2)  # 0.01% is the finest step
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # the stored fraction; typed text is shown as typed
            return percent_number(value)
        return value

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else (value / 100).quantize(Decimal(1).scaleb(-RATIO_PLACES))


class CheckItemForm(StyledModelForm):
    default_ratio = PercentField(
        label=_("默认抽查比例（%）"), help_text=_("填写百分数，如 3 表示 3%；须大于 0")
    )
    cap = PercentField(
        label=_("比例上限（%）"),
        required=False,
        help_text=_("一般检查事项必填（如 2），默认比例不得超过上限；重点检查事项不设上限，须留空"),
    )
    methods = FlagChoiceField(METHODS, label=_("检查方式"), help_text=_("至少选择一种"))
    domains = FlagChoiceField(
        DOMAINS, label=_("监管领域"), help_text=_("事项针对的监管领域，用于筛选检查对象")
    )

    class Meta:
        model = CheckItem
        fields = ITEM_FORM_FIELDS
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("全市唯一，如 SH-SC-001"),
            "legal_basis": _("多项依据用“；”分隔；换行在保存时合并为空格"),
        }
        error_messages = {"code": {"unique": _("该事项编码已存在")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["department"].empty_label = _("请选择部门")
        self.fields["code"].widget.attrs["class"] += " mono"
        for name in ("legal_basis", "methods", "domains"):
            self.fields[name].widget.attrs["col"] = "col-12"
        for name in ("methods", "domains"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ITEM_FORM_FIELDS}


class ResultCodeForm(StyledModelForm):
    class Meta:
        model = ResultCode
        fields = RESULT_CODE_FORM_FIELDS
        help_texts = {
            "parent": _("细分类型选择其上级代码（如“发现问题待后续处理”）；结果代码只分两级"),
            "problem_found": _("该结果是否表示检查发现了问题；细分类型须与上级代码一致"),
            "sort": _("数字小的排在前面"),
        }
        error_messages = {"code": {"unique": _("该代码已存在")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = ResultCode.objects.filter(parent__isnull=True).order_by("sort", "code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("（无：一级代码）")
        self.fields["code"].widget.attrs["class"] += " mono"

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in RESULT_CODE_FORM_FIELDS}


class DepartmentForm(StyledModelForm):
    class Meta:
        model = Department
        fields = DEPARTMENT_FORM_FIELDS
        help_texts = {"code": _("如 SCJG（市场监管）、GA（公安）")}
        error_messages = {
            "code": {"unique": _("该部门代码已存在")},
            "name": {"unique": _("该部门名称已存在")},
        }

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in DEPARTMENT_FORM_FIELDS}


class ListImportForm(ImportForm):
    """Upload of a small reference list, imported at once and all-or-nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["skip_invalid"]
