"""The entity roster pages: list, filters, export, file (一企一卷), create/edit, import.

Rules checked (ENGINEERING.md "The pages"; DOMAIN.md "Who uses it", "Unified social credit code"):
every list has search, filters, paging and export of what is shown; a row outside the user's
jurisdiction answers 404 (its existence does not leak); every write is audited; a wrong check
character is an error naming the expected character, and writes nothing.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from jianguan.core.models import AuditEvent, Job
from jianguan.org.models import Unit
from jianguan.registry import models as registry_models
from jianguan.registry.models import DOMAINS, Entity
from tests.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    filter_control,
    filter_options,
    new_uscc,
    unit,
)

pytestmark = pytest.mark.django_db

LIST = reverse("registry:entity_list")


def detail(e):
    return reverse("registry:entity_detail", args=[e.pk])


def edit(e):
    return reverse("registry:entity_edit", args=[e.pk])


def names(response) -> list[str]:
    return [e.name for e in response.context["rows"]]


def entity_post(**overrides) -> dict:
    data = {
        "uscc": new_uscc(),
        "name": "上海申江餐饮管理有限公司",
        "entity_type": "enterprise",
        "status": "active",
        "district": unit(DISTRICT_A).pk,
        "station": "",
        "address": "南京东路1号",
        "industry_code": "6210",
        "established_on": "2020-03-15",
        "capital_wan": "100",
        "legal_rep": "王强",
        "key_tier": "general",
        "risk_class": "B",
        "domains": ["food", "public_info"],
    }
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------


def test_list_needs_login(client):
    """All staff pages are behind login."""
    response = client.get(LIST)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_search_by_name_and_by_credit_code(client, admin_a, make_entity):
    """The search box finds an entity by a part of its name, or by its (partial) credit code."""
    target = make_entity(DISTRICT_A, name="上海申江餐饮管理有限公司")
    other = make_entity(DISTRICT_A, name="上海浦江食品有限公司")
    client.force_login(admin_a)
    assert names(client.get(LIST, {"q": "申江"})) == [target.name]
    assert names(client.get(LIST, {"q": target.uscc.lower()})) == [target.name]  # normalised
    assert names(client.get(LIST, {"q": other.uscc[:17]})) == [other.name]
    response = client.get(LIST, {"q": "申江"})
    assert response.status_code == 200
    assert target.uscc in response.content.decode()


def test_filters_narrow_the_list(client, admin_a, make_entity):
    """Filters: station, domain, key tier, status, industry section/division, type, risk class."""
    food = make_entity(
        DISTRICT_A,
        f"{DISTRICT_A}-S01",
        domains=DOMAINS.mask(["food"]),
        key_tier="special",
        industry_code="6210",
        risk_class="C",
    )
    drug = make_entity(
        DISTRICT_A,
        domains=DOMAINS.mask(["drug"]),
        status="cancelled",
        industry_code="2720",
        entity_type="individual",
    )
    client.force_login(admin_a)
    assert names(client.get(LIST, {"domain": "food"})) == [food.name]
    assert names(client.get(LIST, {"tier": "special"})) == [food.name]
    assert names(client.get(LIST, {"tier": "none"})) == [drug.name]
    assert names(client.get(LIST, {"status": "cancelled"})) == [drug.name]
    assert names(client.get(LIST, {"industry": "H"})) == [food.name]  # 住宿和餐饮业 section
    assert names(client.get(LIST, {"industry": "27"})) == [drug.name]  # 医药制造业 division
    assert names(client.get(LIST, {"entity_type": "individual"})) == [drug.name]
    assert names(client.get(LIST, {"risk_class": "C"})) == [food.name]
    assert names(client.get(LIST, {"station": unit(f"{DISTRICT_A}-S01").pk})) == [food.name]
    assert names(client.get(LIST, {"domain": "food", "status": "cancelled"})) == []


def test_filter_choices_are_only_units_the_user_may_view(client, admin_a, city_admin):
    """District and station filters offer only units inside the user's jurisdiction."""
    client.force_login(admin_a)
    page = client.get(LIST)
    assert filter_control(page, "district") is None  # one district: nothing to choose
    stations = Unit.objects.filter(pk__in=filter_options(page, "station"))
    assert stations.exists() and {s.district.code for s in stations} == {DISTRICT_A}
    client.force_login(city_admin)
    page = client.get(LIST)
    districts = Unit.objects.filter(pk__in=filter_options(page, "district"))
    assert {DISTRICT_A, DISTRICT_B} <= {d.code for d in districts}
    assert filter_control(page, "station") is None  # the city chooses a district first


