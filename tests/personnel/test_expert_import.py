"""Bulk import/export of the expert pool (专家库), mirroring the inspector roster.

Rules: columns by Chinese header; a row is matched to an existing expert by (姓名, 工作单位);
all-or-nothing unless --skip-invalid; updates audited with before/after, one 'import' event per
batch; only users allowed to add experts (the city bureau) may import; export round-trips.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from jianguan.core.models import AuditEvent, Job
from jianguan.personnel.importing_experts import HEADERS, export_experts, import_experts
from jianguan.personnel.models import Expert, Expertise
from tests.conftest import new_uscc

pytestmark = pytest.mark.django_db

FULL = [
    "姓名",
    "专业领域",
    "工作单位",
    "工作单位统一社会信用代码",
    "职称",
    "保密承诺签署日期",
    "在库",
]


def row(name: str, **over) -> dict[str, str]:
    base = {
        "姓名": name,
        "专业领域": "食品安全",
        "工作单位": "同济大学",
        "工作单位统一社会信用代码": "",
        "职称": "教授",
        "保密承诺签署日期": "2025-03-01",
        "在库": "是",
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


def make_expert(name: str, employer: str = "同济大学", code: str = "food", **fields) -> Expert:
    return Expert.objects.create(
        name=name, employer=employer, field=Expertise.objects.get(code=code), **fields
    )


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


def snapshot() -> tuple:
    return list(Expert.objects.order_by("pk").values_list()), AuditEvent.objects.count()


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def test_import_creates_experts_and_records_one_import_event(tmp_path):
    """Every column maps to its field (专业领域 by name or code, 在库 是/否); new experts get
    no per-row event, the batch gets one 'import' event."""
    code = new_uscc()
    rows = [
        row("张伟", 工作单位统一社会信用代码=code.lower()),
        row("李娜", 专业领域="drug", 保密承诺签署日期="", 在库="否", 职称=""),
    ]
    result = import_experts(write_csv(tmp_path / "e.csv", rows))
    assert result.committed and result.created == 2, errors_of(result)
    zhang = Expert.objects.get(name="张伟")
    assert zhang.field.code == "food" and zhang.employer_uscc == code and zhang.active
    assert zhang.pledge_signed_on == dt.date(2025, 3, 1) and zhang.title == "教授"
    li = Expert.objects.get(name="李娜")
    assert li.field.code == "drug" and not li.active and li.pledge_signed_on is None
    assert list(AuditEvent.objects.values_list("action", "object_type")) == [
        ("import", "personnel.expert")
    ]


def test_one_bad_row_writes_nothing(tmp_path):
    """All-or-nothing: one bad row leaves the experts and the audit log exactly as they were;
    the report names the row (header = 1), the column and the reason in Chinese."""
    make_expert("张伟", title="副教授")
    before = snapshot()
    good = new_uscc()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        row("张伟", 职称="教授"),  # would update
        row("王芳"),  # would create
        row("赵强", 专业领域="火箭"),
        row("钱进", 工作单位统一社会信用代码=wrong),
    ]
    result = import_experts(write_csv(tmp_path / "bad.csv", rows))
    assert not result.committed
    got = errors_of(result)
    assert [(r, c) for r, c, _m in got] == [(4, "专业领域"), (5, "工作单位统一社会信用代码")]
    assert "未知的专业领域“火箭”" in got[0][2]
    assert f"第18位应为“{good[17]}”" in got[1][2]  # names the expected check character
    assert snapshot() == before


def test_row_rules(tmp_path):
    """Required 姓名/专业领域/工作单位; (姓名, 工作单位) twice in the file; bad dates, 在库, codes."""
    rows = [
        row("张伟"),
        row("张伟"),  # same name and employer as row 2
        row("张伟", 工作单位="复旦大学"),  # same name, other employer: a different expert
        row(""),
        row("李娜", 专业领域=""),
        row("王芳", 工作单位=""),
        row("赵强", 保密承诺签署日期="去年"),
        row("钱进", 在库="也许"),
        row("孙丽", 工作单位统一社会信用代码="123"),
    ]
    result = import_experts(write_csv(tmp_path / "r.csv", rows))
    got = {(r, c): m for r, c, m in errors_of(result)}
    assert got[(3, "姓名")] == "姓名和工作单位在文件中重复（与第2行相同）"
    assert got[(5, "姓名")] == "必填项为空"
    assert got[(6, "专业领域")] == "必填项为空"
    assert got[(7, "工作单位")] == "必填项为空"
    assert "日期格式应为" in got[(8, "保密承诺签署日期")]
    assert "应填写“是”或“否”" in got[(9, "在库")]
    assert "应为18位" in got[(10, "工作单位统一社会信用代码")]
    assert len(got) == 7 and not Expert.objects.exists()


def test_ambiguous_key_in_database_is_a_row_error(tmp_path):
    """Two stored experts with the same (姓名, 工作单位): the row cannot say which to update."""
    make_expert("张伟")
    make_expert("张伟")
    result = import_experts(write_csv(tmp_path / "a.csv", [row("张伟")]))
    [(r, col, reason)] = errors_of(result)
    assert (r, col) == (2, "姓名") and "无法确定更新哪一位" in reason
    assert not result.committed


def test_skip_invalid_imports_the_good_rows(tmp_path):
    """--skip-invalid: good rows are written, bad rows reported and skipped."""
    rows = [row("张伟"), row("李娜", 专业领域="火箭"), row("王芳")]
    result = import_experts(write_csv(tmp_path / "s.csv", rows), skip_invalid=True)
    assert result.committed and (result.created, result.skipped) == (2, 1)
    assert [(r, c) for r, c, _m in errors_of(result)] == [(3, "专业领域")]
    assert sorted(Expert.objects.values_list("name", flat=True)) == ["张伟", "王芳"]


def test_update_is_audited_with_before_and_after(tmp_path, city_admin):
    """A row matching (姓名, 工作单位) updates that expert: one 'update' event with before/after
    (the field by name); an unchanged row writes nothing; absent columns are kept."""
    changed = make_expert("张伟", title="副教授", pledge_signed_on=dt.date(2025, 3, 1))
    make_expert("李娜", title="教授", pledge_signed_on=dt.date(2025, 3, 1))
    kept = make_expert("王芳", employer_uscc=new_uscc(), title="研究员")
    rows = [
        row("张伟", 专业领域="药品"),
        row("李娜"),
        {"姓名": "王芳", "专业领域": "食品安全", "工作单位": "同济大学", "在库": "否"},
    ]
    result = import_experts(write_csv(tmp_path / "u.csv", rows[:2]), user=city_admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1), errors_of(result)
    [event] = AuditEvent.objects.filter(action="update")
    assert event.object_type == "personnel.expert" and event.object_id == str(changed.pk)
    assert event.changes == {"field": ["食品安全", "药品"], "title": ["副教授", "教授"]}
    assert event.actor == city_admin
    [batch] = AuditEvent.objects.filter(action="import")
    assert (batch.changes["updated"], batch.changes["unchanged"]) == (1, 1)

    result = import_experts(write_csv(tmp_path / "p.csv", rows[2:]))
    assert result.updated == 1, errors_of(result)
    code, title = kept.employer_uscc, kept.title
    kept.refresh_from_db()
    assert (kept.employer_uscc, kept.title, kept.active) == (code, title, False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips(tmp_path, fmt):
    """Export writes the import columns; importing the export changes nothing."""
    make_expert(
        "张伟",
        title="=教授",
        employer_uscc=new_uscc(),
        pledge_signed_on=dt.date(2025, 3, 1),
    )
    make_expert("李娜", employer="上海市计量测试技术研究院", code="drug", active=False)
    make_expert("张伟", employer="复旦大学")
    before = snapshot()
    path = tmp_path / f"out.{fmt}"
    assert export_experts(path) == 3
    result = import_experts(path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3), errors_of(result)
    rows, events = before
    assert snapshot() == (rows, events + 1)  # only the batch's import event


def test_export_headers_and_template(tmp_path):
    """Export, template and the command share one column spec, in this order."""
    assert HEADERS == FULL
    make_expert("张伟")
    call_command("export_experts", "--out", str(tmp_path / "o.xlsx"))
    ws = load_workbook(tmp_path / "o.xlsx").worksheets[0]
    assert [c.value for c in ws[1]] == FULL
    assert [c.value for c in ws[2]][:3] == ["张伟", "食品安全", "同济大学"]
    call_command("import_experts", str(tmp_path / "t.csv"), "--template")
    header = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ",".join(FULL)


def test_import_command(tmp_path):
    """import_experts exits non-zero on rejected rows and writes the error report; with
    --skip-invalid it writes the good rows. The default actor is the system."""
    bad = write_csv(tmp_path / "bad.csv", [row("张伟"), row("李娜", 在库="也许")])
    with pytest.raises(CommandError):
        call_command("import_experts", str(bad), "--errors", str(tmp_path / "e.csv"))
    report = list(csv.reader((tmp_path / "e.csv").open(encoding="utf-8-sig")))
    assert report[1][:2] == ["3", "在库"] and not Expert.objects.exists()
    call_command("import_experts", str(bad), "--skip-invalid")
    assert list(Expert.objects.values_list("name", flat=True)) == ["张伟"]


def test_district_admin_cannot_import_city_admin_can(tmp_path, login, admin_a, city_admin):
    """The city bureau keeps the pool: a district admin gets 403 on the import page and the
    template, the importer refuses them and nothing is written; the city admin's upload becomes
    a background job and lands on core:job_detail."""
    c = login(admin_a)
    assert c.get(reverse("personnel:expert_import")).status_code == 403
    assert c.get(reverse("personnel:expert_import_template")).status_code == 403
    body = "\n".join([",".join(FULL), "张伟,食品安全,同济大学,,教授,2025-03-01,是", ""])
    upload = SimpleUploadedFile("专家.csv", body.encode("utf-8-sig"), content_type="text/csv")
    assert c.post(reverse("personnel:expert_import"), {"file": upload}).status_code == 403
    assert "expert_import" not in c.get(reverse("personnel:expert_list")).content.decode()
    with pytest.raises(PermissionDenied):
        import_experts(write_csv(tmp_path / "d.csv", [row("张伟")]), user=admin_a)
    with pytest.raises(CommandError):
        call_command("import_experts", str(tmp_path / "d.csv"), "--user", admin_a.username)
    assert not Expert.objects.exists() and not Job.objects.exists()
    assert not AuditEvent.objects.exists()

    c = login(city_admin)
    assert "下载 Excel 模板" in c.get(reverse("personnel:expert_import")).content.decode()
    assert (
        reverse("personnel:expert_import")
        in c.get(reverse("personnel:expert_list")).content.decode()
    )
    template = c.get(reverse("personnel:expert_import_template"), {"format": "csv"})
    assert b"".join(template.streaming_content).decode("utf-8-sig").splitlines()[0] == ",".join(
        FULL
    )
    upload = SimpleUploadedFile("专家.csv", body.encode("utf-8-sig"), content_type="text/csv")
    response = c.post(reverse("personnel:expert_import"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["created"] == 1, job.message
    assert c.get(response["Location"]).status_code == 200
    assert Expert.objects.get().name == "张伟"


def test_export_page_any_staff_filtered_and_audited(login, admin_a):
    """导出: experts are city-wide, so a district admin exports the filtered list (all districts'
    experts), in the import columns; the export is audited; an unknown format is a 400."""
    make_expert("张伟", active=True)
    make_expert("李娜", active=False)
    c = login(admin_a)
    page = c.get(reverse("personnel:expert_list")).content.decode()
    assert reverse("personnel:expert_export") in page
    response = c.get(reverse("personnel:expert_export"), {"format": "xlsx", "active": "1"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == FULL and [r[0] for r in rows[1:]] == ["张伟"]
    response = c.get(reverse("personnel:expert_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(FULL) and "李娜" in text
    assert AuditEvent.objects.filter(
        object_type="personnel.expert", action="other", note__contains="导出 xlsx"
    ).exists()
    assert c.get(reverse("personnel:expert_export"), {"format": "pdf"}).status_code == 400
