"""Writes of inspection records: record, evidence, impossible visit, confirmation, re-check.

"谁检查、谁录入": only members of the visit's team (host and merged visits together) record and
confirm; a second member, not the last one who recorded, confirms; a confirmed record is final.
Every write is one transaction with its audit event; a refused write writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.catalog.models import METHODS, ResultCode, Violation
from jianguan.core import audit
from jianguan.core.validators import not_in_future
from jianguan.sampling.models import Visit

from . import filetypes, selectors, signals
from .models import Evidence, FollowUp, Inspection, Result

M = Result.Measure


@dataclass
class Entry:
    """What a member enters for one item (keyed by the visit the item belongs to)."""

    visit_id: int
    item_id: int
    method: str = ""
    code: str = ""  # ResultCode.code
    findings: str = ""
    measure: str = M.NONE
    rectify_by: dt.date | None = None
    public: bool = True
    non_public_reason: str = ""
    violation: str = ""  # catalog.Violation.code (inspection & testing bodies, 总局令第39号)

    @property
    def key(self) -> str:
        return f"{self.visit_id}-{self.item_id}"


# --- checks shared by the forms and the services -------------------------------------------------


def entry_errors(entry: Entry, *, item, checked_on: dt.date | None) -> dict[str, str]:
    """{field: message} of one item's entry (empty when it is valid)."""
    errors: dict[str, str] = {}
    allowed = METHODS.codes(item.methods) or [c for c, _l in METHODS.choices]
    if not entry.method:
        errors["method"] = _("请选择检查方式")
    elif entry.method not in allowed:
        errors["method"] = _("该事项的检查方式只能是：%(m)s") % {
            "m": "、".join(METHODS.labels(METHODS.mask(allowed)))
        }
    code = code_by_value(entry.code)
    if not entry.code:
        errors["code"] = _("请选择检查结果")
    elif code is None:
        errors["code"] = _("检查结果代码“%(c)s”不存在或已停用") % {"c": entry.code}
    elif code.children.filter(active=True).exists():
        errors["code"] = _("“%(c)s”须选择细分类型") % {"c": f"{code.code} {code.name}"}
    if entry.measure not in M.values:
        errors["measure"] = _("请选择后续处置措施")
    elif entry.measure == M.RECTIFY:
        if entry.rectify_by is None:
            errors["rectify_by"] = _("责令限期改正须填写整改期限")
        elif checked_on and entry.rectify_by <= checked_on:
            errors["rectify_by"] = _("整改期限须晚于检查日期（%(d)s）") % {"d": checked_on}
    if not entry.public and not entry.non_public_reason.strip():
        errors["non_public_reason"] = _("不予公示须填写理由（法律依据）")
    if entry.violation:
        if violation_by_code(entry.violation) is None:
            errors["violation"] = _("违法行为代码“%(c)s”不存在或已停用") % {"c": entry.violation}
        elif code is not None and not problem_found(code):
            errors["violation"] = _("检查结果为未发现问题时，不能填写违法行为")
    return errors


def violation_by_code(value: str) -> Violation | None:
    return Violation.objects.filter(code=value, active=True).first() if value else None


def code_by_value(value: str) -> ResultCode | None:
    return ResultCode.objects.filter(code=value, active=True).first() if value else None


def checked_on_error(checked_on: dt.date | None, *, required: bool) -> str | None:
    if checked_on is None:
        return _("请填写检查日期") if required else None
    try:
        not_in_future(checked_on, label=_("检查日期"))
    except ValidationError as e:
        return e.messages[0]
    return None


def problem_found(code: ResultCode) -> bool:
    return code.problem_found or bool(code.parent_id and code.parent.problem_found)


# --- guards -----------------------------------------------------------------------------------


def _host(visit: Visit) -> Visit:
    return visit.merged_into if visit.merged_into_id else visit


