"""Login throttling glue for django-axes (the client's address, the Chinese lockout page) and the
password length rule.

The settings are in settings/base.py (AXES_*): 5 failures of one username from one address lock
that pair for AXES_COOLOFF_TIME. API tokens never pass through here.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import password_validation
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def client_ip(request) -> str:
    """The caller's address: REMOTE_ADDR, or with JIANGUAN_PROXY_COUNT trusted proxies in front,
    the address the outermost of them saw (counted from the right of X-Forwarded-For, so a client
    cannot choose it by sending its own header)."""
    proxies = getattr(settings, "JIANGUAN_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    return chain[-proxies] if len(chain) >= proxies else remote


def cooloff_minutes() -> int | None:
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff is None:
        return None
    seconds = cooloff.total_seconds() if hasattr(cooloff, "total_seconds") else cooloff * 3600
    return max(1, math.ceil(seconds / 60))


def lockout_message() -> str:
    minutes = cooloff_minutes()
    if minutes is None:
        return _("登录失败次数过多，账号已锁定，请联系系统管理员解锁。")
    return _(
        "登录失败次数过多，账号已暂时锁定，请 %(minutes)d 分钟后再试，或联系系统管理员解锁。"
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page's look with the lockout message, status 429."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with its message in Chinese: Django 5.2 changed the message's msgid and its
    zh-hans catalog still carries the old one, so the stock message shows in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "密码长度太短。密码必须包含至少 %(min_length)d 个字符。",
            "密码长度太短。密码必须包含至少 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}
