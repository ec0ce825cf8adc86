"""Proficiency tests move from the risk app into the testing app with their data: each old
(scheme, year) becomes a scheme of the library, each record a result; 有问题 becomes 可疑."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import new_uscc

BEFORE = [("risk", "0003_proficiency_test"), ("testing", "0003_register_from_roster")]
AFTER = [("risk", "0004_delete_proficiencytest"), ("testing", "0004_pt_from_risk")]


@pytest.mark.django_db(transaction=True)
def test_pt_records_move_into_the_testing_app():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Unit, Entity = old.get_model("org", "Unit"), old.get_model("registry", "Entity")
    district = Unit.objects.get(code="310101")
    code = new_uscc()
    body = Entity.objects.create(uscc=code, name="甲检测公司", district=district, domains=1 << 7)
    old.get_model("registry", "TestingBody").objects.create(entity=body, fields=1 << 3)
    PT = old.get_model("risk", "ProficiencyTest")
    for scheme, year, outcome in [
        ("食品中铅的测定", 2025, "questionable"),
        ("食品中铅的测定", 2025, "missed"),
        ("水中氨氮", 2026, "satisfactory"),
    ]:
        entity = (
            body
            if outcome != "missed"
            else Entity.objects.create(
                uscc=new_uscc(), name="乙检测公司", district=district, domains=1 << 7
            )
        )
        PT.objects.create(
            entity=entity, scheme=scheme, year=year, outcome=outcome, held_on=dt.date(year, 6, 30)
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Scheme, Result = new.get_model("testing", "PTScheme"), new.get_model("testing", "PTResult")
    assert sorted(Scheme.objects.values_list("name", "year", "field")) == [
        ("水中氨氮", 2026, "food_testing"),
        ("食品中铅的测定", 2025, "food_testing"),
    ]
    grades = sorted(Result.objects.values_list("scheme__name", "grade", "reported_on"))
    assert grades == [
        ("水中氨氮", "satisfactory", dt.date(2026, 6, 30)),
        ("食品中铅的测定", "missed", dt.date(2025, 6, 30)),
        ("食品中铅的测定", "questionable", dt.date(2025, 6, 30)),
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