def _member(user, host: Visit):
    """The caller's Inspector if they are on the team; PermissionDenied otherwise.

    Also locks the host visit's row: two members on two phones write one record in turn, so a
    confirmation never sees half of a concurrent edit."""
    inspector = selectors.inspector_of(user)
    if inspector is None or inspector.pk not in selectors.team_inspector_ids(host):
        raise PermissionDenied(_("只有本次检查的检查人员才能录入和确认（谁检查、谁录入）"))
    list(Visit.objects.select_for_update().filter(pk=host.pk).values_list("pk", flat=True))
    return inspector


def _locked_inspection(host: Visit, create: bool) -> Inspection | None:
    inspection = Inspection.objects.select_for_update().filter(visit=host).first()
    if inspection is None and create:
        inspection = Inspection(
            visit=host, entity=host.entity, district=host.district, station=host.station
        )
        inspection.full_clean(exclude=["visit"])
        inspection.save()
    if inspection is not None and inspection.status == Inspection.Status.CONFIRMED:
        raise ValidationError(_("检查记录已确认，不能再修改"))
    return inspection


# --- record -----------------------------------------------------------------------------------


@transaction.atomic
def record(
    *,
    user,
    visit: Visit,
    checked_on: dt.date | None,
    entries: Iterable[Entry],
    submit: bool,
) -> Inspection:
    """Save a member's entries on a host visit's record.

    submit=False saves a draft (录入中): the entries given must be valid, others may wait.
    submit=True hands it over for confirmation (待确认): every item needs its result.
    Whoever saves last is the recorder, so they cannot confirm their own entries.
    """
    host = _host(visit)
    inspector = _member(user, host)
    entries = list(entries)
    lines = {line.key: line for line in selectors.lines(host)}
    errors: dict[str, list[str]] = {}
    if msg := checked_on_error(checked_on, required=submit or any(e.code for e in entries)):
        errors["checked_on"] = [msg]
    given = {}
    for entry in entries:
        line = lines.get(entry.key)
        if line is None:
            errors.setdefault("__all__", []).append(_("事项不属于本次检查"))
            continue
        for field, msg in entry_errors(entry, item=line.item, checked_on=checked_on).items():
            errors[f"{entry.key}:{field}"] = [msg]
        given[entry.key] = entry
    if submit:
        for key in lines:
            if key not in given:
                errors[f"{key}:code"] = [_("提交确认前须录入每个事项的检查结果")]
    elif not given:
        errors.setdefault("__all__", []).append(_("请至少录入一个事项的检查结果"))
    if errors:
        raise ValidationError(errors)

    inspection = _locked_inspection(host, create=True)
    before = _snapshot(inspection)
    for entry in given.values():
        _save_result(inspection, lines[entry.key], entry)
    inspection.checked_on = checked_on
    inspection.impossible = False
    inspection.impossible_reason = ""
    inspection.recorded_by = inspector
    inspection.recorded_at = timezone.now()
    inspection.status = Inspection.Status.RECORDED if submit else Inspection.Status.DRAFT
    inspection.full_clean()
    inspection.save()
    audit.record(
        user,
        "update",
        inspection,
        changes=audit.diff(before, _snapshot(inspection)),
        note=_("录入检查结果（%(n)d 项）%(s)s")
        % {"n": len(given), "s": "，提交确认" if submit else "，暂存"},
    )
    return inspection


def _save_result(inspection: Inspection, line, entry: Entry) -> Result:
    result = line.result or Result(
        inspection=inspection,
        visit=line.visit,
        task=line.visit.draw.task,
        entity=inspection.entity,
        district=inspection.district,
        station=inspection.station,
        item=line.item,
    )
    result.method = entry.method
    result.code = code_by_value(entry.code)
    result.findings = entry.findings.strip()
    result.measure = entry.measure
    result.rectify_by = entry.rectify_by if entry.measure == M.RECTIFY else None
    result.public = entry.public
    result.non_public_reason = "" if entry.public else entry.non_public_reason.strip()
    result.violation = violation_by_code(entry.violation)
    result.full_clean(exclude=["inspection"])
    result.save()
    return result


def _snapshot(inspection: Inspection) -> dict:
    return {
        "status": inspection.status,
        "checked_on": inspection.checked_on,
        "impossible": inspection.impossible,
        "impossible_reason": inspection.impossible_reason,
        "recorded_by": inspection.recorded_by,
        "confirmed_by": inspection.confirmed_by,
    }


