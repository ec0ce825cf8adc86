"""The supervision of testing bodies in a browser (issue 16 "Done when"): a monitoring plan
covering a district and a visit; a PT round imported → grades → the rectification clock and a
re-test; a capability assessment; a grade recomputed with a veto item forcing D; the public
lookup. (The commitment follow-up with drawn experts: test_testing_follow_up_browser.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jianguan.org.models import Unit, User
from jianguan.registry import models as registry
from jianguan.registry.models import DOMAINS, TESTING_FIELDS
from jianguan.testing import services
from jianguan.testing.models import (
    Assessment,
    BodyGrade,
    MonitoringVisit,
    PTResult,
    PTScheme,
    Rectification,
)
from tests.conftest import DISTRICT_A
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"
TODAY = dt.date.today()


def _users():
    city = User.objects.create_user(
        "jc_city", password=PASSWORD, role="city_admin", unit=Unit.objects.get(code="310000")
    )
    district = User.objects.create_user(
        "jc_qu", password=PASSWORD, role="district_admin", unit=Unit.objects.get(code=DISTRICT_A)
    )
    return city, district


def _body(make_entity, name, city, n, route="review"):
    entity = make_entity(
        DISTRICT_A, f"{DISTRICT_A}-S01", name=name, domains=DOMAINS.mask(["testing_body"])
    )
    registry.TestingBody.objects.create(entity=entity, fields=TESTING_FIELDS.mask(["food_testing"]))
    services.qualification_grant(
        user=city,
        entity=entity,
        data={
            "cert_no": f"26090000{n:04d}",
            "scope": "食品 / 铅 / GB 5009.12",
            "fields": TESTING_FIELDS.mask(["food_testing"]),
            "issued_on": TODAY - dt.timedelta(days=400),
            "route": route,
        },
    )
    return entity


def test_monitoring_plan_covers_the_district_and_a_visit_is_recorded(page, make_entity):
    city, district = _users()
    a = _body(make_entity, "上海甲检测技术有限公司", city, 1)
    b = _body(make_entity, "上海乙检测技术有限公司", city, 2)
    log_in(page, "jc_qu", PASSWORD)
    page.goto("/testing/monitoring/new/")
    page.select_option("#id_district", str(a.district_id))
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/monitoring/*/")
    expect(page.locator("main")).to_contain_text("监测对象 2 家")
    expect(page.locator("main")).to_contain_text("覆盖率 0.0%")
    row = page.locator("tr", has_text=a.name)
    row.get_by_role("link", name="录入监测").click()
    page.wait_for_url("**/visit/")
    page.select_option("#id_staff", "unreported")
    page.fill("#id_inspectors", "王伟、李娜")
    page.select_option("#id_change_kind", "tech_director")
    page.fill("#id_change_after", "赵六")
    page.fill("#id_change_on", (TODAY - dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/monitoring/*/")
    expect(page.locator("main")).to_contain_text("覆盖率 50.0%")
    expect(page.locator("main")).to_contain_text("未报告变更 1 项")
    visit = MonitoringVisit.objects.get()
    assert visit.entity == a and visit.staff == "unreported"
    assert a.testing_changes.get().source == "monitoring"
    assert not MonitoringVisit.objects.filter(entity=b).exists()


def test_pt_round_imported_graded_rectified(page, make_entity, tmp_path):
    city, district = _users()
    bodies = [_body(make_entity, f"上海能力验证{i}检测有限公司", city, 10 + i) for i in range(3)]
    scheme = PTScheme.objects.create(
        number="SH-PT-2026-901",
        name="食品中铅的测定",
        field="food_testing",
        items="铅",
        year=TODAY.year,
        provider="上海市计量测试技术研究院",
        deadline=TODAY,
    )
    csv = tmp_path / "pt.csv"
    rows = [("12", "10", "1"), ("12.5", "10", "1"), ("7", "10", "1")]  # z = 2.0, 2.5, -3.0
    csv.write_text(
        "统一社会信用代码,能力验证计划编号,项目,结果值,指定值,能力评定标准差\n"
        + "".join(
            f"{b.uscc},{scheme.number},铅,{x},{X},{s}\n"
            for b, (x, X, s) in zip(bodies, rows, strict=True)
        ),
        encoding="utf-8",
    )
    log_in(page, "jc_qu", PASSWORD)
    page.goto("/testing/pt/results/import/")
    page.set_input_files("#id_file", str(csv))
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_url("**/system/jobs/*/")
    expect(page.locator("main")).to_contain_text("已完成", timeout=30000)
    page.goto("/testing/pt/results/")
    table = page.locator("table")
    expect(table.locator("tr", has_text=bodies[0].name)).to_contain_text("满意")
    expect(table.locator("tr", has_text=bodies[1].name)).to_contain_text("可疑")
    expect(table.locator("tr", has_text=bodies[2].name)).to_contain_text("不满意")
    table.locator("tr", has_text=bodies[1].name).get_by_role("link", name="可疑").click()
    page.wait_for_url("**/testing/pt/results/*/")
    due = Rectification.objects.get(result__entity=bodies[1]).due_on
    expect(page.locator("main")).to_contain_text(f"整改期限 {due.isoformat()}")
    page.locator("main").get_by_role("link", name="录入复测结果").click()
    page.wait_for_url("**/retest/")
    page.fill("#id_x", "10.8")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/pt/results/*/")
    expect(page.locator("main")).to_contain_text("整改合格")
    assert PTResult.objects.get(entity=bodies[1]).grade == "questionable"


def test_capability_assessment_is_recorded(page, make_entity):
    city, district = _users()
    body = _body(make_entity, "上海考核检测技术有限公司", city, 20)
    log_in(page, "jc_qu", PASSWORD)
    page.goto("/testing/assessments/new/")
    page.fill("#id_body", body.uscc)
    page.fill("#id_held_on", TODAY.isoformat())
    page.select_option("#id_field", "food_testing")
    page.fill("#id_exam_score", "58")
    page.fill("#id_practical_score", "75")
    page.select_option("#id_system", "fail")
    page.fill("#id_findings", "内部审核未覆盖全部要素")
    page.select_option("#id_conclusion", "rectify")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("main")).to_contain_text("请填写整改期限")  # the rule, shown inline
    page.fill("#id_rectify_by", (TODAY + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/assessments/*/")
    expect(page.locator("main")).to_contain_text("基本符合，责令限期整改")
    assert Assessment.objects.get().entity == body


def test_a_veto_item_forces_d_and_the_public_sees_it(page, make_entity):
    city, district = _users()
    good = _body(make_entity, "上海守信检测技术有限公司", city, 30)
    bad = _body(make_entity, "上海失信检测技术有限公司", city, 31)
    log_in(page, "jc_qu", PASSWORD)
    # an online lead → a targeted check that finds a false report (39号令 art. 14)
    page.goto("/testing/leads/new/")
    page.select_option("#id_district", str(bad.district_id))
    page.fill("#id_platform", "某电商平台")
    page.fill("#id_url", "https://shop.example.cn/item/42")
    page.fill("#id_seller", bad.name)
    page.select_option("#id_kind", "fake_report")
    page.fill("#id_evidence", "页面截图，订单号 42")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/leads/*/")
    page.locator("main").get_by_role("link", name="转定向检查").click()
    page.fill("#id_body", bad.uscc)
    page.fill("#id_due_on", (TODAY + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/checks/*/")
    page.locator("main").get_by_role("link", name="录入检查结果").click()
    page.fill("#id_checked_on", TODAY.isoformat())
    page.select_option("#id_result", "violation")
    page.select_option("#id_violation", label="JC11 未经检验检测出具报告")
    page.fill("#id_findings", "网店出售的报告未经检验检测")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/checks/*/")
    expect(page.locator("main")).to_contain_text("处罚款 30000 元")
    page.locator("main").get_by_role("link", name="依法处理").click()
    page.wait_for_url("**/handlings/new/**")
    page.select_option("#id_measure", "penalty")
    page.fill("#id_decision_no", "黄市监处〔2026〕42号")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/testing/handlings/")
    # the city recomputes the grades (a background job with progress)
    page.context.clear_cookies()
    log_in(page, "jc_city", PASSWORD)
    page.goto("/testing/grades/")
    page.get_by_role("button", name="立即重新评价").click()
    page.wait_for_url("**/system/jobs/*/")
    expect(page.locator("main")).to_contain_text("信用等级评价完成", timeout=30000)
    assert BodyGrade.objects.get(entity=bad, current=True).grade == "D"
    assert BodyGrade.objects.get(entity=good, current=True).grade == "A"
    page.goto(f"/registry/entities/{bad.pk}/")
    expect(page.locator("#testing")).to_contain_text("触及否决项：出具虚假检验检测报告")
    # the public lookup, by the certificate number, without logging in
    page.context.clear_cookies()
    page.goto("/public/testing/")
    page.fill("#q", "260900000031")
    page.get_by_role("button", name="查询", exact=True).click()
    page.locator("main").get_by_role("link", name=bad.name).click()
    page.wait_for_url(f"**/public/testing/{bad.uscc}/")
    main = page.locator("main")
    expect(main).to_contain_text("有效")
    expect(main).to_contain_text("D 级")
    expect(main).to_contain_text("罚款 30000 元")
    expect(main).to_contain_text("黄市监处〔2026〕42号")
