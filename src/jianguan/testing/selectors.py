"""Reads of the testing app, always through restrict(): the lists with their filters, the body's
file (一企一卷) and what the entity page shows.

List filters come from the query string; a value that is not one of the choices is ignored
(never an error page), as on every list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jianguan.registry.models import TESTING_FIELDS, Entity

from . import grades
from .models import (
    Appeal,
    Application,
    Assessment,
    BodyChange,
    BodyGrade,
    FollowUp,
    Grade,
    Handling,
    MonitoringPlan,
    MonitoringVisit,
    OnlineLead,
    PTResult,
    PTScheme,
    Qualification,
    QualificationEvent,
    Rectification,
    TargetedCheck,
    TypicalCase,
)


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _choice(qs: QuerySet, params: Mapping, key: str, field: str, allowed) -> QuerySet:
    value = params.get(key) or ""
    return qs.filter(**{field: value}) if value in allowed else qs


def _search(qs: QuerySet, params: Mapping, *fields: str, prefix: str = "entity__") -> QuerySet:
    """?q= on the body's name or USCC (and `fields`)."""
    q = (params.get("q") or "").strip()[:100]
    if not q:
        return qs
    cond = Q(**{f"{prefix}name__contains": q}) | Q(**{f"{prefix}uscc": q.upper()})
    for f in fields:
        cond |= Q(**{f"{f}__contains": q})
    return qs.filter(cond)


def _district(qs: QuerySet, params: Mapping, path: str = "entity__district") -> QuerySet:
    if (d := _int(params.get("district"))) is not None:
        return qs.filter(**{path: d})
    return qs


def _field(qs: QuerySet, params: Mapping, path: str) -> QuerySet:
    code = params.get("field") or ""
    if code in TESTING_FIELDS.by_code:
        return TESTING_FIELDS.filter(qs, path, [code])
    return qs


QUALIFICATION_FILTERS = ("q", "status", "route", "district", "field")


def qualification_list(user, params: Mapping) -> QuerySet[Qualification]:
    qs = Qualification.objects.restrict(user).select_related("entity", "entity__district")
    qs = _search(qs, params, "cert_no")
    qs = _choice(qs, params, "status", "status", Qualification.Status.values)
    qs = _choice(qs, params, "route", "route", ["commitment", "review"])
    qs = _field(qs, params, "fields")
    return _district(qs, params)


APPLICATION_FILTERS = ("q", "status", "district")


def application_list(user, params: Mapping) -> QuerySet[Application]:
    qs = Application.objects.restrict(user).select_related("entity", "entity__district")
    qs = _search(qs, params)
    qs = _choice(qs, params, "status", "status", Application.Status.values)
    return _district(qs, params)


CHANGE_FILTERS = ("q", "kind", "source", "district")


def change_list(user, params: Mapping) -> QuerySet[BodyChange]:
    qs = BodyChange.objects.restrict(user).select_related("entity", "entity__district")
    qs = _search(qs, params, "after")
    qs = _choice(qs, params, "kind", "kind", BodyChange.Kind.values)
    qs = _choice(qs, params, "source", "source", BodyChange.Source.values)
    return _district(qs, params)


FOLLOW_UP_FILTERS = ("q", "state", "method", "district", "year")
FOLLOW_UP_STATES = [
    ("pending", "待核查"),
    ("overdue", "已逾期未核查"),
    ("done", "已核查"),
    ("untrue", "承诺不实"),
]


def follow_up_list(user, params: Mapping) -> QuerySet[FollowUp]:
    today = timezone.localdate()
    qs = FollowUp.objects.restrict(user).select_related(
        "entity", "entity__district", "qualification", "task"
    )
    qs = _search(qs, params, "qualification__cert_no")
    qs = _choice(qs, params, "method", "method", FollowUp.Method.values)
    state = params.get("state") or ""
    if state == "pending":
        qs = qs.filter(outcome="")
    elif state == "overdue":
        qs = qs.filter(outcome="", due_on__lt=today)
    elif state == "done":
        qs = qs.exclude(outcome="")
    elif state == "untrue":
        qs = qs.filter(outcome=FollowUp.Outcome.UNTRUE)
    if (year := _int(params.get("year"))) is not None:
        qs = qs.filter(due_on__year=year)
    return _district(qs, params)


