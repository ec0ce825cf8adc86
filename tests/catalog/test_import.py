"""Bulk import/export of the check-item list and the result codes.

Rules (ENGINEERING.md "Errors a user can cause"; the roster import rules): columns by Chinese
header; all-or-nothing: one bad row and nothing is written, every problem reported with row
(header = 1), column and a Chinese reason; the model's own rules apply to each row (key items
uncapped, general items capped, ratio <= cap); export writes the import layout, so exporting
and importing back changes nothing; only the city bureau imports.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from jianguan.catalog.importing import (
    ITEM_HEADERS,
    RESULT_CODE_HEADERS,
    export_items,
    export_result_codes,
    import_items,
    import_result_codes,
)
from jianguan.catalog.models import METHODS, CheckItem, ResultCode
from jianguan.core.models import AuditEvent, Job
from jianguan.registry.models import DOMAINS

from .conftest import make_item

pytestmark = pytest.mark.django_db

ITEM_COLUMNS = [
    "事项编码",
    "事项名称",
    "部门",
    "事项类别",
    "默认抽查比例（%）",
    "比例上限（%）",
    "检查对象类型",
    "检查方式",
    "监管领域",
    "法律依据",
    "启用",
]


def row(code: str, **over) -> dict[str, str]:
    base = {
        "事项编码": code,
        "事项名称": f"事项{code}",
        "部门": "市场监管",
        "事项类别": "一般检查事项",
        "默认抽查比例（%）": "2",
        "比例上限（%）": "2",
        "检查对象类型": "企业",
        "检查方式": "实地检查；书面检查",
        "监管领域": "食品",
        "法律依据": "《中华人民共和国食品安全法》",
        "启用": "是",
    }
    base.update(over)
    return base


def write_csv(path: Path, rows: list[dict]) -> Path:
    headers = list(rows[0])
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers])
    return path


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


def state() -> tuple:
    items = list(CheckItem.objects.order_by("pk").values_list())
    codes = list(ResultCode.objects.order_by("pk").values_list())
    return items, codes, AuditEvent.objects.count()


# ---------------------------------------------------------------- check items


def test_headers():
    assert ITEM_HEADERS == ITEM_COLUMNS
    assert RESULT_CODE_HEADERS == ["代码", "名称", "上级代码", "发现问题", "排序", "启用"]


def test_import_creates_and_updates_items_with_audit(tmp_path, city_admin):
    """Every column maps to its field (部门 by name or code, 事项类别 by label, percent to a
    fraction, methods and domains by label); each created or changed item gets an audit event
    and the batch one 'import' event."""
    changed = make_item(
        code="SH-T-001",
        name="旧名称",
        legal_basis="《中华人民共和国食品安全法》",
        methods=METHODS.mask(["onsite", "document"]),
        domains=DOMAINS.mask(["food"]),
    )
    rows = [
        row("SH-T-001", 事项名称="新名称"),
        row(
            "SH-T-002",
            部门="GA",
            事项类别="重点检查事项",
            **{"默认抽查比例（%）": "15%", "比例上限（%）": ""},
            检查方式="实地检查、网络检查",
            监管领域="检验检测机构",
            启用="否",
        ),
        row("SH-T-003", **{"默认抽查比例（%）": "2.5", "比例上限（%）": "3"}, 监管领域=""),
    ]
    result = import_items(write_csv(tmp_path / "i.csv", rows), user=city_admin)
    assert result.committed, errors_of(result)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    changed.refresh_from_db()
    assert changed.name == "新名称"
    key = CheckItem.objects.get(code="SH-T-002")
    assert key.department.name == "公安" and key.kind == "key" and key.cap is None
    assert key.default_ratio == Decimal("0.15") and not key.active
    assert key.methods == METHODS.mask(["onsite", "online"])
    assert key.domains == DOMAINS.mask(["testing_body"])
    third = CheckItem.objects.get(code="SH-T-003")
    assert (third.default_ratio, third.cap, third.domains) == (Decimal("0.025"), Decimal("0.03"), 0)
    [update] = AuditEvent.objects.filter(action="update", object_id=str(changed.pk))
    assert update.changes == {"name": ["旧名称", "新名称"]} and update.actor == city_admin
    assert AuditEvent.objects.filter(action="create", object_type="catalog.checkitem").count() == 2
    [batch] = AuditEvent.objects.filter(action="import")
    assert (batch.changes["created"], batch.changes["updated"]) == (2, 1)


def test_bad_rows_are_reported_and_nothing_is_written(tmp_path, city_admin):
    """All-or-nothing: good rows around bad ones are not written either; each problem names
    the row as numbered in the file (header = 1), the column and the reason in Chinese."""
    make_item(code="SH-T-001", name="旧名称")
    before = state()
    rows = [
        row("SH-T-001", 事项名称="新名称"),  # would update
        row("SH-T-002"),  # would create
        row("SH-T-003", 事项类别="重点检查事项"),  # key item with a cap
        row("SH-T-004", **{"默认抽查比例（%）": "5"}),  # above its 2% cap
        row("SH-T-005", 部门="外星局"),
        row("SH-T-006", 检查方式="飞行检查"),
        row("SH-T-007", **{"默认抽查比例（%）": "三"}),
        row("SH-T-002"),  # code twice in the file
        row("SH-T-009", 事项名称='=HYPERLINK("x")'),
        row("SH-T-010", 法律依据="", 事项类别="一般"),
    ]
    result = import_items(write_csv(tmp_path / "bad.csv", rows), user=city_admin)
    assert not result.committed and result.created == result.updated == 0
    assert state() == before
    got = {(r, c): m for r, c, m in errors_of(result)}
    assert got[(4, "比例上限（%）")] == "重点检查事项抽查比例不设上限，请清空比例上限"
    assert got[(5, "默认抽查比例（%）")] == "默认抽查比例（5%）不能高于比例上限（2%）"
    assert got[(6, "部门")].startswith("未知的部门“外星局”")
    assert got[(7, "检查方式")].startswith("未知的检查方式：飞行检查")
    assert got[(8, "默认抽查比例（%）")] == "应填写百分数（如 3 表示 3%），实际为“三”"
    assert got[(9, "事项编码")] == "事项编码在文件中重复（与第3行相同）"
    assert "不执行公式" in got[(10, "事项名称")]
    assert got[(11, "法律依据")] == "必填项为空"
    assert len(got) == 8
    assert "第4行，列“比例上限（%）”" in str(result.errors[0])
    assert result.summary() == "导入未执行：8 行有错误，数据库未作任何修改"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(tmp_path, fmt, city_admin):
    """The shipped list plus awkward values (formula-like text, fractional percent, no domain)
    round-trips: 0 created, 0 updated, only the batch's import event."""
    make_item(code="SH-T-100", name="=SUM(A1)", default_ratio=Decimal("0.0125"), domains=0)
    make_item(code="SH-T-101", kind="key", cap=None, default_ratio=Decimal("1"), active=False)
    before = state()
    path = tmp_path / f"items.{fmt}"
    count = export_items(path)
    assert count == CheckItem.objects.count()
    result = import_items(path, user=city_admin)
    assert result.committed, errors_of(result)
    assert (result.created, result.updated, result.unchanged) == (0, 0, count)
    items, codes, events = before
    assert state() == (items, codes, events + 1)


