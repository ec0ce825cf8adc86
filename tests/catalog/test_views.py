"""Pages of the check-item list, departments and result codes.

Rules (DOMAIN.md "Who uses it": the city bureau owns the check-item list; ENGINEERING.md
"The pages"): every member of staff reads the lists; only city administrators see the buttons
that change them, and the pages refuse (403) anyone else; the list searches, filters and pages;
every change is audited and shown in the item's history.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jianguan.catalog.models import METHODS, CheckItem, Department, ResultCode
from jianguan.core.models import AuditEvent
from jianguan.registry.models import DOMAINS

from .conftest import make_item

pytestmark = pytest.mark.django_db


def item_post(**over) -> dict:
    data = {
        "department": Department.objects.get(code="SCJG").pk,
        "code": "SH-T-001",
        "name": "测试事项",
        "kind": "general",
        "default_ratio": "2",
        "cap": "2",
        "object_type": "企业",
        "methods": ["onsite", "document"],
        "domains": ["food"],
        "legal_basis": "《中华人民共和国食品安全法》",
        "active": "on",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def rows(response) -> list:
    return list(response.context["rows"])


# ---------------------------------------------------------------- item list


def test_list_searches_filters_and_pages(login, station_a):
    """Search by name or code prefix; filter by department, kind, domain, active; 50 a page."""
    c = login(station_a)
    url = reverse("catalog:item_list")
    assert [i.code for i in rows(c.get(url, {"q": "特种设备"}))] == ["SH-SC-008"]
    assert [i.code for i in rows(c.get(url, {"q": "sh-ga"}))] == ["SH-GA-001"]
    police = Department.objects.get(code="GA")
    assert {i.department_id for i in rows(c.get(url, {"department": police.pk}))} == {police.pk}
    assert {i.kind for i in rows(c.get(url, {"kind": "key"}))} == {"key"}
    food = rows(c.get(url, {"domain": "food"}))
    assert food and all(i.domains & DOMAINS.by_code["food"] for i in food)
    off = make_item(active=False)
    assert rows(c.get(url, {"active": "0"})) == [off]
    assert c.get(url, {"kind": "nonsense"}).status_code == 400  # issue 12 item 3
    for _ in range(40):
        make_item()
    page = c.get(url)
    assert len(rows(page)) == 50 and page.context["page_obj"].paginator.count == 65
    assert len(rows(c.get(url, {"page": 2}))) == 15
    text = page.content.decode()
    assert "不设上限" in text and "抽查事项清单由市局统一维护" in text


def test_detail_shows_the_item_and_its_history(login, city_admin, admin_a):
    item = CheckItem.objects.get(code="SH-SC-003")
    c = login(city_admin)
    c.post(
        reverse("catalog:item_edit", args=[item.pk]),
        item_post(
            department=item.department_id,
            code=item.code,
            name=item.name,
            kind="key",
            default_ratio="20",
            cap="",
            object_type=item.object_type,
            methods=METHODS.codes(item.methods),
            domains=DOMAINS.codes(item.domains),
            legal_basis=item.legal_basis,
        ),
    )
    c = login(admin_a)
    text = c.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    assert "检验检测机构资质认定事项检查" in text and "不设上限" in text
    assert "15% → 20%" in text  # the history, in percent
    assert reverse("catalog:item_edit", args=[item.pk]) not in text


# ---------------------------------------------------------------- create and edit


def test_city_admin_creates_and_edits_with_audit(login, city_admin):
    c = login(city_admin)
    assert reverse("catalog:item_create") in c.get(reverse("catalog:item_list")).content.decode()
    response = c.post(reverse("catalog:item_create"), item_post())
    item = CheckItem.objects.get(code="SH-T-001")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:item_detail", args=[item.pk])
    assert item.default_ratio == Decimal("0.02") and item.cap == Decimal("0.02")
    assert item.methods == METHODS.mask(["onsite", "document"])
    [created] = AuditEvent.objects.filter(action="create", object_type="catalog.checkitem")
    assert created.actor == city_admin and created.object_id == str(item.pk)

    form = c.get(reverse("catalog:item_edit", args=[item.pk])).context["form"]
    assert form["default_ratio"].value() == "2"  # shown in percent
    response = c.post(
        reverse("catalog:item_edit", args=[item.pk]),
        item_post(default_ratio="1.5", methods=["onsite"]),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.default_ratio == Decimal("0.015")
    [updated] = AuditEvent.objects.filter(action="update", object_id=str(item.pk))
    assert updated.actor == city_admin
    assert updated.changes == {
        "default_ratio": ["2%", "1.5%"],
        "methods": [["实地检查", "书面检查"], ["实地检查"]],
    }
    # Saving without a change records nothing.
    c.post(
        reverse("catalog:item_edit", args=[item.pk]),
        item_post(default_ratio="1.5", methods=["onsite"]),
    )
    assert AuditEvent.objects.filter(object_id=str(item.pk)).count() == 2


def test_form_enforces_the_ratio_rules_and_keeps_input(login, city_admin):
    c = login(city_admin)
    url = reverse("catalog:item_create")
    response = c.post(url, item_post(kind="key", cap="5", default_ratio="5"))
    assert response.status_code == 200
    assert response.context["form"].errors["cap"] == [
        "重点检查事项抽查比例不设上限，请清空比例上限"
    ]
    response = c.post(url, item_post(default_ratio="3", cap="2"))
    assert response.context["form"].errors["default_ratio"] == [
        "默认抽查比例（3%）不能高于比例上限（2%）"
    ]
    assert 'value="3"' in response.content.decode()  # what was typed stays
    response = c.post(url, item_post(cap=""))
    assert "一般检查事项须设比例上限" in response.context["form"].errors["cap"][0]
    response = c.post(url, item_post(code="SH-SC-001"))
    assert response.context["form"].errors["code"] == ["该事项编码已存在"]
    assert not CheckItem.objects.filter(code="SH-T-001").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["admin_a", "station_a"])
def test_others_read_but_cannot_change(request, login, who):
    """District admins and station staff read every page; the change buttons are hidden and
    every changing page answers 403; nothing is written."""
    user = request.getfixturevalue(who)
    c = login(user)
    item = CheckItem.objects.get(code="SH-SC-001")
    code = ResultCode.objects.get(code="01")
    dept = Department.objects.get(code="SCJG")
    for url in (
        reverse("catalog:item_list"),
        reverse("catalog:item_detail", args=[item.pk]),
        reverse("catalog:result_code_list"),
        reverse("catalog:department_list"),
    ):
        response = c.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert reverse("catalog:item_create") not in text
        assert reverse("catalog:item_import") not in text
        assert reverse("catalog:item_edit", args=[item.pk]) not in text
        assert reverse("catalog:result_code_edit", args=[code.pk]) not in text
        assert reverse("catalog:department_create") not in text
    before = (list(CheckItem.objects.values_list()), AuditEvent.objects.count())
    for url in (
        reverse("catalog:item_create"),
        reverse("catalog:item_import"),
        reverse("catalog:item_import_template"),
        reverse("catalog:result_code_create"),
        reverse("catalog:result_code_import"),
        reverse("catalog:department_create"),
    ):
        assert c.get(url).status_code == 403, url
        assert c.post(url, item_post()).status_code == 403, url
    for url in (
        reverse("catalog:item_edit", args=[item.pk]),
        reverse("catalog:result_code_edit", args=[code.pk]),
        reverse("catalog:department_edit", args=[dept.pk]),
    ):
        # reference data is changed by the city only: for anyone else the row is outside what
        # they may change, which answers 404 like every row outside a scope (access_rules.py
        # CITY_CHANGE)
        assert c.get(url).status_code == 404, url
        assert c.post(url, item_post(name="改名")).status_code == 404, url
    assert (list(CheckItem.objects.values_list()), AuditEvent.objects.count()) == before


def test_service_refuses_district_admin(admin_a):
    from django.core.exceptions import PermissionDenied

    from jianguan.catalog import services

    item = CheckItem.objects.get(code="SH-SC-001")
    with pytest.raises(PermissionDenied):
        services.item_save(user=admin_a, item=item, data={"name": "改名"})
    with pytest.raises(PermissionDenied):
        services.result_code_save(user=admin_a, data={"code": "99", "name": "新"})
    with pytest.raises(PermissionDenied):
        services.department_save(user=admin_a, data={"code": "X", "name": "新部门"})
    assert CheckItem.objects.get(pk=item.pk).name == "企业公示信息抽查"


def test_login_required(client):
    response = client.get(reverse("catalog:item_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# ---------------------------------------------------------------- departments


def test_departments_page_and_edit(login, city_admin):
    c = login(city_admin)
    text = c.get(reverse("catalog:department_list")).content.decode()
    assert "生态环境" in text and reverse("catalog:department_create") in text
    response = c.post(reverse("catalog:department_create"), {"code": "WSJK", "name": "卫生健康"})
    assert response.status_code == 302
    dept = Department.objects.get(code="WSJK")
    c.post(reverse("catalog:department_edit", args=[dept.pk]), {"code": "WSJK", "name": "卫健"})
    dept.refresh_from_db()
    assert dept.name == "卫健"
    assert list(
        AuditEvent.objects.filter(object_type="catalog.department").values_list("action", flat=True)
    ) == ["update", "create"]
    response = c.post(reverse("catalog:department_create"), {"code": "GA2", "name": "公安"})
    assert response.context["form"].errors["name"] == ["该部门名称已存在"]


# ---------------------------------------------------------------- result codes


def test_result_code_list_is_a_tree(login, admin_a):
    c = login(admin_a)
    response = c.get(reverse("catalog:result_code_list"))
    tree = [(code.code, depth) for code, depth in response.context["rows"]]
    assert tree[:7] == [
        ("01", 0),
        ("02", 0),
        ("0201", 1),
        ("0202", 1),
        ("0203", 1),
        ("0204", 1),
        ("03", 0),
    ]
    assert len(tree) == 14
    filtered = c.get(reverse("catalog:result_code_list"), {"q": "无法联系"})
    assert [(code.code, depth) for code, depth in filtered.context["rows"]] == [("0203", 1)]


def test_result_code_create_and_edit(login, city_admin):
    c = login(city_admin)
    parent = ResultCode.objects.get(code="02")
    form = c.get(reverse("catalog:result_code_create"), {"parent": parent.pk}).context["form"]
    assert form["parent"].value() == parent.pk
    response = c.post(
        reverse("catalog:result_code_create"),
        {
            "code": "0205",
            "name": "未按规定报送年度报告",
            "parent": parent.pk,
            "problem_found": "on",
            "sort": "50",
            "active": "on",
        },
    )
    assert response.status_code == 302
    new = ResultCode.objects.get(code="0205")
    assert new.parent == parent and new.problem_found
    response = c.post(
        reverse("catalog:result_code_edit", args=[new.pk]),
        {
            "code": "0205",
            "name": "未按规定报送年度报告",
            "parent": parent.pk,
            "sort": "50",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "须与上级代码" in response.context["form"].errors["problem_found"][0]
    response = c.post(
        reverse("catalog:result_code_edit", args=[new.pk]),
        {
            "code": "0205",
            "name": "未报送年报",
            "parent": parent.pk,
            "problem_found": "on",
            "sort": "50",
        },
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.name == "未报送年报" and not new.active
    page = c.get(reverse("catalog:result_code_edit", args=[new.pk])).content.decode()
    assert "变更记录" in page and "未报送年报" in page
    assert AuditEvent.objects.filter(object_type="catalog.resultcode").count() == 2
