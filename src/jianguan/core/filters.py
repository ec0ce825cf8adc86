"""The one validator of filter parameters.

A list declares its filters once, as a `Filters` schema in `<app>/filters.py`:

    class EntityFilters(Filters):
        q: Search("名称或统一社会信用代码") = None
        district: Ref("所属区局", options=district_options) = None
        status: Choice("登记状态", Entity.Status.choices) = None

and that one declaration
- parses a page's query string (`parse`): a bad value — text with a NUL byte, a number past
  64 bits, an impossible date, an unknown choice — is a 400 page that names the filter and
  says what is wrong (never a 500, on SQLite and PostgreSQL alike);
- is the API's query schema (`Query[EntityFilters]`): the same value is a 422 with the same
  Chinese message;
- draws the filter bar of the list page (`controls`: labels, options, current values);
- is what selectors receive: typed values (ints, dates, known choices), never raw text.

A page's own address parameters go through the `<id:pk>` converter (core/converters.py): a row
id past 64 bits is a 404 there.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.core.exceptions import BadRequest
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .converters import MAX_ID

SEARCH_MAX = 100


def clean_text(value: str) -> str:
    """Strip surrounding whitespace; refuse what no database column can hold."""
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "不能包含空字符（\\x00）")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_encoding", "含有无效的 Unicode 字符") from None
    return value.strip()


# Every free-text input goes through Text (query parameters and request bodies alike).
Text = Annotated[str, AfterValidator(clean_text)]


def _text(**constraints):
    """Text with length or pattern constraints, checked on the text as sent."""
    return Annotated[str, Field(**constraints), AfterValidator(clean_text)]


# A primary key or unit id: positive and within 64 bits.
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- how a filter shows on a list page -----------------------------------------------------------

Options = Sequence[tuple[Any, Any]] | Callable[[Any, Any], Iterable[tuple[Any, Any]]]


@dataclass(frozen=True)
class Control:
    """A filter's control in the list's filter bar. `options` are (value, label) pairs, or a
    function of (user, the parsed filters) giving them (the caller's districts, the stations of
    the chosen district). A select with one option or none, or a filter without options that is not
    a search or a date, is carried as a hidden field: links set it (e.g. ?plan=3)."""

    label: str
    kind: str = "select"  # search / select / date / hidden
    options: Options | None = None
    placeholder: str = ""
    internal: bool = False  # internal data (risk classes): marked 内部 on the page
    col: str = ""
    clears: str = ""  # choosing a value here empties that filter (a district clears its station)


def _doc(label: str, choices: Sequence[tuple[Any, Any]] | None = None) -> str:
    if not choices:
        return label
    return f"{label}：" + "；".join(f"{value} {text}" for value, text in choices)


def Search(placeholder: str = "名称或统一社会信用代码", label: str = "搜索", max_length=SEARCH_MAX):  # noqa: N802
    return Annotated[
        _text(max_length=max_length) | None,
        Field(description=f"{label}：{placeholder}"),
        Control(label, "search", placeholder=placeholder),
    ]


def Choice(label: str, choices: Sequence[tuple[Any, Any]], *, internal=False, col=""):  # noqa: N802
    """One of `choices` ((value, label) pairs, e.g. a model's TextChoices.choices)."""
    values = tuple(str(value) for value, _text in choices)
    return Annotated[
        Literal[values] | None,  # type: ignore[valid-type]
        Field(description=_doc(label, choices)),
        Control(label, options=choices, internal=internal, col=col),
    ]


def Ref(label: str, options: Options | None = None, *, col="", clears="", description=""):  # noqa: N802
    """A row id (a unit, a plan, a check item): positive, within 64 bits."""
    return Annotated[
        ObjectId | None,
        Field(description=description or f"{label} id"),
        Control(label, options=options, col=col, clears=clears),
    ]


def Year(label: str = "年度", options: Options | None = None):  # noqa: N802
    return Annotated[
        int | None,
        Field(ge=1949, le=2999, description=f"{label}（四位数字）"),
        Control(label, options=options),
    ]


def Date(label: str):  # noqa: N802
    return Annotated[
        dt.date | None, Field(description=f"{label}（YYYY-MM-DD）"), Control(label, "date")
    ]


def Pattern(label: str, pattern: str, options: Options | None = None, *, description="", col=""):  # noqa: N802
    return Annotated[
        _text(pattern=pattern, max_length=SEARCH_MAX) | None,
        Field(description=description or label),
        Control(label, options=options, col=col),
    ]


def Flag(label: str, yes: str = "是", no: str = "否"):  # noqa: N802
    """Yes or no: 1/0 (or true/false) in the query, a bool for the selector."""
    return Annotated[
        bool | None,
        Field(description=f"{label}：1 或 true {yes}；0 或 false {no}"),
        Control(label, options=(("1", yes), ("0", no))),
    ]


def Code(label: str, options: Callable[..., Iterable[tuple[Any, Any]]], *, col=""):  # noqa: N802
    """A code from a table that changes (expertise tags, check items): one of `options`
    (called with no user: the same codes for everyone)."""

    def known(value: str) -> str:
        if value not in {str(code) for code, _text in options(None, None)}:
            raise PydanticCustomError("unknown_code", "不是可选的值")
        return value

    return Annotated[
        _text(max_length=64) | None,
        AfterValidator(lambda v: v if v is None else known(v)),
        Field(description=f"{label}代码"),
        Control(label, options=options, col=col),
    ]


# --- the declaration and its parsing -------------------------------------------------------------


class Filters(Schema):
    """A list's filters. Parameters that are no filter (page, format) are ignored."""

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def parse(cls, params: Mapping[str, str]):
        """Typed filters from a query string; BadFilters (a 400) naming each bad parameter.
        An empty value (an unselected select, a blank search box) is no filter."""
        data = {}
        for name in cls.model_fields:
            value = params.get(name)
            if value is not None and str(value).strip() != "":
                data[name] = value
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise BadFilters(cls, exc) from None

    def given(self) -> dict[str, Any]:
        """The filters that are set, as typed values."""
        return {k: v for k, v in self.model_dump().items() if v is not None and v != ""}

    def query(self) -> str:
        """The set filters as a query string (for export links and paging)."""
        return urlencode({k: _plain(v) for k, v in self.given().items()})


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


class NoFilters(Filters):
    pass


def validated(filters: type[Filters]):
    """A function view's query string through the one validator before the view runs: a bad
    value is a 400 page naming the parameter; the view finds the typed values in
    `request.filters`. (A list on core.generic declares its `filters` instead.)"""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            request.filters = filters.parse(request.GET)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class BadFilters(BadRequest):
    """A filter parameter that cannot be understood: the page answers 400 with these messages."""

    def __init__(self, filters: type[Filters], exc: ValidationError):
        self.errors: dict[str, list[str]] = {}
        for item in exc.errors():
            name = str(item["loc"][0]) if item.get("loc") else ""
            self.errors.setdefault(name, []).append(message_of(item, PAGE_MESSAGES))
        self.labels = {name: label_of(filters, name) for name in self.errors}
        super().__init__(self.summary())

    def summary(self) -> str:
        return "；".join(f"{self.labels[n]}：{m[0]}" for n, m in self.errors.items())


def label_of(filters: type[Filters], name: str) -> str:
    field = filters.model_fields.get(name)
    control = _control(field) if field is not None else None
    return control.label if control else name


def _control(field) -> Control | None:
    return next((m for m in field.metadata if isinstance(m, Control)), None)


def controls(filtered: Filters, user) -> list[dict[str, Any]]:
    """The filter bar of a list page: one dict per filter, in declaration order, each with its
    current value as the page shows it."""
    out = []
    values = filtered.model_dump()
    for name, field in type(filtered).model_fields.items():
        control = _control(field)
        if control is None:
            continue
        options, kind = control.options, control.kind
        if callable(options):
            options = list(options(user, filtered))
            if kind == "select" and len(options) <= 1:
                kind = "hidden"  # one district, one unit: nothing to choose
        elif kind == "select" and not options:
            kind = "hidden"
        options = [(str(value), str(text)) for value, text in options or ()]
        value = "" if values.get(name) is None else _plain(values[name])
        if kind == "hidden" and not value:
            continue
        out.append(
            {
                "name": name,
                "label": control.label,
                "kind": kind,
                "options": options,
                "value": value,
                "placeholder": control.placeholder,
                "internal": control.internal,
                "col": control.col,
                "clears": control.clears,
            }
        )
    return out


# --- Chinese for what pydantic says ---------------------------------------------------------------


def message_of(item: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> str:
    """A pydantic error item in Chinese (request parsing errors a client can cause)."""
    kind, ctx = item.get("type", ""), item.get("ctx") or {}
    template = (overrides or {}).get(kind) or MESSAGES.get(kind)
    if template is None:
        return str(item.get("msg", ""))
    if "expected" in ctx:  # pydantic joins the last choice with an English "or"
        ctx = {**ctx, "expected": str(ctx["expected"]).replace(" or ", ", ")}
    try:
        return _(template).format(**ctx)
    except (KeyError, IndexError):
        return str(item.get("msg", ""))


MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "finite_number": "应为有限数值",
    "string_type": "应为字符串",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_pattern_mismatch": "格式不正确（应匹配 {pattern}）",
    "literal_error": "应为以下值之一：{expected}",
    "enum": "应为以下值之一：{expected}",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DDTHH:MM:SS",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字总位数不能超过 {max_digits} 位",
    "decimal_max_places": "小数位数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分不能超过 {whole_digits} 位",
    "list_type": "应为列表",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "extra_forbidden": "未知字段",
    "json_invalid": "不是有效的 JSON",
    "text_nul": "不能包含空字符（\\x00）",
    "text_encoding": "含有无效的 Unicode 字符",
    "unknown_code": "不是可选的值",
}

# On a page the reader chose from a list or typed a number: no codes, patterns or bounds.
PAGE_MESSAGES = {
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "string_pattern_mismatch": "格式不正确",
    "less_than_equal": "超出范围",
    "greater_than_equal": "超出范围",
    "less_than": "超出范围",
    "greater_than": "超出范围",
}
