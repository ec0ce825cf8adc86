"""/api/catalog: the check-item list, result codes and departments for other systems.

Rules: token authentication (401 without); city-wide lists readable by every staff role; list
filters and paging like the other list endpoints; unknown ids answer 404 and bad parameters 422,
with the shared error body {"detail", "errors"}; the OpenAPI document lists the error answers.
"""

from __future__ import annotations

import pytest

from jianguan.catalog.models import CheckItem, Department, ResultCode

pytestmark = pytest.mark.django_db


def test_list_items_filters_and_pages(api_as, station_a):
    api = api_as(station_a)
    response = api.get("/catalog/items")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == CheckItem.objects.count() and len(body["items"]) == body["count"]
    key = api.get("/catalog/items", {"kind": "key", "limit": 3, "offset": 1}).json()
    assert key["count"] == CheckItem.objects.filter(kind="key").count() and len(key["items"]) == 3
    assert {i["kind"] for i in key["items"]} == {"key"} and all(
        i["cap"] is None for i in key["items"]
    )
    police = Department.objects.get(code="GA")
    got = api.get("/catalog/items", {"department": police.pk}).json()
    assert [i["code"] for i in got["items"]] == ["SH-GA-001"]
    assert got["items"][0]["department"] == {"id": police.pk, "code": "GA", "name": "公安"}
    got = api.get("/catalog/items", {"q": "企业公示"}).json()
    [public] = got["items"]
    assert public["code"] == "SH-SC-001" and public["kind_label"] == "一般检查事项"
    assert (public["default_ratio"], public["cap"]) == ("0.0300", "0.0500")  # fractions
    assert public["domains"] == ["public_info"] and "书面检查" in public["method_labels"]
    testing = api.get("/catalog/items", {"domain": "testing_body", "active": True}).json()
    assert testing["count"] >= 5


def test_item_detail_and_404(api_as, admin_a):
    api = api_as(admin_a)
    item = CheckItem.objects.get(code="SH-SC-008")
    body = api.get(f"/catalog/items/{item.pk}").json()
    assert body["name"] == "特种设备使用单位检查" and body["kind"] == "key"
    assert body["methods"] == ["onsite", "document"] and body["domains"] == ["special_equipment"]
    missing = api.get("/catalog/items/999999")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_bad_parameters_are_422(api_as, admin_a):
    api = api_as(admin_a)
    for params in ({"kind": "other"}, {"limit": 0}, {"department": "x"}, {"domain": "moon"}):
        response = api.get("/catalog/items", params)
        assert response.status_code == 422, params
        assert set(response.json()) == {"detail", "errors"}
    assert api.get("/catalog/items/0").status_code == 422


def test_result_codes_in_tree_order(api_as, station_a):
    api = api_as(station_a)
    body = api.get("/catalog/result-codes").json()
    assert body["count"] == ResultCode.objects.count() == 14
    codes = [(c["code"], c["parent"], c["level"]) for c in body["items"]]
    assert codes[:3] == [("01", None, 1), ("02", None, 1), ("0201", "02", 2)]
    found = {c["name"] for c in body["items"] if c["problem_found"]}
    assert "不配合检查情节严重" in found and "已注销" not in found
    ResultCode.objects.filter(code="10").update(active=False)
    active = api.get("/catalog/result-codes", {"active": True}).json()
    assert active["count"] == 13


def test_departments(api_as, admin_a):
    body = api_as(admin_a).get("/catalog/departments").json()
    assert body["count"] == Department.objects.count()
    assert {"code": "SCJG", "name": "市场监管"} in [
        {"code": d["code"], "name": d["name"]} for d in body["items"]
    ]


def test_authentication_required(client):
    for path in ("/api/catalog/items", "/api/catalog/result-codes", "/api/catalog/departments"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["detail"]


def test_role_without_view_sees_nothing(api_as, make_user):
    expert = make_user("expert", "310000")
    assert api_as(expert).get("/catalog/items").json()["count"] == 0


def test_openapi_documents_errors(client):
    spec = client.get("/api/openapi.json").json()
    items = spec["paths"]["/api/catalog/items"]["get"]["responses"]
    assert {"200", "401", "422"} <= set(items)
    detail = spec["paths"]["/api/catalog/items/{item_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(detail)
    assert "/api/catalog/result-codes" in spec["paths"]
