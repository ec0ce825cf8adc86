"""Credit grades of testing bodies: model versions, runs (on demand and monthly), the grade of a
body with its explanation and history. The scoring itself is grading.py (pure numpy).

A run grades every body with the active model version as of a date: features (features.py) →
grading.grade → one BodyGrade row per body, the previous current rows released and the new
ones marked current, all in one transaction (a reader sees the old grades or the new, never a
mix). A version that has been used or activated is never changed: an edit makes a new draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import CHANGE, allowed
from jianguan.core.services import apply, snapshot

from . import features, grading
from .models import BodyGrade, GradeIndicator, GradeModel, GradeRun, GradeVeto

BATCH = 5000


def active_model() -> GradeModel | None:
    return GradeModel.objects.filter(status=GradeModel.Status.ACTIVE).first()


def compile_model(model: GradeModel) -> grading.Model:
    return grading.Model(
        indicators=[
            grading.Indicator(i.code, i.feature, float(i.points), float(i.cap))
            for i in model.indicators.all()
        ],
        thresholds={k: float(v) for k, v in model.thresholds.items()},
        vetoes=[grading.Veto(v.code, v.feature, v.at_least) for v in model.vetoes.all()],
    )


def _require_editor(user) -> None:
    if user is not None and not allowed(user, CHANGE, GradeModel):
        raise PermissionDenied(_("信用等级评价指标体系由市局维护"))


# --- runs ---------------------------------------------------------------------------------------


def run(
    *,
    user=None,
    model: GradeModel | None = None,
    as_of: dt.date | None = None,
    trigger: str = "manual",
    progress=None,
    job=None,
) -> GradeRun:
    """Grade every body; returns the finished run."""
    model = model or active_model()
    if model is None:
        raise ValidationError(_("没有启用中的信用等级评价指标体系"))
    as_of = as_of or timezone.localdate()
    progress = progress or (lambda *a: None)
    compiled = compile_model(model)
    progress(0, 0, _("读取数据"))
    ids, feats = features.read(as_of)
    result = grading.grade(compiled, feats)
    grades = result.grades()
    veto_codes = [v.code for v in compiled.vetoes]
    previous = dict(BodyGrade.objects.filter(current=True).values_list("entity_id", "grade"))
    with transaction.atomic():
        gr = GradeRun.objects.create(
            model=model, as_of=as_of, trigger=trigger, created_by=_person(user), job=job
        )
        BodyGrade.objects.filter(current=True).update(current=False)
        total = len(ids)
        for start in range(0, total, BATCH):
            rows = [
                BodyGrade(
                    run=gr,
                    entity_id=int(ids[i]),
                    score=Decimal(str(result.score[i])),
                    grade=str(grades[i]),
                    veto=veto_codes[result.veto[i]] if result.veto[i] >= 0 else "",
                    explanation=grading.explanation(compiled, result, i),
                    current=True,
                )
                for i in range(start, min(start + BATCH, total))
            ]
            BodyGrade.objects.bulk_create(rows, batch_size=BATCH)
            progress(start + len(rows), total, _("写入评价结果"))
        gr.counts = result.counts()
        gr.changed = sum(1 for i in range(total) if previous.get(int(ids[i])) != str(grades[i]))
        gr.status, gr.finished_at = GradeRun.Status.DONE, timezone.now()
        gr.save()
        audit.record(
            user,
            "create",
            gr,
            changes={"counts": [None, gr.counts], "changed": [None, gr.changed]},
            note=_("信用等级评价（%(m)s，数据基准日 %(d)s）") % {"m": model, "d": as_of},
        )
    return gr


def run_naive(*, model: GradeModel | None = None, as_of: dt.date | None = None, limit=None) -> int:
    """The per-row loop a developer writes first: for each body, read its features with its
    own queries, grade it in plain Python, save its row. The benchmark's baseline."""
    model = model or active_model()
    as_of = as_of or timezone.localdate()
    compiled = compile_model(model)
    ids = features.body_ids()[:limit]
    with transaction.atomic():
        gr = GradeRun.objects.create(model=model, as_of=as_of, trigger="naive")
        for entity_id in ids.tolist():
            row = features.read_one(entity_id, as_of)
            score, grade, veto = grading.grade_row(compiled, row)
            BodyGrade.objects.filter(entity_id=entity_id, current=True).update(current=False)
            BodyGrade.objects.create(
                run=gr,
                entity_id=entity_id,
                score=Decimal(str(score)),
                grade=grade,
                veto=veto,
                current=True,
            )
        gr.status = GradeRun.Status.DONE
        gr.save()
    return len(ids)


def monthly_due(today: dt.date | None = None) -> bool:
    """No finished run this month yet (the scheduled work runs one on the first call)."""
    today = today or timezone.localdate()
    last = GradeRun.objects.filter(status=GradeRun.Status.DONE).aggregate(d=Max("as_of"))["d"]
    return last is None or (last.year, last.month) < (today.year, today.month)


def _person(user):
    return user if getattr(user, "pk", None) else None


# --- explaining one body ------------------------------------------------------------------------


