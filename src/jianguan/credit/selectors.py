"""Reads of the credit lists. Staff reads start from `restrict(user, action)`; the public read
(`public_listings`) returns only what the law makes public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jianguan.core import uscc
from jianguan.core.scoping import VIEW
from jianguan.registry.models import Entity
from jianguan.registry.selectors import search
from jianguan.workdays.core import add_years
from jianguan.workdays.selectors import schedule

from . import clocks
from .filters import AbnormalFilters, CommitmentFilters, SeriousFilters
from .models import (
    AbnormalListing,
    AbnormalObjection,
    CreditCommitment,
    CreditRepair,
    SeriousListing,
)

DUE_ROWS = 100  # rows shown per section of the due/overdue page


def _filtered(qs: QuerySet, f) -> QuerySet:
    """The filters every credit list has: search, district, and its own choices."""
    if f.q:
        qs = search(qs, f.q, "entity__")
    if f.district is not None:
        qs = qs.filter(entity__district_id=f.district)
    for key in ("status", "reason", "category", "kind"):
        if value := getattr(f, key, None):
            qs = qs.filter(**{key: value})
    return qs


def abnormal_list(
    *,
    user,
    filters: AbnormalFilters | None = None,
    action: str = VIEW,
    today: dt.date | None = None,
) -> QuerySet[AbnormalListing]:
    """q: name or credit code; status; reason; district: unit id; clock: late (listed after the
    10-working-day limit), removal_due (cause cured, not yet removed), escalation (3 years
    reached or within the reminder)."""
    f = filters or AbnormalFilters()
    qs = AbnormalListing.objects.restrict(user, action).select_related(
        "entity", "entity__district", "decided_by"
    )
    qs = _filtered(qs, f)
    today = today or timezone.localdate()
    if f.clock == "late":
        qs = qs.filter(_late_q(qs))
    elif f.clock == "removal_due":
        qs = qs.filter(status=AbnormalListing.Status.LISTED, cured_on__isnull=False)
    elif f.clock == "escalation":
        qs = qs.filter(_escalation_q(today))
    return qs.order_by("-listed_on", "-id")


def abnormal_get(*, user, pk: int, action: str = VIEW) -> AbnormalListing:
    return abnormal_list(user=user, action=action).select_related("escalated_to").get(pk=pk)


def objection_get(*, user, pk: int, action: str = VIEW) -> AbnormalObjection:
    return (
        AbnormalObjection.objects.restrict(user, action)
        .select_related("listing", "listing__entity")
        .get(pk=pk)
    )


def _late_q(qs: QuerySet) -> Q:
    """Listed after its due date; the due date depends on the trigger date only, so it is
    computed once per distinct trigger date."""
    sched = schedule()
    q = Q(pk__in=[])
    for trigger in qs.order_by().values_list("trigger_date", flat=True).distinct():
        q |= Q(trigger_date=trigger, listed_on__gt=clocks.listing_due(trigger, sched).date)
    return q


def _escalation_q(today: dt.date) -> Q:
    """Active, not escalated, and the 3 years end within the reminder period (or have ended)."""
    limit = today + dt.timedelta(days=clocks.ESCALATION_REMINDER_DAYS)
    # The latest listing date whose 3 years end by `limit` (29 Feb lists end on 28 Feb).
    latest = add_years(limit, -clocks.ABNORMAL_YEARS) + dt.timedelta(days=1)
    if clocks.escalation_due(latest) > limit:
        latest -= dt.timedelta(days=1)
    return Q(status=AbnormalListing.Status.LISTED, escalated_to__isnull=True, listed_on__lte=latest)


def serious_list(
    *, user, filters: SeriousFilters | None = None, action: str = VIEW
) -> QuerySet[SeriousListing]:
    qs = SeriousListing.objects.restrict(user, action).select_related(
        "entity", "entity__district", "listed_by"
    )
    return _filtered(qs, filters or SeriousFilters()).order_by("-listed_on", "-id")


def serious_get(*, user, pk: int, action: str = VIEW) -> SeriousListing:
    return serious_list(user=user, action=action).get(pk=pk)


def repair_get(*, user, pk: int, action: str = VIEW) -> CreditRepair:
    return (
        CreditRepair.objects.restrict(user, action)
        .select_related("listing", "listing__entity", "listing__listed_by")
        .get(pk=pk)
    )


def commitment_list(
    *, user, filters: CommitmentFilters | None = None, action: str = VIEW
) -> QuerySet[CreditCommitment]:
    qs = CreditCommitment.objects.restrict(user, action).select_related(
        "entity", "entity__district"
    )
    return _filtered(qs, filters or CommitmentFilters()).order_by("-signed_on", "-id")


def commitment_get(*, user, pk: int, action: str = VIEW) -> CreditCommitment:
    return commitment_list(user=user, action=action).get(pk=pk)


# --- clocks on rows ---------------------------------------------------------------------------


def with_clocks(rows, today: dt.date | None = None) -> list:
    """Set the legal clocks on each listing (AbnormalListing or SeriousListing):

    abnormal: listing_due, listed_late, removal_due, removal_overdue, escalation_due,
              escalation_near (reminder reached), escalation_ready (3 years reached);
    serious:  expiring (within the reminder, still listed), repair_open (1 year reached).
    """
    today = today or timezone.localdate()
    sched = schedule()
    rows = list(rows)
    for row in rows:
        if isinstance(row, AbnormalListing):
            row.listing_due = clocks.listing_due(row.trigger_date, sched)
            row.listed_late = row.listed_on > row.listing_due.date
            row.removal_due = clocks.removal_due(row.cured_on, sched) if row.cured_on else None
            row.removal_overdue = bool(
                row.removal_due and clocks.late(row.removed_on, row.removal_due, today)
            )
            pending = row.is_active and not row.escalated_to_id
            row.escalation_near = pending and today >= clocks.escalation_reminder(row.listed_on)
            row.escalation_ready = pending and today >= row.escalation_due  # model property
        else:
            remind = dt.timedelta(days=clocks.EXPIRY_REMINDER_DAYS)
            row.expiring = bool(
                row.is_active and row.expires_on and today >= row.expires_on - remind
            )
            row.repair_open = bool(
                row.is_active and row.repair_eligible_on and today >= row.repair_eligible_on
            )
    return rows


def due_items(*, user, today: dt.date | None = None) -> dict[str, Any]:
    """The due/overdue page: every running clock in the user's jurisdiction."""
    today = today or timezone.localdate()
    abnormal = AbnormalListing.objects.restrict(user).select_related("entity", "decided_by")
    serious = SeriousListing.objects.restrict(user).select_related("entity", "listed_by")
    expiry_limit = today + dt.timedelta(days=clocks.EXPIRY_REMINDER_DAYS)
    removal = abnormal.filter(
        status=AbnormalListing.Status.LISTED, cured_on__isnull=False
    ).order_by("cured_on", "id")
    escalation = abnormal.filter(_escalation_q(today)).order_by("listed_on", "id")
    expiring = serious.filter(
        status=SeriousListing.Status.LISTED, expires_on__lte=expiry_limit
    ).order_by("expires_on", "id")
    proposed = serious.filter(status=SeriousListing.Status.PROPOSED).order_by("created_at")
    repairs = (
        CreditRepair.objects.restrict(user)
        .filter(outcome=CreditRepair.Outcome.PENDING)
        .select_related("listing", "listing__entity")
        .order_by("applied_on", "id")
    )
    objections = (
        AbnormalObjection.objects.restrict(user)
        .filter(outcome=AbnormalObjection.Outcome.PENDING)
        .select_related("listing", "listing__entity")
        .order_by("filed_on", "id")
    )
    sections = {
        "removal": removal,
        "escalation": escalation,
        "expiring": expiring,
        "proposed": proposed,
        "repairs": repairs,
        "objections": objections,
    }
    out: dict[str, Any] = {"today": today}
    for name, qs in sections.items():
        rows = list(qs[:DUE_ROWS])
        if name in ("removal", "escalation", "expiring"):
            rows = with_clocks(rows, today)
        out[name] = rows
        out[f"{name}_count"] = qs.count() if len(rows) == DUE_ROWS else len(rows)
    return out


