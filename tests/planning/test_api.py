"""/api/planning: tasks and plans for other systems.

Rules checked (ENGINEERING.md "The stack": typed API, OpenAPI; "Habits": errors a client can
cause answer with what and where): the POST body is the task definition; a bad definition
answers 422 with the path of each bad field; reads are scoped (404 outside the jurisdiction).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianguan.core.models import AuditEvent
from jianguan.planning import services
from jianguan.planning.models import Task
from tests.conftest import DISTRICT_B
from tests.planning.conftest import definition, make_item

pytestmark = pytest.mark.django_db


def test_create_task(api_as, admin_a):
    item = make_item(cap="0.03")
    body = definition(
        items=[item.code],
        sampling={"ratio": 0.02, "class_ratios": {"D": "1"}},
        window={"start": "2026-05-20", "end": "2026-06-30"},
    )
    response = api_as(admin_a).post("/planning/tasks", body)
    assert response.status_code == 201, response.content
    out = response.json()
    task = Task.objects.get()
    assert out["id"] == task.pk
    assert out["unit"]["code"] == "310101" and out["district"]["code"] == "310101"
    assert out["plan"]["title"] == "2026年度黄浦区双随机抽查工作计划"
    assert out["cap"] == "0.03" and out["items"][0]["cap"] == "0.03"
    assert out["definition"]["sampling"]["ratio"] == "0.02"
    assert out["definition"]["sampling"]["class_ratios"] == {"D": "1"}
    assert out["definition"]["window"] == {"start": "2026-05-20", "end": "2026-06-30"}
    assert out["window_end"] == "2026-06-30"
    assert AuditEvent.objects.filter(object_type="planning.task", action="create").count() == 1


def test_bad_definition_answers_422_with_paths(api_as, admin_a):
    body = definition(sampling={"mode": "count"}, team={"size": 1}, items=["NO-SUCH"])
    response = api_as(admin_a).post("/planning/tasks", body)
    assert response.status_code == 422
    out = response.json()
    assert out["detail"].startswith("任务定义未通过校验")
    assert set(out["errors"]) >= {"sampling.count", "team.size", "items"}
    assert "第四十二条" in out["errors"]["team.size"][0]
    assert not Task.objects.exists()


def test_unknown_fields_and_wrong_types_answer_422(api_as, admin_a):
    client = api_as(admin_a)
    response = client.post("/planning/tasks", {**definition(), "sampeling": {"ratio": "0.1"}})
    assert response.status_code == 422 and "sampeling" in response.json()["errors"]
    response = client.post("/planning/tasks", {**definition(), "check_date": "next week"})
    assert response.status_code == 422 and "check_date" in response.json()["errors"]
    response = client.post("/planning/tasks", [1, 2])
    assert response.status_code == 422
    response = client.post("/planning/tasks", "{not json")
    assert response.status_code == 400
    response = client.post("/planning/tasks", {**definition(), "title": "a\x00b"})
    assert response.status_code == 422
    assert not Task.objects.exists()


def test_unit_outside_jurisdiction_answers_422(api_as, admin_a):
    response = api_as(admin_a).post("/planning/tasks", definition(unit=DISTRICT_B))
    assert response.status_code == 422
    assert response.json()["errors"] == {"unit": ["所选机构不在您的管辖范围内"]}


def test_station_user_gets_403(api_as, station_a):
    assert api_as(station_a).post("/planning/tasks", definition()).status_code == 403


def test_reads_are_scoped(api_as, admin_a, admin_b, city_admin):
    task = services.task_save(admin_a, definition=definition())
    a, b = api_as(admin_a), api_as(admin_b)
    assert a.get(f"/planning/tasks/{task.pk}").status_code == 200
    assert b.get(f"/planning/tasks/{task.pk}").status_code == 404
    assert b.get(f"/planning/plans/{task.plan_id}").status_code == 404
    assert b.get("/planning/tasks").json() == {"count": 0, "items": []}
    assert b.get("/planning/plans").json() == {"count": 0, "items": []}
    assert api_as(city_admin).get("/planning/tasks").json()["count"] == 1
    assert a.get("/planning/tasks/999999999").status_code == 404


def test_lists_and_filters(api_as, admin_a):
    police = make_item(kind="key", cap=None, dept="GA")
    joint = services.task_save(
        admin_a,
        definition=definition(title="联合", items=[make_item().code, police.code], quarter=3),
    )
    services.task_save(admin_a, definition=definition(title="单一"))
    client = api_as(admin_a)

    def titles(**params):
        response = client.get("/planning/tasks", params)
        assert response.status_code == 200, response.content
        return {t["title"] for t in response.json()["items"]}

    assert titles() == {"联合", "单一"}
    assert titles(joint="true") == {"联合"}
    assert titles(joint="false") == {"单一"}
    assert titles(quarter=3) == {"联合"}
    assert titles(item=police.code) == {"联合"}
    assert titles(q="单") == {"单一"}
    assert titles(year=2026, status="draft") == {"联合", "单一"}
    assert client.get("/planning/tasks", {"quarter": 9}).status_code == 422
    one = client.get(f"/planning/tasks/{joint.pk}").json()
    assert one["joint"] is True and one["definition"]["team"]["size"] == 2

    plans = client.get("/planning/plans", {"year": 2026}).json()
    assert plans["count"] == 1 and plans["items"][0]["task_count"] == 2
    plan = client.get(f"/planning/plans/{joint.plan_id}").json()
    assert {t["title"] for t in plan["tasks"]} == {"联合", "单一"}
    assert client.get("/planning/plans", {"status": "nope"}).status_code == 422


def test_openapi_documents_the_operations(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/planning/tasks"])
    assert "get" in paths["/api/planning/tasks/{task_id}"]
    assert "get" in paths["/api/planning/plans"] and "get" in paths["/api/planning/plans/{plan_id}"]
    post = paths["/api/planning/tasks"]["post"]
    assert {"400", "401", "403", "409", "422"} <= set(post["responses"])


# Whatever a client sends as a definition, the answer is 201 or 4xx, never a 5xx.
_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | _text
    | st.sampled_from(["0.05", "NaN", "1e400", "2026-05-20", "310101", "A", "food", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_KEYS = [
    "title",
    "unit",
    "year",
    "batch",
    "quarter",
    "items",
    "check_date",
    "window",
    "population",
    "sampling",
    "team",
    "experts",
    "requires_external_entropy",
]
_SECTION_KEYS = {
    "sampling": ["mode", "ratio", "count", "class_ratios", "certainty", "min_per_stratum"],
    "team": ["size", "skills", "units", "pool_by", "max_load", "rotation"],
    "population": ["domains", "districts", "stations", "industries", "risk_classes"],
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    top=st.dictionaries(st.sampled_from(_KEYS), _json, max_size=4),
    section=st.sampled_from(sorted(_SECTION_KEYS)),
    inner=st.data(),
)
def test_fuzzed_definitions_never_fail_the_server(api_as, admin_a, top, section, inner):
    keys = _SECTION_KEYS[section]
    sub = inner.draw(st.dictionaries(st.sampled_from(keys), _json, max_size=3))
    body = {**definition(), **top}
    body[section] = sub
    before = Task.objects.count()
    response = api_as(admin_a).post("/planning/tasks", json.dumps(body, allow_nan=True))
    # NaN and infinities are not JSON: 400; otherwise 201 when the task was made, else 422
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        assert response.status_code == 400, response.content
    else:
        expected = 201 if Task.objects.count() > before else 422
        assert response.status_code == expected, response.content
    if response.status_code != 201:
        assert Task.objects.count() == before
        assert response.json()["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_are_a_400(api_as, admin_a, constant):
    """RFC 8259: NaN and Infinity are not JSON; Python's parser accepts them, the API must not."""
    body = json.dumps({**definition(), "note": float(constant.lower())}, allow_nan=True)
    assert constant in body
    response = api_as(admin_a).post("/planning/tasks", body)
    assert response.status_code == 400, response.content
    assert not Task.objects.exists()
