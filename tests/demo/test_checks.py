"""seed_demo_checks: on a small demo city, a newcomer's `make run` shows draws, results and a
public portal with content — made with the real services, so they obey the real rules."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.demo import checks as demo
from jianguan.inspections.models import FollowUp, Inspection, Result
from jianguan.org.models import User
from jianguan.personnel.models import ConflictDeclaration, Inspector
from jianguan.planning.models import Plan, Task
from jianguan.publication.models import Publication, PublicResult
from jianguan.registry.models import Entity
from jianguan.sampling import services as sampling
from jianguan.sampling.models import Draw, Visit, VisitMember

ENTITIES = 2000  # seed_demo's own tests use the same size: about 60 entities in 黄浦区


@pytest.fixture
def demo_city(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "files"
    call_command("seed_demo", entities=ENTITIES, seed=1, stdout=io.StringIO())


def run(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo_checks", seed=1, stdout=out, **options)
    return out.getvalue()


def tasks() -> tuple[Task, Task]:
    done = Task.objects.get(publication__isnull=False)
    return done, Task.objects.exclude(pk=done.pk).get()


def test_first_task_is_checked_confirmed_and_published(demo_city, client, tmp_path):
    """DOMAIN.md "Double random, one public": a drawn task's teams record their results ("谁检查、
    谁录入": a member records, another confirms), problems found go to follow-up, and the
    results go public, attached to the entity; the draw is genuine and verifies."""
    out = run(if_empty=True)
    done, _ = tasks()
    assert "已公示检查结果" in out and "/public/" in out
    assert done.district.code == demo.DISTRICT
    assert done.plan.status == Plan.Status.APPROVED
    draw = Draw.objects.get(task=done)
    assert draw.status == Draw.Status.DRAWN
    visits = Visit.objects.filter(draw=draw)
    inspections = Inspection.objects.filter(visit__draw=draw)
    assert inspections.count() == visits.count() > 0
    for inspection in inspections:
        assert inspection.status == Inspection.Status.CONFIRMED
        assert inspection.recorded_by_id != inspection.confirmed_by_id
        team = set(
            VisitMember.objects.filter(visit=inspection.visit).values_list("inspector", flat=True)
        )
        assert {inspection.recorded_by_id, inspection.confirmed_by_id} <= team
        assert inspection.recorded_by.user.username.startswith("inspector_")
    results = Result.objects.filter(task=done)
    codes = set(results.values_list("code__code", flat=True))
    assert "01" in codes and codes & {"0201", "0203", "03"}
    problems = results.filter(code__code__in=["0201", "0203", "03"])
    assert FollowUp.objects.filter(result__in=problems, due_on__isnull=False).count() == (
        problems.count()
    )
    publication = Publication.objects.get(task=done)
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.published_by.username == f"admin_{demo.DISTRICT}"
    assert PublicResult.objects.filter(publication=publication).count() == results.count()

    entry = PublicResult.objects.filter(publication=publication).first()
    page = client.get(reverse("portal:entity_detail", args=[entry.uscc]))
    assert page.status_code == 200
    assert done.title in page.content.decode()

    sampling.export(draw, out=tmp_path / "proof")
    assert sampling.verify(tmp_path / "proof") == []
    # not drawn by credit class: anyone may download the proof from the portal
    proof = client.get(reverse("portal:draw_proof", args=[draw.pk]))
    assert proof.status_code == 200 and proof["Content-Type"] == "application/zip"


def test_second_task_waits_for_its_inspectors(demo_city, client):
    """DOMAIN.md "Who uses it": station inspectors carry out the checks they are drawn for; the
    README's demo login inspector_310101 is on the open task's teams and sees them in 我的检查."""
    run()
    _, pending = tasks()
    visits = Visit.objects.filter(draw__task=pending, draw__status=Draw.Status.DRAWN)
    assert visits.exists()
    assert not Inspection.objects.filter(visit__in=visits).exists()
    assert not Publication.objects.filter(task=pending).exists()
    login = User.objects.get(username=f"inspector_{demo.DISTRICT}")
    mine = visits.filter(members__inspector=Inspector.objects.get(user=login))
    assert mine.exists()
    client.force_login(login)
    page = client.get(reverse("inspections:my_visits"))
    assert page.status_code == 200
    for visit in mine.select_related("entity"):
        assert visit.entity.name in page.content.decode()


def test_if_empty_changes_nothing_once_a_draw_exists(demo_city):
    """The Makefile runs it on every `make run`: once any draw exists it writes nothing."""
    run(if_empty=True)
    models = (Task, Draw, Visit, Inspection, Result, PublicResult, User, AuditEvent)
    before = [m.objects.count() for m in models]
    out = run(if_empty=True)
    assert "未生成" in out
    assert [m.objects.count() for m in models] == before


def test_outcomes_depend_only_on_seed_and_entity():
    """Demo data: the same seed gives the same result to the same entity (whatever else the
    genuine, freshly seeded draw picked); mostly 未发现问题, with problems and inapplicable."""
    codes = [f"91310101MA{i:08d}" for i in range(40)]
    first = demo.outcomes(1, codes)
    assert demo.outcomes(1, list(reversed(codes))) == first
    assert demo.outcomes(2, codes) != first
    share = Fraction(sum(o.code == "01" for o in first.values()), len(codes))
    assert share == Fraction(7, 10)
    assert {o.code for o in first.values()} >= {"01", "0201", "0203", "03", "04", "05"}


def test_public_information_share_respects_floor_and_cap():
    """DOMAIN.md: enterprise public-information checks not less than 3%; a general item's cap is
    never exceeded (a tiny district still gets one visit)."""
    cap = Fraction(5, 100)
    assert demo.info_count(865, cap) == 26  # 3.0%
    assert demo.info_count(38, cap) == 1  # 2 would be 5.3% > the cap
    assert demo.info_count(5, cap) == 1


@pytest.mark.django_db
def test_if_empty_leaves_a_database_without_the_demo_city_alone():
    """`make run` on one's own data (no demo logins) must still start: nothing written, no
    error; asked for explicitly, it says what is missing."""
    assert "未生成" in run(if_empty=True)
    assert not Task.objects.exists()
    with pytest.raises(CommandError, match="找不到演示账号"):
        run()


def test_a_conflict_in_the_station_brings_in_the_enforcement_team(demo_city):
    """DOMAIN.md "Double random, one public": conflicts of interest are excluded. When one of the
    station's two inspectors is barred from the drawn entity, the draw cannot be staffed (it is
    kept, as infeasible) and the task is drawn again with the district's 执法大队 in the pool."""
    station = Inspector.objects.get(user__username=f"inspector_{demo.DISTRICT}")
    other = Inspector.objects.filter(unit=station.unit).exclude(pk=station.pk).get()
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(
            inspector=other, entity=e, reason="亲属关系", valid_from=dt.date(2000, 1, 1)
        )
        for e in Entity.objects.filter(district__code=demo.DISTRICT)
    )
    run()
    _, pending = tasks()
    statuses = sorted(pending.draws.values_list("status", flat=True))
    assert statuses == sorted([Draw.Status.INFEASIBLE, Draw.Status.DRAWN])
    assert pending.definition["team"]["units"] == [station.unit.code, f"{demo.DISTRICT}-T01"]
    drawn = Visit.objects.filter(draw__task=pending, draw__status=Draw.Status.DRAWN)
    assert drawn.exists() and not drawn.filter(members__inspector=other).exists()
