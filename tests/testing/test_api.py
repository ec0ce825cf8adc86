"""/api/testing: the register, PT results (recording one, graded from the unrounded z), current
grades and follow-ups for other systems, scoped like the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from jianguan.testing.models import PTResult, PTScheme, Rectification

TODAY = dt.date.today()


@pytest.fixture
def scheme(db):
    return PTScheme.objects.create(
        number="SH-PT-API",
        name="铅",
        field="food_testing",
        items="铅",
        year=TODAY.year,
        provider="测试",
        deadline=TODAY,
    )


def test_register_lists_and_details_in_the_jurisdiction(api_as, admin_a, admin_b, make_body, grant):
    q = grant(make_body())
    out = api_as(admin_a).get("/testing/qualifications", {"status": "valid"}).json()
    assert out["count"] == 1 and out["items"][0]["cert_no"] == q.cert_no
    assert api_as(admin_b).get("/testing/qualifications").json()["count"] == 0
    assert api_as(admin_b).get(f"/testing/qualifications/{q.pk}").status_code == 404
    assert api_as(admin_a).get("/testing/qualifications", {"status": "nope"}).status_code == 422


def test_a_result_posted_is_graded_and_rectified(api_as, admin_a, make_body, scheme):
    body = make_body()
    payload = {
        "uscc": body.uscc.lower(),
        "scheme": scheme.number,
        "item": "铅",
        "x": "8",
        "assigned": "10",
        "sigma": "1",
        "reported_on": TODAY.isoformat(),
    }
    response = api_as(admin_a).post("/testing/pt-results", payload)
    assert response.status_code == 201, response.content
    assert (response.json()["z"], response.json()["grade"]) == ("-2.00", "satisfactory")
    again = api_as(admin_a).post("/testing/pt-results", {**payload, "item": "镉"})
    assert again.status_code == 422 and "项目应为该计划的项目之一" in str(again.json())
    poor = api_as(admin_a).post(
        "/testing/pt-results", {**payload, "uscc": make_body().uscc, "x": "13"}
    )
    assert poor.json()["grade"] == "unsatisfactory"
    assert Rectification.objects.filter(result_id=poor.json()["id"]).exists()
    assert PTResult.objects.count() == 2


def test_posting_for_another_district_or_a_station_is_refused(
    api_as, admin_b, station_a, make_body, scheme
):
    body = make_body()
    payload = {
        "uscc": body.uscc,
        "scheme": scheme.number,
        "item": "铅",
        "x": "1",
        "assigned": "1",
        "sigma": "1",
        "reported_on": TODAY.isoformat(),
    }
    assert api_as(admin_b).post("/testing/pt-results", payload).status_code == 422
    assert api_as(station_a).post("/testing/pt-results", payload).status_code == 403
    assert not PTResult.objects.exists()
