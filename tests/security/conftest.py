"""One small world in district 310101 (黄浦区), built once per module, for the access matrix.

Every object a detail URL can point at exists here: an entity of station 310101-S01, inspectors,
an expert, a conflict declaration, a plan with tasks, a committed and a drawn draw, credit
listings with an objection and a repair, a commitment, a holiday entry, a job with a file, an API
token. The callers are one user per kind of caller (see CALLERS).

The world is built inside a transaction opened at module start and rolled back at module end; each
test runs inside it (pytest-django's per-test atomic becomes a savepoint), so a test's writes
vanish after it and nothing leaks into other modules, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client

D = dt.date

DISTRICT_OWN = "310101"  # 黄浦区: owns every object of the world
DISTRICT_OTHER = "310104"  # 徐汇区
STATION_OWN = "310101-S01"

# caller kind → (role, unit code); None: anonymous. "operator" is a superuser (django-admin).
CALLERS: dict[str, tuple[str, str] | None] = {
    "anonymous": None,
    "station": ("station_inspector", STATION_OWN),
    "admin_own": ("district_admin", DISTRICT_OWN),
    "admin_other": ("district_admin", DISTRICT_OTHER),
    "city": ("city_admin", "310000"),
    "expert": ("expert", DISTRICT_OWN),
    "read_only": ("read_only", DISTRICT_OWN),
}


@dataclass
class World:
    users: dict = field(default_factory=dict)  # caller kind → User (anonymous absent)
    keys: dict = field(default_factory=dict)  # caller kind → API key
    sessions: dict = field(default_factory=dict)  # caller kind → session key (signed in)
    objects: dict = field(default_factory=dict)  # object name → model instance
    files: list = field(default_factory=list)

    def pk(self, name: str) -> int:
        return self.objects[name].pk


def _build(world: World) -> None:
    from jianguan.catalog.models import CheckItem, Department, ResultCode
    from jianguan.core import uscc
    from jianguan.core.models import Job
    from jianguan.credit import services as credit
    from jianguan.org.models import ApiToken, Unit, User
    from jianguan.personnel.models import ConflictDeclaration, Expert, Expertise, Inspector
    from jianguan.planning.services import task_save
    from jianguan.registry.models import Entity
    from jianguan.sampling import services as sampling
    from jianguan.workdays import services as workdays

    def unit(code):
        return Unit.objects.get(code=code)

    for kind, spec in CALLERS.items():
        if spec is None:
            continue
        role, code = spec
        user = User.objects.create_user(
            username=f"acc-{kind}", password="pw-for-tests-only", role=role, unit=unit(code)
        )
        user.full_clean()
        world.users[kind] = user
        world.keys[kind] = ApiToken.issue(user, f"access matrix {kind}")[1]
        client = Client()
        client.force_login(user)
        world.sessions[kind] = client.cookies[settings.SESSION_COOKIE_NAME].value
    city, admin = world.users["city"], world.users["admin_own"]

    district, station = unit(DISTRICT_OWN), unit(STATION_OWN)
    entities = []
    for i in range(12):
        code = uscc.compose(f"91310101MA{9_000_000 + i:07d}")
        entities.append(
            Entity.objects.create(
                uscc=code,
                region_code=code[2:8],
                name=f"访问矩阵测试企业{i:02d}有限公司",
                district=district,
                station=station,
                risk_class="ABCD"[i % 4],
            )
        )
    entity = entities[0]
    food = Expertise.objects.get(code="food")
    inspectors = []
    for i in range(6):
        inspector = Inspector.objects.create(
            name=f"矩阵检查员{i}",
            staff_no=f"ACC-{i:04d}",
            unit=station,
            cert_no=f"沪ACC{i:05d}",
            cert_expires_on=D(2030, 1, 1),
        )
        inspector.expertise.add(food)
        inspectors.append(inspector)
    expert = Expert.objects.create(name="矩阵专家", field=food, employer="上海某研究院")
    conflict = ConflictDeclaration.objects.create(
        inspector=inspectors[0], entity=entity, reason="亲属关系", valid_from=D(2026, 1, 1)
    )

    item = CheckItem.objects.get(code="SH-SC-007")

    def definition(title):
        return {
            "title": title,
            "unit": DISTRICT_OWN,
            "items": [item.code],
            "check_date": "2026-05-20",
            "window": {"start": "2026-05-20", "end": "2026-06-30"},
            "sampling": {"mode": "ratio", "ratio": "0.5"},
            "team": {"size": 2, "skills": ["food"], "pool_by": "district"},
        }

    task = task_save(admin, definition=definition("访问矩阵草稿任务"))
    committed = sampling.commit(
        task_save(admin, definition=definition("访问矩阵已提交任务")), user=admin
    )
    drawn_task = task_save(admin, definition=definition("访问矩阵已抽取任务"))
    drawn = sampling.execute(sampling.commit(drawn_task, user=admin), user=admin)
    assert drawn.status == drawn.Status.DRAWN, drawn.unstaffed

    abnormal = credit.abnormal_create(
        user=city,
        data={
            "entity": entities[1],
            "reason": "annual_report",
            "trigger_date": D(2025, 6, 30),
            "listed_on": D(2025, 7, 10),
            "decided_by": district,
            "decision_no": "黄市监异〔2025〕1号",
        },
    )
    objection = credit.objection_create(
        user=admin, listing=abnormal, data={"filed_on": D(2025, 7, 20), "content": "已按时年报"}
    )
    serious = credit.serious_create(
        user=city,
        data={
            "entity": entities[2],
            "category": "food",
            "violation": "生产经营添加非食用物质的食品",
            "penalty_decision_no": "黄市监处罚〔2025〕8号",
            "penalty_on": D(2025, 1, 30),
            "listed_by": district,
            "notice_on": D(2025, 2, 9),
            "listed_on": D(2025, 3, 1),
            "decision_no": "黄市监列严〔2025〕2号",
        },
    )
    repair = credit.repair_apply(
        user=admin,
        listing=serious,
        data={"applied_on": D(2026, 3, 2), "evidence": "罚款缴纳凭证", "obligations_met": True},
    )
    commitment = credit.commitment_create(
        user=admin,
        data={
            "entity": entities[3],
            "kind": "voluntary",
            "content": "依法诚信经营",
            "signed_on": D(2025, 5, 1),
        },
    )
    holiday = workdays.calendar_add(user=city, start=D(2031, 1, 1), kind="holiday", note="元旦")[0]

    media = Path(settings.MEDIA_ROOT)
    report = media / "access-matrix" / "errors.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("行,错误\n2,测试\n", encoding="utf-8")
    world.files.append(report.parent)
    job = Job.objects.create(
        kind="import",
        title="访问矩阵导入",
        status=Job.Status.DONE,
        created_by=admin,
        district=district,
        result={"error_report": "access-matrix/errors.csv"},
    )
    token = ApiToken.objects.filter(user=admin).first()
    from jianguan.risk import services as risk
    from jianguan.risk.models import KeyAreaInfo, KeyAreaMatter

    risk_model = risk.active_model()
    run = risk.classify(model=risk_model, as_of=dt.date(2026, 6, 1))
    keyarea = risk.listing_create(
        admin,
        data={
            "entity": entity,
            "area": KeyAreaMatter._meta.get_field("area").choices[0][0],
            "tier": "special",
            "reason": "访问矩阵：特殊重点",
            "listed_on": dt.date(2026, 1, 5),
        },
    )

    world.objects.update(
        entity=entity,
        inspector=inspectors[0],
        expert=expert,
        conflict=conflict,
        plan=task.plan,
        task=task,
        committed_draw=committed,
        drawn_draw=drawn,
        item=item,
        department=Department.objects.order_by("pk").first(),
        result_code=ResultCode.objects.order_by("pk").first(),
        abnormal=abnormal,
        objection=objection,
        serious=serious,
        repair=repair,
        commitment=commitment,
        calendar_day=holiday,
        job=job,
        token=token,
        user=admin,
        unit=district,
        risk_model=risk_model,
        risk_indicator=risk_model.indicators.order_by("pk").first(),
        risk_run=run,
        matter=KeyAreaMatter.objects.order_by("pk").first(),
        info=KeyAreaInfo.objects.order_by("pk").first(),
        keyarea_listing=keyarea,
    )
    from tests.security import extensions

    for module in extensions.MODULES:
        module.build(world)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from jianguan.workdays import selectors as workdays

    built = World()
    with django_db_blocker.unblock():
        outer = [transaction.atomic(using=alias) for alias in connections]
        for atomic in outer:
            atomic.__enter__()
        try:
            workdays.invalidate()
            _build(built)
            yield built
        finally:
            for alias in connections:
                transaction.set_rollback(True, using=alias)
            for atomic in reversed(outer):
                atomic.__exit__(None, None, None)
            workdays.invalidate()
            for folder in built.files:
                shutil.rmtree(folder, ignore_errors=True)
