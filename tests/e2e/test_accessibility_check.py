"""The accessibility check fails a browser test, and so CI, when a page breaks WCAG 2.1 AA.

Rule (issue 15 "Done when": CI fails on a deliberately added low-contrast element): a page of the
site (the base template, its theme) with one hint in Bootstrap's amber `text-warning` (1.6:1,
where 1.4.3 asks 4.5:1) fails the test that visits it, whether the element is in the page as
served or added to it later by a script; so does a page wider than the window (1.4.10).
"""

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from tests.e2e.accessibility import AccessibilityError

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]

HINT = "提示：请在期限内完成整改。"


def _page(body: str):
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}检查页{% endblock %}'
        '{% block content %}<h1 class="h4">检查页</h1>' + body + "{% endblock %}"
    )
    return lambda request: HttpResponse(template.render({}, request))


urlpatterns = [
    path("a11y/plain/", _page(f"<p>{HINT}</p>")),
    path("a11y/pale/", _page(f'<p class="text-warning">{HINT}</p>')),
    path("a11y/wide/", _page('<p class="text-nowrap mono">' + "0123456789" * 30 + "</p>")),
    path("", include("jianguan.urls")),
]


def test_a_page_with_a_low_contrast_element_fails(page):
    page.goto("/a11y/plain/")  # the same page in readable text passes
    with pytest.raises(AccessibilityError, match="color-contrast") as failure:
        page.goto("/a11y/pale/")
    report = str(failure.value)
    assert "1366×900" in report and "390×844" in report  # both sizes are checked
    assert "Expected contrast ratio of 4.5:1" in report
    assert issubclass(AccessibilityError, AssertionError)  # an ordinary test failure


def test_an_element_added_after_load_fails_at_the_next_wait(page):
    page.goto("/a11y/plain/")
    page.evaluate(
        """(hint) => {
            const p = document.createElement("p");
            p.className = "text-warning added";
            p.textContent = hint;
            document.querySelector("main").append(p);
        }""",
        HINT,
    )
    with pytest.raises(AccessibilityError, match="color-contrast"):
        page.wait_for_selector("p.added")


def test_a_page_wider_than_the_window_fails(page):
    with pytest.raises(AccessibilityError, match=r"reflow \(1.4.10\).*390 px window"):
        page.goto("/a11y/wide/")
