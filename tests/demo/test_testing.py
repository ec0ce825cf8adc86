"""The demo city's testing-body supervision: bodies in every state, so each page has something
to show (issue 16 "Done when"), written through the services."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from jianguan.testing.models import (
    Appeal,
    Assessment,
    BodyGrade,
    FollowUp,
    Handling,
    MonitoringPlan,
    MonitoringSummary,
    MonitoringVisit,
    OnlineLead,
    PTResult,
    Qualification,
    Rectification,
    TypicalCase,
)


@pytest.mark.django_db(transaction=False)
def test_demo_has_bodies_in_every_state():
    call_command("seed_demo", entities=4000, seed=1)
    call_command("seed_demo_testing", seed=1)
    statuses = set(Qualification.objects.values_list("status", flat=True))
    assert statuses == {"valid", "suspended", "revoked", "cancelled", "expired"}
    assert Qualification.objects.filter(false_commitment=True, bar_until__isnull=False).exists()
    outcomes = set(FollowUp.objects.values_list("outcome", flat=True))
    assert {"", "true", "rectify", "untrue"} <= outcomes
    assert set(PTResult.objects.values_list("grade", flat=True)) == {
        "satisfactory",
        "questionable",
        "unsatisfactory",
        "missed",
    }
    assert {"open", "rectified", "handled"} <= set(
        Rectification.objects.values_list("status", flat=True)
    )
    assert Appeal.objects.exists() and Assessment.objects.exists()
    assert (
        MonitoringPlan.objects.count()
        == 2 * MonitoringPlan.objects.values("district").distinct().count()
    )
    assert MonitoringVisit.objects.filter(equipment="problem").exists()
    assert MonitoringSummary.objects.exists() and TypicalCase.objects.exists()
    assert set(OnlineLead.objects.values_list("status", flat=True)) >= {"new", "check", "closed"}
    assert Handling.objects.filter(measure="penalty", fine_yuan=30000).exists()
    assert BodyGrade.objects.filter(current=True, grade="D").exists()
    assert set(BodyGrade.objects.filter(current=True).values_list("grade", flat=True)) >= {"A", "D"}
    # --if-empty leaves a seeded database alone
    call_command("seed_demo_testing", if_empty=True)
    assert MonitoringSummary.objects.count() == 1
