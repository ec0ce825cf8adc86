"""The user's own account pages: API tokens.

A token belongs to one user and acts with that user's jurisdiction; nobody else sees it, so
every token is fetched through `ApiToken.objects.filter(user=request.user)` (404 otherwise).
The key is shown once, in the response to the form that created it; only its SHA-256 is stored.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import TokenForm
from .models import ApiToken


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