def test_only_the_city_imports(tmp_path, admin_a):
    path = write_csv(tmp_path / "i.csv", [row("SH-T-001")])
    with pytest.raises(PermissionDenied):
        import_items(path, user=admin_a)
    with pytest.raises(PermissionDenied):
        import_result_codes(path, user=admin_a)
    assert not CheckItem.objects.filter(code="SH-T-001").exists()


def test_wrong_headers_are_reported(tmp_path, city_admin):
    path = write_csv(tmp_path / "h.csv", [{"事项编码": "X", "名字": "Y"}])
    result = import_items(path, user=city_admin)
    assert not result.committed
    text = " ".join(str(e) for e in result.errors)
    assert "无法识别的列：名字" in text and "缺少必填列" in text


# ---------------------------------------------------------------- result codes


def test_result_codes_round_trip(tmp_path, city_admin):
    before = state()
    path = tmp_path / "codes.xlsx"
    assert export_result_codes(path) == ResultCode.objects.count() == 14
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == tuple(RESULT_CODE_HEADERS)
    assert [r[0] for r in rows[1:7]] == ["01", "02", "0201", "0202", "0203", "0204"]
    result = import_result_codes(path, user=city_admin)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 14), errors_of(result)
    items, codes, events = before
    assert state() == (items, codes, events + 1)


def test_result_code_import_parent_in_same_file_and_errors(tmp_path, city_admin):
    """A sub-kind may name a parent created by the same file (written first, whatever the row
    order); a blank 发现问题 takes the parent's; a missing parent or a disagreeing sub-kind is a
    row error and nothing is written."""
    header = ["代码", "名称", "上级代码", "发现问题", "排序", "启用"]
    good = [
        dict(zip(header, ["1101", "逾期未改正", "11", "", "10", "是"], strict=True)),
        dict(zip(header, ["11", "发现问题已移送", "", "是", "110", "是"], strict=True)),
    ]
    result = import_result_codes(write_csv(tmp_path / "g.csv", good), user=city_admin)
    assert result.committed and result.created == 2, errors_of(result)
    child = ResultCode.objects.get(code="1101")
    assert child.parent.code == "11" and child.problem_found

    before = state()
    bad = [
        dict(zip(header, ["1201", "无上级", "12", "是", "", ""], strict=True)),
        dict(zip(header, ["0205", "不一致", "02", "否", "", ""], strict=True)),
        dict(zip(header, ["13", "排序错", "", "", "-1", ""], strict=True)),
    ]
    result = import_result_codes(write_csv(tmp_path / "b.csv", bad), user=city_admin)
    assert not result.committed and state() == before
    got = {(r, c): m for r, c, m in errors_of(result)}
    assert got[(2, "上级代码")] == "上级代码“12”不存在"
    assert got[(3, "发现问题")].startswith("细分类型的“发现问题”须与上级代码")
    assert got[(4, "排序")] == "排序应为不小于 0 的整数，实际为“-1”"


