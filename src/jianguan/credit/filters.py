"""Filters of the credit lists: one declaration for each list page, its export and the API
(core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Ref, Search
from jianguan.org.filters import district_options

from .models import AbnormalListing, CreditCommitment, SeriousListing

CLOCKS = (
    ("late", "逾期列入"),
    ("removal_due", "待移出（事由已消除）"),
    ("escalation", "将满或已满3年"),
)


class CreditFilters(Filters):
    q: Search("名称或统一社会信用代码") = None
    district: Ref("所属区局", district_options) = None


class AbnormalFilters(CreditFilters):
    status: Choice("状态", AbnormalListing.Status.choices) = None
    reason: Choice("列入事由", AbnormalListing.Reason.choices, col="col-12 col-md-4 col-lg-3") = (
        None
    )
    clock: Choice("期限", CLOCKS) = None


class SeriousFilters(CreditFilters):
    status: Choice("状态", SeriousListing.Status.choices) = None
    category: Choice("列入情形", SeriousListing.Category.choices) = None


class CommitmentFilters(CreditFilters):
    status: Choice("履行状态", CreditCommitment.Status.choices) = None
    kind: Choice("承诺类型", CreditCommitment.Kind.choices) = None


class RemovalParam(Filters):
    """?reason=<code>: the removal form opened for one reason (a cured listing: 事由消除)."""

    reason: Choice("移出原因", AbnormalListing.RemovalReason.choices) = None
