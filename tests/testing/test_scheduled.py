"""The daily scheduled work (testing_due): expiry, missed mandatory PT schemes, the monthly
grading (seed 001: grades recomputed regularly; issue 16: monthly and on demand)."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from jianguan.testing.models import GradeRun, PTResult, PTScheme, Qualification

TODAY = dt.date.today()


def test_testing_due_expires_records_missed_and_grades_monthly(make_body, grant):
    old = grant(make_body(), issued_on=TODAY - dt.timedelta(days=6 * 366))
    body = make_body()
    grant(body, issued_on=TODAY - dt.timedelta(days=200))
    late = make_body()
    grant(late, issued_on=TODAY - dt.timedelta(days=5))  # certified after the deadline
    PTScheme.objects.create(
        number="SH-PT-X",
        name="铅",
        field="food_testing",
        items="铅",
        year=TODAY.year,
        provider="测试",
        deadline=TODAY - dt.timedelta(days=10),
        required_fields=1 << 3,
    )
    call_command("testing_due")
    assert Qualification.objects.get(pk=old.pk).status == "expired"
    assert list(PTResult.objects.values_list("entity_id", "grade")) == [(body.pk, "missed")]
    assert GradeRun.objects.filter(trigger="monthly").count() == 1
    call_command("testing_due")  # the same month: no second run, nothing recorded twice
    assert GradeRun.objects.count() == 1 and PTResult.objects.count() == 1
