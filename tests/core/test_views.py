"""Pages every user has: home dashboard, background jobs, audit log.

Rules checked: every query for user-visible data goes through the one scoping mechanism (a job
or an audit event of another district is invisible: 404 / absent, never 403); files are served
only by a view after that check, never from outside MEDIA_ROOT; long work shows a progress bar
that can be left and found again (ENGINEERING.md "The pages").
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jianguan.core import audit
from jianguan.core.models import AuditEvent, Job
from jianguan.registry import services
from tests.conftest import DISTRICT_A, DISTRICT_B, new_uscc, unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    """The dashboard caches its counts for a minute; each test starts without them."""
    from django.core.cache import cache

    cache.clear()


def job_in(district_code: str, **fields) -> Job:
    return Job.objects.create(
        kind="import",
        title=fields.pop("title", "导入检查对象"),
        district=unit(district_code),
        **fields,
    )


# --- home -------------------------------------------------------------------------------------


def test_home_counts_only_what_the_user_may_see(client, admin_a, make_entity):
    """The dashboard counts entities inside the user's jurisdiction, by status."""
    make_entity(DISTRICT_A)
    make_entity(DISTRICT_A, status="cancelled")
    make_entity(DISTRICT_B)
    client.force_login(admin_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["entities_total"] == 2
    assert {code: n for code, _label, n in counts["entities_by_status"]}["cancelled"] == 1


def test_home_shows_inspector_certificates_and_recent_events(client, admin_a):
    from jianguan.personnel.models import Inspector

    today = timezone.localdate()
    Inspector.objects.create(
        name="甲",
        staff_no="A1",
        unit=unit(DISTRICT_A),
        cert_no="X1",
        cert_expires_on=today + dt.timedelta(days=30),
    )
    Inspector.objects.create(
        name="乙",
        staff_no="A2",
        unit=unit(DISTRICT_A),
        cert_no="X2",
        cert_expires_on=today - dt.timedelta(days=1),
    )
    Inspector.objects.create(
        name="丙",
        staff_no="B1",
        unit=unit(DISTRICT_B),
        cert_no="X3",
        cert_expires_on=today + dt.timedelta(days=30),
    )
    services.entity_create(
        user=admin_a,
        data={"uscc": new_uscc(), "name": "上海首页测试有限公司", "district": unit(DISTRICT_A)},
    )
    client.force_login(admin_a)
    response = client.get(reverse("home"))
    counts = response.context["counts"]
    assert (
        counts["inspectors_active"],
        counts["inspectors_valid"],
        counts["inspectors_expired"],
    ) == (2, 1, 1)
    assert "上海首页测试有限公司" in response.content.decode()


# --- jobs -------------------------------------------------------------------------------------


def test_job_of_another_district_is_404(client, admin_a, admin_b, city_admin):
    """A job belongs to a district: another district gets 404 on its page, progress and files."""
    job = job_in(DISTRICT_B)
    client.force_login(admin_a)
    for name in ("core:job_detail", "core:job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(reverse("core:job_file", args=[job.pk, "error_report"])).status_code == 404
    assert job.title not in client.get(reverse("core:job_list")).content.decode()
    client.force_login(admin_b)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200
    client.force_login(city_admin)
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


def test_running_job_polls_and_finished_job_stops(client, admin_a):
    """While queued/running the status block polls itself every second; finished, it does not."""
    job = job_in(DISTRICT_A, status=Job.Status.RUNNING)
    client.force_login(admin_a)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("core:job_progress", args=[job.pk]) in page
    assert (
        'class="progress' in page and "style=" not in page.split('id="job-status"')[1]
    )  # CSP: no inline style
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        message="导入完成",
        result={
            "created": 5,
            "updated": 1,
            "errors": [
                {"row": 7, "column": "统一社会信用代码", "reason": "校验位错误：第18位应为“6”"}
            ],
        },
    )
    partial = client.get(reverse("core:job_progress", args=[job.pk])).content.decode()
    assert "every 1s" not in partial
    assert "100%" in partial and "新增" in partial and "5" in partial
    assert "第18位应为“6”" in partial and "统一社会信用代码" in partial


def test_live_progress_comes_from_core_jobs(client, admin_a, monkeypatch):
    """Progress while running is read from core.jobs.get_progress (the work holds a transaction)."""
    from jianguan.core import jobs

    job = job_in(DISTRICT_A, status=Job.Status.RUNNING)
    monkeypatch.setattr(
        jobs,
        "get_progress",
        lambda job_id: {"done": 30, "total": 120, "phase": "校验", "percent": 25},
    )
    client.force_login(admin_a)
    response = client.get(reverse("core:job_progress", args=[job.pk]))
    assert response.context["percent"] == 25
    page = response.content.decode()
    assert 'data-progress="25"' in page and "校验" in page and "30 / 120" in page


def test_error_report_is_served_after_the_check_and_never_outside_media_root(
    client, admin_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "files"
    (tmp_path / "files" / "jobs").mkdir(parents=True)
    (tmp_path / "files" / "jobs" / "errors.csv").write_text("行,列,原因\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret")
    ok = job_in(DISTRICT_A, status=Job.Status.DONE, result={"error_report": "jobs/errors.csv"})
    evil = job_in(DISTRICT_A, status=Job.Status.DONE, result={"error_report": "../secret.txt"})
    client.force_login(admin_a)
    response = client.get(reverse("core:job_file", args=[ok.pk, "error_report"]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
        "行".encode()
    )
    assert "attachment" in response["Content-Disposition"]
    assert client.get(reverse("core:job_file", args=[evil.pk, "error_report"])).status_code == 404
    assert client.get(reverse("core:job_file", args=[ok.pk, "params"])).status_code == 404


# --- audit log --------------------------------------------------------------------------------


def test_audit_list_is_scoped_to_the_district(client, admin_a, admin_b, city_admin):
    """A district sees its own audit events; the city sees all."""
    services.entity_create(
        user=admin_a,
        data={"uscc": new_uscc(), "name": "黄浦审计企业", "district": unit(DISTRICT_A)},
    )
    services.entity_create(
        user=admin_b,
        data={"uscc": new_uscc("310104"), "name": "徐汇审计企业", "district": unit(DISTRICT_B)},
    )
    url = reverse("core:audit_list")
    client.force_login(admin_a)
    page = client.get(url).content.decode()
    assert "黄浦审计企业" in page and "徐汇审计企业" not in page
    client.force_login(city_admin)
    page = client.get(url).content.decode()
    assert "黄浦审计企业" in page and "徐汇审计企业" in page


def test_audit_list_filters(client, admin_a, city_admin):
    """Filters: action, object type, date range, actor."""
    entity = services.entity_create(
        user=admin_a,
        data={"uscc": new_uscc(), "name": "上海甲有限公司", "district": unit(DISTRICT_A)},
    )
    services.entity_update(user=city_admin, entity=entity, data={"name": "上海乙有限公司"})
    audit.record(
        admin_a,
        "other",
        object_type="personnel.inspector",
        object_id="1",
        object_repr="某检查人员",
        district=unit(DISTRICT_A),
    )
    url = reverse("core:audit_list")
    client.force_login(admin_a)

    def actions(**params):
        return [ev.action for ev in client.get(url, params).context["rows"]]

    assert actions(action="update") == ["update"]
    assert actions(object_type="registry.entity") == ["update", "create"]
    assert actions(actor="admin_a") == ["other", "create"]
    assert actions(object_type="registry.entity", object_id=str(entity.pk)) == ["update", "create"]
    today = timezone.localdate()
    assert len(actions(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert actions(date_to=(today - dt.timedelta(days=1)).isoformat()) == []
    assert actions(date_from=(today + dt.timedelta(days=1)).isoformat()) == []
    page = client.get(url, {"action": "update"}).content.decode()
    assert (
        ">名称</span>：上海甲有限公司 → 上海乙有限公司" in page
    )  # field's verbose name, not "name"
    # An impossible date is refused with a 400 that names the filter (issue 12 item 3).
    bad = client.get(url, {"date_from": "2026-13-40"})
    assert bad.status_code == 400 and "起始日期" in bad.content.decode()


def test_audit_list_is_paged(client, admin_a):
    for i in range(55):
        audit.record(
            admin_a,
            "other",
            object_type="registry.entity",
            object_id=str(i),
            object_repr=f"对象{i}",
            district=unit(DISTRICT_A),
        )
    client.force_login(admin_a)
    response = client.get(reverse("core:audit_list"))
    assert (
        len(response.context["rows"]) == 50 and response.context["page_obj"].paginator.count == 55
    )
    assert AuditEvent.objects.count() == 55


def test_not_found_page_is_chinese_and_does_not_leak(client, admin_a, make_entity):
    """404, never 403, outside the jurisdiction; the page says so in Chinese."""
    from tests.conftest import DISTRICT_B

    other = make_entity(DISTRICT_B)
    client.force_login(admin_a)
    response = client.get(f"/registry/entities/{other.pk}/")
    assert response.status_code == 404
    assert (
        "不在您的管辖范围内" in response.content.decode()
        and other.name not in response.content.decode()
    )
