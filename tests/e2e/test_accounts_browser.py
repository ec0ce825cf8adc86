"""A district administrator creates an account for a station inspector, who signs in and changes
the initial password (axe checks every page in the `page` fixture)."""

import pytest

from jianguan.core.models import AuditEvent
from jianguan.org.models import Unit, User
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_an_account_and_change_its_password(page):
    User.objects.create_user(
        "li",
        password="Correct-Horse-9",
        role="district_admin",
        unit=Unit.objects.get(code=DISTRICT_A),
    )
    log_in(page, "li", "Correct-Horse-9")
    page.get_by_role("link", name="账号管理").first.click()
    page.wait_for_url("**/account/users/")
    page.get_by_role("link", name="新建账号").click()
    page.fill("input[name=username]", "wang_s01")
    page.fill("input[name=last_name]", "王")
    page.fill("input[name=first_name]", "芳")
    station = Unit.objects.get(code=f"{DISTRICT_A}-S01")
    page.select_option("select[name=unit]", str(station.pk))
    page.select_option("select[name=role]", "station_inspector")
    # a district administrator cannot grant the city's role
    assert page.locator("select[name=role] option[value=city_admin]").count() == 0
    page.fill("input[name=password1]", "Initial-Pass-2026")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/account/users/**")
    assert page.locator("table").get_by_text("wang_s01").is_visible()

    page.get_by_role("button", name="退出").click()
    log_in(page, "wang_s01", "Initial-Pass-2026")
    page.get_by_role("link", name="修改密码").first.click()
    page.fill("input[name=old_password]", "Initial-Pass-2026")
    page.fill("input[name=new_password1]", "My-Own-Pass-2026")
    page.fill("input[name=new_password2]", "My-Own-Pass-2026")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(lambda url: "/password/" not in url)
    assert "密码已修改" in page.content()
    assert User.objects.get(username="wang_s01").check_password("My-Own-Pass-2026")
    assert AuditEvent.objects.filter(object_type="org.user", note="修改本人密码").count() == 1
