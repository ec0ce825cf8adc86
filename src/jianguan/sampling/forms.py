"""Forms of the draw steps: external entropy, re-draw reason, merging visits."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm


class EntropyForm(StyledForm):
    external_entropy = forms.CharField(
        label=_("外部随机数"),
        max_length=200,
        help_text=_(
            "须为公布承诺值之后才公开的数字，例如承诺之后开奖的福利彩票、体育彩票号码；"
            "事先无法预知，任何人事后都能核对。"
        ),
        widget=forms.TextInput(attrs={"col": "col-md-6", "autocomplete": "off"}),
    )
    entropy_source = forms.CharField(
        label=_("来源"),
        max_length=200,
        required=False,
        help_text=_("如：中国福利彩票双色球 2026年第058期开奖号码（2026-05-19 公布）"),
        widget=forms.TextInput(attrs={"col": "col-md-6"}),
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
