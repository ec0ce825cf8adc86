"""Reads of visits to record, inspection records and follow-ups.

Two ways in: jurisdiction (`restrict(user, action)`, as everywhere) and team membership
("谁检查、谁录入": an inspector drawn for a visit may open and record it even when the visit lies
outside their own station, e.g. a joint team). Membership is read from sampling.VisitMember
through the user's personnel.Inspector, never from anything the request says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.models import ResultCode, Violation
from jianguan.core import uscc
from jianguan.core.scoping import CHANGE, VIEW, granted
from jianguan.org.models import RECHECK_ON_SITE
from jianguan.personnel.models import Inspector
from jianguan.planning.models import Task
from jianguan.registry.models import DOMAINS, Entity
from jianguan.sampling.models import Draw, Visit, VisitMember

from .models import FollowUp, Inspection, Result

if TYPE_CHECKING:
    from .filters import FollowUpFilters, VisitFilters

# The list's status filter: the three stored states and "not yet recorded" (no Inspection row).
NOT_STARTED = "none"
# Labels stay lazy, so that each page shows them in its own language.
STATUS_CHOICES = [(NOT_STARTED, _("未录入")), *Inspection.Status.choices]
STATUS_CSS = {
    NOT_STARTED: "text-bg-secondary",
    Inspection.Status.DRAFT: "text-bg-info",
    Inspection.Status.RECORDED: "text-bg-warning",
    Inspection.Status.CONFIRMED: "text-bg-success",
}


def inspector_of(user):
    """The personnel.Inspector a login belongs to, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Inspector.objects.filter(user=user).select_related("unit").first()


def _in_force() -> QuerySet[Visit]:
    return Visit.objects.filter(draw__status=Draw.Status.DRAWN)


