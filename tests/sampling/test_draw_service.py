"""The draw on the database: freeze → commit → (entropy) → draw → proof, re-draw, merge."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.catalog.models import CheckItem
from jianguan.core.models import AuditEvent
from jianguan.org.models import Unit
from jianguan.personnel.models import ConflictDeclaration, Expertise, Inspector
from jianguan.planning.services import task_from_file, task_save
from jianguan.sampling import protocol as P
from jianguan.sampling import selectors, services
from jianguan.sampling.models import Draw, Visit, VisitMember
from tests.conftest import DISTRICT_A, entropy_declaration

CHECK_DATE = "2026-05-20"


def add_inspectors(n, district=DISTRICT_A, skill="food", expires=dt.date(2027, 1, 1)):
    station = Unit.objects.filter(district__code=district, kind="station").first()
    food = Expertise.objects.get(code=skill)
    made = []
    for i in range(n):
        inspector = Inspector.objects.create(
            name=f"检查员{district}{i}",
            staff_no=f"{district}-{i:04d}-{Inspector.objects.count()}",
            unit=station,
            cert_no=f"沪{district}{i:05d}",
            cert_expires_on=expires,
        )
        if i % 2 == 0:
            inspector.expertise.add(food)
        made.append(inspector)
    return made


def definition(**sampling):
    item = CheckItem.objects.get(code="SH-SC-007")  # key item: no cap
    return {
        "title": "黄浦区食品生产者双随机抽查",
        "unit": DISTRICT_A,
        "items": [item.code],
        "check_date": CHECK_DATE,
        "window": {"start": "2026-05-20", "end": "2026-06-30"},
        "sampling": {"mode": "ratio", "ratio": "0.5", "stratify_by": ["risk_class"], **sampling},
        "team": {"size": 2, "skills": ["food"], "pool_by": "district"},
    }


@pytest.fixture
def roster(make_entity):
    entities = [make_entity(risk_class="ABCD"[i % 4]) for i in range(40)]
    entities[0].key_tier = "special"
    entities[0].save()
    return entities


def test_commit_then_draw_writes_result_proof_and_visits(roster, admin_a, tmp_path):
    inspectors = add_inspectors(8)
    task = task_save(admin_a, definition=definition(certainty={"key_tiers": ["special"]}))
    draw = services.commit(task, user=admin_a)
    assert draw.status == Draw.Status.COMMITTED
    # Protocol 2: the commitment binds the secret's bytes, the rules and every roster digest.
    assert draw.commitment == P.commitment(bytes.fromhex(draw.secret), draw.digests)
    assert set(draw.digests) == set(P.COMMITTED)
    assert draw.frozen_at <= draw.committed_at
    draw = services.execute(Draw.objects.get(pk=draw.pk), user=admin_a)  # re-read from the files
    assert draw.status == Draw.Status.DRAWN
    visits = Visit.objects.filter(draw=draw)
    # 50% of each class of 39 non-certain (10/10/10/9 → 5/5/5/5) + the special-key entity
    assert visits.count() == 21
    assert visits.filter(entity=roster[0], certain=True).exists()
    members = VisitMember.objects.filter(visit__draw=draw)
    assert members.count() == 42
    assert set(members.values_list("inspector", flat=True)) <= {i.pk for i in inspectors}
    services.export(draw, out=tmp_path)
    assert services.verify(tmp_path) == []
    assert P.verify(tmp_path) == []  # the standard-library verifier agrees
    proof = json.loads((tmp_path / "proof.json").read_text("utf-8"))
    assert proof["secret"] == draw.secret and proof["seed"] == draw.seed
    assert (
        AuditEvent.objects.filter(object_type="sampling.draw", object_id=str(draw.pk)).count() == 2
    )


def test_entropy_is_declared_then_entered_once(roster, admin_a, clock):
    """Issue 11: the commitment binds which future public value is the entropy; it is entered
    once, after its announcement, in the declared canonical form."""
    add_inspectors(6)
    task = task_save(admin_a, definition={**definition(), "requires_external_entropy": True})
    with pytest.raises(services.DrawError, match="声明"):
        services.commit(task, user=admin_a)  # no declaration
    with pytest.raises(services.DrawError, match="不在将来"):
        services.commit(task, user=admin_a, declaration=entropy_declaration(hours=-0.1))
    assert not Draw.objects.exists()
    draw = services.commit(task, user=admin_a, declaration=entropy_declaration(hours=1))
    assert draw.digests["entropy_declaration"] == P.declaration_digest(draw.entropy_declaration)
    with pytest.raises(services.DrawError):
        services.execute(draw, user=admin_a)
    with pytest.raises(services.DrawError, match="公布之后"):
        services.set_entropy(draw, user=admin_a, value="093")
    clock.advance(hours=1, seconds=1)
    with pytest.raises(services.DrawError, match="只能由数字"):
        services.set_entropy(draw, user=admin_a, value="体彩排列三 2026135期 093")
    with pytest.raises(services.DrawError, match="3 位数字"):
        services.set_entropy(draw, user=admin_a, value="0931")
    services.set_entropy(draw, user=admin_a, value="０ 9 3")
    with pytest.raises(services.DrawError, match="不能更改"):
        services.set_entropy(draw, user=admin_a, value="094")
    draw = services.execute(draw, user=admin_a)
    assert draw.status == Draw.Status.DRAWN and draw.external_entropy == "093"
    with pytest.raises(services.DrawError):
        services.set_entropy(draw, user=admin_a, value="999")  # after the draw: too late


def test_run_draw_declares_then_draws_once(roster, admin_a, clock, tmp_path):
    """`run_draw` commits with the declaration and stops; after the announcement `--draw`
    enters the value and draws; a second entropy and a past announcement are refused."""
    add_inspectors(6)
    path = tmp_path / "task.json"
    path.write_text(
        json.dumps({**definition(), "requires_external_entropy": True}), encoding="utf-8"
    )
    declared = ["--entropy-source", "中国福利彩票 福彩3D", "--entropy-id", "福彩3D 第2026340期"]
    declared += ["--entropy-format", "digits:3"]
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    with pytest.raises(CommandError, match="不在将来"):
        call_command("run_draw", str(path), *declared, "--entropy-announced", past)
    with pytest.raises(CommandError, match="声明"):
        call_command("run_draw", str(path), "--out", str(tmp_path / "x"))
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    call_command("run_draw", str(path), *declared, "--entropy-announced", soon)
    draw = Draw.objects.get(status=Draw.Status.COMMITTED)
    clock.advance(hours=2)
    out = tmp_path / "proof"
    call_command("run_draw", "--draw", str(draw.pk), "--external-entropy", "517", "--out", str(out))
    assert P.verify(out) == []
    with pytest.raises(CommandError, match="不能"):
        call_command(
            "run_draw", "--draw", str(draw.pk), "--external-entropy", "518", "--out", str(out)
        )


def test_unstaffable_draw_says_why_and_writes_nothing(roster, admin_a):
    """Only one qualified inspector: no team of two (行政处罚法 art. 42) can be formed."""
    add_inspectors(1)
    add_inspectors(3, expires=dt.date(2026, 1, 1))  # certificates expired before the check date
    task = task_save(admin_a, definition=definition())
    draw = services.execute(services.commit(task, user=admin_a), user=admin_a)
    assert draw.status == Draw.Status.INFEASIBLE
    assert draw.unstaffed and all("少于每组 2 人" in r for r in draw.unstaffed.values())
    assert not Visit.objects.exists() and not VisitMember.objects.exists()
    task.refresh_from_db()
    assert task.status == task.Status.DRAFT  # the rules can be changed and drawn again


def test_conflicts_and_previous_inspectors_are_never_drawn(roster, admin_a):
    """回避 (行政处罚法 art. 43) and rotation: not the inspectors of the previous check."""
    inspectors = add_inspectors(6)
    for e in roster:
        ConflictDeclaration.objects.create(
            inspector=inspectors[0], entity=e, reason="亲属关系", valid_from=dt.date(2026, 1, 1)
        )
    first = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    assert not VisitMember.objects.filter(inspector=inspectors[0]).exists()
    previous = {
        v.entity_id: set(v.members.values_list("inspector_id", flat=True))
        for v in first.visits.all()
    }
    second_task = task_save(admin_a, definition={**definition(), "title": "第二批"})
    second = services.execute(services.commit(second_task, user=admin_a), user=admin_a)
    for visit in second.visits.all():
        team = set(visit.members.values_list("inspector_id", flat=True))
        assert not team & previous.get(visit.entity_id, set())


def test_entities_checked_recently_for_the_same_item_are_excluded(roster, admin_a):
    add_inspectors(8)
    first = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    checked = set(first.visits.values_list("entity_id", flat=True))
    later = {**definition(exclude_checked_months=6), "title": "复查批次"}
    second = services.execute(
        services.commit(task_save(admin_a, definition=later), user=admin_a), user=admin_a
    )
    assert not checked & set(second.visits.values_list("entity_id", flat=True))
    assert second.counts["targets"] == len(roster) - len(checked)


def test_redraw_needs_a_reason_and_keeps_the_old_draw(roster, admin_a, tmp_path):
    add_inspectors(6)
    task = task_save(admin_a, definition=definition())
    first = services.execute(services.commit(task, user=admin_a), user=admin_a)
    with pytest.raises(services.DrawError):
        services.redraw(first, user=admin_a, reason="")
    second = services.execute(
        services.redraw(first, user=admin_a, reason="抽中对象已注销，经批准重新抽取"), user=admin_a
    )
    first.refresh_from_db()
    assert first.status == Draw.Status.SUPERSEDED and second.redraw_of == first
    assert second.number == 2 and first.visits.exists()  # the old draw stays visible
    assert second.secret != first.secret
    # The re-draw's proof names the draw it replaces, its commitment and the reason; both
    # verifiers check the link.
    services.export(second, out=tmp_path)
    proof = json.loads((tmp_path / "proof.json").read_text("utf-8"))
    assert proof["draw"]["redraw_of"] == first.pk
    assert proof["draw"]["redraw_of_commitment"] == first.commitment
    assert P.verify(tmp_path) == [] and services.verify(tmp_path) == []


def test_a_drawn_draw_cannot_be_drawn_again(roster, admin_a):
    add_inspectors(6)
    draw = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    with pytest.raises(services.DrawError):
        services.execute(draw, user=admin_a)


def test_tampered_frozen_roster_stops_the_draw(roster, admin_a):
    add_inspectors(6)
    draw = services.commit(task_save(admin_a, definition=definition()), user=admin_a)
    path = services.draw_dir(draw) / "targets.csv"
    path.write_bytes(path.read_bytes().replace(b",A,", b",D,", 1))
    with pytest.raises(services.DrawError, match="摘要不符"):
        services.execute(Draw.objects.get(pk=draw.pk), user=admin_a)


def test_another_district_cannot_draw(roster, admin_a, admin_b):
    add_inspectors(6)
    task = task_save(admin_a, definition=definition())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.commit(task, user=admin_b)


def test_joint_visits_of_the_same_period_can_be_merged(roster, admin_a):
    """进一次门、查多项事: two tasks visiting the same entity in one period merge into one visit."""
    add_inspectors(8)
    services.execute(
        services.commit(task_save(admin_a, definition=definition(ratio="1")), user=admin_a),
        user=admin_a,
    )
    other = {**definition(ratio="1"), "title": "药品零售联合检查", "items": ["SH-YJ-001"]}
    b = services.execute(
        services.commit(task_save(admin_a, definition=other), user=admin_a), user=admin_a
    )
    overlapping = list(selectors.overlaps(b))
    assert len(overlapping) == len(roster)
    host = overlapping[0]
    guest = b.visits.get(entity=host.entity)
    services.merge(guest, into=host, user=admin_a)
    guest.refresh_from_db()
    assert guest.merged_into == host
    with pytest.raises(services.DrawError):
        services.merge(guest, into=host, user=admin_a)


@pytest.mark.django_db
def test_example_task_on_the_demo_city(tmp_path, capsys, clock):
    """examples/draw-task.json draws several hundred targets across strata from the demo."""
    call_command("seed_demo", entities=50000, seed=1)
    out = tmp_path / "proof"
    draw = services.commit(
        task_from_file(None, path="examples/draw-task.json"),
        user=None,
        declaration=entropy_declaration(),
    )
    clock.advance(hours=2)
    call_command("run_draw", draw=draw.pk, external_entropy="517", out=str(out))
    lines = (out / "result.csv").read_text("utf-8").splitlines()
    strata = {line.split(",")[1] for line in lines[1:]}
    assert 300 <= len(lines) - 1 <= 2000 and len(strata) > 30
    assert P.verify(out) == []
    call_command("verify_draw", str(out))
    (out / "result.csv").write_text("\n".join(lines[:-1]) + "\n", "utf-8")
    with pytest.raises(SystemExit):
        call_command("verify_draw", str(out))
    assert "验证失败" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("export_draw", 999999, out=str(tmp_path / "x"))


def test_a_made_draw_is_immutable(roster, admin_a):
    """The draw, its rosters and its proof are immutable once made."""
    add_inspectors(6)
    draw = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    draw = Draw.objects.get(pk=draw.pk)
    draw.secret = "00" * 32
    with pytest.raises(PermissionError):
        draw.save()
    with pytest.raises(PermissionError):
        draw.delete()
    assert Draw.objects.get(pk=draw.pk).secret != "00" * 32


def test_listed_entities_are_drawn_as_the_configured_class(roster, admin_a):
    """差异化监管 (issue 5 item 6): entities on the business-abnormal list are drawn as class D
    (ratio 100%) when the task says so, whatever their own class."""
    from jianguan.credit.models import AbnormalListing

    add_inspectors(8)
    listed = [e for e in roster if e.risk_class == "A"][:3]
    for e in listed:
        AbnormalListing.objects.create(
            entity=e,
            reason=AbnormalListing._meta.get_field("reason").choices[0][0],
            trigger_date=dt.date(2026, 1, 5),
            listed_on=dt.date(2026, 1, 10),
            decided_by=e.district,
        )
    ratios = {"class_ratios": {"A": "0.01", "B": "0.01", "C": "0.01", "D": "1"}}
    task = task_save(admin_a, definition=definition(**ratios, listed_class="D"))
    assert (
        "经营异常名录" in str(task.definition) or task.definition["sampling"]["listed_class"] == "D"
    )
    preview = services.preview(task)
    assert any(s["stratum"] == "D" and s["population"] == 10 + 3 for s in preview["strata"])
    draw = services.execute(services.commit(task, user=admin_a), user=admin_a)
    drawn = set(draw.visits.values_list("entity_id", flat=True))
    assert {e.pk for e in listed} <= drawn
    assert draw.visits.filter(entity__in=listed, stratum="D").count() == 3


def test_signals_tell_the_board_of_every_commitment_and_outcome(roster, admin_a):
    """Issue 11: the public board appends an entry for each commitment and each outcome (made,
    superseded by a re-draw, failed) through sampling.signals, without sampling importing it;
    each is sent inside the step's transaction, with the draw as recorded."""
    from jianguan.sampling import signals

    seen = []

    def commitment(sender, draw, **kw):
        seen.append(("commitment", draw.pk, draw.commitment, draw.status))

    def finished(sender, draw, outcome, **kw):
        seen.append((outcome, draw.pk, draw.commitment, draw.status))

    signals.commitment_made.connect(commitment, dispatch_uid="test-board")
    signals.draw_finished.connect(finished, dispatch_uid="test-board")
    try:
        add_inspectors(6)
        first = services.commit(task_save(admin_a, definition=definition()), user=admin_a)
        first = services.execute(first, user=admin_a)
        second = services.redraw(first, user=admin_a, reason="名录数据有误，重新抽取")
        second = services.execute(second, user=admin_a)
        Inspector.objects.update(cert_expires_on=dt.date(2026, 1, 1))  # nobody qualified
        third = services.execute(
            services.redraw(second, user=admin_a, reason="再次重新抽取"), user=admin_a
        )
    finally:
        signals.commitment_made.disconnect(dispatch_uid="test-board")
        signals.draw_finished.disconnect(dispatch_uid="test-board")
    assert third.status == Draw.Status.INFEASIBLE
    assert [(kind, pk) for kind, pk, _c, _s in seen] == [
        ("commitment", first.pk),
        ("drawn", first.pk),
        ("commitment", second.pk),
        ("superseded", first.pk),
        ("drawn", second.pk),
        ("commitment", third.pk),
        ("infeasible", third.pk),
    ]
    assert all(c == Draw.objects.get(pk=pk).commitment for _k, pk, c, _s in seen)
    assert seen[3][3] == Draw.Status.SUPERSEDED and seen[6][3] == Draw.Status.INFEASIBLE


