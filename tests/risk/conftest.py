from __future__ import annotations

import datetime as dt

import pytest

from jianguan.planning.models import Plan, Task
from jianguan.sampling.models import Draw, Visit
from tests.conftest import unit


@pytest.fixture
def visit(db):
    """visit(entity, check_date, status="drawn") → a Visit of a draw of a task on that date."""

    def make(entity, check_date: dt.date, status: str = Draw.Status.DRAWN) -> Visit:
        city = unit("310000")
        plan, _ = Plan.objects.get_or_create(unit=city, year=check_date.year, title="测试计划")
        task = Task.objects.create(plan=plan, unit=city, title="测试任务", check_date=check_date)
        draw = Draw.objects.create(task=task, status=status, commitment="x" * 64, secret="y" * 64)
        return Visit.objects.create(
            draw=draw, entity=entity, district=entity.district, stratum="all"
        )

    return make
