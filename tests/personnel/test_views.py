"""Pages of the inspector roster, the expert pool and conflict declarations.

Rules checked (ENGINEERING.md "The pages"; DOMAIN.md "Who uses it", "Double random, one public"):
every list searches, filters and pages; single objects outside the caller's jurisdiction are 404,
never 403; the city bureau keeps the expert pool; writes are audited; conflict declarations name
exactly one person and an entity in the caller's jurisdiction, and are ended, never deleted.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.org.models import Unit
from jianguan.personnel.models import ConflictDeclaration, Expert, Expertise, Inspector
from tests.conftest import DISTRICT_A, DISTRICT_B, filter_options

pytestmark = pytest.mark.django_db

_no = itertools.count(1)
TODAY = timezone.localdate()


def make_inspector(unit_code: str = DISTRICT_A, **fields) -> Inspector:
    n = next(_no)
    defaults = {
        "name": f"检查员{n}",
        "staff_no": f"T{n:05d}",
        "cert_no": f"31{n:08d}",
        "cert_expires_on": TODAY + dt.timedelta(days=365),
    }
    defaults.update(fields)
    return Inspector.objects.create(unit=Unit.objects.get(code=unit_code), **defaults)


def make_expert(**fields) -> Expert:
    defaults = {
        "name": f"专家{next(_no)}",
        "field": Expertise.objects.first(),
        "employer": "同济大学",
    }
    defaults.update(fields)
    return Expert.objects.create(**defaults)


def inspector_post(unit: Unit, **over) -> dict:
    data = {
        "name": "王芳",
        "staff_no": "HP0001",
        "unit": unit.pk,
        "cert_no": "3101000001",
        "cert_expires_on": f"{TODAY + dt.timedelta(days=200):%Y-%m-%d}",
        "expertise": [e.pk for e in Expertise.objects.order_by("id")[:2]],
        "active": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


# ---------------------------------------------------------------- the inspector list


def test_list_searches_by_name_staff_no_and_certificate_number(login, admin_a):
    """Search box: 姓名 (contains), 工号 and 执法证号 (prefix)."""
    wang = make_inspector(name="王建国", staff_no="HP7001", cert_no="3101990001")
    li = make_inspector(name="李明", staff_no="HP7002", cert_no="3101880002")
    c = login(admin_a)
    url = reverse("personnel:inspector_list")
    assert list(c.get(url, {"q": "建国"}).context["rows"]) == [wang]
    assert list(c.get(url, {"q": "HP7002"}).context["rows"]) == [li]
    assert list(c.get(url, {"q": "310199"}).context["rows"]) == [wang]


def test_list_filters_by_unit_expertise_status_and_certificate(login, admin_a):
    """Filters: unit (a district includes its stations), expertise, 在岗/离岗, certificate valid/expired."""
    food = Expertise.objects.get(code="food")
    station = make_inspector(f"{DISTRICT_A}-S01")
    station.expertise.add(food)
    district = make_inspector(DISTRICT_A)
    gone = make_inspector(DISTRICT_A, active=False, inactive_since=TODAY)
    expired = make_inspector(DISTRICT_A, cert_expires_on=TODAY - dt.timedelta(days=1))
    c = login(admin_a)
    url = reverse("personnel:inspector_list")

    def rows(**params):
        return set(c.get(url, params).context["rows"])

    s01 = Unit.objects.get(code=f"{DISTRICT_A}-S01")
    assert rows(unit=s01.pk) == {station}
    assert rows(unit=Unit.objects.get(code=DISTRICT_A).pk) == {station, district, gone, expired}
    assert rows(expertise=food.code) == {station}
    assert rows(active="0") == {gone}
    assert rows(cert="expired") == {expired}
    assert expired not in rows(cert="valid")
    page = c.get(url, {"cert": "expired"}).content.decode()
    assert "已过期" in page


def test_list_pages_and_counts_and_keeps_filters_in_page_links(login, admin_a):
    """Paging: 50 a page, a count of all matches, filters kept in the page links."""
    for _ in range(53):
        make_inspector(DISTRICT_A)
    c = login(admin_a)
    url = reverse("personnel:inspector_list")
    first = c.get(url, {"active": "1"})
    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.count == 53
    assert "共 53 人" in first.content.decode()
    assert "active=1&amp;page=2" in first.content.decode()
    assert len(c.get(url, {"active": "1", "page": 2}).context["rows"]) == 3


def test_list_unit_filter_offers_only_units_in_jurisdiction(login, admin_a):
    """The unit filter lists units from Unit.objects.restrict(user): no other district's units."""
    c = login(admin_a)
    unit_ids = {
        int(pk) for pk in filter_options(c.get(reverse("personnel:inspector_list")), "unit")
    }
    assert Unit.objects.get(code=DISTRICT_A).pk in unit_ids
    assert Unit.objects.get(code=DISTRICT_B).pk not in unit_ids
    assert Unit.objects.get(code=f"{DISTRICT_B}-S01").pk not in unit_ids


