"""Writes of the risk app: model versions, classification runs, key-area lists. Every change is
audited in its own transaction.

Model versions: only city administrators edit. A version that is active, retired or used for a
run is never changed: an edit of it first makes a new draft copy (based_on = it) and changes the
copy, which the caller gets back. Activation retires the previous active version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jianguan.core import audit
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.registry.models import DOMAINS, Entity

from . import features, scoring
from .models import (
    ClassRun,
    DomainAdjustment,
    EntityRiskClass,
    Indicator,
    KeyAreaInfo,
    KeyAreaListing,
    KeyAreaMatter,
    RiskModel,
    VetoItem,
    compile_rule,
)

A = AuditEvent.Action


# --- compiling a stored version for the pure core ------------------------------------------------


def compile_model(model: RiskModel) -> scoring.Model:
    return scoring.Model(
        indicators=[
            scoring.Indicator(i.code, i.feature, compile_rule(i.rule), i.weight)
            for i in model.indicators.all()
        ],
        cuts={k: float(v) for k, v in model.thresholds.items()},
        vetoes=[scoring.Veto(v.code, v.feature, v.op, v.value) for v in model.vetoes.all()],
        adjustments=[
            scoring.Adjustment(
                a.domain,
                DOMAINS.by_code[a.domain].bit_length() - 1,
                a.extra_points,
                dict(a.multipliers or {}),
            )
            for a in model.adjustments.all()
        ],
    )


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(status=RiskModel.Status.ACTIVE).first()


# --- editing versions ----------------------------------------------------------------------------


def _require_editor(user) -> None:
    if user is not None and not allowed(user, CHANGE, RiskModel):
        raise PermissionDenied("只有市局管理员可以修改信用风险分类模型")


def _snapshot(model: RiskModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "thresholds": model.thresholds,
        "draw_ratios": model.draw_ratios,
        "note": model.note,
    }


@transaction.atomic
def model_draft(user, source: RiskModel, note: str = "") -> RiskModel:
    """A new draft version copying `source` (indicators, veto items, domain adjustments)."""
    _require_editor(user)
    version = (RiskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    draft = RiskModel.objects.create(
        version=version,
        name=source.name,
        status=RiskModel.Status.DRAFT,
        based_on=source,
        thresholds=dict(source.thresholds),
        draw_ratios=dict(source.draw_ratios),
        note=note or source.note,
        created_by=user if getattr(user, "pk", None) else None,
    )
    for i in source.indicators.all():
        i.pk, i.model = None, draft
        i.save()
    for v in source.vetoes.all():
        v.pk, v.model = None, draft
        v.save()
    for a in source.adjustments.all():
        a.pk, a.model = None, draft
        a.save()
    audit.record(user, A.CREATE, draft, note=f"基于 V{source.version} 创建新版本")
    return draft


def editable(user, model: RiskModel) -> RiskModel:
    """`model` itself while it is an unused draft, else a new draft copy of it."""
    _require_editor(user)
    return model if not model.frozen else model_draft(user, model)


@transaction.atomic
def model_update(user, model: RiskModel, data: dict[str, Any]) -> RiskModel:
    """Change name, thresholds, draw ratios or note; returns the version that was changed."""
    target = editable(user, model)
    before = _snapshot(target)
    for key in ("name", "thresholds", "draw_ratios", "note"):
        if key in data:
            setattr(target, key, data[key])
    target.full_clean()
    target.save()
    audit.record(user, A.UPDATE, target, changes=audit.diff(before, _snapshot(target)))
    return target


def _child_save(user, model, cls, key: str, data: dict[str, Any], label: str):
    """Create or change the child row of `model` (indicator / veto / adjustment) named by
    data[key] (or data['original_' + key] when renaming). Returns (version, row)."""
    target = editable(user, model)
    original = data.pop("original_" + key, None) or data.get(key)
    row = cls.objects.filter(model=target, **{key: original}).first()
    before = {f: getattr(row, f) for f in data} if row else {}
    row = row or cls(model=target)
    for f, v in data.items():
        setattr(row, f, v)
    row.full_clean()
    row.save()
    audit.record(
        user,
        A.UPDATE if before else A.CREATE,
        target,
        changes=audit.diff(before, data),
        note=f"{label}：{data.get(key)}",
    )
    return target, row


@transaction.atomic
def indicator_save(user, model: RiskModel, data: dict[str, Any]) -> tuple[RiskModel, Indicator]:
    return _child_save(user, model, Indicator, "code", dict(data), "指标")


@transaction.atomic
def veto_save(user, model: RiskModel, data: dict[str, Any]) -> tuple[RiskModel, VetoItem]:
    return _child_save(user, model, VetoItem, "code", dict(data), "否决项")


@transaction.atomic
def adjustment_save(
    user, model: RiskModel, data: dict[str, Any]
) -> tuple[RiskModel, DomainAdjustment]:
    return _child_save(user, model, DomainAdjustment, "domain", dict(data), "专业模型调整")


@transaction.atomic
def child_delete(user, model: RiskModel, kind: str, key: str) -> RiskModel:
    cls, field, label = {
        "indicator": (Indicator, "code", "指标"),
        "veto": (VetoItem, "code", "否决项"),
        "adjustment": (DomainAdjustment, "domain", "专业模型调整"),
    }[kind]
    target = editable(user, model)
    deleted, _rows = cls.objects.filter(model=target, **{field: key}).delete()
    if deleted:
        audit.record(user, A.UPDATE, target, note=f"删除{label}：{key}")
    return target


@transaction.atomic
def model_activate(user, model: RiskModel) -> RiskModel:
    """Put a version in force; the previous active version is retired."""
    _require_editor(user)
    model = RiskModel.objects.select_for_update().get(pk=model.pk)
    if model.status == RiskModel.Status.ACTIVE:
        return model
    if not model.indicators.exists():
        raise ValidationError("模型没有任何指标，不能启用")
    model.full_clean()
    compile_model(model)
    for old in RiskModel.objects.select_for_update().filter(status=RiskModel.Status.ACTIVE):
        old.status = RiskModel.Status.RETIRED
        old.save(update_fields=["status"])
        audit.record(user, A.UPDATE, old, changes={"status": ["active", "retired"]})
    model.status = RiskModel.Status.ACTIVE
    model.activated_at = timezone.now()
    model.save(update_fields=["status", "activated_at"])
    audit.record(user, A.UPDATE, model, changes={"status": ["draft", "active"]}, note="启用")
    return model


# --- classification runs -------------------------------------------------------------------------


def _noop(done: int, total: int, phase: str) -> None:
    pass


def classify(
    *,
    model: RiskModel | None = None,
    user=None,
    as_of: dt.date | None = None,
    job=None,
    progress=None,
) -> ClassRun:
    """Score and classify every entity; write the run, the history rows and Entity.risk_class."""
    progress = progress or _noop
    model = model or active_model()
    if model is None:
        raise ValidationError("没有启用中的信用风险分类模型")
    as_of = as_of or timezone.localdate()
    compiled = compile_model(model)
    with transaction.atomic():
        run = ClassRun.objects.create(
            model=model,
            as_of=as_of,
            created_by=user if getattr(user, "pk", None) else None,
            job=job,
        )
        progress(0, 4, "读取数据")
        ids, feats = features.read(as_of)
        progress(1, 4, "计算得分")
        result = scoring.score(compiled, feats)
        texts, inverse = scoring.explanation_table(compiled, result)
        progress(2, 4, "写入分类记录")
        classes = result.klass
        _write_history(run, ids, result.score, classes, texts, inverse)
        progress(3, 4, "更新主体分类")
        changed = _update_entities(ids, classes)
        run.counts = result.counts()
        run.changed = changed
        run.status = ClassRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "changed", "status", "finished_at"])
        audit.record(
            user,
            A.OTHER,
            run,
            note=f"信用风险分类：{len(ids):,} 户，"
            + "、".join(f"{k} 类 {v:,}" for k, v in run.counts.items())
            + f"；分类变化 {changed:,} 户",
        )
        progress(4, 4, "完成")
    return run


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _write_history(run, ids, score, classes, texts, inverse) -> None:
    letters = scoring.CLASSES
    if connection.vendor == "postgresql":
        escaped = [_copy_escape(t) for t in texts]
        prefix = f"{run.pk}\t"
        with (
            connection.cursor() as c,
            c.cursor.copy(
                "COPY risk_entityriskclass (run_id, entity_id, score, risk_class, explanation)"
                " FROM STDIN"
            ) as copy,
        ):
            step = 200_000
            for start in range(0, len(ids), step):
                sl = slice(start, start + step)
                copy.write(
                    "".join(
                        f"{prefix}{e}\t{s!r}\t{letters[k]}\t{escaped[x]}\n"
                        for e, s, k, x in zip(
                            ids[sl].tolist(),
                            score[sl].tolist(),
                            classes[sl].tolist(),
                            inverse[sl].tolist(),
                            strict=True,
                        )
                    )
                )
        return
    EntityRiskClass.objects.bulk_create(
        (
            EntityRiskClass(
                run=run, entity_id=e, score=s, risk_class=letters[k], explanation=texts[x]
            )
            for e, s, k, x in zip(
                ids.tolist(), score.tolist(), classes.tolist(), inverse.tolist(), strict=True
            )
        ),
        batch_size=2000,
    )


def _update_entities(ids: np.ndarray, classes: np.ndarray) -> int:
    """Entity.risk_class := the new class where it differs; returns how many changed."""
    letters = scoring.CLASSES
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("CREATE TEMP TABLE risk_new_class (id bigint, cls varchar(1)) ON COMMIT DROP")
            with c.cursor.copy("COPY risk_new_class (id, cls) FROM STDIN") as copy:
                step = 500_000
                for start in range(0, len(ids), step):
                    sl = slice(start, start + step)
                    copy.write(
                        "".join(
                            f"{e}\t{letters[k]}\n"
                            for e, k in zip(ids[sl].tolist(), classes[sl].tolist(), strict=True)
                        )
                    )
            c.execute(
                "UPDATE registry_entity e SET risk_class = t.cls FROM risk_new_class t"
                " WHERE e.id = t.id AND e.risk_class IS DISTINCT FROM t.cls"
            )
            changed = c.rowcount
            c.execute("DROP TABLE risk_new_class")
        return changed
    current = dict(Entity.objects.values_list("id", "risk_class").iterator(chunk_size=20000))
    by_class: dict[str, list[int]] = {}
    for e, k in zip(ids.tolist(), classes.tolist(), strict=True):
        if current.get(e) != letters[k]:
            by_class.setdefault(letters[k], []).append(e)
    for letter, rows in by_class.items():
        for start in range(0, len(rows), 900):
            Entity.objects.filter(id__in=rows[start : start + 900]).update(risk_class=letter)
    return sum(len(v) for v in by_class.values())


def score_entities(model: RiskModel, as_of: dt.date, entity_ids=None):
    """(ids, features, result) without writing anything: previews, the backtest, the tests."""
    ids, feats = features.read(as_of, entity_ids)
    return ids, feats, scoring.score(compile_model(model), feats)


# --- key-area lists ------------------------------------------------------------------------------

TIER_ORDER = {"special": 2, "general": 1}


def sync_key_tier(user, entity: Entity) -> str:
    """Entity.key_tier := the highest tier of its active listings ('' when none)."""
    tiers = KeyAreaListing.objects.filter(entity=entity, removed_on__isnull=True).values_list(
        "tier", flat=True
    )
    tier = max(tiers, key=lambda t: TIER_ORDER.get(t, 0), default="")
    if entity.key_tier != tier:
        before = entity.key_tier
        Entity.objects.filter(pk=entity.pk).update(key_tier=tier, updated_at=timezone.now())
        entity.key_tier = tier
        audit.record(
            user,
            A.UPDATE,
            entity,
            changes={"key_tier": [before, tier]},
            note="重点领域企业清单同步",
        )
    return tier


def _require_entity(user, entity: Entity) -> None:
    if user is not None and not (
        allowed(user, ADD, KeyAreaListing)
        and Entity.objects.restrict(user, CHANGE).filter(pk=entity.pk).exists()
    ):
        raise PermissionDenied("无权调整该主体的重点领域类别")


@transaction.atomic
def listing_create(user, data: dict[str, Any]) -> KeyAreaListing:
    entity = data["entity"]
    _require_entity(user, entity)
    if KeyAreaListing.objects.filter(
        entity=entity, area=data["area"], removed_on__isnull=True
    ).exists():
        raise ValidationError({"area": "该主体已列入此重点领域，请先移出原记录"})
    listing = KeyAreaListing(listed_by=user if getattr(user, "pk", None) else None, **data)
    listing.full_clean()
    listing.save()
    audit.record(
        user,
        A.CREATE,
        listing,
        changes={"tier": [None, listing.tier], "reason": [None, listing.reason]},
    )
    sync_key_tier(user, entity)
    return listing


@transaction.atomic
def listing_remove(
    user, listing: KeyAreaListing, removed_on: dt.date, reason: str
) -> KeyAreaListing:
    _require_entity(user, listing.entity)
    if listing.removed_on:
        raise ValidationError("该记录已移出")
    listing.removed_on, listing.removal_reason = removed_on, reason
    listing.full_clean()
    listing.save(update_fields=["removed_on", "removal_reason"])
    audit.record(
        user, A.UPDATE, listing, changes={"removed_on": [None, removed_on.isoformat()]}, note=reason
    )
    sync_key_tier(user, listing.entity)
    return listing


@transaction.atomic
def reference_save(user, instance: KeyAreaMatter | KeyAreaInfo, changed: dict | None = None):
    """Save a key-area matter or information item (city-wide reference data: city admins)."""
    if user is not None and not allowed(user, CHANGE if instance.pk else ADD, type(instance)):
        raise PermissionDenied("只有市局管理员可以维护该清单")
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit.record(user, A.CREATE if created else A.UPDATE, instance, changes=changed or {})
    return instance
