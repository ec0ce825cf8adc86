"""Fixtures of the catalog tests: a logged-in page client, an API client, item factories."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from jianguan.catalog.models import METHODS, CheckItem, Department
from jianguan.org.models import ApiToken
from tests.api.conftest import ApiClient

_no = itertools.count(1)


def make_item(**fields) -> CheckItem:
    """A valid general item of 市场监管 (2%, cap 2%) unless told otherwise; not validated."""
    n = next(_no)
    defaults = {
        "department": Department.objects.get(code="SCJG"),
        "code": f"T-{n:04d}",
        "name": f"测试事项{n}",
        "legal_basis": "《中华人民共和国测试法》",
        "object_type": "企业",
        "methods": METHODS.mask(["onsite"]),
        "kind": CheckItem.Kind.GENERAL,
        "default_ratio": Decimal("0.02"),
        "cap": Decimal("0.02"),
    }
    defaults.update(fields)
    return CheckItem.objects.create(**defaults)


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def api_as(db):
    """api_as(user) → a client carrying a fresh token of `user`."""

    def make(user) -> ApiClient:
        _token, key = ApiToken.issue(user, "test")
        return ApiClient(key)

    return make
