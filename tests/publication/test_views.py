"""The pages: dashboard with filters/search/paging/export, the detail with publish and queue,
the withdrawal form, the staff list of published results and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.publication import exporting, services
from jianguan.publication.models import Publication, PublicResult

from . import factories as F

pytestmark = pytest.mark.django_db
D = dt.date
LIST = reverse("publication:publication_list")
RESULTS = reverse("publication:result_list")


@pytest.fixture
def built(admin_a):
    return F.finished_task(admin_a, finished_on=D(2025, 9, 26))


@pytest.fixture
def published(built, admin_a):
    services.publish(user=admin_a, publication=built.publication)
    return built


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_dashboard_lists_search_and_filters(client, admin_a, built):
    """The dashboard: search by task title, filters by status and deadline (临近期限/已逾期)."""
    client.force_login(admin_a)
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert built.task.title in html and "2025-10-30" in html
    assert [p.pk for p in page.context["rows"]] == [built.publication.pk]
    assert not client.get(LIST, {"q": "不存在的任务"}).context["rows"]
    assert not client.get(LIST, {"status": "published"}).context["rows"]
    # today is past 2025-10-30: the task is overdue
    assert [p.pk for p in client.get(LIST, {"clock": "overdue"}).context["rows"]] == [
        built.publication.pk
    ]
    # An unknown choice is a 400 naming the filter (issue 12 item 3), not an empty list.
    bogus = client.get(LIST, {"clock": "bogus"})
    assert bogus.status_code == 400 and "期限" in bogus.content.decode()


def test_dashboard_shows_provisional_deadline_as_zanding(client, admin_a):
    """A provisional deadline is shown as 暂定 wherever it appears (issue 4 point 1)."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    client.force_login(admin_a)
    assert "暂定" in client.get(LIST).content.decode()
    detail = client.get(reverse("publication:publication_detail", args=[built.publication.pk]))
    assert "2027-01-15" in detail.content.decode() and "暂定" in detail.content.decode()


def test_dashboard_export(client, admin_a, built):
    """Every list exports xlsx/csv (common rules), and the export is on record (数据导出留痕)."""
    client.force_login(admin_a)
    response = client.get(reverse("publication:publication_export"), {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(_body(response))).active.values)
    assert rows[0][0] == "抽查任务" and rows[1][0] == built.task.title
    text = _body(client.get(reverse("publication:publication_export"), {"format": "csv"})).decode(
        "utf-8-sig"
    )
    assert "2025-10-30" in text
    assert AuditEvent.objects.filter(object_type="publication.publication", action="other").exists()
    assert (
        client.get(reverse("publication:publication_export"), {"format": "pdf"}).status_code == 400
    )


def test_detail_shows_results_and_withheld_with_reason_and_publishes(client, admin_a, built):
    """The detail: the results to be published and those kept off by law with the reason
    (staff only); a supervisor publishes now."""
    client.force_login(admin_a)
    url = reverse("publication:publication_detail", args=[built.publication.pk])
    html = client.get(url).content.decode()
    assert "依法不予公示" in html and "涉及国家秘密" in html and "立即公示" in html
    response = client.post(reverse("publication:publication_publish", args=[built.publication.pk]))
    assert response.status_code == 302
    assert PublicResult.objects.count() == 3
    html = client.get(url).content.decode()
    assert "已公示" in html and "立即公示" not in html


def test_queue_form_refuses_a_date_after_the_deadline(client, admin_a, built):
    """A queued date after the deadline is refused with a clear message, nothing written."""
    client.force_login(admin_a)
    url = reverse("publication:publication_queue", args=[built.publication.pk])
    response = client.post(url, {"publish_on": "2099-01-01"})
    assert response.status_code == 200
    assert "不能晚于公示期限" in response.content.decode()
    assert "2099-01-01" in response.content.decode()  # what was typed is kept
    assert Publication.objects.get().status == Publication.Status.PENDING
    response = client.post(url, {"publish_on": "20250101"})
    assert "日期" in response.content.decode()


