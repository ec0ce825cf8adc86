"""A supervisor (district administrator) opens the publication dashboard, finds a finished task
and publishes its results (issue 4 Must show: "a supervisor publishes")."""

import datetime as dt

import pytest

from jianguan.org.models import Unit, User
from jianguan.publication.models import Publication, PublicResult
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in
from tests.publication import factories as F

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_supervisor_publishes_a_finished_task(page):
    admin = User.objects.create_user(
        "wang",
        password="Correct-Horse-9",
        role="district_admin",
        unit=Unit.objects.get(code=DISTRICT_A),
        last_name="王",
        first_name="芳",
    )
    built = F.finished_task(
        admin, n=3, non_public=1, finished_on=dt.date(2025, 9, 26), title="黄浦区食品生产抽查"
    )
    withheld = next(r for r in built.results if not r.public)
    shown = next(r for r in built.results if r.public)

    log_in(page, "wang", "Correct-Horse-9")
    page.goto("/publication/")
    assert page.get_by_role("heading", name="公示管理").is_visible()
    row = page.locator("table tbody tr", has_text="黄浦区食品生产抽查")
    assert "2025-10-30" in row.inner_text()
    row.get_by_role("link", name="黄浦区食品生产抽查").click()
    page.wait_for_url(f"**/publication/{built.publication.pk}/")
    assert "依法不予公示" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm asks first
    page.click("#publish-now")
    page.wait_for_selector("#entries")
    assert "已公示 2 条检查结果" in page.content()
    entries = page.locator("#entries tbody tr")
    assert entries.count() == 2
    assert shown.entity.uscc in page.locator("#entries").inner_text()
    assert withheld.entity.uscc not in page.locator("#entries").inner_text()
    assert Publication.objects.get().status == Publication.Status.PUBLISHED
    assert set(PublicResult.objects.values_list("uscc", flat=True)) == {
        r.entity.uscc for r in built.results if r.public
    }
