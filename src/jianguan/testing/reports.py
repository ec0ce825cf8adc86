"""Figures per district that the city reads (seed 001 §五(二) 督查考核): commitment follow-up
timeliness, monitoring coverage and findings, key-field coverage by confirmed checks, and the
yearly double-random draw of testing bodies with its 15% floor.

Every function takes the caller (user) and counts only what the caller may see: a district
sees its own row, the city every district.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone

from jianguan.catalog.models import CheckItem
from jianguan.core.scoping import city_wide
from jianguan.inspections.models import Inspection
from jianguan.org.models import Unit
from jianguan.registry.models import (
    DOMAINS,
    KEY_TESTING_FIELDS,
    TESTING_FIELDS,
    Entity,
    TestingBody,
)
from jianguan.sampling.models import Draw

from .models import Aspect, FollowUp, MonitoringTarget, MonitoringVisit


def districts(user) -> list[Unit]:
    qs = Unit.objects.filter(kind=Unit.Kind.DISTRICT, active=True)
    if user is not None and not city_wide(user):
        qs = qs.filter(pk=user.unit.district_id)
    return list(qs.order_by("sort", "code"))


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


# --- commitment follow-up ----------------------------------------------------------------------


def follow_up_timeliness(user, year: int, today: dt.date | None = None) -> list[dict]:
    """Per district, the follow-ups due in `year`: done on time, done late, overdue (open past
    the due date), open and not yet due; and the share done on time (及时性)."""
    today = today or timezone.localdate()
    qs = FollowUp.objects.restrict(user)
    qs = qs.filter(due_on__year=year)
    rows = {
        r["entity__district"]: r
        for r in qs.order_by()
        .values("entity__district")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(checked_on__isnull=False, checked_on__lte=F("due_on"))),
            late=Count("pk", filter=Q(checked_on__isnull=False, checked_on__gt=F("due_on"))),
            overdue=Count("pk", filter=Q(checked_on__isnull=True, due_on__lt=today)),
            onsite=Count("pk", filter=Q(method=FollowUp.Method.ONSITE)),
        )
    }
    out = []
    for d in districts(user):
        r = rows.get(d.pk, {})
        total = r.get("total", 0)
        due = r.get("on_time", 0) + r.get("late", 0) + r.get("overdue", 0)
        out.append(
            {
                "district": d,
                "total": total,
                "onsite": r.get("onsite", 0),
                "on_time": r.get("on_time", 0),
                "late": r.get("late", 0),
                "overdue": r.get("overdue", 0),
                "pending": total - due,
                "rate": _rate(r.get("on_time", 0), due),
            }
        )
    return out


# --- risk monitoring -----------------------------------------------------------------------------


def monitoring_figures(start: dt.date, end: dt.date, user=None) -> list[dict]:
    """Per district: bodies in the plans of the period's years, bodies visited in the period,
    coverage, visits, aspects with problems and unreported changes. Plain values (the city's
    summary stores them as they were)."""
    years = list(range(start.year, end.year + 1))
    targets = MonitoringTarget.objects.filter(plan__year__in=years)
    visits = MonitoringVisit.objects.filter(visited_on__gte=start, visited_on__lte=end)
    if user is not None:
        targets, visits = targets.restrict(user), visits.restrict(user)
    planned = dict(
        targets.order_by().values_list("plan__district").annotate(n=Count("entity", distinct=True))
    )
    covered = dict(
        visits.order_by().values_list("entity__district").annotate(n=Count("entity", distinct=True))
    )
    counts = dict(visits.order_by().values_list("entity__district").annotate(n=Count("pk")))
    bad = (Aspect.UNREPORTED, Aspect.PROBLEM)
    problems: dict[int, int] = defaultdict(int)
    unreported: dict[int, int] = defaultdict(int)
    for aspect in MonitoringVisit.ASPECTS:
        for d, n in (
            visits.filter(**{f"{aspect}__in": bad})
            .order_by()
            .values_list("entity__district")
            .annotate(n=Count("pk"))
        ):
            problems[d] += n
        for d, n in (
            visits.filter(**{aspect: Aspect.UNREPORTED})
            .order_by()
            .values_list("entity__district")
            .annotate(n=Count("pk"))
        ):
            unreported[d] += n
    out = []
    for d in districts(user):
        p, c = planned.get(d.pk, 0), covered.get(d.pk, 0)
        out.append(
            {
                "district": d.name,
                "district_id": d.pk,
                "planned": p,
                "covered": c,
                "coverage": _rate(c, p),
                "visits": counts.get(d.pk, 0),
                "problems": problems[d.pk],
                "unreported": unreported[d.pk],
            }
        )
    return out


# --- key fields: full coverage by confirmed checks ---------------------------------------------


def key_field_coverage(user, year: int) -> list[dict]:
    """Seed 001 §三(二)2: every body in the four key fields covered at least once a year per
    district, counted by checks done and confirmed (not by draws). Per district and field:
    bodies, bodies with a confirmed check dated in the year, coverage, and the bodies missing."""
    bodies = TestingBody.objects.filter(entity__status=Entity.Status.ACTIVE)
    if user is not None:
        bodies = bodies.restrict(user)
    checked = set(
        Inspection.objects.filter(
            status=Inspection.Status.CONFIRMED, checked_on__year=year
        ).values_list("entity_id", flat=True)
    )
    per: dict[tuple[int, str], list[int]] = defaultdict(list)
    for entity_id, district_id, fields in bodies.values_list(
        "entity_id", "entity__district", "fields"
    ):
        for code in KEY_TESTING_FIELDS:
            if fields & TESTING_FIELDS.by_code[code]:
                per[(district_id, code)].append(entity_id)
    labels = dict(TESTING_FIELDS.choices)
    out = []
    for d in districts(user):
        cells = []
        for code in KEY_TESTING_FIELDS:
            ids = per.get((d.pk, code), [])
            done = [i for i in ids if i in checked]
            cells.append(
                {
                    "field": code,
                    "label": labels[code],
                    "bodies": len(ids),
                    "covered": len(done),
                    "rate": _rate(len(done), len(ids)),
                    "complete": len(done) == len(ids),
                    "missing": sorted(set(ids) - set(done)),
                }
            )
        out.append({"district": d, "cells": cells})
    return out


# --- the yearly draw and its floor ---------------------------------------------------------------


def testing_items() -> list[CheckItem]:
    """Check items with a floor (比例下限) for testing bodies."""
    return [
        i
        for i in CheckItem.objects.filter(min_ratio__isnull=False, active=True)
        if i.domains & DOMAINS.by_code["testing_body"]
    ]


def draw_floor(user, year: int) -> list[dict]:
    """Seed 001 §三(二)1: each district organises at least one double-random draw of testing
    bodies a year, sampling at least 15%. Per district: the drawn tasks of the year with a
    testing-body item, the bodies drawn and the share of its bodies."""
    codes = [i.code for i in testing_items()]
    floor = max((i.min_ratio for i in testing_items()), default=Decimal(0))
    draws = Draw.objects.filter(
        status=Draw.Status.DRAWN,
        task__check_date__year=year,
        task__items__code__in=codes,
    ).distinct()
    per: dict[int, dict] = defaultdict(lambda: {"tasks": 0, "drawn": 0})
    for draw in draws.select_related("task"):
        d = per[draw.task.district_id or 0]
        d["tasks"] += 1
        d["drawn"] += int((draw.counts or {}).get("selected") or 0)
    bodies = dict(
        TestingBody.objects.filter(entity__status=Entity.Status.ACTIVE)
        .order_by()
        .values_list("entity__district")
        .annotate(n=Count("pk"))
    )
    out = []
    for d in districts(user):
        row = per.get(d.pk, {"tasks": 0, "drawn": 0})
        n = bodies.get(d.pk, 0)
        share = Decimal(row["drawn"]) / n if n else Decimal(0)
        out.append(
            {
                "district": d,
                "tasks": row["tasks"],
                "drawn": row["drawn"],
                "bodies": n,
                "share": _rate(row["drawn"], n),
                "met": row["tasks"] > 0 and share >= floor,
            }
        )
    return out
