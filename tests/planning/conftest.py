"""Fixtures of the planning tests: check items, a valid definition, page and API clients."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from jianguan.catalog.models import METHODS, CheckItem, Department
from jianguan.org.models import ApiToken
from tests.api.conftest import ApiClient

_no = itertools.count(1)


def make_item(kind: str = "general", cap: str | None = "0.02", dept: str = "SCJG", **fields):
    """A check item created directly (the catalog's own rules are its business, not ours)."""
    n = next(_no)
    department, _ = Department.objects.get_or_create(code=dept, defaults={"name": f"部门{dept}"})
    defaults = {
        "department": department,
        "code": f"PT-{n:04d}",
        "name": f"计划测试事项{n}",
        "legal_basis": "《中华人民共和国测试法》",
        "object_type": "企业",
        "methods": METHODS.mask(["onsite"]),
        "kind": kind,
        "default_ratio": Decimal(cap) if cap else Decimal("0.05"),
        "cap": Decimal(cap) if cap else None,
    }
    defaults.update(fields)
    return CheckItem.objects.create(**defaults)


def definition(**over) -> dict:
    """A minimal valid definition of district A (黄浦区) for 2026; keyword arguments replace
    top-level keys."""
    d = {
        "title": "2026年黄浦区食品经营者双随机抽查",
        "unit": "310101",
        "items": over.pop("items", None) or [make_item().code],
        "check_date": "2026-05-20",
        "sampling": {"mode": "ratio", "ratio": "0.02"},
    }
    d.update(over)
    return d


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def api_as(db):
    def make(user) -> ApiClient:
        _token, key = ApiToken.issue(user, "test")
        return ApiClient(key)

    return make
