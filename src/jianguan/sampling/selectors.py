"""Reads of draws and visits, always through `restrict(user, action)`.

Also the few presentation helpers the pages, the API and the exports share: stratum labels in
Chinese, the team of a visit, the wizard's state of a task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from jianguan.core import uscc
from jianguan.core.models import Job
from jianguan.core.scoping import CHANGE, VIEW, allowed
from jianguan.org.models import Unit
from jianguan.planning.models import Task
from jianguan.planning.permissions import can_edit
from jianguan.registry.models import Entity

from . import protocol as P
from .models import Draw, Visit, VisitMember

if TYPE_CHECKING:
    from .filters import DrawFilters

JOB_KIND = "draw"
FINAL = (Draw.Status.DRAWN, Draw.Status.SUPERSEDED)
RISK_LABELS = {
    "A": "A类（低风险）",
    "B": "B类（一般风险）",
    "C": "C类（较高风险）",
    "D": "D类（高风险）",
}


def draw_list(*, user, filters: DrawFilters | None = None, action: str = VIEW) -> QuerySet[Draw]:
    """q: task title contains; status; year: the task's plan year; task: task id."""
    qs = Draw.objects.restrict(user, action).select_related(
        "task", "task__plan", "district", "created_by", "redraw_of"
    )
    if f := filters:
        if f.q:
            qs = qs.filter(task__title__contains=f.q)
        if f.status:
            qs = qs.filter(status=f.status)
        if f.year is not None:
            qs = qs.filter(task__plan__year=f.year)
        if f.task is not None:
            qs = qs.filter(task_id=f.task)
    return qs.order_by("-committed_at", "-id")


def draw_years(*, user) -> list[int]:
    """The plan years of the draws the caller may see, newest first (the year filter)."""
    years = Draw.objects.restrict(user).order_by().values_list("task__plan__year", flat=True)
    return sorted(set(years), reverse=True)


def draw_get(user, pk: int, action: str = VIEW) -> Draw:
    """Draw.DoesNotExist (→ 404) outside the user's jurisdiction or reach."""
    return draw_list(user=user, action=action).select_related("task__unit").get(pk=pk)


def can_change(user, draw_or_task) -> bool:
    """May `user` take the draw steps of this task (the engine checks the same on every step)?"""
    task = draw_or_task.task if isinstance(draw_or_task, Draw) else draw_or_task
    return (
        allowed(user, CHANGE, Draw)
        and Task.objects.restrict(user, CHANGE).filter(pk=task.pk).exists()
    )


def running_job(draw: Draw) -> Job | None:
    """The queued or running draw job of `draw`, if any (one draw runs once)."""
    return (
        Job.objects.filter(kind=JOB_KIND, params__draw_id=draw.pk)
        .filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )


def last_job(draw: Draw) -> Job | None:
    return (
        Job.objects.filter(kind=JOB_KIND, params__draw_id=draw.pk).order_by("-created_at").first()
    )


# --- visits --------------------------------------------------------------------------------------


def _members() -> Prefetch:
    return Prefetch(
        "members",
        queryset=VisitMember.objects.select_related("inspector", "inspector__unit", "expert"),
    )


def draw_visits(draw: Draw, params: Mapping[str, str] | None = None) -> QuerySet[Visit]:
    """The selected targets of a draw (the caller read the draw scoped), with their teams.

    q: name contains, or a (partial) credit code; stratum; certain: 1/0.
    """
    params = params or {}
    qs = (
        Visit.objects.filter(draw=draw)
        .select_related("entity", "entity__district", "entity__station", "merged_into__draw__task")
        .prefetch_related(_members(), "merged__draw__task")
    )
    if q := (params.get("q") or "").strip():
        code = uscc.normalise(q)
        if code.isalnum() and len(code) >= 6 and code.isascii():
            qs = qs.filter(Q(entity__uscc__startswith=code) | Q(entity__name__contains=q))
        else:
            qs = qs.filter(entity__name__contains=q)
    if stratum := params.get("stratum"):
        qs = qs.filter(stratum=stratum)
    if params.get("certain") in ("1", "0"):
        qs = qs.filter(certain=params["certain"] == "1")
    # the draw writes its visits in USCC order, so the id order is the USCC order without a
    # join and a sort over hundreds of thousands of rows
    return qs.order_by("id")


def team(visit: Visit) -> dict[str, list]:
    """{"inspectors": [Inspector], "experts": [Expert]} in slot order (prefetched members)."""
    members = sorted(visit.members.all(), key=lambda m: m.slot)
    return {
        "inspectors": [m.inspector for m in members if m.inspector_id],
        "experts": [m.expert for m in members if m.expert_id],
    }


def inspector_label(inspector) -> str:
    return f"{inspector.name}（{inspector.unit.short_name or inspector.unit.name}）"


def expert_label(expert) -> str:
    return f"{expert.name}（{expert.employer}）" if expert.employer else expert.name


def annotate_teams(visits) -> list[Visit]:
    """The visits as a list, each with .inspectors, .experts, .inspector_labels, .expert_labels
    and .stratum_text."""
    rows = list(visits)
    label = stratum_labeller()
    for v in rows:
        v.stratum_text = label(v.stratum)
        t = team(v)
        v.inspectors, v.experts = t["inspectors"], t["experts"]
        v.inspector_labels = [inspector_label(i) for i in v.inspectors]
        v.expert_labels = [expert_label(e) for e in v.experts]
    return rows


