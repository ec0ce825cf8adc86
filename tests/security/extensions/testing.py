"""Access declarations of the testing app (检验检测监管) and its public lookup.

Staff pages are for callers with a jurisdiction: an expert (no role actions) gets 403 on every
page that does not look an object up first. Rows of one body are scoped like the body (district,
station S01): the station reads them, the other district gets 404. Monitoring plans and online
leads belong to a district only (a station sees none). The scheme library, the indicator system,
the city's summaries and typical cases are city-wide: every staff member reads them, only the city
changes them. Revocation is the city's (checked in the service). A monitoring visit is recorded
by the body's station (谁管辖), the district or the city: a read-only user who may see the target
gets 403. The public lookup is open to everyone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.security.access_rules import (
    API_EMPTY_BODY,
    API_LIST,
    API_STATION_OBJECT,
    CHANGE,
    CITY_ACTION,
    POST_ONLY,
    E,
    action,
    api,
    form,
    page,
)

#                   anon   stat   own    other  city   expert read
T_LIST = E("login  ok     ok     ok     ok     403    ok")
T_STATION = E("login  ok     ok     404    ok     403    ok")
T_DISTRICT = E("login  404    ok     404    ok     403    ok")
T_CITY = E("login  ok     ok     ok     ok     403    ok")
T_ADD = E("login  403    ok     ok     ok     403    403")
T_CITY_FORM = E("login  403    403    403    ok     403    403")
VISIT = E("login  ok     ok     404    ok     404    403")
REFRESH = E("login  404    redirect 404  redirect 404  404")
MISSED = E("login  403    bounce bounce bounce 403    403")
CASE_EDIT = E("login  403    403    403    ok     404    403")
PUBLIC = E("ok     ok     ok     ok     ok     ok     ok")

RULES = {
    "testing:home": page(T_LIST),
    "testing:coverage": page(T_LIST),
    "testing:body_file": page(T_STATION, obj="testing_entity"),
    "testing:qualification_list": page(T_LIST),
    "testing:qualification_export": page(T_LIST),
    "testing:qualification_register": page(T_LIST),
    "testing:qualification_create": form(T_ADD),
    "testing:qualification_import": form(T_ADD),
    "testing:qualification_detail": page(T_STATION, obj="qualification"),
    "testing:qualification_status": form(CHANGE, obj="qualification"),
    "testing:application_list": page(T_LIST),
    "testing:application_create": form(T_ADD),
    "testing:application_decide": form(CHANGE, obj="application"),
    "testing:change_list": page(T_LIST),
    "testing:change_export": page(T_LIST),
    "testing:change_create": form(T_ADD),
    "testing:follow_up_list": page(T_LIST),
    "testing:follow_up_export": page(T_LIST),
    "testing:follow_up_report": page(T_LIST),
    "testing:follow_up_detail": page(T_STATION, obj="testing_follow_up"),
    "testing:follow_up_record": form(CHANGE, obj="testing_follow_up"),
    "testing:follow_up_method": form(CHANGE, obj="testing_follow_up"),
    "testing:follow_up_rectified": form(CHANGE, obj="testing_follow_up"),
    "testing:plan_list": page(T_LIST),
    "testing:plan_create": form(T_ADD),
    "testing:monitoring_report": page(T_LIST),
    "testing:summary_create": form(T_CITY_FORM),
    "testing:summary_detail": page(T_CITY, obj="monitoring_summary"),
    "testing:plan_detail": page(T_DISTRICT, obj="monitoring_plan"),
    "testing:plan_refresh": page(POST_ONLY, REFRESH, obj="monitoring_plan"),
    "testing:visit_create": form(VISIT, obj="monitoring_target"),
    "testing:scheme_list": page(T_LIST),
    "testing:scheme_export": page(T_LIST),
    "testing:scheme_create": form(T_CITY_FORM),
    "testing:scheme_detail": page(T_CITY, obj="pt_scheme"),
    "testing:scheme_edit": form(T_CITY_FORM, obj="pt_scheme"),
    # The world's scheme is still open (deadline ahead): refused with a message, nothing written.
    "testing:scheme_missed": action(MISSED, "pt_scheme"),
    "testing:result_list": page(T_LIST),
    "testing:result_export": page(T_LIST),
    "testing:result_template": page(T_LIST),
    "testing:result_import": form(T_ADD),
    "testing:result_create": form(T_ADD),
    "testing:result_detail": page(T_STATION, obj="pt_result"),
    "testing:appeal_create": form(CHANGE, obj="pt_result"),
    "testing:appeal_decide": form(CHANGE, obj="pt_appeal"),
    "testing:rectification_list": page(T_LIST),
    "testing:rectification_export": page(T_LIST),
    "testing:retest": form(CHANGE, obj="pt_rectification"),
    "testing:handle": form(CHANGE, obj="pt_rectification"),
    "testing:assessment_list": page(T_LIST),
    "testing:assessment_export": page(T_LIST),
    "testing:assessment_create": form(T_ADD),
    "testing:assessment_detail": page(T_STATION, obj="assessment"),
    "testing:assessment_rectified": form(CHANGE, obj="assessment"),
    "testing:grade_list": page(T_LIST),
    "testing:grade_export": page(T_LIST),
    "testing:grade_run": action(CITY_ACTION),
    "testing:grade_models": page(T_LIST),
    "testing:grade_model": page(T_CITY, obj="grade_model"),
    "testing:grade_model_edit": form(T_CITY_FORM, obj="grade_model"),
    "testing:indicator_create": form(T_CITY_FORM, obj="grade_model"),
    "testing:indicator_edit": form(T_CITY_FORM, obj="grade_model", code="T1"),
    "testing:veto_create": form(T_CITY_FORM, obj="grade_model"),
    "testing:veto_edit": form(T_CITY_FORM, obj="grade_model", code="V1"),
    "testing:grade_model_action": action(CITY_ACTION, "grade_model", action="draft"),
    "testing:lead_list": page(T_LIST),
    "testing:lead_export": page(T_LIST),
    "testing:lead_create": form(T_ADD),
    "testing:lead_detail": page(T_DISTRICT, obj="online_lead"),
    "testing:lead_check": form(CHANGE, obj="online_lead"),
    "testing:lead_close": form(CHANGE, obj="online_lead"),
    "testing:check_list": page(T_LIST),
    "testing:check_detail": page(T_STATION, obj="targeted_check"),
    "testing:check_record": form(CHANGE, obj="targeted_check"),
    "testing:handling_list": page(T_LIST),
    "testing:handling_export": page(T_LIST),
    "testing:handling_create": form(T_ADD),
    "testing:case_list": page(T_LIST),
    "testing:case_create": form(T_CITY_FORM),
    "testing:case_edit": form(CASE_EDIT, obj="typical_case"),
    "testing:application_export": page(T_LIST),
    "testing:plan_export": page(T_LIST),
    "testing:check_export": page(T_LIST),
    "testing:case_export": page(T_LIST),
    "testing:violation_list": page(T_LIST),
    "testing:violation_export": page(T_LIST),
    # --- API -------------------------------------------------------------------------------------
    "GET /api/testing/qualifications": api(API_LIST),
    "GET /api/testing/qualifications/{qualification_id}": api(API_STATION_OBJECT, "qualification"),
    "GET /api/testing/pt-results": api(API_LIST),
    "POST /api/testing/pt-results": api(API_EMPTY_BODY),
    "GET /api/testing/grades": api(API_LIST),
    "GET /api/testing/follow-ups": api(API_LIST),
    # --- the public lookup ---------------------------------------------------------------------
    "portal:testing_search": page(PUBLIC),
    "portal:testing_cases": page(PUBLIC),
    "portal:testing_body": page(PUBLIC, uscc="91310101MA98000012"),
}


def build(world) -> None:
    from django.utils import timezone

    from jianguan.core import uscc
    from jianguan.personnel.models import Inspector
    from jianguan.registry.models import DOMAINS, Entity, TestingBody
    from jianguan.testing import grades, proficiency, services
    from jianguan.testing.models import MonitoringTarget, TargetedCheck

    city, admin = world.users["city"], world.users["admin_own"]
    today = timezone.localdate()
    anchor = world.objects["entity"]
    code = uscc.compose("91310101MA9800001")
    assert code == RULES["portal:testing_body"].kwargs["uscc"], code
    body = Entity.objects.create(
        uscc=code,
        region_code=code[2:8],
        name="访问矩阵检测技术有限公司",
        district=anchor.district,
        station=anchor.station,
        domains=DOMAINS.mask(["testing_body"]),
    )
    TestingBody.objects.create(entity=body, fields=1 << 3)
    q = services.qualification_grant(
        user=city,
        entity=body,
        data={
            "cert_no": "260900009999",
            "scope": "食品 / 铅",
            "fields": 1 << 3,
            "issued_on": today - dt.timedelta(days=20),
            "route": "commitment",
        },
    )
    application = services.application_record(
        user=admin, entity=body, data={"received_on": today, "route": "review", "scope": "食品"}
    )
    services.change_record(
        user=admin,
        entity=body,
        data={"kind": "signatory", "after": "张三", "changed_on": today},
    )
    plan = services.monitoring_plan_create(
        user=admin, district=anchor.district, year=today.year, title="访问矩阵监测计划"
    )
    summary = services.monitoring_summary_issue(
        user=city, title="访问矩阵通报", start=today.replace(month=1, day=1), end=today
    )
    scheme = proficiency.scheme_save(
        user=city,
        data={
            "number": "ACC-PT-1",
            "name": "访问矩阵能力验证",
            "field": "food_testing",
            "items": "铅",
            "year": today.year,
            "provider": "测试",
            "deadline": today + dt.timedelta(days=30),
            "required_fields": 1 << 3,
        },
    )
    result = proficiency.result_record(
        user=admin,
        entity=body,
        data={
            "scheme": scheme,
            "item": "铅",
            "x": Decimal("13"),
            "assigned": Decimal("10"),
            "sigma": Decimal("1"),
            "reported_on": today,
        },
    )
    appeal = proficiency.appeal_file(user=admin, result=result, filed_on=today, reason="复核")
    assessment = services.assessment_record(
        user=admin,
        entity=body,
        data={
            "held_on": today,
            "field": "food_testing",
            "equipment": "ok",
            "site": "ok",
            "reports": "minor",
            "system": "ok",
            "conclusion": "rectify",
            "rectify_by": today + dt.timedelta(days=30),
        },
    )
    lead = services.lead_record(
        user=admin,
        data={
            "district": anchor.district,
            "platform": "某电商平台",
            "url": "https://shop.example.cn/item/1",
            "seller": "某检测服务店",
            "kind": "fake_report",
            "evidence": "页面截图",
            "found_on": today,
        },
    )
    check = TargetedCheck.objects.create(entity=body, reason="访问矩阵", due_on=today)
    case = services.typical_case_save(
        user=city,
        data={
            "title": "某检测公司出具虚假报告案",
            "entity_name": "某检测公司",
            "summary": "未经检验出具报告",
            "outcome": "罚款3万元",
            "published_on": today,
        },
    )
    grades.run(user=city)
    # The station caller records monitoring of its station's bodies: it must be an inspector.
    if not Inspector.objects.filter(user=world.users["station"]).exists():
        inspector = Inspector.objects.filter(unit=anchor.station, user__isnull=True).first()
        inspector.user = world.users["station"]
        inspector.save(update_fields=["user"])
    world.objects.update(
        testing_entity=body,
        qualification=q,
        application=application,
        testing_follow_up=q.follow_up,
        monitoring_plan=plan,
        monitoring_target=MonitoringTarget.objects.get(plan=plan, entity=body),
        monitoring_summary=summary,
        pt_scheme=scheme,
        pt_result=result,
        pt_appeal=appeal,
        pt_rectification=result.rectification,
        assessment=assessment,
        grade_model=grades.active_model(),
        online_lead=lead,
        targeted_check=check,
        typical_case=case,
    )
