"""Filters of the key-area lists, the risk-class list and the coverage page (core/filters.py):
each page, its export and the selectors read the lists through these declarations."""

from jianguan.core.filters import Choice, Filters, Ref, Search
from jianguan.org.filters import district_options
from jianguan.registry.models import Entity

from .models import KeyAreaInfo, KeyAreaListing, KeyAreaMatter

AREAS = KeyAreaMatter._meta.get_field("area").choices
District = Ref("所属区局", district_options)


class MatterFilters(Filters):
    q: Search("事项、对象或监管主体") = None
    area: Choice("重点领域", AREAS) = None


class InfoFilters(Filters):
    q: Search("信息事项或提供单位") = None
    area: Choice("重点领域", AREAS) = None
    category: Choice("信息类别", KeyAreaInfo.Category.choices) = None


class ListingFilters(Filters):
    q: Search() = None
    tier: Choice("类别", KeyAreaListing.Tier.choices) = None
    area: Choice("重点领域", AREAS) = None
    district: District = None


class ClassFilters(Filters):
    q: Search() = None
    risk_class: Choice("信用风险分类", Entity.RiskClass.choices, internal=True) = None
    district: District = None


class CoverageFilters(Filters):
    q: Search() = None
    district: District = None


class JobParam(Filters):
    """?job=<id>: the backtest whose report the page shows."""

    job: Ref("回测任务") = None