def test_queue_and_unqueue_through_the_pages(client, admin_a, city_admin):
    """Queued for a day within the deadline; the queue can be cancelled."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    client.force_login(admin_a)
    pk = built.publication.pk
    response = client.post(
        reverse("publication:publication_queue", args=[pk]), {"publish_on": "2027-01-04"}
    )
    assert response.status_code == 302, response.content.decode()
    publication = Publication.objects.get(pk=pk)
    assert publication.status == Publication.Status.QUEUED
    assert publication.publish_on == D(2027, 1, 4)
    client.post(reverse("publication:publication_unqueue", args=[pk]))
    assert Publication.objects.get(pk=pk).status == Publication.Status.PENDING


def test_others_cannot_publish_through_the_pages(client, admin_b, station_a, built):
    """Another district: 404 (existence not leaked); an inspector of the station: not a
    supervisor (the publication is district-level: 404 as well)."""
    pk = built.publication.pk
    for user in (admin_b, station_a):
        client.force_login(user)
        response = client.post(reverse("publication:publication_publish", args=[pk]))
        assert response.status_code == 404
    assert not PublicResult.objects.exists()


def test_withdraw_form_requires_reason_and_shows_withdrawal(client, admin_a, published):
    """Withdrawal only with a reason; shown on the detail and the staff list."""
    client.force_login(admin_a)
    entry = PublicResult.objects.order_by("pk").first()
    url = reverse("publication:result_withdraw", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "请写明撤回理由" in response.content.decode()
    assert not PublicResult.objects.get(pk=entry.pk).withdrawn
    response = client.post(url, {"reason": "当事人提出异议，经核实结果有误"})
    assert response.status_code == 302
    detail = client.get(reverse("publication:publication_detail", args=[entry.publication_id]))
    assert "已撤回" in detail.content.decode() and "经核实结果有误" in detail.content.decode()
    listed = client.get(RESULTS, {"withdrawn": "yes"})
    assert [r.pk for r in listed.context["rows"]] == [entry.pk]
    assert "经核实结果有误" in listed.content.decode()
    assert len(client.get(RESULTS, {"withdrawn": "no"}).context["rows"]) == 2


def test_result_list_search_and_filters(client, admin_a, admin_b, published):
    """The staff list of published results: search by USCC or name, filters by task and code,
    scoped to the district (another district sees nothing)."""
    client.force_login(admin_a)
    entry = PublicResult.objects.order_by("pk").first()
    assert len(client.get(RESULTS).context["rows"]) == 3
    assert [r.pk for r in client.get(RESULTS, {"q": entry.uscc}).context["rows"]] == [entry.pk]
    by_name = client.get(RESULTS, {"q": entry.entity_name}).context["rows"]
    assert [r.pk for r in by_name] == [entry.pk]
    assert len(client.get(RESULTS, {"code": entry.code}).context["rows"]) >= 1
    assert len(client.get(RESULTS, {"task": published.task.pk}).context["rows"]) == 3
    assert client.get(RESULTS, {"task": "x"}).status_code == 400
    client.force_login(admin_b)
    assert not client.get(RESULTS).context["rows"]


def test_staff_export_of_results(client, admin_a, published):
    """The staff list exports its columns (withdrawal included) as xlsx."""
    client.force_login(admin_a)
    response = client.get(reverse("publication:result_export"), {"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(_body(response))).active.values)
    assert rows[0] == tuple(h for h, _get in exporting.RESULT_COLUMNS)
    assert len(rows) == 4


INTERCHANGE_KEYS = [
    "record_id",
    "uscc",
    "entity_name",
    "task",
    "item",
    "authority",
    "checked_on",
    "result_code",
    "result_text",
    "published_at",
]


def test_interchange_files_hold_exactly_the_documented_fields(client, admin_a, published):
    """Issue 4 point 6: the interchange layout (docs/interchange.md): exactly these fields, in
    this order; only published, not withdrawn results; no risk class, no inspector, no
    findings, no result kept off by law."""
    services.withdraw(
        user=admin_a, entry=PublicResult.objects.order_by("pk").first(), reason="结果有误予以撤回"
    )
    client.force_login(admin_a)
    url = reverse("publication:result_interchange")
    text = _body(client.get(url, {"format": "csv"})).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == INTERCHANGE_KEYS
    assert len(rows) == 3  # 3 published, 1 withdrawn
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["checked_on"] == "2025-09-20"
    assert first["published_at"].endswith("+08:00")
    data = json.loads(_body(client.get(url, {"format": "json"})))
    assert data["format"] == "jianguan-public-results" and data["count"] == 2
    assert [list(r) for r in data["results"]] == [INTERCHANGE_KEYS] * 2
    book = openpyxl.load_workbook(io.BytesIO(_body(client.get(url, {"format": "xlsx"}))))
    sheet = list(book.active.values)
    assert sheet[0][0] == "记录编号" and len(sheet) == 3 and len(sheet[0]) == 10
    everything = text + json.dumps(data, ensure_ascii=False)
    for secret in ("内部记录", "检查员", "涉及国家秘密", "risk", "风险"):
        assert secret not in everything
    withheld_uscc = published.results[0].entity.uscc  # the result kept off by law
    assert withheld_uscc not in everything
    assert client.get(url, {"format": "pdf"}).status_code == 400


def test_withdrawals_file_lets_a_receiver_retract_what_it_loaded(client, admin_a, published):
    """A withdrawal must reach the receiver too (docs/interchange.md "Withdrawals"): the
    withdrawals file lists each withdrawn record's id, when and why, and nothing still public."""
    entry = PublicResult.objects.order_by("pk").first()
    services.withdraw(user=admin_a, entry=entry, reason="结果有误予以撤回")
    client.force_login(admin_a)
    url = reverse("publication:result_interchange")
    text = _body(client.get(url, {"format": "csv", "withdrawals": "1"})).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["record_id", "uscc", "entity_name", "withdrawn_at", "withdrawal_reason"]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["record_id"] == str(entry.pk) and record["uscc"] == entry.uscc
    assert record["withdrawal_reason"] == "结果有误予以撤回"
    assert record["withdrawn_at"].endswith("+08:00")
    data = json.loads(_body(client.get(url, {"format": "json", "withdrawals": "1"})))
    assert data["count"] == 1 and data["withdrawals"][0]["record_id"] == entry.pk


def test_formula_like_names_are_neutralised(client, admin_a, published):
    """Exports go through core.tabular: a name starting with = is not a formula in Excel."""
    PublicResult.objects.update(entity_name='=HYPERLINK("http://x")')
    client.force_login(admin_a)
    text = _body(client.get(reverse("publication:result_interchange"), {"format": "csv"})).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in text


def test_entity_file_section_lists_published_results_and_withdrawals(admin_a, published):
    """Issue 4 point 3: results attach to the entity's file (归集到市场主体名下), the
    withdrawal shown with its reason."""
    from django.template import Context, Template

    entry = PublicResult.objects.order_by("pk").first()
    services.withdraw(user=admin_a, entry=entry, reason="结果有误予以撤回")
    html = Template("{% load publication %}{% publication_section entity %}").render(
        Context({"entity": entry.entity})
    )
    assert entry.task_title in html and "已撤回" in html and "结果有误予以撤回" in html
    own = PublicResult.objects.filter(entity=entry.entity).count()
    assert html.count("<tr>") == own + 1  # the entity's rows only, after the header
