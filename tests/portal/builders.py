"""A small published world for the portal's tests, the access matrix and the browser test.

Draws are made through the real services (tests/security/conftest.py does the same); the
inspection results and their public copies are ORM rows, as helper code for the publication
service would write them (Publication per task, PublicResult = the frozen public copy).

Names and texts that must never reach the public are distinctive, so that tests can assert their
absence by content: inspector names (…秘检员…), findings (内部检查情况…), a legal representative,
a non-public reason, a pending publication's copy (未公示…).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from jianguan.core import uscc as codes

D = dt.date
DISTRICT = "310101"
STATION = "310101-S01"
SECRET_TEXTS = {
    "inspector": "秘检员",
    "findings": "内部检查情况勿公开",
    "legal_rep": "法人代表甲乙丙",
    "non_public_reason": "涉及国家秘密不予公示",
    "unpublished": "未公示结果文本",
    "unpublished_item": "未公示事项标记",
}


@dataclass
class PortalWorld:
    prefix: str
    admin: object = None
    entities: list = field(default_factory=list)
    task: object = None  # published task
    draw: object = None
    publication: object = None
    pending_task: object = None
    pending_publication: object = None
    published_entity: object = None  # a published result in force
    withdrawn_entity: object = None  # its only result withdrawn
    nonpublic_entity: object = None  # checked, result kept non-public by law
    unchecked_entity: object = None  # drawn, not yet checked
    unpublished_entity: object = None  # checked, its task's publication still pending
    listed_entity: object = None  # on the business-abnormal list
    result: object = None  # the published PublicResult in force
    withdrawn: object = None


def uscc_for(prefix_digit: int, i: int) -> str:
    return codes.compose(f"91310101MA{prefix_digit}{i:06d}")


def build(prefix: str = "portal", serial: int = 7, admin=None) -> PortalWorld:
    """Entities (named f"{prefix}…"), two drawn tasks: one published with a result in force, a
    withdrawn one, a non-public one and a drawn-unchecked visit; one pending."""
    from jianguan.catalog.models import CheckItem, ResultCode
    from jianguan.org.models import Unit, User
    from jianguan.personnel.models import Expertise, Inspector
    from jianguan.planning.services import task_save
    from jianguan.registry.models import Entity
    from jianguan.sampling import services as sampling

    world = PortalWorld(prefix)
    district, station = Unit.objects.get(code=DISTRICT), Unit.objects.get(code=STATION)
    if admin is None:
        admin = User.objects.create_user(
            username=f"{prefix}-admin",
            password="pw-for-tests-only",
            role="district_admin",
            unit=district,
        )
    world.admin = admin
    for i in range(8):
        code = uscc_for(serial, i)
        world.entities.append(
            Entity.objects.create(
                uscc=code,
                region_code=code[2:8],
                name=f"{prefix}公示测试企业{i:02d}有限公司",
                district=district,
                station=station,
                address=f"上海市黄浦区公示路{i + 1}号",
                legal_rep=SECRET_TEXTS["legal_rep"],
                risk_class="D",
                key_tier="special",
            )
        )
    food = Expertise.objects.get(code="food")
    inspectors = []
    for i in range(4):
        inspector = Inspector.objects.create(
            name=f"{prefix}{SECRET_TEXTS['inspector']}{i}",
            staff_no=f"{prefix[:6].upper()}-{serial}{i:03d}",
            unit=station,
            cert_no=f"沪P{serial}{i:04d}",
            cert_expires_on=D(2030, 1, 1),
        )
        inspector.expertise.add(food)
        inspectors.append(inspector)
    item = CheckItem.objects.get(code="SH-SC-007")
    entity_codes = [e.uscc for e in world.entities]

    def drawn_task(title):
        task = task_save(
            admin,
            definition={
                "title": title,
                "unit": DISTRICT,
                "items": [item.code],
                "check_date": "2026-05-20",
                "window": {"start": "2026-05-20", "end": "2026-06-30"},
                "sampling": {"mode": "ratio", "ratio": "1"},
                "team": {"size": 2, "skills": ["food"], "pool_by": "district"},
            },
        )
        draw = sampling.execute(sampling.commit(task, user=admin), user=admin)
        assert draw.status == draw.Status.DRAWN, draw.unstaffed
        visits = {v.entity.uscc: v for v in draw.visits.select_related("entity")}
        return task, draw, [visits[c] for c in entity_codes if c in visits]

    world.task, world.draw, visits = drawn_task(f"{prefix}双随机抽查公示任务")
    assert len(visits) >= 5, "the ratio-1 draw selects every entity of the roster"
    world.pending_task, _pending_draw, pending_visits = drawn_task(f"{prefix}尚未公示的任务")

    problem = ResultCode.objects.filter(problem_found=True, parent__isnull=True).order_by("sort")[0]
    fine = ResultCode.objects.get(name="未发现问题")
    now = timezone.now()

    def record(visit, code, public=True):
        from jianguan.inspections.models import Inspection, Result

        inspection = Inspection.objects.create(
            visit=visit,
            entity=visit.entity,
            district=district,
            station=station,
            status=Inspection.Status.CONFIRMED,
            checked_on=D(2026, 6, 3),
            recorded_by=inspectors[0],
            recorded_at=now,
            confirmed_by=inspectors[1],
            confirmed_at=now,
        )
        return Result.objects.create(
            inspection=inspection,
            visit=visit,
            task=visit.draw.task,
            entity=visit.entity,
            district=district,
            station=station,
            item=item,
            method="onsite",
            code=code,
            findings=SECRET_TEXTS["findings"],
            public=public,
            non_public_reason="" if public else SECRET_TEXTS["non_public_reason"],
        )

    def publication(task, status):
        from jianguan.publication.models import Publication

        published = status == Publication.Status.PUBLISHED
        return Publication.objects.create(
            task=task,
            district=district,
            finished_on=D(2026, 6, 5),
            deadline=D(2026, 7, 3),
            status=status,
            published_at=now if published else None,
            published_by=admin if published else None,
        )

    def copy(pub, result, **extra):
        from jianguan.publication.models import PublicResult

        return PublicResult.objects.create(
            publication=pub,
            result=result,
            entity=result.entity,
            district=district,
            uscc=result.entity.uscc,
            entity_name=result.entity.name,
            task_title=result.task.title,
            item=extra.pop("item", item.name),
            authority=district.name,
            checked_on=D(2026, 6, 3),
            code=extra.pop("code", result.code.code),
            code_text=extra.pop("code_text", result.code.name),
            published_at=now,
            **extra,
        )

    world.publication = publication(world.task, "published")
    world.result = copy(world.publication, record(visits[0], problem))
    world.withdrawn = copy(
        world.publication,
        record(visits[1], fine),
        withdrawn_at=now,
        withdrawal_reason="检查结果录入有误，予以撤回",
        withdrawn_by=admin,
    )
    record(visits[2], problem, public=False)  # non-public by law: no public copy
    # visits[3]: drawn, not checked — nothing at all
    world.published_entity, world.withdrawn_entity = visits[0].entity, visits[1].entity
    world.nonpublic_entity, world.unchecked_entity = visits[2].entity, visits[3].entity

    # A pending publication: a result recorded, and even a stray public copy, stay invisible.
    world.pending_publication = publication(world.pending_task, "pending")
    target = next(v for v in pending_visits if v.entity_id == visits[4].entity_id)
    copy(
        world.pending_publication,
        record(target, problem),
        item=SECRET_TEXTS["unpublished_item"],
        code_text=SECRET_TEXTS["unpublished"],
    )
    world.unpublished_entity = target.entity

    from jianguan.credit import services as credit

    city = User.objects.filter(role="city_admin").first() or User.objects.create_user(
        username=f"{prefix}-city",
        password="pw-for-tests-only",
        role="city_admin",
        unit=Unit.objects.get(code="310000"),
    )
    world.listed_entity = world.entities[5]
    credit.abnormal_create(
        user=city,
        data={
            "entity": world.listed_entity,
            "reason": "annual_report",
            "trigger_date": D(2025, 6, 30),
            "listed_on": D(2025, 7, 10),
            "decided_by": district,
            "decision_no": f"黄市监异〔2025〕{serial}号",
        },
    )
    return world
