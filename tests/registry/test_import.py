"""Bulk import/export of the entity roster (issue: 批量导入). Real files in tmp_path, real DB."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook, load_workbook

from jianguan.core import jobs, uscc
from jianguan.core.models import AuditEvent, Job
from jianguan.registry import importing
from jianguan.registry.importing import HEADERS, export_entities, import_entities
from jianguan.registry.models import DOMAINS, Entity
from jianguan.registry.tasks import start_entity_import
from tests.conftest import DISTRICT_A, DISTRICT_B, new_uscc, unit

pytestmark = pytest.mark.django_db

FULL = [
    "统一社会信用代码",
    "名称",
    "主体类型",
    "所属区",
    "所属所",
    "住所",
    "行业代码",
    "成立日期",
    "注册资本（万元）",
    "法定代表人",
    "登记状态",
    "监管领域",
    "重点领域类别",
]


def row(code: str | None = None, **over) -> dict[str, str]:
    base = {
        "统一社会信用代码": code or new_uscc(),
        "名称": "上海测试贸易有限公司",
        "主体类型": "企业",
        "所属区": "黄浦区",
        "所属所": "南京东路所",
        "住所": "上海市黄浦区南京东路1号",
        "行业代码": "5231",
        "成立日期": "2015-03-01",
        "注册资本（万元）": "100.5",
        "法定代表人": "张三",
        "登记状态": "存续",
        "监管领域": "食品；药品",
        "重点领域类别": "一般重点",
    }
    base.update(over)
    return base


def write_csv(
    path: Path, rows: list[dict], headers: list[str] | None = None, encoding="utf-8-sig"
) -> Path:
    headers = headers or list(rows[0])
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[list], headers: list[str]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def snapshot_db() -> tuple:
    return (
        list(Entity.objects.order_by("id").values_list()),
        AuditEvent.objects.count(),
    )


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


# --- a good file -----------------------------------------------------------------------------


def test_valid_csv_creates_entities_with_every_field(tmp_path):
    """Each column maps to its field; region_code = uscc[2:8]; created_at/updated_at are set."""
    code = new_uscc("310104")
    path = write_csv(tmp_path / "ok.csv", [row(code), row(所属区="310104", 所属所="")])
    result = import_entities(path)
    assert result.ok and result.created == 2, errors_of(result)
    e = Entity.objects.get(uscc=code)
    assert e.region_code == "310104"
    assert e.district == unit(DISTRICT_A) and e.station == unit(f"{DISTRICT_A}-S01")
    assert (e.entity_type, e.status, e.key_tier) == ("enterprise", "active", "general")
    assert e.industry_code == "5231" and e.established_on == dt.date(2015, 3, 1)
    assert e.capital_wan == Decimal("100.5") and e.legal_rep == "张三"
    assert e.domains == DOMAINS.mask(["food", "drug"])
    assert e.created_at is not None and e.updated_at is not None
    assert Entity.objects.filter(district=unit(DISTRICT_B), station=None).count() == 1


def test_district_by_short_name_full_name_or_code(tmp_path):
    """所属区 accepts 黄浦区, 黄浦区市场监督管理局 or 310101."""
    rows = [row(所属区=d, 所属所="") for d in ("黄浦区", "黄浦区市场监督管理局", "310101")]
    result = import_entities(write_csv(tmp_path / "d.csv", rows))
    assert result.created == 3
    assert Entity.objects.filter(district=unit(DISTRICT_A)).count() == 3


def test_lenient_input_is_normalised(tmp_path):
    """Lower case and spaces in the code are normalised; optional blanks take defaults; the
    entity type follows the code's category when blank; dates in the other accepted forms."""
    code = uscc.compose("92310101MA0000001")  # category 2: individual business
    messy = code[:6].lower() + " " + code[6:]
    rows = [
        row(messy, 主体类型="", 登记状态="", 重点领域类别="", 成立日期="20150301"),
        row(成立日期="2015/3/1", **{"注册资本（万元）": "1,000"}),
    ]
    result = import_entities(write_csv(tmp_path / "n.csv", rows))
    assert result.ok, errors_of(result)
    e = Entity.objects.get(uscc=code)
    assert (e.entity_type, e.status, e.key_tier) == ("individual", "active", "")
    assert e.established_on == dt.date(2015, 3, 1)
    assert Entity.objects.filter(capital_wan=1000).count() == 1