def test_new_and_import_buttons_only_for_those_who_may_add(login, admin_a, station_a):
    """Buttons appear only where allowed(user, 'add', Inspector)."""
    create_url = reverse("personnel:inspector_create")
    assert create_url in login(admin_a).get(reverse("personnel:inspector_list")).content.decode()
    c = login(station_a)
    assert create_url not in c.get(reverse("personnel:inspector_list")).content.decode()
    assert c.get(create_url).status_code == 403


def test_pages_require_login(client):
    """Every page is @login_required."""
    for name in (
        "inspector_list",
        "expert_list",
        "conflict_list",
        "inspector_create",
        "conflict_create",
    ):
        response = client.get(reverse(f"personnel:{name}"))
        assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- jurisdiction


def test_district_a_gets_404_on_district_b_inspector(login, admin_a):
    """A row outside the caller's jurisdiction answers 404 (never 403): detail and edit, GET and POST."""
    b = make_inspector(DISTRICT_B, name="徐汇人员")
    c = login(admin_a)
    assert c.get(reverse("personnel:inspector_detail", args=[b.pk])).status_code == 404
    assert c.get(reverse("personnel:inspector_edit", args=[b.pk])).status_code == 404
    post = inspector_post(Unit.objects.get(code=DISTRICT_A), name="改名", staff_no=b.staff_no)
    assert c.post(reverse("personnel:inspector_edit", args=[b.pk]), post).status_code == 404
    b.refresh_from_db()
    assert b.name == "徐汇人员" and b.unit.code == DISTRICT_B
    assert not AuditEvent.objects.filter(
        object_type="personnel.inspector", object_id=str(b.pk)
    ).exists()


def test_city_admin_sees_both_districts(login, city_admin):
    """The city sees every district's inspectors."""
    a, b = make_inspector(DISTRICT_A), make_inspector(DISTRICT_B)
    c = login(city_admin)
    assert {a, b} <= set(c.get(reverse("personnel:inspector_list")).context["rows"])
    for i in (a, b):
        assert c.get(reverse("personnel:inspector_detail", args=[i.pk])).status_code == 200
        assert c.get(reverse("personnel:inspector_edit", args=[i.pk])).status_code == 200


def test_station_user_reads_but_cannot_edit(login, station_a):
    """A station inspector sees its station's roster, read-only: edit is 404."""
    mine = make_inspector(f"{DISTRICT_A}-S01")
    c = login(station_a)
    assert c.get(reverse("personnel:inspector_detail", args=[mine.pk])).status_code == 200
    assert c.get(reverse("personnel:inspector_edit", args=[mine.pk])).status_code == 404


# ---------------------------------------------------------------- create / edit


