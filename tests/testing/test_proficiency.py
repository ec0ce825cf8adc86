"""Proficiency testing (能力验证) and blind samples: the result file in and out, grades at every
boundary, rectification with a deadline, the re-test, appeals within 15 working days."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.core.models import AuditEvent
from jianguan.testing import proficiency
from jianguan.testing.models import PTResult, PTScheme, Rectification
from jianguan.workdays.selectors import add_working_days

HEAD = "统一社会信用代码,能力验证计划编号,项目,结果值,指定值,能力评定标准差\n"


@pytest.fixture
def scheme(db):
    return PTScheme.objects.create(
        number="SH-PT-2026-001",
        name="食品中铅的测定",
        field="food_testing",
        items="铅\n镉",
        year=2026,
        provider="上海市计量测试技术研究院",
        deadline=dt.date(2026, 6, 30),
    )


def write(tmp_path, rows, name="pt.csv"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_grades_every_boundary_and_export_shows_z_and_grade(tmp_path, make_body, scheme):
    """|z| = 2.0 → 满意, 3.0 → 不满意, negative z alike; z exported to 2 decimals."""
    bodies = [make_body() for _ in range(6)]
    rows = [
        (bodies[0].uscc, scheme.number, "铅", "12", "10", "1"),  # z = 2.0
        (bodies[1].uscc, scheme.number, "铅", "8", "10", "1"),  # z = -2.0
        (bodies[2].uscc, scheme.number, "铅", "13", "10", "1"),  # z = 3.0
        (bodies[3].uscc, scheme.number, "铅", "7", "10", "1"),  # z = -3.0
        (bodies[4].uscc, scheme.number, "铅", "12.004", "10", "1"),  # z = 2.004 → shows 2.00
        (bodies[5].uscc, scheme.number, "镉", "10.6", "10.0", "0.3"),  # exactly 2 in decimals
    ]
    call_command("import_pt_results", str(write(tmp_path, rows)))
    out = tmp_path / "out.csv"
    call_command("export_pt_results", "--out", str(out))
    with out.open(encoding="utf-8-sig") as f:
        exported = {r["统一社会信用代码"]: r for r in csv.DictReader(f)}
    assert list(next(iter(exported.values()))) == [
        "统一社会信用代码",
        "能力验证计划编号",
        "项目",
        "结果值",
        "指定值",
        "能力评定标准差",
        "z值",
        "评定结果",
    ]
    got = [(exported[b.uscc]["z值"], exported[b.uscc]["评定结果"]) for b in bodies]
    assert got == [
        ("2.00", "满意"),
        ("-2.00", "满意"),
        ("3.00", "不满意"),
        ("-3.00", "不满意"),
        ("2.00", "可疑"),
        ("2.00", "满意"),
    ]
    # 可疑 and 不满意 open a rectification with a deadline
    assert Rectification.objects.count() == 3
    assert all(r.due_on > r.ordered_on for r in Rectification.objects.all())


def test_export_imports_back_unchanged(tmp_path, make_body, scheme):
    body = make_body()
    call_command(
        "import_pt_results", str(write(tmp_path, [(body.uscc, scheme.number, "铅", "1", "1", "1")]))
    )
    out = tmp_path / "round.xlsx"
    call_command("export_pt_results", "--out", str(out))
    result = proficiency.import_results(out)
    assert result.committed and (result.created, result.unchanged) == (0, 1)


def test_one_bad_row_and_nothing_is_written(tmp_path, make_body, scheme):
    body = make_body()
    rows = [
        (body.uscc, scheme.number, "铅", "1", "1", "1"),
        (body.uscc, "NO-SUCH", "铅", "1", "1", "1"),
        (body.uscc, scheme.number, "汞", "1", "1", "1"),
        (body.uscc, scheme.number, "镉", "1", "1", "0"),
        (body.uscc, scheme.number, "镉", "abc", "1", "1"),
    ]
    result = proficiency.import_results(write(tmp_path, rows))
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "能力验证计划编号"),
        (4, "项目"),
        (5, "能力评定标准差"),
        (6, "结果值"),
    ]
    assert not PTResult.objects.exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    with pytest.raises(CommandError, match="数据库未作任何修改"):
        call_command("import_pt_results", str(write(tmp_path, rows, "again.csv")))


def test_a_body_outside_the_jurisdiction_reads_as_unknown(tmp_path, make_body, scheme, admin_b):
    body = make_body()  # district A
    result = proficiency.import_results(
        write(tmp_path, [(body.uscc, scheme.number, "铅", "1", "1", "1")]), user=admin_b
    )
    assert not result.committed
    assert "不在您的管辖范围内" in result.errors[0].reason


def test_duplicate_rows_are_refused(tmp_path, make_body, scheme):
    body = make_body()
    row = (body.uscc, scheme.number, "铅", "1", "1", "1")
    result = proficiency.import_results(write(tmp_path, [row, row]))
    assert "与第2行重复" in result.errors[0].reason


def _poor(make_body, scheme, admin_a, reported_on):
    return proficiency.result_record(
        user=admin_a,
        entity=make_body(),
        data={
            "scheme": scheme,
            "item": "铅",
            "x": D("13"),
            "assigned": D("10"),
            "sigma": D("1"),
            "reported_on": reported_on,
        },
    )


def test_retest_satisfactory_in_time_closes_the_rectification(make_body, scheme, admin_a):
    today = dt.date.today()
    r = _poor(make_body, scheme, admin_a, today - dt.timedelta(days=5))
    assert r.grade == "unsatisfactory"
    rect = r.rectification
    rect = proficiency.retest(user=admin_a, rectification=rect, x=D("11.5"), on=today)
    assert (rect.retest_grade, rect.status) == ("satisfactory", "rectified")


def test_retest_still_poor_must_be_handled_by_law(make_body, scheme, admin_a):
    today = dt.date.today()
    rect = _poor(make_body, scheme, admin_a, today - dt.timedelta(days=5)).rectification
    rect = proficiency.retest(user=admin_a, rectification=rect, x=D("12.5"), on=today)
    assert rect.status == "failed"
    h = proficiency.handle(
        user=admin_a,
        rectification=rect,
        data={"measure": "order", "decided_on": today, "facts": "复测仍可疑，责令改正"},
    )
    rect.refresh_from_db()
    assert rect.status == "handled" and rect.handling == h


def test_open_rectification_before_its_deadline_cannot_be_handled(make_body, scheme, admin_a):
    rect = _poor(make_body, scheme, admin_a, dt.date.today()).rectification
    with pytest.raises(ValidationError, match="整改期限"):
        proficiency.handle(
            user=admin_a,
            rectification=rect,
            data={"measure": "order", "decided_on": dt.date.today(), "facts": "x"},
        )


def test_appeal_within_15_working_days(make_body, scheme, admin_a):
    """An appeal is filed within 15 working days of the notification (working days, holidays
    and make-up days counted by the State Council schedule)."""
    reported = dt.date(2025, 9, 26)  # before 国庆 2025
    r = _poor(make_body, scheme, admin_a, reported)
    last = add_working_days(reported, 15).date
    # 09-28 (Sunday) and 10-11 (Saturday) are make-up workdays, 10-01 to 10-08 holidays
    assert last == dt.date(2025, 10, 23)
    with pytest.raises(ValidationError, match="已超过申诉期限"):
        proficiency.appeal_file(
            user=admin_a, result=r, filed_on=last + dt.timedelta(days=1), reason="x"
        )
    a = proficiency.appeal_file(user=admin_a, result=r, filed_on=last, reason="指定值有误")
    a = proficiency.appeal_decide(
        user=admin_a,
        appeal=a,
        outcome="corrected",
        reply="指定值更正为 11",
        decided_on=dt.date.today(),
        values=(D("13"), D("11"), D("1")),
    )
    r.refresh_from_db()
    assert r.grade == "satisfactory"
    assert r.rectification.status == "rectified"


def test_missed_mandatory_scheme_is_recorded_after_the_deadline(make_body, grant, scheme, admin_a):
    scheme.required_fields = 1 << 3  # food_testing
    scheme.save()
    body = make_body()
    grant(body, issued_on=dt.date(2026, 1, 5))
    grant(make_body(), issued_on=dt.date(2026, 7, 1))  # certified after the deadline: not due
    other = make_body(fields=("construction",))
    grant(other, fields=("construction",), issued_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="尚未过"):
        proficiency.record_missed(user=admin_a, scheme=scheme, today=scheme.deadline)
    n = proficiency.record_missed(
        user=admin_a, scheme=scheme, today=scheme.deadline + dt.timedelta(days=1)
    )
    assert n == 1
    assert PTResult.objects.get(entity=body).grade == "missed"
