"""Writes of the testing app (except proficiency testing and grades: proficiency.py, grades.py):
qualifications and applications, tracked changes, commitment follow-up, risk monitoring,
capability assessments, online leads and targeted checks, legal handling, typical cases.

Keyword-only, atomic, `full_clean()` before save, an audit event in the same transaction;
every write checks the body (or district) is within the user's jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.services import apply, require, require_unit, snapshot
from jianguan.core.validators import not_in_future
from jianguan.personnel.models import Expert
from jianguan.registry.models import (
    DOMAINS,
    KEY_TESTING_FIELDS,
    TESTING_FIELDS,
    Entity,
    TestingBody,
)
from jianguan.sampling.models import Draw, VisitMember

from .models import (
    BAR_YEARS,
    FOLLOW_UP_MONTHS,
    MIN_EXPERTS,
    VALID_YEARS,
    Application,
    Assessment,
    BodyChange,
    FollowUp,
    Handling,
    MonitoringPlan,
    MonitoringSummary,
    MonitoringTarget,
    MonitoringVisit,
    OnlineLead,
    Qualification,
    QualificationEvent,
    TargetedCheck,
    TypicalCase,
    add_months,
    add_years,
)
from .permissions import is_city, may_monitor

S = Qualification.Status
TESTING = DOMAINS.by_code["testing_body"]


def _require_body(user, entity: Entity, action: str = CHANGE) -> None:
    """The entity is a testing body the user may act on (user None: the command line)."""
    if not entity.domains & TESTING:
        raise ValidationError(_("该主体的监管领域不含“检验检测机构”"))
    if user is not None:
        require(user, action, entity)


def _model_allowed(user, action: str, model) -> None:
    if user is not None and not allowed(user, action, model):
        raise PermissionDenied(_("您没有此项操作的权限"))


def _saved(user, obj, fields: list[str], before: dict | None = None, note: str = "") -> None:
    """full_clean, save, and the audit event (create when `before` is None)."""
    obj.full_clean()
    obj.save()
    after = snapshot(obj, fields)
    action = "create" if before is None else "update"
    changes = audit.diff(before or {}, after)
    if before is None or changes:
        audit.record(user, action, obj, changes=changes, note=note)


# --- qualifications -------------------------------------------------------------------------------

QUALIFICATION_FIELDS = [
    "cert_no",
    "scope",
    "fields",
    "issued_on",
    "expires_on",
    "route",
    "status",
    "status_on",
    "false_commitment",
    "bar_until",
]
# Which status may follow which (撤销、注销、过期 end a certificate).
TRANSITIONS = {
    S.VALID: {S.SUSPENDED, S.REVOKED, S.CANCELLED, S.EXPIRED},
    S.SUSPENDED: {S.VALID, S.REVOKED, S.CANCELLED, S.EXPIRED},
}


def default_expiry(issued_on: dt.date) -> dt.date:
    """Valid 6 years: the day before the 6th anniversary of issue."""
    return add_years(issued_on, VALID_YEARS) - dt.timedelta(days=1)


def bar_in_force(entity: Entity, *, day: dt.date) -> Qualification | None:
    """The revocation for a false commitment that still bars `entity` on `day`, if any."""
    return (
        Qualification.objects.filter(entity=entity, false_commitment=True, bar_until__gt=day)
        .order_by("-bar_until")
        .first()
    )


def _check_bar(entity: Entity, day: dt.date, field: str) -> None:
    barred = bar_in_force(entity, day=day)
    if barred is not None:
        raise ValidationError(
            {
                field: _(
                    "该机构因虚假承诺于 %(on)s 被撤销资质认定（证书 %(cert)s），"
                    "%(until)s 前不得再次申请（三年内）"
                )
                % {
                    "on": barred.status_on.isoformat(),
                    "cert": barred.cert_no,
                    "until": barred.bar_until.isoformat(),
                }
            }
        )


def sync_roster(entity: Entity) -> None:
    """The roster's testing-body data (registry.TestingBody) follows the register: the
    certificate in force, or else the latest one."""
    q = (
        Qualification.objects.filter(entity=entity, status__in=Qualification.IN_FORCE).first()
        or Qualification.objects.filter(entity=entity).order_by("-issued_on", "-id").first()
    )
    if q is None:
        return
    body, _created = TestingBody.objects.get_or_create(entity=entity)
    body.cert_no = q.cert_no
    body.scope = q.scope
    body.cert_issued_on = q.issued_on
    body.cert_expires_on = q.expires_on
    body.by_commitment = q.route == "commitment"
    body.fields = q.fields | body.fields if body.fields else q.fields
    body.save()


@transaction.atomic
def qualification_grant(
    *, user, entity: Entity, data: dict[str, Any], application: Application | None = None
) -> Qualification:
    """Record a certificate granted (资质认定): the status history starts, the roster follows,
    and a body approved on commitment gets its follow-up."""
    _model_allowed(user, ADD, Qualification)
    _require_body(user, entity)
    Entity.objects.select_for_update().filter(pk=entity.pk).first()  # one grant at a time
    q = Qualification(entity=entity)
    apply(q, data)
    if q.issued_on and not q.expires_on:
        q.expires_on = default_expiry(q.issued_on)
    if q.issued_on:
        _check_bar(entity, q.issued_on, "issued_on")
    if Qualification.objects.filter(entity=entity, status__in=Qualification.IN_FORCE).exists():
        raise ValidationError(
            _("该机构已有有效（或暂停）的资质认定证书，请先办理原证书的注销、撤销或过期")
        )
    q.status, q.status_on = S.VALID, q.issued_on
    _saved(user, q, QUALIFICATION_FIELDS, note=_("资质认定登记"))
    QualificationEvent.objects.create(
        qualification=q,
        status_to=S.VALID,
        on=q.issued_on,
        reason=_("准予资质认定（%(r)s）") % {"r": q.get_route_display()},
        recorded_by=_person(user),
    )
    sync_roster(entity)
    if q.route == "commitment":
        _open_follow_up(user, q)
    return q


def _person(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def qualification_status(
    *,
    user,
    qualification: Qualification,
    status: str,
    on: dt.date,
    reason: str,
    decision_no: str = "",
    false_commitment: bool = False,
) -> Qualification:
    """A status change with its date and reason. Revocation is the city's (seed 001 §二(一)1:
    市局实施撤销资质认定证书等能力罚); revoked for a false commitment, the body may not apply
    again for 3 years."""
    _model_allowed(user, CHANGE, Qualification)
    if user is not None:
        require(user, CHANGE, qualification)
    q = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if status not in TRANSITIONS.get(q.status, set()):
        raise ValidationError(
            {
                "status": _("证书当前为“%(a)s”，不能变更为“%(b)s”")
                % {"a": q.get_status_display(), "b": S(status).label}
            }
        )
    if status == S.REVOKED and not is_city(user):
        raise PermissionDenied(_("撤销资质认定由市局决定"))
    if status == S.REVOKED and not decision_no.strip():
        raise ValidationError({"decision_no": _("撤销资质认定须填写决定书文号")})
    if false_commitment and status != S.REVOKED:
        raise ValidationError({"false_commitment": _("只有撤销资质认定时才能选择“因虚假承诺撤销”")})
    if on < q.status_on:
        raise ValidationError({"on": _("日期不能早于上次状态变更（%s）") % q.status_on})
    not_in_future(on, label=_("日期"), field="on")
    if not reason.strip():
        raise ValidationError({"reason": _("请填写事由")})
    before = snapshot(q, QUALIFICATION_FIELDS)
    old = q.status
    q.status, q.status_on = status, on
    if false_commitment:
        q.false_commitment, q.bar_until = True, add_years(on, BAR_YEARS)
    _saved(user, q, QUALIFICATION_FIELDS, before, note=reason)
    QualificationEvent.objects.create(
        qualification=q,
        status_from=old,
        status_to=status,
        on=on,
        reason=reason.strip(),
        decision_no=decision_no.strip(),
        recorded_by=_person(user),
    )
    sync_roster(q.entity)
    return q


def expire_due(today: dt.date | None = None) -> int:
    """Certificates past their expiry become 过期 (the scheduled daily work); returns how many."""
    today = today or timezone.localdate()
    n = 0
    for q in Qualification.objects.filter(status__in=Qualification.IN_FORCE, expires_on__lt=today):
        qualification_status(
            user=None,
            qualification=q,
            status=S.EXPIRED,
            on=max(q.expires_on + dt.timedelta(days=1), q.status_on),
            reason=_("有效期届满"),
        )
        n += 1
    return n


@transaction.atomic
def application_record(*, user, entity: Entity, data: dict[str, Any]) -> Application:
    """Receive an application; refused while a 3-year bar is in force."""
    _model_allowed(user, ADD, Application)
    _require_body(user, entity)
    app = Application(entity=entity, recorded_by=_person(user))
    apply(app, data)
    if app.received_on:
        not_in_future(app.received_on, label=_("受理日期"), field="received_on")
        _check_bar(entity, app.received_on, "received_on")
    _saved(user, app, ["received_on", "route", "scope", "fields", "status"])
    return app


@transaction.atomic
def application_decide(
    *,
    user,
    application: Application,
    approve: bool,
    decided_on: dt.date,
    note: str = "",
    cert: dict[str, Any] | None = None,
) -> Application:
    """准予 (grants the certificate; on commitment the follow-up opens) or 不予许可."""
    if user is not None:
        require(user, CHANGE, application)
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status != Application.Status.PENDING:
        raise ValidationError(_("该申请已办结"))
    if decided_on < app.received_on:
        raise ValidationError({"decided_on": _("决定日期不能早于受理日期")})
    before = snapshot(app, ["status", "decided_on", "decision_note"])
    if approve:
        data = {
            "scope": app.scope,
            "fields": app.fields,
            "route": app.route,
            "issued_on": decided_on,
            **(cert or {}),
        }
        app.qualification = qualification_grant(user=user, entity=app.entity, data=data)
        app.status = Application.Status.APPROVED
    else:
        app.status = Application.Status.REFUSED
    app.decided_on, app.decision_note = decided_on, note
    _saved(user, app, ["status", "decided_on", "decision_note"], before)
    return app


# --- tracked changes --------------------------------------------------------------------------

CHANGE_FIELDS = ["kind", "before", "after", "changed_on", "source", "note"]


@transaction.atomic
def change_record(*, user, entity: Entity, data: dict[str, Any]) -> BodyChange:
    _model_allowed(user, ADD, BodyChange)
    _require_body(user, entity)
    change = BodyChange(entity=entity, recorded_by=_person(user))
    apply(change, data)
    not_in_future(change.changed_on, label=_("变更日期"), field="changed_on")
    _saved(user, change, CHANGE_FIELDS)
    return change


# --- commitment follow-up ---------------------------------------------------------------------

FOLLOW_UP_FIELDS = [
    "method",
    "due_on",
    "checked_on",
    "findings",
    "outcome",
    "rectify_by",
    "rectified_on",
    "experts_present",
]


def _open_follow_up(user, q: Qualification) -> FollowUp:
    """On site for a key field or a first certificate; documents otherwise. Due 3 months after
    approval either way (seed 001 §三(一))."""
    first = not Qualification.objects.filter(entity=q.entity).exclude(pk=q.pk).exists()
    key = q.fields & TESTING_FIELDS.mask(KEY_TESTING_FIELDS)
    method = FollowUp.Method.ONSITE if (first or key) else FollowUp.Method.DOCUMENT
    f = FollowUp(
        qualification=q,
        entity=q.entity,
        method=method,
        due_on=add_months(q.issued_on, FOLLOW_UP_MONTHS),
    )
    _saved(user, f, ["method", "due_on"], note=_("告知承诺取得资质认定，自动安排后续核查"))
    return f


def drawn_experts(follow_up: FollowUp) -> list:
    """The experts the follow-up's draw assigned (its task's draw in force), in slot order."""
    if follow_up.task_id is None:
        return []
    draw = (
        Draw.objects.filter(task_id=follow_up.task_id, status=Draw.Status.DRAWN)
        .order_by("-number")
        .first()
    )
    if draw is None:
        return []
    ids = list(
        VisitMember.objects.filter(visit__draw=draw, expert__isnull=False)
        .order_by("slot")
        .values_list("expert_id", flat=True)
    )
    experts = Expert.objects.in_bulk(ids)
    return [experts[i] for i in ids if i in experts]


@transaction.atomic
def follow_up_method(*, user, follow_up: FollowUp, method: str) -> FollowUp:
    if user is not None:
        require(user, CHANGE, follow_up)
    f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if f.done or f.task_id:
        raise ValidationError(_("已抽取专家或已核查的，不能再改变核查方式"))
    before = snapshot(f, ["method"])
    f.method = method
    _saved(user, f, ["method"], before)
    return f


@transaction.atomic
def follow_up_record(*, user, follow_up: FollowUp, data: dict[str, Any], experts=()) -> FollowUp:
    """The check's record: on site by at least 2 of the drawn experts (confidentiality pledge and
    employer conflict already ruled out by the draw); the outcome."""
    if user is not None:
        require(user, CHANGE, follow_up)
    f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if f.done:
        raise ValidationError(_("该核查已有结论"))
    before = snapshot(f, FOLLOW_UP_FIELDS)
    apply(f, data)
    errors: dict[str, str] = {}
    if not f.outcome:
        errors["outcome"] = _("请选择核查结论")
    if f.checked_on is None:
        errors["checked_on"] = _("请填写核查日期")
    elif f.checked_on < f.qualification.issued_on:
        errors["checked_on"] = _("核查日期不能早于资质认定发证日期")
    elif f.checked_on > timezone.localdate():
        errors["checked_on"] = _("核查日期不能晚于今天")
    if f.method == FollowUp.Method.ONSITE:
        drawn = {e.pk for e in drawn_experts(f)}
        chosen = {e.pk for e in experts}
        if len(drawn) < MIN_EXPERTS:
            errors["experts_present"] = _("现场核查须先抽取至少 %d 名技术专家") % MIN_EXPERTS
        elif not chosen <= drawn:
            errors["experts_present"] = _("到场专家须为本次抽取的专家")
        elif len(chosen) < MIN_EXPERTS:
            errors["experts_present"] = _("现场核查须至少 %d 名技术专家到场") % MIN_EXPERTS
    if f.outcome == FollowUp.Outcome.RECTIFY and not f.rectify_by:
        errors["rectify_by"] = _("责令整改的，请填写整改期限")
    if errors:
        raise ValidationError(errors)
    f.recorded_by, f.recorded_at = _person(user), timezone.now()
    f.full_clean()
    f.save()
    f.experts_present.set(list(experts))
    audit.record(user, "update", f, changes=audit.diff(before, snapshot(f, FOLLOW_UP_FIELDS)))
    return f


@transaction.atomic
def follow_up_rectified(*, user, follow_up: FollowUp, on: dt.date) -> FollowUp:
    if user is not None:
        require(user, CHANGE, follow_up)
    f = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if f.outcome != FollowUp.Outcome.RECTIFY or f.rectified_on:
        raise ValidationError(_("该核查不在整改中"))
    if on < f.checked_on or on > timezone.localdate():
        raise ValidationError({"on": _("整改完成日期应在核查日期与今天之间")})
    before = snapshot(f, ["rectified_on"])
    f.rectified_on = on
    _saved(user, f, ["rectified_on"], before)
    return f


# --- risk monitoring --------------------------------------------------------------------------


def district_bodies(district):
    """Every testing body of the district that is in business (the plan's coverage)."""
    return Entity.objects.filter(
        district=district, status=Entity.Status.ACTIVE, testing_body__isnull=False
    )


@transaction.atomic
def monitoring_plan_create(
    *, user, district, year: int, title: str, note: str = ""
) -> MonitoringPlan:
    """The district's yearly plan, covering every body of the district."""
    _model_allowed(user, ADD, MonitoringPlan)
    if user is not None:
        require_unit(user, ADD, district, "district")
    if MonitoringPlan.objects.filter(district=district, year=year).exists():
        raise ValidationError(
            {"year": _("%(d)s %(y)d 年度的风险监测计划已存在") % {"d": district.name, "y": year}}
        )
    plan = MonitoringPlan(
        district=district, year=year, title=title, note=note, created_by=_person(user)
    )
    _saved(user, plan, ["district", "year", "title", "note"])
    added = _add_targets(plan)
    audit.record(
        user, "update", plan, note=_("纳入监测对象 %d 家（辖区内全部检验检测机构）") % added
    )
    return plan


def _add_targets(plan: MonitoringPlan) -> int:
    known = set(plan.targets.values_list("entity_id", flat=True))
    rows = [
        MonitoringTarget(plan=plan, entity_id=pk, station_id=station)
        for pk, station in district_bodies(plan.district).values_list("pk", "station_id")
        if pk not in known
    ]
    MonitoringTarget.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def monitoring_plan_refresh(*, user, plan: MonitoringPlan) -> int:
    """Bodies registered in the district since the plan was made join it."""
    if user is not None:
        require(user, CHANGE, plan)
    added = _add_targets(plan)
    if added:
        audit.record(user, "update", plan, note=_("新增监测对象 %d 家") % added)
    return added


VISIT_FIELDS = ["visited_on", "staff", "site", "equipment", "compliance", "findings", "inspectors"]


@transaction.atomic
def monitoring_visit_record(
    *, user, target: MonitoringTarget, data: dict[str, Any], changes: list[dict] = ()
) -> MonitoringVisit:
    """A visit; changes found that the body had not reported are recorded as tracked changes
    (source 风险监测发现)."""
    if user is not None and not may_monitor(user, target):
        raise PermissionDenied(_("只有负责该机构的所队人员或区局管理员可以录入风险监测"))
    visit = MonitoringVisit(target=target, entity=target.entity, recorded_by=_person(user))
    apply(visit, data)
    if visit.visited_on:
        if visit.visited_on.year != target.plan.year:
            raise ValidationError(
                {"visited_on": _("监测日期不在计划年度 %d 年内") % target.plan.year}
            )
        not_in_future(visit.visited_on, label=_("监测日期"), field="visited_on")
    _saved(user, visit, VISIT_FIELDS)
    for change in changes:
        change_record(
            user=user,
            entity=target.entity,
            data={**change, "source": BodyChange.Source.MONITORING},
        )
    return visit


@transaction.atomic
def monitoring_summary_issue(
    *, user, title: str, start: dt.date, end: dt.date, note: str = ""
) -> MonitoringSummary:
    """The city's regular summary of the districts' monitoring (定期汇总并通报): the figures of
    the period are frozen in the summary."""
    from . import reports

    if not is_city(user):
        raise PermissionDenied(_("风险监测通报由市局发布"))
    if end < start:
        raise ValidationError({"period_end": _("截止日期不能早于起始日期")})
    summary = MonitoringSummary(
        title=title,
        period_start=start,
        period_end=end,
        note=note,
        issued_on=timezone.localdate(),
        figures=reports.monitoring_figures(start, end),
        created_by=_person(user),
    )
    _saved(user, summary, ["title", "period_start", "period_end", "note", "issued_on"])
    return summary


# --- capability assessment --------------------------------------------------------------------

ASSESSMENT_FIELDS = [
    "held_on",
    "field",
    "exam_score",
    "practical_score",
    "equipment",
    "site",
    "reports",
    "system",
    "findings",
    "conclusion",
    "rectify_by",
    "rectified_on",
    "experts",
]


@transaction.atomic
def assessment_record(*, user, entity: Entity, data: dict[str, Any], experts=()) -> Assessment:
    _model_allowed(user, ADD, Assessment)
    _require_body(user, entity)
    a = Assessment(entity=entity, recorded_by=_person(user))
    apply(a, data)
    not_in_future(a.held_on, label=_("考核日期"), field="held_on")
    a.full_clean()
    a.save()
    a.experts.set(list(experts))
    audit.record(user, "create", a, changes=audit.diff({}, snapshot(a, ASSESSMENT_FIELDS)))
    return a


@transaction.atomic
def assessment_rectified(*, user, assessment: Assessment, on: dt.date) -> Assessment:
    if user is not None:
        require(user, CHANGE, assessment)
    a = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if a.conclusion == Assessment.Conclusion.PASS or a.rectified_on:
        raise ValidationError(_("该考核不在整改中"))
    if on < a.held_on or on > timezone.localdate():
        raise ValidationError({"on": _("整改完成日期应在考核日期与今天之间")})
    before = snapshot(a, ["rectified_on"])
    a.rectified_on = on
    _saved(user, a, ["rectified_on"], before)
    return a


# --- online leads, targeted checks, legal handling --------------------------------------------

LEAD_FIELDS = [
    "district",
    "platform",
    "url",
    "seller",
    "entity",
    "kind",
    "evidence",
    "found_on",
    "status",
]


@transaction.atomic
def lead_record(*, user, data: dict[str, Any]) -> OnlineLead:
    _model_allowed(user, ADD, OnlineLead)
    lead = OnlineLead(recorded_by=_person(user))
    apply(lead, data)
    if user is not None:
        require_unit(user, ADD, lead.district, "district")
        if lead.entity_id:
            require(user, "view", lead.entity)
    not_in_future(lead.found_on, label=_("发现日期"), field="found_on")
    _saved(user, lead, LEAD_FIELDS)
    return lead


@transaction.atomic
def lead_to_check(*, user, lead: OnlineLead, entity: Entity, due_on: dt.date) -> TargetedCheck:
    """Turn a lead into a targeted check of the body it names."""
    if user is not None:
        require(user, CHANGE, lead)
        require(user, CHANGE, entity)
    lead = OnlineLead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != OnlineLead.Status.NEW:
        raise ValidationError(_("该线索已处理"))
    if due_on <= timezone.localdate():
        raise ValidationError({"due_on": _("完成期限应晚于今天")})
    check = TargetedCheck(
        lead=lead,
        entity=entity,
        reason=_("网络平台监测线索：%(k)s（%(p)s）")
        % {"k": lead.get_kind_display(), "p": lead.platform},
        due_on=due_on,
    )
    _saved(user, check, ["entity", "reason", "due_on"])
    before = snapshot(lead, ["status", "entity"])
    lead.status, lead.entity = OnlineLead.Status.CHECK, entity
    _saved(user, lead, ["status", "entity"], before)
    return check


@transaction.atomic
def lead_close(*, user, lead: OnlineLead, status: str, note: str) -> OnlineLead:
    if user is not None:
        require(user, CHANGE, lead)
    lead = OnlineLead.objects.select_for_update().get(pk=lead.pk)
    if lead.status != OnlineLead.Status.NEW:
        raise ValidationError(_("该线索已处理"))
    if status not in (OnlineLead.Status.CLOSED, OnlineLead.Status.TRANSFERRED):
        raise ValidationError({"status": _("请选择办结方式")})
    if not note.strip():
        raise ValidationError({"closing_note": _("请填写办结说明")})
    before = snapshot(lead, ["status", "closing_note"])
    lead.status, lead.closing_note = status, note.strip()
    _saved(user, lead, ["status", "closing_note"], before)
    return lead


CHECK_FIELDS = ["checked_on", "result", "violation", "findings", "inspectors"]


@transaction.atomic
def targeted_check_record(*, user, check: TargetedCheck, data: dict[str, Any]) -> TargetedCheck:
    if user is not None:
        require(user, CHANGE, check)
    c = TargetedCheck.objects.select_for_update().get(pk=check.pk)
    if c.result:
        raise ValidationError(_("该检查已有结果"))
    before = snapshot(c, CHECK_FIELDS)
    apply(c, data)
    if not c.result:
        raise ValidationError({"result": _("请选择检查结果")})
    if c.result == TargetedCheck.Result.VIOLATION and not c.violation_id:
        raise ValidationError({"violation": _("发现违法行为的，请选择违法行为")})
    if c.result == TargetedCheck.Result.NO_PROBLEM:
        c.violation = None
    if not c.checked_on or c.checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("请填写不晚于今天的检查日期")})
    _saved(user, c, CHECK_FIELDS, before)
    return c


