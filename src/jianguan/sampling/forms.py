"""Forms of the draw steps: external entropy, re-draw reason, merging visits."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm


class DeclarationForm(StyledForm):
    """Which future public value will be the external entropy: declared before the commitment
    and bound by it (docs/draw-protocol.md, protocol version 2)."""

    entropy_source = forms.CharField(
        label=_("外部随机数来源"),
        max_length=200,
        help_text=_("如：中国福利彩票 福彩3D"),
        widget=forms.TextInput(attrs={"col": "col-md-6"}),
    )
    entropy_identifier = forms.CharField(
        label=_("期号与数值"),
        max_length=200,
        help_text=_("如：福彩3D 第2026340期 开奖号码"),
        widget=forms.TextInput(attrs={"col": "col-md-6"}),
    )
    entropy_announced_at = forms.DateTimeField(
        label=_("公布时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("须在承诺之后：承诺时该数值尚不存在，任何人都无法预知"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "col": "col-md-4"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    entropy_kind = forms.ChoiceField(
        label=_("数值格式"),
        choices=[
            ("digits", _("若干位数字（如福彩3D、排列五）")),
            ("numbers", _("若干个号码（如双色球）")),
        ],
        widget=forms.Select(attrs={"col": "col-md-4"}),
    )
    entropy_count = forms.IntegerField(
        label=_("位数或个数"),
        min_value=1,
        max_value=100,
        help_text=_("福彩3D 为 3 位数字；双色球为 7 个号码"),
        widget=forms.NumberInput(attrs={"col": "col-md-4"}),
    )

    def declaration(self) -> dict:
        d = self.cleaned_data
        return {
            "source": d["entropy_source"],
            "identifier": d["entropy_identifier"],
            "announced_at": d["entropy_announced_at"],
            "format": f"{d['entropy_kind']}:{d['entropy_count']}",
        }


class EntropyForm(StyledForm):
    external_entropy = forms.CharField(
        label=_("外部随机数"),
        max_length=400,
        help_text=_(
            "按公布的数值照录；空格、逗号等分隔符和全角数字会按声明的格式统一为规范形式。"
            "只能录入一次，录错只能在抽取后说明理由重新抽取。"
        ),
        widget=forms.TextInput(attrs={"col": "col-md-6", "autocomplete": "off"}),
    )


class RedrawForm(StyledForm):
    reason = forms.CharField(
        label=_("重新抽取理由"),
        min_length=4,
        max_length=2000,
        help_text=_("必填。原抽取结果保留备查，并标记为“已重新抽取”。"),
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
        error_messages={
            "required": _("重新抽取须书面说明理由（不少于 4 个字）"),
            "min_length": _("重新抽取须书面说明理由（不少于 4 个字）"),
        },
    )


class MergeForm(forms.Form):
    visit = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    into = forms.IntegerField(min_value=1, max_value=2**63 - 1)
