"""The API root: Django Ninja, token authentication, OpenAPI at /api/docs.

Every answer that is not a success has the same body, {"detail": "中文说明", "errors": {field: [..]}}
(core.api.ErrorOut), produced by the exception handlers below:

    401  no, unknown or revoked token            ninja AuthenticationError
    400  body is not JSON                        ninja HttpError
    403  the caller's role may not do this        django PermissionDenied
    404  no such object in the caller's reach     django ObjectDoesNotExist / Http404
    409  unique clash lost to a concurrent write  django IntegrityError
    422  bad parameters or data                   ninja ValidationError / django ValidationError

The docs page serves Swagger UI from static/vendor/swagger-ui (never a CDN): the offices and CI
have no internet, and the site's CSP allows only its own scripts.
"""

from __future__ import annotations

import functools
import json

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.urls import URLPattern
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase
from ninja.parser import Parser
from ninja.security import HttpBearer

from jianguan.catalog.api import router as catalog_router
from jianguan.core.filters import message_of
from jianguan.credit.api import router as credit_router
from jianguan.inspections.api import router as inspections_router
from jianguan.org.models import ApiToken
from jianguan.personnel.api import router as inspectors_router
from jianguan.planning.api import router as planning_router
from jianguan.portal.api import router as portal_router
from jianguan.publication.api import router as publication_router
from jianguan.registry.api import router as entities_router
from jianguan.risk.api import router as risk_router
from jianguan.sampling.api import router as sampling_router
from jianguan.testing.api import router as testing_router


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class LocalSwagger(DocsBase):
    """Swagger UI from the vendored build under static/vendor/swagger-ui; no inline script."""

    page = (
        '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
        "<title>{title}</title>"
        '<link rel="stylesheet" href="{css}"></head>'
        '<body><div id="swagger-ui"></div>{config}'
        '<script src="{bundle}"></script><script src="{init}"></script></body></html>'
    )

    def render_page(self, request, api, **kwargs) -> HttpResponse:
        config = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "validatorUrl": None,  # Swagger's public validator is online; we are not
        }
        return HttpResponse(
            format_html(
                self.page,
                title=f"{api.title} 接口文档",
                css=static("vendor/swagger-ui/swagger-ui.css"),
                bundle=static("vendor/swagger-ui/swagger-ui-bundle.js"),
                init=static("jianguan/api_docs.js"),
                config=json_script(config, "swagger-settings"),
            )
        )


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


class StrictJSON(Parser):
    """Bodies are RFC 8259 JSON: NaN and Infinity (which Python's json accepts) are a 400."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_not_json)


class JianguanAPI(NinjaAPI):
    """NinjaAPI whose 405 (a method the path does not offer) has the one error body.

    Ninja answers it with a plain-text "Method not allowed" outside the exception handlers; the
    schemathesis run (tests/api/test_schemathesis.py) found it. The Allow header is kept.
    """

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        return urls


def _json_not_allowed(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response.get("Allow", "")
        answer = error(
            request,
            405,
            _("不支持的请求方法 %(method)s；该地址允许：%(allowed)s")
            % {"method": request.method, "allowed": allowed},
        )
        answer["Allow"] = allowed
        return answer

    return wrapped


api = JianguanAPI(
    title="jianguan API",
    version="1",
    description=(
        "监管平台接口：检查对象、检查人员。\n\n"
        "认证：在请求头中携带 `Authorization: Bearer <令牌>`（令牌由管理员签发，只显示一次）。"
        "所有接口按令牌所属用户的机构管辖范围过滤：管辖范围以外的对象一律答复 404。\n\n"
        '错误答复的格式统一为 `{"detail": "中文说明", "errors": {"字段": ["说明"]}}`。\n\n'
        "文本按录入原样返回：以 = + - @ 开头的文本可能被电子表格当作公式执行，"
        "调用方写入 csv 或 Excel 文件前须自行处理（本系统的导出在这类单元格前加单引号）。"
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=LocalSwagger(),
    parser=StrictJSON(),
)
api.add_router("/entities", entities_router)
api.add_router("/inspectors", inspectors_router)
api.add_router("/catalog", catalog_router)
api.add_router("/planning", planning_router)
api.add_router("/draws", sampling_router)
api.add_router("/credit", credit_router)
api.add_router("/risk", risk_router)
api.add_router("/inspections", inspections_router)
api.add_router("/publication", publication_router)
api.add_router("/testing", testing_router)
# The public portal's API: no token, published data only.
api.add_router("/public", portal_router)


# --- error answers -------------------------------------------------------------------------------


def error(
    request, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    response = error(
        request, 401, _("未认证：请在 Authorization 请求头中提供有效的 API 令牌（Bearer）")
    )
    response["WWW-Authenticate"] = 'Bearer realm="jianguan"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 400:
        return error(request, 400, _("请求体无法解析：应为 UTF-8 编码的 JSON"))
    return error(request, exc.status_code, str(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error(request, 403, str(exc) or _("无权执行该操作"))


@api.exception_handler(ObjectDoesNotExist)
@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, _("对象不存在，或不在您的管辖范围内"))


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc):
    # full_clean() catches duplicates first; this is the race where another write won.
    return error(request, 409, _("与已有数据冲突（可能已被他人同时录入），请刷新后重试"))


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    return error(request, 422, _summary(errors), errors)


@api.exception_handler(NinjaValidationError)
def on_request_validation_error(request, exc):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field_of(item.get("loc", ())), []).append(message_of(item))
    return error(request, 422, _summary(errors), errors)


def _summary(errors: dict[str, list[str]]) -> str:
    parts = [
        msgs[0] if field == NON_FIELD_ERRORS else f"{field}：{msgs[0]}"
        for field, msgs in errors.items()
        if msgs
    ]
    return _("数据校验未通过：") + "；".join(parts)


def _field_of(loc) -> str:
    """("query", "limit") → "limit"; ("body", "payload", "domains", 0) → "domains.0"."""
    loc = list(loc)
    if loc and loc[0] == "body":
        loc = loc[2:]  # the source and the name of the body parameter
    elif loc:
        loc = loc[1:]
    return ".".join(str(part) for part in loc) or NON_FIELD_ERRORS
