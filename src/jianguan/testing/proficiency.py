"""Proficiency testing and blind samples (能力验证、盲样考核, seed 001 §三(三)1-2): the scheme
library, results graded by z (zscore.py), missed mandatory schemes, rectification with a
deadline and a re-test, appeals within 15 working days, and the result file in and out.

The result file (import_pt_results / export_pt_results, the 导入 page):

    统一社会信用代码, 能力验证计划编号, 项目, 结果值, 指定值, 能力评定标准差 [, z值, 评定结果]

All or nothing, as every import: one bad row and nothing is written; each error names its row,
column and reason. z值 and 评定结果 are written by the export (z to 2 decimals, the grade from
the unrounded z) and ignored on import, where the grade is computed again — except a row whose
评定结果 is 未参加 and whose values are empty: a missed scheme. So an export imports back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular
from jianguan.core import uscc as uscc_codes
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.services import apply, require, snapshot
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)
from jianguan.registry.models import TESTING_FIELDS, Entity
from jianguan.workdays.selectors import add_working_days

from . import zscore
from .models import (
    APPEAL_WORKING_DAYS,
    POOR,
    Appeal,
    Grade,
    Handling,
    PTResult,
    PTScheme,
    Rectification,
)
from .services import _person, _saved, handling_record

RECTIFY_DAYS = getattr(settings, "JIANGUAN_PT_RECTIFY_DAYS", 60)
GRADE_LABELS = {code: str(label) for code, label in Grade.choices}


# --- scheme library -----------------------------------------------------------------------------

SCHEME_FIELDS = [
    "number",
    "name",
    "kind",
    "field",
    "items",
    "year",
    "provider",
    "required_fields",
    "deadline",
    "active",
]


@transaction.atomic
def scheme_save(*, user, data: dict[str, Any], scheme: PTScheme | None = None) -> PTScheme:
    """The city keeps the library (市局对能力验证项目库实施动态管理)."""
    if user is not None and not allowed(user, ADD if scheme is None else CHANGE, PTScheme):
        raise PermissionDenied(_("能力验证项目库由市局维护"))
    before = None if scheme is None else snapshot(scheme, SCHEME_FIELDS)
    scheme = scheme or PTScheme()
    apply(scheme, data)
    _saved(user, scheme, SCHEME_FIELDS, before)
    return scheme


def required_bodies(scheme: PTScheme):
    """Bodies with a qualification in force whose fields the scheme is mandatory for."""
    from .models import Qualification

    if not scheme.required_fields:
        return Entity.objects.none()
    # in force now and already qualified by the deadline (a body certified later was not due)
    in_force = Qualification.objects.filter(
        status__in=Qualification.IN_FORCE, issued_on__lte=scheme.deadline
    )
    ids = [
        pk
        for pk, fields in in_force.values_list("entity_id", "fields")
        if fields & scheme.required_fields
    ]
    return Entity.objects.filter(pk__in=ids)


@transaction.atomic
def record_missed(*, user, scheme: PTScheme, today: dt.date | None = None) -> int:
    """After the deadline, every body the scheme is mandatory for that has no result is recorded
    as 未参加 (which raises its chance of being drawn, see the task rules). Returns how many."""
    today = today or timezone.localdate()
    if scheme.deadline >= today:
        raise ValidationError(_("结果报送截止日期（%s）尚未过，不能登记未参加") % scheme.deadline)
    done = set(PTResult.objects.filter(scheme=scheme).values_list("entity_id", flat=True))
    bodies = required_bodies(scheme).exclude(pk__in=done)
    if user is not None:
        bodies = bodies.filter(pk__in=Entity.objects.restrict(user, CHANGE).values("pk"))
    rows = [
        PTResult(
            scheme=scheme,
            entity_id=pk,
            item="",
            grade=Grade.MISSED,
            reported_on=scheme.deadline,
            recorded_by=_person(user),
        )
        for pk in bodies.values_list("pk", flat=True)
    ]
    PTResult.objects.bulk_create(rows)
    if rows:
        audit.record(
            user,
            AuditEvent.Action.CREATE,
            scheme,
            note=_("登记未参加强制能力验证 %(n)d 家（截止日期 %(d)s）")
            % {"n": len(rows), "d": scheme.deadline},
        )
    return len(rows)


# --- results --------------------------------------------------------------------------------------

RESULT_FIELDS = ["scheme", "item", "x", "assigned", "sigma", "z", "grade", "reported_on"]


@transaction.atomic
def result_record(*, user, entity: Entity, data: dict[str, Any]) -> PTResult:
    """One result entered on the form: graded, and a 可疑 or 不满意 opens a rectification."""
    if user is not None and not (
        allowed(user, ADD, PTResult)
        and Entity.objects.restrict(user, CHANGE).filter(pk=entity.pk).exists()
    ):
        raise PermissionDenied(_("无权录入该机构的能力验证结果"))
    if not hasattr(entity, "testing_body"):
        raise ValidationError(_("该主体不是检验检测机构"))
    result = PTResult(entity=entity, recorded_by=_person(user))
    apply(result, data)
    _check_item(result.scheme, result.item)
    if PTResult.objects.filter(scheme=result.scheme, entity=entity, item=result.item).exists():
        raise ValidationError({"item": _("该机构此计划此项目已有结果")})
    _saved(user, result, RESULT_FIELDS)
    if result.poor:
        open_rectification(user, result)
    return result


def _check_item(scheme: PTScheme, item: str) -> None:
    items = scheme.item_list
    if items and item not in items:
        raise ValidationError({"item": _("项目应为该计划的项目之一：%s") % "、".join(items)})


def open_rectification(user, result: PTResult) -> Rectification:
    """责令限期整改 (seed 001 §三(三)1) with a deadline RECTIFY_DAYS after the notification."""
    r = Rectification(
        result=result,
        entity=result.entity,
        ordered_on=result.reported_on,
        due_on=result.reported_on + dt.timedelta(days=RECTIFY_DAYS),
    )
    _saved(user, r, ["ordered_on", "due_on", "status"])
    return r


@transaction.atomic
def retest(*, user, rectification: Rectification, x: Decimal, on: dt.date) -> Rectification:
    """The re-test's result, graded against the original assigned value and σ̂: 满意 closes the
    rectification; otherwise it stays to be handled by law (整改后仍不符合要求)."""
    if user is not None:
        require(user, CHANGE, rectification)
    r = Rectification.objects.select_for_update().select_related("result").get(pk=rectification.pk)
    if r.status != Rectification.Status.OPEN:
        raise ValidationError(_("该整改已办结"))
    if on < r.ordered_on or on > timezone.localdate():
        raise ValidationError({"retest_on": _("复测日期应在责令整改日期与今天之间")})
    before = snapshot(r, ["retest_x", "retest_on", "retest_grade", "status"])
    res = r.result
    r.retest_x, r.retest_on = x, on
    r.retest_grade = zscore.grade(zscore.number(x), res.assigned, res.sigma)
    on_time = on <= r.due_on
    r.status = (
        Rectification.Status.RECTIFIED
        if r.retest_grade == Grade.SATISFACTORY and on_time
        else Rectification.Status.FAILED
    )
    note = "" if on_time else _("复测晚于整改期限 %s") % r.due_on
    _saved(user, r, ["retest_x", "retest_on", "retest_grade", "status"], before, note=note)
    return r


@transaction.atomic
def handle(*, user, rectification: Rectification, data: dict[str, Any]) -> Handling:
    """逾期未整改或者整改后仍然不符合要求的，依法处理: the handling is recorded (and linked to the
    case once case handling takes it: case_ref)."""
    r = Rectification.objects.select_for_update().get(pk=rectification.pk)
    today = timezone.localdate()
    if r.status == Rectification.Status.OPEN and not r.overdue(today):
        raise ValidationError(_("整改期限（%s）未到，尚不能依法处理") % r.due_on)
    if r.status not in (Rectification.Status.OPEN, Rectification.Status.FAILED):
        raise ValidationError(_("该整改已办结"))
    h = handling_record(user=user, entity=r.entity, data={**data, "source": Handling.Source.PT})
    before = snapshot(r, ["status", "handling"])
    r.status, r.handling = Rectification.Status.HANDLED, h
    _saved(user, r, ["status", "handling"], before)
    return h


# --- appeals --------------------------------------------------------------------------------------


def appeal_deadline(result: PTResult):
    """The last day to appeal: 15 working days after the notification (workdays.Deadline)."""
    return add_working_days(result.reported_on, APPEAL_WORKING_DAYS)


@transaction.atomic
def appeal_file(*, user, result: PTResult, filed_on: dt.date, reason: str) -> Appeal:
    if user is not None:
        require(user, CHANGE, result)
    if result.grade not in POOR:
        raise ValidationError(_("只有“可疑”或“不满意”的结果可以申诉"))
    if result.appeals.exists():
        raise ValidationError(_("该结果已有申诉"))
    deadline = appeal_deadline(result)
    if filed_on > deadline.date:
        raise ValidationError(
            {
                "filed_on": _(
                    "已超过申诉期限：应自结果通报之日（%(r)s）起 15 个工作日内提出，即 %(d)s 前"
                )
                % {"r": result.reported_on, "d": deadline.date}
            }
        )
    if filed_on < result.reported_on or filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("申诉日期应在结果通报日期与今天之间")})
    appeal = Appeal(
        result=result,
        entity=result.entity,
        filed_on=filed_on,
        reason=reason,
        grade_before=result.grade,
        recorded_by=_person(user),
    )
    _saved(user, appeal, ["filed_on", "reason", "grade_before"])
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    user,
    appeal: Appeal,
    outcome: str,
    reply: str,
    decided_on: dt.date,
    values: tuple[Decimal, Decimal, Decimal] | None = None,
) -> Appeal:
    """维持 or 更正. A correction gives new values, graded again; a corrected 满意 closes the
    open rectification."""
    if user is not None:
        require(user, CHANGE, appeal)
    a = Appeal.objects.select_for_update().select_related("result").get(pk=appeal.pk)
    if a.outcome:
        raise ValidationError(_("该申诉已处理"))
    if decided_on < a.filed_on or decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("处理日期应在申诉日期与今天之间")})
    if not reply.strip():
        raise ValidationError({"reply": _("请填写处理意见")})
    before = snapshot(a, ["outcome", "reply", "decided_on"])
    a.outcome, a.reply, a.decided_on = outcome, reply.strip(), decided_on
    if outcome == Appeal.Outcome.CORRECTED:
        if values is None:
            raise ValidationError(_("更正评定须填写更正后的结果值、指定值和标准差"))
        _correct(user, a.result, values, a)
    _saved(user, a, ["outcome", "reply", "decided_on"], before)
    return a


def _correct(user, result: PTResult, values, appeal: Appeal) -> None:
    r = PTResult.objects.select_for_update().get(pk=result.pk)
    before = snapshot(r, RESULT_FIELDS)
    r.x, r.assigned, r.sigma = values
    _saved(user, r, RESULT_FIELDS, before, note=_("申诉更正评定"))
    rect = Rectification.objects.filter(result=r, status=Rectification.Status.OPEN).first()
    if rect is not None and not r.poor:
        rb = snapshot(rect, ["status"])
        rect.status = Rectification.Status.RECTIFIED
        _saved(user, rect, ["status"], rb, note=_("申诉更正为满意，整改终止"))
    elif rect is None and r.poor and not hasattr(r, "rectification"):
        open_rectification(user, r)


# --- the result file ----------------------------------------------------------------------------


def _decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = zscore.number(text)
    except zscore.GradeError as e:
        raise ParseError(str(e)) from None
    if abs(value) >= Decimal(10) ** 15:
        raise ParseError(_("数值过大"))
    if -value.as_tuple().exponent > 8:
        raise ParseError(_("小数位数不能超过8位"))
    return value


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ParseError(_("长度不能超过%d个字符") % limit)
        return text

    return parse


def _grade_label(text: str) -> str:
    if text and text not in GRADE_LABELS.values():
        raise ParseError(_("评定结果应为：%s") % "、".join(map(str, GRADE_LABELS.values())))
    return text


def _number(value: Decimal | None) -> Decimal | str:
    """A number cell (never text, which a spreadsheet export would guard as a formula when it
    starts with a minus), without trailing zeros or an exponent."""
    return "" if value is None else Decimal(format(value.normalize(), "f"))


RESULT_COLUMNS = [
    Column("统一社会信用代码", "uscc", required=True, parse_many=uscc_codes.check_column),
    Column("能力验证计划编号", "scheme", required=True, parse=_text(40)),
    Column("项目", "item", parse=_text(100)),
    Column("结果值", "x", parse=_decimal, format=_number),
    Column("指定值", "assigned", parse=_decimal, format=_number),
    Column("能力评定标准差", "sigma", parse=_decimal, format=_number),
    Column("z值", "z", format=lambda z: Decimal(zscore.z_text(z)) if z is not None else ""),
    Column("评定结果", "grade", parse=_grade_label, format=lambda g: GRADE_LABELS.get(g, g)),
]
MISSED_LABEL = str(GRADE_LABELS[Grade.MISSED])
VALUES = ("x", "assigned", "sigma")


def export_records(qs) -> Iterable[tuple]:
    for r in qs.select_related("entity", "scheme").iterator(chunk_size=5000):
        yield (r.entity.uscc, r.scheme.number, r.item, r.x, r.assigned, r.sigma, r.z, r.grade)


def export_results(target, qs, fmt: str | None = None) -> int:
    """The results in the file layout (a path, or a binary file with `fmt`)."""
    return tabular.write_table(target, RESULT_COLUMNS, export_records(qs), fmt)


class _Rows:
    """The file's parsed rows as columns, with the row numbers."""

    def __init__(self):
        self.numbers: list[int] = []
        self.values: dict[str, list] = {c.field: [] for c in RESULT_COLUMNS}


