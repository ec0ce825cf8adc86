"""Keyboard only: an inspector records a result on a phone, an administrator submits a task form.

Rules (issue 15; WCAG 2.1.1 keyboard, 2.4.1 bypass blocks, 2.4.3 focus order, 2.4.7 focus
visible, 2.4.11 focus not obscured, 3.3.1 error identification): no mouse, no `fill`, no `click`:
only keys. The first Tab stop is 跳到主要内容; after every key the focused element lies inside the
window and nothing (the sticky save bar of the phone form) covers it; a rejected form puts the
focus on its error summary, whose links lead into the fields.
"""

from __future__ import annotations

import datetime as dt

import pytest

from jianguan.catalog.models import METHODS
from jianguan.inspections.models import Inspection, Result
from jianguan.org.models import Unit, User
from jianguan.personnel.models import Inspector
from jianguan.planning.models import Task
from jianguan.planning.services import task_save
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Visit
from tests.conftest import DISTRICT_A
from tests.e2e.accessibility import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"

# Where the focus is, and whether it can be seen: its box inside the window, and the element
# itself (not a sticky bar or an overlay) on top at its centre and at its four inner corners.
_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {name: "(nothing)", visible: false};
  const r = e.getBoundingClientRect();
  const name = e.id || e.getAttribute("name") || e.textContent.trim().slice(0, 20);
  // A region taller than the window (main, after the skip link) fills it from its top down.
  const bottom = r.height > innerHeight ? innerHeight : r.bottom;
  const inside = r.top >= -1 && r.left >= -1 && bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
  const points = [[r.left + r.width / 2, (r.top + bottom) / 2], [r.left + 2, r.top + 2],
                  [r.right - 2, r.top + 2], [r.left + 2, bottom - 2], [r.right - 2, bottom - 2]];
  const hits = points.map(([x, y]) => document.elementFromPoint(x, y));
  const onTop = hits.every((hit) => hit && (hit === e || e.contains(hit)));
  return {name, visible: r.width > 0 && r.height > 0 && inside && onTop,
          box: [r.left, r.top, r.width, r.height].map(Math.round), window: [innerWidth, innerHeight],
          on_top: hits.map((h) => h && h.tagName + (h.id ? "#" + h.id : "") + "." + h.className)};
}"""


def focus_visible(page) -> str:
    focus = page.evaluate(_FOCUS)
    assert focus["visible"], f"the focused element is hidden or covered: {focus}"
    return focus["name"]


def press(page, key: str) -> str:
    page.keyboard.press(key)
    return focus_visible(page)


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Tab until `selector` has the focus, checking the focus is visible at every stop."""
    for _ in range(limit):
        press(page, "Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def choose(page, value: str, limit: int = 60) -> None:
    """Arrow down the focused select until `value` is chosen."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        press(page, "ArrowDown")
    raise AssertionError(f"option {value} not reached with the arrow keys")


def type_text(page, text: str) -> None:
    page.keyboard.type(text)
    focus_visible(page)


def type_date(page, day: dt.date) -> None:
    """A date field takes its parts as typed digits, each moving on to the next; Debian's
    chromium orders them month, day, year (its en-US order, whatever the page's language)."""
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year:04d}")
    assert page.evaluate("() => document.activeElement.value") == day.isoformat()
    focus_visible(page)


def log_in_by_keyboard(page, username: str) -> None:
    page.goto("/login/")
    assert focus_visible(page) == "id_username"  # the field has the focus on arrival
    type_text(page, username)
    press(page, "Tab")
    type_text(page, PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)


def skip_to_main(page) -> None:
    """The first Tab stop of a page is the skip link; it moves the focus into the content."""
    assert press(page, "Tab") == "跳到主要内容"
    assert press(page, "Enter") == "main"


def test_inspector_records_a_result_on_a_phone_by_keyboard(page, make_entity):
    district = Unit.objects.get(code=DISTRICT_A)
    station = Unit.objects.get(code=f"{DISTRICT_A}-S01")
    entity = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01", name="上海键盘检查测试有限公司")
    for i in range(2):
        user = User.objects.create_user(
            f"kb{i}", password=PASSWORD, role="station_inspector", unit=station
        )
        Inspector.objects.create(
            name=f"检查员{i}",
            staff_no=f"KB-{i}",
            unit=station,
            cert_no=f"沪键{i:04d}",
            cert_expires_on=dt.date(2030, 12, 31),
            user=user,
        )
    admin = User.objects.create_user("kbq", password=PASSWORD, role="district_admin", unit=district)
    task = task_save(
        admin,
        definition={
            "title": "黄浦区键盘录入抽查",
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
    prefix = f"#id_r{visit.pk}-{item.pk}-"

    page.set_viewport_size(PHONE)
    log_in_by_keyboard(page, "kb0")
    page.goto("/inspections/mine/")
    skip_to_main(page)
    tab_to(page, ".visit-card")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/inspections/visits/{visit.pk}/")

    skip_to_main(page)
    tab_to(page, f"{prefix}method")
    choose(page, method)
    tab_to(page, f"{prefix}code")
    choose(page, "0201")
    tab_to(page, f"{prefix}findings")
    type_text(page, "未按规定公示年度报告")
    tab_to(page, f"{prefix}measure")
    choose(page, "rectify")
    tab_to(page, f"{prefix}rectify_by")  # shown for 责令限期改正, just below: above the bar
    due = dt.date.today() + dt.timedelta(days=15)
    type_date(page, due)
    tab_to(page, "#submit-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("text=检查结果已提交")

    inspection = Inspection.objects.get(visit=visit)
    assert inspection.status == Inspection.Status.RECORDED
    result = Result.objects.get(inspection=inspection)
    assert (result.code.code, result.findings, result.rectify_by) == (
        "0201",
        "未按规定公示年度报告",
        due,
    )


def test_administrator_submits_a_task_form_by_keyboard(page):
    User.objects.create_user(
        "kbadmin", password=PASSWORD, role="district_admin", unit=Unit.objects.get(code=DISTRICT_A)
    )
    log_in_by_keyboard(page, "kbadmin")
    page.goto("/planning/tasks/new/")
    skip_to_main(page)

    # Saved empty first: refused, and the error summary takes the focus and is announced.
    tab_to(page, "button[type=submit]:not([form]):not(.btn-outline-primary)", limit=300)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")
    assert focus_visible(page) and page.evaluate(
        "() => document.activeElement.matches('[data-error-summary][role=alert]')"
    )
    # Its first link leads into the field it names.
    tab_to(page, "[data-error-summary] a[href='#id_title']")
    assert press(page, "Enter") == "id_title"
    type_text(page, "黄浦区键盘提交抽查任务")
    tab_to(page, "#id_check_date")
    type_date(page, dt.date(2026, 9, 1))
    tab_to(page, "#id_items")
    choose(page, "SH-SC-011")
    tab_to(page, "#id_sampling_ratio")
    page.keyboard.press("Control+A")
    type_text(page, "50")
    tab_to(page, "button[type=submit]:not(.btn-outline-primary)", limit=300)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/new/" not in url)

    task = Task.objects.get(title="黄浦区键盘提交抽查任务")
    assert task.check_date == dt.date(2026, 9, 1)
    assert list(task.items.values_list("code", flat=True)) == ["SH-SC-011"]
