"""Credit grades of testing bodies from the indicator system kept as data (seed 001 §三(四)1):
inputs from checks, PT, assessments, handling and listings; a veto item forces D; each body's
grade is explained and kept in its history; a used version is never changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jianguan.catalog.models import Violation
from jianguan.testing import grades, proficiency, services
from jianguan.testing.models import BodyGrade, GradeModel, PTScheme, TargetedCheck

TODAY = dt.date.today()


@pytest.fixture
def scheme(db):
    return PTScheme.objects.create(
        number="SH-PT-G",
        name="铅",
        field="food_testing",
        items="铅",
        year=TODAY.year,
        provider="测试",
        deadline=TODAY,
    )


def _poor(body, scheme, admin, x="13"):
    return proficiency.result_record(
        user=admin,
        entity=body,
        data={
            "scheme": scheme,
            "item": "铅",
            "x": Decimal(x),
            "assigned": Decimal("10"),
            "sigma": Decimal("1"),
            "reported_on": TODAY - dt.timedelta(days=3),
        },
    )


def test_false_report_vetoes_to_d_with_explanation_and_history(make_body, scheme, admin_a):
    clean, poor, false = make_body(), make_body(), make_body()
    _poor(poor, scheme, admin_a)  # 不满意: −10 (T1)
    first = grades.run(as_of=TODAY)
    assert BodyGrade.objects.get(entity=poor, current=True).grade == "A"  # 90 ≥ 90
    check = TargetedCheck.objects.create(entity=false, reason="线索", due_on=TODAY)
    services.targeted_check_record(
        user=admin_a,
        check=check,
        data={
            "checked_on": TODAY,
            "result": "violation",
            "violation": Violation.objects.get(code="JC12"),
            "findings": "伪造原始记录",
        },
    )
    second = grades.run(as_of=TODAY)
    g = BodyGrade.objects.get(entity=false, current=True)
    assert (g.grade, g.score, g.veto) == ("D", Decimal("100.0"), "V1")
    words = grades.explain(g)
    assert "出具虚假检验检测报告" in words["veto"]
    assert BodyGrade.objects.get(entity=clean, current=True).grade == "A"
    assert list(
        BodyGrade.objects.filter(entity=false).order_by("run_id").values_list("grade", flat=True)
    ) == ["A", "D"]
    assert second.changed == 1 and second.counts["D"] == 1 and first.counts["A"] == 3


def test_grade_model_used_is_copied_on_edit_and_only_the_city_edits(city_admin, admin_a, make_body):
    make_body()
    model = grades.active_model()
    grades.run(as_of=TODAY)
    with pytest.raises(PermissionDenied):
        grades.indicator_save(user=admin_a, model=model, code="T1", data={"points": Decimal(20)})
    draft = grades.indicator_save(
        user=city_admin,
        model=model,
        code="T1",
        data={
            "category": "technical",
            "code": "T1",
            "name": "能力验证不满意",
            "feature": "pt_unsatisfactory",
            "points": Decimal(20),
            "cap": Decimal(40),
            "position": 3,
        },
    )
    assert draft.pk != model.pk and draft.status == GradeModel.Status.DRAFT
    assert model.indicators.get(code="T1").points == Decimal(10)
    grades.model_activate(user=city_admin, model=draft)
    assert grades.active_model() == draft
