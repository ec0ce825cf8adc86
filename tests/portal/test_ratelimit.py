"""Rate limiting against scraping (issue 4 point 5): per client address, pages and API together,
a Chinese 429 page / the API's JSON error body."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@override_settings(JIANGUAN_PORTAL_RATE="5/m")
def test_page_429_after_the_limit():
    """Issue 4 point 5: rate limiting per address; over it a Chinese 429 page with Retry-After."""
    client = Client()
    for _ in range(5):
        assert client.get(reverse("portal:task_list")).status_code == 200
    response = client.get(reverse("portal:task_list"))
    assert response.status_code == 429
    text = response.content.decode()
    assert "访问过于频繁" in text and "每分钟最多 5 次" in text
    assert int(response["Retry-After"]) >= 1
    # another address has its own budget
    assert Client(REMOTE_ADDR="10.1.2.3").get(reverse("portal:task_list")).status_code == 200


@override_settings(JIANGUAN_PORTAL_RATE="5/m")
def test_api_shares_the_budget_and_answers_json_429():
    """One budget for pages and API; the API's 429 has the common error body."""
    client = Client()
    for _ in range(3):
        assert client.get(reverse("portal:task_list")).status_code == 200
    for _ in range(2):
        assert client.get("/api/public/tasks").status_code == 200
    response = client.get("/api/public/tasks")
    assert response.status_code == 429
    body = response.json()
    assert "访问过于频繁" in body["detail"] and body["errors"] == {}


@override_settings(JIANGUAN_PORTAL_RATE="2/m", JIANGUAN_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_counts_and_cannot_be_chosen():
    """core.security.client_ip: with one trusted proxy, the address it appended counts; a
    client's own X-Forwarded-For entries in front of it change nothing."""
    client = Client()
    for fake in ("1.1.1.1", "2.2.2.2"):
        headers = {"X-Forwarded-For": f"{fake}, 203.0.113.7"}
        assert client.get(reverse("portal:search"), headers=headers).status_code == 200
    headers = {"X-Forwarded-For": "3.3.3.3, 203.0.113.7"}
    assert client.get(reverse("portal:search"), headers=headers).status_code == 429
    headers = {"X-Forwarded-For": "203.0.113.8"}
    assert client.get(reverse("portal:search"), headers=headers).status_code == 200


@override_settings(JIANGUAN_PORTAL_RATE="off")
def test_off_means_no_limit():
    """JIANGUAN_PORTAL_RATE=off (the benchmarks) turns the limit off."""
    client = Client()
    assert all(client.get("/api/public/tasks").status_code == 200 for _ in range(70))


def test_staff_pages_are_not_limited_by_the_portal_budget(admin_a):
    """The portal's budget applies to the portal only, signed in or not."""
    with override_settings(JIANGUAN_PORTAL_RATE="1/m"):
        client = Client()
        client.force_login(admin_a)
        assert client.get(reverse("portal:task_list")).status_code == 200
        assert client.get(reverse("portal:task_list")).status_code == 429
        assert client.get(reverse("home")).status_code == 200
