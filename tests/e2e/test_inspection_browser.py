"""An inspector records a result on a phone (390×844): 我的检查 → the visit → a result with a
photo → submit; a second member of the team confirms; the district's supervisor publishes the
finished task; an anonymous visitor finds the result on the portal by the credit code.

Rules: issue 4 §2 (mobile pages; evidence photos; only team members record; a second member
confirms); "Must show": an inspector records a result on a 390×844 viewport with a photo upload.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from playwright.sync_api import expect

from jianguan.catalog.models import METHODS
from jianguan.inspections.models import Evidence, Inspection, Result
from jianguan.org.models import Unit, User
from jianguan.personnel.models import Inspector
from jianguan.planning.services import task_save
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Visit
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"


def png_bytes() -> bytes:
    """A real 4×4 PNG, as a phone camera would send a (very small) photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x20\x80\x20" * 4 for _ in range(4))
    ihdr = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_inspector_records_on_a_phone_and_a_second_member_confirms(
    page, browser, live_server, make_entity, tmp_path
):
    district = Unit.objects.get(code=DISTRICT_A)
    station = Unit.objects.get(code=f"{DISTRICT_A}-S01")
    entity = make_entity(
        DISTRICT_A,
        f"{DISTRICT_A}-S01",
        name="上海手机检查测试有限公司",
        address="上海市黄浦区测试路8号",
    )
    logins = []
    for i in range(2):
        user = User.objects.create_user(
            f"jc{i}",
            password=PASSWORD,
            role="station_inspector",
            unit=station,
            last_name=f"检查员{i}",
        )
        Inspector.objects.create(
            name=f"检查员{i}",
            staff_no=f"E2E-IN-{i}",
            unit=station,
            cert_no=f"沪执{i:04d}",
            cert_expires_on=dt.date(2030, 12, 31),
            user=user,
        )
        logins.append(user)
    admin = User.objects.create_user("qu", password=PASSWORD, role="district_admin", unit=district)
    task = task_save(
        admin,
        definition={
            "title": "黄浦区企业公示信息抽查",
            "unit": DISTRICT_A,
            "items": ["SH-SC-011"],
            "check_date": "2026-05-20",
            "window": {"start": "2026-05-20", "end": "2026-06-30"},
            "sampling": {"mode": "ratio", "ratio": "1"},
            "team": {"size": 2, "pool_by": "district"},
        },
    )
    draw = sampling.execute(sampling.commit(task, user=admin), user=admin)
    visit = Visit.objects.get(draw=draw, entity=entity)
    item = task.items.get()
    method = METHODS.codes(item.methods)[0]
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png_bytes())

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "jc0", PASSWORD)
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="我的检查", exact=True).click()
    page.wait_for_url("**/inspections/mine/")
    card = page.locator(".visit-card", has_text="上海手机检查测试有限公司")
    assert "未录入" in card.inner_text() and "上海市黄浦区测试路8号" in card.inner_text()
    # Mobile-first: the card spans the phone's width and is a big touch target.
    box = card.bounding_box()
    assert box["width"] > 300 and box["height"] >= 44
    card.click()
    page.wait_for_url(f"**/inspections/visits/{visit.pk}/")

    # the photo first (its own small form), then the result
    page.set_input_files("#id_file", str(photo))
    page.click("#upload-button")
    page.wait_for_selector("text=已上传「现场照片.png」")
    assert page.locator("img.evidence-thumb").count() == 1

    prefix = f"r{visit.pk}-{item.pk}-"
    page.select_option(f"#id_{prefix}method", method)
    page.select_option(f"#id_{prefix}code", "0201")
    page.fill(f"#id_{prefix}findings", "未按规定公示2025年度报告")
    page.select_option(f"#id_{prefix}measure", "rectify")
    expect(page.locator(f"#id_{prefix}rectify_by")).to_be_visible()  # shown for 责令限期改正
    due = dt.date.today() + dt.timedelta(days=15)
    page.fill(f"#id_{prefix}rectify_by", due.isoformat())
    page.click("#submit-button")
    page.wait_for_selector("text=检查结果已提交")
    inspection = Inspection.objects.get(visit=visit)
    assert inspection.status == Inspection.Status.RECORDED
    assert Result.objects.get(inspection=inspection).code.code == "0201"
    assert Evidence.objects.filter(inspection=inspection).count() == 1
    assert page.locator("#confirm-button").count() == 0  # the recorder cannot confirm

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    log_in(page, "jc1", PASSWORD)
    page.goto(f"/inspections/visits/{visit.pk}/")
    page.click("#confirm-button")
    page.wait_for_selector("text=检查结果已确认")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CONFIRMED
    assert inspection.confirmed_by.user == logins[1]

    # The task's only visit is confirmed: its publication is open. The supervisor publishes.
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login/")
    log_in(page, "qu", PASSWORD)
    page.goto("/publication/")
    page.locator("table tbody tr", has_text="黄浦区企业公示信息抽查").get_by_role(
        "link", name="黄浦区企业公示信息抽查"
    ).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#publish-now")
    page.wait_for_selector("#entries")

    # Anyone, without signing in or JavaScript, finds it by the credit code.
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        visitor = context.new_page()
        visitor.goto("/public/")
        visitor.fill("#q", entity.uscc)
        visitor.click("button[type=submit]")
        visitor.wait_for_url(f"**/public/entities/{entity.uscc}/")
        result = visitor.locator(".result").first.inner_text()
        assert "未按规定公示应当公示的信息" in result and "黄浦区" in result
        assert "检查员" not in visitor.locator("body").inner_text()  # no inspector names
    finally:
        context.close()
