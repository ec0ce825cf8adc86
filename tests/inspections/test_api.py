"""/api/inspections: reads scoped like the pages (jurisdiction or team), token auth.

Rules: issue 4 §2, §4; docs/security.md (outside the caller's reach: 404; no token: 401).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jianguan.org.models import ApiToken
from tests.api.conftest import ApiClient

from .helpers import post_record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(user) -> ApiClient:
    return ApiClient(ApiToken.issue(user, "test")[1])


@pytest.fixture
def confirmed(client, world):
    """The world's visit recorded with a problem (0201, rectify) and confirmed."""
    client.force_login(world["first"])
    post_record(
        client,
        world["visit"],
        TODAY - dt.timedelta(days=30),
        code="0201",
        measure="rectify",
        rectify_by=TODAY - dt.timedelta(days=2),
    )
    client.force_login(world["second"])
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    return world


def test_my_visits(world):
    """我的检查 for a member; empty for an inspector who is not on any team."""
    body = api(world["first"]).get("/inspections/mine").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == world["visit"].pk and item["status"] == "none"
    assert item["window_start"] == "2026-05-20" and item["window_end"] == "2026-06-30"
    assert api(world["outsider"]).get("/inspections/mine").json()["count"] == 0
    assert ApiClient(None).get("/inspections/mine").status_code == 401


def test_detail_with_results_and_scope(confirmed, admin_a, admin_b):
    world = confirmed
    path = f"/inspections/visits/{world['visit'].pk}"
    body = api(admin_a).get(path).json()
    assert body["status"] == "confirmed" and body["confirmed_by"]
    (result,) = body["results"]
    assert result["code"] == "0201" and result["measure"] == "rectify"
    assert result["task"]["id"] == world["task"].pk
    assert api(world["first"]).get(path).status_code == 200
    assert api(admin_b).get(path).status_code == 404
    assert api(admin_a).get("/inspections", {"status": "confirmed"}).json()["count"] == 1
    assert api(admin_b).get("/inspections").json()["count"] == 0


def test_follow_ups_overdue_filter(confirmed, admin_a, admin_b):
    body = api(admin_a).get("/inspections/follow-ups", {"overdue": "true"}).json()
    assert body["count"] == 1 and body["items"][0]["overdue"] is True
    assert body["items"][0]["uscc"] == confirmed["entity"].uscc
    assert api(admin_b).get("/inspections/follow-ups").json()["count"] == 0
    assert api(admin_a).get("/inspections/follow-ups", {"status": "rectified"}).json()["count"] == 0
