"""Proficiency tests (能力验证) and key-area enterprise listings: pages, file import (all or
nothing, errors by row and column) and export that imports back; the backtest page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jianguan.core.models import AuditEvent, Job
from jianguan.registry import models as registry
from jianguan.risk import importing, services
from jianguan.risk.models import CheckOutcome, KeyAreaListing, ProficiencyTest
from tests.conftest import DISTRICT_A, DISTRICT_B

PT_HEADER = "统一社会信用代码,能力验证计划,年度,结果,结果日期,备注\n"
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


def test_pt_import_is_all_or_nothing_with_row_and_column_errors(client, admin_a, body):
    """Rule: an import with one bad row writes nothing and names each error by row and column
    (ENGINEERING.md imports; issue 5 item 6: PT results recorded)."""
    a, b = body(), body()
    text = (
        PT_HEADER
        + f"{a.uscc},2026年食品检测能力验证,2026,未参加,2026-06-30,\n"
        + f"{b.uscc},2026年食品检测能力验证,2026,良好,2026-06-30,\n"  # row 3: bad outcome
        + f"{b.uscc},2026年水质能力验证,2026,满意,2026年7月1日,\n"
    )
    client.force_login(admin_a)
    response = client.post(reverse("risk:pt_import"), {"file": _csv("pt.csv", text)})
    assert response.status_code == 200
    body_html = response.content.decode()
    assert "第3行，列“结果”" in body_html and "导入未执行" in body_html
    assert not ProficiencyTest.objects.exists()
    # fixed: all three rows written, the outcome in Chinese or as a code
    text = text.replace(",良好,", ",satisfactory,")
    response = client.post(reverse("risk:pt_import"), {"file": _csv("pt.csv", text)})
    assert response.status_code == 302
    assert ProficiencyTest.objects.count() == 3
    assert ProficiencyTest.objects.get(entity=a).outcome == ProficiencyTest.Outcome.MISSED
    assert AuditEvent.objects.filter(object_type="risk.proficiencytest", action="import").exists()


def test_pt_import_refuses_non_testing_bodies_outside_jurisdiction_and_duplicates(
    admin_a, body, make_entity, tmp_path
):
    """Rule: a PT result belongs to an inspection & testing body (检验检测机构) in the user's
    jurisdiction; the same body, scheme and year twice in a file is an error."""
    mine, other, shop = body(), body(DISTRICT_B), make_entity()
    path = tmp_path / "pt.csv"
    path.write_text(
        PT_HEADER
        + f"{mine.uscc},计划甲,2026,满意,2026-05-01,\n"
        + f"{mine.uscc},计划甲,2026,不满意,2026-05-01,\n"
        + f"{other.uscc},计划甲,2026,满意,2026-05-01,\n"
        + f"{shop.uscc},计划甲,2026,满意,2026-05-01,\n"
        + f"{mine.uscc},计划乙,1999,满意,2026-13-01,\n",
        encoding="utf-8",
    )
    result = importing.import_pt(path, user=admin_a)
    assert not result.committed and not ProficiencyTest.objects.exists()
    where = {(e.row, e.column) for e in result.errors}
    assert (3, "能力验证计划") in where  # duplicate of row 2
    assert (4, "统一社会信用代码") in where  # other district: unknown to this user
    assert (5, "统一社会信用代码") in where  # not a testing body
    assert (6, "年度") in where and (6, "结果日期") in where


def test_pt_export_imports_back_and_list_filters(client, admin_a, body, tmp_path):
    """Rule: an exported file imports back unchanged (core.tabular); lists are scoped and
    filtered."""
    a = body()
    importing.pt_save(
        admin_a,
        a,
        {
            "scheme": "计划丙",
            "year": 2026,
            "outcome": "missed",
            "held_on": dt.date(2026, 3, 1),
            "note": "",
        },
    )
    client.force_login(admin_a)
    listing = client.get(reverse("risk:pt_list"), {"outcome": "missed"})
    assert "计划丙" in listing.content.decode()
    assert (
        "计划丙"
        not in client.get(reverse("risk:pt_list"), {"outcome": "satisfactory"}).content.decode()
    )
    response = client.get(reverse("risk:pt_export", args=["csv"]))
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "未参加" in data and a.uscc in data
    path = tmp_path / "back.csv"
    path.write_text(data, encoding="utf-8")
    result = importing.import_pt(path, user=admin_a)
    assert result.ok and result.updated == 1 and ProficiencyTest.objects.count() == 1


def test_pt_form_creates_and_keeps_typed_values_on_error(client, admin_a, body):
    """Rule: forms keep what was typed and say what is wrong (ENGINEERING.md)."""
    a = body()
    client.force_login(admin_a)
    bad = {"uscc": "91310000XXXXXXXXXX", "scheme": "计划丁", "year": 2026, "outcome": "missed"}
    response = client.post(reverse("risk:pt_create"), bad)
    html = response.content.decode()
    assert response.status_code == 200 and "计划丁" in html and "管辖范围" in html
    good = dict(bad, uscc=a.uscc, held_on="2026-04-01")
    assert client.post(reverse("risk:pt_create"), good).status_code == 302
    assert ProficiencyTest.objects.get().recorded_by == admin_a


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
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    assert "第4行，列“重点领域”" in response.content.decode()
    assert not KeyAreaListing.objects.exists()
    a.refresh_from_db()
    assert a.key_tier == ""
    text = text.replace("烟花,一般重点,不是重点领域", "food,general,食品销售")
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.key_tier, b.key_tier) == ("special", "general")
    assert KeyAreaListing.objects.count() == 3
    # the same file again: every row is already listed, nothing written
    response = client.post(reverse("risk:listing_import"), {"file": _csv("l.csv", text)})
    assert "已列入此重点领域" in response.content.decode()
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
    model = services.active_model()
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
    model = services.active_model()
    response = client.post(
        reverse("risk:backtest"), {"model": model.pk, "split": "2026-05-01", "until": "2026-01-01"}
    )
    assert "检验截止日期应晚于分界日期" in response.content.decode()
    assert not Job.objects.filter(kind="risk_backtest").exists()


def test_csv_with_formula_is_refused(admin_a, body, tmp_path):
    """Rule: formulas are never evaluated; a cell starting with '=' is an error (core.tabular)."""
    a = body()
    path = tmp_path / "pt.csv"
    path.write_text(PT_HEADER + f"{a.uscc},=HYPERLINK(1),2026,满意,2026-05-01,\n", "utf-8")
    result = importing.import_pt(path, user=admin_a)
    assert not result.committed and result.errors
