"""The grading features of every testing body (grading.FEATURES) as of a date, read from the
database with one grouped query per feature into numpy arrays ordered by entity id.

Windows: "近3年" counts the 3 years up to the date, "近1年" the year up to it; list memberships
and a qualification's suspension are the current ones.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Count, Q, QuerySet

from jianguan.catalog.models import Violation
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.inspections.models import Inspection, Result
from jianguan.registry.models import TestingBody

from .models import (
    Aspect,
    Assessment,
    BodyChange,
    FollowUp,
    Grade,
    Handling,
    MonitoringVisit,
    PTResult,
    Qualification,
    Rectification,
    TargetedCheck,
    add_years,
)

V = Violation.Category


def body_ids(entity_ids=None) -> np.ndarray:
    qs = TestingBody.objects.all()
    if entity_ids is not None:
        qs = qs.filter(entity_id__in=list(entity_ids))
    return np.array(sorted(qs.values_list("entity_id", flat=True)), dtype=np.int64)


def _counts(qs: QuerySet, ids: np.ndarray, field: str = "entity_id") -> np.ndarray:
    """Rows per entity of `qs` as an array aligned with `ids`."""
    out = np.zeros(len(ids), dtype=np.int64)
    rows = list(qs.order_by().values_list(field).annotate(n=Count("pk")))
    if not rows or not len(ids):
        return out
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([r[1] for r in rows], dtype=np.int64)
    at = np.searchsorted(ids, keys)
    ok = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == keys)
    np.add.at(out, at[ok], values[ok])
    return out


def read(as_of: dt.date, entity_ids=None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(entity ids, {feature: counts}) for every testing body (or the given ones)."""
    ids = body_ids(entity_ids)
    three, one = add_years(as_of, -3), add_years(as_of, -1)
    mine = {"entity_id__in": ids.tolist()} if entity_ids is not None else {}

    def c(qs: QuerySet, field: str = "entity_id") -> np.ndarray:
        return _counts(qs.filter(**mine) if mine else qs, ids, field)

    checks = Result.objects.filter(
        inspection__status=Inspection.Status.CONFIRMED,
        inspection__checked_on__gt=three,
        inspection__checked_on__lte=as_of,
    )
    targeted = TargetedCheck.objects.filter(checked_on__gt=three, checked_on__lte=as_of)

    def violations(category: str) -> np.ndarray:
        return c(checks.filter(violation__category=category)) + c(
            targeted.filter(violation__category=category)
        )

    pt = PTResult.objects.filter(reported_on__gt=three, reported_on__lte=as_of)
    assessments = Assessment.objects.filter(held_on__gt=three, held_on__lte=as_of)
    visits = MonitoringVisit.objects.filter(visited_on__gt=one, visited_on__lte=as_of)
    bad = (Aspect.UNREPORTED, Aspect.PROBLEM)
    monitoring = sum(c(visits.filter(**{f"{a}__in": bad})) for a in MonitoringVisit.ASPECTS)
    return ids, {
        "false_report": violations(V.FALSE_REPORT),
        "untrue_report": violations(V.UNTRUE_REPORT),
        "no_qualification": violations(V.NO_QUALIFICATION),
        "check_problems": c(checks.filter(code__problem_found=True)),
        "penalties": c(
            Handling.objects.filter(
                measure=Handling.Measure.PENALTY, decided_on__gt=three, decided_on__lte=as_of
            )
        ),
        "pt_unsatisfactory": c(pt.filter(grade=Grade.UNSATISFACTORY)),
        "pt_questionable": c(pt.filter(grade=Grade.QUESTIONABLE)),
        "pt_missed": c(pt.filter(grade=Grade.MISSED)),
        "pt_overdue": c(
            Rectification.objects.filter(
                Q(status=Rectification.Status.OPEN, due_on__lt=as_of)
                | Q(status=Rectification.Status.FAILED)
            )
        ),
        "assessment_failed": c(assessments.filter(conclusion=Assessment.Conclusion.FAIL)),
        "assessment_rectify": c(assessments.filter(conclusion=Assessment.Conclusion.RECTIFY)),
        "monitoring_problems": monitoring,
        "unreported_changes": c(
            BodyChange.objects.filter(changed_on__gt=one, changed_on__lte=as_of).exclude(
                source=BodyChange.Source.REPORTED
            )
        ),
        "online_violations": c(
            targeted.filter(
                lead__isnull=False, result=TargetedCheck.Result.VIOLATION, checked_on__gt=one
            )
        ),
        "false_commitment": c(
            FollowUp.objects.filter(
                outcome=FollowUp.Outcome.UNTRUE, checked_on__gt=three, checked_on__lte=as_of
            )
        ),
        "revoked": c(
            Qualification.objects.filter(
                status=Qualification.Status.REVOKED, status_on__gt=three, status_on__lte=as_of
            )
        ),
        "suspended": c(Qualification.objects.filter(status=Qualification.Status.SUSPENDED)),
        "serious_listed": c(SeriousListing.objects.filter(status=SeriousListing.Status.LISTED)),
        "abnormal_listed": c(AbnormalListing.objects.filter(status=AbnormalListing.Status.LISTED)),
    }


def read_one(entity_id: int, as_of: dt.date) -> dict[str, int]:
    """The features of one body (the naive loop's reading, and the entity page's)."""
    _ids, feats = read(as_of, [entity_id])
    return {k: int(v[0]) if len(v) else 0 for k, v in feats.items()}
