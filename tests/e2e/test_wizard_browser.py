"""A district admin runs the draw wizard in the browser: preview → declare and commit →
entropy → draw.

The commitment and the entropy declaration (which future public value will be used) are shown
before anything random happens, and the secret only after the draw (docs/draw-protocol.md,
protocol version 2); the result lists every selected entity with its team of two.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jianguan.org.models import Unit, User
from jianguan.personnel.models import Inspector
from jianguan.planning.services import task_save
from jianguan.sampling import protocol as P
from jianguan.sampling.models import Draw
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_draw_wizard_from_preview_to_result(page, make_entity, clock):
    district = Unit.objects.get(code=DISTRICT_A)
    User.objects.create_user("li", password="Correct-Horse-9", role="district_admin", unit=district)
    station = Unit.objects.filter(district=district, kind="station").first()
    for i in range(4):
        Inspector.objects.create(
            name=f"检查员{i}",
            staff_no=f"E2E-{i}",
            unit=station,
            cert_no=f"沪执{i:04d}",
            cert_expires_on=dt.date(2027, 12, 31),
        )
    for i in range(12):
        make_entity(DISTRICT_A, risk_class="AB"[i % 2])
    task = task_save(
        None,
        definition={
            "title": "黄浦区生产领域产品质量抽查",
            "unit": DISTRICT_A,
            "items": ["SH-SC-011"],
            "check_date": "2026-12-01",
            "sampling": {"mode": "ratio", "ratio": "0.5", "stratify_by": ["risk_class"]},
            "team": {"size": 2, "pool_by": "district"},
            "requires_external_entropy": True,
        },
    )

    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "li", "Correct-Horse-9")
    page.goto(f"/planning/tasks/{task.pk}/")
    page.get_by_role("link", name="预览抽取范围").click()
    page.wait_for_url(f"**/sampling/tasks/{task.pk}/preview/")
    expect(page.locator("body")).to_contain_text("预计")
    page.go_back()
    page.wait_for_url(f"**/planning/tasks/{task.pk}/")

    # The declaration of the public value comes with the commitment: tomorrow's 福彩3D.
    announced = timezone.localtime() + dt.timedelta(days=1)
    page.get_by_label("外部随机数来源").fill("中国福利彩票 福彩3D")
    page.get_by_label("期号与数值").fill("福彩3D 第2026340期 开奖号码")
    page.get_by_label("公布时间").fill(f"{announced:%Y-%m-%dT%H:%M}")
    page.get_by_label("数值格式").select_option("digits")
    page.get_by_label("位数或个数").fill("3")
    page.get_by_role("button", name="冻结名单并公布承诺值").click()
    expect(page.locator("[data-commitment]").first).to_be_visible()
    draw = Draw.objects.get(task=task)
    commitment = page.locator("[data-commitment]").first.inner_text().strip()
    assert commitment == draw.commitment
    assert commitment == P.commitment(bytes.fromhex(draw.secret), draw.digests)
    assert draw.secret not in page.content()  # the secret stays hidden until the draw
    # Before the value exists, the wizard shows exactly which value will be used.
    declaration = page.locator("[data-declaration]")
    expect(declaration).to_contain_text("福彩3D 第2026340期 开奖号码")
    expect(declaration).to_contain_text(f"{announced:%Y-%m-%d %H:%M}")
    expect(declaration).to_contain_text("3 位数字")

    clock.advance(days=1, minutes=5)  # the lottery has been drawn
    log_in(page, "li", "Correct-Horse-9")  # a day later: the session has expired
    page.goto(f"/planning/tasks/{task.pk}/")
    page.fill("input[name=external_entropy]", "５ 1 7")
    page.get_by_role("button", name="录入外部随机数").click()
    expect(page.locator("body")).to_contain_text("已录入外部随机数")
    draw.refresh_from_db()
    assert draw.external_entropy == "517"  # the declared canonical form
    page.goto(f"/planning/tasks/{task.pk}/")
    page.get_by_role("button", name="抽取").click()

    page.get_by_role("link", name="查看结果").click()  # the job page links to the draw
    page.wait_for_url(f"**/sampling/draws/{draw.pk}/")
    draw.refresh_from_db()
    assert draw.status == Draw.Status.DRAWN and draw.counts["selected"] == 6
    content = page.content()
    assert draw.secret in content  # revealed after the draw
    assert content.count("检查员") >= 6 * 2 - 1  # every target shows its team
