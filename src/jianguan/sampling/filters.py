"""Filters of the draw list and a draw's result rows (core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Ref, Search, Year

from . import selectors
from .models import Draw


def year_options(user, filters=None) -> list[tuple[str, str]]:
    return [(str(y), f"{y} 年") for y in selectors.draw_years(user=user)]


class DrawFilters(Filters):
    q: Search("输入任务名称关键字", label="任务名称") = None
    year: Year("年度", year_options) = None
    status: Choice("状态", Draw.Status.choices) = None
    task: Ref("抽查任务") = None


class DrawRowFilters(Filters):
    """A draw's page: its drawn entities searched by name or credit code."""

    q: Search("企业名称或统一社会信用代码") = None
