from __future__ import annotations

import datetime as dt

import pytest

from jianguan.registry.models import DOMAINS, TESTING_FIELDS, TestingBody
from jianguan.testing import services
from tests.conftest import DISTRICT_A
from tests.planning.conftest import api_as, login  # noqa: F401 (fixtures shared with planning)


@pytest.fixture
def make_body(make_entity):
    """make_body(district, fields=["food_testing"], station=None) → an entity that is a testing
    body on the roster (no certificate yet)."""

    def make(district: str = DISTRICT_A, fields=("food_testing",), station=None, **kw):
        entity = make_entity(
            district, station, domains=DOMAINS.mask(["testing_body"]), industry_code="7452", **kw
        )
        TestingBody.objects.create(entity=entity, fields=TESTING_FIELDS.mask(fields))
        return entity

    return make


@pytest.fixture
def grant(city_admin):
    """grant(entity, route="review", issued_on=…, fields=…) → a Qualification in force."""
    counter = iter(range(1, 10**6))

    def make(entity, route="review", issued_on=None, fields=("food_testing",), user=None):
        return services.qualification_grant(
            user=user or city_admin,
            entity=entity,
            data={
                "cert_no": f"2609{next(counter):08d}",
                "scope": "食品 / 铅 / GB 5009.12",
                "fields": TESTING_FIELDS.mask(fields),
                "issued_on": issued_on or dt.date.today() - dt.timedelta(days=30),
                "route": route,
            },
        )

    return make
