"""Filters of the key-area lists and the risk-class list (core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Ref, Search

from .models import KeyAreaInfo, KeyAreaMatter

AREAS = KeyAreaMatter._meta.get_field("area").choices
TIERS = (("special", "特殊重点"), ("general", "一般重点"))
RISK_CLASSES = tuple((c, f"{c}类") for c in "ABCD")


class MatterFilters(Filters):
    q: Search("事项名称、对象或监管部门", label="搜索") = None
    area: Choice("重点领域", AREAS) = None


class InfoFilters(MatterFilters):
    q: Search("信息名称或提供单位", label="搜索") = None
    category: Choice("类别", KeyAreaInfo.Category.choices) = None


class ListingFilters(Filters):
    q: Search() = None
    tier: Choice("重点类别", TIERS) = None
    area: Choice("重点领域", AREAS) = None
    district: Ref("所属区局") = None


class ClassFilters(Filters):
    q: Search() = None
    risk_class: Choice("信用风险分类", RISK_CLASSES, internal=True) = None
    district: Ref("所属区局") = None


class JobParam(Filters):
    """?job=<id>: the backtest whose report the page shows."""

    job: Ref("回测任务") = None


class CoverageFilters(Filters):
    q: Search() = None
    district: Ref("所属区局") = None