# --- impossible visit ---------------------------------------------------------------------------


@transaction.atomic
def mark_impossible(
    *, user, visit: Visit, checked_on: dt.date | None, code: str, reason: str
) -> Inspection:
    """无法实施检查: every item of the record gets `code` (e.g. 0203 通过登记的住所（经营场所）
    无法联系, itself a result) and the reason as findings; a second member still confirms."""
    host = _host(visit)
    inspector = _member(user, host)
    errors: dict[str, list[str]] = {}
    if msg := checked_on_error(checked_on, required=True):
        errors["checked_on"] = [msg]
    if not reason.strip():
        errors["reason"] = [_("请填写无法实施检查的原因")]
    lines = selectors.lines(host)
    entries = [
        Entry(
            line.visit.pk,
            line.item.pk,
            method=_default_method(line.item),
            code=code,
            findings=reason,
        )
        for line in lines
    ]
    if entries and (
        msg := entry_errors(entries[0], item=lines[0].item, checked_on=checked_on).get("code")
    ):
        errors["code"] = [msg]
    if errors:
        raise ValidationError(errors)
    inspection = _locked_inspection(host, create=True)
    before = _snapshot(inspection)
    for line, entry in zip(lines, entries, strict=True):
        _save_result(inspection, line, entry)
    inspection.checked_on = checked_on
    inspection.impossible = True
    inspection.impossible_reason = reason.strip()
    inspection.recorded_by = inspector
    inspection.recorded_at = timezone.now()
    inspection.status = Inspection.Status.RECORDED
    inspection.full_clean()
    inspection.save()
    audit.record(
        user,
        "update",
        inspection,
        changes=audit.diff(before, _snapshot(inspection)),
        note=_("无法实施检查：%(r)s（结果 %(c)s）") % {"r": reason.strip(), "c": code},
    )
    return inspection


def _default_method(item) -> str:
    """On-site where the item allows it (an impossible visit is a failed on-site visit)."""
    codes = METHODS.codes(item.methods)
    return "onsite" if "onsite" in codes or not codes else codes[0]


# --- evidence ---------------------------------------------------------------------------------


