"""Forms of the account pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("用途"),
        max_length=100,
        help_text=_("写明谁、在哪里使用这个令牌，便于日后识别和吊销"),
        widget=forms.TextInput(
            attrs={"placeholder": _("例如：区数据中心夜间同步脚本"), "col": "col-12"}
        ),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写用途"))
        return name