def _read(path: Path, result: ImportResult, progress) -> _Rows:
    rows = _Rows()
    with TableReader(path, RESULT_COLUMNS) as table:
        for chunk in table.chunks(20_000):
            parsed, errors = tabular.parse_chunk(chunk, table.columns)
            result.total += len(chunk)
            result.add_errors(RowError(chunk.rows[i], h, r) for i, h, r in errors)
            bad = {i for i, _h, _r in errors}
            for i, number in enumerate(chunk.rows):
                if i in bad:
                    continue
                rows.numbers.append(number)
                for f in rows.values:
                    rows.values[f].append(parsed[f][i] if f in parsed else None)
            progress(result.total, 0, _("读取文件"))
    return rows


def import_results(
    path,
    *,
    user=None,
    file_name: str | None = None,
    skip_invalid: bool = False,
    progress=None,
    reported_on: dt.date | None = None,
) -> ImportResult:
    """Import a round's results: every row graded from the unrounded z; 可疑 and 不满意 open a
    rectification; all or nothing. `skip_invalid` is not offered: legal records are whole."""
    del skip_invalid
    if user is not None and not allowed(user, ADD, PTResult):
        raise PermissionDenied(_("您没有录入能力验证结果的权限"))
    progress = progress or (lambda *a: None)
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    reported_on = reported_on or timezone.localdate()
    try:
        with transaction.atomic():
            rows = _read(path, result, progress)
            plan = _plan(user, rows, result, progress)
            if result.errors:
                raise _Rollback
            _write(user, plan, reported_on, result, progress)
            audit.record(
                user,
                AuditEvent.Action.IMPORT,
                object_type="testing.ptresult",
                object_repr=_("能力验证结果导入：%s") % result.file_name,
                changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
            )
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


