"""Writes to the entity roster: validated, scoped, audited, atomic."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from jianguan.core import audit
from jianguan.core.services import apply, require, require_unit, snapshot

from .models import Entity, TestingBody

ENTITY_FIELDS = [
    "uscc",
    "name",
    "entity_type",
    "district",
    "station",
    "address",
    "industry_code",
    "status",
    "established_on",
    "capital_wan",
    "legal_rep",
    "domains",
    "key_tier",
    "risk_class",
]
TESTING_BODY_FIELDS = [
    "cert_no",
    "scope",
    "cert_issued_on",
    "cert_expires_on",
    "by_commitment",
    "fields",
]


@transaction.atomic
def entity_create(*, user, data: dict[str, Any]) -> Entity:
    entity = Entity()
    apply(entity, data)
    require_unit(user, "add", entity.district, "district")
    entity.full_clean()
    entity.save()
    audit.record(user, "create", entity, changes=audit.diff({}, snapshot(entity, ENTITY_FIELDS)))
    return entity


@transaction.atomic
def entity_update(*, user, entity: Entity, data: dict[str, Any]) -> Entity:
    require(user, "change", entity)
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    before = snapshot(entity, ENTITY_FIELDS)
    apply(entity, data)
    require_unit(user, "change", entity.district, "district")
    entity.full_clean()
    changes = audit.diff(before, snapshot(entity, ENTITY_FIELDS))
    if changes:
        entity.save()
        audit.record(user, "update", entity, changes=changes)
    return entity


@transaction.atomic
def testing_body_save(*, user, entity: Entity, data: dict[str, Any]) -> TestingBody:
    require(user, "change", entity)
    body, created = TestingBody.objects.get_or_create(entity=entity)
    before = {} if created else snapshot(body, TESTING_BODY_FIELDS)
    apply(body, data)
    body.full_clean()
    body.save()
    if changes := audit.diff(before, snapshot(body, TESTING_BODY_FIELDS)):
        audit.record(user, "create" if created else "update", body, changes=changes)
    return body
