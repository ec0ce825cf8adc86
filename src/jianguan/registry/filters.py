"""The entity roster's filters: the list page, its export and GET /api/entities parse them with
one declaration (core/filters.py)."""

from jianguan.core.filters import Choice, Filters, Pattern, Ref, Search
from jianguan.org.filters import district_options, station_options

from .models import DOMAINS, Entity, Industry

TIERS = (("special", "特殊重点"), ("general", "一般重点"), ("none", "非重点"))
INDUSTRY = r"^([A-Ta-t]|\d{1,4})$"


def industry_options(user=None, filters=None) -> list[tuple[str, str]]:
    """Sections (门类, a letter) and divisions (大类, two digits) of GB/T 4754-2017."""
    rows = Industry.objects.order_by("section", "code").values_list("code", "name", "level")
    return [
        (code, f"{code} {name}" if level == "section" else f"\u3000{code} {name}")
        for code, name, level in rows
    ]


class EntityFilters(Filters):
    q: Search("输入名称关键字，或代码（至少6位）", label="名称或统一社会信用代码") = None
    district: Ref("所属区局", district_options, clears="station") = None
    station: Ref("所属所", station_options) = None
    domain: Choice("监管领域", DOMAINS.choices) = None
    tier: Choice("重点领域类别", TIERS) = None
    status: Choice("登记状态", Entity.Status.choices) = None
    entity_type: Choice("主体类型", Entity.Type.choices) = None
    industry: Pattern(
        "行业（门类 / 大类）",
        INDUSTRY,
        industry_options,
        description="行业：门类字母（如 F），或行业代码前缀（如 52、5211）",
        col="col-12 col-md-6 col-lg-3",
    ) = None
    # Risk classes are internal: these pages are for bureau staff only, never the public portal.
    risk_class: Choice("信用风险分类", Entity.RiskClass.choices, internal=True) = None


class EntityParam(Filters):
    """?entity=<id>: a form opened from an entity's file starts with that entity."""

    entity: Ref("市场主体") = None
