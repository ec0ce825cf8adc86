"""Audit: every change of legal weight is recorded in the same transaction and can't be altered."""

import pytest
from django.db import transaction

from jianguan.core.models import AuditEvent
from jianguan.registry import services
from jianguan.registry.models import Entity
from tests.conftest import DISTRICT_A, new_uscc, unit

pytestmark = pytest.mark.django_db


def test_create_and_update_record_who_what_before_after(admin_a):
    entity = services.entity_create(
        user=admin_a,
        data={"uscc": new_uscc(), "name": "上海甲乙贸易有限公司", "district": unit(DISTRICT_A)},
    )
    services.entity_update(user=admin_a, entity=entity, data={"name": "上海甲乙商贸有限公司"})
    created, updated = AuditEvent.objects.filter(object_id=str(entity.pk)).order_by("id")
    assert (created.action, created.actor, created.district) == (
        "create",
        admin_a,
        unit(DISTRICT_A),
    )
    assert updated.changes == {"name": ["上海甲乙贸易有限公司", "上海甲乙商贸有限公司"]}


def test_an_update_that_changes_nothing_records_nothing(admin_a, make_entity):
    entity = make_entity(DISTRICT_A)
    services.entity_update(user=admin_a, entity=entity, data={"name": entity.name})
    assert not AuditEvent.objects.exists()


def test_events_cannot_be_edited_or_deleted(admin_a, make_entity):
    services.entity_update(
        user=admin_a, entity=make_entity(DISTRICT_A), data={"address": "南京东路1号"}
    )
    event = AuditEvent.objects.get()
    event.note = "改写"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_failed_write_leaves_neither_change_nor_event(admin_a, make_entity):
    entity = make_entity(DISTRICT_A)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.entity_update(user=admin_a, entity=entity, data={"address": "外滩2号"})
        raise RuntimeError("crash after the write")
    assert Entity.objects.get(pk=entity.pk).address == ""
    assert not AuditEvent.objects.exists()


def test_district_user_cannot_move_an_entity_out_of_their_jurisdiction(admin_a, make_entity):
    from django.core.exceptions import ValidationError

    entity = make_entity(DISTRICT_A)
    with pytest.raises(ValidationError, match="管辖范围"):
        services.entity_update(user=admin_a, entity=entity, data={"district": unit("310104")})
    assert Entity.objects.get(pk=entity.pk).district == unit(DISTRICT_A)


def test_history_reads_with_labels_and_lists(admin_a, make_entity):
    from jianguan.core.audit import readable_changes

    entity = make_entity(DISTRICT_A)
    services.entity_update(user=admin_a, entity=entity, data={"key_tier": "special"})
    event = AuditEvent.objects.get()
    assert readable_changes(event) == [("重点领域类别", "非重点", "特殊重点")]
    event.changes = {"expertise": [[], ["食品安全", "计量"]]}
    assert readable_changes(event)[0][1:] == (None, "食品安全、计量")