def test_list_is_paged_at_50_with_total(client, admin_a, make_entity):
    """The table shows 50 rows a page, the total count, and page links that keep the filters."""
    for _ in range(53):
        make_entity(DISTRICT_A, domains=DOMAINS.mask(["food"]))
    make_entity(DISTRICT_A)
    client.force_login(admin_a)
    first = client.get(LIST, {"domain": "food"})
    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.count == 53
    assert "domain=food&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"domain": "food", "page": 2})
    assert len(second.context["rows"]) == 3


def test_station_user_sees_only_own_station(client, station_a, make_entity):
    """A station inspector sees only the entities of their own station (三级管辖)."""
    mine = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01")
    neighbour = make_entity(DISTRICT_A, f"{DISTRICT_A}-S02")
    unassigned = make_entity(DISTRICT_A)
    client.force_login(station_a)
    assert names(client.get(LIST)) == [mine.name]
    assert client.get(detail(mine)).status_code == 200
    assert client.get(detail(neighbour)).status_code == 404
    assert client.get(detail(unassigned)).status_code == 404


def test_district_list_excludes_other_districts(client, admin_a, city_admin, make_entity):
    """A district sees only its own entities; the city sees every district's."""
    a = make_entity(DISTRICT_A)
    b = make_entity(DISTRICT_B)
    client.force_login(admin_a)
    assert names(client.get(LIST)) == [a.name]
    client.force_login(city_admin)
    assert set(names(client.get(LIST))) == {a.name, b.name}


# --- export -----------------------------------------------------------------------------------


