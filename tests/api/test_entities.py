"""/api/entities: token authentication, jurisdiction, filters and paging, writes through services.

Rules checked (ENGINEERING.md "The stack" API row and "The shape of the code"; DOMAIN.md "Who uses
it", "Unified social credit code", "Credit lists"):
- no, unknown or revoked token → 401; the API never falls back to the browser session;
- a district sees and changes only its own entities, a station only its station's, the city all;
  an entity outside the caller's jurisdiction answers 404 (never 403: existence does not leak);
- a credit code with spaces or lower case is normalised; a wrong check character is a 422 naming
  the expected character, and writes nothing;
- every write leaves an audit event; a refused write leaves the database as it was;
- malformed input is a 4xx, never a 5xx.
"""

from __future__ import annotations

import pytest

from jianguan.core.models import AuditEvent
from jianguan.org.models import ApiToken
from jianguan.registry import models as registry_models
from jianguan.registry.models import DOMAINS, TESTING_FIELDS, Entity
from tests.conftest import DISTRICT_A, DISTRICT_B, new_uscc, unit

pytestmark = pytest.mark.django_db


def entity_body(**overrides) -> dict:
    body = {
        "uscc": new_uscc(),
        "name": "上海申江餐饮管理有限公司",
        "district": unit(DISTRICT_A).pk,
        "industry_code": "62",
        "domains": ["food"],
        "key_tier": "general",
    }
    body.update(overrides)
    return body


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def audit_count(action: str, entity_id) -> int:
    return AuditEvent.objects.filter(
        object_type="registry.entity", object_id=str(entity_id), action=action
    ).count()


# --- authentication -----------------------------------------------------------------------------