class _Rollback(Exception):
    pass


def _plan(user, rows: _Rows, result: ImportResult, progress) -> list[tuple]:
    """Check every row against the database; (entity id, scheme, item, x, X, σ̂, grade) per new
    row. Errors go to `result`."""
    v = rows.values
    schemes = {s.number: s for s in PTScheme.objects.filter(number__in=set(v["scheme"]))}
    codes = set(v["uscc"])
    bodies = Entity.objects.filter(uscc__in=codes, testing_body__isnull=False)
    if user is not None:
        bodies = bodies.filter(pk__in=Entity.objects.restrict(user, CHANGE).values("pk"))
    entity_of = dict(bodies.values_list("uscc", "pk"))
    known = set(
        PTResult.objects.filter(
            scheme__in=schemes.values(), entity_id__in=entity_of.values()
        ).values_list("scheme_id", "entity_id", "item")
    )
    seen: dict[tuple, int] = {}
    plan = []
    errors: list[RowError] = []
    for i, n in enumerate(rows.numbers):
        scheme = schemes.get(v["scheme"][i])
        entity = entity_of.get(v["uscc"][i])
        item = v["item"][i] or ""
        values = [v[f][i] for f in VALUES]
        if scheme is None:
            errors.append(RowError(n, "能力验证计划编号", _("项目库中没有该计划")))
            continue
        if entity is None:
            errors.append(
                RowError(
                    n, "统一社会信用代码", _("不是名录库中的检验检测机构，或不在您的管辖范围内")
                )
            )
            continue
        items = scheme.item_list
        if items and item not in items:
            errors.append(RowError(n, "项目", _("应为该计划的项目之一：%s") % "、".join(items)))
            continue
        missed = v["grade"][i] == MISSED_LABEL
        if missed and any(x is not None for x in values):
            errors.append(RowError(n, "评定结果", _("未参加的行不填结果值、指定值和标准差")))
            continue
        if not missed:
            blank = [
                c.header for c, x in zip(RESULT_COLUMNS[3:6], values, strict=True) if x is None
            ]
            if blank:
                errors.append(RowError(n, blank[0], _("必填")))
                continue
            if values[2] <= 0:
                errors.append(RowError(n, "能力评定标准差", _("能力评定标准差应大于0")))
                continue
        key = (scheme.pk, entity, item)
        if seen.setdefault(key, n) != n:
            errors.append(
                RowError(n, "项目", _("与第%d行重复（同一机构、计划和项目）") % seen[key])
            )
            continue
        if key in known:
            result.unchanged += 1
            continue
        plan.append((entity, scheme, item, *values, missed))
        if i % 20_000 == 0:
            progress(i, len(rows.numbers), _("校验"))
    result.add_errors(errors)
    return plan


