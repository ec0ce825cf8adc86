"""The calendar page's year (core/filters.py)."""

from jianguan.core.filters import Filters, Year


class YearParam(Filters):
    year: Year() = None
