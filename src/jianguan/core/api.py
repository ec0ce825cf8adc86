"""Pieces every app's API shares: the error body, input types that never reach the database
malformed, and paging.

Request parsing belongs here and in the apps' api.py; validation of meaning (a credit code's
check character, a unit outside the caller's jurisdiction) stays in the models and services, and
reaches the client through the exception handlers in jianguan/api.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

from .converters import MAX_ID
from .filters import ObjectId, Text

__all__ = ["MAX_ID", "ObjectId", "Text"]  # the input types, shared with the pages' filters

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_OFFSET = 2**31 - 1


class ErrorOut(Schema):
    """The body of every 4xx answer."""

    detail: str = Field(description="中文错误说明")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="按字段列出的错误信息：键为字段名（__all__ 表示不针对某一字段），值为该字段的错误说明列表",
    )


ERROR_DESCRIPTIONS = {
    400: "请求体无法解析（不是有效的 JSON）",
    401: "未认证：缺少、无效或已吊销的 API 令牌",
    403: "无权执行该操作（角色不允许）",
    404: "对象不存在，或不在调用者的管辖范围内",
    409: "与已有数据冲突（如统一社会信用代码或工号重复）",
    422: "参数或数据校验未通过，errors 中按字段说明原因",
}


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries documenting an operation's error answers."""
    return dict.fromkeys(codes, ErrorOut)


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"每页条数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数（从 0 开始）")


def page(qs: QuerySet, limit: int, offset: int, render) -> dict[str, Any]:
    """{count, items} for one page of a (scoped, ordered) queryset."""
    return {"count": qs.count(), "items": [render(obj) for obj in qs[offset : offset + limit]]}


# The error responses every roster operation documents (OpenAPI lists each 4xx it can answer).
LIST_ERRORS = error_responses(401, 422)
DETAIL_ERRORS = error_responses(401, 404, 422)
CREATE_ERRORS = error_responses(400, 401, 403, 409, 422)
UPDATE_ERRORS = error_responses(400, 401, 404, 409, 422)


def errors_doc(codes) -> str:
    """The operation description's list of its error codes."""
    return "\n".join(f"- {code}：{ERROR_DESCRIPTIONS[code]}" for code in codes)


class UnitRef(Schema):
    id: int = Field(description="机构 id")
    name: str = Field(description="机构名称")


class TaskRef(Schema):
    id: int = Field(description="抽查任务 id")
    title: str = Field(description="任务名称")
