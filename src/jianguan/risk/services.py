"""Writes of the risk app: model versions, classification runs, key-area lists. Every change is
audited in its own transaction.

Model versions: only city administrators edit. A version that is active, retired or used for a
run is never changed: an edit of it first makes a new draft copy (based_on = it) and changes the
copy, which the caller gets back. Activation retires the previous active version.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jianguan.core import audit, locks
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
from .selectors import active_model

A = AuditEvent.Action
logger = logging.getLogger(__name__)


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
def model_draft(user, *, source: RiskModel, note: str = "") -> RiskModel:
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


def editable(user, *, model: RiskModel) -> RiskModel:
    """`model` itself while it is an unused draft, else a new draft copy of it."""
    _require_editor(user)
    return model if not model.frozen else model_draft(user, source=model)


@transaction.atomic
def model_update(user, *, model: RiskModel, data: dict[str, Any]) -> RiskModel:
    """Change name, thresholds, draw ratios or note; returns the version that was changed."""
    target = editable(user, model=model)
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
    target = editable(user, model=model)
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
def indicator_save(user, *, model: RiskModel, data: dict[str, Any]) -> tuple[RiskModel, Indicator]:
    return _child_save(user, model, Indicator, "code", dict(data), "指标")


@transaction.atomic
def veto_save(user, *, model: RiskModel, data: dict[str, Any]) -> tuple[RiskModel, VetoItem]:
    return _child_save(user, model, VetoItem, "code", dict(data), "否决项")


@transaction.atomic
def adjustment_save(
    user, *, model: RiskModel, data: dict[str, Any]
) -> tuple[RiskModel, DomainAdjustment]:
    return _child_save(user, model, DomainAdjustment, "domain", dict(data), "专业模型调整")


@transaction.atomic
def child_delete(user, *, model: RiskModel, kind: str, key: str) -> RiskModel:
    cls, field, label = {
        "indicator": (Indicator, "code", "指标"),
        "veto": (VetoItem, "code", "否决项"),
        "adjustment": (DomainAdjustment, "domain", "专业模型调整"),
    }[kind]
    target = editable(user, model=model)
    deleted, _rows = cls.objects.filter(model=target, **{field: key}).delete()
    if deleted:
        audit.record(user, A.UPDATE, target, note=f"删除{label}：{key}")
    return target


@transaction.atomic
def model_activate(user, *, model: RiskModel) -> RiskModel:
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
    """Score and classify every entity; write the run, the history rows and Entity.risk_class.

    Called inside a transaction (and on SQLite) it is one transaction. Called outside one on
    PostgreSQL it takes steps: the run and its history rows (status 'running'; readers use
    done runs only), then the changed classes in passes of their own transactions (see
    _update_entities), then the run is done. If a step fails, the classes already changed are
    put back and the run is marked failed.
    """
    progress = progress or _noop
    model = model or active_model()
    if model is None:
        raise ValidationError("没有启用中的信用风险分类模型")
    as_of = as_of or timezone.localdate()
    compiled = compile_model(model)
    stepwise = connection.vendor == "postgresql" and not connection.in_atomic_block
    with contextlib.nullcontext() if stepwise else transaction.atomic():
        progress(0, 4, "读取数据")
        ids, feats, current = features.read_with_current(as_of)
        progress(1, 4, "计算得分")
        result = scoring.score(compiled, feats)
        texts, inverse = scoring.explanation_table(compiled, result)
        progress(2, 4, "写入分类记录")
        with transaction.atomic():
            run = ClassRun.objects.create(
                model=model,
                as_of=as_of,
                created_by=user if getattr(user, "pk", None) else None,
                job=job,
            )
            _write_history(run, ids, result.score, result.klass, texts, inverse)
        progress(3, 4, "更新主体分类")
        change = _changes(ids, result.klass, current)
        # A draw waits while classes change pass by pass (core.locks), so that its frozen roster
        # holds either the old classes or the new ones, never a mix.
        with locks.exclusive(locks.RISK_CLASSES) if stepwise else contextlib.nullcontext():
            try:
                changed = _update_entities(change, passes=stepwise)
                with transaction.atomic():
                    _finish(run, user, len(ids), result.counts(), changed)
            except BaseException:
                if stepwise:
                    _undo(change, run)
                raise
            finally:
                _drop_change_table()
        progress(4, 4, "完成")
    return run


def _finish(run: ClassRun, user, total: int, counts: dict[str, int], changed: int) -> None:
    run.counts = counts
    run.changed = changed
    run.status = ClassRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "changed", "status", "finished_at"])
    audit.record(
        user,
        A.OTHER,
        run,
        note=f"信用风险分类：{total:,} 户，"
        + "、".join(f"{k} 类 {v:,}" for k, v in counts.items())
        + f"；分类变化 {changed:,} 户",
    )


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


@dataclass
class _Change:
    """The entities whose class a run changes: ids, new class and current class (letters)."""

    ids: np.ndarray
    new: np.ndarray
    old: np.ndarray


def _changes(ids: np.ndarray, klass: np.ndarray, current: np.ndarray) -> _Change:
    letters = np.array(["", *scoring.CLASSES])
    moved = current != klass.astype(np.int64) + 1
    return _Change(ids[moved], letters[klass[moved].astype(np.int64) + 1], letters[current[moved]])


# A heap page of registry_entity has room (fillfactor 85, registry migration 0004) for about
# four more versions of its rows. A run changes up to half of all classes, a dozen rows on a
# page: in one UPDATE most new versions would not fit, go to other pages and insert into every
# index of the table (7), which is what made the first runs slow (1.4M rows: 13 GB of WAL).
# Updating at most ROWS_PER_PASS rows per page per transaction keeps every version on its page
# (HOT, no index entry): the next pass finds the previous pass's old versions dead and
# committed, and reading the page prunes them (heap_page_prune_opt). (Measured on the 3M demo
# city: 60 s → 11 s for this step. Pruning needs the old versions invisible to every snapshot:
# a long transaction elsewhere on the server only makes the update slower, never wrong.)
ROWS_PER_PASS = 4
PART_BLOCKS = 4096  # 32 MB of table per part
CHANGE_TABLE = "risk_class_change"


def _update_entities(change: _Change, passes: bool = False) -> int:
    """Entity.risk_class := the new class where it differs; returns how many changed.
    `passes`: commit pass by pass (outside any transaction, PostgreSQL only)."""
    if connection.vendor != "postgresql":
        changed = 0
        for letter in scoring.CLASSES:
            rows = change.ids[change.new == letter].tolist()
            for start in range(0, len(rows), 900):
                changed += (
                    Entity.objects.filter(id__in=rows[start : start + 900])
                    .exclude(risk_class=letter)
                    .update(risk_class=letter)
                )
        return changed
    with connection.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {CHANGE_TABLE}")
        c.execute(f"CREATE TEMP TABLE {CHANGE_TABLE}_in (id bigint, cls text, old text)")
        with c.cursor.copy(f"COPY {CHANGE_TABLE}_in (id, cls, old) FROM STDIN") as copy:
            step = 500_000
            for start in range(0, len(change.ids), step):
                sl = slice(start, start + step)
                copy.write(
                    "".join(
                        f"{e}\t{n}\t{o}\n"
                        for e, n, o in zip(
                            change.ids[sl].tolist(),
                            change.new[sl].tolist(),
                            change.old[sl].tolist(),
                            strict=True,
                        )
                    )
                )
        # pass = rank of the row on its heap page (ctid's block) // ROWS_PER_PASS; part = a
        # range of PART_BLOCKS blocks: the passes of a part run one after the other, so a page
        # is written (and logged in full after a checkpoint) while it is still in memory.
        c.execute(
            f"CREATE TEMP TABLE {CHANGE_TABLE} AS"
            " SELECT t.id, t.cls, t.old, b.block / %s AS part,"
            "   (row_number() OVER (PARTITION BY b.block ORDER BY t.id) - 1) / %s AS pass"
            f" FROM {CHANGE_TABLE}_in t JOIN registry_entity e ON e.id = t.id,"
            " LATERAL (SELECT (e.ctid::text::point)[0]::bigint AS block) b",
            [PART_BLOCKS, ROWS_PER_PASS],
        )
        c.execute(f"DROP TABLE {CHANGE_TABLE}_in")
        c.execute(f"CREATE INDEX ON {CHANGE_TABLE} (part, pass, id)")
        c.execute(f"ANALYZE {CHANGE_TABLE}")
        c.execute(f"SELECT DISTINCT part, pass FROM {CHANGE_TABLE} ORDER BY part, pass")
        steps = c.fetchall()
    changed = 0
    for step in steps if passes else [None]:
        with transaction.atomic(), connection.cursor() as c:
            # Only this session waits for its commits; a crash loses nothing that _undo or a
            # new run would not redo.
            c.execute("SET LOCAL synchronous_commit = off")
            if step is None:
                where = ""
            else:
                # a few thousand rows by primary key, not a scan of the whole table per step
                c.execute("SET LOCAL enable_hashjoin = off")
                c.execute("SET LOCAL enable_mergejoin = off")
                where = f" AND t.part = {int(step[0])} AND t.pass = {int(step[1])}"
            c.execute(
                f"UPDATE registry_entity e SET risk_class = t.cls FROM {CHANGE_TABLE} t"
                " WHERE e.id = t.id AND e.risk_class IS DISTINCT FROM t.cls" + where
            )
            changed += c.rowcount
    return changed


def _undo(change: _Change, run: ClassRun) -> None:
    """After a failed stepwise run: the classes it changed back (where nobody changed them
    since), and the run marked failed."""
    try:
        with transaction.atomic(), connection.cursor() as c:
            c.execute(
                "SELECT 1 FROM pg_tables WHERE schemaname LIKE 'pg_temp%%' AND tablename = %s",
                [CHANGE_TABLE],
            )
            if c.fetchone():
                c.execute(
                    f"UPDATE registry_entity e SET risk_class = t.old FROM {CHANGE_TABLE} t"
                    " WHERE e.id = t.id AND e.risk_class = t.cls"
                )
        ClassRun.objects.filter(pk=run.pk).update(
            status=ClassRun.Status.FAILED, finished_at=timezone.now()
        )
    except Exception:  # the original error is the one to report; log this one
        logger.exception("信用风险分类失败后恢复原分类时出错（运行 %s）", run.pk)


def _drop_change_table() -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {CHANGE_TABLE}")
    except Exception:  # a temporary table: gone with the session anyway
        logger.warning("未能删除临时表 %s", CHANGE_TABLE, exc_info=True)


def score_entities(model: RiskModel, *, as_of: dt.date, entity_ids=None):
    """(ids, features, result) without writing anything: previews, the backtest, the tests."""
    ids, feats = features.read(as_of, entity_ids)
    return ids, feats, scoring.score(compile_model(model), feats)


# --- key-area lists ------------------------------------------------------------------------------

TIER_ORDER = {"special": 2, "general": 1}


def sync_key_tier(user, *, entity: Entity) -> str:
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
def listing_create(user, *, data: dict[str, Any]) -> KeyAreaListing:
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
    sync_key_tier(user, entity=entity)
    return listing


@transaction.atomic
def listing_remove(
    user, *, listing: KeyAreaListing, removed_on: dt.date, reason: str
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
    sync_key_tier(user, entity=listing.entity)
    return listing


@transaction.atomic
def reference_save(user, *, instance: KeyAreaMatter | KeyAreaInfo, changed: dict | None = None):
    """Save a key-area matter or information item (city-wide reference data: city admins)."""
    if user is not None and not allowed(user, CHANGE if instance.pk else ADD, type(instance)):
        raise PermissionDenied("只有市局管理员可以维护该清单")
    created = instance.pk is None
    instance.full_clean()
    instance.save()
    audit.record(user, A.CREATE if created else A.UPDATE, instance, changes=changed or {})
    return instance
