"""Check items carry a floor as well as a cap: the market regulation department's testing-body
items sample at least 15% (seed 001 §三(二)1: 抽查比例不低于15%). A task below the floor is
refused with the reason by the form, the API and `run_draw`."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from jianguan.catalog.models import CheckItem
from jianguan.planning.models import Task
from jianguan.planning.rules import DefinitionError
from jianguan.planning.services import task_save
from tests.planning.conftest import definition
from tests.planning.test_views import form_data

pytestmark = pytest.mark.django_db
FLOOR_TEXT = "比例下限 15%"


def test_testing_items_carry_the_15_percent_floor():
    for code in ("SH-SC-003", "SH-SC-004", "SH-SC-005"):
        assert CheckItem.objects.get(code=code).min_ratio == Decimal("0.15")
    # another department's testing-body item keeps its own rule
    assert CheckItem.objects.get(code="SH-RF-001").min_ratio is None


def test_a_floor_above_the_cap_is_refused():
    item = CheckItem.objects.get(code="SH-RF-001")
    item.min_ratio = Decimal("0.15")
    with pytest.raises(ValidationError, match="比例下限"):
        item.full_clean()


def test_service_refuses_one_percent_naming_the_floor(admin_a):
    with pytest.raises(DefinitionError) as e:
        task_save(
            admin_a,
            definition=definition(items=["SH-SC-003"], sampling={"mode": "ratio", "ratio": "0.01"}),
        )
    assert FLOOR_TEXT in e.value.errors["sampling.ratio"][0]
    # every class ratio must reach it too
    with pytest.raises(DefinitionError) as e:
        task_save(
            admin_a,
            definition=definition(
                items=["SH-SC-003"],
                sampling={
                    "mode": "ratio",
                    "class_ratios": {"A": "0.01", "B": "0.2", "C": "1", "D": "1"},
                },
            ),
        )
    assert FLOOR_TEXT in e.value.errors["sampling.class_ratios"][0]
    task_save(
        admin_a,
        definition=definition(items=["SH-SC-003"], sampling={"mode": "ratio", "ratio": "0.15"}),
    )


def test_form_refuses_one_percent(login, admin_a):
    data = form_data(
        ["SH-SC-003"], sampling_ratio="1", sampling_class_ratios_A="", sampling_class_ratios_D=""
    )
    response = login(admin_a).post(reverse("planning:task_create"), data)
    assert response.status_code == 200
    assert FLOOR_TEXT in response.content.decode()
    assert not Task.objects.exists()


def test_api_refuses_one_percent(api_as, admin_a):
    body = definition(items=["SH-SC-003"], sampling={"mode": "ratio", "ratio": "0.01"})
    response = api_as(admin_a).post("/planning/tasks", body)
    assert response.status_code == 422
    assert FLOOR_TEXT in response.json()["errors"]["sampling.ratio"][0]


def test_run_draw_refuses_one_percent(tmp_path):
    path = tmp_path / "task.json"
    path.write_text(
        json.dumps(definition(items=["SH-SC-003"], sampling={"mode": "ratio", "ratio": "0.01"})),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=FLOOR_TEXT):
        call_command("run_draw", str(path), "--out", str(tmp_path / "proof"))
    assert not Task.objects.exists()
