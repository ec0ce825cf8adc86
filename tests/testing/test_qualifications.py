"""The qualification register (资质认定): status history, the 3-year bar after a revocation for a
false commitment, the roster following the register, automatic commitment follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jianguan.core.models import AuditEvent
from jianguan.registry import models as registry
from jianguan.testing import services
from jianguan.testing.models import Application, FollowUp, Qualification

TODAY = dt.date.today()


def test_grant_starts_history_syncs_roster_and_audits(make_body, grant):
    body = make_body()
    q = grant(body, issued_on=TODAY - dt.timedelta(days=10))
    assert q.status == Qualification.Status.VALID
    # valid 6 years: the day before the 6th anniversary
    assert q.expires_on == q.issued_on.replace(year=q.issued_on.year + 6) - dt.timedelta(days=1)
    assert [(e.status_from, e.status_to) for e in q.events.all()] == [("", "valid")]
    roster = registry.TestingBody.objects.get(entity=body)
    assert (roster.cert_no, roster.cert_expires_on) == (q.cert_no, q.expires_on)
    assert AuditEvent.objects.filter(
        object_type="testing.qualification", object_id=str(q.pk)
    ).exists()


def test_expiry_beyond_six_years_is_refused(make_body, city_admin):
    body = make_body()
    with pytest.raises(ValidationError, match="有效期为6年"):
        services.qualification_grant(
            user=city_admin,
            entity=body,
            data={
                "cert_no": "260900000001",
                "scope": "x",
                "issued_on": dt.date(2020, 1, 1),
                "expires_on": dt.date(2026, 1, 2),
                "route": "review",
            },
        )


def test_only_one_certificate_in_force(make_body, grant):
    body = make_body()
    grant(body)
    with pytest.raises(ValidationError, match="已有有效"):
        grant(body)


def test_commitment_approval_opens_follow_up_due_in_three_months(make_body, grant):
    """Seed 001 §三(一): every body approved on commitment is followed up; on site within 3
    months of approval."""
    body = make_body(fields=("food_testing",))
    q = grant(body, route="commitment", issued_on=dt.date(2025, 11, 30))
    f = FollowUp.objects.get(qualification=q)
    assert f.method == FollowUp.Method.ONSITE  # a first certificate, in a key field
    assert f.due_on == dt.date(2026, 2, 28)  # 3 months, month end clamped
    review = grant(make_body(), route="review")
    assert not FollowUp.objects.filter(qualification=review).exists()


def test_revocation_is_the_citys_and_needs_a_decision_number(make_body, grant, admin_a, city_admin):
    q = grant(make_body())
    with pytest.raises(PermissionDenied, match="市局"):
        services.qualification_status(
            user=admin_a, qualification=q, status="revoked", on=TODAY, reason="x", decision_no="1"
        )
    with pytest.raises(ValidationError, match="决定书文号"):
        services.qualification_status(
            user=city_admin, qualification=q, status="revoked", on=TODAY, reason="x"
        )


def test_district_may_suspend_and_restore_with_history(make_body, grant, admin_a):
    q = grant(make_body())
    services.qualification_status(
        user=admin_a, qualification=q, status="suspended", on=TODAY, reason="能力不足"
    )
    services.qualification_status(
        user=admin_a, qualification=q, status="valid", on=TODAY, reason="整改完毕"
    )
    assert [e.status_to for e in q.events.order_by("id")] == ["valid", "suspended", "valid"]


def test_an_ended_certificate_cannot_change_again(make_body, grant, city_admin):
    q = grant(make_body())
    services.qualification_status(
        user=city_admin, qualification=q, status="cancelled", on=TODAY, reason="机构申请注销"
    )
    with pytest.raises(ValidationError, match="不能变更"):
        services.qualification_status(
            user=city_admin, qualification=q, status="valid", on=TODAY, reason="x"
        )


def test_false_commitment_bars_new_applications_for_three_years(make_body, grant, city_admin):
    """Seed 001 / DOMAIN.md: a false commitment leads to revocation and a 3-year bar, enforced
    when a new application is recorded."""
    body = make_body()
    revoked_on = TODAY - dt.timedelta(days=400)
    q = grant(body, route="commitment", issued_on=revoked_on - dt.timedelta(days=60))
    services.qualification_status(
        user=city_admin,
        qualification=q,
        status="revoked",
        on=revoked_on,
        reason="告知承诺不实",
        decision_no="沪市监认撤〔2025〕1号",
        false_commitment=True,
    )
    q.refresh_from_db()
    assert q.bar_until == revoked_on.replace(year=revoked_on.year + 3)
    with pytest.raises(ValidationError) as e:
        services.application_record(
            user=city_admin,
            entity=body,
            data={"received_on": TODAY, "route": "review", "scope": "x"},
        )
    assert q.bar_until.isoformat() in str(e.value) and "三年" in str(e.value)
    assert not Application.objects.exists()
    # nor can a certificate be recorded directly while the bar holds
    with pytest.raises(ValidationError, match="三年"):
        services.qualification_grant(
            user=city_admin,
            entity=body,
            data={"cert_no": "X1", "scope": "x", "issued_on": TODAY, "route": "review"},
        )


def test_the_bar_ends_after_three_years(make_body, grant, city_admin):
    body = make_body()
    revoked_on = TODAY - dt.timedelta(days=3 * 366 + 5)
    q = grant(body, issued_on=revoked_on - dt.timedelta(days=10))
    services.qualification_status(
        user=city_admin,
        qualification=q,
        status="revoked",
        on=revoked_on,
        reason="告知承诺不实",
        decision_no="1",
        false_commitment=True,
    )
    app = services.application_record(
        user=city_admin, entity=body, data={"received_on": TODAY, "route": "review", "scope": "x"}
    )
    app = services.application_decide(
        user=city_admin,
        application=app,
        approve=True,
        decided_on=TODAY,
        cert={"cert_no": "261000000009"},
    )
    assert app.qualification.status == "valid"


def test_expire_due_marks_expired_certificates(make_body, grant):
    q = grant(make_body(), issued_on=TODAY - dt.timedelta(days=6 * 366))
    assert services.expire_due(TODAY) == 1
    q.refresh_from_db()
    assert q.status == "expired" and q.events.last().reason == "有效期届满"


def test_roster_form_leaves_a_registered_certificate_to_the_register(
    client, admin_a, make_body, grant
):
    """One write path for a certificate: once registered, the roster's form keeps it read-only
    (its fields still change there)."""
    from django.urls import reverse

    body = make_body()
    q = grant(body)
    client.force_login(admin_a)
    url = reverse("registry:testing_body_edit", args=[body.pk])
    assert "证书信息由资质认定登记维护" in client.get(url).content.decode()
    response = client.post(url, {"cert_no": "FORGED", "fields": ["food_testing", "motor_vehicle"]})
    assert response.status_code == 302
    roster = registry.TestingBody.objects.get(entity=body)
    assert roster.cert_no == q.cert_no and len(roster.field_labels) == 2