def explain(row: BodyGrade) -> dict[str, Any]:
    """{'lines': [(category, indicator, deduction)], 'veto': name or None} in words."""
    model = row.run.model
    names = {i.code: i for i in model.indicators.all()}
    vetoes = {v.code: v for v in model.vetoes.all()}
    lines, veto = [], None
    for code, value in row.explanation:
        if code == "veto":
            v = vetoes.get(value)
            veto = f"{v.name}（{v.basis}）" if v else value
        elif code in names:
            lines.append((names[code].get_category_display(), names[code].name, value))
        else:
            lines.append(("", code, value))
    return {"lines": lines, "veto": veto}


# --- model versions -----------------------------------------------------------------------------

MODEL_FIELDS = ["name", "thresholds", "draw_ratios", "published", "note"]


@transaction.atomic
def model_draft(*, user, model: GradeModel) -> GradeModel:
    """A new draft copy of `model` (edits of a used or active version go here)."""
    _require_editor(user)
    version = (GradeModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = GradeModel.objects.create(
        version=version,
        name=model.name,
        thresholds=dict(model.thresholds),
        draw_ratios=dict(model.draw_ratios),
        published=model.published,
        note=model.note,
    )
    for i in model.indicators.all():
        GradeIndicator.objects.create(
            model=draft,
            category=i.category,
            code=i.code,
            name=i.name,
            feature=i.feature,
            points=i.points,
            cap=i.cap,
            position=i.position,
        )
    for v in model.vetoes.all():
        GradeVeto.objects.create(
            model=draft,
            code=v.code,
            name=v.name,
            feature=v.feature,
            at_least=v.at_least,
            basis=v.basis,
        )
    audit.record(user, "create", draft, note=_("由 V%d 复制为草稿") % model.version)
    return draft


def _editable(user, model: GradeModel) -> GradeModel:
    _require_editor(user)
    return model_draft(user=user, model=model) if model.frozen else model


@transaction.atomic
def model_update(*, user, model: GradeModel, data: dict[str, Any]) -> GradeModel:
    target = _editable(user, model)
    before = snapshot(target, MODEL_FIELDS)
    apply(target, data)
    target.full_clean()
    target.save()
    audit.record(user, "update", target, changes=audit.diff(before, snapshot(target, MODEL_FIELDS)))
    return target


INDICATOR_FIELDS = ["category", "code", "name", "feature", "points", "cap", "position"]


@transaction.atomic
def indicator_save(
    *, user, model: GradeModel, data: dict[str, Any], code: str | None = None
) -> GradeModel:
    """Add an indicator, or change the one with `code`; on a frozen version, in a new draft."""
    target = _editable(user, model)
    ind = target.indicators.filter(code=code).first() if code else None
    before = snapshot(ind, INDICATOR_FIELDS) if ind else {}
    ind = ind or GradeIndicator(model=target)
    apply(ind, data)
    ind.full_clean()
    ind.save()
    audit.record(
        user,
        "update",
        target,
        changes=audit.diff(before, snapshot(ind, INDICATOR_FIELDS)),
        note=_("评价指标 %s") % ind.code,
    )
    return target


@transaction.atomic
def indicator_delete(*, user, model: GradeModel, code: str) -> GradeModel:
    target = _editable(user, model)
    deleted, _n = target.indicators.filter(code=code).delete()
    if deleted:
        audit.record(user, "update", target, note=_("删除评价指标 %s") % code)
    return target


VETO_FIELDS = ["code", "name", "feature", "at_least", "basis"]


@transaction.atomic
def veto_save(
    *, user, model: GradeModel, data: dict[str, Any], code: str | None = None
) -> GradeModel:
    target = _editable(user, model)
    veto = target.vetoes.filter(code=code).first() if code else None
    before = snapshot(veto, VETO_FIELDS) if veto else {}
    veto = veto or GradeVeto(model=target)
    apply(veto, data)
    veto.full_clean()
    veto.save()
    audit.record(
        user,
        "update",
        target,
        changes=audit.diff(before, snapshot(veto, VETO_FIELDS)),
        note=_("否决项 %s") % veto.code,
    )
    return target


@transaction.atomic
def veto_delete(*, user, model: GradeModel, code: str) -> GradeModel:
    target = _editable(user, model)
    deleted, _n = target.vetoes.filter(code=code).delete()
    if deleted:
        audit.record(user, "update", target, note=_("删除否决项 %s") % code)
    return target


@transaction.atomic
def model_activate(*, user, model: GradeModel) -> GradeModel:
    _require_editor(user)
    if not model.indicators.exists():
        raise ValidationError(_("指标体系没有任何评价指标"))
    model.full_clean()
    GradeModel.objects.filter(status=GradeModel.Status.ACTIVE).exclude(pk=model.pk).update(
        status=GradeModel.Status.RETIRED
    )
    GradeModel.objects.filter(pk=model.pk).update(status=GradeModel.Status.ACTIVE)
    model.refresh_from_db()
    audit.record(user, "update", model, changes={"status": ["draft", "active"]}, note=_("启用"))
    return model
