"""Forms of the account pages and of user management."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm, StyledMixin, StyledModelForm

from . import selectors
from .models import User


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


class PasswordChangeForm(StyledMixin, auth_forms.PasswordChangeForm):
    """Django's own form (old password, new password twice, the validators), styled."""


class SetPasswordForm(StyledMixin, auth_forms.SetPasswordForm):
    """An administrator sets a user's password (new password twice, the validators)."""


class UserForm(StyledModelForm):
    """An account: name, unit and role within what the administrator manages."""

    password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 个字符，不能全是数字；请通知本人登录后在“修改密码”中改掉"),
    )

    class Meta:
        model = User
        fields = ["username", "last_name", "first_name", "unit", "role", "is_active"]
        labels = {"username": _("登录名"), "last_name": _("姓"), "first_name": _("名")}
        help_texts = {"username": _("字母、数字和 @ . + - _，登录时使用")}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.manageable_units(user=actor)
        self.fields["unit"].required = True
        grantable = selectors.grantable_roles(user=actor)
        self.fields["role"].choices = [
            (value, label) for value, label in User.Role.choices if value in grantable
        ]
        if self.instance.pk:
            del self.fields["password1"]
