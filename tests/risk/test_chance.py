"""抽查概率说明 on the entity page (issue 5 item 6: "the entity page shows why an entity's
probability is what it is"): its class, list memberships, a missed proficiency test, and the
rule and ratio each open or recent task applies to it (risk.chance mirrors sampling.freeze)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.test import RequestFactory

from jianguan.credit.models import AbnormalListing
from jianguan.planning.models import Task
from jianguan.planning.rules import normalize
from jianguan.planning.services import task_save
from jianguan.registry.models import TestingBody as Body
from jianguan.risk import chance
from tests.sampling.test_draw_service import definition
from tests.testing.builders import pt_result

DAY = dt.date(2026, 5, 20)


def _facts(**kw):
    base = {
        "risk_class": "A",
        "key_tier": "",
        "status": "active",
        "entity_type": "enterprise",
        "district_code": "310101",
    }
    return chance.Facts(**{**base, **kw})


def _definition(**sampling):
    return normalize(
        {
            "title": "t",
            "unit": "310101",
            "items": ["x"],
            "check_date": DAY.isoformat(),
            "sampling": {"class_ratios": {"A": "0.02", "B": "0.05", "C": "0.5", "D": "1"}}
            | sampling,
        }
    )


def test_own_class_ratio():
    """Rule: without list or PT rules, an entity is drawn at its own class's ratio."""
    c = chance.explain(_facts(), _definition(), DAY)
    assert (c.drawn_class, c.ratio, c.certain) == ("A", "2%", False)


def test_listed_and_missed_pt_move_the_class_up():
    """Rule: listed_class applies to entities on a credit list, missed_pt_class to a PT missed
    in the window; both → the riskier (sampling.freeze.drawn_class)."""
    d = _definition(listed_class="C", missed_pt_class="D", missed_pt_months=12)
    listed = chance.explain(_facts(listed=["经营异常名录"]), d, DAY)
    assert (listed.drawn_class, listed.ratio) == ("C", "50%")
    assert any("经营异常名录" in r and "C类" in r for r in listed.reasons)
    missed = chance.explain(_facts(missed_pt=[dt.date(2026, 1, 1)]), d, DAY)
    assert (missed.drawn_class, missed.ratio) == ("D", "100%")
    old = chance.explain(_facts(missed_pt=[dt.date(2024, 1, 1)]), d, DAY)
    assert old.drawn_class == "A"
    both = chance.explain(_facts(listed=["经营异常名录"], missed_pt=[dt.date(2026, 1, 1)]), d, DAY)
    assert both.drawn_class == "D"


def test_certainty_and_population():
    """Rule: certainty groups are drawn for sure; an entity outside the population cannot be."""
    d = _definition(certainty={"key_tiers": ["special"]})
    assert chance.explain(_facts(key_tier="special"), d, DAY).certain
    d = normalize(dict(_definition(), population={"risk_classes": ["C", "D"]}))
    c = chance.explain(_facts(), d, DAY)
    assert not c.in_population and "信用风险分类不符" in c.reasons[0]


def test_entity_page_explains_the_draw_probability(make_entity, make_user, admin_a):
    """Rule: the entity's section names its class, list membership, missed PT and, per open
    task, the class it is drawn as and the ratio."""
    e = make_entity(risk_class="A")
    Body.objects.create(entity=e)
    pt_result(e, dt.date(2026, 3, 1), scheme="能力验证甲")
    AbnormalListing.objects.create(
        entity=e,
        reason=AbnormalListing._meta.get_field("reason").choices[0][0],
        trigger_date=dt.date(2026, 1, 5),
        listed_on=dt.date(2026, 1, 10),
        decided_by=e.district,
    )
    ratios = {"class_ratios": {"A": "0.01", "B": "0.02", "C": "0.3", "D": "1"}}
    task = task_save(admin_a, definition=definition(**ratios, listed_class="C"))
    d = dict(task.definition, sampling=dict(task.definition["sampling"], missed_pt_class="D"))
    Task.objects.filter(pk=task.pk).update(definition=normalize(d))
    request = RequestFactory().get("/")
    request.user = make_user("district_admin", "310101")
    html = Template("{% load risk %}{% risk_section entity %}").render(
        Context({"request": request, "entity": e})
    )
    assert "抽查概率说明" in html and task.title in html
    assert "列入经营异常名录" in html and "能力验证未参加" in html
    assert "按D类适用本任务的分类比例 100%" in html
    assert "能力验证甲：" in html and "未参加" in html  # the body's PT record itself
