"""The public commitment board (issue 11): every commitment is public the moment it is made,
before any randomness exists; every draw's end (made, superseded with its reason, failed with its
secret) follows; the board is an append-only hash chain that `board_verify` checks."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from jianguan.board import selectors
from jianguan.board.models import Entry
from jianguan.core import audit
from jianguan.core.hashchain import GENESIS, canonical
from jianguan.core.scoping import SYSTEM
from jianguan.planning.services import task_save
from jianguan.sampling import protocol as P
from jianguan.sampling import services
from jianguan.sampling.models import Draw
from tests.conftest import entropy_declaration
from tests.sampling.test_draw_service import add_inspectors, definition

pytestmark = pytest.mark.django_db


def run(command: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def feed(client: Client, page: int = 1) -> dict:
    response = client.get(f"/public/board.json?page={page}")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def roster(make_entity):
    return [make_entity(risk_class="ABCD"[i % 4]) for i in range(12)]


@pytest.fixture
def waiting(roster, admin_a, clock):
    """A task that needs public entropy, committed and waiting for it (福彩3D, in an hour)."""
    add_inspectors(6)
    task = task_save(admin_a, definition={**definition(), "requires_external_entropy": True})
    draw = services.commit(task, user=admin_a, declaration=entropy_declaration(hours=1))
    draw.clock = clock
    return draw


def enter_entropy(draw, user):
    draw.clock.advance(hours=1, seconds=1)  # the declared value is announced
    services.set_entropy(draw, user=user, value="093")


def test_a_commitment_is_public_before_the_entropy_exists(waiting, client):
    """Issue 11: "every commitment appears the moment it is made … long before results"."""
    assert waiting.status == Draw.Status.COMMITTED and not waiting.external_entropy
    entry = Entry.objects.get()
    assert (entry.kind, entry.draw_id, entry.task_id) == ("commitment", waiting.pk, waiting.task_id)
    page = client.get("/public/board/").content.decode()
    assert waiting.commitment in page and waiting.task.title in page
    assert "黄浦区市场监督管理局" in page or str(waiting.task.unit) in page
    doc = feed(client)
    [shown] = doc["entries"]
    assert shown["data"]["commitment"] == waiting.commitment
    assert shown["task"] == waiting.task.title and shown["unit"] == str(waiting.task.unit)
    assert shown["at"].endswith("+08:00")  # ISO with the Beijing offset
    declared = shown["data"]["entropy_declaration"]
    assert declared == waiting.entropy_declaration
    assert "福彩3D 第2026340期 开奖号码" in page
    assert doc["head"] == {"count": 1, "hash": shown["hash"]}
    # the secret stays private until the draw is made
    assert waiting.secret not in page and waiting.secret not in json.dumps(doc)


def test_the_feed_is_a_chain_anyone_can_recompute(waiting, admin_a, client):
    """Each entry's hash is SHA-256 of the canonical JSON of the entry without "hash", and
    carries the previous entry's hash (docs/draw-protocol.md, the board section)."""
    enter_entropy(waiting, admin_a)
    services.execute(waiting, user=admin_a)
    entries = feed(client)["entries"]
    assert [e["kind"] for e in entries] == ["commitment", "drawn"]
    prev = GENESIS
    for e in entries:
        body = {k: v for k, v in e.items() if k != "hash"}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == e["hash"]
        assert canonical(body) == text.encode()
        assert e["prev"] == prev
        prev = e["hash"]


def test_a_made_draw_is_public_without_its_secret_or_seed(waiting, admin_a, client):
    """Before publication the secret and seed would tell, with the public register, which
    entities are about to be inspected; the board carries the result digest instead."""
    enter_entropy(waiting, admin_a)
    draw = services.execute(waiting, user=admin_a)
    made = Entry.objects.get(kind="drawn")
    assert made.data["result_digest"] == draw.digests["result"]
    assert made.data["external_entropy"] == "093"
    assert made.data["entropy_entered_at"] < made.data["drawn_at"]
    text = json.dumps(feed(client))
    assert draw.secret not in text and draw.seed not in text


def test_a_redraw_shows_the_reason_and_links_the_new_draw(roster, admin_a, client):
    add_inspectors(6)
    first = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    reason = "抽中对象已注销，经批准重新抽取"
    second = services.execute(services.redraw(first, user=admin_a, reason=reason), user=admin_a)
    kinds = list(Entry.objects.order_by("seq").values_list("kind", "draw_id"))
    assert kinds == [
        ("commitment", first.pk),
        ("drawn", first.pk),
        ("commitment", second.pk),
        ("superseded", first.pk),
        ("drawn", second.pk),
    ]
    old = Entry.objects.get(kind="superseded")
    assert old.data["redrawn_by"] == second.pk and old.data["reason"] == reason
    page = client.get("/public/board/").content.decode()
    assert reason in page and f"?draw={second.pk}" in page
    # the link shows the new draw's records
    linked = client.get(f"/public/board/?draw={second.pk}").content.decode()
    assert second.commitment in linked and first.commitment not in linked


