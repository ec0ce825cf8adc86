"""Listings made through the services (so every fixture row is scoped, validated and audited)."""

from __future__ import annotations

import datetime as dt

import pytest

from jianguan.credit import services
from jianguan.workdays import selectors as workdays
from tests.conftest import DISTRICT_A, unit

D = dt.date


@pytest.fixture(autouse=True)
def fresh_schedule():
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def abnormal(city_admin, make_entity):
    """abnormal(**fields) → an AbnormalListing in district A, listed by its district bureau."""

    def make(entity=None, user=None, **fields):
        data = {
            "entity": entity or make_entity(),
            "reason": "annual_report",
            "trigger_date": D(2025, 6, 30),
            "listed_on": D(2025, 7, 10),
            "decided_by": unit(DISTRICT_A),
            "decision_no": "黄市监异〔2025〕1号",
            "note": "内部：经办人核实电话无人接听",
        }
        data.update(fields)
        return services.abnormal_create(user=user or city_admin, data=data)

    return make


@pytest.fixture
def serious(city_admin, make_entity):
    """serious(**fields) → a SeriousListing (listed) in district A, listed by its district."""

    def make(entity=None, user=None, **fields):
        listed_on = fields.pop("listed_on", D(2025, 3, 1))  # None: proposed (拟列入)
        notice_on = (listed_on or D(2025, 3, 1)) - dt.timedelta(days=20)
        data = {
            "entity": entity or make_entity(),
            "category": "food",
            "violation": "内部：生产经营添加非食用物质的食品，货值金额较大",
            "penalty_decision_no": "黄市监处罚〔2025〕8号",
            "penalty_on": notice_on - dt.timedelta(days=10),
            "listed_by": unit(DISTRICT_A),
            "notice_on": notice_on,
            "listed_on": listed_on,
            "decision_no": "黄市监列严〔2025〕2号" if listed_on else "",
            "note": "内部备注：请勿公开",
        }
        data.update(fields)
        return services.serious_create(user=user or city_admin, data=data)

    return make
