"""A task waiting for its entropy already has its commitment on the public board (issue 11:
"a browser test shows it there while the task is still waiting for entropy").

An anonymous visitor with JavaScript off on a phone (390×844) opens the board, finds the task
by its title with the search box, and reads the commitment and the declared future public value;
the JSON feed carries the same entry, chained to the head shown on the page.
"""

import json

import pytest

from jianguan.planning.services import task_save
from jianguan.sampling import services
from jianguan.sampling.models import Draw
from tests.conftest import entropy_declaration
from tests.sampling.test_draw_service import add_inspectors, definition

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_commitment_waiting_for_entropy_is_on_the_public_board(
    browser, live_server, make_entity, admin_a
):
    for i in range(8):
        make_entity(risk_class="ABCD"[i % 4])
    add_inspectors(4)
    title = "黄浦区食品生产者公示板浏览器抽查"
    task = task_save(
        admin_a, definition={**definition(), "title": title, "requires_external_entropy": True}
    )
    declared = entropy_declaration(hours=3, identifier="福彩3D 第2026341期 开奖号码")
    draw = services.commit(task, user=admin_a, declaration=declared)
    services.commit(
        task_save(admin_a, definition={**definition(), "title": "另一项抽查任务"}), user=admin_a
    )  # another entry, which the search must leave out

    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
    )
    try:
        visitor = context.new_page()
        visitor.set_default_timeout(15000)
        visitor.goto("/public/")
        visitor.click("text=抽取公示板")
        visitor.wait_for_url("**/public/board/")
        visitor.fill("#q", "公示板浏览器")
        visitor.click("button[type=submit]")
        visitor.wait_for_url("**/public/board/?q=*")
        entries = visitor.locator("li.result")
        assert entries.count() == 1
        shown = entries.first.inner_text()
        assert title in shown and "抽取承诺" in shown
        assert draw.commitment in shown
        assert "福彩3D 第2026341期 开奖号码" in shown and "3 位数字" in shown
        head = visitor.locator("[data-board-head]").inner_text()

        # still waiting: the value is not announced, nothing drawn, the secret not public
        draw.refresh_from_db()
        assert draw.status == Draw.Status.COMMITTED and not draw.external_entropy
        assert draw.secret not in visitor.locator("body").inner_text()

        visitor.goto("/public/board.json")
        doc = json.loads(visitor.locator("body").inner_text())
        [mine] = [e for e in doc["entries"] if e["draw_id"] == draw.pk]
        assert mine["kind"] == "commitment" and mine["task"] == title
        assert mine["data"]["commitment"] == draw.commitment
        assert mine["data"]["entropy_declaration"]["identifier"] == "福彩3D 第2026341期 开奖号码"
        assert doc["head"]["hash"] in head and str(doc["head"]["count"]) in head
    finally:
        context.close()
