"""Data for the inspection tests, built with the real services: a task defined by
planning.services.task_save, committed and drawn by sampling.services, and logins linked to the
drawn inspectors (personnel.Inspector.user)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from jianguan.catalog.models import METHODS
from jianguan.org.models import User
from jianguan.personnel.models import Inspector
from jianguan.planning import services as planning
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Draw, Visit
from tests.conftest import DISTRICT_A, unit
from tests.planning.conftest import definition, make_item

STATION = f"{DISTRICT_A}-S01"
_n = itertools.count(1)


def make_inspectors(count: int = 4, station: str = STATION) -> list[Inspector]:
    return [
        Inspector.objects.create(
            name=f"检查员{n}",
            staff_no=f"IN{n:05d}",
            unit=unit(station),
            cert_no=f"沪检{n:05d}",
            cert_expires_on=dt.date(2030, 12, 31),
        )
        for n in (next(_n) for _ in range(count))
    ]


def login_for(inspector: Inspector) -> User:
    """A station inspector's login linked to `inspector`."""
    user = User.objects.create_user(
        username=f"insp-{inspector.staff_no}",
        password="pw-for-tests-only",
        role="station_inspector",
        unit=inspector.unit,
        last_name=inspector.name,
    )
    inspector.user = user
    inspector.save(update_fields=["user"])
    return user


def drawn_task(admin, items: int = 1, title: str = "检查实施测试任务", methods=("onsite",)) -> Draw:
    """A task of district A on `items` key items, every entity drawn (ratio 1), teams of two."""
    codes = [
        make_item(kind="key", cap=None, methods=METHODS.mask(methods)).code for _ in range(items)
    ]
    task = planning.task_save(
        admin,
        definition=definition(
            title=f"{title}{next(_n)}",
            items=codes,
            sampling={"mode": "ratio", "ratio": "1"},
            window={"start": "2026-05-20", "end": "2026-06-30"},
        ),
    )
    draw = sampling.execute(sampling.commit(task, user=admin), user=admin)
    assert draw.status == Draw.Status.DRAWN, draw.unstaffed
    return draw


def team_of(visit: Visit) -> list[Inspector]:
    return [m.inspector for m in visit.members.order_by("slot") if m.inspector_id]


@pytest.fixture
def world(admin_a, make_entity):
    """One entity of station S01 drawn for a one-item task; both team members have logins; a
    third inspector of the same station is not on the team and has a login too."""
    entity = make_entity(
        station_code=STATION, name="上海检查实施测试有限公司", address="上海市黄浦区测试路1号"
    )
    inspectors = make_inspectors(2)
    draw = drawn_task(admin_a)
    visit = Visit.objects.get(draw=draw, entity=entity)
    first, second = team_of(visit)
    outsider = make_inspectors(1)[0]
    return {
        "entity": entity,
        "draw": draw,
        "task": draw.task,
        "visit": visit,
        "first": login_for(first),
        "second": login_for(second),
        "outsider": login_for(outsider),
        "inspectors": inspectors,
    }
