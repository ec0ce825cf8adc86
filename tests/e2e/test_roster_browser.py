"""A regulator logs in, searches the entity roster and opens an entity's file (一企一卷)."""

import pytest

from jianguan.org.models import Unit, User
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_log_in_search_and_open_entity(page, make_entity):
    User.objects.create_user(
        "zhang",
        password="Correct-Horse-9",
        role="district_admin",
        unit=Unit.objects.get(code=DISTRICT_A),
        last_name="张",
        first_name="敏",
    )
    target = make_entity(DISTRICT_A, name="上海申江餐饮管理有限公司")
    make_entity(DISTRICT_A, name="上海浦江食品有限公司")

    log_in(page, "zhang", "Correct-Horse-9")
    page.goto("/registry/entities/")
    page.fill("input[name=q]", "申江")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "q=" in url)
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name=target.name).first.click()
    page.wait_for_url(f"**/registry/entities/{target.pk}/")
    assert target.uscc in page.content()
    assert page.get_by_role("heading", name=target.name).is_visible()
