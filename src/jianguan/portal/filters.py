"""The public portal's search boxes (core/filters.py): a bad value is the portal's 400 page."""

from jianguan.core.filters import Filters, Ref, Search


class EntitySearch(Filters):
    q: Search("企业名称或统一社会信用代码", label="查询") = None


class TestingSearch(Filters):
    q: Search("机构名称、统一社会信用代码或证书编号", label="查询") = None


class BoardSearch(Filters):
    q: Search("单位或抽查任务名称", label="查找") = None
    draw: Ref("抽取") = None
