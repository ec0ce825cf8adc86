"""/api/draws: list, detail, visits, and the steps commit → entropy → execute.

Rules checked (DOMAIN.md "Double random, one public"; jianguan/api.py): the secret and the seed
are not in any answer before the draw is made; a task asking for external entropy is refused
(422, Chinese message) until it is entered; the draw runs as a background job (202); outside the
caller's jurisdiction every operation answers 404, and a caller who may only read answers 403.
"""

from __future__ import annotations

import pytest

from jianguan.core.models import Job
from jianguan.org.models import ApiToken
from jianguan.sampling import protocol
from jianguan.sampling.models import Draw, Visit
from tests.api.conftest import ApiClient
from tests.conftest import DISTRICT_A, entropy_declaration
from tests.sampling.test_views import make_roster, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    def make(user) -> ApiClient:
        _token, key = ApiToken.issue(user, "test")
        return ApiClient(key)

    return make


@pytest.fixture
def roster(make_entity):
    return make_roster(make_entity)


def test_commit_entropy_execute_flow(api, admin_a, roster, clock):
    """Issue 11: the commitment binds the entropy declaration; the declared value is entered
    once, after its announcement, in its canonical form."""
    task = make_task(admin_a, requires_external_entropy=True)
    client = api(admin_a)

    # A task asking for entropy cannot be committed without a declaration, nor with a value
    # already announced.
    response = client.post("/draws", {"task_id": task.pk})
    assert response.status_code == 422 and "声明" in response.json()["detail"]
    past = api_declaration(hours=-1)
    response = client.post("/draws", {"task_id": task.pk, "entropy_declaration": past})
    assert response.status_code == 422 and "不在将来" in response.json()["detail"]
    assert not Draw.objects.exists()

    declared = api_declaration(fmt="numbers:7")
    response = client.post("/draws", {"task_id": task.pk, "entropy_declaration": declared})
    assert response.status_code == 201, response.json()
    body = response.json()
    draw = Draw.objects.get()
    assert body["id"] == draw.pk and body["status"] == "committed"
    assert body["protocol"] == protocol.PROTOCOL
    assert (
        body["commitment"]
        == draw.commitment
        == protocol.commitment(bytes.fromhex(draw.secret), draw.digests)
    )
    assert body["entropy_declaration"]["identifier"] == declared["identifier"]
    assert body["secret"] is None and body["seed"] is None
    assert body["requires_entropy"] is True
    assert set(body["digests"]) == set(protocol.COMMITTED)
    assert draw.secret not in response.content.decode()

    # A second commit of the same task is refused with the engine's message.
    response = client.post("/draws", {"task_id": task.pk, "entropy_declaration": declared})
    assert response.status_code == 422
    assert "该任务已有抽取" in response.json()["detail"]

    # No draw without the external entropy, and no entropy before its announcement.
    response = client.post(f"/draws/{draw.pk}/execute", {})
    assert response.status_code == 422
    assert "外部随机数" in response.json()["detail"]
    assert not Job.objects.exists()
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "07 19 22 25 30 33 + 12"})
    assert response.status_code == 422 and "公布之后才能录入" in response.json()["detail"]

    clock.advance(hours=2)
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "   "})
    assert response.status_code == 422
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "1" * 401})
    assert response.status_code == 422 and "value" in response.json()["errors"]
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "07 19 22 25 30 33"})
    assert response.status_code == 422 and "7 个号码" in response.json()["detail"]
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "7,19，22、25 30 33 + 12"})
    assert response.status_code == 200, response.json()
    assert response.json()["external_entropy"] == "07 19 22 25 30 33 12"  # canonical form
    assert response.json()["secret"] is None
    # Entered once: a correction is refused (only a re-draw with a reason corrects it).
    response = client.post(f"/draws/{draw.pk}/entropy", {"value": "01 02 03 04 05 06 07"})
    assert response.status_code == 422 and "不能更改" in response.json()["detail"]

    response = client.post(f"/draws/{draw.pk}/execute", {})
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["job_id"])
    assert response.json()["draw_id"] == draw.pk
    assert job.kind == "draw" and job.params["draw_id"] == draw.pk

    body = client.get(f"/draws/{draw.pk}").json()
    draw.refresh_from_db()
    assert body["status"] == "drawn"
    assert body["secret"] == draw.secret and body["seed"] == draw.seed
    assert body["counts"]["selected"] == 11
    assert "result" in body["digests"]

    # Executing again, or changing the entropy, is refused.
    assert client.post(f"/draws/{draw.pk}/execute", {}).status_code == 422
    assert client.post(f"/draws/{draw.pk}/entropy", {"value": "1"}).status_code == 422


