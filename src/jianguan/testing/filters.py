"""Filters of the testing lists: one declaration each for the page, its export and the API
(core/filters.py)."""

from __future__ import annotations

from jianguan.catalog.models import Violation
from jianguan.core.filters import Choice, Date, Filters, Flag, Ref, Search, Year
from jianguan.org.filters import district_options
from jianguan.registry.models import TESTING_FIELDS

from .models import (
    Application,
    Assessment,
    BodyChange,
    FollowUp,
    Grade,
    Handling,
    OnlineLead,
    PTScheme,
    Qualification,
    Rectification,
    Route,
)

BODY = "机构名称或统一社会信用代码"
District = Ref("所属区局", district_options)
Field = Choice("检验检测领域", TESTING_FIELDS.choices)


class QualificationFilters(Filters):
    q: Search("机构名称、统一社会信用代码或证书编号") = None
    status: Choice("状态", Qualification.Status.choices) = None
    route: Choice("取得方式", Route.choices) = None
    field: Field = None
    district: District = None


class ApplicationFilters(Filters):
    q: Search(BODY) = None
    status: Choice("状态", Application.Status.choices) = None
    district: District = None


class ChangeFilters(Filters):
    q: Search("机构名称、统一社会信用代码或变更内容") = None
    kind: Choice("变更事项", BodyChange.Kind.choices) = None
    source: Choice("来源", BodyChange.Source.choices) = None
    district: District = None


FOLLOW_UP_STATES = (
    ("pending", "待核查"),
    ("overdue", "已逾期未核查"),
    ("done", "已核查"),
    ("untrue", "承诺不实"),
)


class FollowUpFilters(Filters):
    q: Search("机构名称、统一社会信用代码或证书编号") = None
    state: Choice("状态", FOLLOW_UP_STATES) = None
    method: Choice("核查方式", FollowUp.Method.choices) = None
    district: District = None
    year: Year("核查期限年度") = None


class PlanFilters(Filters):
    year: Year() = None
    district: District = None


class TargetFilters(Filters):
    q: Search(BODY) = None
    state: Choice("监测情况", (("covered", "已监测"), ("uncovered", "未监测"))) = None


class SchemeFilters(Filters):
    q: Search("计划编号、名称或提供者") = None
    kind: Choice("类型", PTScheme.Kind.choices) = None
    field: Choice("领域", TESTING_FIELDS.choices) = None
    year: Year() = None


class ResultFilters(Filters):
    q: Search("机构名称、统一社会信用代码或计划编号") = None
    scheme: Ref("能力验证计划") = None
    grade: Choice("评定结果", Grade.choices) = None
    district: District = None
    year: Year("计划年度") = None


class RectificationFilters(Filters):
    q: Search(BODY) = None
    status: Choice("状态", (("overdue", "已逾期"), *Rectification.Status.choices)) = None
    district: District = None


class AssessmentFilters(Filters):
    q: Search(BODY) = None
    conclusion: Choice("考核结论", Assessment.Conclusion.choices) = None
    field: Choice("考核领域", TESTING_FIELDS.choices) = None
    district: District = None


class GradeFilters(Filters):
    q: Search(BODY) = None
    grade: Choice("信用等级", (("A", "A级"), ("B", "B级"), ("C", "C级"), ("D", "D级"))) = None
    district: District = None


class LeadFilters(Filters):
    q: Search("销售者、平台或网址") = None
    status: Choice("状态", OnlineLead.Status.choices) = None
    kind: Choice("线索类型", OnlineLead.Kind.choices) = None
    district: District = None


class CheckFilters(Filters):
    q: Search(BODY) = None
    state: Choice("状态", (("pending", "待检查"), ("violation", "发现违法行为"))) = None
    district: District = None


class HandlingFilters(Filters):
    q: Search("机构名称、统一社会信用代码、文号或案件编号") = None
    measure: Choice("处理措施", Handling.Measure.choices) = None
    source: Choice("来源", Handling.Source.choices) = None
    district: District = None


class ViolationFilters(Filters):
    category: Choice("类别", Violation.Category.choices) = None


class YearParam(Filters):
    """?year= of the yearly report pages."""

    year: Year() = None


class PeriodParam(Filters):
    """?start=&end= of the monitoring report."""

    start: Date("起始日期") = None
    end: Date("截止日期") = None


class CheckParam(Filters):
    """?check=<id>: a handling opened from a targeted check."""

    check: Ref("定向检查") = None


class RevokeParam(Filters):
    """?false_commitment=1: the status form opened to revoke for a false commitment."""

    false_commitment: Flag("虚假承诺") = None