# --- the entity's file and the public view ----------------------------------------------------


def entity_credit(entity: Entity, today: dt.date | None = None) -> dict[str, Any]:
    """The credit section of an entity's file (一企一卷). `entity` was read through
    `restrict`, and its listings share its jurisdiction."""
    abnormal = with_clocks(
        entity.abnormal_listings.select_related("decided_by").order_by("-listed_on", "-id"),
        today,
    )
    serious = with_clocks(
        entity.serious_listings.select_related("listed_by").order_by("-listed_on", "-id"), today
    )
    commitments = list(entity.credit_commitments.order_by("-signed_on", "-id"))
    return {
        "entity": entity,
        "abnormal": abnormal,
        "serious": serious,
        "commitments": commitments,
        "active_abnormal": sum(1 for r in abnormal if r.is_active),
        "active_serious": sum(1 for r in serious if r.is_active),
    }


def public_listings(entity_or_query, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The lists as the public sees them (item 7): only listings in force, only public fields
    (no internal notes, no defence or removal details, no staff). `entity_or_query`: an Entity,
    a queryset of entities, or the text a visitor typed (full credit code, or part of a name).

    Removed listings disappear; a serious listing past its 3 years disappears even before the
    expiry run has recorded its removal (总局令第44号: 期满停止公示).
    """
    today = today or timezone.localdate()
    abnormal = AbnormalListing.objects.filter(status=AbnormalListing.Status.LISTED)
    serious = SeriousListing.objects.filter(
        status=SeriousListing.Status.LISTED, expires_on__gt=today
    )
    if isinstance(entity_or_query, Entity):
        where = Q(entity=entity_or_query)
    elif isinstance(entity_or_query, QuerySet):
        where = Q(entity__in=entity_or_query)
    else:
        text = str(entity_or_query or "").strip()
        code = uscc.normalise(text)
        if len(code) == 18 and code.isalnum() and code.isascii():
            where = Q(entity__uscc=code)
        elif len(text) >= 2:
            where = Q(entity__name__contains=text)
        else:
            return []
    out = [
        {
            "list": "abnormal",
            "list_label": "经营异常名录",
            "entity_name": a.entity.name,
            "uscc": a.entity.uscc,
            "reason": a.get_reason_display(),
            "listed_on": a.listed_on,
            "decided_by": a.decided_by.name,
            "decision_no": a.decision_no,
        }
        for a in abnormal.filter(where).select_related("entity", "decided_by")
    ]
    out += [
        {
            "list": "serious",
            "list_label": "严重违法失信名单",
            "entity_name": s.entity.name,
            "uscc": s.entity.uscc,
            "reason": s.get_category_display(),
            "listed_on": s.listed_on,
            "decided_by": s.listed_by.name,
            "decision_no": s.decision_no,
            "penalty_decision_no": s.penalty_decision_no,
        }
        for s in serious.filter(where).select_related("entity", "listed_by")
    ]
    return sorted(out, key=lambda r: (r["uscc"], r["listed_on"]), reverse=True)