def test_a_failed_draw_reveals_its_secret_and_digests(roster, admin_a, client):
    """Issue 11 item 6: anyone can check a failure was real: its secret (matching the
    commitment made before) and the rosters' digests."""
    add_inspectors(1)  # teams of 2: nobody can be staffed
    draw = services.execute(
        services.commit(task_save(admin_a, definition=definition()), user=admin_a), user=admin_a
    )
    assert draw.status == Draw.Status.INFEASIBLE
    failed = Entry.objects.get(kind="infeasible")
    # the board entry alone recomputes the commitment made before (protocol v2)
    assert P.commitment(bytes.fromhex(failed.data["secret"]), failed.data["digests"]) == (
        draw.commitment
    )
    assert failed.data["digests"] == {k: v for k, v in draw.digests.items() if k != "result"}
    assert failed.data["unstaffed"] == len(draw.unstaffed)
    page = client.get("/public/board/").content.decode()
    assert draw.secret in page and "抽取失败" in page
    # which entities could not be staffed is not public
    assert not any(uscc in page for uscc in draw.unstaffed)


def test_search_by_unit_or_task_and_paging(roster, admin_a, client):
    add_inspectors(6)
    for title in ("黄浦区食品生产者双随机抽查", "黄浦区药品零售抽查"):
        services.commit(
            task_save(admin_a, definition={**definition(), "title": title}), user=admin_a
        )
    page = client.get("/public/board/", {"q": "药品"}).content.decode()
    assert "黄浦区药品零售抽查" in page and "食品生产者" not in page
    assert "没有符合条件" in client.get("/public/board/", {"q": "不存在的任务"}).content.decode()
    unit = str(Entry.objects.first().unit)
    assert client.get("/public/board/", {"q": unit}).content.decode().count("抽取承诺</span>") == 2


def test_the_feed_pages_under_one_head(roster, admin_a, client, monkeypatch):
    add_inspectors(6)
    for i in range(5):
        services.commit(
            task_save(admin_a, definition={**definition(), "title": f"任务{i}"}), user=admin_a
        )
    monkeypatch.setattr(selectors, "FEED_PAGE_SIZE", 2)
    first = feed(client, 1)
    assert (first["pages"], first["head"]["count"]) == (3, 5)
    assert first["next"].endswith("/public/board.json?page=2") and first["previous"] is None
    seqs = [e["seq"] for p in (1, 2, 3) for e in feed(client, p)["entries"]]
    assert seqs == [1, 2, 3, 4, 5] and feed(client, 3)["next"] is None
    for bad in ("4", "0", "x", "-1"):
        response = client.get(f"/public/board.json?page={bad}")
        assert response.status_code == 404 and "页码无效" in response.json()["error"]


def test_entries_are_never_updated_or_deleted_through_the_orm(waiting):
    entry = Entry.objects.get()
    entry.unit = "改写"
    for attempt in (
        entry.save,
        entry.delete,
        lambda: Entry.objects.update(unit="改写"),
        lambda: Entry.objects.all().delete(),
        lambda: Entry.objects.bulk_update([entry], ["unit"]),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert run("board_verify")[0] == 0


def test_board_verify_names_an_entry_changed_with_raw_sql(waiting, admin_a):
    enter_entropy(waiting, admin_a)
    services.execute(waiting, user=admin_a)
    code, out = run("board_verify")
    assert code == 0 and "共 2 条" in out
    with connection.cursor() as cursor:
        cursor.execute("UPDATE board_entry SET task_title = '别的任务' WHERE seq = 1")
    code, out = run("board_verify")
    assert code == 1 and "第 1 条" in out and "被改动" in out


def test_board_verify_finds_a_back_dated_entry(waiting):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE board_entry SET at = '2020-01-01 00:00:00+00:00' WHERE seq = 1")
    assert run("board_verify")[0] == 1


def test_the_audit_head_is_published_once_a_day_and_pins_the_audit_log(admin_a):
    """Issue 11: "the head is published daily on the board"; a rewrite of the audit log behind a
    published head, hashes recomputed, is still caught."""
    audit.record(SYSTEM, "other", note="第一条")
    audit.record(SYSTEM, "other", note="第二条")
    code, out = run("publish_audit_head")
    assert code == 0 and "已登上公示板" in out
    assert "今日已登载过" in run("publish_audit_head")[1]
    [entry] = Entry.objects.filter(kind="audit_head")
    assert entry.data["count"] == 2 and entry.data["hash"] == audit.head()[1]
    assert run("board_verify")[0] == 0
    # an insider rewrites event 2 and recomputes its hash: the audit chain alone looks whole
    from jianguan.core.hashchain import link_hash
    from jianguan.core.models import AuditEvent, chain_content

    event = AuditEvent.objects.get(seq=2)
    event.note = "改写"
    forged = link_hash(chain_content(event))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET note = '改写', hash = %s WHERE seq = 2", [forged]
        )
    assert audit.verify_chain()[1] is None
    code, out = run("board_verify")
    assert code == 1 and "审计日志" in out


def test_the_portal_task_page_lists_every_draw_of_the_task(client):
    """Issue 11 item 6: superseded draws stay public with their re-draw reason and a link to
    the new draw, on the published task's page too."""
    from tests.portal.builders import build

    world = build(prefix="公示板")
    reason = "抽中对象已迁出，经批准重新抽取"
    second = services.execute(
        services.redraw(world.draw, user=world.admin, reason=reason), user=world.admin
    )
    page = client.get(f"/public/tasks/{world.task.pk}/").content.decode()
    assert page.count("抽取承诺</span>") == 2 and "已重新抽取</span>" in page
    assert world.draw.commitment in page and second.commitment in page
    assert reason in page and f"?draw={second.pk}" in page
    # another task's entries are not on this page
    assert world.pending_task.title not in page