def overlaps(draw: Draw):
    """Visits of this draw whose entity another final draw also visits in an overlapping period."""
    task = draw.task
    start, end = task.window_start or task.check_date, task.window_end or task.check_date
    return (
        Visit.objects.filter(
            entity__visits__draw=draw, draw__status=Draw.Status.DRAWN, merged_into__isnull=True
        )
        .exclude(draw__task=task)
        # The other task's period, like this one's: its window, else its check date.
        .alias(
            other_start=Coalesce("draw__task__window_start", "draw__task__check_date"),
            other_end=Coalesce("draw__task__window_end", "draw__task__check_date"),
        )
        .filter(other_start__lte=end, other_end__gte=start)
        .select_related("entity", "draw__task")
    )


OVERLAPS_SHOWN = 100


def overlapping(draw: Draw, user) -> tuple[list[dict[str, Any]], int]:
    """overlaps(draw) that `user` may see, each with this draw's visit of the entity:
    ([{"other": Visit of another task, "mine": Visit of this draw, "merged": bool}], total);
    the first OVERLAPS_SHOWN only."""
    other = overlaps(draw).filter(pk__in=Visit.objects.restrict(user).values("pk"))
    total = other.count()
    other = list(other.order_by("entity_id", "draw__task__check_date", "pk")[:OVERLAPS_SHOWN])
    mine = {
        v.entity_id: v
        for v in Visit.objects.filter(draw=draw, entity_id__in=[o.entity_id for o in other])
    }
    out = []
    for o in other:
        m = mine.get(o.entity_id)
        if m is None:
            continue
        out.append({"other": o, "mine": m, "merged": m.merged_into_id == o.pk})
    return out, total


def entity_visits(entity: Entity, user) -> list[Visit]:
    """The entity's visits in final draws that `user` may see, newest first, with task, draw,
    team (.inspector_labels, .expert_labels), merge links and .draw_visible (may open the draw)."""
    visits = (
        Visit.objects.restrict(user)
        .filter(entity=entity, draw__status__in=FINAL)
        .select_related("draw", "draw__task", "merged_into__draw__task")
        .prefetch_related(_members(), "merged__draw__task")
        .order_by("-draw__task__check_date", "-draw__drawn_at", "-pk")
    )
    rows = annotate_teams(visits)
    visible = set(
        Draw.objects.restrict(user)
        .filter(pk__in={v.draw_id for v in rows})
        .values_list("pk", flat=True)
    )
    for v in rows:
        v.draw_visible = v.draw_id in visible
    return rows


# --- strata --------------------------------------------------------------------------------------


def stratum_labeller():
    """A function stratum code → Chinese label ("310101|C" → "黄浦区 · C类（较高风险）")."""
    names = dict(Unit.objects.filter(kind=Unit.Kind.DISTRICT).values_list("code", "short_name"))

    def label(code: str) -> str:
        if code in ("", P.ALL_POOL):
            return "全部"
        parts = []
        for part in code.split("|"):
            if part in RISK_LABELS:
                parts.append(RISK_LABELS[part])
            elif part == "-":
                parts.append("未分类")
            else:
                parts.append(names.get(part, part))
        return " · ".join(parts)

    return label


def pool_label(code: str, label=None) -> str:
    if code == P.ALL_POOL:
        return "全部检查人员（不分区）"
    return (label or stratum_labeller())(code)


def strata(draw: Draw) -> list[dict[str, Any]]:
    """Per stratum: population and number drawn at random; plus the certainty group as one row.

    From draw.counts (written by the engine when drawn); empty before the draw.
    """
    counts = draw.counts or {}
    population, drawn = counts.get("population") or {}, counts.get("drawn") or {}
    label = stratum_labeller()
    rows = [
        {
            "stratum": s,
            "label": label(s),
            "population": population.get(s, 0),
            "drawn": drawn.get(s, 0),
        }
        for s in sorted(set(population) | set(drawn))
    ]
    return rows


@dataclass
class Wizard:
    """What the task page's draw panel shows (see templates/sampling/task_panel.html)."""

    task: Any
    draws: list[Draw]
    can_change: bool = False
    can_edit_task: bool = False
    current: Draw | None = None  # the newest draw that is committed or drawn
    pending: Draw | None = None  # current, when still waiting to be drawn
    job: Job | None = None
    requires_entropy: bool = False
    ready: bool = False  # the draw button may be pressed
    entropy_form: Any = None  # set by the template tag for a pending draw
    labels: dict = field(default_factory=dict)


def wizard(task, user) -> Wizard:
    draws = list(
        Draw.objects.restrict(user)
        .filter(task=task)
        .select_related("created_by", "redraw_of")
        .order_by("-number")
    )
    for d in draws:
        d.unstaffed_rows = unstaffed_rows(d) if d.status == Draw.Status.INFEASIBLE else []
        d.superseded_by = next((x for x in draws if x.redraw_of_id == d.pk), None)
    w = Wizard(task=task, draws=draws)
    w.can_change = can_change(user, task)
    w.can_edit_task = can_edit(user, task)
    w.current = next(
        (d for d in draws if d.status in (Draw.Status.COMMITTED, Draw.Status.DRAWN)), None
    )
    w.requires_entropy = bool(
        w.current.requires_entropy
        if w.current
        else (task.definition or {}).get("requires_external_entropy")
    )
    if w.current is not None and w.current.status == Draw.Status.COMMITTED:
        w.pending = w.current
        w.job = running_job(w.current)
        w.ready = not (w.current.requires_entropy and not w.current.external_entropy)
    return w


UNSTAFFED_SHOWN = 50


def unstaffed_rows(draw: Draw) -> list[tuple[str, str, str]]:
    """(uscc, entity name, reason) of an infeasible draw, the first UNSTAFFED_SHOWN."""
    items = sorted((draw.unstaffed or {}).items())[:UNSTAFFED_SHOWN]
    names = dict(Entity.objects.filter(uscc__in=[k for k, _r in items]).values_list("uscc", "name"))
    return [(k, names.get(k, ""), reason) for k, reason in items]