HANDLING_FIELDS = [
    "source",
    "violation",
    "measure",
    "other_law",
    "fine_yuan",
    "decided_on",
    "decision_no",
    "case_ref",
    "facts",
    "public",
]


@transaction.atomic
def handling_record(*, user, entity: Entity, data: dict[str, Any]) -> Handling:
    """A legal handling. A penalty for a violation whose rule sets a fine (39号令 art. 26: 3万元
    where no other law or regulation sets one) takes that fine unless another law is named."""
    _model_allowed(user, ADD, Handling)
    _require_body(user, entity)
    h = Handling(entity=entity, recorded_by=_person(user))
    apply(h, data)
    if h.measure == Handling.Measure.PENALTY:
        rule = h.violation.fine(h.other_law) if h.violation_id else None
        if h.fine_yuan is None:
            h.fine_yuan = rule
        elif rule is not None and h.fine_yuan != rule:
            raise ValidationError(
                {
                    "fine_yuan": _(
                        "%(v)s：法律、法规未另作规定的，罚款为 %(f)s 元（%(b)s）；"
                        "如适用其他法律法规，请在“其他法律法规的处罚规定”中写明"
                    )
                    % {"v": h.violation.name, "f": f"{rule:,.0f}", "b": h.violation.penalty_basis}
                }
            )
        if not h.decision_no:
            raise ValidationError({"decision_no": _("行政处罚须填写决定书文号")})
    elif h.fine_yuan:
        raise ValidationError({"fine_yuan": _("只有行政处罚才有罚款金额")})
    _saved(user, h, HANDLING_FIELDS)
    return h


# --- typical cases ------------------------------------------------------------------------------

CASE_FIELDS = [
    "title",
    "entity_name",
    "violation",
    "summary",
    "outcome",
    "published_on",
    "published",
]


@transaction.atomic
def typical_case_save(
    *, user, data: dict[str, Any], case: TypicalCase | None = None
) -> TypicalCase:
    _model_allowed(user, ADD if case is None else CHANGE, TypicalCase)
    before = None if case is None else snapshot(case, CASE_FIELDS)
    case = case or TypicalCase(created_by=_person(user))
    apply(case, data)
    _saved(user, case, CASE_FIELDS, before)
    return case
