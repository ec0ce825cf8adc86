"""Writes of plans and tasks (planning.services).

Rules checked (DOMAIN.md "Double random, one public"; ENGINEERING.md "Habits"):
- a task is saved from its definition only when every code in it is known: check items, units,
  expertise tags, industries (GB/T 4754-2017), domains; unknown codes are named under their path;
- a task's unit must be within the user's jurisdiction (one scoping mechanism, also for writes);
- general items have a capped ratio (seed 003: 2%), key items none: the task's cap is the
  smallest cap of its general items, and a ratio rule above it is refused;
- the unit's plan for the year is found or created (draft); every change is audited in the same
  transaction; a task whose roster is frozen or drawn is not edited any more;
- plans are filed by their unit and approved (or returned with a reason) by the level above.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jianguan.core.models import AuditEvent
from jianguan.org.models import Unit
from jianguan.planning import permissions, services
from jianguan.planning.models import Plan, Task
from jianguan.planning.rules import DefinitionError
from tests.conftest import DISTRICT_A, DISTRICT_B
from tests.planning.conftest import definition, make_item

pytestmark = pytest.mark.django_db


def save_errors(user, data, task=None) -> dict[str, list[str]]:
    with pytest.raises(DefinitionError) as exc:
        services.task_save(user, definition=data, task=task)
    return exc.value.errors


# --- task_save ----------------------------------------------------------------------------------


def test_task_save_creates_task_plan_and_audit_events(admin_a):
    key = make_item(kind="key", cap=None, dept="GA")
    general = make_item()
    task = services.task_save(
        admin_a,
        definition=definition(
            items=[general.code, key.code],
            quarter=2,
            batch=3,
            window={"start": "2026-05-20", "end": "2026-06-30"},
        ),
    )
    unit = Unit.objects.get(code=DISTRICT_A)
    assert task.unit == unit and task.district == unit
    assert (task.batch, task.quarter) == (3, 2)
    assert str(task.check_date) == "2026-05-20"
    assert str(task.window_start) == "2026-05-20" and str(task.window_end) == "2026-06-30"
    assert set(task.items.all()) == {general, key}
    assert task.is_joint  # 市场监管 + 公安
    assert task.status == Task.Status.DRAFT and task.created_by == admin_a
    # The stored definition is the normalized one: every default written out.
    assert task.definition["team"]["size"] == 2
    assert task.definition["population"]["statuses"] == ["active"]
    plan = task.plan
    assert plan.unit == unit and plan.district == unit and plan.year == 2026
    assert plan.title == "2026年度黄浦区双随机抽查工作计划"
    assert plan.status == Plan.Status.DRAFT
    events = AuditEvent.objects.filter(actor=admin_a)
    assert events.filter(object_type="planning.task", object_id=str(task.pk), action="create")
    assert events.filter(object_type="planning.plan", object_id=str(plan.pk), action="create")
    assert events.get(object_type="planning.task").district == unit


def test_second_task_reuses_the_plan(admin_a):
    first = services.task_save(admin_a, definition=definition())
    second = services.task_save(admin_a, definition=definition(title="第二批"))
    assert first.plan == second.plan
    assert Plan.objects.count() == 1


def test_city_task_belongs_to_a_city_plan(city_admin):
    task = services.task_save(city_admin, definition=definition(unit="310000"))
    assert task.district is None and task.plan.district is None
    assert task.plan.title == "2026年度市局双随机抽查工作计划"


def test_unknown_item_code_is_refused(admin_a):
    errors = save_errors(admin_a, definition(items=["NO-SUCH-ITEM", make_item().code]))
    assert list(errors) == ["items"]
    assert "NO-SUCH-ITEM" in errors["items"][0]
    assert not Task.objects.exists() and not Plan.objects.exists()


def test_unit_outside_jurisdiction_is_refused(admin_a):
    errors = save_errors(admin_a, definition(unit=DISTRICT_B))
    assert errors == {"unit": ["所选机构不在您的管辖范围内"]}
    assert save_errors(admin_a, definition(unit="310000"))["unit"]  # the city is above
    assert not Task.objects.exists() and not AuditEvent.objects.exists()


def test_unknown_unit_and_station_unit_are_refused(admin_a):
    assert "不存在" in save_errors(admin_a, definition(unit="999999"))["unit"][0]
    assert "市局或区局" in save_errors(admin_a, definition(unit=f"{DISTRICT_A}-S01"))["unit"][0]


def test_station_and_read_only_users_may_not_write(station_a):
    with pytest.raises(PermissionDenied):
        services.task_save(station_a, definition=definition())


def test_rules_errors_come_with_database_errors(admin_a):
    errors = save_errors(
        admin_a,
        definition(
            items=["NOPE"],
            sampling={"ratio": "7"},
            team={"size": 1, "skills": ["food", "juggling"]},
        ),
    )
    assert {"items", "sampling.ratio", "team.size", "team.skills"} <= set(errors)
    assert "juggling" in errors["team.skills"][0]


def test_codes_are_checked_against_the_database(admin_a):
    errors = save_errors(
        admin_a,
        definition(
            population={
                "domains": ["food", "martian"],
                "districts": [DISTRICT_A, DISTRICT_B],
                "stations": [f"{DISTRICT_A}-S01", f"{DISTRICT_B}-S01", "X-1"],
                "industries": ["F", "52", "5211", "ZZ"],
            },
            team={"units": [f"{DISTRICT_B}-T01"]},
            experts={"per_target": 1, "field": "astrology"},
        ),
    )
    assert "martian" in errors["population.domains"][0]
    assert any(DISTRICT_B in m for m in errors["population.districts"])
    assert any("X-1" in m for m in errors["population.stations"])
    assert any(f"{DISTRICT_B}-S01" in m for m in errors["population.stations"])
    # Sections (F) and divisions (52) are known; a class code (5211) is not a division.
    assert (
        "5211" in errors["population.industries"][0] and "ZZ" in errors["population.industries"][0]
    )
    assert "F、" not in errors["population.industries"][0]
    assert errors["team.units"] and errors["experts.field"]


def test_valid_codes_pass(admin_a):
    task = services.task_save(
        admin_a,
        definition=definition(
            population={
                "domains": ["food"],
                "districts": [DISTRICT_A],
                "stations": [f"{DISTRICT_A}-S01"],
                "industries": ["F", "52"],
                "risk_classes": ["C", "D"],
                "key_tiers": ["special", ""],
            },
            team={"size": 3, "skills": ["food"], "units": [f"{DISTRICT_A}-T01"]},
            experts={"per_target": 1, "field": "food"},
        ),
    )
    assert task.definition["population"]["industries"] == ["52", "F"]
    assert task.definition["team"]["size"] == 3


def test_unknown_keys_and_nulls(admin_a):
    errors = save_errors(admin_a, {**definition(), "sampeling": {}, "team": {"sise": 3}})
    assert set(errors) == {"sampeling", "team.sise"}
    # null means "not given": the default applies.
    task = services.task_save(
        admin_a, definition={**definition(), "team": {"size": None}, "batch": None}
    )
    assert task.definition["team"]["size"] == 2 and task.batch == 1


def test_nul_characters_are_refused_before_any_query(admin_a):
    errors = save_errors(admin_a, definition(title="食品\x00抽查"))
    assert list(errors) == ["title"]


def test_check_date_must_lie_in_the_year(admin_a):
    assert "check_date" in save_errors(admin_a, definition(year=2027))


def test_ratio_above_the_general_items_cap_is_refused(admin_a):
    """Seed 003: general items are capped (2%); key items are not."""
    general = make_item(cap="0.02")
    errors = save_errors(admin_a, definition(items=[general.code], sampling={"ratio": "0.05"}))
    assert "2%" in errors["sampling.ratio"][0]
    # Per-class ratios: refused only when even the smallest exceeds the cap.
    all_high = {"class_ratios": {"A": "0.05", "B": "0.1", "C": "1", "D": "1"}}
    assert "sampling.class_ratios" in save_errors(
        admin_a, definition(items=[general.code], sampling=all_high)
    )
    mixed = {"class_ratios": {"A": "0.01", "B": "0.02", "C": "0.5", "D": "1"}}
    assert services.task_save(admin_a, definition=definition(items=[general.code], sampling=mixed))
    # Key items only: no cap at all.
    key = make_item(kind="key", cap=None)
    assert services.task_save(
        admin_a, definition=definition(items=[key.code], sampling={"ratio": "1"})
    )


def test_task_cap_is_the_smallest_general_cap():
    a = make_item(cap="0.05")
    b = make_item(cap="0.02")
    key = make_item(kind="key", cap=None)
    task = Task.objects.create(
        plan=Plan.objects.create(unit=Unit.objects.get(code="310000"), year=2026, title="测试计划"),
        unit=Unit.objects.get(code="310000"),
        title="t",
        check_date="2026-05-01",
    )
    task.items.set([a, b, key])
    assert services.task_cap(task) == "0.02"
    task.items.set([key])
    assert services.task_cap(task) is None
    task.items.set([a])
    assert services.task_cap(task) == "0.05"


def test_update_is_audited_and_frozen_tasks_are_refused(admin_a):
    task = services.task_save(admin_a, definition=definition())
    task = services.task_save(
        admin_a, definition=definition(title="改名后的任务", batch=2), task=task
    )
    assert task.title == "改名后的任务" and task.batch == 2
    update = AuditEvent.objects.get(object_type="planning.task", action="update")
    assert update.changes["title"] == ["2026年黄浦区食品经营者双随机抽查", "改名后的任务"]
    for status in (Task.Status.COMMITTED, Task.Status.DRAWN):
        Task.objects.filter(pk=task.pk).update(status=status)
        errors = save_errors(admin_a, definition(title="再改"), task)
        assert errors == {"": ["已冻结名单或已抽取的任务不能修改"]}
    task.refresh_from_db()
    assert task.title == "改名后的任务"


def test_other_district_cannot_edit(admin_a, admin_b):
    task = services.task_save(admin_a, definition=definition())
    with pytest.raises(PermissionDenied):
        services.task_save(admin_b, definition=definition(unit=DISTRICT_B), task=task)


def test_task_from_file(admin_a, tmp_path):
    path = tmp_path / "task.json"
    path.write_text(json.dumps(definition(), ensure_ascii=False), encoding="utf-8")
    task = services.task_from_file(admin_a, path=path)
    assert task.title == "2026年黄浦区食品经营者双随机抽查"
    # The downloaded definition loads back to the same task definition.
    path.write_text(services.definition_json(task), encoding="utf-8")
    again = services.task_from_file(admin_a, path=path)
    assert again.definition == task.definition
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError) as exc:
        services.task_from_file(admin_a, path=path)
    assert "第 1 行" in exc.value.errors[""][0]


def test_task_from_file_as_the_system(tmp_path):
    """run_draw may run without a user: the system writes, audited as 系统."""
    path = tmp_path / "task.json"
    path.write_text(json.dumps(definition(unit=DISTRICT_B)), encoding="utf-8")
    task = services.task_from_file(None, path=path)
    assert task.created_by is None
    assert AuditEvent.objects.get(object_type="planning.task").actor_label == "系统"


# --- plans --------------------------------------------------------------------------------------


def test_plan_workflow_district_files_city_approves(admin_a, city_admin):
    task = services.task_save(admin_a, definition=definition())
    plan = task.plan
    plan = services.plan_file(user=admin_a, plan=plan)
    assert plan.status == Plan.Status.FILED and plan.filed_at is not None
    # The district cannot approve its own plan: approval is by the level above.
    with pytest.raises(PermissionDenied):
        services.plan_approve(user=admin_a, plan=plan)
    plan = services.plan_approve(user=city_admin, plan=plan)
    assert plan.status == Plan.Status.APPROVED
    assert plan.approved_by == city_admin and plan.approved_at is not None
    notes = list(
        AuditEvent.objects.filter(object_type="planning.plan", action="update")
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert notes == ["报备", "批准"]


def test_plan_is_filed_by_its_own_unit_only(admin_a, city_admin, station_a):
    plan = services.task_save(admin_a, definition=definition()).plan
    with pytest.raises(PermissionDenied):
        services.plan_file(user=city_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_file(user=station_a, plan=plan)


def test_empty_plan_cannot_be_filed(admin_a):
    plan = services.plan_create(
        user=admin_a,
        data={"unit": Unit.objects.get(code=DISTRICT_A), "year": 2026, "title": "空计划"},
    )
    with pytest.raises(ValidationError):
        services.plan_file(user=admin_a, plan=plan)


def test_plan_return_needs_a_reason_and_goes_back_to_draft(admin_a, city_admin):
    plan = services.plan_file(
        user=admin_a, plan=services.task_save(admin_a, definition=definition()).plan
    )
    with pytest.raises(ValidationError):
        services.plan_return(user=city_admin, plan=plan, reason="  ")
    with pytest.raises(PermissionDenied):
        services.plan_return(user=admin_a, plan=plan, reason="自己退回")
    plan = services.plan_return(user=city_admin, plan=plan, reason="抽查比例偏低，请调整")
    assert plan.status == Plan.Status.DRAFT and plan.filed_at is None
    event = AuditEvent.objects.filter(object_type="planning.plan").order_by("-id").first()
    assert event.note == "退回：抽查比例偏低，请调整"
    with pytest.raises(ValidationError):
        services.plan_approve(user=city_admin, plan=plan)  # a draft is not approved


def test_a_plan_under_review_is_frozen_and_an_approved_one_records_its_changes(admin_a, city_admin):
    """DOMAIN.md: the plan is filed with the level above. While the city reviews it (filed),
    no task of the plan is added or changed; after approval a new task is a plan change
    (计划调整), recorded on the plan's own history."""
    first = services.task_save(admin_a, definition=definition())
    plan = services.plan_file(user=admin_a, plan=first.plan)
    with pytest.raises(DefinitionError, match="等待市局批准"):
        services.task_save(admin_a, definition=definition(title="报备后新增的任务"))
    with pytest.raises(DefinitionError, match="等待市局批准"):
        services.task_save(admin_a, definition=definition(title="报备后修改的标题"), task=first)
    with pytest.raises(DefinitionError, match="等待市局批准"):  # nor moved out to another year
        services.task_save(admin_a, definition=definition(check_date="2027-05-20"), task=first)
    assert list(plan.tasks.values_list("title", flat=True)) == [first.title]

    services.plan_approve(user=city_admin, plan=plan)
    added = services.task_save(admin_a, definition=definition(title="批准后增加的专项抽查"))
    assert added.plan == plan
    assert AuditEvent.objects.filter(
        object_type="planning.plan", object_id=str(plan.pk), note__contains="计划调整"
    ).exists()
    services.task_save(admin_a, definition=definition(title="修改草稿任务标题"), task=added)
    assert (
        AuditEvent.objects.filter(object_type="planning.plan", note__contains="计划调整").count()
        == 1  # editing a task already in the plan is not another adjustment
    )


