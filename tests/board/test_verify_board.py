"""`verify_draw DIR --board FILE_OR_URL` (issue 11): the proof's commitment is on the public
board, in a valid chain, before the declared value was announced and before the entropy was
entered. Both verifiers — tools/verify_draw.py by a bare interpreter and `jianguan verify_draw` —
give the same verdict on the same saved board JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from jianguan.planning.services import task_save
from jianguan.sampling import protocol as P
from jianguan.sampling import services
from tests.conftest import entropy_declaration
from tests.sampling.test_draw_service import add_inspectors, definition

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


def both(directory: Path, board: str) -> tuple[tuple[int, str], tuple[int, str]]:
    tool = subprocess.run(  # noqa: S603 (our own interpreter and file)
        [sys.executable, "-I", str(TOOL), str(directory), "--board", board],
        capture_output=True,
        text=True,
        check=False,
    )
    out = io.StringIO()
    try:
        call_command("verify_draw", str(directory), "--board", board, stdout=out)
        command = (0, out.getvalue())
    except SystemExit as exc:
        command = (int(exc.code), out.getvalue())
    return (tool.returncode, tool.stdout + tool.stderr), command


def rejected(directory: Path, board: Path, word: str) -> None:
    (tool_code, tool_out), (command_code, command_out) = both(directory, str(board))
    assert tool_code == 1 and command_code == 1, (tool_out, command_out)
    assert word in tool_out and word in command_out, (tool_out, command_out)


def rechained(doc: dict) -> dict:
    """A board whose entries were edited by someone who then recomputed every hash: a chain
    that is whole in itself."""
    prev = "0" * 64
    for seq, entry in enumerate(doc["entries"], start=1):
        entry["seq"], entry["prev"] = seq, prev
        entry["hash"] = prev = P.board_entry_hash(entry)
    doc["head"] = {"count": len(doc["entries"]), "hash": prev}
    return doc


@pytest.fixture
def drawn(db, make_entity, admin_a, clock, client, tmp_path):
    """A draw with entropy, its exported proof and the board saved from the JSON feed."""
    for i in range(12):
        make_entity(risk_class="ABCD"[i % 4])
    add_inspectors(6)
    task = task_save(admin_a, definition={**definition(), "requires_external_entropy": True})
    draw = services.commit(task, user=admin_a, declaration=entropy_declaration(hours=1))
    clock.advance(hours=1, seconds=1)
    services.set_entropy(draw, user=admin_a, value="093")
    draw = services.execute(draw, user=admin_a)
    proof = services.export(draw, out=tmp_path / "proof")
    doc = client.get("/public/board.json").json()
    board = tmp_path / "board.json"
    board.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return proof, board, doc


def test_a_proof_whose_commitment_was_on_the_board_in_time_verifies(drawn):
    proof, board, _doc = drawn
    (tool_code, tool_out), (command_code, command_out) = both(proof, str(board))
    assert (tool_code, command_code) == (0, 0), (tool_out, command_out)
    assert "验证通过" in tool_out and "验证通过" in command_out


def test_a_board_saved_as_its_pages_verifies(drawn, tmp_path):
    proof, _board, doc = drawn
    pages = [dict(doc, entries=doc["entries"][:1]), dict(doc, entries=doc["entries"][1:])]
    split = tmp_path / "pages.json"
    split.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    assert both(proof, str(split))[0][0] == 0


def test_a_commitment_missing_from_the_board_is_rejected(drawn, tmp_path):
    proof, _board, doc = drawn
    doc["entries"] = [e for e in doc["entries"] if e["kind"] != "commitment"]
    board = tmp_path / "forged.json"
    board.write_text(json.dumps(rechained(doc), ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "没有承诺值")


def test_a_commitment_posted_after_the_entropy_is_rejected(drawn, tmp_path):
    """The insider's move: learn the lottery number, then commit. Even on a whole chain, the
    board's time gives it away."""
    proof, _board, doc = drawn
    entered = json.loads((proof / "proof.json").read_text(encoding="utf-8"))["draw"][
        "entropy_entered_at"
    ]
    late = P.parse_time(entered) + dt.timedelta(seconds=1)
    doc["entries"][0]["at"] = late.isoformat(timespec="microseconds")
    board = tmp_path / "late.json"
    board.write_text(json.dumps(rechained(doc), ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "不早于外部随机数公布时间")
    rejected(proof, board, "不早于录入外部随机数时间")


def test_an_edited_board_entry_is_rejected(drawn, tmp_path):
    proof, _board, doc = drawn
    doc["entries"][0]["task"] = "另一项任务"
    board = tmp_path / "edited.json"
    board.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "公示板第 1 条：内容与其哈希不符")


def test_a_board_cut_short_of_its_head_is_rejected(drawn, tmp_path):
    proof, _board, doc = drawn
    doc["entries"] = doc["entries"][:1]
    board = tmp_path / "short.json"
    board.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "文件中只有 1 条")


def test_another_declaration_on_the_board_is_rejected(drawn, tmp_path):
    proof, _board, doc = drawn
    doc["entries"][0]["data"]["entropy_declaration"]["identifier"] = "福彩3D 第2026999期 开奖号码"
    board = tmp_path / "declared.json"
    board.write_text(json.dumps(rechained(doc), ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "外部随机数声明与证明中的声明不符")


def test_another_result_digest_on_the_board_is_rejected(drawn, tmp_path):
    """The board bound the result when the draw was made; a proof with another result.csv
    (a draw recomputed later) disagrees with it."""
    proof, _board, doc = drawn
    [made] = [e for e in doc["entries"] if e["kind"] == "drawn"]
    made["data"]["result_digest"] = "0" * 64
    board = tmp_path / "result.json"
    board.write_text(json.dumps(rechained(doc), ensure_ascii=False), encoding="utf-8")
    rejected(proof, board, "抽取结果摘要与证明中 result.csv 的摘要不符")


def test_an_unreadable_board_is_a_clear_failure(drawn, tmp_path):
    proof, _board, _doc = drawn
    junk = tmp_path / "junk.json"
    junk.write_text("not json", encoding="utf-8")
    rejected(proof, junk, "无法读取公示板")
    rejected(proof, tmp_path / "missing.json", "无法读取公示板")


@pytest.mark.django_db(transaction=True)
def test_the_board_read_from_its_url_page_by_page(
    make_entity, admin_a, clock, live_server, tmp_path, monkeypatch
):
    """The verifier fetches /public/board.json and follows "next" to the last page."""
    from jianguan.board import selectors

    for i in range(12):
        make_entity(risk_class="ABCD"[i % 4])
    add_inspectors(6)
    for title in ("先行任务甲", "先行任务乙"):  # entries before ours, on earlier pages
        services.commit(
            task_save(admin_a, definition={**definition(), "title": title}), user=admin_a
        )
    task = task_save(admin_a, definition={**definition(), "requires_external_entropy": True})
    draw = services.commit(task, user=admin_a, declaration=entropy_declaration(hours=1))
    clock.advance(hours=1, seconds=1)
    services.set_entropy(draw, user=admin_a, value="093")
    proof = services.export(services.execute(draw, user=admin_a), out=tmp_path / "proof")
    monkeypatch.setattr(selectors, "FEED_PAGE_SIZE", 2)  # four entries: two pages of the feed
    (tool_code, tool_out), (command_code, command_out) = both(
        proof, f"{live_server.url}/public/board.json"
    )
    assert (tool_code, command_code) == (0, 0), (tool_out, command_out)
