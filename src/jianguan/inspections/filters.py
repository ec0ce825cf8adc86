"""Filters of the inspection lists (core/filters.py): each page, its export and the API read the
lists through these declarations."""

from jianguan.core.filters import Choice, Filters, Flag, Ref, Search

from . import selectors
from .models import FollowUp


def task_options(user, filters=None) -> list[tuple[str, str]]:
    return selectors.task_choices(user)


class VisitFilters(Filters):
    q: Search("名称、信用代码或任务名称", label="检查对象或任务") = None
    status: Choice("状态", selectors.STATUS_CHOICES) = None
    task: Ref("抽查任务", task_options, col="col-12 col-md-4 col-lg-3") = None


class FollowUpFilters(Filters):
    q: Search("名称或统一社会信用代码", label="检查对象") = None
    status: Choice("状态", FollowUp.Status.choices) = None
    overdue: Flag("逾期", "仅逾期未复查", "不限") = None


class DownloadParam(Filters):
    """?download=1: the evidence file as an attachment instead of shown in the browser."""

    download: Flag("下载") = None