def monitoring_plans(user, params: Mapping) -> QuerySet[MonitoringPlan]:
    qs = MonitoringPlan.objects.restrict(user).select_related("district")
    if (year := _int(params.get("year"))) is not None:
        qs = qs.filter(year=year)
    return _district(qs, params, "district")


def plan_targets(user, plan: MonitoringPlan, params: Mapping):
    """The plan's bodies visible to `user`, each with its visits in the plan year."""
    qs = plan.targets.restrict(user).select_related("entity", "station")
    qs = _search(qs, params)
    state = params.get("state") or ""
    visited = MonitoringVisit.objects.filter(target=OuterRef("pk"))
    if state == "covered":
        qs = qs.filter(Exists(visited))
    elif state == "uncovered":
        qs = qs.exclude(Exists(visited))
    return qs


SCHEME_FILTERS = ("q", "year", "kind", "field")


def scheme_list(user, params: Mapping) -> QuerySet[PTScheme]:
    qs = PTScheme.objects.restrict(user)
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(number__contains=q) | Q(name__contains=q) | Q(provider__contains=q))
    if (year := _int(params.get("year"))) is not None:
        qs = qs.filter(year=year)
    qs = _choice(qs, params, "kind", "kind", PTScheme.Kind.values)
    return _choice(qs, params, "field", "field", list(TESTING_FIELDS.by_code))


RESULT_FILTERS = ("q", "scheme", "grade", "district", "year")


def result_list(user, params: Mapping) -> QuerySet[PTResult]:
    qs = PTResult.objects.restrict(user).select_related("entity", "entity__district", "scheme")
    qs = _search(qs, params, "scheme__number")
    if (scheme := _int(params.get("scheme"))) is not None:
        qs = qs.filter(scheme_id=scheme)
    qs = _choice(qs, params, "grade", "grade", Grade.values)
    if (year := _int(params.get("year"))) is not None:
        qs = qs.filter(scheme__year=year)
    return _district(qs, params)


RECTIFICATION_FILTERS = ("q", "status", "district")


def rectification_list(user, params: Mapping) -> QuerySet[Rectification]:
    qs = Rectification.objects.restrict(user).select_related(
        "entity", "entity__district", "result", "result__scheme", "handling"
    )
    qs = _search(qs, params)
    status = params.get("status") or ""
    if status == "overdue":
        qs = qs.filter(status=Rectification.Status.OPEN, due_on__lt=timezone.localdate())
    else:
        qs = _choice(qs, params, "status", "status", Rectification.Status.values)
    return _district(qs, params)


def appeal_list(user, params: Mapping) -> QuerySet[Appeal]:
    qs = Appeal.objects.restrict(user).select_related("entity", "result", "result__scheme")
    qs = _search(qs, params)
    state = params.get("state") or ""
    if state == "pending":
        qs = qs.filter(outcome="")
    elif state == "decided":
        qs = qs.exclude(outcome="")
    return _district(qs, params)


ASSESSMENT_FILTERS = ("q", "conclusion", "field", "district")


def assessment_list(user, params: Mapping) -> QuerySet[Assessment]:
    qs = Assessment.objects.restrict(user).select_related("entity", "entity__district")
    qs = _search(qs, params)
    qs = _choice(qs, params, "conclusion", "conclusion", Assessment.Conclusion.values)
    qs = _choice(qs, params, "field", "field", list(TESTING_FIELDS.by_code))
    return _district(qs, params)


GRADE_FILTERS = ("q", "grade", "district")


def grade_list(user, params: Mapping) -> QuerySet[BodyGrade]:
    qs = (
        BodyGrade.objects.restrict(user)
        .filter(current=True)
        .select_related("entity", "entity__district", "run")
    )
    qs = _search(qs, params)
    qs = _choice(qs, params, "grade", "grade", ["A", "B", "C", "D"])
    return _district(qs, params).order_by("grade", "entity__name")


LEAD_FILTERS = ("q", "status", "kind", "district")


def lead_list(user, params: Mapping) -> QuerySet[OnlineLead]:
    qs = OnlineLead.objects.restrict(user).select_related("district", "entity")
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(seller__contains=q) | Q(platform__contains=q) | Q(url__contains=q))
    qs = _choice(qs, params, "status", "status", OnlineLead.Status.values)
    qs = _choice(qs, params, "kind", "kind", OnlineLead.Kind.values)
    return _district(qs, params, "district")


