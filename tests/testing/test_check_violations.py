"""Violations of 总局令第39号 in check results: the team records the violation found at an
inspection & testing body with the result; only with a problem found; only for testing bodies;
a confirmed false report feeds the credit grade's veto item (seed 001 §三(四)1)."""

from __future__ import annotations

import datetime as dt

from jianguan.inspections import services as inspections
from jianguan.inspections.models import Result
from jianguan.registry.models import DOMAINS
from jianguan.sampling.models import Visit
from jianguan.testing import grades
from jianguan.testing.models import BodyGrade
from tests.inspections.conftest import world  # noqa: F401 (fixture)
from tests.inspections.helpers import post_record, visit_url

CHECKED = dt.date.today() - dt.timedelta(days=1)


def _as_testing_body(entity):
    from jianguan.registry.models import TestingBody

    entity.domains = DOMAINS.mask(["testing_body"])
    entity.save(update_fields=["domains"])
    TestingBody.objects.create(entity=entity)


def test_violation_is_recorded_with_a_problem_found(client, world):  # noqa: F811
    _as_testing_body(world["entity"])
    client.force_login(world["first"])
    page = client.get(visit_url(world["visit"])).content.decode()
    assert "JC11 未经检验检测出具报告" in page
    refused = post_record(client, world["visit"], CHECKED, violation="JC11")  # code 01
    assert refused.status_code == 200
    assert "检查结果为未发现问题时，不能填写违法行为" in refused.content.decode()
    assert not Result.objects.exists()
    done = post_record(
        client, world["visit"], CHECKED, code="0204", findings="报告未经检验出具", violation="JC11"
    )
    assert done.status_code == 302
    assert Result.objects.get().violation.code == "JC11"
    fresh = Visit.objects.get(pk=world["visit"].pk)  # the record is read anew
    inspections.confirm(user=world["second"], visit=fresh)
    grades.run()
    grade = BodyGrade.objects.get(entity=world["entity"], current=True)
    assert (grade.grade, grade.veto) == ("D", "V1")


def test_other_entities_have_no_violation_field(client, world):  # noqa: F811
    client.force_login(world["first"])
    page = client.get(visit_url(world["visit"])).content.decode()
    assert "-violation" not in page