def test_city_plan_is_approved_by_another_city_admin(city_admin, make_user):
    """Four eyes: the city's own plan (the system knows no provincial level) is approved by a
    city administrator other than the one who filed it; who filed is kept with the plan."""
    plan = services.task_save(city_admin, definition=definition(unit="310000")).plan
    plan = services.plan_file(user=city_admin, plan=plan)
    assert plan.filed_by == city_admin
    assert not permissions.can_approve(city_admin, plan)
    with pytest.raises(PermissionDenied, match="报备人以外"):
        services.plan_approve(user=city_admin, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_return(user=city_admin, plan=plan, reason="自行退回")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.FILED
    other = make_user("city_admin", "310000")
    assert services.plan_approve(user=other, plan=plan).status == Plan.Status.APPROVED


def test_plan_create_and_update(admin_a, admin_b):
    unit = Unit.objects.get(code=DISTRICT_A)
    plan = services.plan_create(user=admin_a, data={"unit": unit, "year": 2026, "title": "计划甲"})
    assert plan.district == unit
    with pytest.raises(ValidationError):
        services.plan_create(
            user=admin_a,
            data={"unit": Unit.objects.get(code=DISTRICT_B), "year": 2026, "title": "越权"},
        )
    with pytest.raises(PermissionDenied):
        services.plan_update(user=admin_b, plan=plan, data={"note": "x"})
    plan = services.plan_update(user=admin_a, plan=plan, data={"note": "按季度实施"})
    assert plan.note == "按季度实施"
    assert AuditEvent.objects.filter(object_type="planning.plan", action="update").exists()


def test_four_eyes_binds_superusers_too(admin_a, city_admin, make_user):
    """Four eyes holds for everyone (issue 12 item 5): an operator (superuser) who filed a plan
    can neither approve nor return it; another administrator decides."""
    operator = make_user("city_admin", "310000", username="operator")
    operator.is_superuser = True
    operator.save()
    plan = services.task_save(admin_a, definition=definition()).plan
    plan = services.plan_file(user=operator, plan=plan)
    assert plan.filed_by == operator
    assert not permissions.can_approve(operator, plan)
    with pytest.raises(PermissionDenied, match="报备人以外"):
        services.plan_approve(user=operator, plan=plan)
    with pytest.raises(PermissionDenied, match="报备人以外"):
        services.plan_return(user=operator, plan=plan, reason="自行退回")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.FILED
    assert services.plan_approve(user=city_admin, plan=plan).approved_by == city_admin
