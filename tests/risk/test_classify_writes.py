"""How a classification run writes Entity.risk_class (risk.services): only the classes that
change, on PostgreSQL in passes of a few rows per heap page (HOT updates, bench risk_classify_3m_s
≤ 60 s, issue 5 "Must show"), put back when a stepwise run fails; history rows of a run that is
not done are not shown."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.db import connection

from jianguan.core.scoping import SYSTEM
from jianguan.registry.models import Entity
from jianguan.risk import features, selectors, services
from jianguan.risk.models import ClassRun, EntityRiskClass, RiskModel

postgres_only = pytest.mark.postgresql  # the pass-wise UPDATE is PostgreSQL's


@pytest.fixture
def roster(make_entity):
    return [make_entity(risk_class="ABCD"[i % 4] if i % 5 else "") for i in range(30)]


def test_features_carry_the_current_class(roster):
    """Rule: a run knows each entity's current class (0 none, 1-4 A-D) from the same read, to
    write only the changes."""
    ids, _feats, current = features.read_with_current(dt.date(2026, 6, 1))
    by_id = dict(Entity.objects.values_list("id", "risk_class"))
    assert [" ABCD"[c].strip() for c in current.tolist()] == [by_id[i] for i in ids.tolist()]


def test_changes_are_only_the_entities_whose_class_moves():
    """Rule: an entity whose new class equals its current one is not written."""
    ids = np.array([1, 2, 3, 4], dtype=np.int64)
    klass = np.array([0, 1, 2, 3], dtype=np.uint8)  # A B C D
    current = np.array([1, 0, 4, 4], dtype=np.int64)  # A, none, D, D
    change = services._changes(ids, klass, current)
    assert change.ids.tolist() == [2, 3]
    assert change.new.tolist() == ["B", "C"] and change.old.tolist() == ["", "D"]


@postgres_only
def test_pass_wise_update_writes_every_change_and_counts_it(roster):
    """Rule: in passes of at most ROWS_PER_PASS rows per heap page every changed class is
    written once, and the count is the number of entities whose class changed."""
    ids = np.array([e.pk for e in roster], dtype=np.int64)
    current = np.array([" ABCD".index(e.risk_class or " ") for e in roster], dtype=np.int64)
    klass = np.full(len(roster), 3, dtype=np.uint8)  # everyone D
    change = services._changes(ids, klass, current)
    assert len(change.ids) > services.ROWS_PER_PASS  # more than one pass on the page
    changed = services._update_entities(change, passes=True)
    assert changed == len(change.ids)
    assert set(Entity.objects.values_list("risk_class", flat=True)) == {"D"}
    services._drop_change_table()


@postgres_only
def test_failed_stepwise_run_puts_the_classes_back(roster):
    """Rule: a failed operation leaves nothing changed — a stepwise run that fails after its
    passes restores the classes it changed and is marked failed (ENGINEERING.md)."""
    before = dict(Entity.objects.values_list("id", "risk_class"))
    ids = np.array(sorted(before), dtype=np.int64)
    current = np.array([" ABCD".index(before[i] or " ") for i in ids.tolist()], dtype=np.int64)
    change = services._changes(ids, np.zeros(len(ids), dtype=np.uint8), current)
    run = ClassRun.objects.create(model=RiskModel.objects.get(version=1), as_of=dt.date.today())
    services._update_entities(change, passes=True)
    services._undo(change, run)
    services._drop_change_table()
    assert dict(Entity.objects.values_list("id", "risk_class")) == before
    run.refresh_from_db()
    assert run.status == ClassRun.Status.FAILED


def test_history_of_an_unfinished_run_is_not_shown(make_entity):
    """Rule: readers use done runs only — a run still writing (or failed) is not an entity's
    class history."""
    e = make_entity()
    done = services.classify()
    running = ClassRun.objects.create(model=done.model, as_of=dt.date.today())
    EntityRiskClass.objects.create(run=running, entity=e, score=99, risk_class="D")
    assert selectors.latest_rows([e.pk])[e.pk].run_id == done.pk
    assert [h.run_id for h in selectors.entity_risk(e, SYSTEM)["history"]] == [done.pk]


@postgres_only
def test_a_draw_does_not_freeze_while_classes_change(roster, admin_a):
    """Rule: a roster frozen for a draw holds the old classes or the new ones, never a mix: while
    a classification run holds core.locks.RISK_CLASSES (its pass-wise writes), freezing waits."""
    import psycopg
    from django.db import OperationalError, transaction

    from jianguan.core import locks
    from jianguan.planning.services import task_save
    from jianguan.sampling import freeze
    from tests.sampling.test_draw_service import definition

    task = task_save(admin_a, definition=definition())
    s = connection.settings_dict
    other = psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"],
        port=s["PORT"] or 5432,
        password=s["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [locks.RISK_CLASSES])
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as c:
                c.execute("SET LOCAL lock_timeout = '200ms'")
            freeze.target_roster(task)
        other.execute("SELECT pg_advisory_unlock(%s)", [locks.RISK_CLASSES])
        with transaction.atomic():
            assert len(freeze.target_roster(task).uscc) == len(roster)
    finally:
        other.close()