def api_declaration(**kwargs) -> dict:
    d = entropy_declaration(**kwargs)
    return {**d, "announced_at": d["announced_at"].isoformat()}


def test_visits_are_paged_with_teams(api, admin_a, roster):
    task = make_task(admin_a)
    client = api(admin_a)
    draw_id = client.post("/draws", {"task_id": task.pk}).json()["id"]
    assert client.get(f"/draws/{draw_id}/visits").json() == {"count": 0, "items": []}
    assert client.post(f"/draws/{draw_id}/execute", {}).status_code == 202

    body = client.get(f"/draws/{draw_id}/visits", {"limit": 5}).json()
    assert body["count"] == 11 and len(body["items"]) == 5
    item = body["items"][0]
    visit = Visit.objects.select_related("entity").get(pk=item["id"])
    assert item["uscc"] == visit.entity.uscc and item["name"] == visit.entity.name
    assert item["stratum"] == visit.stratum and item["certain"] == visit.certain
    assert len(item["inspector_ids"]) == 2 and item["expert_ids"] == []
    assert set(item["inspector_ids"]) == set(visit.members.values_list("inspector_id", flat=True))
    rest = client.get(f"/draws/{draw_id}/visits", {"limit": 50, "offset": 5}).json()
    assert len(rest["items"]) == 6
    assert {i["uscc"] for i in body["items"]}.isdisjoint({i["uscc"] for i in rest["items"]})
    one = client.get(f"/draws/{draw_id}/visits", {"q": visit.entity.uscc}).json()
    assert one["count"] == 1 and one["items"][0]["id"] == visit.pk


def test_list_filters(api, admin_a, roster):
    client = api(admin_a)
    first = make_task(admin_a)
    second = make_task(admin_a, title="另一项抽查任务")
    a = client.post("/draws", {"task_id": first.pk}).json()["id"]
    b = client.post("/draws", {"task_id": second.pk}).json()["id"]
    client.post(f"/draws/{a}/execute", {})

    body = client.get("/draws").json()
    assert body["count"] == 2
    assert all(item["secret"] is None for item in body["items"] if item["id"] == b)
    assert [i["id"] for i in client.get("/draws", {"task": second.pk}).json()["items"]] == [b]
    assert [i["id"] for i in client.get("/draws", {"status": "drawn"}).json()["items"]] == [a]
    assert client.get("/draws", {"status": "lost"}).status_code == 422
    assert client.get("/draws", {"limit": 1}).json()["count"] == 2
    assert len(client.get("/draws", {"limit": 1}).json()["items"]) == 1


def test_another_district_gets_404_and_a_reader_403(api, admin_a, admin_b, make_user, roster):
    task = make_task(admin_a)
    client = api(admin_a)
    draw_id = client.post("/draws", {"task_id": task.pk}).json()["id"]

    other = api(admin_b)
    assert other.get(f"/draws/{draw_id}").status_code == 404
    assert other.get(f"/draws/{draw_id}/visits").status_code == 404
    assert other.post(f"/draws/{draw_id}/entropy", {"value": "1"}).status_code == 404
    assert other.post(f"/draws/{draw_id}/execute", {}).status_code == 404
    response = other.post("/draws", {"task_id": task.pk})  # an id in the body: a field error
    assert response.status_code == 422
    assert "管辖范围" in response.json()["errors"]["task_id"][0]
    assert other.get("/draws").json()["count"] == 0

    reader = api(make_user("read_only", DISTRICT_A))
    assert reader.get(f"/draws/{draw_id}").status_code == 200
    assert reader.post(f"/draws/{draw_id}/execute", {}).status_code == 403
    assert reader.post(f"/draws/{draw_id}/entropy", {"value": "1"}).status_code == 403
    second = make_task(admin_a, title="只读用户不能抽取")
    response = reader.post("/draws", {"task_id": second.pk})
    assert response.status_code == 403 and response.json()["detail"]
    assert Draw.objects.count() == 1
    assert Draw.objects.get().status == Draw.Status.COMMITTED


def test_bad_requests(api, admin_a):
    client = api(admin_a)
    assert client.post("/draws", "not json").status_code == 400
    response = client.post("/draws", {"task_id": 1, "extra": 1})
    assert response.status_code == 422 and "extra" in response.json()["errors"]
    assert client.post("/draws", {"task_id": 2**64}).status_code == 422
    assert client.post("/draws", {"task_id": 999_999}).status_code == 422
    assert client.get(f"/draws/{2**64}").status_code == 422
    assert client.get("/draws/999999").status_code == 404
    assert ApiClient(None).get("/draws").status_code == 401
