"""Browser tests: Playwright for Python driving Debian's chromium (never a downloaded browser)."""

import os
import shutil

import pytest

from tests.conftest import _REFERENCE, _restore_reference_data
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


@pytest.fixture(scope="session")
def reference_data(django_db_setup):
    """The migrations' reference data, captured by tests/conftest.py right after the test
    database was made."""
    return _REFERENCE[0]


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
