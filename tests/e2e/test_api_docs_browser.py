"""Swagger UI at /api/docs renders in a real browser from vendored files under the site's CSP.

Rule (ENGINEERING.md "The stack": OpenAPI at /api/docs; "pages": never a CDN): the docs page
works on a machine without internet, and the policy blocks none of its scripts or styles.

The browser talks to Django through Playwright's request routing (each request answered by the
test client, headers included, so the CSP is enforced as in production); any request for another
host fails the test.
"""

import pytest
from django.test import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ORIGIN = "http://localhost"  # potentially trustworthy: COOP applies without a console error


def test_docs_page_renders_every_operation(browser):
    client = Client()
    problems: list[str] = []

    def answer(route):
        url = route.request.url
        if not url.startswith(ORIGIN + "/"):
            problems.append(f"external request: {url}")
            return route.abort()
        response = client.get(url.removeprefix(ORIGIN))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)

    context = browser.new_context(base_url=ORIGIN, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.route("**/*", answer)
        page.goto("/api/docs")
        page.wait_for_selector(".swagger-ui .opblock")
        from jianguan.api import api

        schema = api.get_openapi_schema()
        operations = sum(len(methods) for methods in schema["paths"].values())
        assert page.locator(".swagger-ui .opblock").count() == operations
        assert page.get_by_text("检查对象列表").first.is_visible()
        assert page.locator(".swagger-ui .btn.authorize").count() == 1  # bearer token entry
        assert problems == []
    finally:
        context.close()