def test_xlsx_export_holds_exactly_the_filtered_list(client, admin_a, make_entity):
    """导出 gives the filtered list (not the page, not the whole roster) in the import layout."""
    from openpyxl import load_workbook

    from jianguan.registry.importing import HEADERS

    food = make_entity(
        DISTRICT_A,
        name="上海甲餐饮有限公司",
        domains=DOMAINS.mask(["food", "drug"]),
        key_tier="general",
        risk_class="D",
    )
    make_entity(DISTRICT_A, name="上海乙贸易有限公司")
    make_entity(DISTRICT_B, name="徐汇餐饮有限公司", domains=DOMAINS.mask(["food"]))
    client.force_login(admin_a)
    response = client.get(reverse("registry:entity_export"), {"format": "xlsx", "domain": "food"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS  # the import template's headers: the file imports back
    assert rows[0][:2] == ("统一社会信用代码", "名称")
    assert len(rows) == 2
    data = dict(zip(rows[0], rows[1], strict=True))
    assert data["统一社会信用代码"] == food.uscc
    assert data["名称"] == food.name
    assert data["监管领域"] == "食品；药品"
    assert data["重点领域类别"] == "一般重点"
    # Risk classes are internal (DOMAIN.md "Credit lists"): never in a file that leaves the system.
    assert "信用风险分类" not in rows[0] and "D" not in rows[1]


def test_csv_export_of_the_filtered_list_with_bom(client, admin_a, make_entity):
    """CSV export is UTF-8 with a BOM (Excel) and respects the search."""
    make_entity(DISTRICT_A, name="上海申江餐饮管理有限公司")
    make_entity(DISTRICT_A, name="上海浦江食品有限公司")
    client.force_login(admin_a)
    response = client.get(reverse("registry:entity_export"), {"format": "csv", "q": "申江"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff统一社会信用代码,名称")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "上海申江餐饮管理有限公司" in lines[1]


def test_export_over_the_synchronous_cap_becomes_a_background_job(
    client, admin_a, make_entity, monkeypatch
):
    """A very large export does not run inside the request: above the cap a background job
    writes the file, which the job page offers after the jurisdiction check."""
    import openpyxl

    from jianguan.registry import views

    monkeypatch.setattr(views, "EXPORT_SYNC_LIMIT", {"xlsx": 2, "csv": 2})
    for _ in range(3):
        make_entity(DISTRICT_A)
    make_entity(DISTRICT_B)
    client.force_login(admin_a)
    response = client.get(reverse("registry:entity_export"), {"format": "xlsx"})
    job = Job.objects.get(kind="export_entities")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["total"] == 3
    download = client.get(reverse("core:job_file", args=[job.pk, "output"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 1 + 3  # header + district A's rows only


def test_export_neutralises_formulas(client, admin_a, make_entity):
    """An exported cell that a spreadsheet would run as a formula is prefixed with a quote."""
    make_entity(DISTRICT_A, name='=HYPERLINK("http://x")有限公司')
    client.force_login(admin_a)
    text = b"".join(
        client.get(reverse("registry:entity_export"), {"format": "csv"}).streaming_content
    ).decode()
    assert "'=HYPERLINK" in text


def test_export_is_scoped(client, admin_b, make_entity):
    """Export never contains rows outside the user's jurisdiction."""
    make_entity(DISTRICT_A, name="黄浦的企业")
    client.force_login(admin_b)
    text = b"".join(
        client.get(reverse("registry:entity_export"), {"format": "csv"}).streaming_content
    ).decode()
    assert "黄浦的企业" not in text and len(text.strip().splitlines()) == 1


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_facts_sections_and_history_after_an_edit(client, admin_a, make_entity):
    """The file (一企一卷) shows every fact, its sections, and the audit trail of an edit."""
    entity = make_entity(DISTRICT_A, name="上海旧名有限公司", domains=DOMAINS.mask(["food"]))
    client.force_login(admin_a)
    response = client.post(edit(entity), entity_post(uscc=entity.uscc, name="上海新名有限公司"))
    assert response.status_code == 302 and response["Location"] == detail(entity)
    page = client.get(detail(entity)).content.decode()
    assert "<h1" in page and "上海新名有限公司" in page
    assert entity.uscc in page
    for section in ("基本信息", "回避声明", "检查记录", "变更记录"):
        assert section in page
    assert "上海旧名有限公司 → 上海新名有限公司" in page


def test_detail_shows_testing_body_data_and_conflicts(client, admin_a, make_entity):
    """A testing body's file shows its qualification data; conflict declarations about it show too."""
    import datetime as dt

    from jianguan.personnel.models import ConflictDeclaration, Inspector

    entity = make_entity(DISTRICT_A, domains=DOMAINS.mask(["testing_body"]))
    registry_models.TestingBody.objects.create(
        entity=entity, cert_no="230012345678", cert_expires_on=dt.date(2029, 5, 1)
    )
    inspector = Inspector.objects.create(name="李明", staff_no="HP001", unit=unit(DISTRICT_A))
    ConflictDeclaration.objects.create(
        inspector=inspector, entity=entity, reason="近亲属任职", valid_from=dt.date(2025, 1, 1)
    )
    client.force_login(admin_a)
    page = client.get(detail(entity)).content.decode()
    assert "230012345678" in page and "2029-05-01" in page
    assert "李明" in page and "近亲属任职" in page


def test_district_a_gets_404_on_district_b_entity_pages(client, admin_a, make_entity):
    """Outside the jurisdiction: 404 on detail and on edit (GET and POST), never 403; nothing changes."""
    b = make_entity(DISTRICT_B, name="徐汇企业")
    client.force_login(admin_a)
    assert client.get(detail(b)).status_code == 404
    assert client.get(edit(b)).status_code == 404
    assert client.post(edit(b), entity_post(uscc=b.uscc, name="改名")).status_code == 404
    assert client.get(reverse("registry:testing_body_edit", args=[b.pk])).status_code == 404
    b.refresh_from_db()
    assert b.name == "徐汇企业" and not AuditEvent.objects.exists()


def test_city_admin_reaches_every_district(client, city_admin, make_entity):
    a = make_entity(DISTRICT_A)
    b = make_entity(DISTRICT_B)
    client.force_login(city_admin)
    for e in (a, b):
        assert client.get(detail(e)).status_code == 200
        assert client.get(edit(e)).status_code == 200


def test_read_only_user_sees_no_write_buttons_and_cannot_edit(client, make_user, make_entity):
    """A read-only account reads the roster but gets 404 on edit and sees no 新增 button."""
    reader = make_user("read_only", DISTRICT_A)
    entity = make_entity(DISTRICT_A)
    client.force_login(reader)
    page = client.get(LIST).content.decode()
    assert entity.name in page
    assert reverse("registry:entity_create") not in page and ">新增<" not in page
    assert client.get(edit(entity)).status_code == 404
    assert client.post(edit(entity), entity_post(uscc=entity.uscc)).status_code == 404
    assert client.get(reverse("registry:entity_create")).status_code == 403
    assert (
        reverse("registry:entity_edit", args=[entity.pk])
        not in client.get(detail(entity)).content.decode()
    )


# --- create / edit ----------------------------------------------------------------------------


def test_create_through_the_page_writes_entity_and_audit_event(client, admin_a):
    """新增 goes through registry.services: the entity, its domains mask, and a 'create' event."""
    client.force_login(admin_a)
    code = new_uscc()
    spaced = " ".join([code[:6], code[6:12], code[12:]]).lower()  # normalised, not rejected
    response = client.post(reverse("registry:entity_create"), entity_post(uscc=spaced))
    entity = Entity.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(entity)
    assert entity.uscc == code
    assert entity.domains == DOMAINS.mask(["food", "public_info"])
    assert entity.region_code == code[2:8]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("create", admin_a, str(entity.pk))


def test_edit_through_the_page_writes_an_update_event(client, admin_a, make_entity):
    entity = make_entity(DISTRICT_A, name="上海甲有限公司")
    client.force_login(admin_a)
    form = client.get(edit(entity)).context["form"]
    assert form["uscc"].value() == entity.uscc
    client.post(
        edit(entity), entity_post(uscc=entity.uscc, name="上海甲乙有限公司", domains=["drug"])
    )
    event = AuditEvent.objects.get()
    assert event.action == "update" and event.changes["name"] == [
        "上海甲有限公司",
        "上海甲乙有限公司",
    ]
    entity.refresh_from_db()
    assert entity.domains == DOMAINS.mask(["drug"])


def test_wrong_check_character_names_the_expected_one_and_writes_nothing(client, admin_a):
    """GB 32100-2015: a wrong 18th character is an error saying which character it should be;
    the form keeps what was typed and nothing is written."""
    code = new_uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    client.force_login(admin_a)
    response = client.post(
        reverse("registry:entity_create"), entity_post(uscc=wrong, name="上海保留名称有限公司")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["uscc"]
    assert any(f"应为“{code[17]}”" in e for e in errors)
    page = response.content.decode()
    assert f"应为“{code[17]}”" in page
    assert "上海保留名称有限公司" in page  # what was typed is kept
    assert not Entity.objects.exists() and not AuditEvent.objects.exists()


def test_create_rejects_a_district_outside_the_jurisdiction(client, admin_a):
    """District choices are limited to the user's jurisdiction; a forged one is refused."""
    client.force_login(admin_a)
    form = client.get(reverse("registry:entity_create")).context["form"]
    assert [d.code for d in form.fields["district"].queryset] == [DISTRICT_A]
    response = client.post(
        reverse("registry:entity_create"), entity_post(district=unit(DISTRICT_B).pk)
    )
    assert response.status_code == 200 and "district" in response.context["form"].errors
    assert not Entity.objects.exists()


def test_station_must_belong_to_the_chosen_district(client, city_admin):
    """Station choices follow the district: a station of another district is refused."""
    client.force_login(city_admin)
    response = client.post(
        reverse("registry:entity_create"),
        entity_post(district=unit(DISTRICT_A).pk, station=unit(f"{DISTRICT_B}-S01").pk),
    )
    assert response.status_code == 200 and "station" in response.context["form"].errors
    assert not Entity.objects.exists()
    ok = client.post(
        reverse("registry:entity_create"),
        entity_post(district=unit(DISTRICT_A).pk, station=unit(f"{DISTRICT_A}-S01").pk),
    )
    assert ok.status_code == 302
    assert Entity.objects.get().station.code == f"{DISTRICT_A}-S01"


def test_station_options_follow_the_district_and_the_jurisdiction(client, admin_a):
    """The htmx partial lists the stations of a district the user may see, and none elsewhere."""
    client.force_login(admin_a)
    url = reverse("registry:station_options")
    mine = client.get(url, {"district": unit(DISTRICT_A).pk}).content.decode()
    assert unit(f"{DISTRICT_A}-S01").name in mine
    other = client.get(url, {"district": unit(DISTRICT_B).pk}).content.decode()
    assert unit(f"{DISTRICT_B}-S01").name not in other


def test_duplicate_code_is_an_inline_error(client, admin_a, make_entity):
    existing = make_entity(DISTRICT_A)
    client.force_login(admin_a)
    response = client.post(reverse("registry:entity_create"), entity_post(uscc=existing.uscc))
    assert response.status_code == 200 and response.context["form"].errors["uscc"]
    assert Entity.objects.count() == 1


def test_testing_body_form_saves_fields_mask_and_audits(client, admin_a, make_entity):
    """Testing-body data has its own form (TESTING_FIELDS as checkboxes), audited."""
    entity = make_entity(DISTRICT_A, domains=DOMAINS.mask(["testing_body"]))
    client.force_login(admin_a)
    url = reverse("registry:testing_body_edit", args=[entity.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "cert_no": "230012345678",
            "cert_issued_on": "2023-05-01",
            "cert_expires_on": "2029-04-30",
            "by_commitment": "on",
            "scope": "机动车安全技术检验",
            "fields": ["motor_vehicle", "eco_monitoring"],
        },
    )
    assert response.status_code == 302
    body = registry_models.TestingBody.objects.get(entity=entity)
    assert body.by_commitment and body.field_labels == ["机动车检验", "生态环境监测"]
    assert AuditEvent.objects.filter(object_type="registry.testingbody").count() == 1
    # The entity's file shows the testing body's history alongside its own.
    assert "230012345678" in client.get(detail(entity)).content.decode()


def test_testing_body_form_only_for_testing_domain(client, admin_a, make_entity):
    entity = make_entity(DISTRICT_A, domains=DOMAINS.mask(["food"]))
    client.force_login(admin_a)
    response = client.get(reverse("registry:testing_body_edit", args=[entity.pk]))
    assert response.status_code == 302 and not registry_models.TestingBody.objects.exists()


# --- import -----------------------------------------------------------------------------------


def test_import_page_renders_for_writers_only(client, admin_a, make_user):
    client.force_login(admin_a)
    page = client.get(reverse("registry:entity_import")).content.decode()
    assert "跳过错误行（--skip-invalid）" in page
    client.force_login(make_user("read_only", DISTRICT_A))
    assert client.get(reverse("registry:entity_import")).status_code == 403


def _csv_upload(text: str, name: str = "entities.csv") -> io.BytesIO:
    upload = io.BytesIO(("\ufeff" + text).encode("utf-8"))
    upload.name = name
    return upload


def test_import_upload_end_to_end_creates_entities_and_a_job(client, admin_a, settings, tmp_path):
    """Upload → background task (ImmediateBackend in tests) → entities, a Job with counts, redirect."""
    settings.MEDIA_ROOT = tmp_path
    codes = [new_uscc(), new_uscc()]
    text = "统一社会信用代码,名称,所属区\n" + "".join(
        f"{c},上海导入{i}有限公司,黄浦区\n" for i, c in enumerate(codes)
    )
    client.force_login(admin_a)
    response = client.post(
        reverse("registry:entity_import"), {"file": _csv_upload(text), "skip_invalid": "on"}
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert set(Entity.objects.values_list("uscc", flat=True)) == set(codes)
    assert job.status == "done" and job.result["created"] == 2 and job.created_by == admin_a
    page = client.get(response["Location"])
    assert ("新增", 2) in page.context["counts"]
    assert not page.context["running"] and 'data-progress="100"' in page.content.decode()


def test_import_with_a_bad_row_shows_where_and_offers_the_error_report(
    client, admin_a, settings, tmp_path
):
    """Without --skip-invalid one bad row stops the whole import; the job page names the row,
    the column and the reason, and the full error report downloads after the permission check."""
    settings.MEDIA_ROOT = tmp_path
    good, bad = new_uscc(), new_uscc()
    wrong = bad[:17] + ("0" if bad[17] != "0" else "1")
    text = f"统一社会信用代码,名称,所属区\n{good},上海好有限公司,黄浦区\n{wrong},上海坏有限公司,黄浦区\n"
    client.force_login(admin_a)
    response = client.post(reverse("registry:entity_import"), {"file": _csv_upload(text)})
    job = Job.objects.get()
    assert job.status == "failed" and not Entity.objects.exists()
    page = client.get(response["Location"])
    (error,) = page.context["errors"]
    assert error["row"] == 3 and error["column"] == "统一社会信用代码"
    assert f"应为“{bad[17]}”" in error["reason"]
    assert "error_report" in dict(page.context["files"])
    report = client.get(reverse("core:job_file", args=[job.pk, "error_report"]))
    assert report.status_code == 200
    assert f"应为“{bad[17]}”" in b"".join(report.streaming_content).decode("utf-8-sig")


def test_import_template_downloads_with_the_import_headers(client, admin_a):
    from openpyxl import load_workbook

    from jianguan.registry.importing import HEADERS

    client.force_login(admin_a)
    response = client.get(reverse("registry:import_template", args=["xlsx"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert list(next(wb.active.iter_rows(values_only=True))) == HEADERS
    csv_text = b"".join(
        client.get(reverse("registry:import_template", args=["csv"])).streaming_content
    ).decode("utf-8-sig")
    assert csv_text.splitlines()[0].split(",") == HEADERS


def test_import_rejects_other_file_types(client, admin_a):
    client.force_login(admin_a)
    upload = io.BytesIO(b"hello")
    upload.name = "entities.txt"
    response = client.post(reverse("registry:entity_import"), {"file": upload})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not Job.objects.exists()
