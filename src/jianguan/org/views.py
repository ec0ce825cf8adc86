"""The user's own account pages (API tokens, password change) and the administrators' account
management (scoped to the units they may change; no role above their own).

A token belongs to one user and acts with that user's jurisdiction; nobody else sees it, so
every token is fetched through `ApiToken.objects.filter(user=request.user)` (404 otherwise).
The key is shown once, in the response to the form that created it; only its SHA-256 is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core.views import form_page, paginate

from . import selectors, services
from .forms import PasswordChangeForm, SetPasswordForm, TokenForm, UserForm
from .models import ApiToken, User


def _own_tokens(user):
    return ApiToken.objects.filter(user=user)


def _list_context(request, form):
    return {
        "tokens": _own_tokens(request.user).order_by("revoked", "-created_at"),
        "form": form,
        "breadcrumbs": [("系统管理", None), ("API 令牌", None)],
    }


@login_required
def token_list(request):
    return render(request, "org/token_list.html", _list_context(request, TokenForm()))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    if request.method == "GET":
        return redirect("org:token_list")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(request, "org/token_list.html", _list_context(request, form))
    token, key = services.token_issue(
        user=request.user, name=form.cleaned_data["name"], actor=request.user
    )
    # Rendered, not redirected: the key exists only in this response, never in a session or log.
    return render(
        request,
        "org/token_created.html",
        {
            "token": token,
            "key": key,
            "breadcrumbs": [
                ("系统管理", None),
                ("API 令牌", reverse("org:token_list")),
                ("新令牌", None),
            ],
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(_own_tokens(request.user), pk=pk)
    if token.revoked:
        messages.info(request, f"令牌 {token.prefix}… 已经吊销")
    else:
        services.token_revoke(token=token, actor=request.user)
        messages.success(
            request, f"已吊销令牌 {token.prefix}…（{token.name}），使用它的程序将无法再访问接口"
        )
    return redirect("org:token_list")


# --- password change (every user) --------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (old password checked, session kept), in our form template, audited."""

    form_class = PasswordChangeForm
    template_name = "core/form.html"
    success_url = reverse_lazy("home")
    extra_context = {
        "title": "修改密码",
        "intro": "请输入当前密码和新密码。新密码至少 10 个字符，不能全是数字，不能与登录名相近。",
        "breadcrumbs": [("我的账号", None), ("修改密码", None)],
        "cancel_url": reverse_lazy("home"),
    }

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(user=self.request.user)
        messages.success(self.request, "密码已修改，下次登录请使用新密码。")
        return response


# --- user management (city and district administrators) ----------------------------------------

USERS = ("账号管理", reverse_lazy("org:user_list"))


def _manager(request):
    if not selectors.may_manage_users(request.user):
        raise PermissionDenied("只有市局、区局管理员可以管理账号")


def _managed(request, pk: int) -> User:
    """A managed account; one outside the administrator's units does not exist (404)."""
    return get_object_or_404(selectors.user_list(user=request.user), pk=pk)


@login_required
def user_list(request):
    _manager(request)
    context = paginate(request, selectors.user_list(user=request.user))
    context["breadcrumbs"] = [("系统管理", None), ("账号管理", None)]
    return render(request, "org/user_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    _manager(request)
    form = UserForm(request.POST or None, actor=request.user)

    def save(form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "password1"}
        user = services.user_create(
            actor=request.user, data=data, password=form.cleaned_data["password1"]
        )
        return reverse("org:user_list") + f"#user-{user.pk}"

    return form_page(
        request,
        form,
        save,
        title="新建账号",
        breadcrumbs=[("系统管理", None), USERS, ("新建", None)],
        cancel_url=reverse("org:user_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    _manager(request)
    target = _managed(request, pk)
    form = UserForm(request.POST or None, instance=target, actor=request.user)

    def save(form):
        services.user_update(actor=request.user, target=target, data=form.cleaned_data)
        return reverse("org:user_list") + f"#user-{target.pk}"

    return form_page(
        request,
        form,
        save,
        title=f"编辑账号：{target.get_username()}",
        breadcrumbs=[("系统管理", None), USERS, (target.get_username(), None)],
        cancel_url=reverse("org:user_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request, pk: int):
    _manager(request)
    target = _managed(request, pk)
    form = SetPasswordForm(target, request.POST or None)

    def save(form):
        services.user_set_password(
            actor=request.user, target=target, password=form.cleaned_data["new_password1"]
        )
        return reverse("org:user_list") + f"#user-{target.pk}"

    return form_page(
        request,
        form,
        save,
        title=f"重设密码：{target.get_username()}",
        intro="为忘记密码的同事设置新密码，并请其登录后在“修改密码”中改掉。",
        breadcrumbs=[("系统管理", None), USERS, (target.get_username(), None), ("重设密码", None)],
        cancel_url=reverse("org:user_list"),
    )