def test_only_required_columns(tmp_path):
    """Required: 统一社会信用代码, 名称, 所属区; the other columns are optional."""
    path = write_csv(
        tmp_path / "min.csv",
        [{"统一社会信用代码": new_uscc(), "名称": "甲公司", "所属区": "徐汇区"}],
    )
    result = import_entities(path)
    assert result.ok and result.created == 1


# --- all-or-nothing ----------------------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_is_reported(tmp_path, make_entity):
    """Default all-or-nothing: one bad row -> nothing written (entities and audit events), and
    the error names the row (header = row 1), the column and the reason."""
    existing = make_entity(name="原名称")
    before = snapshot_db()
    rows = [row(existing.uscc, 名称="新名称"), row(), row(行业代码="99999"), row()]
    result = import_entities(write_csv(tmp_path / "bad.csv", rows))
    assert not result.committed and result.created == 0
    assert errors_of(result) == [
        (4, "行业代码", "行业代码应为2至4位数字（GB/T 4754-2017），实际为“99999”")
    ]
    assert snapshot_db() == before


def test_wrong_check_character_names_the_expected_one(tmp_path):
    """GB 32100: a wrong 18th character is an error that says which character is expected."""
    good = new_uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    result = import_entities(write_csv(tmp_path / "c.csv", [row(wrong)]))
    [(r, col, reason)] = errors_of(result)
    assert (r, col) == (2, "统一社会信用代码")
    assert f"第18位应为“{good[17]}”" in reason


def test_every_kind_of_bad_cell_is_reported(tmp_path):
    """Required fields, known codes and labels, dates, capital, domains, lengths: all checked."""
    rows = [
        row(名称=""),
        row(所属区="火星区"),
        row(行业代码="00"),
        row(成立日期="2015-02-30"),
        row(成立日期="明年"),
        row(**{"注册资本（万元）": "-5"}),
        row(**{"注册资本（万元）": "1.23456"}),
        row(监管领域="食品；火箭"),
        row(主体类型="公司"),
        row(登记状态="歇业"),
        row(住所="路" * 301),
        row(名称="甲\n乙"),
        row(成立日期=(dt.date.today() + dt.timedelta(days=1)).isoformat()),
    ]
    result = import_entities(write_csv(tmp_path / "e.csv", rows))
    got = {(r, c) for r, c, _ in errors_of(result)}
    assert got == {
        (2, "名称"),
        (3, "所属区"),
        (4, "行业代码"),
        (5, "成立日期"),
        (6, "成立日期"),
        (7, "注册资本（万元）"),
        (8, "注册资本（万元）"),
        (9, "监管领域"),
        (10, "主体类型"),
        (11, "登记状态"),
        (12, "住所"),
        (13, "名称"),
        (14, "成立日期"),
    }
    reasons = {(r, c): m for r, c, m in errors_of(result)}
    assert reasons[(2, "名称")] == "必填项为空"
    assert "火星区" in reasons[(3, "所属区")]
    assert reasons[(7, "注册资本（万元）")] == "注册资本不能为负数"
    assert "火箭" in reasons[(9, "监管领域")]
    assert Entity.objects.count() == 0


def test_duplicate_codes_within_the_file(tmp_path):
    """A code twice in one file: the later row is an error naming the first."""
    code = new_uscc()
    result = import_entities(write_csv(tmp_path / "dup.csv", [row(code), row(), row(code.lower())]))
    assert errors_of(result) == [
        (4, "统一社会信用代码", "统一社会信用代码在文件中重复（与第2行相同）")
    ]
    assert Entity.objects.count() == 0


def test_unknown_district(tmp_path):
    result = import_entities(write_csv(tmp_path / "u.csv", [row(所属区="浦西区")]))
    [(r, col, reason)] = errors_of(result)
    assert (r, col) == (2, "所属区") and "未知的区局“浦西区”" in reason


def test_station_must_belong_to_the_district(tmp_path):
    """所属所 is looked up within the row's district (by name, short name or code)."""
    rows = [
        row(所属区="徐汇区", 所属所="南京东路所"),
        row(所属所="火星所"),
        row(所属所="310101-S02"),
        row(所属所="黄浦区外滩市场监管所"),
    ]
    result = import_entities(write_csv(tmp_path / "s.csv", rows))
    assert errors_of(result) == [
        (2, "所属所", "所属所“南京东路所”不属于徐汇区"),
        (3, "所属所", "未知的所属所“火星所”：请填写所名、简称或机构代码"),
    ]


# --- headers and file format -------------------------------------------------------------------