def test_create_writes_through_service_and_is_audited(login, admin_a):
    """新增: the inspector is saved with its expertise, and an audit event records who did it."""
    c = login(admin_a)
    unit = Unit.objects.get(code=f"{DISTRICT_A}-S02")
    response = c.post(reverse("personnel:inspector_create"), inspector_post(unit))
    inspector = Inspector.objects.get(staff_no="HP0001")
    assert response.status_code == 302
    assert response["Location"] == reverse("personnel:inspector_detail", args=[inspector.pk])
    assert inspector.unit == unit and inspector.expertise.count() == 2
    event = AuditEvent.objects.get(object_type="personnel.inspector", object_id=str(inspector.pk))
    assert event.action == "create" and event.actor == admin_a
    detail = c.get(response["Location"]).content.decode()
    assert "变更记录" in detail and "新增" in detail


def test_edit_is_audited_with_before_and_after(login, admin_a):
    """修改: the audit event holds the changed fields, before and after."""
    inspector = make_inspector(DISTRICT_A, name="旧名")
    c = login(admin_a)
    post = inspector_post(inspector.unit, name="新名", staff_no=inspector.staff_no)
    assert c.post(reverse("personnel:inspector_edit", args=[inspector.pk]), post).status_code == 302
    inspector.refresh_from_db()
    assert inspector.name == "新名"
    event = AuditEvent.objects.filter(
        object_type="personnel.inspector", object_id=str(inspector.pk)
    ).get(action="update")
    assert event.changes["name"] == ["旧名", "新名"]


