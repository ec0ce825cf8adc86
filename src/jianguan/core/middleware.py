"""Security headers Django 5.2 does not set itself: a Content-Security-Policy without inline
scripts or styles (every script and stylesheet is a vendored or project static file); request
bodies bounded by their Content-Length before they are read."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(self), geolocation=(self), microphone=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


# --- request body size ------------------------------------------------------------------------

# Multipart framing and the other fields of an upload form (CSRF token, checkboxes) on top of
# the file itself.
FORM_OVERHEAD = 64 * 1024


def body_limit(setting: str):
    """Declare which setting bounds the request body of a view (bytes of the file it accepts);
    without it a view takes at most JIANGUAN_REQUEST_MAX_BYTES."""

    def mark(view):
        view.body_limit_setting = setting
        return view

    return mark


def _mb(n: int) -> str:
    return f"{n / (1 << 20):g} MB"


class BodyLimitMiddleware:
    """Refuse a request on its Content-Length before any byte of the body is read: Django's
    own limits (DATA_UPLOAD_MAX_MEMORY_SIZE, a form's size check) act only after the whole body
    has arrived and been spooled to disk, so a 5 GB POST would hold a worker for minutes.
    process_view runs before CsrfViewMiddleware's (which reads request.POST), so this must stay
    above it in MIDDLEWARE. The reverse proxy must limit too (docs/deployment.md): a client that
    sends no Content-Length (chunked) gets an empty body from Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        setting = getattr(view_func, "body_limit_setting", "JIANGUAN_REQUEST_MAX_BYTES")
        allowed = getattr(settings, setting)
        if length <= allowed + FORM_OVERHEAD:
            return None
        message = _("上传的内容过大（%(got)s），此处上限为 %(max)s，请缩小文件后重试。") % {
            "got": _mb(length),
            "max": _mb(allowed),
        }
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {}}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
