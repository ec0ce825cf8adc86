"""Filters of the inspector roster, the expert pool and conflict declarations: one declaration
for the list page, its export and the API (core/filters.py)."""

from jianguan.core.filters import Choice, Code, Filters, Flag, Ref, Search
from jianguan.org.filters import unit_options

from .models import Expertise


def expertise_options(user=None, filters=None) -> list[tuple[str, str]]:
    return list(Expertise.objects.order_by("id").values_list("code", "name"))


def field_options(user=None, filters=None) -> list[tuple[int, str]]:
    return list(Expertise.objects.order_by("id").values_list("id", "name"))


CERT = (("valid", "有效"), ("expired", "已过期/无证"))


class InspectorFilters(Filters):
    q: Search("姓名、工号或执法证号") = None
    unit: Ref(
        "所属机构",
        unit_options,
        col="col-6 col-lg-3",
        description="所属机构 id（给区局 id 时包含其下各所队）",
    ) = None
    expertise: Code("业务专长", expertise_options) = None
    active: Flag("状态", "在岗", "离岗") = None
    cert: Choice("执法证", CERT) = None


class ExpertFilters(Filters):
    q: Search("姓名或工作单位") = None
    field: Ref("专业领域", field_options) = None
    active: Flag("状态", "在库", "已出库") = None


class ConflictFilters(Filters):
    q: Search("市场主体名称或代码、人员姓名") = None
    current: Choice("状态", (("1", "当前生效的"),)) = None
    inspector: Ref("检查人员") = None
    expert: Ref("专家") = None
