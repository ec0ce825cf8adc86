"""Filters of the inspection lists (core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Flag, Ref, Search

from .models import FollowUp
from .selectors import STATUS_CHOICES

ENTITY_OR_TASK = "企业名称、统一社会信用代码或任务名称"


class VisitFilters(Filters):
    q: Search(ENTITY_OR_TASK, label="搜索") = None
    status: Choice("录入状态", STATUS_CHOICES) = None
    task: Ref("抽查任务") = None


class FollowUpFilters(Filters):
    q: Search("企业名称或统一社会信用代码") = None
    status: Choice("处置状态", FollowUp.Status.choices) = None
    overdue: Flag("逾期", "已逾期", "未逾期") = None


class DownloadParam(Filters):
    """?download=1: the evidence file as an attachment instead of shown in the browser."""

    download: Flag("下载") = None
