"""Filters of the result-code list (core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Flag, Ref, Search
from jianguan.registry.models import DOMAINS

from .models import CheckItem


class ItemFilters(Filters):
    q: Search("名称或事项代码", label="搜索") = None
    department: Ref("检查部门") = None
    kind: Choice("事项类别", CheckItem.Kind.choices) = None
    domain: Choice("监管领域", DOMAINS.choices) = None
    active: Flag("状态", "启用", "停用") = None


class ResultCodeFilters(Filters):
    q: Search("名称或代码", label="搜索") = None
    active: Flag("状态", "启用", "停用") = None


class ParentParam(Filters):
    """?parent=<id>: a sub-kind opened from its parent code starts under it."""

    parent: Ref("上级代码") = None
