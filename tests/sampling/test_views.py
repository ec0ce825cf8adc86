"""Pages of the draw: the task page's wizard, preview, commit, entropy, the background draw, the
result and proof, re-draw, merge of overlapping visits, the printable record, the entity section.

Rules checked (DOMAIN.md "Double random, one public"; docs/draw-protocol.md): the commitment is
published before anything random happens and the secret stays hidden until the draw is made; a
task that asks for external entropy cannot be drawn without it; every step leaves a trace and
the proof package recomputes byte for byte (protocol.verify → []); a re-draw needs a written
reason and keeps the old draw visible; one visit, many items (进一次门、查多项事); a draw outside
the user's jurisdiction is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jianguan.core.models import Job
from jianguan.personnel.models import Inspector
from jianguan.planning import services as planning
from jianguan.planning.models import Task
from jianguan.sampling import protocol
from jianguan.sampling.models import Draw, Visit
from tests.conftest import DISTRICT_A, unit
from tests.planning.conftest import definition, make_item

pytestmark = pytest.mark.django_db

SAMPLING = {
    "mode": "ratio",
    "ratio": "0.25",
    "stratify_by": ["risk_class"],
    "certainty": {"risk_classes": ["D"]},
}


# --- helpers (test_api.py uses them too) ---------------------------------------------------------


def make_roster(make_entity, entities: int = 20, inspectors: int = 6):
    """Entities of district A with risk classes A, B, C, D in turn; inspectors with valid
    certificates in a station of district A."""
    made = [make_entity(risk_class="ABCD"[i % 4]) for i in range(entities)]
    people = [
        Inspector.objects.create(
            name=f"检查员{i}",
            staff_no=f"SP{Inspector.objects.count() + 1:04d}",
            unit=unit(f"{DISTRICT_A}-S01"),
            cert_no=f"沪执{i:05d}",
            cert_expires_on=dt.date(2030, 12, 31),
        )
        for i in range(inspectors)
    ]
    return made, people


def make_task(user, sampling=None, **over) -> Task:
    """A task of district A on a key item (no ratio cap): 25% of classes A–C, all of class D."""
    item = make_item(kind="key", cap=None)
    return planning.task_save(
        user, definition=definition(items=[item.code], sampling=sampling or dict(SAMPLING), **over)
    )


def commit(client, task, **declaration) -> Draw:
    """The wizard's commit step; declaration: the form's entropy_* fields."""
    response = client.post(reverse("sampling:task_commit", args=[task.pk]), declaration)
    assert response.status_code == 302
    return Draw.objects.filter(task=task).order_by("-number").first()


def declared(hours: float = 1, kind: str = "digits", count: int = 3) -> dict:
    """The declaration form of a public value announced `hours` from now."""
    when = timezone.localtime() + dt.timedelta(hours=hours)
    return {
        "entropy_source": "中国福利彩票",
        "entropy_identifier": "双色球 第2026058期 开奖号码",
        "entropy_announced_at": f"{when:%Y-%m-%dT%H:%M}",
        "entropy_kind": kind,
        "entropy_count": count,
    }


def execute(client, draw) -> Draw:
    response = client.post(reverse("sampling:draw_execute", args=[draw.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind="draw", params__draw_id=draw.pk)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    draw.refresh_from_db()
    return draw


def task_page(client, task) -> str:
    response = client.get(reverse("planning:task_detail", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def roster(make_entity):
    return make_roster(make_entity)


@pytest.fixture
def client_a(client, admin_a):
    client.force_login(admin_a)
    return client


# --- the wizard ----------------------------------------------------------------------------------


def test_preview_shows_population_and_expected_counts(client_a, admin_a, roster):
    task = make_task(admin_a)
    html = task_page(client_a, task)
    assert reverse("sampling:task_preview", args=[task.pk]) in html
    assert "冻结名单并公布承诺值" in html

    html = page(client_a, "sampling:task_preview", task.pk)
    # 20 entities: 5 of class D drawn with certainty, 5 per class A–C of which 25% (2 each).
    assert re.search(r"data-population>20<", html)
    assert re.search(r"data-certain>5<", html)
    assert re.search(r"data-expected>11<", html)
    assert "A类（低风险）" in html and "C类（较高风险）" in html
    assert "黄浦" in html  # the inspectors' pool: district A
    assert "以下问题会阻止抽取" not in html


def test_preview_shows_problems_in_red(client_a, admin_a, make_entity):
    make_roster(make_entity, entities=4, inspectors=1)
    task = make_task(admin_a)
    html = page(client_a, "sampling:task_preview", task.pk)
    assert "以下问题会阻止抽取" in html
    assert "符合条件的检查人员不足 2 人" in html


def test_the_wizard_is_for_those_who_may_change_the_task(client, admin_a, make_user, roster):
    task = make_task(admin_a)
    reader = make_user("read_only", DISTRICT_A)
    client.force_login(reader)
    html = task_page(client, task)
    assert "冻结名单并公布承诺值" not in html
    assert client.post(reverse("sampling:task_commit", args=[task.pk])).status_code == 404
    assert not Draw.objects.exists()


def test_commit_publishes_the_commitment_but_not_the_secret(client_a, admin_a, roster):
    task = make_task(admin_a)
    draw = commit(client_a, task)
    assert draw.status == Draw.Status.COMMITTED
    assert protocol.commitment(bytes.fromhex(draw.secret), draw.digests) == draw.commitment
    task.refresh_from_db()
    assert task.status == Task.Status.COMMITTED

    html = task_page(client_a, task)
    assert draw.commitment in html
    assert draw.secret not in html
    assert "抽取" in html and reverse("sampling:draw_execute", args=[draw.pk]) in html
    # Nothing shows the secret before the draw: draw page, print, list and its export.
    for name in ("sampling:draw_detail", "sampling:draw_print"):
        html = page(client_a, name, draw.pk)
        assert draw.commitment in html
        assert draw.secret not in html
    assert draw.secret not in page(client_a, "sampling:draw_list")
    export = client_a.get(reverse("sampling:draw_export"), {"format": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert draw.commitment in body and draw.secret not in body
    # No proof and no result before the draw.
    assert client_a.get(reverse("sampling:draw_proof", args=[draw.pk])).status_code == 404
    assert client_a.get(reverse("sampling:draw_results_export", args=[draw.pk])).status_code == 404


def test_a_second_commit_is_refused(client_a, admin_a, roster):
    task = make_task(admin_a)
    commit(client_a, task)
    response = client_a.post(reverse("sampling:task_commit", args=[task.pk]), follow=True)
    assert "该任务已有抽取" in response.content.decode()
    assert Draw.objects.count() == 1


def test_entropy_is_declared_at_commit_and_entered_once(client_a, admin_a, roster, clock):
    """Issue 11: the wizard declares the public value with the commitment (refusing one already
    announced), shows the declaration, and takes the value once, after its announcement."""
    task = make_task(admin_a, requires_external_entropy=True)
    html = task_page(client_a, task)
    assert 'name="entropy_identifier"' in html and 'name="entropy_announced_at"' in html
    response = client_a.post(reverse("sampling:task_commit", args=[task.pk]), follow=True)
    assert "请先声明" in response.content.decode()
    response = client_a.post(
        reverse("sampling:task_commit", args=[task.pk]), declared(hours=-1), follow=True
    )
    assert "不在将来" in response.content.decode() and not Draw.objects.exists()

    draw = commit(client_a, task, **declared(hours=2, kind="numbers", count=7))
    assert draw.entropy_declaration["format"] == "numbers:7"
    html = task_page(client_a, task)
    assert "双色球 第2026058期 开奖号码" in html and "7 个号码" in html
    assert reverse("sampling:draw_entropy", args=[draw.pk]) in html

    response = client_a.post(reverse("sampling:draw_execute", args=[draw.pk]), follow=True)
    assert "请先录入公开的随机数" in response.content.decode()
    assert not Job.objects.exists()
    entropy = reverse("sampling:draw_entropy", args=[draw.pk])
    response = client_a.post(entropy, {"external_entropy": "03 11 17 22 28 31 + 09"})
    assert response.status_code == 400 and "公布之后才能录入" in response.content.decode()

    clock.advance(hours=3)
    response = client_a.post(entropy, {"external_entropy": "  "})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    response = client_a.post(entropy, {"external_entropy": "03 11 17 22 28 31 + 09"})
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.external_entropy == "03 11 17 22 28 31 09"  # the declared canonical form
    assert 'name="external_entropy"' not in task_page(client_a, task)  # entered: no form
    response = client_a.post(entropy, {"external_entropy": "01 02 03 04 05 06 07"})
    assert response.status_code == 400 and "不能更改" in response.content.decode()

    draw = execute(client_a, draw)
    assert draw.status == Draw.Status.DRAWN
    proof = (draw_dir(draw) / "proof.json").read_text("utf-8")
    assert "03 11 17 22 28 31 09" in proof
    response = client_a.post(entropy, {"external_entropy": "1"})
    assert response.status_code == 400
    assert "抽取已完成" in response.content.decode()


def draw_dir(draw):
    from jianguan.sampling.services import draw_dir as folder

    return folder(draw)


def test_draw_runs_as_a_job_and_shows_targets_teams_and_secret(client_a, admin_a, roster):
    task = make_task(admin_a)
    draw = commit(client_a, task)
    draw = execute(client_a, draw)
    assert draw.status == Draw.Status.DRAWN

    job = Job.objects.get(kind="draw")
    assert job.status == Job.Status.DONE
    assert job.title == f"抽取：{task.title}"
    assert job.district_id == draw.district_id
    assert job.result["draw_id"] == draw.pk
    assert job.result["url"] == reverse("sampling:draw_detail", args=[draw.pk])
    html = page(client_a, "core:job_detail", job.pk)
    assert "抽取完成：抽中 11 户" in html and "抽中户数" in html

    visits = list(Visit.objects.filter(draw=draw).select_related("entity"))
    assert len(visits) == 11 == draw.counts["selected"]
    html = page(client_a, "sampling:draw_detail", draw.pk)
    assert draw.secret in html and draw.seed in html and draw.commitment in html
    for v in visits:
        assert v.entity.uscc in html
    member = Visit.objects.filter(draw=draw).first().members.select_related("inspector__unit")[0]
    assert f"{member.inspector.name}（{member.inspector.unit.short_name}）" in html
    assert "必查" in html and "A类（低风险）" in html
    for digest in draw.digests.values():
        assert digest in html

    # Search by credit code and by name.
    one = visits[0].entity
    html = page(client_a, "sampling:draw_detail", draw.pk, q=one.uscc)
    assert one.uscc in html and visits[1].entity.uscc not in html
    html = page(client_a, "sampling:draw_detail", draw.pk, q=one.name)
    assert one.uscc in html and visits[1].entity.uscc not in html

    # The task page now links to the result; the wizard's steps are done.
    html = task_page(client_a, task)
    assert reverse("sampling:draw_detail", args=[draw.pk]) in html
    assert "查看抽取结果与抽取证明" in html

    # The result as a spreadsheet.
    response = client_a.get(
        reverse("sampling:draw_results_export", args=[draw.pk]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "名称")
    assert {r[0] for r in rows[1:]} == {v.entity.uscc for v in visits}


def test_proof_zip_holds_the_six_files_and_verifies(client_a, admin_a, roster, tmp_path, clock):
    task = make_task(admin_a, requires_external_entropy=True)
    draw = commit(client_a, task, **declared(kind="digits", count=8))
    clock.advance(hours=2)
    client_a.post(
        reverse("sampling:draw_entropy", args=[draw.pk]), {"external_entropy": "20260519"}
    )
    draw = execute(client_a, draw)

    html = page(client_a, "sampling:draw_detail", draw.pk)
    assert reverse("sampling:draw_proof", args=[draw.pk]) in html
    assert "python3 tools/verify_draw.py" in html and "jianguan verify_draw" in html
    assert "/media/" not in html

    response = client_a.get(reverse("sampling:draw_proof", args=[draw.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(
        f"draw-{draw.pk}/{n}"
        for n in (
            "proof.json",
            "targets.csv",
            "targets.public.csv",
            "inspectors.csv",
            "experts.csv",
            "exclusions.csv",
            "exclusions.public.csv",
            "persons.csv",
            "result.csv",
            "result.public.csv",
        )
    )
    archive.extractall(tmp_path)
    assert protocol.verify(tmp_path / f"draw-{draw.pk}") == []  # the full proof, staff only
    # The download is on record.
    from jianguan.core.audit import history

    assert history(draw).filter(note__contains="下载抽取证明").exists()


def test_redraw_needs_a_reason_and_keeps_the_old_draw(client_a, admin_a, roster):
    task = make_task(admin_a)
    first = execute(client_a, commit(client_a, task))
    html = page(client_a, "sampling:draw_detail", first.pk)
    assert reverse("sampling:draw_redraw", args=[first.pk]) in html

    response = client_a.post(reverse("sampling:draw_redraw", args=[first.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "重新抽取须书面说明理由" in response.content.decode()
    response = client_a.post(reverse("sampling:draw_redraw", args=[first.pk]), {"reason": "有误"})
    assert response.status_code == 400
    assert Draw.objects.count() == 1

    reason = "名录数据有误：3户已注销未更新"
    response = client_a.post(reverse("sampling:draw_redraw", args=[first.pk]), {"reason": reason})
    assert response.status_code == 302
    second = Draw.objects.get(number=2)
    assert second.status == Draw.Status.COMMITTED and second.redraw_of_id == first.pk
    html = task_page(client_a, task)
    assert second.commitment in html and second.secret not in html

    second = execute(client_a, second)
    first.refresh_from_db()
    assert second.status == Draw.Status.DRAWN
    assert first.status == Draw.Status.SUPERSEDED

    html = page(client_a, "sampling:draw_detail", first.pk)
    assert "已重新抽取" in html and reason in html
    assert reverse("sampling:draw_detail", args=[second.pk]) in html
    assert reverse("sampling:draw_redraw", args=[first.pk]) not in html
    html = page(client_a, "sampling:draw_detail", second.pk)
    assert "本次为重新抽取" in html and reason in html
    html = task_page(client_a, task)
    assert "第1次抽取" in html and "第2次抽取" in html and "已重新抽取" in html
    # A superseded draw is still a proof of what happened.
    response = client_a.get(reverse("sampling:draw_proof", args=[first.pk]))
    assert response.status_code == 200


def test_infeasible_draw_lists_the_unstaffed_targets(client_a, admin_a, make_entity):
    make_roster(make_entity, entities=4, inspectors=1)
    task = make_task(admin_a)
    draw = execute(client_a, commit(client_a, task))
    assert draw.status == Draw.Status.INFEASIBLE
    job = Job.objects.get(kind="draw")
    assert job.status == Job.Status.FAILED and "无法配齐检查人员" in job.message
    html = task_page(client_a, task)
    assert "无法配齐检查人员" in html
    code, reason = next(iter(draw.unstaffed.items()))
    assert code in html and reason in html
    # The task is a draft again: its rules can be changed and a new draw committed.
    assert reverse("planning:task_edit", args=[task.pk]) in html
    assert "冻结名单并公布承诺值" in html


def test_a_general_items_cap_stops_the_commit_not_the_draw(client_a, admin_a, roster):
    """20 entities at 2% would round up to 1 (5%), beyond the 2% cap of a general item (seed
    003): rounding stays within the cap, so 0 would be drawn — the preview says so and the
    commit refuses, so no committed draw is left that draws nothing."""
    item = make_item(kind="general", cap="0.02")
    task = planning.task_save(admin_a, definition=definition(items=[item.code]))
    html = page(client_a, "sampling:task_preview", task.pk)
    assert "将抽取 0 户" in html
    response = client_a.post(reverse("sampling:task_commit", args=[task.pk]), follow=True)
    assert "将抽取 0 户" in response.content.decode()
    assert not Draw.objects.exists()
    task.refresh_from_db()
    assert task.status == Task.Status.DRAFT


def test_rounding_never_takes_a_general_item_over_its_cap(client_a, admin_a, make_entity):
    """Issue 11 item 8: a general item at its 2% cap on 308 entities: 6.16 rounds to 6 (1.95%),
    never 7 (2.27%, over the cap); the preview shows the 6 the draw then takes."""
    make_roster(make_entity, entities=308, inspectors=4)
    item = make_item(kind="general", cap="0.02")
    task = planning.task_save(admin_a, definition=definition(items=[item.code], team={"size": 2}))
    html = page(client_a, "sampling:task_preview", task.pk)
    assert re.search(r"data-expected>\s*6\s*<", html), "the preview shows 6"
    assert "以下问题会阻止抽取" not in html
    draw = execute(client_a, commit(client_a, task))
    assert draw.status == Draw.Status.DRAWN and draw.counts["selected"] == 6
    assert Visit.objects.filter(draw=draw).count() == 6


def test_another_districts_admin_gets_404(client, admin_a, admin_b, roster):
    client.force_login(admin_a)
    task = make_task(admin_a)
    draw = execute(client, commit(client, task))
    client.force_login(admin_b)
    for name in (
        "sampling:draw_detail",
        "sampling:draw_print",
        "sampling:draw_proof",
        "sampling:draw_results_export",
        "sampling:draw_entropy",
    ):
        assert client.get(reverse(name, args=[draw.pk])).status_code == 404, name
    for name in ("sampling:draw_execute", "sampling:draw_redraw", "sampling:visit_merge"):
        assert client.post(reverse(name, args=[draw.pk]), {"reason": "理由理由"}).status_code == 404
    assert client.get(reverse("sampling:task_preview", args=[task.pk])).status_code == 404
    assert client.post(reverse("sampling:task_commit", args=[task.pk])).status_code == 404
    assert task.title not in page(client, "sampling:draw_list")


def test_draw_list_searches_filters_and_exports(client_a, admin_a, roster):
    task = make_task(admin_a)
    draw = execute(client_a, commit(client_a, task))
    html = page(client_a, "sampling:draw_list")
    assert task.title in html and reverse("sampling:draw_detail", args=[draw.pk]) in html
    assert task.title in page(client_a, "sampling:draw_list", q="黄浦区食品")
    assert task.title not in page(client_a, "sampling:draw_list", q="没有这个任务")
    assert task.title in page(client_a, "sampling:draw_list", status="drawn")
    assert task.title not in page(client_a, "sampling:draw_list", status="committed")
    assert task.title in page(client_a, "sampling:draw_list", year="2026")
    assert task.title not in page(client_a, "sampling:draw_list", year="2025")

    response = client_a.get(reverse("sampling:draw_export"), {"format": "xlsx", "q": "黄浦"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "抽查任务"
    assert rows[1][0] == task.title and rows[1][9] == 11
    assert client_a.get(reverse("sampling:draw_export"), {"format": "pdf"}).status_code == 400


def test_print_record(client_a, admin_a, roster):
    task = make_task(admin_a)
    draw = execute(client_a, commit(client_a, task))
    html = page(client_a, "sampling:draw_print", draw.pk)
    for text in (
        "双随机抽查抽取记录",
        task.title,
        draw.commitment,
        draw.secret,
        draw.seed,
        "抽取人（签字）",
        "监督人（签字）",
        "data-print",
        "按比例抽取",
    ):
        assert text in html, text
    assert "<script>" not in html and "style=" not in html  # the CSP: no inline script or style
    for v in Visit.objects.filter(draw=draw).select_related("entity"):
        assert v.entity.uscc in html


def test_merge_overlapping_visits(client_a, admin_a, make_entity):
    entities, _people = make_roster(make_entity, entities=4, inspectors=8)
    everyone = {"mode": "ratio", "ratio": "1"}
    first = make_task(admin_a, sampling=everyone, title="食品销售抽查")
    second = make_task(admin_a, sampling=everyone, title="广告发布抽查")
    draw1 = execute(client_a, commit(client_a, first))
    draw2 = execute(client_a, commit(client_a, second))
    assert draw1.status == draw2.status == Draw.Status.DRAWN

    html = page(client_a, "sampling:draw_detail", draw2.pk)
    assert "食品销售抽查" in html and "合并为一次上门" in html
    mine = Visit.objects.get(draw=draw2, entity=entities[0])
    other = Visit.objects.get(draw=draw1, entity=entities[0])
    response = client_a.post(
        reverse("sampling:visit_merge", args=[draw2.pk]), {"visit": mine.pk, "into": other.pk}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.merged_into_id == other.pk
    html = page(client_a, "sampling:draw_detail", draw2.pk)
    assert "已合并" in html and "并入「食品销售抽查」" in html

    # Merging again, or merging the host into another visit, is refused.
    response = client_a.post(
        reverse("sampling:visit_merge", args=[draw2.pk]),
        {"visit": mine.pk, "into": other.pk},
        follow=True,
    )
    assert "不能重复合并" in response.content.decode()
    response = client_a.post(
        reverse("sampling:visit_merge", args=[draw1.pk]),
        {"visit": other.pk, "into": mine.pk},
    )
    assert response.status_code == 404  # a merged visit is not an overlap to merge with
    mine.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into_id is None

    # The entity's file shows both checks and the merge.
    request = RequestFactory().get("/")
    request.user = admin_a
    html = Template("{% load sampling %}{% visits_section entity %}").render(
        Context({"entity": entities[0], "request": request})
    )
    assert "食品销售抽查" in html and "广告发布抽查" in html
    assert "合并为一次上门" in html
    assert reverse("sampling:draw_detail", args=[draw1.pk]) in html


def test_entity_section_shows_only_visible_visits(client_a, admin_a, admin_b, roster):
    entities, _people = roster
    task = make_task(admin_a, sampling={"mode": "ratio", "ratio": "1"})
    execute(client_a, commit(client_a, task))
    request = RequestFactory().get("/")
    template = Template("{% load sampling %}{% visits_section entity %}")
    request.user = admin_a
    html = template.render(Context({"entity": entities[0], "request": request}))
    assert task.title in html
    request.user = admin_b
    html = template.render(Context({"entity": entities[0], "request": request}))
    assert task.title not in html and "暂无检查记录" in html
