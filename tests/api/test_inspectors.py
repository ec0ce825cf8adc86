"""/api/inspectors: the inspector roster through the same token auth, scoping and services.

Rules checked (DOMAIN.md "Who uses it", "The objects" Inspector; seed 003 §三 classification by
qualification and expertise):
- a district sees and changes only inspectors of its own units, a station only its own, the city
  all; anything else answers 404;
- filters: q (name / 工号 / 执法证号), unit (a district includes its stations), expertise code,
  active, certificate validity;
- expertise is written as a list of codes; an unknown code is a 422 naming it;
- every write leaves an audit event; a refused write leaves the database as it was;
- malformed input is a 4xx, never a 5xx.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.personnel.models import Expertise, Inspector
from tests.conftest import DISTRICT_A, DISTRICT_B, unit

pytestmark = pytest.mark.django_db

S01 = f"{DISTRICT_A}-S01"
S02 = f"{DISTRICT_A}-S02"


@pytest.fixture
def make_inspector(db):
    serial = iter(range(1, 10_000))

    def make(unit_code: str = DISTRICT_A, *, expertise=(), **fields) -> Inspector:
        n = next(serial)
        fields.setdefault("name", f"检查员{n}")
        fields.setdefault("staff_no", f"T{unit_code}-{n:04d}")
        inspector = Inspector.objects.create(unit=unit(unit_code), **fields)
        inspector.expertise.set(Expertise.objects.filter(code__in=expertise))
        return inspector

    return make


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def inspector_body(**overrides) -> dict:
    body = {
        "name": "王建国",
        "staff_no": "HP-0001",
        "unit": unit(S01).pk,
        "cert_no": "31010100123",
        "cert_expires_on": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
        "expertise": ["food", "special_equipment"],
    }
    body.update(overrides)
    return body


def test_missing_or_revoked_token_is_401(anonymous, admin_a, make_inspector):
    """Rule: the API is token-only."""
    from jianguan.org.models import ApiToken
    from tests.api.conftest import ApiClient

    make_inspector()
    assert anonymous.get("/inspectors").status_code == 401
    token, key = ApiToken.issue(admin_a, "test")
    token.revoked = True
    token.save()
    assert ApiClient(key).get("/inspectors").status_code == 401
    assert ApiClient(key).post("/inspectors", inspector_body()).status_code == 401
    assert not Inspector.objects.filter(staff_no="HP-0001").exists()


def test_list_is_scoped_to_the_callers_jurisdiction(
    api_as, make_inspector, admin_a, admin_b, city_admin, station_a
):
    """Rule (三级管辖): district A sees its bureau's and stations' inspectors; a station its own."""
    a_bureau = make_inspector(DISTRICT_A)
    a_s01 = make_inspector(S01)
    a_s02 = make_inspector(S02)
    b = make_inspector(DISTRICT_B)
    assert set(ids(api_as(admin_a).get("/inspectors"))) == {a_bureau.pk, a_s01.pk, a_s02.pk}
    assert ids(api_as(admin_b).get("/inspectors")) == [b.pk]
    assert ids(api_as(station_a).get("/inspectors")) == [a_s01.pk]
    assert set(ids(api_as(city_admin).get("/inspectors"))) == {
        a_bureau.pk,
        a_s01.pk,
        a_s02.pk,
        b.pk,
    }


def test_list_filters_and_paging(api_as, make_inspector, city_admin):
    """Rule: the list page's filters; paging with count."""
    today = timezone.localdate()
    valid = make_inspector(
        S01,
        name="李明",
        cert_no="C-1",
        cert_expires_on=today + dt.timedelta(days=30),
        expertise=["food"],
    )
    expired = make_inspector(
        S02,
        name="张华",
        cert_no="C-2",
        cert_expires_on=today - dt.timedelta(days=1),
        expertise=["drug"],
    )
    gone = make_inspector(DISTRICT_B, name="赵丽", active=False, inactive_since=today)
    client = api_as(city_admin)

    def hits(**params):
        return set(ids(client.get("/inspectors", params)))

    assert hits(q="李") == {valid.pk}
    assert hits(q=expired.staff_no) == {expired.pk}
    assert hits(q="C-2") == {expired.pk}
    assert hits(unit=unit(DISTRICT_A).pk) == {
        valid.pk,
        expired.pk,
    }  # a district includes its stations
    assert hits(unit=unit(S01).pk) == {valid.pk}
    assert hits(expertise="food") == {valid.pk}
    assert hits(active="false") == {gone.pk}
    assert hits(active="true") == {valid.pk, expired.pk}
    assert hits(cert="valid") == {valid.pk}
    assert hits(cert="expired") == {expired.pk, gone.pk}
    page = client.get("/inspectors", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_detail_shows_codes_and_qualification(api_as, make_inspector, admin_a):
    """Rule: expertise as codes with labels; unit and district by id and name; qualified today."""
    i = make_inspector(
        S01, cert_no="C-9", cert_expires_on=timezone.localdate(), expertise=["food", "metrology"]
    )
    body = api_as(admin_a).get(f"/inspectors/{i.pk}").json()
    assert body["expertise"] == ["food", "metrology"] and body["expertise_labels"] == [
        "食品安全",
        "计量",
    ]
    assert body["unit"] == {"id": unit(S01).pk, "name": unit(S01).name}
    assert body["district"]["id"] == unit(DISTRICT_A).pk
    assert body["qualified"] is True


def test_detail_and_update_outside_jurisdiction_are_404(api_as, make_inspector, admin_a, station_a):
    """Rule: another district's inspector answers 404 on read and on write, and stays unchanged;
    a view-only station account cannot change even its own station's inspector (404)."""
    b = make_inspector(DISTRICT_B, name="徐汇检查员")
    own_station = make_inspector(S01, name="本所检查员")
    client = api_as(admin_a)
    assert client.get(f"/inspectors/{b.pk}").status_code == 404
    assert client.patch(f"/inspectors/{b.pk}", {"name": "改掉"}).status_code == 404
    assert api_as(station_a).get(f"/inspectors/{own_station.pk}").status_code == 200
    assert (
        api_as(station_a).patch(f"/inspectors/{own_station.pk}", {"name": "改掉"}).status_code
        == 404
    )
    assert Inspector.objects.get(pk=b.pk).name == "徐汇检查员"
    assert Inspector.objects.get(pk=own_station.pk).name == "本所检查员"
    assert not AuditEvent.objects.exists()


def test_create_with_expertise_codes_is_audited(api_as, admin_a):
    """Rule: a district adds inspectors to its own units; expertise by code; the write is audited."""
    response = api_as(admin_a).post("/inspectors", inspector_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["expertise"] == ["food", "special_equipment"] and body["qualified"] is True
    inspector = Inspector.objects.get(pk=body["id"])
    assert inspector.unit == unit(S01)
    assert sorted(t.code for t in inspector.expertise.all()) == ["food", "special_equipment"]
    event = AuditEvent.objects.get(
        object_type="personnel.inspector", object_id=str(inspector.pk), action="create"
    )
    assert event.actor == admin_a and event.district == unit(DISTRICT_A)


def test_create_refused_outside_jurisdiction_or_role(api_as, admin_a, station_a, make_user):
    """Rule: a district cannot add to another district's units (422, unit named); stations and
    read-only accounts cannot create at all (403); nothing is written."""
    response = api_as(admin_a).post("/inspectors", inspector_body(unit=unit(DISTRICT_B).pk))
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert api_as(station_a).post("/inspectors", inspector_body()).status_code == 403
    assert (
        api_as(make_user("read_only", DISTRICT_A)).post("/inspectors", inspector_body()).status_code
        == 403
    )
    assert not Inspector.objects.exists() and not AuditEvent.objects.exists()


def test_create_validation_errors_name_the_field(api_as, admin_a, make_inspector):
    """Rule: unknown expertise codes, unknown units, duplicate 工号, an inactive inspector without
    a leaving date, unknown fields: 422 with the field named; nothing written."""
    existing = make_inspector(S01, staff_no="HP-0009")
    cases = [
        (inspector_body(expertise=["food", "astrology"]), "expertise", "astrology"),
        (inspector_body(unit=999999), "unit", "999999"),
        (inspector_body(staff_no="HP-0009"), "staff_no", ""),
        (inspector_body(active=False), "inactive_since", ""),
        (inspector_body(salary=1), "salary", ""),
        (inspector_body(name=" "), "name", ""),
        (inspector_body(cert_expires_on="2025-02-29"), "cert_expires_on", ""),
    ]
    for body, field, mentioned in cases:
        response = api_as(admin_a).post("/inspectors", body)
        assert response.status_code == 422, (body, response.content)
        errors = response.json()["errors"]
        assert field in errors, (field, errors)
        assert mentioned in errors[field][0]
    assert list(Inspector.objects.all()) == [existing]
    assert not AuditEvent.objects.exists()


def test_update_replaces_expertise_and_is_audited(api_as, make_inspector, admin_a):
    """Rule: PATCH changes only what is sent; expertise, when sent, replaces the set; audited."""
    i = make_inspector(S01, name="陈强", expertise=["food"])
    today = timezone.localdate()
    response = api_as(admin_a).patch(
        f"/inspectors/{i.pk}",
        {"expertise": ["drug", "cosmetics"], "active": False, "inactive_since": today.isoformat()},
    )
    assert response.status_code == 200, response.content
    assert response.json()["expertise"] == ["drug", "cosmetics"]
    i.refresh_from_db()
    assert (i.name, i.active, i.inactive_since) == ("陈强", False, today)
    assert sorted(t.code for t in i.expertise.all()) == ["cosmetics", "drug"]
    event = AuditEvent.objects.get(
        object_type="personnel.inspector", object_id=str(i.pk), action="update"
    )
    assert event.actor == admin_a and "active" in event.changes


def test_update_cannot_move_an_inspector_to_another_district(api_as, make_inspector, admin_a):
    """Rule: a district cannot place its inspector in another district's unit."""
    i = make_inspector(S01)
    response = api_as(admin_a).patch(f"/inspectors/{i.pk}", {"unit": unit(DISTRICT_B).pk})
    assert response.status_code == 422 and "unit" in response.json()["errors"]
    assert Inspector.objects.get(pk=i.pk).unit == unit(S01)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/inspectors", {"limit": -1}),
        ("/inspectors", {"limit": 10**9}),
        ("/inspectors", {"unit": "abc"}),
        ("/inspectors", {"unit": 10**30}),
        ("/inspectors", {"expertise": "astrology"}),
        ("/inspectors", {"active": "maybe"}),
        ("/inspectors", {"cert": "soon"}),
        ("/inspectors", {"q": "\x00"}),
        ("/inspectors/abc", {}),
        (f"/inspectors/{10**30}", {}),
    ],
)
def test_malformed_queries_are_422(api_as, city_admin, path, params):
    """Rule: malformed input is the client's error, never a 5xx."""
    response = api_as(city_admin).get(path, params)
    assert response.status_code == 422, response.content
    assert response.json()["errors"]


def test_malformed_bodies_and_unknown_ids_are_4xx(api_as, admin_a, make_inspector):
    """Rule: bad bodies are 400/422 and unknown ids 404, never a 5xx; nothing is written."""
    i = make_inspector(S01)
    client = api_as(admin_a)
    assert client.get("/inspectors/999999999999").status_code == 404
    assert client.patch("/inspectors/999999999999", {"name": "x"}).status_code == 404
    assert client.post("/inspectors", "{oops").status_code == 400
    assert client.post("/inspectors", inspector_body(expertise="food")).status_code == 422
    assert client.post("/inspectors", inspector_body(unit=10**30)).status_code == 422
    assert client.post("/inspectors", inspector_body(staff_no="x" * 33)).status_code == 422
    assert client.patch(f"/inspectors/{i.pk}", {"active": None}).status_code == 422
    assert client.patch(f"/inspectors/{i.pk}", {"expertise": [1, 2]}).status_code == 422
    assert not AuditEvent.objects.exists()