def targeted_check_list(user, params: Mapping) -> QuerySet[TargetedCheck]:
    qs = TargetedCheck.objects.restrict(user).select_related("entity", "lead", "violation")
    qs = _search(qs, params)
    state = params.get("state") or ""
    if state == "pending":
        qs = qs.filter(result="")
    elif state == "violation":
        qs = qs.filter(result=TargetedCheck.Result.VIOLATION)
    return _district(qs, params)


HANDLING_FILTERS = ("q", "measure", "source", "district")


def handling_list(user, params: Mapping) -> QuerySet[Handling]:
    qs = Handling.objects.restrict(user).select_related("entity", "entity__district", "violation")
    qs = _search(qs, params, "decision_no", "case_ref")
    qs = _choice(qs, params, "measure", "measure", Handling.Measure.values)
    qs = _choice(qs, params, "source", "source", Handling.Source.values)
    return _district(qs, params)


# --- one body ---------------------------------------------------------------------------------


def current_qualification(entity: Entity) -> Qualification | None:
    return (
        Qualification.objects.filter(entity=entity, status__in=Qualification.IN_FORCE).first()
        or Qualification.objects.filter(entity=entity).order_by("-issued_on", "-id").first()
    )


def current_grade(entity: Entity) -> BodyGrade | None:
    return (
        BodyGrade.objects.filter(entity=entity, current=True)
        .select_related("run", "run__model")
        .first()
    )


def body_file(user, entity: Entity) -> dict:
    """一企一卷: everything known about one body, for its printable file and its entity page.
    Every part is read through restrict(user)."""

    def mine(model):
        return model.objects.restrict(user).filter(entity=entity)

    grade = current_grade(entity)
    quals = list(mine(Qualification).order_by("-issued_on"))
    return {
        "entity": entity,
        "qualification": current_qualification(entity),
        "qualifications": quals,
        "events": list(
            QualificationEvent.objects.restrict(user)
            .filter(qualification__entity=entity)
            .select_related("qualification")
            .order_by("on", "id")
        ),
        "applications": list(mine(Application)),
        "changes": list(mine(BodyChange)),
        "follow_ups": list(mine(FollowUp).select_related("qualification", "task")),
        "visits": list(mine(MonitoringVisit).select_related("target__plan")),
        "pt_results": list(mine(PTResult).select_related("scheme")),
        "rectifications": list(mine(Rectification).select_related("result__scheme", "handling")),
        "appeals": list(mine(Appeal).select_related("result__scheme")),
        "assessments": list(mine(Assessment)),
        "grade": grade,
        "grade_explained": grades.explain(grade) if grade else None,
        "grade_history": list(
            BodyGrade.objects.restrict(user)
            .filter(entity=entity)
            .select_related("run")
            .order_by("-run_id")[:12]
        ),
        "checks": list(mine(TargetedCheck).select_related("violation", "lead")),
        "handlings": list(mine(Handling).select_related("violation")),
        "today": timezone.localdate(),
    }


def published_cases() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(
        published=True, published_on__lte=timezone.localdate()
    ).select_related("violation")


def pt_window(day: dt.date, months: int = 12) -> dt.date:
    """The first day of the window in which PT outcomes raise a body's chance of being drawn."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def boost_text(entity: Entity, today: dt.date | None = None) -> str:
    """What the body's PT record does to its chance of being drawn, in words."""
    today = today or timezone.localdate()
    since = pt_window(today)
    recent = PTResult.objects.filter(entity=entity, reported_on__gt=since, reported_on__lte=today)
    missed = recent.filter(grade=Grade.MISSED).order_by("-reported_on").first()
    parts = []
    if missed is not None:
        parts.append(
            f"近12个月内未参加强制能力验证（{missed.reported_on:%Y-%m-%d}，{missed.scheme.number}）："
            "抽查任务规定“未参加能力验证按某类抽取”时，按该类的比例抽取，提高被抽中的概率"
        )
    if not parts:
        return "近12个月内没有未参加能力验证的记录：抽取概率不因能力验证而提高。"
    return "；".join(parts) + "。各任务对本机构适用的规则见“信用风险分类”一节。"


def missed_pt(since: dt.date, day: dt.date) -> Q:
    """Entities that missed a proficiency test reported in (since, day]: the draw's "missed_pt"
    condition (registered in `TestingConfig.ready`, see `sampling.conditions`)."""
    missed = PTResult.objects.filter(
        entity=OuterRef("pk"), grade=Grade.MISSED, reported_on__gt=since, reported_on__lte=day
    )
    return Q(Exists(missed))