def test_create_form_offers_only_units_in_jurisdiction_and_refuses_others(login, admin_a):
    """Unit choices are limited to the user's jurisdiction; a forged unit id is refused, nothing written."""
    c = login(admin_a)
    form = c.get(reverse("personnel:inspector_create")).context["form"]
    units = set(form.fields["unit"].queryset)
    assert Unit.objects.get(code=DISTRICT_A) in units
    assert Unit.objects.get(code=DISTRICT_B) not in units
    response = c.post(
        reverse("personnel:inspector_create"), inspector_post(Unit.objects.get(code=DISTRICT_B))
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not Inspector.objects.exists()


def test_form_errors_are_inline_in_chinese_and_keep_what_was_typed(login, admin_a):
    """An inactive inspector needs a date; a certificate number needs an expiry; typed values stay."""
    c = login(admin_a)
    post = inspector_post(
        Unit.objects.get(code=DISTRICT_A), name="赵敏", active=None, cert_expires_on=""
    )
    response = c.post(reverse("personnel:inspector_create"), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "离岗人员须填写离岗日期" in errors["inactive_since"]
    assert "cert_expires_on" in errors
    page = response.content.decode()
    assert 'value="赵敏"' in page and "invalid-feedback" in page
    assert not Inspector.objects.exists()


def test_duplicate_staff_no_is_a_field_error(login, admin_a):
    make_inspector(DISTRICT_A, staff_no="HP0001")
    response = login(admin_a).post(
        reverse("personnel:inspector_create"), inspector_post(Unit.objects.get(code=DISTRICT_A))
    )
    assert response.context["form"].errors["staff_no"] == ["该工号已存在"]


def test_detail_shows_expired_certificate_badge(login, admin_a):
    """The detail page says plainly that an expired certificate is 已过期."""
    i = make_inspector(DISTRICT_A, cert_expires_on=TODAY - dt.timedelta(days=3))
    page = login(admin_a).get(reverse("personnel:inspector_detail", args=[i.pk])).content.decode()
    assert "已过期" in page and "执法证已过期" in page


# ---------------------------------------------------------------- experts


def test_district_admin_cannot_create_or_edit_experts(login, admin_a):
    """The city bureau keeps the expert pool: a district admin may read it, never write (nothing written)."""
    expert = make_expert(name="张伟")
    c = login(admin_a)
    assert c.get(reverse("personnel:expert_list")).status_code == 200
    assert c.get(reverse("personnel:expert_detail", args=[expert.pk])).status_code == 200
    data = {"name": "李雷", "field": Expertise.objects.first().pk, "employer": "复旦大学"}
    # the pool is readable city-wide, so the refusal is 403 (nothing to hide behind a 404)
    assert c.post(reverse("personnel:expert_create"), data).status_code == 403
    # changing the pool is outside the district's scope: 404 (access_rules.py CITY_CHANGE)
    assert c.post(reverse("personnel:expert_edit", args=[expert.pk]), data).status_code == 404
    assert list(Expert.objects.values_list("name", flat=True)) == ["张伟"]
    assert (
        reverse("personnel:expert_create")
        not in c.get(reverse("personnel:expert_list")).content.decode()
    )


def test_city_admin_creates_expert_audited_and_pledge_shown(login, city_admin):
    """The city admin adds an expert; a missing confidentiality pledge is flagged (没有保密承诺)."""
    c = login(city_admin)
    data = {
        "name": "李雷",
        "field": Expertise.objects.first().pk,
        "employer": "复旦大学",
        "active": "on",
        "employer_uscc": " 9144 0300 1922 03821 6 ",
    }
    response = c.post(reverse("personnel:expert_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    expert = Expert.objects.get(name="李雷")
    assert response.status_code == 302
    assert expert.employer_uscc == "914403001922038216"  # normalised
    assert AuditEvent.objects.filter(
        object_type="personnel.expert", object_id=str(expert.pk), action="create"
    ).exists()
    assert (
        "没有保密承诺"
        in c.get(reverse("personnel:expert_detail", args=[expert.pk])).content.decode()
    )
    data.update(pledge_signed_on="2025-03-01", employer_uscc="914403001922038216")
    c.post(reverse("personnel:expert_edit", args=[expert.pk]), data)
    page = c.get(reverse("personnel:expert_detail", args=[expert.pk])).content.decode()
    assert "已签署保密承诺" in page and "2025-03-01" in page


def test_expert_list_search_and_field_filter(login, admin_a):
    food, drug = Expertise.objects.get(code="food"), Expertise.objects.get(code="drug")
    a = make_expert(name="周洁", field=food, employer="上海海洋大学")
    b = make_expert(name="吴昊", field=drug, employer="中国药科大学")
    c = login(admin_a)
    url = reverse("personnel:expert_list")
    assert list(c.get(url, {"q": "海洋"}).context["rows"]) == [a]
    assert list(c.get(url, {"field": drug.pk}).context["rows"]) == [b]


def test_expert_employer_code_with_wrong_check_character_is_refused(login, city_admin):
    data = {
        "name": "李雷",
        "field": Expertise.objects.first().pk,
        "employer": "复旦大学",
        "employer_uscc": "914403001922038217",
    }
    response = login(city_admin).post(reverse("personnel:expert_create"), data)
    assert "校验位错误" in response.context["form"].errors["employer_uscc"][0]
    assert not Expert.objects.exists()


# ---------------------------------------------------------------- conflict declarations


def conflict_post(**over) -> dict:
    data = {
        "staff_no": "",
        "expert": "",
        "entity_uscc": "",
        "reason": "近亲属在该单位任职",
        "valid_from": f"{TODAY:%Y-%m-%d}",
        "valid_to": "",
    }
    data.update(over)
    return data


def test_conflict_needs_exactly_one_person(login, admin_a, make_entity):
    """回避声明 names an inspector or an expert: exactly one (neither and both are refused)."""
    entity = make_entity(DISTRICT_A)
    inspector, expert = make_inspector(DISTRICT_A), make_expert()
    c = login(admin_a)
    url = reverse("personnel:conflict_create")
    for person in ({}, {"staff_no": inspector.staff_no, "expert": expert.pk}):
        response = c.post(url, conflict_post(entity_uscc=entity.uscc, **person))
        assert response.status_code == 200
        assert "请在检查人员和专家中选择且只选择一人" in response.context["form"].non_field_errors()
    assert not ConflictDeclaration.objects.exists()
    response = c.post(
        url, conflict_post(entity_uscc=entity.uscc.lower(), staff_no=inspector.staff_no)
    )
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get()
    assert (
        declaration.inspector == inspector
        and declaration.entity == entity
        and declaration.expert is None
    )
    assert AuditEvent.objects.filter(
        object_type="personnel.conflictdeclaration", action="create"
    ).exists()
    response = c.post(url, conflict_post(entity_uscc=entity.uscc, expert=expert.pk))
    assert (
        response.status_code == 302 and ConflictDeclaration.objects.filter(expert=expert).exists()
    )


def test_conflict_entity_must_exist_in_jurisdiction(login, admin_a, make_entity):
    """The entity is found by credit code (normalised) inside the user's jurisdiction; else a clear error."""
    other = make_entity(DISTRICT_B)
    inspector = make_inspector(DISTRICT_A)
    c = login(admin_a)
    url = reverse("personnel:conflict_create")
    response = c.post(url, conflict_post(entity_uscc=other.uscc, staff_no=inspector.staff_no))
    assert "管辖范围内没有统一社会信用代码为" in response.context["form"].errors["entity_uscc"][0]
    response = c.post(
        url, conflict_post(entity_uscc="914403001922038217", staff_no=inspector.staff_no)
    )
    assert "校验位错误" in response.context["form"].errors["entity_uscc"][0]
    response = c.post(
        url, conflict_post(entity_uscc=other.uscc, staff_no=make_inspector(DISTRICT_B).staff_no)
    )
    assert "没有工号为" in response.context["form"].errors["staff_no"][0]
    assert not ConflictDeclaration.objects.exists()


def test_conflict_end_sets_date_and_keeps_the_row(login, admin_a, make_entity):
    """Declarations are never deleted: ending one sets valid_to, the row stays, the change is audited."""
    declaration = ConflictDeclaration.objects.create(
        inspector=make_inspector(DISTRICT_A),
        entity=make_entity(DISTRICT_A),
        reason="曾在该单位工作",
        valid_from=TODAY - dt.timedelta(days=30),
    )
    c = login(admin_a)
    url = reverse("personnel:conflict_end", args=[declaration.pk])
    assert c.get(url).status_code == 200
    response = c.post(url, {"valid_to": f"{TODAY - dt.timedelta(days=1):%Y-%m-%d}"})
    assert "不能早于今天" in response.context["form"].errors["valid_to"][0]
    response = c.post(url, {"valid_to": f"{TODAY:%Y-%m-%d}"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.valid_to == TODAY
    assert ConflictDeclaration.objects.count() == 1
    assert AuditEvent.objects.filter(
        object_type="personnel.conflictdeclaration", action="update"
    ).exists()


def test_conflict_list_current_filter_and_jurisdiction(login, admin_a, admin_b, make_entity):
    """The list shows only declarations on entities in the caller's jurisdiction; "current only" drops ended ones."""
    entity = make_entity(DISTRICT_A, name="上海申江餐饮管理有限公司")
    live = ConflictDeclaration.objects.create(
        expert=make_expert(), entity=entity, reason="甲", valid_from=TODAY
    )
    ended = ConflictDeclaration.objects.create(
        expert=make_expert(),
        entity=entity,
        reason="乙",
        valid_from=TODAY - dt.timedelta(days=60),
        valid_to=TODAY - dt.timedelta(days=1),
    )
    url = reverse("personnel:conflict_list")
    c = login(admin_a)
    assert set(c.get(url).context["rows"]) == {live, ended}
    assert list(c.get(url, {"current": "1"}).context["rows"]) == [live]
    assert list(c.get(url, {"q": "申江"}).context["rows"]) == [live, ended]
    c = login(admin_b)
    assert list(c.get(url).context["rows"]) == []
    assert c.get(reverse("personnel:conflict_end", args=[live.pk])).status_code == 404
    assert (
        c.post(
            reverse("personnel:conflict_end", args=[live.pk]), {"valid_to": f"{TODAY:%Y-%m-%d}"}
        ).status_code
        == 404
    )
    live.refresh_from_db()
    assert live.valid_to is None


# ---------------------------------------------------------------- export / import


def test_export_xlsx_opens_with_import_headers_and_filtered_rows(login, admin_a):
    """导出: the filtered list in the import columns (so it round-trips); openpyxl reads it; audited."""
    import io

    from openpyxl import load_workbook

    from jianguan.personnel.importing import HEADERS

    keep = make_inspector(DISTRICT_A, name="导出甲", staff_no="EX001")
    make_inspector(DISTRICT_A, name="离岗乙", staff_no="EX002", active=False, inactive_since=TODAY)
    make_inspector(DISTRICT_B, name="徐汇丙", staff_no="EX003")
    c = login(admin_a)
    response = c.get(reverse("personnel:inspector_export"), {"format": "xlsx", "active": "1"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[
        0
    ]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[0][:3] == ["工号", "姓名", "所属机构"]
    assert [r[0] for r in rows[1:]] == [keep.staff_no]  # filter kept; other district never exported
    assert AuditEvent.objects.filter(
        object_type="personnel.inspector", action="other", note__contains="导出 xlsx"
    ).exists()


def test_export_csv_and_unknown_format(login, admin_a):
    make_inspector(DISTRICT_A, staff_no="EX010")
    c = login(admin_a)
    response = c.get(reverse("personnel:inspector_export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("工号,姓名,所属机构") and "EX010" in text
    assert c.get(reverse("personnel:inspector_export"), {"format": "pdf"}).status_code == 400


def test_import_page_starts_a_job_and_redirects_to_it(login, admin_a):
    """批量导入: the upload becomes a background Job; the user lands on its page (core:job_detail)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianguan.core.models import Job

    c = login(admin_a)
    template = c.get(reverse("personnel:inspector_import_template"), {"format": "csv"})
    header = b"".join(template.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("工号,姓名,所属机构")
    body = header + "\nIM001,钱进,黄浦区市场监督管理局,3101000999,2030-01-01,食品安全；计量,是,\n"
    upload = SimpleUploadedFile("人员.csv", body.encode("utf-8-sig"), content_type="text/csv")
    response = c.post(reverse("personnel:inspector_import"), {"file": upload})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    inspector = Inspector.objects.get(staff_no="IM001")
    assert inspector.unit.code == DISTRICT_A and inspector.expertise.count() == 2


def test_import_refuses_other_file_types_inline(login, admin_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianguan.core.models import Job

    upload = SimpleUploadedFile("人员.txt", b"x", content_type="text/plain")
    response = login(admin_a).post(reverse("personnel:inspector_import"), {"file": upload})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not Job.objects.exists()


def test_import_and_template_need_add_permission(login, station_a):
    c = login(station_a)
    assert c.get(reverse("personnel:inspector_import")).status_code == 403
    assert c.get(reverse("personnel:inspector_import_template")).status_code == 403


def test_exported_file_imports_back_unchanged(login, admin_a):
    """Export and import share one column spec: the exported xlsx re-imports with nothing changed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jianguan.core.models import Job

    first = make_inspector(f"{DISTRICT_A}-S01", staff_no="RT001")
    first.expertise.set(Expertise.objects.order_by("id")[:2])
    make_inspector(DISTRICT_A, staff_no="RT002", active=False, inactive_since=TODAY)
    c = login(admin_a)
    exported = b"".join(
        c.get(reverse("personnel:inspector_export"), {"format": "xlsx"}).streaming_content
    )
    upload = SimpleUploadedFile("roundtrip.xlsx", exported)
    c.post(reverse("personnel:inspector_import"), {"file": upload})
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    assert (
        job.result["unchanged"] == 2 and job.result["created"] == 0 and job.result["updated"] == 0
    )