@transaction.atomic
def add_evidence(*, user, visit: Visit, upload) -> Evidence:
    """Store one photo or PDF under MEDIA_ROOT/evidence/<visit>/, checked by its content."""
    host = _host(visit)
    _member(user, host)
    name = (getattr(upload, "name", "") or "未命名").rsplit("/", 1)[-1][:200]
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(16)
    try:
        kind = filetypes.check(name, size, head, settings.JIANGUAN_EVIDENCE_MAX_BYTES)
    except filetypes.BadFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    inspection = _locked_inspection(host, create=True)
    evidence = Evidence(
        inspection=inspection,
        name=name,
        suffix=kind.suffix,
        content_type=kind.content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    evidence.file.save(name, ContentFile(upload.read()), save=False)
    try:
        evidence.full_clean()
        evidence.save()
        audit.record(
            user,
            "create",
            evidence,
            district=inspection.district,
            note=_("上传证据材料「%(n)s」（%(k)s，%(s)d 字节）")
            % {"n": name, "k": kind.label, "s": size},
        )
    except Exception:
        evidence.file.delete(save=False)  # no orphan file for a row that was never written
        raise
    return evidence


@transaction.atomic
def remove_evidence(*, user, evidence: Evidence) -> None:
    """A member takes back a wrong file before confirmation; the audit event keeps its digest."""
    host = evidence.inspection.visit
    _member(user, host)
    _locked_inspection(host, create=False)  # refuses once confirmed
    audit.record(
        user,
        "delete",
        evidence,
        district=evidence.inspection.district,
        note=_("删除证据材料「%(n)s」（SHA-256 %(h)s）")
        % {"n": evidence.name, "h": evidence.sha256},
    )
    stored = evidence.file.name
    evidence.delete()
    # the file goes only once the row is gone for good
    transaction.on_commit(lambda: evidence.file.storage.delete(stored))


# --- confirmation -------------------------------------------------------------------------------


@transaction.atomic
def confirm(*, user, visit: Visit) -> Inspection:
    """A second member confirms: the record becomes final, follow-ups open for every problem
    found (谁管辖、谁负责: the entity's district and station), and each task whose visits are
    now all confirmed gets its publication opened (by `publication`, on the
    `inspection_confirmed` signal)."""
    host = _host(visit)
    inspector = _member(user, host)
    inspection = _locked_inspection(host, create=False)
    if inspection is None or inspection.status != Inspection.Status.RECORDED:
        raise ValidationError(_("检查结果尚未提交确认，不能确认"))
    if inspection.recorded_by_id == inspector.pk:
        raise ValidationError(_("录入人不能确认自己录入的结果，须由另一名检查人员确认"))
    missing = [line for line in selectors.lines(host) if line.result is None]
    if missing:
        raise ValidationError(_("还有 %(n)d 个事项没有检查结果") % {"n": len(missing)})
    before = _snapshot(inspection)
    inspection.status = Inspection.Status.CONFIRMED
    inspection.confirmed_by = inspector
    inspection.confirmed_at = timezone.now()
    inspection.full_clean()
    inspection.save()
    audit.record(
        user, "update", inspection, changes=audit.diff(before, _snapshot(inspection)), note="确认"
    )
    for result in inspection.results.select_related("code__parent", "entity"):
        if problem_found(result.code):
            _open_follow_up(user, result)
    signals.inspection_confirmed.send(
        sender=Inspection,
        inspection=inspection,
        visit=host,
        user=user,
        on=inspection.checked_on or timezone.localdate(),
    )
    return inspection


def _open_follow_up(user, result: Result) -> FollowUp:
    entity = result.entity
    follow_up = FollowUp(
        result=result,
        entity=entity,
        district=entity.district,
        station=entity.station,
        due_on=result.rectify_by,
    )
    follow_up.full_clean(exclude=["result"])
    follow_up.save()
    audit.record(
        user,
        "create",
        follow_up,
        note=_("发现问题（%(c)s），交由管辖单位后续处置") % {"c": result.code},
    )
    return follow_up


# --- follow-up ----------------------------------------------------------------------------------


@transaction.atomic
def recheck(
    *,
    user,
    follow_up: FollowUp,
    outcome: str,
    rechecked_on: dt.date | None,
    note: str = "",
    case_ref: str = "",
) -> FollowUp:
    """复查: 已整改 closes it; 未整改 transfers it to case handling (case_ref: the link point)."""
    if not selectors.can_recheck(user, follow_up):
        raise PermissionDenied(_("只有对该主体有管辖权的单位才能复查"))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    errors: dict[str, list[str]] = {}
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError(_("该事项已复查完毕，不能重复处理"))
    if outcome not in (FollowUp.Status.RECTIFIED, FollowUp.Status.TRANSFERRED):
        errors["outcome"] = [_("请选择复查结论")]
    if rechecked_on is None:
        errors["rechecked_on"] = [_("请填写复查日期")]
    else:
        try:
            not_in_future(rechecked_on, label=_("复查日期"))
        except ValidationError as e:
            errors["rechecked_on"] = e.messages
    if outcome == FollowUp.Status.TRANSFERRED and not note.strip():
        errors["note"] = [_("未整改移送案件办理须填写复查情况")]
    if errors:
        raise ValidationError(errors)
    before = {"status": follow_up.status}
    follow_up.status = outcome
    follow_up.rechecked_on = rechecked_on
    follow_up.recheck_note = note.strip()
    follow_up.rechecked_by = user
    follow_up.case_ref = case_ref.strip() if outcome == FollowUp.Status.TRANSFERRED else ""
    follow_up.full_clean()
    follow_up.save()
    audit.record(
        user,
        "update",
        follow_up,
        changes=audit.diff(before, {"status": follow_up.status}),
        note=_("复查：%(s)s%(c)s")
        % {
            "s": follow_up.get_status_display(),
            "c": f"（案件编号 {follow_up.case_ref}）" if follow_up.case_ref else "",
        },
    )
    return follow_up