def _write(user, plan: list[tuple], reported_on: dt.date, result: ImportResult, progress) -> None:
    """Grade and insert in batches; a rectification for every 可疑 or 不满意."""
    total = len(plan)
    recorder = _person(user)
    batch = 5000
    for start in range(0, total, batch):
        rows = []
        for entity, scheme, item, x, assigned, sigma, missed in plan[start : start + batch]:
            if missed:
                z, grade = None, Grade.MISSED
            else:
                z, grade = zscore.z_stored(x, assigned, sigma), zscore.grade(x, assigned, sigma)
            rows.append(
                PTResult(
                    scheme=scheme,
                    entity_id=entity,
                    item=item,
                    x=x,
                    assigned=assigned,
                    sigma=sigma,
                    z=z,
                    grade=grade,
                    reported_on=reported_on,
                    recorded_by=recorder,
                )
            )
        created = PTResult.objects.bulk_create(rows, batch_size=batch)
        _rectifications([r for r in created if r.grade in POOR], reported_on)
        result.created += len(rows)
        progress(start + len(rows), total, _("评定并写入"))


def _rectifications(results: list[PTResult], reported_on: dt.date) -> None:
    if results and results[0].pk is None:  # backends that return no ids (none of ours)
        keys = [(r.scheme_id, r.entity_id, r.item) for r in results]
        by_key = {
            (r.scheme_id, r.entity_id, r.item): r
            for r in PTResult.objects.filter(
                scheme_id__in={k[0] for k in keys}, entity_id__in={k[1] for k in keys}
            )
        }
        results = [by_key[k] for k in keys]
    Rectification.objects.bulk_create(
        [
            Rectification(
                result=r,
                entity_id=r.entity_id,
                ordered_on=reported_on,
                due_on=reported_on + dt.timedelta(days=RECTIFY_DAYS),
            )
            for r in results
        ],
        batch_size=5000,
    )


