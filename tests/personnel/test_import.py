"""Bulk import/export of the inspector roster (issue: 批量导入, "same pair for inspectors")."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from jianguan.core.models import AuditEvent, Job
from jianguan.personnel.importing import (
    HEADERS,
    export_inspectors,
    export_inspectors_response,
    import_inspectors,
    template_response,
)
from jianguan.personnel.models import Expertise, Inspector
from jianguan.personnel.tasks import start_inspector_import
from tests.conftest import DISTRICT_A, DISTRICT_B, unit

pytestmark = pytest.mark.django_db

FULL = ["工号", "姓名", "所属机构", "执法证号", "执法证有效期至", "业务专长", "在岗", "离岗日期"]


def row(staff_no: str, **over) -> dict[str, str]:
    base = {
        "工号": staff_no,
        "姓名": "李明",
        "所属机构": "黄浦区南京东路市场监管所",
        "执法证号": "31010100001",
        "执法证有效期至": "2030-12-31",
        "业务专长": "食品安全；特种设备",
        "在岗": "是",
        "离岗日期": "",
    }
    base.update(over)
    return base


def write_csv(path: Path, rows: list[dict], encoding="utf-8-sig") -> Path:
    headers = list(rows[0])
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers])
    return path


def make_inspector(
    staff_no: str, unit_code: str = f"{DISTRICT_A}-S01", tags=("food",), **fields
) -> Inspector:
    inspector = Inspector.objects.create(
        staff_no=staff_no, name=fields.pop("name", "王芳"), unit=unit(unit_code), **fields
    )
    inspector.expertise.set(Expertise.objects.filter(code__in=tags))
    return inspector


def tags(inspector: Inspector) -> set[str]:
    return set(inspector.expertise.values_list("name", flat=True))


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


def test_import_creates_inspectors_with_expertise(tmp_path):
    """Every column maps to its field; 业务专长 (several, ；or ;) sets the many-to-many."""
    rows = [
        row("A001"),
        row("A002", 所属机构="310104", 业务专长="药品;计量", 在岗="否", 离岗日期="2025/6/30"),
    ]
    result = import_inspectors(write_csv(tmp_path / "i.csv", rows))
    assert result.ok and result.created == 2, errors_of(result)
    a = Inspector.objects.get(staff_no="A001")
    assert a.unit == unit(f"{DISTRICT_A}-S01") and a.cert_no == "31010100001"
    assert a.cert_expires_on == dt.date(2030, 12, 31) and a.active
    assert tags(a) == {"食品安全", "特种设备"}
    b = Inspector.objects.get(staff_no="A002")
    assert b.unit == unit(DISTRICT_B) and not b.active and b.inactive_since == dt.date(2025, 6, 30)
    assert tags(b) == {"药品", "计量"}


def test_one_bad_row_writes_nothing(tmp_path):
    """All-or-nothing: a bad row leaves the inspectors, their expertise and the audit log as they were."""
    existing = make_inspector("A001", name="旧名")
    before = (list(Inspector.objects.values_list()), AuditEvent.objects.count(), tags(existing))
    rows = [row("A001", 姓名="新名", 业务专长="药品"), row("A002", 业务专长="火箭")]
    result = import_inspectors(write_csv(tmp_path / "bad.csv", rows))
    assert not result.committed
    [(r, col, reason)] = errors_of(result)
    assert (r, col) == (3, "业务专长") and "未知的业务专长：火箭" in reason
    assert (
        list(Inspector.objects.values_list()),
        AuditEvent.objects.count(),
        tags(existing),
    ) == before


def test_row_rules(tmp_path):
    """Required columns, unknown unit, duplicate 工号, 在岗/离岗日期 consistency, dates."""
    rows = [
        row("A001"),
        row("A001"),
        row(""),
        row("A003", 所属机构="火星所"),
        row("A004", 在岗="否"),
        row("A005", 离岗日期="2025-01-01"),
        row("A006", 执法证有效期至="明年"),
        row("A007", 所属机构="执法大队"),
    ]
    result = import_inspectors(write_csv(tmp_path / "r.csv", rows))
    got = {(r, c): m for r, c, m in errors_of(result)}
    assert got[(3, "工号")] == "工号在文件中重复（与第2行相同）"
    assert got[(4, "工号")] == "必填项为空"
    assert "未知的机构“火星所”" in got[(5, "所属机构")]
    assert got[(6, "离岗日期")] == "离岗人员须填写离岗日期"
    assert "在岗人员不应填写离岗日期" in got[(7, "离岗日期")]
    assert "日期格式应为" in got[(8, "执法证有效期至")]
    assert "不唯一" in got[(9, "所属机构")]  # every district has a team called 执法大队
    assert Inspector.objects.count() == 0


def test_skip_invalid(tmp_path):
    rows = [row("A001"), row("A002", 所属机构="火星所"), row("A003")]
    result = import_inspectors(write_csv(tmp_path / "s.csv", rows), skip_invalid=True)
    assert result.committed and (result.created, result.skipped) == (2, 1)


def test_update_is_audited_with_before_and_after(tmp_path):
    """An existing 工号 updates that inspector: one 'update' event with before/after (the
    expertise as names); an unchanged row writes nothing; the batch has one 'import' event."""
    changed = make_inspector("A001", name="旧名", cert_no="X1")
    make_inspector("A002", name="不变", cert_no="X2", tags=("drug",))
    rows = [
        row("A001", 姓名="新名", 执法证号="X1", 执法证有效期至="", 业务专长="药品；食品安全"),
        row("A002", 姓名="不变", 执法证号="X2", 执法证有效期至="", 业务专长="药品"),
    ]
    result = import_inspectors(write_csv(tmp_path / "u.csv", rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1), errors_of(result)
    [event] = AuditEvent.objects.filter(action="update")
    assert event.object_id == str(changed.pk) and event.object_type == "personnel.inspector"
    assert event.changes["name"] == ["旧名", "新名"]
    assert event.changes["expertise"] == [["食品安全"], ["药品", "食品安全"]]
    assert set(event.changes) == {"name", "expertise"}
    assert event.district_id == unit(DISTRICT_A).pk
    changed.refresh_from_db()
    assert tags(changed) == {"药品", "食品安全"}
    [batch] = AuditEvent.objects.filter(action="import")
    assert (batch.changes["updated"], batch.changes["unchanged"]) == (1, 1)


def test_absent_columns_are_kept(tmp_path):
    """A file with only the required columns leaves certificate and expertise untouched."""
    kept = make_inspector("A001", cert_no="C9", tags=("drug", "food"))
    path = write_csv(
        tmp_path / "p.csv", [{"工号": "A001", "姓名": "王芳", "所属机构": f"{DISTRICT_A}-S02"}]
    )
    result = import_inspectors(path)
    assert result.updated == 1
    kept.refresh_from_db()
    assert (
        kept.unit.code == f"{DISTRICT_A}-S02"
        and kept.cert_no == "C9"
        and tags(kept) == {"药品", "食品安全"}
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(tmp_path, fmt):
    make_inspector(
        "A001", cert_no="=HYPERLINK()", cert_expires_on=dt.date(2030, 1, 2), tags=("food", "law")
    )
    make_inspector("B001", DISTRICT_B, tags=(), active=False, inactive_since=dt.date(2024, 5, 6))
    before = [
        (list(Inspector.objects.order_by("pk").values_list()), tags(i))
        for i in Inspector.objects.order_by("pk")
    ]
    path = tmp_path / f"out.{fmt}"
    assert export_inspectors(path) == 2
    result = import_inspectors(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2), errors_of(result)
    assert [
        (list(Inspector.objects.order_by("pk").values_list()), tags(i))
        for i in Inspector.objects.order_by("pk")
    ] == before


def test_xlsx_and_gbk(tmp_path):
    """xlsx with a date cell and a boolean cell; a GBK csv."""
    wb = Workbook()
    wb.active.append(FULL)
    wb.active.append(
        [
            "A001",
            "张伟",
            "310101-S01",
            "",
            dt.datetime(2031, 3, 4),
            "广告监管",
            False,
            dt.datetime(2025, 1, 1),
        ]
    )
    wb.save(tmp_path / "i.xlsx")
    assert import_inspectors(tmp_path / "i.xlsx").ok
    assert Inspector.objects.get().cert_expires_on == dt.date(2031, 3, 4)
    assert (
        import_inspectors(write_csv(tmp_path / "g.csv", [row("A002")], encoding="gbk")).created == 1
    )


def test_district_user_only_imports_into_own_district(tmp_path, admin_a):
    """A district user may place inspectors only in units of their district, nor take over
    another district's inspector."""
    make_inspector("B001", DISTRICT_B)
    rows = [row("A001"), row("A002", 所属机构="310104"), row("B001")]
    result = import_inspectors(write_csv(tmp_path / "j.csv", rows), user=admin_a)
    assert [(r, c) for r, c, _m in errors_of(result)] == [(3, "所属机构"), (4, "工号")]
    assert all(m == "无权导入其他区局的数据" for _r, _c, m in errors_of(result))


