"""Every page of the site, as every kind of user, through axe-core at desktop and phone sizes.

Rule (issue 15; GB/T 37668-2019 / WCAG 2.1 AA): every page any role can reach has no WCAG 2.1
A/AA violation, at 1366×900 and 390×844, and does not scroll sideways at 200 % zoom; a rejected
form announces its errors (3.3.1: the error summary, or the first invalid field, has the focus).

The pages are those of the access matrix (tests/security/access_rules.py), on the same world of
objects (tests/security/conftest.py): every URL pattern whose declared answer to a caller is a
page is opened as that caller. A page added later declares its access rule there (the matrix
fails otherwise), and from then on it is crawled here too, as every role that may see it. Each
form is also sent back empty, as the matrix does, and the rejected form is checked as well.

Downloads and fragments (htmx partials) are not documents: the fragments are checked inside the
pages that load them. django-admin (operators only, Django's own pages) and the API's
description are not pages of the product; Swagger UI has its own test.
"""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.accessibility import AccessibilityError
from tests.security import access_rules as rules
from tests.security.conftest import CALLERS, World, _build
from tests.security.test_access_matrix import PATTERNS, _page_url, _rule_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOT_PRODUCT_PAGES = ("admin:", "api:")
# Sends an empty form to this page, as tests/security/test_access_matrix.py does with POST.
_POST_EMPTY = """() => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = location.href;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) form.append(token.cloneNode());
  document.body.append(form);
  form.submit();
}"""
# After a rejected form: the errors shown, and whether what announces them has the focus.
_ERRORS = """() => {
  const shown = document.querySelector("main .invalid-feedback, main [aria-invalid=true], main .alert-danger");
  const focused = document.activeElement;
  const announced = !!focused && (focused.matches("[data-error-summary][role=alert]") ||
                                  focused.matches("[aria-invalid=true]"));
  return {shown: !!shown, announced};
}"""


def pages_for(world: World, caller: str) -> list[tuple[str, bool]]:
    """(url, is a form) of every full HTML page the access rules give this caller."""
    client = Client()
    if caller != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[caller]
    found = []
    for name in PATTERNS:
        rule = _rule_for(name)
        if name.startswith(NOT_PRODUCT_PAGES) or not rule or not rule.get:
            continue
        if rule.get[caller] != rules.OK:
            continue
        if caller != "anonymous" and rule.get["anonymous"] == rules.OK:
            continue  # a public page (portal, login) is the same for all: seen as anonymous
        url = _page_url(world, name)
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        if not response.content.lstrip()[:15].lower().startswith(b"<!doctype html"):
            continue  # a download or an htmx fragment
        found.append((url, rule.post is not None and rule.post == rule.get))
    return found


@pytest.fixture
def world(page):
    """The access matrix's world, committed, so that the live server sees it."""
    from jianguan.workdays import selectors as workdays

    built = World()
    workdays.invalidate()
    _build(built)
    yield built
    workdays.invalidate()
    for folder in built.files:
        shutil.rmtree(folder, ignore_errors=True)


def test_every_page_as_every_role_passes_axe(page, world, live_server):
    problems: list[str] = []
    visited = 0
    for caller in CALLERS:
        page.context.clear_cookies()
        if caller != "anonymous":
            page.context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": world.sessions[caller],
                        "url": live_server.url,
                    }
                ]
            )
        for url, is_form in pages_for(world, caller):
            visited += 1
            try:
                page.goto(url)  # checked by axe (tests/e2e/accessibility.py)
            except AccessibilityError as error:
                problems.append(f"as {caller}: {error}")
            if not is_form:
                continue
            try:
                with page.expect_navigation():
                    page.evaluate(_POST_EMPTY)
                page.wait_for_load_state()
                errors = page.evaluate(_ERRORS)
                if errors["shown"] and not errors["announced"]:
                    problems.append(f"as {caller}: rejected form at {url}: errors not focused")
                page.a11y_final()
            except AccessibilityError as error:
                problems.append(f"as {caller}, rejected form: {error}")
    assert visited > 150, visited  # the crawl reached the pages it claims to
    assert not problems, f"{len(problems)} page(s) fail:\n\n" + "\n\n".join(problems)
