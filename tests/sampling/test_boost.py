"""Differentiated supervision (差异化监管, issue 5 item 6): a missed proficiency test (能力验证
未参加) raises an inspection & testing body's draw probability as the task configures —
`sampling.missed_pt_class` (planning.rules), applied by sampling.freeze.drawn_class."""

from __future__ import annotations

import datetime as dt

import pytest

from jianguan.planning.models import Task
from jianguan.planning.rules import DefinitionError, normalize
from jianguan.planning.services import task_save
from jianguan.sampling import services
from tests.sampling.test_draw_service import CHECK_DATE, add_inspectors, definition
from tests.testing.builders import pt_result

DAY = dt.date.fromisoformat(CHECK_DATE)


def _pt(entity, held_on, outcome="missed"):
    return pt_result(entity, held_on, outcome)


def _with_rule(task, **rule) -> Task:
    """The task saved again, through planning.services.task_save, with the missed-PT rule."""
    d = dict(task.definition)
    d["sampling"] = dict(d["sampling"], **rule)
    return task_save(task.created_by, definition=d, task=task)


@pytest.fixture
def bodies(make_entity):
    """40 A-class entities; the first 6 are testing bodies with PT records."""
    entities = [make_entity(risk_class="A") for _ in range(40)]
    _pt(entities[0], DAY - dt.timedelta(days=30))  # missed, recent: boosted
    _pt(entities[1], DAY - dt.timedelta(days=200))  # missed, recent: boosted
    _pt(entities[2], DAY - dt.timedelta(days=300))  # missed, recent: boosted
    _pt(entities[3], DAY - dt.timedelta(days=500))  # missed, 16 months ago: not in 12 months
    _pt(entities[4], DAY - dt.timedelta(days=30), "satisfactory")
    _pt(entities[5], DAY + dt.timedelta(days=5))  # after the check date: not yet known
    return entities


RATIOS = {"class_ratios": {"A": "0.01", "B": "0.01", "C": "0.01", "D": "1"}}


def test_missed_pt_bodies_are_drawn_as_the_configured_class(bodies, admin_a):
    """Rule: bodies that missed a PT within missed_pt_months before the check date are drawn as
    missed_pt_class (here D, ratio 100%): all three are drawn; a PT missed 16 months ago, a
    satisfactory one, or one after the check date changes nothing (issue 5 item 6)."""
    add_inspectors(8)
    task = task_save(admin_a, definition=definition(**RATIOS))
    before = services.preview(task)
    assert not any(s["stratum"] == "D" for s in before["strata"])
    task = _with_rule(task, missed_pt_class="D", missed_pt_months=12)
    preview = services.preview(task)
    assert any(s["stratum"] == "D" and s["population"] == 3 for s in preview["strata"])
    draw = services.execute(services.commit(task, user=admin_a), user=admin_a)
    boosted = {e.pk for e in bodies[:3]}
    drawn_d = set(draw.visits.filter(stratum="D").values_list("entity_id", flat=True))
    assert drawn_d == boosted
    # the rule is part of the frozen rules the draw published
    assert draw.rules["sampling"]["missed_pt_class"] == "D"


def test_window_in_months_is_configurable(bodies, admin_a):
    """Rule: missed_pt_months sets the window: 18 months also catches the 16-month-old miss."""
    add_inspectors(8)
    task = _with_rule(
        task_save(admin_a, definition=definition(**RATIOS)),
        missed_pt_class="D",
        missed_pt_months=18,
    )
    preview = services.preview(task)
    assert any(s["stratum"] == "D" and s["population"] == 4 for s in preview["strata"])


def test_listed_and_missed_take_the_riskier_class(bodies, admin_a):
    """Rule: an entity both on a credit list (listed_class C) and missing a PT (missed_pt_class
    D) is drawn as the riskier class, D (sampling.freeze.drawn_class)."""
    from jianguan.credit.models import AbnormalListing

    AbnormalListing.objects.create(
        entity=bodies[0],
        reason=AbnormalListing._meta.get_field("reason").choices[0][0],
        trigger_date=dt.date(2026, 1, 5),
        listed_on=dt.date(2026, 1, 10),
        decided_by=bodies[0].district,
    )
    AbnormalListing.objects.create(
        entity=bodies[10],
        reason=AbnormalListing._meta.get_field("reason").choices[0][0],
        trigger_date=dt.date(2026, 1, 5),
        listed_on=dt.date(2026, 1, 10),
        decided_by=bodies[10].district,
    )
    add_inspectors(8)
    task = task_save(admin_a, definition=definition(**RATIOS, listed_class="C"))
    task = _with_rule(task, missed_pt_class="D")
    strata = {s["stratum"]: s["population"] for s in services.preview(task)["strata"]}
    assert strata["D"] == 3  # the three recent misses, bodies[0] among them
    assert strata["C"] == 1  # bodies[10]: listed only


def test_rule_is_checked_and_written_only_when_set():
    """Rule: planning.rules.normalize accepts A-D or nothing, months 1-60; definitions without
    the rule stay as they were (the frozen rules of past draws do not change)."""
    base = {
        "title": "t",
        "unit": "310101",
        "items": ["x"],
        "check_date": CHECK_DATE,
        "sampling": {"ratio": "0.1"},
    }
    assert "missed_pt_class" not in normalize(base)["sampling"]
    ok = normalize(dict(base, sampling={"ratio": "0.1", "missed_pt_class": "C"}))
    assert ok["sampling"]["missed_pt_class"] == "C" and ok["sampling"]["missed_pt_months"] == 12
    with pytest.raises(DefinitionError) as exc:
        normalize(
            dict(base, sampling={"ratio": "0.1", "missed_pt_class": "E", "missed_pt_months": 0})
        )
    assert set(exc.value.errors) == {"sampling.missed_pt_class", "sampling.missed_pt_months"}
