"""The audit log is a hash chain (issue 11): each event carries the hash of the one before it, so
an event changed, removed or slipped in with raw SQL is found by `jianguan audit_verify`, which
names the first broken event."""

import importlib
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from jianguan.core import audit
from jianguan.core.hashchain import GENESIS, link_hash
from jianguan.core.models import AuditEvent, chain_content
from jianguan.core.scoping import SYSTEM
from jianguan.registry import services
from tests.conftest import DISTRICT_A

pytestmark = pytest.mark.django_db


def audit_verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def events(admin_a, make_entity):
    """Five events written the ordinary ways: one at a time and in bulk (the importers)."""
    entity = make_entity(DISTRICT_A)
    services.entity_update(user=admin_a, entity=entity, data={"address": "南京东路1号"})
    services.entity_update(user=admin_a, entity=entity, data={"address": "南京东路2号"})
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_label="系统", action="import", object_type="x", object_id=str(i))
        for i in range(2)
    )
    audit.record(SYSTEM, "other", note="第五条", changes={"ratio": [0.02, 1e20]})
    return list(AuditEvent.objects.order_by("seq"))


def test_every_event_links_to_the_one_before(events):
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    # the hash covers what the database gives back, floats included (jsonb on PostgreSQL)
    assert all(link_hash(chain_content(e)) == e.hash for e in events)
    assert audit_verify()[0] == 0


def test_an_untouched_chain_verifies(events):
    code, out = audit_verify()
    assert code == 0
    assert "共 5 条事件" in out and events[-1].hash in out


def test_a_note_changed_with_raw_sql_is_named(events):
    raw("UPDATE core_auditevent SET note = %s WHERE id = %s", ["改写", events[2].pk])
    code, out = audit_verify()
    assert code == 1
    assert f"#{events[2].pk}（链序号 3" in out and "被改动" in out
    assert "此前 2 条事件完好" in out


def test_a_changed_time_is_named(events):
    raw("UPDATE core_auditevent SET at = %s WHERE id = %s", ["2020-01-01 00:00:00", events[1].pk])
    code, out = audit_verify()
    assert code == 1 and f"#{events[1].pk}（链序号 2" in out


def test_a_deleted_event_is_found_at_the_next(events):
    raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    code, out = audit_verify()
    assert code == 1 and f"#{events[2].pk}（链序号 3" in out and "缺失" in out


def test_a_rehashed_event_breaks_the_link_of_the_next(events):
    """Rewriting an event and recomputing its own hash is not enough: the next event holds the
    old hash."""
    event = events[1]
    event.note = "伪造"
    forged = link_hash(chain_content(event))
    raw(
        "UPDATE core_auditevent SET note = %s, hash = %s WHERE id = %s",
        ["伪造", forged, event.pk],
    )
    code, out = audit_verify()
    assert code == 1 and f"#{events[2].pk}（链序号 3" in out and "前一事件" in out


def test_an_event_inserted_with_raw_sql_is_named(events):
    raw(
        "INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id,"
        " object_repr, changes, note, prev_hash, hash) VALUES"
        " (%s, '系统', 'other', '', '', '', '{}', '', '', '')",
        ["2026-01-01 00:00:00+00:00"],
    )
    code, out = audit_verify()
    assert code == 1 and "不在链上" in out


def test_the_orm_neither_updates_nor_deletes_events(events):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=events[0].pk).update(note="改写")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent._base_manager.filter(pk=events[0].pk).update(note="改写")
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update(events, ["note"])
    assert audit_verify()[0] == 0


def test_the_migration_chains_events_written_before_the_chain():
    """Rows that predate the chain (seq NULL) are chained in the order they were written."""
    for i in range(3):
        raw(
            "INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id,"
            " object_repr, changes, note, prev_hash, hash) VALUES"
            " (%s, '旧', 'other', '', %s, '', '{\"a\": 1}', '', '', '')",
            ["2025-01-01 00:00:00+00:00", str(i)],
        )
    assert audit_verify()[0] == 1
    migration = importlib.import_module("jianguan.core.migrations.0003_audit_chain")
    state = MigrationExecutor(connection).loader.project_state(("core", "0003_audit_chain"))
    migration.chain_existing(state.apps, connection.schema_editor())
    code, out = audit_verify()
    assert code == 0 and "共 3 条事件" in out
    assert list(AuditEvent.objects.order_by("seq").values_list("object_id", flat=True)) == [
        "0",
        "1",
        "2",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql  # SQLite has one writer at a time; the advisory lock is PostgreSQL's
def test_concurrent_appenders_on_postgresql_never_fork_the_chain():
    """Eight threads append 25 events each, every one in its own transaction: the advisory lock
    serialises them, so the chain has 200 links and no two share a predecessor."""
    errors = []

    def append(n):
        try:
            for i in range(25):
                audit.record(SYSTEM, "other", note=f"{n}-{i}")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    code, out = audit_verify()
    assert code == 0 and "共 200 条事件" in out