def test_missing_token_is_401_in_the_error_format(anonymous, make_entity):
    """Rule: the API is token-only; no token → 401 with a Chinese detail and a Bearer challenge."""
    make_entity()
    response = anonymous.get("/entities")
    assert response.status_code == 401
    body = response.json()
    assert "令牌" in body["detail"] and body["errors"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(make_entity):
    """Rule: a token that was never issued authenticates nobody."""
    from tests.api.conftest import ApiClient

    assert ApiClient("jg_not-a-real-token").get("/entities").status_code == 401
    assert (
        ApiClient("").client.get("/api/entities", headers={"Authorization": "Bearer"}).status_code
        == 401
    )
    assert (
        ApiClient("")
        .client.get("/api/entities", headers={"Authorization": "Basic abc"})
        .status_code
        == 401
    )


def test_revoked_token_and_inactive_user_are_401(admin_a):
    """Rule: a revoked token, or the token of a deactivated account, stops working at once."""
    from tests.api.conftest import ApiClient

    token, key = ApiToken.issue(admin_a, "test")
    client = ApiClient(key)
    assert client.get("/entities").status_code == 200
    token.revoked = True
    token.save()
    assert client.get("/entities").status_code == 401
    _token2, key2 = ApiToken.issue(admin_a, "test")
    admin_a.is_active = False
    admin_a.save()
    assert ApiClient(key2).get("/entities").status_code == 401


def test_browser_session_alone_does_not_open_the_api(client, admin_a):
    """Rule: a logged-in page session is not an API credential (no CSRF-less writes through it)."""
    client.force_login(admin_a)
    assert client.get("/api/entities").status_code == 401


# --- list: jurisdiction, filters, paging --------------------------------------------------------


def test_list_is_scoped_to_the_callers_jurisdiction(
    api_as, make_entity, admin_a, admin_b, city_admin, station_a
):
    """Rule (三级管辖): district A sees only A's entities, a station only its own, the city all."""
    a1 = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01")
    a2 = make_entity(DISTRICT_A)
    b1 = make_entity(DISTRICT_B)
    assert ids(api_as(admin_a).get("/entities")) == [a1.pk, a2.pk]
    assert ids(api_as(admin_b).get("/entities")) == [b1.pk]
    assert ids(api_as(station_a).get("/entities")) == [a1.pk]
    assert ids(api_as(city_admin).get("/entities")) == [a1.pk, a2.pk, b1.pk]
    # Asking for another district's rows by filter yields nothing, not the rows.
    assert ids(api_as(admin_a).get("/entities", {"district": unit(DISTRICT_B).pk})) == []


def test_list_pages_with_limit_and_offset(api_as, make_entity, city_admin):
    """Rule: lists are paged; count is the total, items one page in id order."""
    made = [make_entity() for _ in range(5)]
    client = api_as(city_admin)
    first = client.get("/entities", {"limit": 2}).json()
    assert first["count"] == 5 and [i["id"] for i in first["items"]] == [e.pk for e in made[:2]]
    last = client.get("/entities", {"limit": 2, "offset": 4}).json()
    assert last["count"] == 5 and [i["id"] for i in last["items"]] == [made[4].pk]
    assert client.get("/entities", {"offset": 100}).json() == {"count": 5, "items": []}


def test_list_filters(api_as, make_entity, city_admin):
    """Rule: the API filters are the list page's: q, district, station, domain, tier, status,
    industry (section letter or code prefix), entity_type, risk_class."""
    food = make_entity(
        DISTRICT_A,
        f"{DISTRICT_A}-S01",
        name="黄浦食品有限公司",
        domains=DOMAINS.mask(["food"]),
        key_tier="special",
        industry_code="5211",
        risk_class="C",
    )
    drug = make_entity(
        DISTRICT_B,
        name="徐汇医药连锁有限公司",
        domains=DOMAINS.mask(["drug", "food"]),
        status="cancelled",
        industry_code="2720",
        entity_type="individual",
    )
    client = api_as(city_admin)

    def hits(**params):
        return ids(client.get("/entities", params))

    assert hits(q="食品") == [food.pk]
    assert hits(q=drug.uscc[:10].lower()) == [drug.pk]
    assert hits(q=food.uscc) == [food.pk]
    assert hits(district=unit(DISTRICT_B).pk) == [drug.pk]
    assert hits(station=unit(f"{DISTRICT_A}-S01").pk) == [food.pk]
    assert hits(domain="food") == [food.pk, drug.pk]
    assert hits(domain="drug") == [drug.pk]
    assert hits(tier="special") == [food.pk]
    assert hits(tier="none") == [drug.pk]
    assert hits(status="cancelled") == [drug.pk]
    assert hits(industry="52") == [food.pk]
    assert hits(industry="F") == [food.pk]  # 批发和零售业: divisions 51-52
    assert hits(industry="c") == [drug.pk]  # 制造业, lower case accepted
    assert hits(entity_type="individual") == [drug.pk]
    assert hits(risk_class="C") == [food.pk]


def test_list_items_carry_codes_and_readable_names(api_as, make_entity, admin_a):
    """Rule: domains as codes (with labels); district/station as ids with names; risk class is
    included for staff and documented as internal."""
    e = make_entity(
        DISTRICT_A, f"{DISTRICT_A}-S01", domains=DOMAINS.mask(["food", "cosmetics"]), risk_class="B"
    )
    item = api_as(admin_a).get("/entities").json()["items"][0]
    assert item["uscc"] == e.uscc
    assert item["domains"] == ["food", "cosmetics"] and item["domain_labels"] == ["食品", "化妆品"]
    assert item["district"] == {"id": unit(DISTRICT_A).pk, "name": unit(DISTRICT_A).name}
    assert item["station"]["id"] == unit(f"{DISTRICT_A}-S01").pk
    assert item["status"] == "active" and item["status_label"] == "存续"
    assert item["risk_class"] == "B"


# --- detail --------------------------------------------------------------------------------------


def test_detail_nests_testing_body_data(api_as, make_entity, admin_a):
    """Rule (seed 001): an inspection & testing body's qualification data come with the entity."""
    plain = make_entity(DISTRICT_A)
    lab = make_entity(DISTRICT_A, domains=DOMAINS.mask(["testing_body"]), industry_code="7452")
    registry_models.TestingBody.objects.create(
        entity=lab, cert_no="210912345678", fields=TESTING_FIELDS.mask(["motor_vehicle"])
    )
    client = api_as(admin_a)
    assert client.get(f"/entities/{plain.pk}").json()["testing_body"] is None
    body = client.get(f"/entities/{lab.pk}").json()
    assert body["testing_body"]["cert_no"] == "210912345678"
    assert body["testing_body"]["fields"] == ["motor_vehicle"]
    assert body["testing_body"]["field_labels"] == ["机动车检验"]
    assert body["testing_body"]["key_field"] is True
    assert body["industry_name"]


def test_detail_outside_jurisdiction_is_404(api_as, make_entity, admin_a, station_a):
    """Rule: another district's (or another station's) entity answers 404, never 403."""
    b = make_entity(DISTRICT_B)
    other_station = make_entity(DISTRICT_A, f"{DISTRICT_A}-S02")
    response = api_as(admin_a).get(f"/entities/{b.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] and response.json()["errors"] == {}
    assert api_as(station_a).get(f"/entities/{other_station.pk}").status_code == 404
    assert api_as(admin_a).get("/entities/999999999999").status_code == 404


# --- create --------------------------------------------------------------------------------------


def test_create_normalises_the_code_and_is_audited(api_as, admin_a):
    """Rule (GB 32100): spaces and lower case are normalised, not rejected; the write is audited."""
    code = new_uscc(category="1").replace("MA", "ma")
    spaced = " ".join([code[:6], code[6:12], code[12:]])
    response = api_as(admin_a).post(
        "/entities", entity_body(uscc=spaced, station=unit(f"{DISTRICT_A}-S01").pk)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["uscc"] == code.upper()
    assert body["region_code"] == code[2:8]
    assert body["domains"] == ["food"] and body["key_tier"] == "general"
    entity = Entity.objects.get(pk=body["id"])
    assert entity.uscc == code.upper() and entity.domains == DOMAINS.mask(["food"])
    assert entity.station == unit(f"{DISTRICT_A}-S01")
    event = AuditEvent.objects.get(
        object_type="registry.entity", object_id=str(entity.pk), action="create"
    )
    assert event.actor == admin_a and event.district == unit(DISTRICT_A)


def test_create_with_wrong_check_character_is_422_naming_the_expected_one(api_as, admin_a):
    """Rule (GB 32100): a wrong check character is an error that says what it should be."""
    good = new_uscc()
    wrong = "0" if good[-1] != "0" else "1"
    response = api_as(admin_a).post("/entities", entity_body(uscc=good[:17] + wrong))
    assert response.status_code == 422
    body = response.json()
    assert f"第18位应为“{good[-1]}”" in body["errors"]["uscc"][0]
    assert f"“{good[-1]}”" in body["detail"]
    assert not Entity.objects.exists() and not AuditEvent.objects.exists()


def test_create_in_another_district_is_refused_and_writes_nothing(api_as, admin_a):
    """Rule: a district may only place data in its own district."""
    response = api_as(admin_a).post("/entities", entity_body(district=unit(DISTRICT_B).pk))
    assert response.status_code == 422
    assert "管辖范围" in response.json()["errors"]["district"][0]
    assert not Entity.objects.exists() and not AuditEvent.objects.exists()


def test_create_refused_to_roles_that_cannot_write(api_as, station_a, make_user):
    """Rule: stations and read-only accounts may not create at all → 403, nothing written."""
    reader = make_user("read_only", DISTRICT_A)
    for user in (station_a, reader):
        response = api_as(user).post("/entities", entity_body())
        assert response.status_code == 403
        assert response.json()["detail"]
    assert not Entity.objects.exists()


def test_create_checks_units_fields_and_duplicates(api_as, admin_a, make_entity, city_admin):
    """Rule: unknown units, a station of another district, unknown fields, an unknown industry code
    and a duplicate credit code are 422s with the field named; nothing is written."""
    existing = make_entity(DISTRICT_A)
    client = api_as(city_admin)
    cases = [
        (
            entity_body(district=unit(f"{DISTRICT_A}-S01").pk),
            "district",
        ),  # a station is not a district
        (entity_body(district=999999), "district"),
        (entity_body(station=unit(f"{DISTRICT_B}-S01").pk), "station"),
        (entity_body(station=unit(DISTRICT_A).pk), "station"),
        (entity_body(industry_code="99"), "industry_code"),
        (entity_body(uscc=existing.uscc.lower()), "uscc"),
        (entity_body(domains=["food", "astrology"]), "domains.1"),
        (entity_body(nmae="typo"), "nmae"),
        (entity_body(name=""), "name"),
        (entity_body(established_on="2024-02-30"), "established_on"),
        (entity_body(capital_wan="1e30"), "capital_wan"),
        ({"name": "缺少信用代码"}, "uscc"),
    ]
    for body, field in cases:
        response = client.post("/entities", body)
        assert response.status_code == 422, (body, response.content)
        assert field in response.json()["errors"], (field, response.json())
    assert list(Entity.objects.all()) == [existing]
    assert not AuditEvent.objects.exists()


# --- update --------------------------------------------------------------------------------------


def test_update_changes_only_what_is_sent_and_is_audited(api_as, make_entity, admin_a):
    """Rule: PATCH changes the fields given; the change is audited with before and after."""
    e = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01", name="旧名称有限公司", address="黄浦路1号")
    response = api_as(admin_a).patch(
        f"/entities/{e.pk}", {"name": "新名称有限公司", "station": None, "domains": ["drug"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "新名称有限公司" and response.json()["station"] is None
    e.refresh_from_db()
    assert (e.name, e.address, e.station, e.domains) == (
        "新名称有限公司",
        "黄浦路1号",
        None,
        DOMAINS.mask(["drug"]),
    )
    event = AuditEvent.objects.get(
        object_type="registry.entity", object_id=str(e.pk), action="update"
    )
    assert event.changes["name"] == ["旧名称有限公司", "新名称有限公司"]
    # An empty PATCH changes nothing and records nothing.
    assert api_as(admin_a).patch(f"/entities/{e.pk}", {}).status_code == 200
    assert audit_count("update", e.pk) == 1


def test_update_outside_jurisdiction_is_404_and_changes_nothing(
    api_as, make_entity, admin_a, station_a
):
    """Rule: another district's entity answers 404 on update too; a view-only role cannot change
    even its own station's entity (404, as if it were not there to change)."""
    b = make_entity(DISTRICT_B, name="徐汇企业")
    mine = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01", name="本所企业")
    assert api_as(admin_a).patch(f"/entities/{b.pk}", {"name": "改掉"}).status_code == 404
    assert api_as(station_a).patch(f"/entities/{mine.pk}", {"name": "改掉"}).status_code == 404
    assert Entity.objects.get(pk=b.pk).name == "徐汇企业"
    assert Entity.objects.get(pk=mine.pk).name == "本所企业"
    assert not AuditEvent.objects.exists()


def test_update_cannot_move_an_entity_out_of_the_district(api_as, make_entity, admin_a):
    """Rule: a district cannot hand its entity to another district by editing it."""
    e = make_entity(DISTRICT_A)
    response = api_as(admin_a).patch(f"/entities/{e.pk}", {"district": unit(DISTRICT_B).pk})
    assert response.status_code == 422 and "district" in response.json()["errors"]
    assert Entity.objects.get(pk=e.pk).district == unit(DISTRICT_A)
    assert not AuditEvent.objects.exists()


def test_update_rejects_null_for_required_fields(api_as, make_entity, admin_a):
    """Rule: `null` only clears fields that may be empty."""
    e = make_entity(DISTRICT_A)
    for field in ("name", "uscc", "district", "status"):
        response = api_as(admin_a).patch(f"/entities/{e.pk}", {field: None})
        assert response.status_code == 422 and field in response.json()["errors"]


# --- malformed input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/entities", {"limit": -1}),
        ("/entities", {"limit": 0}),
        ("/entities", {"limit": 10**9}),
        ("/entities", {"offset": -5}),
        ("/entities", {"offset": 10**30}),
        ("/entities", {"district": "abc"}),
        ("/entities", {"district": 10**30}),
        ("/entities", {"station": "-3"}),
        ("/entities", {"domain": "astrology"}),
        ("/entities", {"tier": "gold"}),
        ("/entities", {"status": "alive"}),
        ("/entities", {"industry": "52%"}),
        ("/entities", {"q": "a\x00b"}),
        ("/entities", {"q": "长" * 101}),
        ("/entities", {"risk_class": "E"}),
        ("/entities/abc", {}),
        ("/entities/0", {}),
        ("/entities/-1", {}),
        (f"/entities/{10**30}", {}),
    ],
)
def test_malformed_queries_are_422(api_as, city_admin, path, params):
    """Rule: malformed input is the client's error (422 with the parameter named), never a 5xx."""
    response = api_as(city_admin).get(path, params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"].startswith("数据校验未通过") and body["errors"]


def test_malformed_bodies_are_4xx(api_as, admin_a, make_entity):
    """Rule: a body that is not JSON, not an object, or has wrong types is a 4xx, never a 5xx."""
    e = make_entity(DISTRICT_A)
    client = api_as(admin_a)
    assert client.post("/entities", "{not json").status_code == 400
    assert client.post("/entities", b"\xff\xfe").status_code == 400
    assert client.post("/entities", "[1, 2]").status_code == 422
    assert client.post("/entities", "null").status_code == 422
    assert client.post("/entities", entity_body(district="黄浦")).status_code == 422
    assert client.post("/entities", entity_body(domains="food")).status_code == 422
    assert client.post("/entities", entity_body(name="\ud800")).status_code == 422
    assert client.post("/entities", entity_body(name="x" * 201)).status_code == 422
    assert client.patch(f"/entities/{e.pk}", {"capital_wan": -1}).status_code == 422
    assert client.patch(f"/entities/{e.pk}", {"established_on": "yesterday"}).status_code == 422
    assert client.patch(f"/entities/{e.pk}", {"district": 10**30}).status_code == 422
    assert client.patch("/entities/999999999999", {"name": "x"}).status_code == 404
    assert not AuditEvent.objects.exists()
