"""An anonymous visitor finds a published result on the public portal by its credit code.

Rule (issue 4 "Must show"; point 5): the portal needs no login and works without JavaScript —
this browser has JavaScript switched off and a phone's viewport (390×844); the code is typed with
spaces and in lower case (DOMAIN.md: normalised, not rejected).
"""

import pytest

from tests.portal.builders import SECRET_TEXTS, build

pytestmark = [pytest.mark.e2e]


def test_anonymous_visitor_finds_published_result_by_uscc(page, browser, live_server):
    world = build(prefix="浏览器")
    code = world.published_entity.uscc
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
        visitor.fill("#q", f"{code[:6].lower()} {code[6:]}")
        visitor.click("button[type=submit]")
        visitor.wait_for_url(f"**/public/entities/{code}/")
        assert visitor.locator("h1").inner_text() == world.published_entity.name
        results = visitor.locator(".result").first.inner_text()
        assert world.result.code_text in results and world.result.item in results
        assert "2026-06-03" in results and world.result.authority in results
        text = visitor.locator("body").inner_text()
        for secret in SECRET_TEXTS.values():
            assert secret not in text
    finally:
        context.close()
