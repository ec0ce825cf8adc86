"""Writes to the credit lists: validated, scoped, audited, atomic (one AuditEvent per change,
in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import ADD, CHANGE
from jianguan.core.services import apply, require, require_unit, snapshot
from jianguan.registry.models import Entity
from jianguan.workdays.selectors import schedule

from . import clocks
from .models import (
    LISTING_UNIT_KINDS,
    AbnormalListing,
    AbnormalObjection,
    CreditCommitment,
    CreditRepair,
    SeriousListing,
)
from .permissions import may_decide

ABNORMAL_FIELDS = [
    "entity",
    "reason",
    "trigger_date",
    "listed_on",
    "decided_by",
    "decision_no",
    "note",
    "status",
    "cured_on",
    "removed_on",
    "removal_reason",
    "removal_decision_no",
    "escalated_to",
]
OBJECTION_FIELDS = ["filed_on", "content", "outcome", "decided_on", "reply"]
SERIOUS_FIELDS = [
    "entity",
    "category",
    "violation",
    "penalty_decision_no",
    "penalty_on",
    "listed_by",
    "notice_on",
    "defence_received_on",
    "defence_outcome",
    "defence_decided_on",
    "listed_on",
    "decision_no",
    "published_on",
    "expires_on",
    "note",
    "status",
    "removed_on",
    "removal_reason",
    "removal_note",
]
REPAIR_FIELDS = [
    "applied_on",
    "obligations_met",
    "harm_removed",
    "no_new_penalty",
    "evidence",
    "outcome",
    "decided_on",
    "decision_note",
]
COMMITMENT_FIELDS = ["entity", "kind", "content", "signed_on", "status", "status_on", "note"]


def _write(user, obj, fields: list[str], before: dict, note: str = "") -> None:
    """full_clean, save, and record what changed (create when there was nothing before)."""
    obj.full_clean()
    obj.save()
    if changes := audit.diff(before, snapshot(obj, fields)):
        audit.record(user, "update" if before else "create", obj, changes=changes, note=note)


def _locked(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _check_place(user, entity: Entity | None, unit, field: str) -> None:
    """A listing is made on an entity in the user's reach, by the city or the entity's district."""
    if entity is None or not Entity.objects.restrict(user, ADD).filter(pk=entity.pk).exists():
        raise ValidationError({"entity": _("该市场主体不在您的管辖范围内")})
    if unit is None:
        return
    require_unit(user, ADD, unit, field)
    if unit.kind not in LISTING_UNIT_KINDS or (
        unit.kind == "district" and unit.pk != entity.district_id
    ):
        raise ValidationError({field: _("决定机关应为市局或该主体所属区局")})


def _require_decider(user, listing: SeriousListing) -> None:
    require(user, CHANGE, listing)
    if not may_decide(user, listing):
        raise PermissionDenied(
            _("严重违法失信名单由列入机关（%(unit)s）或市局移出（谁列入、谁移出）")
            % {"unit": listing.listed_by.name}
        )


# --- 经营异常名录 -------------------------------------------------------------------------------


@transaction.atomic
def abnormal_create(*, user, data: dict[str, Any]) -> AbnormalListing:
    listing = AbnormalListing(status=AbnormalListing.Status.LISTED)
    apply(listing, data)
    _check_place(user, listing.entity, listing.decided_by, "decided_by")
    same = AbnormalListing.objects.filter(
        entity=listing.entity, reason=listing.reason, status=AbnormalListing.Status.LISTED
    ).first()
    if same is not None:
        raise ValidationError(
            _("该主体已因“%(reason)s”列入经营异常名录（%(day)s），不能重复列入")
            % {"reason": same.get_reason_display(), "day": f"{same.listed_on:%Y-%m-%d}"}
        )
    note = ""
    if listing.trigger_date and listing.listed_on:
        due = clocks.listing_due(listing.trigger_date, schedule())
        if listing.listed_on > due.date:
            note = _("逾期列入：应于 %(d)s 前作出列入决定（事由发生后10个工作日内）") % {
                "d": f"{due.date:%Y-%m-%d}"
            }
    _write(user, listing, ABNORMAL_FIELDS, {}, note)
    return listing


@transaction.atomic
def abnormal_cure(*, user, listing: AbnormalListing, cured_on: dt.date) -> AbnormalListing:
    """The cause is cured (annual report filed, information published, reachable again): the
    5-working-day removal clock starts."""
    require(user, CHANGE, listing)
    listing = _locked(listing)
    if not listing.is_active:
        raise ValidationError(_("该主体已移出经营异常名录"))
    before = snapshot(listing, ABNORMAL_FIELDS)
    listing.cured_on = cured_on
    _write(user, listing, ABNORMAL_FIELDS, before)
    return listing


@transaction.atomic
def abnormal_remove(*, user, listing: AbnormalListing, data: dict[str, Any]) -> AbnormalListing:
    """data: removed_on, removal_reason, removal_decision_no, and cured_on when newly known."""
    require(user, CHANGE, listing)
    listing = _locked(listing)
    if not listing.is_active:
        raise ValidationError(_("该主体已移出经营异常名录"))
    before = snapshot(listing, ABNORMAL_FIELDS)
    data = dict(data)
    if data.get("cured_on") is None:
        data.pop("cured_on", None)  # keep a cure date recorded earlier
    apply(listing, data)
    listing.status = AbnormalListing.Status.REMOVED
    note = ""
    if listing.cured_on and listing.removed_on:
        due = clocks.removal_due(listing.cured_on, schedule())
        if listing.removed_on > due.date:
            note = _("逾期移出：应于 %(d)s 前作出移出决定（事由消除后5个工作日内）") % {
                "d": f"{due.date:%Y-%m-%d}"
            }
    _write(user, listing, ABNORMAL_FIELDS, before, note)
    return listing


@transaction.atomic
def objection_create(*, user, listing: AbnormalListing, data: dict[str, Any]) -> AbnormalObjection:
    require(user, CHANGE, listing)
    objection = AbnormalObjection(listing=listing)
    apply(objection, data)
    if objection.filed_on and objection.filed_on < listing.listed_on:
        raise ValidationError({"filed_on": _("异议日期不能早于列入日期")})
    _write(user, objection, OBJECTION_FIELDS, {})
    return objection


@transaction.atomic
def objection_decide(
    *, user, objection: AbnormalObjection, data: dict[str, Any]
) -> AbnormalObjection:
    require(user, CHANGE, objection)
    objection = _locked(objection)
    if objection.outcome != AbnormalObjection.Outcome.PENDING:
        raise ValidationError(_("该异议已处理"))
    before = snapshot(objection, OBJECTION_FIELDS)
    apply(objection, data)
    if objection.outcome == AbnormalObjection.Outcome.PENDING:
        raise ValidationError({"outcome": _("请选择处理结果")})
    _write(user, objection, OBJECTION_FIELDS, before)
    return objection


@transaction.atomic
def abnormal_escalate(
    *, user, listing: AbnormalListing, today: dt.date | None = None
) -> SeriousListing:
    """3 years on the abnormal list with the obligation unmet → a proposed serious-violation
    listing (企业信息公示暂行条例; 总局令第44号). The notice, defence and decision steps follow
    on the new listing; the abnormal listing stays until its own cause is cured."""
    require(user, CHANGE, listing)
    listing = _locked(listing)
    today = today or timezone.localdate()
    if not listing.is_active:
        raise ValidationError(_("该主体已移出经营异常名录，不能转入严重违法失信名单"))
    if listing.escalated_to_id:
        raise ValidationError(_("已转入严重违法失信名单"))
    due = clocks.escalation_due(listing.listed_on)
    if today < due:
        raise ValidationError(
            _("列入经营异常名录未满3年（%(d)s 届满），不能转入严重违法失信名单")
            % {"d": f"{due:%Y-%m-%d}"}
        )
    unit = getattr(user, "unit", None)
    if unit is None or unit.kind not in LISTING_UNIT_KINDS:
        unit = listing.decided_by
    serious = SeriousListing(
        entity=listing.entity,
        category=SeriousListing.Category.ABNORMAL_3Y,
        violation=_(
            "列入经营异常名录届满3年仍未履行相关义务（原列入事由：%(r)s；列入决定书 %(no)s，%(d)s）"
        )
        % {
            "r": listing.get_reason_display(),
            "no": listing.decision_no,
            "d": f"{listing.listed_on:%Y-%m-%d}",
        },
        listed_by=unit,
        status=SeriousListing.Status.PROPOSED,
    )
    _write(user, serious, SERIOUS_FIELDS, {}, _("由经营异常名录届满3年转入"))
    before = snapshot(listing, ABNORMAL_FIELDS)
    listing.escalated_to = serious
    _write(user, listing, ABNORMAL_FIELDS, before, _("转入严重违法失信名单"))
    return serious


# --- 严重违法失信名单 ----------------------------------------------------------------------------


def _serious_status(listing: SeriousListing) -> None:
    if listing.status != SeriousListing.Status.REMOVED:
        listing.status = (
            SeriousListing.Status.LISTED if listing.listed_on else SeriousListing.Status.PROPOSED
        )


@transaction.atomic
def serious_create(*, user, data: dict[str, Any]) -> SeriousListing:
    listing = SeriousListing()
    apply(listing, data)
    _check_place(user, listing.entity, listing.listed_by, "listed_by")
    _serious_status(listing)
    _write(user, listing, SERIOUS_FIELDS, {})
    return listing


@transaction.atomic
def serious_update(*, user, listing: SeriousListing, data: dict[str, Any]) -> SeriousListing:
    """The steps: notice, defence, decision (listing date), publication."""
    _require_decider(user, listing)
    listing = _locked(listing)
    if listing.status == SeriousListing.Status.REMOVED:
        raise ValidationError(_("已移出的名单不能修改"))
    before = snapshot(listing, SERIOUS_FIELDS)
    unit_before = listing.listed_by_id
    apply(listing, data)
    if listing.listed_by_id != unit_before:
        _check_place(user, listing.entity, listing.listed_by, "listed_by")
    _serious_status(listing)
    _write(user, listing, SERIOUS_FIELDS, before)
    return listing


@transaction.atomic
def serious_remove(
    *, user, listing: SeriousListing, data: dict[str, Any], note: str = ""
) -> SeriousListing:
    """data: removed_on, removal_reason, removal_note. Removed listings leave public view."""
    _require_decider(user, listing)
    return _remove(user, _locked(listing), data, note)


def _remove(user, listing: SeriousListing, data: dict[str, Any], note: str = ""):
    if listing.status == SeriousListing.Status.REMOVED:
        raise ValidationError(_("该名单已移出"))
    before = snapshot(listing, SERIOUS_FIELDS)
    apply(listing, data)
    listing.status = SeriousListing.Status.REMOVED
    _write(user, listing, SERIOUS_FIELDS, before, note)
    return listing


@transaction.atomic
def expire_serious(*, today: dt.date | None = None, user=None) -> list[SeriousListing]:
    """总局令第44号: removed when 3 years are up. Idempotent: a second run finds nothing."""
    today = today or timezone.localdate()
    due = SeriousListing.objects.select_for_update().filter(
        status=SeriousListing.Status.LISTED, expires_on__lte=today
    )
    removed = []
    for listing in due:
        data = {
            "removed_on": listing.expires_on,
            "removal_reason": SeriousListing.RemovalReason.EXPIRED,
            "removal_note": _("列入满三年，自动移出并停止公示"),
        }
        removed.append(_remove(user, listing, data, _("总局令第44号：列入满三年移出")))
    return removed


def _repair_not_before(listing: SeriousListing, applied_on: dt.date) -> None:
    eligible = listing.repair_eligible_on
    if eligible and applied_on < eligible:
        raise ValidationError(
            {
                "applied_on": _(
                    "列入严重违法失信名单满一年后方可申请提前移出（总局令第44号）："
                    "本名单列入日期为 %(listed)s，最早可于 %(eligible)s 申请"
                )
                % {"listed": f"{listing.listed_on:%Y-%m-%d}", "eligible": f"{eligible:%Y-%m-%d}"}
            }
        )


@transaction.atomic
def repair_apply(*, user, listing: SeriousListing, data: dict[str, Any]) -> CreditRepair:
    require(user, CHANGE, listing)
    if not listing.is_active:
        raise ValidationError(_("该主体不在严重违法失信名单上（未列入或已移出），无需修复"))
    if listing.repairs.filter(outcome=CreditRepair.Outcome.PENDING).exists():
        raise ValidationError(_("已有待决定的信用修复申请"))
    repair = CreditRepair(listing=listing)
    apply(repair, data)
    _repair_not_before(listing, repair.applied_on)
    _write(user, repair, REPAIR_FIELDS, {})
    return repair


CONDITION_LABELS = {
    "obligations_met": "未自觉履行行政处罚决定中规定的义务",
    "harm_removed": "未主动消除危害后果和不良影响",
    "no_new_penalty": "又受到市场监管部门较重行政处罚",
}


@transaction.atomic
def repair_decide(*, user, repair: CreditRepair, data: dict[str, Any]) -> CreditRepair:
    """data: outcome, decided_on, decision_note, and the verified conditions and evidence.
    Granted only after 1 year and when all three conditions hold; then the listing is removed."""
    listing = repair.listing
    _require_decider(user, listing)
    repair = _locked(repair)
    if repair.outcome != CreditRepair.Outcome.PENDING:
        raise ValidationError(_("该申请已作出决定"))
    before = snapshot(repair, REPAIR_FIELDS)
    apply(repair, data)
    if repair.decided_on and repair.decided_on < repair.applied_on:
        raise ValidationError({"decided_on": _("决定日期不能早于申请日期")})
    if repair.outcome == CreditRepair.Outcome.GRANTED:
        _repair_not_before(listing, repair.applied_on)
        unmet = [label for field, label in CONDITION_LABELS.items() if not getattr(repair, field)]
        if unmet:
            raise ValidationError(_("不符合提前移出条件：%(u)s") % {"u": "；".join(unmet)})
    elif repair.outcome == CreditRepair.Outcome.REFUSED and not repair.decision_note:
        raise ValidationError({"decision_note": _("请填写不予提前移出的理由")})
    elif repair.outcome == CreditRepair.Outcome.PENDING:
        raise ValidationError({"outcome": _("请选择决定")})
    if not repair.decided_on:
        raise ValidationError({"decided_on": _("请填写决定日期")})
    _write(user, repair, REPAIR_FIELDS, before)
    if repair.outcome == CreditRepair.Outcome.GRANTED:
        data = {
            "removed_on": repair.decided_on,
            "removal_reason": SeriousListing.RemovalReason.REPAIR,
            "removal_note": repair.decision_note,
        }
        _remove(user, _locked(listing), data, _("信用修复，提前移出"))
    return repair


# --- 信用承诺 ---------------------------------------------------------------------------------


@transaction.atomic
def commitment_create(*, user, data: dict[str, Any]) -> CreditCommitment:
    commitment = CreditCommitment()
    apply(commitment, data)
    _check_place(user, commitment.entity, None, "entity")
    _write(user, commitment, COMMITMENT_FIELDS, {})
    return commitment


@transaction.atomic
def commitment_update(
    *, user, commitment: CreditCommitment, data: dict[str, Any]
) -> CreditCommitment:
    require(user, CHANGE, commitment)
    commitment = _locked(commitment)
    before = snapshot(commitment, COMMITMENT_FIELDS)
    apply(commitment, data)
    _write(user, commitment, COMMITMENT_FIELDS, before)
    return commitment