def test_station_user_may_not_import(tmp_path, station_a):
    with pytest.raises(PermissionDenied):
        import_inspectors(write_csv(tmp_path / "p.csv", [row("A001")]), user=station_a)


def test_commands(tmp_path, capsys):
    """import_inspectors exits non-zero on rejected rows and writes the error report;
    --template and export_inspectors write the same columns."""
    bad = write_csv(tmp_path / "bad.csv", [row("A001"), row("A002", 在岗="否")])
    with pytest.raises(CommandError):
        call_command("import_inspectors", str(bad), "--errors", str(tmp_path / "e.csv"))
    report = list(csv.reader((tmp_path / "e.csv").open(encoding="utf-8-sig")))
    assert report[1] == ["3", "离岗日期", "离岗人员须填写离岗日期"]
    call_command("import_inspectors", str(bad), "--skip-invalid")
    assert Inspector.objects.count() == 1
    call_command("import_inspectors", str(tmp_path / "t.xlsx"), "--template")
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx").worksheets[0][1]] == FULL == HEADERS
    call_command("export_inspectors", "--out", str(tmp_path / "o.csv"), "--district", DISTRICT_B)
    assert len((tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()) == 1


def test_http_helpers_for_the_web_pages(tmp_path):
    make_inspector("A001")
    response = export_inspectors_response(Inspector.objects.all(), "csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == ",".join(FULL) and "A001" in body
    assert "attachment" in response["Content-Disposition"]
    template = b"".join(template_response("xlsx").streaming_content)
    assert template[:2] == b"PK"


def test_task(city_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    path = write_csv(tmp_path / "up.csv", [row("A001")])
    job = start_inspector_import(city_admin, SimpleUploadedFile("人员.csv", path.read_bytes()))
    assert job.status == Job.Status.DONE and job.result["created"] == 1, job.message