# ---------------------------------------------------------------- pages and commands


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(list(rows[0]))
    for r in rows:
        w.writerow(list(r.values()))
    return out.getvalue()


def test_import_page_reports_errors_and_writes_nothing(login, city_admin):
    """The upload runs as a background job (issue 12: one way for every import): its page
    lists errors with row, column and reason and nothing is written; a good file is written
    and the job page gives the summary."""
    c = login(city_admin)
    page = c.get(reverse("catalog:item_import")).content.decode()
    assert "下载 Excel 模板" in page and "跳过错误行" not in page
    before = state()
    bad = csv_text([row("SH-T-001"), row("SH-T-002", 事项类别="重点检查事项")])
    response = c.post(reverse("catalog:item_import"), {"file": upload("事项.csv", bad)})
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.FAILED and state() == before
    text = c.get(response["Location"]).content.decode()
    assert "导入未执行：1 行有错误，数据库未作任何修改" in text
    assert (
        "<td>3</td>" in text and "比例上限（%）" in text and "重点检查事项抽查比例不设上限" in text
    )

    good = csv_text([row("SH-T-001"), row("SH-T-002")])
    response = c.post(reverse("catalog:item_import"), {"file": upload("事项.csv", good)})
    assert Job.objects.latest("pk").status == Job.Status.DONE
    assert CheckItem.objects.filter(code__in=["SH-T-001", "SH-T-002"]).count() == 2
    assert "导入完成：新增 2 条" in c.get(response["Location"]).content.decode()


def test_import_page_rejects_other_file_types(login, city_admin):
    c = login(city_admin)
    response = c.post(reverse("catalog:item_import"), {"file": upload("事项.pdf", "x")})
    assert response.status_code == 200
    assert "请上传 .csv 或 .xlsx" in response.content.decode()


def test_export_pages_and_templates(login, admin_a, city_admin):
    """Any staff member exports the (filtered) list in the import layout; the import
    templates are for those who may import."""
    c = login(admin_a)
    response = c.get(reverse("catalog:item_export"), {"format": "xlsx", "kind": "key"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ITEM_COLUMNS
    assert {r[3] for r in rows[1:]} == {"重点检查事项"}
    assert len(rows) - 1 == CheckItem.objects.filter(kind="key").count()
    response = c.get(reverse("catalog:result_code_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(RESULT_CODE_HEADERS) and "已迁出" in text
    assert c.get(reverse("catalog:item_export"), {"format": "pdf"}).status_code == 400
    assert c.get(reverse("catalog:item_import_template")).status_code == 403

    c = login(city_admin)
    template = c.get(reverse("catalog:item_import_template"), {"format": "csv"})
    header = b"".join(template.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(ITEM_COLUMNS)


def test_commands(tmp_path, admin_a):
    """import_items/export_items: the export imports back unchanged; a bad file exits
    non-zero with an error report and writes nothing; a district admin may not import."""
    out = tmp_path / "items.csv"
    call_command("export_items", "--out", str(out))
    before = state()
    call_command("import_items", str(out))
    assert state()[:2] == before[:2]

    bad = write_csv(tmp_path / "bad.csv", [row("SH-T-001"), row("SH-T-002", 启用="也许")])
    with pytest.raises(CommandError):
        call_command("import_items", str(bad), "--errors", str(tmp_path / "e.csv"))
    report = list(csv.reader((tmp_path / "e.csv").open(encoding="utf-8-sig")))
    assert report[1][:2] == ["3", "启用"]
    assert not CheckItem.objects.filter(code="SH-T-001").exists()
    with pytest.raises(CommandError):
        call_command("import_items", str(out), "--user", admin_a.username)

    call_command("import_items", str(tmp_path / "t.xlsx"), "--template")
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx").worksheets[0][1]] == ITEM_COLUMNS
    call_command("export_result_codes", "--out", str(tmp_path / "codes.csv"))
    call_command("import_result_codes", str(tmp_path / "codes.csv"))
