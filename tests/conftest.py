"""Shared fixtures: users of every role on the real Shanghai units, entities with valid codes."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from pytest_django.plugin import blocking_manager_key

from jianguan.core import uscc
from jianguan.org.models import Unit, User
from jianguan.registry.models import Entity


def pytest_configure(config):
    """Each pytest-xdist worker has its own database, whose ids start at 1 like the others': its
    files (draw proofs under draws/<id>/, evidence…) get their own folder, or two workers' draw 1
    collide. Commands the tests start as processes keep the folder they are given."""
    from django.conf import settings

    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        settings.MEDIA_ROOT = Path(settings.MEDIA_ROOT) / worker
    expected = os.environ.get("JIANGUAN_EXPECT_DATABASE")
    if expected and expected != _vendor():
        raise pytest.UsageError(
            f"JIANGUAN_EXPECT_DATABASE={expected} but the tests would run on {_vendor()}: "
            "check DATABASE_URL"
        )


def _vendor() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else engine.rsplit(".", 1)[-1]


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgresql` tests are skipped on SQLite (the one sanctioned skip)."""
    if _vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: runs when DATABASE_URL names PostgreSQL")
    for item in items:
        if item.get_closest_marker("postgresql"):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On PostgreSQL a PostgreSQL-only test must run: a skip there (however it came about) is
    a failure, so CI cannot pass with the PostgreSQL checks silently left out."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("postgresql") and _vendor() == "postgresql":
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL-only test skipped in the PostgreSQL run: {report.longrepr}"


_serial = itertools.count(1)

DISTRICT_A = "310101"  # 黄浦区
DISTRICT_B = "310104"  # 徐汇区


def new_uscc(region: str = "310101", category: str = "1") -> str:
    """A fresh valid code: 9 = market regulation, category, region, 9-char identifier."""
    return uscc.compose(f"9{category}{region}MA{next(_serial):07d}")


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def filter_control(response, name: str) -> dict | None:
    """A list page's filter control (core/filters.py `controls`), or None when the page does
    not show it (a filter with nothing to choose)."""
    return next((c for c in response.context["controls"] if c["name"] == name), None)


def filter_options(response, name: str) -> list[str]:
    """The values a list page's filter offers ([] when it is not shown)."""
    control = filter_control(response, name)
    return [value for value, _label in control["options"]] if control else []


@pytest.fixture
def make_user(db):
    def make(role: str, unit_code: str, username: str | None = None) -> User:
        name = username or f"{role}-{unit_code}-{next(_serial)}"
        user = User.objects.create_user(
            username=name, password="pw-for-tests-only", role=role, unit=unit(unit_code)
        )
        user.full_clean()
        return user

    return make


@pytest.fixture
def city_admin(make_user):
    return make_user("city_admin", "310000", "city")


@pytest.fixture
def admin_a(make_user):
    return make_user("district_admin", DISTRICT_A, "admin_a")


@pytest.fixture
def admin_b(make_user):
    return make_user("district_admin", DISTRICT_B, "admin_b")


@pytest.fixture
def station_a(make_user):
    return make_user("station_inspector", f"{DISTRICT_A}-S01", "station_a")


@pytest.fixture
def make_entity(db):
    def make(district_code: str = DISTRICT_A, station_code: str | None = None, **fields) -> Entity:
        district = unit(district_code)
        station = unit(station_code) if station_code else None
        code = fields.pop("uscc", None) or new_uscc(district.region_code or "310115")
        return Entity.objects.create(
            uscc=code,
            region_code=code[2:8],
            name=fields.pop("name", f"测试企业{code[-6:]}有限公司"),
            district=district,
            station=station,
            **fields,
        )

    return make


@pytest.fixture
def clock(monkeypatch):
    """Django's clock (timezone.now), movable forward: a public value declared for the future
    as a draw's entropy gets announced. `clock.advance(hours=2)`."""
    import datetime as dt

    from django.utils import timezone

    class Clock:
        offset = dt.timedelta()

        def advance(self, **delta) -> None:
            self.offset += dt.timedelta(**delta)

    moved = Clock()
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real() + moved.offset)
    return moved


def entropy_declaration(hours: float = 1, fmt: str = "digits:3", **fields) -> dict:
    """A declaration of a public value announced `hours` from now (福彩3D by default)."""
    import datetime as dt

    from django.utils import timezone

    return {
        "source": "中国福利彩票 福彩3D",
        "identifier": "福彩3D 第2026340期 开奖号码",
        "announced_at": timezone.now() + dt.timedelta(hours=hours),
        "format": fmt,
        **fields,
    }


# The migrations' reference data (units, item list, codes, the default risk model…). A test that
# flushes the database (a live server, `django_db(transaction=True)`) empties every table when
# it ends; the tests that run next on the same worker expect the data, so it is put back.
OUR_APPS = (
    "org",
    "core",
    "registry",
    "personnel",
    "workdays",
    "catalog",
    "credit",
    "risk",
    "testing",
)
_REFERENCE: list[str] = []  # serialized once per worker, right after the test database is made


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.apps import apps
    from django.core import serializers

    models = serializers.sort_dependencies([(apps.get_app_config(a), None) for a in OUR_APPS])
    with django_db_blocker.unblock():
        data = serializers.serialize("json", [o for m in models for o in m._default_manager.all()])
    _REFERENCE.append(data)


def _restore_reference_data() -> None:
    """Load the reference data again where a flush emptied the tables."""
    from django.core import serializers
    from django.db import connection, transaction

    if not _REFERENCE or Unit.objects.exists():
        return
    # as loaddata: rows may refer to later rows (SQLite: checks off; PostgreSQL: the checks are
    # deferred to the end of the transaction)
    with transaction.atomic(), connection.constraint_checks_disabled():
        for obj in serializers.deserialize("json", _REFERENCE[0]):
            obj.save()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After any test's last teardown (for a flushing test: the flush of every table), the
    reference data is back for the tests that run next on this worker."""
    result = yield
    if nextitem is not None and _REFERENCE:  # after the last test, the database itself is gone
        with item.config.stash[blocking_manager_key].unblock():
            _restore_reference_data()
    return result