def test_header_problems_are_named(tmp_path):
    """Unknown, duplicate and missing required headers are reported by name."""
    path = tmp_path / "h.csv"
    path.write_text("统一社会信用代码,名称,名称,颜色\n", encoding="utf-8")
    result = import_entities(path)
    reasons = " ".join(e.reason for e in result.errors)
    assert "表头“名称”重复出现（第2、3列）" in reasons
    assert "无法识别的列：颜色" in reasons
    assert "缺少必填列：所属区" in reasons
    assert not result.committed


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = import_entities(path)
    assert "不支持的文件类型“.xls”" in result.errors[0].reason


def test_gbk_encoded_csv_imports(tmp_path):
    """A csv saved by Excel on a Chinese Windows (GBK, no BOM) imports like UTF-8."""
    path = write_csv(tmp_path / "gbk.csv", [row(名称="上海鑫淼商贸有限公司")], encoding="gbk")
    result = import_entities(path)
    assert result.ok, errors_of(result)
    assert Entity.objects.get().name == "上海鑫淼商贸有限公司"


def test_utf8_without_bom_imports(tmp_path):
    path = write_csv(tmp_path / "u8.csv", [row()], encoding="utf-8")
    assert import_entities(path).created == 1


def test_xlsx_import_with_date_and_number_cells(tmp_path):
    """xlsx: Excel date cells and numeric cells are accepted; blank rows are skipped."""
    code = new_uscc()
    rows = [
        [
            code,
            "甲公司",
            "企业",
            "黄浦区",
            "",
            "",
            "5231",
            dt.datetime(2010, 5, 6),
            88.25,
            "李四",
            "存续",
            "",
            "",
        ],
        [None] * 13,
        [
            new_uscc(),
            "乙公司",
            None,
            310104,
            None,
            None,
            None,
            "2011-01-02",
            3,
            None,
            None,
            None,
            None,
        ],
    ]
    result = import_entities(write_xlsx(tmp_path / "x.xlsx", rows, FULL))
    assert result.ok and result.created == 2, errors_of(result)
    e = Entity.objects.get(uscc=code)
    assert e.established_on == dt.date(2010, 5, 6) and e.capital_wan == Decimal("88.25")
    assert Entity.objects.get(name="乙公司").district == unit(DISTRICT_B)


def test_xlsx_formula_is_rejected_not_evaluated(tmp_path):
    """Formulas are never evaluated: a cell starting with '=' is a row error."""
    rows = [[new_uscc(), '=HYPERLINK("http://x","y")', "企业", "黄浦区"]]
    result = import_entities(write_xlsx(tmp_path / "f.xlsx", rows, FULL[:4]))
    [(r, col, reason)] = errors_of(result)
    assert (r, col) == (2, "名称") and "公式" in reason


def test_xlsx_row_numbers_count_blank_rows(tmp_path):
    """Row numbers are the ones Excel shows, blank rows included."""
    rows = [[new_uscc(), "甲", "企业", "黄浦区"], [None] * 4, [new_uscc(), "乙", "企业", "火星区"]]
    result = import_entities(write_xlsx(tmp_path / "r.xlsx", rows, FULL[:4]))
    assert [(e.row, e.column) for e in result.errors] == [(4, "所属区")]


# --- skip-invalid ------------------------------------------------------------------------------


def test_skip_invalid_loads_good_rows_and_reports_the_rest(tmp_path):
    """--skip-invalid: good rows are written, bad rows are skipped and reported."""
    rows = [row(), row(所属区="火星区"), row(), row(统一社会信用代码="123")]
    result = import_entities(write_csv(tmp_path / "s.csv", rows), skip_invalid=True)
    assert result.committed and result.created == 2 and result.skipped == 2
    assert [e.row for e in result.errors] == [3, 5]
    assert Entity.objects.count() == 2


# --- updates and audit -------------------------------------------------------------------------


