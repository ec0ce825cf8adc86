"""The credit pages and API: lists with search/filters/paging/export, details with timeline and
history, the forms, the due/overdue page, the entity's section; 404 outside the jurisdiction."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.credit.models import AbnormalListing, CreditCommitment, SeriousListing
from jianguan.org.models import ApiToken
from tests.conftest import DISTRICT_A, unit

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_abnormal_list_search_filters_and_clocks(as_user, admin_a, abnormal, make_entity):
    wang = abnormal(entity=make_entity(name="王记小吃店"))
    li = abnormal(
        entity=make_entity(name="李氏五金商行"),
        reason="unreachable",
        trigger_date=D(2025, 9, 26),
        listed_on=D(2025, 10, 17),
    )
    client = as_user(admin_a)
    url = reverse("credit:abnormal_list")
    assert [r.pk for r in client.get(url).context["rows"]] == [li.pk, wang.pk]
    assert [r.pk for r in client.get(url, {"q": "王记"}).context["rows"]] == [wang.pk]
    assert [r.pk for r in client.get(url, {"q": li.entity.uscc}).context["rows"]] == [li.pk]
    assert [r.pk for r in client.get(url, {"reason": "unreachable"}).context["rows"]] == [li.pk]
    assert [r.pk for r in client.get(url, {"clock": "late"}).context["rows"]] == [li.pk]
    page = client.get(url).content.decode()
    assert "逾期列入" in page and "2025-10-16" in page


def test_export_is_audited(as_user, admin_a, abnormal, serious):
    abnormal()
    serious()
    client = as_user(admin_a)
    response = client.get(reverse("credit:abnormal_export"), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.values)
    assert rows[0][0] == "统一社会信用代码" and len(rows) == 2
    response = client.get(reverse("credit:serious_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "列入情形" in text and "食品安全领域" in text
    assert AuditEvent.objects.filter(action="other", object_type="credit.seriouslisting").exists()
    assert client.get(reverse("credit:serious_export"), {"format": "pdf"}).status_code == 400


def test_create_abnormal_listing_through_the_form(as_user, admin_a, make_entity):
    entity = make_entity()
    client = as_user(admin_a)
    url = reverse("credit:abnormal_create")
    form = client.get(url, {"entity": entity.pk})
    assert entity.uscc in form.content.decode()
    response = client.post(
        url,
        {
            "entity_uscc": entity.uscc.lower(),
            "reason": "annual_report",
            "trigger_date": "2025-06-30",
            "listed_on": "2025-07-14",
            "decided_by": unit(DISTRICT_A).pk,
            "decision_no": "黄市监异〔2025〕5号",
        },
    )
    listing = AbnormalListing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("credit:abnormal_detail", args=[listing.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "时间线" in detail and "2025-07-14" in detail and "变更记录" in detail


def test_form_errors_keep_what_was_typed(as_user, admin_a, make_entity):
    entity = make_entity()
    response = as_user(admin_a).post(
        reverse("credit:abnormal_create"),
        {
            "entity_uscc": entity.uscc,
            "reason": "annual_report",
            "trigger_date": "2025-07-30",
            "listed_on": "2025-07-14",
            "decided_by": unit(DISTRICT_A).pk,
            "decision_no": "黄市监异〔2025〕5号",
        },
    )
    assert response.status_code == 200
    assert "列入日期不能早于事由发生日期" in response.content.decode()
    assert not AbnormalListing.objects.exists()


def test_escalate_button(as_user, admin_a, abnormal):
    listing = abnormal(trigger_date=D(2020, 1, 2), listed_on=D(2020, 1, 10))
    client = as_user(admin_a)
    detail = client.get(reverse("credit:abnormal_detail", args=[listing.pk])).content.decode()
    assert "转入严重违法失信名单" in detail
    response = client.post(reverse("credit:abnormal_escalate", args=[listing.pk]))
    serious = SeriousListing.objects.get()
    assert response["Location"] == reverse("credit:serious_detail", args=[serious.pk])
    assert "拟列入" in client.get(response["Location"]).content.decode()


def test_repair_form_shows_the_one_year_rule(as_user, admin_a, serious):
    listing = serious(listed_on=D(2025, 3, 1))
    response = as_user(admin_a).post(
        reverse("credit:repair_apply", args=[listing.pk]), {"applied_on": "2025-12-01"}
    )
    assert response.status_code == 200
    assert "满一年后方可申请提前移出" in response.content.decode()


def test_only_the_listing_unit_sees_the_remove_page(as_user, admin_a, serious):
    by_city = serious(listed_by=unit("310000"))
    client = as_user(admin_a)
    assert client.get(reverse("credit:serious_remove", args=[by_city.pk])).status_code == 403
    mine = serious()
    assert client.get(reverse("credit:serious_remove", args=[mine.pk])).status_code == 200


def test_another_district_gets_404(as_user, admin_b, abnormal, serious):
    listing, sl = abnormal(), serious()
    client = as_user(admin_b)
    for name, pk in [
        ("credit:abnormal_detail", listing.pk),
        ("credit:abnormal_remove", listing.pk),
        ("credit:serious_detail", sl.pk),
        ("credit:serious_remove", sl.pk),
        ("credit:repair_apply", sl.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.get(reverse("credit:abnormal_list")).context["rows"] == []


def test_station_inspector_reads_but_cannot_list(as_user, station_a, abnormal):
    client = as_user(station_a)
    assert client.get(reverse("credit:abnormal_create")).status_code == 403


def test_due_page(as_user, admin_a, abnormal, serious):
    listing = abnormal(trigger_date=D(2020, 1, 2), listed_on=D(2020, 1, 10))
    serious(listed_on=None)
    page = as_user(admin_a).get(reverse("credit:due"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["escalation"]] == [listing.pk]
    assert page.context["proposed_count"] == 1


def test_commitments(as_user, admin_a, make_entity):
    entity = make_entity()
    client = as_user(admin_a)
    response = client.post(
        reverse("credit:commitment_create"),
        {
            "entity_uscc": entity.uscc,
            "kind": "approval",
            "content": "承诺所提交材料真实有效",
            "signed_on": "2025-05-06",
            "status": "in_force",
        },
    )
    assert response.status_code == 302
    commitment = CreditCommitment.objects.get()
    response = client.post(
        reverse("credit:commitment_edit", args=[commitment.pk]),
        {
            "kind": "approval",
            "content": commitment.content,
            "signed_on": "2025-05-06",
            "status": "breached",
        },
    )
    assert "请填写履行或违诺的认定日期" in response.content.decode()
    client.post(
        reverse("credit:commitment_edit", args=[commitment.pk]),
        {
            "kind": "approval",
            "content": commitment.content,
            "signed_on": "2025-05-06",
            "status": "breached",
            "status_on": "2025-08-01",
        },
    )
    assert CreditCommitment.objects.get().status == "breached"
    listed = client.get(reverse("credit:commitment_list"), {"status": "breached"})
    assert [c.pk for c in listed.context["rows"]] == [commitment.pk]


def test_entity_section(admin_a, abnormal, serious, make_entity):
    entity = make_entity()
    abnormal(entity=entity)
    serious(entity=entity)
    request = RequestFactory().get("/")
    request.user = admin_a
    html = Template("{% load credit %}{% credit_section entity %}").render(
        Context({"entity": entity, "request": request})
    )
    assert "严重违法失信名单 列入中" in html and "经营异常名录 列入中 1 项" in html
    assert f"?entity={entity.pk}" in html


def test_workdays_badge_on_provisional_clock(as_user, admin_a, abnormal):
    # 2003 has no State Council schedule in the calendar, so the 10-working-day clock is
    # provisional (a year ahead would do too, but a future listing date is refused: issue 12
    # item 6)
    listing = abnormal(trigger_date=D(2003, 12, 24), listed_on=D(2003, 12, 29))
    page = as_user(admin_a).get(reverse("credit:abnormal_detail", args=[listing.pk]))
    assert "暂定" in page.content.decode()


# --- API --------------------------------------------------------------------------------------


def _get(client, user, path, **params):
    _token, key = ApiToken.issue(user, "test")
    return client.get(f"/api/credit{path}", params, headers={"Authorization": f"Bearer {key}"})


def test_api_lists_and_scopes(client, admin_a, admin_b, abnormal, serious):
    listing, sl = abnormal(), serious()
    body = _get(client, admin_a, "/abnormal").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["listing_due"] == "2025-07-14" and item["listing_due_provisional"] is False
    assert item["entity"]["uscc"] == listing.entity.uscc
    assert _get(client, admin_a, "/serious", status="listed").json()["items"][0]["id"] == sl.pk
    assert _get(client, admin_b, "/abnormal").json()["count"] == 0
    response = _get(client, admin_b, f"/serious/{sl.pk}")
    assert response.status_code == 404 and "管辖范围" in response.json()["detail"]
    assert _get(client, admin_a, "/abnormal", reason="nope").status_code == 422
    assert client.get("/api/credit/abnormal").status_code == 401


def test_api_documents_its_errors(client):
    schema = client.get("/api/openapi.json").json()
    for path, codes in [
        ("/api/credit/abnormal", {"401", "422"}),
        ("/api/credit/abnormal/{listing_id}", {"401", "404", "422"}),
        ("/api/credit/serious", {"401", "422"}),
        ("/api/credit/serious/{listing_id}", {"401", "404", "422"}),
    ]:
        responses = schema["paths"][path]["get"]["responses"]
        assert codes <= set(responses), path
        assert responses["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "ErrorOut"
        )
