"""Filters of the publication and public-result lists (core/filters.py)."""

from jianguan.core.filters import Choice, Date, Filters, Flag, Pattern, Ref, Search

from .models import Publication

CLOCKS = (("near", "临近期限"), ("overdue", "已逾期"))
WITHDRAWN = (("yes", "已撤回"), ("no", "未撤回"))


class PublicationFilters(Filters):
    q: Search("输入任务名称关键字", label="任务名称") = None
    status: Choice("状态", Publication.Status.choices) = None
    clock: Choice("期限", CLOCKS) = None
    district: Ref("所属区局") = None


class ResultFilters(Filters):
    q: Search("企业名称或统一社会信用代码") = None
    task: Ref("抽查任务") = None
    code: Pattern("检查结果代码", r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$") = None
    withdrawn: Choice("撤回", WITHDRAWN) = None
    publication: Ref("公示") = None
    district: Ref("所属区局") = None
    since: Date("公示日期起") = None


class InterchangeFilters(ResultFilters):
    withdrawals: Flag("撤回记录") = None
