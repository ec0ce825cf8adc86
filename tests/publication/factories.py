"""A finished task built the way production builds it: the draw through the real planning and
sampling services, then one confirmed Inspection per visit and one Result per item written with
the ORM (the inspections app's pages are another module), then publication.services.
record_progress, as the inspections service calls it on the last confirmation.

Used by tests/publication, the access matrix (tests/security/extensions/publication.py) and the
browser test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from jianguan.catalog.models import CheckItem, ResultCode
from jianguan.core import uscc
from jianguan.inspections.models import Inspection, Result
from jianguan.org.models import Unit
from jianguan.personnel.models import Expertise, Inspector
from jianguan.planning.services import task_save
from jianguan.publication import services
from jianguan.publication.models import Publication
from jianguan.registry.models import Entity
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Visit

D = dt.date
_serial = itertools.count(1)
CHECKED_ON = D(2025, 9, 20)
FINISHED_ON = D(2025, 9, 26)


@dataclass
class Built:
    task: object
    draw: object
    visits: list
    results: list = field(default_factory=list)
    publication: Publication | None = None


def entities(n: int, district="310101", station="310101-S01", prefix="公示测试") -> list[Entity]:
    district_unit, station_unit = Unit.objects.get(code=district), Unit.objects.get(code=station)
    made = []
    for _ in range(n):
        serial = next(_serial)
        code = uscc.compose(f"91{district}MA{8_100_000 + serial:07d}")
        made.append(
            Entity.objects.create(
                uscc=code,
                region_code=code[2:8],
                name=f"{prefix}企业{serial:03d}有限公司",
                district=district_unit,
                station=station_unit,
                risk_class="ABCD"[serial % 4],
            )
        )
    return made


def inspectors(n: int, station="310101-S01") -> list[Inspector]:
    unit, food = Unit.objects.get(code=station), Expertise.objects.get(code="food")
    made = []
    for _ in range(n):
        serial = next(_serial)
        inspector = Inspector.objects.create(
            name=f"公示测试检查员{serial}",
            staff_no=f"PUB-{serial:05d}",
            unit=unit,
            cert_no=f"沪PUB{serial:05d}",
            cert_expires_on=D(2030, 1, 1),
        )
        inspector.expertise.add(food)
        made.append(inspector)
    return made


def drawn_task(admin, *, title="黄浦区食品生产者双随机抽查", district="310101", ratio="1"):
    """A task drawn over every entity of the district (ratio 1): visits for all of them."""
    definition = {
        "title": title,
        "unit": district,
        "items": ["SH-SC-007"],
        "check_date": "2026-05-20",
        "window": {"start": "2026-05-20", "end": "2026-06-30"},
        "sampling": {"mode": "ratio", "ratio": ratio},
        "team": {"size": 2, "skills": ["food"], "pool_by": "district"},
    }
    task = task_save(admin, definition=definition)
    draw = sampling.execute(sampling.commit(task, user=admin), user=admin)
    assert draw.status == draw.Status.DRAWN, draw.unstaffed
    return task, draw


def record(visit: Visit, *, code="01", public=True, reason="", checked_on=CHECKED_ON):
    """One confirmed inspection of the visit with a result for each item of its task."""
    members = list(visit.members.filter(inspector__isnull=False).select_related("inspector"))
    inspection = Inspection.objects.create(
        visit=visit,
        entity=visit.entity,
        district=visit.district,
        station=visit.station,
        status=Inspection.Status.CONFIRMED,
        checked_on=checked_on,
        recorded_by=members[0].inspector if members else None,
        recorded_at=timezone.now(),
        confirmed_by=members[1].inspector if len(members) > 1 else None,
        confirmed_at=timezone.now(),
    )
    result_code = ResultCode.objects.get(code=code)
    results = []
    for item in visit.draw.task.items.all():
        results.append(
            Result.objects.create(
                inspection=inspection,
                visit=visit,
                task=visit.draw.task,
                entity=visit.entity,
                district=visit.district,
                station=visit.station,
                item=item,
                method="onsite",
                code=result_code,
                findings="现场检查发现标签不规范（内部记录）",
                measure=Result.Measure.RECTIFY if code != "01" else Result.Measure.NONE,
                public=public,
                non_public_reason=reason,
            )
        )
    return results


def finished_task(
    admin,
    *,
    n=4,
    finished_on=FINISHED_ON,
    non_public=1,
    title="黄浦区食品生产者双随机抽查",
    make_entities=True,
) -> Built:
    """n entities of 310101 drawn, all checked and confirmed; the first `non_public` results are
    kept off the publication by law; the publication opened on `finished_on`."""
    if make_entities:
        entities(n)
        inspectors(4)
    task, draw = drawn_task(admin, title=title)
    visits = list(Visit.objects.filter(draw=draw).select_related("entity", "draw__task"))
    built = Built(task=task, draw=draw, visits=visits)
    codes = ["01", "0201", "03", "04"]
    for i, visit in enumerate(visits):
        hidden = i < non_public
        built.results += record(
            visit,
            code=codes[i % len(codes)],
            public=not hidden,
            reason="涉及国家秘密（《保守国家秘密法》）" if hidden else "",
        )
    (built.publication,) = services.record_progress([task], on=finished_on, actor=admin)
    return built


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def item() -> CheckItem:
    return CheckItem.objects.get(code="SH-SC-007")
