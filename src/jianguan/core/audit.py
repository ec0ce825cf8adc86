"""Write audit events in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .hashchain import GENESIS, link_hash
from .models import AuditEvent, chain_content, chain_head


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
        for k in sorted(set(before) | set(after))
        if _jsonable(before.get(k)) != _jsonable(after.get(k))
    }


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    changes: dict | None = None,
    note: str = "",
    district=None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
        if district is None:
            district = _district_of(obj)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=object_repr or "",
        changes=dict(changes or {}),
        note=note,
        district=district,
    )


def history(obj: models.Model):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def _label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return str(actor) if isinstance(actor, str) else "系统"
    return actor.get_full_name() or actor.get_username()


def _district_of(obj: models.Model):
    path = getattr(type(obj), "scope_district", None)
    if not path:
        return None
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def readable_changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    """(field label, before, after) with verbose names and choice labels where the model has them."""
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for name, pair in (event.changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        label, choices = name, {}
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed: show its name
                field = None
            if field is not None:
                label = str(getattr(field, "verbose_name", name))
                choices = {k: str(v) for k, v in (field.choices or [])}
        rows.append((label, _shown(before, choices), _shown(after, choices)))
    return rows


def _shown(value: Any, choices: dict) -> Any:
    """A stored value as users read it: choice labels, lists joined."""
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value) or None
    if isinstance(value, dict):
        return "；".join(f"{k}：{_shown(v, choices)}" for k, v in value.items()) or None
    return choices.get(value, value)


def verify_chain(*, using: str = "default") -> tuple[int, str | None]:
    """Walk the audit chain from the first event: (events checked, the first broken link in
    Chinese, or None). Catches any event changed, removed or inserted outside the chain; a
    wholly rewritten tail is caught against a head published on the board (`publish_audit_head`)."""
    prev, expected = GENESIS, 1
    rows = AuditEvent.objects.using(using).order_by("seq", "id").iterator(chunk_size=2000)
    for event in rows:
        where = f"审计事件 #{event.pk}（链序号 {event.seq}，{event}）"
        if event.seq is None:
            return expected - 1, f"{where}不在链上：没有链序号，是绕过系统写入的"
        if event.seq != expected:
            return expected - 1, f"{where}：应为链序号 {expected}，中间的事件缺失"
        if event.prev_hash != prev:
            return expected - 1, f"{where}：所记前一事件哈希与链不符（前一事件被改动或删除）"
        if link_hash(chain_content(event)) != event.hash:
            return expected - 1, f"{where}：内容与其哈希不符（事件被改动）"
        prev, expected = event.hash, expected + 1
    return expected - 1, None


def head(*, using: str = "default") -> tuple[int, str]:
    """(count, hash) of the audit chain as it stands."""
    return chain_head(using)