def test_existing_code_updates_and_records_before_after(tmp_path, make_entity):
    """A code that exists updates that entity and records an 'update' event with before/after;
    an unchanged row records nothing."""
    changed = make_entity(name="旧名称", legal_rep="王五", capital_wan=Decimal("10"))
    same = make_entity()
    path = tmp_path / "same.csv"
    export_entities(path, queryset=Entity.objects.filter(pk=same.pk))
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    rows.append(
        row(
            changed.uscc,
            名称="新名称",
            所属所="",
            **{"注册资本（万元）": "10.0000"},
            法定代表人="王五",
        )
    )
    result = import_entities(write_csv(tmp_path / "u.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1), errors_of(result)
    changed.refresh_from_db()
    assert changed.name == "新名称"
    [event] = AuditEvent.objects.filter(action="update")
    assert event.object_id == str(changed.pk) and event.district_id == changed.district_id
    assert event.changes["name"] == ["旧名称", "新名称"]
    assert event.changes["domains"] == ["", "食品；药品"]
    assert "capital_wan" not in event.changes and "legal_rep" not in event.changes
    assert event.actor_label == "系统"


def test_same_values_spelled_differently_are_unchanged(tmp_path, make_entity):
    """100.50 in the file equals the stored 100.5000; 2015/3/1 equals 2015-03-01: no update."""
    e = make_entity(capital_wan=Decimal("100.5"), established_on=dt.date(2015, 3, 1))
    rows = [
        {
            "统一社会信用代码": e.uscc,
            "名称": e.name,
            "所属区": "黄浦区",
            "注册资本（万元）": "0100.50",
            "成立日期": "2015/3/1",
        }
    ]
    result = import_entities(write_csv(tmp_path / "s.csv", rows))
    assert (result.updated, result.unchanged) == (0, 1)
    assert not AuditEvent.objects.filter(action="update").exists()


def test_absent_columns_leave_fields_unchanged(tmp_path, make_entity):
    """Only the file's columns are updated; a missing column keeps the stored value."""
    e = make_entity(station_code=f"{DISTRICT_A}-S01", legal_rep="赵六", industry_code="5231")
    path = write_csv(
        tmp_path / "p.csv", [{"统一社会信用代码": e.uscc, "名称": "改名公司", "所属区": "黄浦区"}]
    )
    result = import_entities(path)
    assert result.updated == 1
    e.refresh_from_db()
    assert (e.name, e.legal_rep, e.industry_code, e.station.code) == (
        "改名公司",
        "赵六",
        "5231",
        f"{DISTRICT_A}-S01",
    )


def test_import_records_one_batch_event(tmp_path, make_user):
    """One 'import' event for the batch: file name, sha256, counts; the actor is the user."""
    user = make_user("city_admin", "310000")
    path = write_csv(tmp_path / "batch.csv", [row(), row()])
    import_entities(path, user=user, file_name="名录.csv")
    [event] = AuditEvent.objects.filter(action="import")
    assert event.actor == user
    assert event.changes["file"] == "名录.csv"
    assert event.changes["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (event.changes["created"], event.changes["updated"], event.changes["skipped"]) == (
        2,
        0,
        0,
    )


# --- round trip ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(tmp_path, make_entity, fmt):
    """export_entities writes the import columns: importing the export changes nothing."""
    make_entity(
        station_code=f"{DISTRICT_A}-S03",
        address="=cmd|' /C calc'!A0",
        industry_code="01",
        established_on=dt.date(1999, 12, 31),
        capital_wan=Decimal("123456789012.1234"),
        legal_rep="-张",
        domains=DOMAINS.mask(["food", "testing_body"]),
        key_tier="special",
        status="revoked",
        entity_type="cooperative",
    )
    make_entity(DISTRICT_B, name="@公司")
    make_entity("LINGANG", station_code="LINGANG-S01")
    path = tmp_path / f"out.{fmt}"
    fields = [f.name for f in Entity._meta.fields]
    before = list(Entity.objects.order_by("id").values_list(*fields))
    assert export_entities(path) == 3
    events = AuditEvent.objects.count()
    result = import_entities(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3), errors_of(result)
    assert list(Entity.objects.order_by("id").values_list(*fields)) == before
    assert AuditEvent.objects.count() == events + 1  # the import event only


def test_export_neutralises_formulas(tmp_path, make_entity):
    """Exported text that a spreadsheet would run as a formula gets a leading quote."""
    make_entity(name="=1+1", address="+86", legal_rep="@x")
    path = tmp_path / "inj.csv"
    export_entities(path)
    [data] = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert (data["名称"], data["住所"], data["法定代表人"]) == ("'=1+1", "'+86", "'@x")
    path = tmp_path / "inj.xlsx"
    export_entities(path)
    ws = load_workbook(path).worksheets[0]
    assert ws["B2"].value == "'=1+1" and ws["B2"].data_type == "s"


def test_export_scoped_to_user_and_district(tmp_path, make_entity, admin_a):
    make_entity(DISTRICT_A)
    make_entity(DISTRICT_B)
    assert export_entities(tmp_path / "a.csv", user=admin_a) == 1
    assert export_entities(tmp_path / "b.csv", district=DISTRICT_B) == 1
    assert export_entities(tmp_path / "all.csv") == 2


def test_template_has_the_headers(tmp_path):
    importing.write_template(tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [c.value for c in ws[1]] == FULL == HEADERS
    assert ws.max_row == 1


# --- jurisdiction --------------------------------------------------------------------------------


def test_district_user_cannot_import_other_districts_rows(tmp_path, admin_a):
    """A district user imports only rows of their own district."""
    rows = [row(), row(所属区="徐汇区", 所属所="")]
    result = import_entities(write_csv(tmp_path / "j.csv", rows), user=admin_a)
    assert errors_of(result) == [(3, "所属区", "无权导入其他区局的数据")]
    assert Entity.objects.count() == 0


def test_district_user_cannot_take_over_another_districts_entity(tmp_path, admin_a, make_entity):
    """A code registered in another district cannot be moved by a district user's import."""
    other = make_entity(DISTRICT_B)
    result = import_entities(
        write_csv(tmp_path / "t.csv", [row(other.uscc, 所属所="")]), user=admin_a
    )
    assert errors_of(result) == [(2, "统一社会信用代码", "无权导入其他区局的数据")]
    other.refresh_from_db()
    assert other.district == unit(DISTRICT_B)


def test_user_without_add_right_is_refused(tmp_path, station_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_entities(write_csv(tmp_path / "p.csv", [row()]), user=station_a)


# --- commands ------------------------------------------------------------------------------------


def test_command_exit_status_and_error_report(tmp_path, capsys):
    """import_entities exits non-zero when anything is rejected and writes the report."""
    bad = write_csv(tmp_path / "bad.csv", [row(), row(所属区="火星区")])
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        call_command("import_entities", str(bad), "--errors", str(report))
    assert Entity.objects.count() == 0
    lines = list(csv.reader(report.open(encoding="utf-8-sig")))
    assert lines[0] == ["行号", "列", "错误原因"]
    assert lines[1][:2] == ["3", "所属区"] and "火星区" in lines[1][2]
    assert "第3行" in capsys.readouterr().err


def test_command_skip_invalid_and_xlsx_report(tmp_path, capsys):
    bad = write_csv(tmp_path / "bad.csv", [row(), row(所属区="火星区")])
    report = tmp_path / "errors.xlsx"
    call_command("import_entities", str(bad), "--skip-invalid", "--errors", str(report))
    assert Entity.objects.count() == 1
    ws = load_workbook(report).worksheets[0]
    assert [c.value for c in ws[2]][:2] == [3, "所属区"]
    assert "新增 1 条" in capsys.readouterr().out


def test_command_template_export_and_user(tmp_path, make_entity, admin_a, capsys):
    call_command("import_entities", str(tmp_path / "t.csv"), "--template")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").strip() == ",".join(FULL)
    make_entity(DISTRICT_A)
    make_entity(DISTRICT_B)
    call_command("export_entities", "--out", str(tmp_path / "o.xlsx"), "--user", "admin_a")
    assert load_workbook(tmp_path / "o.xlsx").worksheets[0].max_row == 2
    ok = write_csv(tmp_path / "ok.csv", [row()])
    call_command("import_entities", str(ok), "--user", "admin_a")
    assert Entity.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("import_entities", str(ok), "--user", "nobody")


# --- background task -------------------------------------------------------------------------------


def _upload(name: str, rows: list[dict]) -> SimpleUploadedFile:
    path = write_csv(Path(jobs.settings.MEDIA_ROOT) / "test-tmp.csv", rows)
    return SimpleUploadedFile(name, path.read_bytes())


def test_task_imports_and_stores_result(city_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = start_entity_import(city_admin, _upload("名录.csv", [row(), row()]), skip_invalid=False)
    assert job.status == Job.Status.DONE, job.message
    assert job.result["created"] == 2 and job.result["file"] == "名录.csv"
    assert "新增 2 条" in job.message
    assert jobs.get_progress(job.pk)["percent"] == 100
    assert (tmp_path / job.params["file"]).is_file()


def test_task_rejected_file_fails_with_report(city_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = start_entity_import(
        city_admin, _upload("bad.csv", [row(所属区="火星区")]), skip_invalid=False
    )
    assert job.status == Job.Status.FAILED
    assert "导入未执行" in job.message
    report = tmp_path / job.result["error_report"]
    assert report.name == "errors.csv" and "火星区" in report.read_text(encoding="utf-8-sig")
    assert job.result["first_errors"][0]["row"] == 2
    assert Entity.objects.count() == 0


def test_task_refuses_other_file_types(city_admin, settings, tmp_path):
    from django.core.exceptions import ValidationError

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        start_entity_import(city_admin, SimpleUploadedFile("a.exe", b"MZ"), skip_invalid=False)


# --- PostgreSQL bulk path --------------------------------------------------------------------------


def _entity_schema() -> tuple[list, list, list]:
    """Indexes, constraints and column defaults of the entity table."""
    with connection.cursor() as c:
        c.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'registry_entity' ORDER BY 1")
        indexes = c.fetchall()
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'registry_entity'::regclass ORDER BY 1"
        )
        constraints = c.fetchall()
        c.execute(
            "SELECT column_name, column_default FROM information_schema.columns "
            "WHERE table_name = 'registry_entity' ORDER BY 1"
        )
        return indexes, constraints, c.fetchall()


@pytest.mark.postgresql
def test_bulk_path_rebuilds_indexes_and_keeps_them_on_failure(tmp_path, make_entity, monkeypatch):
    """The large-load path (indexes dropped and rebuilt) gives the same result, and a failed
    import leaves the table and its indexes exactly as before."""
    monkeypatch.setattr(importing, "BULK_MIN_ROWS", 2)
    existing = make_entity(name="旧名称")
    schema = _entity_schema()
    seen = []
    before = snapshot_db()
    bad = write_csv(
        tmp_path / "bad.csv", [row(existing.uscc, 名称="新"), row(), row(), row(所属区="火星区")]
    )
    assert not import_entities(bad).committed
    assert snapshot_db() == before and _entity_schema() == schema
    good = write_csv(tmp_path / "good.csv", [row(existing.uscc, 名称="新名称"), row(), row()])
    result = import_entities(good, progress=lambda done, total, phase: seen.append(phase))
    assert (result.created, result.updated) == (2, 1), errors_of(result)
    assert _entity_schema() == schema
    assert {"校验并写入", "重建索引", "更新已有记录"} <= set(seen)
    new = Entity.objects.exclude(pk=existing.pk)
    assert all(e.created_at and e.updated_at and e.risk_class == "" for e in new)
    assert Entity.objects.get(pk=existing.pk).name == "新名称"
    assert AuditEvent.objects.filter(action="update", object_id=str(existing.pk)).exists()


def _index_oids() -> list[int]:
    with connection.cursor() as c:
        c.execute(
            "SELECT indexrelid::int FROM pg_index WHERE indrelid = 'registry_entity'::regclass"
        )
        return sorted(r[0] for r in c.fetchall())


@pytest.mark.postgresql
def test_claimed_size_never_takes_the_bulk_path(tmp_path, make_entity):
    """Issue 12 item 2: a one-row xlsx whose <dimension> claims A1:M500000 must not drop and
    rebuild the table's unique constraint and indexes (ACCESS EXCLUSIVE on the whole city's
    roster): the path follows the rows actually read."""
    from tests.core.xlsx_bombs import claiming_dimension

    make_entity()
    indexes = _index_oids()
    path = claiming_dimension(tmp_path / "one.xlsx", FULL, [list(row().values())], "A1:M500000")
    result = import_entities(path)
    assert result.created == 1, errors_of(result)
    assert _index_oids() == indexes  # the same indexes: none was dropped and rebuilt


@pytest.mark.parametrize("bulk", [False, True], ids=["indexed", "bulk"])
@pytest.mark.parametrize("name", ["O", "I", "S", "V", "Z", "lower-case o", "full-width O"])
def test_illegal_code_characters_are_rejected_on_every_path(tmp_path, monkeypatch, name, bulk):
    """GB 32100: no I, O, S, V, Z (nor lower-case or full-width forms) in a USCC. The code
    below passes the check-character test if that character is read as 0, so only the
    alphabet check stops it: on the bulk path (PostgreSQL COPY, indexes rebuilt) too."""
    from tests.test_uscc import ILLEGAL

    if bulk:
        monkeypatch.setattr(importing, "BULK_MIN_ROWS", 2)
    path = write_csv(tmp_path / "codes.csv", [row(), row(), row(ILLEGAL[name]), row()])
    result = import_entities(path)
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [(4, "统一社会信用代码")]
    assert "非法字符" in result.errors[0].reason
    result = import_entities(path, skip_invalid=True)
    assert result.created == 3 and Entity.objects.count() == 3
