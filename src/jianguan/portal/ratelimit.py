"""Rate limiting of the public portal against scraping (django-ratelimit).

One budget per client address for the portal's pages and its API together (a scraper gains
nothing by switching), JIANGUAN_PORTAL_RATE requests per window, e.g. "60/m"; "off" (or empty)
turns the limit off, as the benchmarks do. The address is core.security.client_ip: REMOTE_ADDR,
or with JIANGUAN_PROXY_COUNT trusted proxies the address the outermost proxy saw — a client
cannot pick its own budget by sending X-Forwarded-For.

The counters live in the cache named by RATELIMIT_USE_CACHE (settings: "ratelimit").
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from jianguan.core.security import client_ip

GROUP = "portal"
DEFAULT_RATE = "60/m"
MESSAGE = "访问过于频繁：每个网络地址每分钟最多 {limit} 次查询，请稍后再试。"


def rate() -> str | None:
    """The configured rate, or None when the limit is off."""
    value = str(getattr(settings, "JIANGUAN_PORTAL_RATE", DEFAULT_RATE) or "").strip()
    return None if value.lower() in ("", "off", "0", "none") else value


def _key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def exceeded(request) -> dict | None:
    """Count this request; the usage ({count, limit, time_left, ...}) when it is over the limit."""
    current = rate()
    if current is None:
        return None
    usage = get_usage(request, group=GROUP, key=_key, rate=current, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return usage


def message(usage: dict) -> str:
    return MESSAGE.format(limit=usage["limit"])


def limit_page(view):
    """A page view under the portal's budget: over it, the Chinese 429 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        usage = exceeded(request)
        if usage is not None:
            response = render(
                request,
                "portal/429.html",
                {"message": message(usage), "retry_after": usage["time_left"]},
                status=429,
            )
            response["Retry-After"] = str(max(1, usage["time_left"]))
            return response
        return view(request, *args, **kwargs)

    return wrapped


def limit_api(operation):
    """An API operation under the portal's budget: over it, 429 with the API's error body
    ({"detail": ..., "errors": {}}; jianguan.api turns the HttpError into it)."""
    from ninja.errors import HttpError

    @functools.wraps(operation)
    def wrapped(request, *args, **kwargs):
        usage = exceeded(request)
        if usage is not None:
            raise HttpError(429, message(usage))
        return operation(request, *args, **kwargs)

    return wrapped
