"""Key-area enterprise listings: pages, file import (all or
nothing, errors by row and column) and export that imports back; the backtest page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jianguan.core.models import Job
from jianguan.registry import models as registry
from jianguan.risk import importing, selectors, services
from jianguan.risk.models import CheckOutcome, KeyAreaListing
from tests.conftest import DISTRICT_A, DISTRICT_B

LISTING_HEADER = "统一社会信用代码,重点领域,类别,列入理由,列入日期\n"


def _csv(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def body(make_entity):
    def make(district=DISTRICT_A):
        e = make_entity(district, domains=0)
        registry.TestingBody.objects.create(entity=e, cert_no="CMA-1")
        return e

    return make


def test_listing_import_all_or_nothing_and_key_tier_follows(client, admin_a, make_entity):
    """Rule: key-area enterprise listings (seed 004 企业清单) import all or nothing; the entity's
    key tier follows its active listings (special beats general)."""
    a, b = make_entity(), make_entity()
    text = (
        LISTING_HEADER
        + f"{a.uscc},食品,特殊重点,婴幼儿配方食品生产,2026-01-05\n"
        + f"{b.uscc},药品,一般重点,药品零售,2026-01-05\n"
        + f"{b.uscc},烟花,一般重点,不是重点领域,2026-01-05\n"  # row 4: bad area
    )
    client.force_login(admin_a)
    # Issue 12: every import runs as a background job; its page shows the errors by row.
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "重点领域" in page and "烟花" in page and "<td>4</td>" in page
    assert not KeyAreaListing.objects.exists()
    a.refresh_from_db()
    assert a.key_tier == ""
    text = text.replace("烟花,一般重点,不是重点领域", "food,general,食品销售")
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    assert Job.objects.latest("pk").status == Job.Status.DONE
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.key_tier, b.key_tier) == ("special", "general")
    assert KeyAreaListing.objects.count() == 3
    # the same file again: every row is already listed, nothing written
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    assert "已列入此重点领域" in client.get(response["Location"]).content.decode()
    assert KeyAreaListing.objects.count() == 3
    export = client.get(reverse("risk:listing_records", args=["csv"]))
    data = b"".join(export.streaming_content).decode("utf-8-sig")
    assert data.splitlines()[0].split(",")[:3] == ["统一社会信用代码", "重点领域", "类别"]
    assert "婴幼儿配方食品生产" in data


def test_listing_import_refuses_other_district(admin_a, make_entity, tmp_path):
    """Rule: a district may only list its own entities (scoping: outside is unknown)."""
    other = make_entity(DISTRICT_B)
    path = tmp_path / "l.csv"
    path.write_text(LISTING_HEADER + f"{other.uscc},食品,一般重点,理由,2026-01-05\n", "utf-8")
    result = importing.import_listings(path, user=admin_a)
    assert not result.committed and result.errors[0].row == 2
    assert not KeyAreaListing.objects.exists()


def test_backtest_page_runs_a_job_and_shows_per_class_rates_and_lift(
    client, city_admin, make_entity
):
    """Rule: issue 5 item 2 — per class the number checked and the share with a problem, and the
    lift of drawing by class; on a page for staff, run as a background job."""
    today = dt.date.today()
    risky = [make_entity(established_on=today - dt.timedelta(days=100)) for _ in range(4)]
    calm = [make_entity(established_on=dt.date(2000, 1, 1)) for _ in range(4)]
    services.classify()
    for i, e in enumerate(risky + calm):
        CheckOutcome.objects.create(
            entity=e,
            checked_on=today - dt.timedelta(days=30),
            problem_found=e in risky and i % 2 == 0,
            source="demo",
        )
    client.force_login(city_admin)
    split = (today - dt.timedelta(days=200)).isoformat()
    model = selectors.active_model()
    response = client.post(
        reverse("risk:backtest"), {"model": model.pk, "split": split, "until": today.isoformat()}
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="risk_backtest")
    assert job.status == Job.Status.DONE, job.message
    page = client.get(response["Location"]).content.decode()
    assert "提升倍数" in page and "问题发现率" in page and "A类" in page
    assert sum(r["checks"] for r in job.result["rows"]) == 8


def test_backtest_form_errors(client, city_admin):
    """Rule: a mistake gets a clear Chinese message and nothing runs."""
    client.force_login(city_admin)
    model = selectors.active_model()
    response = client.post(
        reverse("risk:backtest"), {"model": model.pk, "split": "2026-05-01", "until": "2026-01-01"}
    )
    assert "检验截止日期应晚于分界日期" in response.content.decode()
    assert not Job.objects.filter(kind="risk_backtest").exists()


def test_csv_with_formula_is_refused(admin_a, body, tmp_path):
    """Rule: formulas are never evaluated; a cell starting with '=' is an error (core.tabular)."""
    a = body()
    path = tmp_path / "listing.csv"
    path.write_text(LISTING_HEADER + f"{a.uscc},食品,特殊重点,=HYPERLINK(1),2026-05-01\n", "utf-8")
    result = importing.import_listings(path, user=admin_a)
    assert not result.committed and result.errors


def test_one_backtest_per_model_and_split_and_one_per_user(client, city_admin, make_user):
    """Issue 12 item 7: any staff member may ask for a backtest, which scores the whole city; a
    second request for the same model and split while one is queued is refused with a pointer to
    it, and a user has at most one unfinished backtest. The jobs queue on the database backend
    (as under db_worker), so the first one is still waiting when the others arrive."""
    from django.test import override_settings

    model = selectors.active_model()
    reader = make_user("read_only", "310000", username="reader")
    today = dt.date.today()
    data = {"model": model.pk, "split": (today - dt.timedelta(days=200)).isoformat()}
    data["until"] = today.isoformat()
    db_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=db_queue):
        client.force_login(city_admin)
        first = client.post(reverse("risk:backtest"), data)
        assert first.status_code == 302
        queued = Job.objects.get(kind="risk_backtest")
        assert queued.status == Job.Status.QUEUED
        client.force_login(reader)
        again = client.post(reverse("risk:backtest"), data)
        assert again.status_code == 200
        assert f"回测正在进行（任务 {queued.pk}）" in again.content.decode()
        other_split = dict(data, split=(today - dt.timedelta(days=100)).isoformat())
        assert client.post(reverse("risk:backtest"), other_split).status_code == 302
        third = dict(data, split=(today - dt.timedelta(days=50)).isoformat())
        refused = client.post(reverse("risk:backtest"), third)
        assert "您已有一项回测正在进行" in refused.content.decode()
    assert Job.objects.filter(kind="risk_backtest").count() == 2
