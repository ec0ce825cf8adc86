"""/api/publication (token, scoped, paged) and the commands publish_due and export_results."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.org.models import ApiToken
from jianguan.publication import services
from jianguan.publication.models import Publication, PublicResult

from . import factories as F
from .test_views import INTERCHANGE_KEYS

pytestmark = pytest.mark.django_db
D = dt.date


def _get(client, user, path, params=None):
    key = ApiToken.issue(user, "test")[1]
    return client.get(
        f"/api/publication{path}", params or {}, headers={"Authorization": f"Bearer {key}"}
    )


def _post(client, user, path):
    key = ApiToken.issue(user, "test")[1]
    return client.post(
        f"/api/publication{path}",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )


def test_api_lists_publications_scoped_with_the_deadline(client, admin_a, admin_b):
    """/api/publication: token only, scoped (another district: empty list, 404 on the detail),
    with the 20-working-day deadline and its provisional flag."""
    built = F.finished_task(admin_a, finished_on=D(2025, 9, 26))
    data = _get(client, admin_a, "/publications").json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["deadline"] == "2025-10-30" and item["deadline_provisional"] is False
    assert item["status"] == "pending"
    pk = built.publication.pk
    assert _get(client, admin_a, f"/publications/{pk}").json()["task"] == built.task.title
    assert _get(client, admin_b, "/publications").json()["count"] == 0
    assert _get(client, admin_b, f"/publications/{pk}").status_code == 404
    assert client.get("/api/publication/publications").status_code == 401


def test_api_publish_is_for_supervisors(client, admin_a, station_a, make_user):
    """Only a supervisor publishes, through the API as on the pages."""
    built = F.finished_task(admin_a)
    pk = built.publication.pk
    read_only = make_user("read_only", "310101")
    assert _post(client, read_only, f"/publications/{pk}/publish").status_code == 403
    assert _post(client, station_a, f"/publications/{pk}/publish").status_code == 404
    assert not PublicResult.objects.exists()
    response = _post(client, admin_a, f"/publications/{pk}/publish")
    assert response.status_code == 200, response.content
    assert response.json()["published"] == 3
    assert response.json()["publication"]["status"] == "published"
    assert _post(client, admin_a, f"/publications/{pk}/publish").status_code == 422


def test_api_results_in_the_interchange_layout_with_withdrawal(client, admin_a, admin_b):
    """GET /api/publication/results: the interchange fields plus the withdrawal, paged, scoped,
    nothing internal (docs/interchange.md)."""
    built = F.finished_task(admin_a)
    services.publish(user=admin_a, publication=built.publication)
    entry = PublicResult.objects.order_by("pk").first()
    services.withdraw(user=admin_a, entry=entry, reason="结果有误予以撤回")
    data = _get(client, admin_a, "/results", {"limit": 2}).json()
    assert data["count"] == 3 and len(data["items"]) == 2
    assert set(INTERCHANGE_KEYS) <= set(data["items"][0])
    assert not {"risk_class", "findings", "inspector"} & set(data["items"][0])
    withdrawn = _get(client, admin_a, "/results", {"withdrawn": "true"}).json()
    assert [r["record_id"] for r in withdrawn["items"]] == [entry.pk]
    assert withdrawn["items"][0]["withdrawal_reason"] == "结果有误予以撤回"
    assert _get(client, admin_a, "/results", {"since": "2099-01-01"}).json()["count"] == 0
    assert _get(client, admin_b, "/results").json()["count"] == 0


def test_publish_due_command(admin_a):
    """`jianguan publish_due` publishes queued publications whose date has come."""
    built = F.finished_task(admin_a, finished_on=D(2026, 12, 18))
    services.queue(
        user=admin_a, publication=built.publication, publish_on=D(2027, 1, 4), today=D(2026, 12, 21)
    )
    out = io.StringIO()
    call_command("publish_due", "--date", "2027-01-01", stdout=out)
    assert "已公示 0 个任务" in out.getvalue()
    call_command("publish_due", "--date", "2027-01-04", stdout=out)
    assert "已公示 1 个任务" in out.getvalue()
    assert Publication.objects.get().status == Publication.Status.PUBLISHED
    with pytest.raises(CommandError, match="日期格式"):
        call_command("publish_due", "--date", "tomorrow")


def test_export_results_command(admin_a, admin_b, tmp_path):
    """`jianguan export_results FILE [--format] [--since] [--user]`: the interchange file."""
    built = F.finished_task(admin_a)
    services.publish(user=admin_a, publication=built.publication)
    services.withdraw(
        user=admin_a, entry=PublicResult.objects.order_by("pk").first(), reason="结果有误予以撤回"
    )
    out = io.StringIO()
    target = tmp_path / "results.csv"
    call_command("export_results", str(target), stdout=out)
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert rows[0] == INTERCHANGE_KEYS and len(rows) == 3
    assert "已导出公示结果 2 条" in out.getvalue()
    target = tmp_path / "out.data"
    call_command("export_results", str(target), "--format", "json", stdout=out)
    assert json.loads(target.read_text("utf-8"))["count"] == 2
    target = tmp_path / "results.xlsx"
    call_command("export_results", str(target), "--since", "2099-01-01", stdout=out)
    assert len(list(openpyxl.load_workbook(target).active.values)) == 1  # header only
    call_command("export_results", str(target), "--user", admin_b.username, stdout=out)
    assert "已导出公示结果 0 条" in out.getvalue()
    with pytest.raises(CommandError, match="--since"):
        call_command("export_results", str(target), "--since", "yesterday")
    # --withdrawals: the retractions, by day of withdrawal.
    target = tmp_path / "withdrawals.json"
    call_command("export_results", str(target), "--withdrawals", stdout=out)
    data = json.loads(target.read_text("utf-8"))
    assert data["count"] == 1 and data["withdrawals"][0]["withdrawal_reason"] == "结果有误予以撤回"
    assert "已导出撤回记录 1 条" in out.getvalue()
    call_command("export_results", str(target), "--withdrawals", "--since", "2099-01-01")
    assert json.loads(target.read_text("utf-8"))["count"] == 0
