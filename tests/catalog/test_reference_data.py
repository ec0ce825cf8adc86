"""What the migrations ship: the result-code list of DOMAIN.md ("Double random, one public"),
and a starter check-item list that obeys the rules of seed 003 (general items capped, key items
uncapped) with items of several departments for joint tasks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jianguan.catalog.models import CheckItem, Department, ResultCode
from jianguan.registry.models import DOMAINS

pytestmark = pytest.mark.django_db

# DOMAIN.md, verbatim: the codes in order, sub-kinds under 发现问题待后续处理.
DOMAIN_RESULT_CODES = [
    ("未发现问题", []),
    (
        "发现问题待后续处理",
        [
            "未按规定公示应当公示的信息",
            "公示信息隐瞒真实情况弄虚作假",
            "通过登记的住所（经营场所）无法联系",
            "违反其他规定",
        ],
    ),
    ("发现问题已责令改正", []),
    ("未发现开展本次抽查涉及的经营活动", []),
    ("已关闭停业或正在组织清算", []),
    ("不配合检查情节严重", []),
    ("已注销", []),
    ("已被吊销", []),
    ("已撤销登记", []),
    ("已迁出", []),
]
PROBLEM_FOUND = {
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况弄虚作假",
    "通过登记的住所（经营场所）无法联系",
    "违反其他规定",
    "发现问题已责令改正",
    "不配合检查情节严重",
}


def test_shipped_result_codes_match_domain_md():
    tops = ResultCode.objects.filter(parent__isnull=True).order_by("sort", "code")
    shipped = [(top.name, [c.name for c in top.children.order_by("sort", "code")]) for top in tops]
    assert shipped == DOMAIN_RESULT_CODES
    assert ResultCode.objects.get(name="未发现问题").code == "01"
    assert set(ResultCode.objects.filter(problem_found=True).values_list("name", flat=True)) == (
        PROBLEM_FOUND
    )
    assert not ResultCode.objects.filter(active=False).exists()
    for code in ResultCode.objects.all():
        code.full_clean()


def test_shipped_items_obey_the_rules():
    items = list(CheckItem.objects.select_related("department"))
    assert 20 <= len(items) <= 30
    for item in items:
        item.full_clean()  # key uncapped, general capped, ratio <= cap, a method
    general = [i for i in items if i.kind == "general"]
    assert general and all(i.cap is not None and i.default_ratio <= i.cap for i in general)
    assert all(i.cap is None for i in items if i.kind == "key")
    # Enterprise public information: not less than 3% (企业公示信息抽查办法).
    public = CheckItem.objects.get(name="企业公示信息抽查")
    assert public.kind == "general" and public.default_ratio >= Decimal("0.03")
    # Testing bodies (seed 001): key items, at least 15% a year.
    for name in ("检验检测机构资质认定事项检查", "检验检测报告真实性检查"):
        body = CheckItem.objects.get(name=name)
        assert body.kind == "key" and body.default_ratio >= Decimal("0.15")
        assert body.domains & DOMAINS.by_code["testing_body"]


def test_departments_for_joint_tasks():
    names = set(Department.objects.values_list("name", flat=True))
    assert {"市场监管", "公安", "生态环境", "农业农村", "司法", "人防", "道路运输", "药监"} <= names
    with_items = {d.name for d in Department.objects.all() if d.items.filter(active=True).exists()}
    assert len(with_items) >= 4 and "市场监管" in with_items
    # Items of other departments on testing bodies: a joint task can combine them.
    testing = CheckItem.objects.filter(domains__gt=0).exclude(department__code="SCJG")
    assert DOMAINS.filter(testing, "domains", ["testing_body"]).count() >= 2
