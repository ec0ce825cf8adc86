from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm

from .services import WITHDRAWAL_REASON_MIN


class QueueForm(StyledForm):
    publish_on = forms.DateField(
        label=_("排期公示日期"),
        widget=forms.DateInput,
        help_text=_("不得晚于公示期限；到期由系统自动公示（jianguan publish_due）"),
        error_messages={
            "required": _("请填写排期公示日期"),
            "invalid": _("日期格式应为 2026-11-23"),
        },
    )


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("撤回理由"),
        min_length=WITHDRAWAL_REASON_MIN,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("撤回理由与撤回时间将在公示系统中显示，原检查结果不再公示"),
        error_messages={
            "required": _("请写明撤回理由"),
            "min_length": _("撤回理由至少 %(limit_value)d 个字"),
        },
    )
