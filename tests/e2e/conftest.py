"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser)."""

import os
import shutil

import pytest
from pytest_django.plugin import blocking_manager_key

from tests.e2e.accessibility import DESKTOP, watch

CHROMIUM = "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls in test setup are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


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


_REFERENCE: list[str] = []  # the reference data, serialized once per session


@pytest.fixture(scope="session")
def reference_data(django_db_setup, django_db_blocker):
    """What the migrations load into our apps (units, item list, codes, the default risk
    model…), captured before any browser test: a live-server test empties every table when it
    ends."""
    from django.apps import apps
    from django.core import serializers

    models = serializers.sort_dependencies([(apps.get_app_config(a), None) for a in OUR_APPS])
    with django_db_blocker.unblock():
        data = serializers.serialize("json", [o for m in models for o in m._default_manager.all()])
    _REFERENCE.append(data)
    return data


def _restore_reference_data() -> None:
    """Load the reference data again where a live-server test's flush emptied the tables."""
    from django.core import serializers
    from django.db import connection, transaction

    from jianguan.org.models import Unit

    if not _REFERENCE or Unit.objects.exists():
        return
    # as loaddata: rows may refer to later rows (SQLite: checks off; PostgreSQL: the checks are
    # deferred to the end of the transaction)
    with transaction.atomic(), connection.constraint_checks_disabled():
        for obj in serializers.deserialize("json", _REFERENCE[0]):
            obj.save()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's last teardown (the flush of every table), the reference data is
    put back: the tests that run next on this worker, browser or not, expect it."""
    result = yield
    if nextitem is not None:  # after the last test, the test database itself is gone
        with item.config.stash[blocking_manager_key].unblock():
            _restore_reference_data()
    return result


@pytest.fixture
def page(request, browser, live_server, reference_data, transactional_db):
    _restore_reference_data()  # in case a live-server test elsewhere emptied the tables
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport=DESKTOP, reduced_motion="reduce"
    )
    page = watch(context.new_page())  # axe-core checks every state the test waits for
    page.set_default_timeout(15000)
    yield page
    if _passed(request):
        page.a11y_final()  # and the state the test ends in
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


def _passed(request) -> bool:
    report = getattr(request.node, "call_report", None)
    return report is not None and report.passed


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