def _with_related(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related(
        "entity", "draw__task", "inspection", "district", "station"
    ).prefetch_related("merged__draw__task")


def member_visits(inspector) -> QuerySet[Visit]:
    """Host visits of draws in force whose team (its own or a merged visit's) has `inspector`."""
    mine = VisitMember.objects.filter(inspector=inspector)
    own = Exists(mine.filter(visit=OuterRef("pk")))
    via_merged = Exists(mine.filter(visit__merged_into=OuterRef("pk")))
    return _in_force().filter(merged_into__isnull=True).filter(own | via_merged)


def my_visits(*, user, filters: VisitFilters | None = None) -> list[Visit]:
    """我的检查: the caller's own assignments (empty for a user who is no inspector)."""
    inspector = inspector_of(user)
    if inspector is None:
        return []
    qs = _filter(member_visits(inspector), filters)
    rows = list(_with_related(qs).order_by("draw__task__check_date", "entity__name", "pk"))
    return annotate(rows)


def team_inspector_ids(host: Visit) -> set[int]:
    """Inspectors of the host's team and of every visit merged into it (they go together)."""
    return set(
        VisitMember.objects.filter(Q(visit=host) | Q(visit__merged_into=host))
        .exclude(inspector__isnull=True)
        .values_list("inspector_id", flat=True)
    )


def is_member(user, host: Visit) -> bool:
    inspector = inspector_of(user)
    return inspector is not None and inspector.pk in team_inspector_ids(host)


def visit_get(user, pk: int) -> Visit:
    """The visit `pk` of a draw in force, if the caller may see it: in their jurisdiction (the
    visit or one merged into it) or on its team. Visit.DoesNotExist (→ 404) otherwise."""
    visit = _with_related(_in_force()).get(pk=pk)
    host = visit.merged_into if visit.merged_into_id else visit
    group = Q(pk=host.pk) | Q(merged_into=host)
    if not (Visit.objects.restrict(user, VIEW).filter(group).exists() or is_member(user, host)):
        raise Visit.DoesNotExist
    return visit


def group_of(host: Visit) -> list[Visit]:
    """The host and the visits merged into it, each with its task and the task's items."""
    visits = list(
        Visit.objects.filter(Q(pk=host.pk) | Q(merged_into=host))
        .select_related("draw__task")
        .prefetch_related("draw__task__items")
        .order_by("merged_into", "pk")  # the host (NULL) first
    )
    visits.sort(key=lambda v: v.pk != host.pk)
    return visits


@dataclass
class Line:
    """One item to record on a host's page: the visit (and task) it belongs to, and its result."""

    visit: Visit
    item: object
    result: Result | None

    @property
    def key(self) -> str:
        return f"{self.visit.pk}-{self.item.pk}"


def lines(host: Visit) -> list[Line]:
    """Every item of the host's record (进一次门、查多项事): host's task items, then each merged
    visit's, with the stored Result where there is one."""
    inspection = inspection_of(host)
    stored = {}
    if inspection is not None:
        for r in inspection.results.select_related("code", "code__parent"):
            stored[(r.visit_id, r.item_id)] = r
    out = []
    for v in group_of(host):
        for item in sorted(v.draw.task.items.all(), key=lambda i: i.code):
            out.append(Line(v, item, stored.get((v.pk, item.pk))))
    return out


def _has_inspection(visit: Visit) -> bool:
    try:
        return visit.inspection is not None
    except Inspection.DoesNotExist:
        return False


def inspection_of(visit: Visit) -> Inspection | None:
    return visit.inspection if _has_inspection(visit) else None


def status_of(visit: Visit) -> str:
    inspection = inspection_of(visit)
    return inspection.status if inspection else NOT_STARTED


def annotate(visits: list[Visit]) -> list[Visit]:
    """Each visit with .status (NOT_STARTED or the inspection's), .status_label, .status_css."""
    labels = dict(STATUS_CHOICES)
    for v in visits:
        v.status = status_of(v)
        v.status_label = str(labels[v.status])
        v.status_css = STATUS_CSS[v.status]
    return visits


# --- lists ------------------------------------------------------------------------------------


def _filter(qs: QuerySet[Visit], f: VisitFilters | None) -> QuerySet[Visit]:
    if f is None:
        return qs
    if f.q:
        code = uscc.normalise(f.q)
        if code.isalnum() and len(code) >= 6 and code.isascii():
            qs = qs.filter(Q(entity__uscc__startswith=code) | Q(entity__name__contains=f.q))
        else:
            qs = qs.filter(Q(entity__name__contains=f.q) | Q(draw__task__title__contains=f.q))
    if f.status == NOT_STARTED:
        qs = qs.filter(inspection__isnull=True)
    elif f.status:
        qs = qs.filter(inspection__status=f.status)
    if f.task is not None:
        qs = qs.filter(draw__task_id=f.task)
    return qs


def inspection_list(*, user, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    """检查记录: host visits of draws in force in the caller's jurisdiction, with their record.

    q: entity name / credit code / task title; status: none, draft, recorded, confirmed; task.
    """
    qs = Visit.objects.restrict(user, VIEW).filter(
        draw__status=Draw.Status.DRAWN, merged_into__isnull=True
    )
    return _with_related(_filter(qs, filters)).order_by("-draw__drawn_at", "id")


def task_choices(user) -> list[tuple[str, str]]:
    """Tasks with a draw in force the caller may see, for the list's filter."""
    draws = Draw.objects.restrict(user, VIEW).filter(status=Draw.Status.DRAWN)
    tasks = Task.objects.filter(pk__in=draws.values("task_id")).order_by("-check_date", "title")
    return [(str(t.pk), t.title) for t in tasks[:200]]


def entity_results(entity: Entity, user) -> list[Inspection]:
    """The entity's inspection records the caller may see, newest first, with their results."""
    return list(
        Inspection.objects.restrict(user, VIEW)
        .filter(entity=entity)
        .select_related("visit__draw__task", "recorded_by", "confirmed_by")
        .prefetch_related("results__code", "results__item", "results__task")
        .order_by("-checked_on", "-pk")
    )


# --- follow-ups -------------------------------------------------------------------------------


def follow_up_list(
    *, user, filters: FollowUpFilters | None = None, today: dt.date | None = None
) -> QuerySet[FollowUp]:
    """后续处置 of the entities in the caller's jurisdiction.

    q: entity name / credit code; status; overdue=1: still open and past its deadline (逾期).
    """
    qs = FollowUp.objects.restrict(user, VIEW).select_related(
        "entity",
        "district",
        "station",
        "result__task",
        "result__item",
        "result__code",
        "result__inspection",
    )
    if f := filters:
        if f.q:
            code = uscc.normalise(f.q)
            if code.isalnum() and len(code) >= 6 and code.isascii():
                qs = qs.filter(Q(entity__uscc__startswith=code) | Q(entity__name__contains=f.q))
            else:
                qs = qs.filter(entity__name__contains=f.q)
        if f.status:
            qs = qs.filter(status=f.status)
        if f.overdue:
            qs = overdue(qs, today)
    return qs.order_by("due_on", "pk")


def overdue(qs: QuerySet[FollowUp], today: dt.date | None = None) -> QuerySet[FollowUp]:
    today = today or timezone.localdate()
    return qs.filter(status=FollowUp.Status.OPEN, due_on__lt=today)


def is_overdue(follow_up: FollowUp, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        follow_up.status == FollowUp.Status.OPEN
        and follow_up.due_on is not None
        and follow_up.due_on < today
    )


def follow_up_get(user, pk: int, action: str = VIEW) -> FollowUp:
    return follow_up_list(user=user).get(pk=pk) if action == VIEW else _changeable(user).get(pk=pk)


def _changeable(user) -> QuerySet[FollowUp]:
    """Who re-checks (谁管辖、谁负责): whoever may change rows of the entity's district, and the
    inspectors of the station that has jurisdiction over it, who do the re-check on site."""
    if granted(user, RECHECK_ON_SITE):  # station inspectors: their own station only
        return FollowUp.objects.restrict(user, VIEW)
    return FollowUp.objects.restrict(user, CHANGE)


def can_recheck(user, follow_up: FollowUp) -> bool:
    return _changeable(user).filter(pk=follow_up.pk).exists()


# --- result codes -----------------------------------------------------------------------------


def code_groups() -> list[tuple[ResultCode, list[ResultCode]]]:
    """Active result codes as (code, its active sub-kinds), in list order."""
    codes = list(ResultCode.objects.filter(active=True).order_by("sort", "code"))
    children: dict[int, list[ResultCode]] = {}
    for c in codes:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(c, children.get(c.pk, [])) for c in codes if not c.parent_id]


def code_choices() -> list:
    """Grouped choices for a <select>: a code with sub-kinds is a group (choose a sub-kind)."""
    out: list = []
    for code, kids in code_groups():
        if kids:
            out.append((f"{code.code} {code.name}", [(k.code, f"{k.code} {k.name}") for k in kids]))
        else:
            out.append((code.code, f"{code.code} {code.name}"))
    return out


def is_testing_body(entity) -> bool:
    return bool(entity.domains & DOMAINS.by_code["testing_body"])


def violation_choices() -> list[tuple[str, str]]:
    """The violation codes of inspection & testing bodies (总局令第39号), for the record form."""
    return [
        (code, f"{code} {name}（{article}）")
        for code, name, article in Violation.objects.filter(active=True).values_list(
            "code", "name", "article"
        )
    ]


def dashboard_todo(user) -> dict:
    """The caller's waiting visits and the overdue follow-ups in their jurisdiction (the home
    page, registered in `InspectionsConfig.ready`)."""
    inspector = inspector_of(user)
    open_visits = 0
    if inspector is not None:
        done = Inspection.objects.filter(status=Inspection.Status.CONFIRMED, visit=OuterRef("pk"))
        open_visits = member_visits(inspector).exclude(Exists(done)).count()
    return {
        "open_visits": open_visits,
        "follow_ups_overdue": overdue(FollowUp.objects.restrict(user)).count(),
    }
