"""Model versions, classification runs, the backtest, key-area lists (through the services)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jianguan.core.models import AuditEvent, Job
from jianguan.credit.models import SeriousListing
from jianguan.demo import risk_history as history
from jianguan.registry.models import Entity
from jianguan.risk import backtest, services, tasks
from jianguan.risk.models import CheckOutcome, ClassRun, EntityRiskClass, RiskModel
from tests.conftest import DISTRICT_A, DISTRICT_B, unit

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def v1(db):
    return RiskModel.objects.get(version=1)


@pytest.fixture
def entities(make_entity):
    """A few entities with distinct features (young food shop, old big manufacturer, …)."""
    return [
        make_entity(established_on=dt.date(2026, 1, 1), entity_type="individual", domains=1),
        make_entity(
            established_on=dt.date(2000, 1, 1), capital_wan=5000, industry_code="1310", domains=0
        ),
        make_entity(DISTRICT_B, established_on=dt.date(2020, 5, 1), domains=2, key_tier="special"),
        make_entity(established_on=dt.date(2015, 5, 1), capital_wan=50, domains=16),
    ]


def test_default_model_is_active_and_reads_existing_features(v1):
    assert v1.status == RiskModel.Status.ACTIVE
    assert v1.indicators.count() >= 10 and v1.vetoes.count() >= 1
    complaints = v1.indicators.get(code="complaints")
    assert "占位" in complaints.source_note
    services.compile_model(v1)  # every rule compiles


def test_run_writes_classes_history_and_counts(v1, entities, city_admin):
    run = services.classify(user=city_admin, as_of=TODAY)
    assert run.status == ClassRun.Status.DONE and run.model == v1
    assert sum(run.counts.values()) == len(entities)
    rows = {r.entity_id: r for r in EntityRiskClass.objects.filter(run=run)}
    assert set(rows) == {e.pk for e in entities}
    for e in entities:
        e.refresh_from_db()
        assert e.risk_class == rows[e.pk].risk_class
        assert e.risk_class in "ABCD"
    # the young individual food shop scores more than the old big manufacturer
    assert rows[entities[0].pk].score > rows[entities[1].pk].score
    assert AuditEvent.objects.filter(object_type="risk.classrun", object_id=str(run.pk)).exists()


def test_veto_item_serious_listing_forces_class_d(v1, entities, city_admin):
    """Default model veto item: an entity on the serious-violation list (总局令第44号) is class D
    whatever its score (issue 5 item 1: veto items force D)."""
    old = entities[1]
    SeriousListing.objects.create(
        entity=old,
        category="food",
        violation="测试",
        listed_by=unit(DISTRICT_A),
        listed_on=dt.date(2026, 1, 5),
        decision_no="x",
        status="listed",
    )
    run = services.classify(as_of=TODAY)
    row = EntityRiskClass.objects.get(run=run, entity=old)
    assert row.risk_class == "D"
    assert '"v":"serious_listed"' in row.explanation


def test_model_edit_makes_a_new_version_and_past_classes_stay_reproducible(
    v1, entities, city_admin
):
    first = services.classify(as_of=TODAY)
    before = dict(EntityRiskClass.objects.filter(run=first).values_list("entity_id", "risk_class"))
    # Editing the active, used version makes a new draft; V1 itself is untouched.
    v2 = services.model_update(city_admin, model=v1, data={"thresholds": {"B": 0, "C": 0, "D": 0}})
    assert v2.version == 2 and v2.based_on == v1 and v2.status == RiskModel.Status.DRAFT
    v1.refresh_from_db()
    assert v1.thresholds == {"B": 20, "C": 31, "D": 43}
    assert v2.indicators.count() == v1.indicators.count()
    # a second edit of the (unused) draft changes it in place
    v2b, ind = services.indicator_save(city_admin, model=v2, data={"code": "age", "weight": 2.0})
    assert v2b == v2 and ind.weight == 2.0
    assert v1.indicators.get(code="age").weight == 1.0
    services.model_activate(city_admin, model=v2)
    v1.refresh_from_db()
    assert v1.status == RiskModel.Status.RETIRED
    second = services.classify(as_of=TODAY)
    assert set(second.counts) == set("ABCD") and second.counts["D"] == len(entities)
    # Re-running the past version on the same features gives the same classes.
    again = services.classify(model=v1, as_of=TODAY)
    assert again.model == v1
    replay = dict(EntityRiskClass.objects.filter(run=again).values_list("entity_id", "risk_class"))
    assert replay == before
    assert (
        AuditEvent.objects.filter(object_type="risk.riskmodel", object_id=str(v2.pk)).count() >= 3
    )


def test_only_city_admins_edit_models(v1, admin_a):
    with pytest.raises(PermissionDenied):
        services.model_update(admin_a, model=v1, data={"name": "x"})
    with pytest.raises(PermissionDenied):
        tasks.start_classify(admin_a)


def test_bad_rule_is_refused(v1, city_admin):
    with pytest.raises(ValidationError):
        services.indicator_save(
            city_admin, model=v1, data={"code": "age", "rule": {"type": "flag", "points": 3}}
        )


def test_run_as_background_job(v1, entities, city_admin):
    """The run through core.jobs (ImmediateBackend in tests): the job ends done with counts
    and a link to the run."""
    job = tasks.start_classify(city_admin)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    run = ClassRun.objects.get(pk=job.result["run"])
    assert run.job_id == job.pk
    assert job.result["url"] == f"/risk/runs/{run.pk}/"
    assert sum(v for k, v in job.result["counts"].items() if k.endswith("类")) == len(entities)


def test_commands_classify_and_backtest_lift_above_one_on_small_demo(v1, capsys):
    """seed_demo --entities 5000 + seed_risk_history: drawing by class with the model's ratios
    finds more problems per check than uniform drawing (lift > 1)."""
    call_command("seed_demo", entities=5000, seed=1, today=TODAY)
    n = history.seed(1, TODAY)
    assert n > 1000
    assert CheckOutcome.objects.filter(source="demo").count() == n
    call_command("classify_risk")
    assert ClassRun.objects.count() == 1
    assert not Entity.objects.filter(risk_class="").exists()
    report = backtest.run(v1, TODAY - dt.timedelta(days=365), TODAY)
    assert report.checks > 300
    assert report.lift > 1.1, backtest.table(report)
    rates = [r.rate for r in report.rows if r.checks >= 30]
    assert rates[0] < rates[-1]  # A finds fewer problems than the riskiest class checked
    call_command("backtest_risk", today=TODAY)
    out = capsys.readouterr().out
    assert "提升倍数" in out and "A类" in out


def test_history_is_deterministic_and_hides_the_propensity(v1, entities):
    a = history.generate(5, TODAY)
    b = history.generate(5, TODAY)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    fields = {f.name for f in CheckOutcome._meta.get_fields()}
    assert "propensity" not in fields


# --- key-area lists -------------------------------------------------------------------------------


def test_listing_keeps_entity_key_tier_in_sync(make_entity, admin_a):
    e = make_entity()
    assert e.key_tier == ""
    general = services.listing_create(
        admin_a,
        data={
            "entity": e,
            "area": "food",
            "tier": "general",
            "reason": "食品销售",
            "listed_on": TODAY,
        },
    )
    e.refresh_from_db()
    assert e.key_tier == "general"
    special = services.listing_create(
        admin_a,
        data={
            "entity": e,
            "area": "drug",
            "tier": "special",
            "reason": "药品零售",
            "listed_on": TODAY,
        },
    )
    e.refresh_from_db()
    assert e.key_tier == "special"
    with pytest.raises(ValidationError):
        services.listing_create(
            admin_a,
            data={
                "entity": e,
                "area": "drug",
                "tier": "general",
                "reason": "重复",
                "listed_on": TODAY,
            },
        )
    services.listing_remove(admin_a, listing=special, removed_on=TODAY, reason="停止药品经营")
    e.refresh_from_db()
    assert e.key_tier == "general"
    services.listing_remove(admin_a, listing=general, removed_on=TODAY, reason="停业")
    e.refresh_from_db()
    assert e.key_tier == ""
    assert (
        AuditEvent.objects.filter(object_type="registry.entity", object_id=str(e.pk)).count() == 4
    )


def test_listing_outside_district_is_refused(make_entity, admin_a):
    other = make_entity(DISTRICT_B)
    with pytest.raises(PermissionDenied):
        services.listing_create(
            admin_a,
            data={
                "entity": other,
                "area": "food",
                "tier": "general",
                "reason": "x",
                "listed_on": TODAY,
            },
        )
