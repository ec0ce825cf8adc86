"""/api/public: no token, the same data rules as the pages (issue 4 "Must show": the portal never
shows unpublished results, risk classes or personal data of staff — on the API too)."""

import json

import pytest
from django.test import Client

from .builders import SECRET_TEXTS
from .test_pages import FORBIDDEN

pytestmark = pytest.mark.django_db


def get(url, **params):
    response = Client().get(url, params)
    return response.status_code, response.json()


def assert_nothing_internal(body):
    text = json.dumps(body, ensure_ascii=False)
    for word in [*FORBIDDEN, "legal_rep", "inspector", "findings", "risk_class", "staff"]:
        assert word not in text, word


def test_entity_by_uscc_without_token(portal_world):
    """Issue 4 point 5: no login/token; public registration fields and published results only."""
    w = portal_world
    status, body = get(f"/api/public/entities/{w.published_entity.uscc}")
    assert status == 200
    assert body["uscc"] == w.published_entity.uscc and body["status_label"] == "存续"
    assert set(body) == {"uscc", "name", "status", "status_label", "address", "results", "listings"}
    (result,) = body["results"]
    assert result["result"] == w.result.code_text and result["authority"] == w.result.authority
    assert result["checked_on"] == "2026-06-03" and result["withdrawn"] is False
    assert_nothing_internal(body)


def test_withdrawn_result_has_reason_and_no_result(portal_world):
    """Issue 4 point 3: a withdrawal is shown with its date and reason; the result itself is gone."""
    w = portal_world
    _, body = get(f"/api/public/entities/{w.withdrawn_entity.uscc}")
    (result,) = body["results"]
    assert (
        result["withdrawn"] is True and result["withdrawal_reason"] == w.withdrawn.withdrawal_reason
    )
    assert result["result"] is None and result["result_code"] is None


@pytest.mark.parametrize("which", ["unchecked_entity", "nonpublic_entity", "unpublished_entity"])
def test_no_result_unless_published(portal_world, which):
    """Drawn-but-unchecked, non-public by law, pending publication: an empty result list."""
    status, body = get(f"/api/public/entities/{getattr(portal_world, which).uscc}")
    assert status == 200 and body["results"] == []
    assert SECRET_TEXTS["unpublished"] not in json.dumps(body, ensure_ascii=False)
    assert_nothing_internal(body)


def test_lower_case_uscc_and_bad_check_character(portal_world):
    """DOMAIN.md: spaces/lower case normalised; GB 32100 check character: a clear 422 message."""
    code = portal_world.published_entity.uscc
    status, body = get(f"/api/public/entities/{code.lower()}")
    assert status == 200 and body["uscc"] == code
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    status, body = get(f"/api/public/entities/{wrong}")
    assert status == 422 and "校验位错误" in body["errors"]["uscc"][0]


def test_search_by_name_and_by_code(portal_world):
    """Issue 4 point 5: search by part of the name or by USCC (normalised); too short: 422."""
    w = portal_world
    status, body = get("/api/public/entities", q="公示测试企业")
    assert status == 200 and body["count"] == 8 and not body["capped"]
    assert_nothing_internal(body)
    code = w.published_entity.uscc
    _, body = get("/api/public/entities", q=f" {code[:9].lower()} {code[9:]}")
    assert [e["uscc"] for e in body["items"]] == [code]
    status, body = get("/api/public/entities", q="公")
    assert status == 422 and "至少输入2个字" in body["detail"]


def test_listing_in_force(portal_world):
    """DOMAIN.md "Credit lists": a listing in force is public."""
    _, body = get(f"/api/public/entities/{portal_world.listed_entity.uscc}")
    (listing,) = body["listings"]
    assert listing["list"] == "abnormal" and listing["listed_on"] == "2025-07-10"


def test_tasks_published_only(portal_world):
    """Issue 4 point 5: published tasks only, with counts and each draw's proof; pending: 404."""
    w = portal_world
    status, body = get("/api/public/tasks")
    assert status == 200 and [t["task_id"] for t in body["items"]] == [w.task.pk]
    status, body = get(f"/api/public/tasks/{w.task.pk}")
    assert status == 200 and body["results"] == 1 and body["withdrawn"] == 1
    (draw,) = body["draws"]
    assert draw["commitment"] == w.draw.commitment and draw["proof_url"].endswith("proof.zip")
    assert_nothing_internal(body)
    status, body = get(f"/api/public/tasks/{w.pending_task.pk}")
    assert status == 404 and body["detail"]


def test_unknown_code_is_404_with_message(portal_world):
    """jianguan/api.py: every error is {"detail": 中文, ...}; an unknown code is a 404."""
    from jianguan.core import uscc

    status, body = get(f"/api/public/entities/{uscc.compose('91310101MA9999997')}")
    assert status == 404 and "未找到" in body["detail"]


def test_schema_declares_no_auth_for_public_operations():
    """The public API opts out of the API-wide token: its operations carry no security."""
    schema = Client().get("/api/openapi.json").json()
    public = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/public/")}
    assert len(public) == 4
    for ops in public.values():
        for op in ops.values():
            assert not op.get("security"), op