def test_a_version_1_draw_committed_before_the_upgrade_is_still_drawn(roster, admin_a, tmp_path):
    """A draw committed under jianguan-draw/1 (commitment = SHA-256(secret), free-text entropy)
    is drawn under version 1's rules, its entropy entered once, and its proof verifies as v1."""
    add_inspectors(6)
    task = task_save(admin_a, definition={**definition(), "requires_external_entropy": True})
    draw = services.commit(task, user=admin_a, declaration=entropy_declaration())
    Draw.objects.filter(pk=draw.pk).update(
        protocol=P.PROTOCOL_V1,
        commitment=P.commitment_v1(draw.secret),
        entropy_declaration=None,
        digests={k: v for k, v in draw.digests.items() if k != "entropy_declaration"},
    )
    services.set_entropy(draw, user=admin_a, value="福彩3D 2026339期 517")
    with pytest.raises(services.DrawError, match="不能更改"):
        services.set_entropy(draw, user=admin_a, value="福彩3D 2026339期 518")
    draw = services.execute(Draw.objects.get(pk=draw.pk), user=admin_a)
    assert draw.status == Draw.Status.DRAWN
    services.export(draw, out=tmp_path)
    assert json.loads((tmp_path / "proof.json").read_text("utf-8"))["protocol"] == P.PROTOCOL_V1
    assert P.verify(tmp_path) == [] and services.verify(tmp_path) == []
