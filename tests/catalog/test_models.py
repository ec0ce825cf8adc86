"""The check-item rules (DOMAIN.md "Double random, one public"; seed 003 二): key items have no
upper cap on the sampling ratio; general items have a cap (seed 003: 2%) and their default ratio
may not exceed it. Result codes have two levels, sub-kinds agreeing with their parent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jianguan.catalog.models import METHODS, CheckItem, Department, ResultCode, percent

from .conftest import make_item

pytestmark = pytest.mark.django_db


def item(**fields) -> CheckItem:
    base = {
        "department": Department.objects.get(code="SCJG"),
        "code": "M-001",
        "name": "测试事项",
        "legal_basis": "《中华人民共和国测试法》",
        "object_type": "企业",
        "methods": METHODS.mask(["onsite", "document"]),
        "kind": CheckItem.Kind.GENERAL,
        "default_ratio": Decimal("0.02"),
        "cap": Decimal("0.02"),
    }
    base.update(fields)
    return CheckItem(**base)


def errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def test_kind_values_and_names():
    """The planning app relies on these names: KIND with values general/key, METHODS a FlagSet."""
    assert CheckItem.KIND is CheckItem.Kind
    assert sorted(CheckItem.Kind.values) == ["general", "key"]
    assert CheckItem.Kind.KEY.label == "重点检查事项"
    assert [label for _c, label in METHODS.choices] == [
        "实地检查",
        "书面检查",
        "网络检查",
        "委托专业机构",
        "检验检测",
        "采信其他部门结论",
    ]


def test_general_item_within_its_cap_is_valid():
    item().full_clean()
    item(default_ratio=Decimal("0.01"), cap=Decimal("0.02")).full_clean()


def test_key_item_has_no_cap():
    """Key items: no upper cap, any ratio up to 100%."""
    item(kind="key", cap=None, default_ratio=Decimal("0.5")).full_clean()
    item(kind="key", cap=None, default_ratio=Decimal("1")).full_clean()
    got = errors(item(kind="key", cap=Decimal("0.05"), default_ratio=Decimal("0.05")))
    assert got == {"cap": ["重点检查事项抽查比例不设上限，请清空比例上限"]}


def test_general_item_needs_a_cap():
    assert errors(item(cap=None)) == {"cap": ["一般检查事项须设比例上限（如 2%）"]}


def test_general_item_ratio_not_above_cap():
    got = errors(item(default_ratio=Decimal("0.03"), cap=Decimal("0.02")))
    assert got == {"default_ratio": ["默认抽查比例（3%）不能高于比例上限（2%）"]}


def test_ratio_bounds_and_methods():
    """A ratio is a fraction in (0, 1]; an item has at least one check method."""
    assert "default_ratio" in errors(item(default_ratio=Decimal("0"), cap=Decimal("0.02")))
    assert "default_ratio" in errors(item(kind="key", cap=None, default_ratio=Decimal("1.5")))
    assert errors(item(methods=0)) == {"methods": ["请至少选择一种检查方式"]}


def test_database_refuses_what_clean_refuses():
    """The same rule as a check constraint: no write path can store a capped key item."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(kind="key", cap=Decimal("0.05"))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(default_ratio=Decimal("0.05"), cap=Decimal("0.02"))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(cap=None)


def test_legal_basis_kept_on_one_line():
    """Lists travel as csv/xlsx cells, which take no line breaks."""
    obj = item(legal_basis="《甲法》第一条；\n《乙条例》 第二条\r\n")
    obj.full_clean()
    assert obj.legal_basis == "《甲法》第一条； 《乙条例》 第二条"


def test_percent_display():
    assert percent(Decimal("0.0300")) == "3%"
    assert percent(Decimal("0.0250")) == "2.5%"
    assert percent(Decimal("1.0000")) == "100%"


def test_result_codes_have_two_levels_and_agree_with_parent():
    parent = ResultCode.objects.get(code="02")
    child = ResultCode.objects.get(code="0201")
    grandchild = ResultCode(code="020101", name="更细", parent=child, problem_found=True)
    assert "parent" in errors(grandchild)
    wrong = ResultCode(code="0299", name="不一致", parent=parent, problem_found=False)
    assert "problem_found" in errors(wrong)
    ok = ResultCode(code="0299", name="其他", parent=parent, problem_found=True)
    ok.full_clean()
    # A code with sub-kinds cannot itself become a sub-kind.
    parent.parent = ResultCode.objects.get(code="03")
    assert "parent" in errors(parent)