def import_results_naive(path, *, user=None, reported_on: dt.date | None = None) -> int:
    """The same import as a per-row loop (read a row, look its scheme and body up, grade it,
    save it, open its rectification): the benchmark's baseline. No checks beyond the lookups."""
    reported_on = reported_on or timezone.localdate()
    n = 0
    with transaction.atomic(), TableReader(Path(path), RESULT_COLUMNS) as table:
        for chunk in table.chunks(20_000):
            parsed, _errors = tabular.parse_chunk(chunk, table.columns)
            for i in range(len(chunk)):
                scheme = PTScheme.objects.get(number=parsed["scheme"][i])
                entity = Entity.objects.get(uscc=parsed["uscc"][i])
                r = PTResult(
                    scheme=scheme,
                    entity=entity,
                    item=parsed["item"][i] or "",
                    x=parsed["x"][i],
                    assigned=parsed["assigned"][i],
                    sigma=parsed["sigma"][i],
                    reported_on=reported_on,
                    recorded_by=_person(user),
                )
                r.full_clean()
                r.save()
                if r.poor:  # as the import does: the rectification, no event per row
                    Rectification.objects.create(
                        result=r,
                        entity=entity,
                        ordered_on=reported_on,
                        due_on=reported_on + dt.timedelta(days=RECTIFY_DAYS),
                    )
                n += 1
    return n


def field_label(code: str) -> str:
    return dict(TESTING_FIELDS.choices).get(code, code)


def write_template(target, fmt: str | None = None) -> int:
    """The empty result file: its headers and one example row."""
    example = [
        (
            "91310101MA1FL0000X",
            "SH-PT-2026-001",
            "铅",
            Decimal("0.52"),
            Decimal("0.50"),
            Decimal("0.02"),
            None,
            "",
        )
    ]
    return tabular.write_table(target, RESULT_COLUMNS, example, fmt)
