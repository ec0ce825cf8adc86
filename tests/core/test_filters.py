"""The one validator of filter parameters (core/filters.py) and the generic list (core/generic.py).

Rules (issue 12 item 3): a filter value that cannot be understood — a NUL byte, an integer past
64 bits, an impossible date, an unknown choice, an overlong text — is a 400 page that names the
filter in Chinese (a 422 with the same message in the API), never a 500 and never a silently
empty list; an empty value is no filter; a row id past 64 bits in an address is a 404. The same
declaration draws the list's filter bar and its export link.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jianguan.core.filters import (
    BadFilters,
    Choice,
    Code,
    Date,
    Filters,
    Flag,
    Ref,
    Search,
    Year,
)
from jianguan.core.models import AuditEvent
from jianguan.org.models import Unit
from tests.conftest import DISTRICT_A, DISTRICT_B, filter_control, filter_options, unit

LIST = reverse("registry:entity_list")


class Sample(Filters):
    q: Search("输入名称的一部分", label="名称") = None
    unit: Ref("机构") = None
    kind: Choice("类别", (("a", "甲"), ("b", "乙"))) = None
    year: Year() = None
    since: Date("起始日期") = None
    active: Flag("状态", "在岗", "离岗") = None
    code: Code("代码", lambda user, filters: [("x1", "一"), ("x2", "二")]) = None


def test_typed_values_for_the_selector():
    f = Sample.parse(
        {
            "q": " 申江 ",
            "unit": "12",
            "kind": "b",
            "year": "2026",
            "since": "2026-03-01",
            "active": "0",
            "code": "x2",
            "page": "3",
        }
    )
    assert f.q == "申江" and f.unit == 12 and f.kind == "b" and f.year == 2026
    assert f.since == dt.date(2026, 3, 1) and f.active is False and f.code == "x2"
    assert (
        f.query()
        == "q=%E7%94%B3%E6%B1%9F&unit=12&kind=b&year=2026&since=2026-03-01&active=0&code=x2"
    )


def test_empty_values_are_no_filter():
    f = Sample.parse({"q": "  ", "unit": "", "kind": "", "since": ""})
    assert f.given() == {}


@pytest.mark.parametrize(
    ("params", "label", "message"),
    [
        ({"q": "ab\x00"}, "名称", "不能包含空字符"),
        ({"q": "字" * 101}, "名称", "长度不能超过 100 个字符"),
        ({"unit": "9" * 25}, "机构", "超出范围"),
        ({"unit": "0"}, "机构", "超出范围"),
        ({"unit": "1x"}, "机构", "应为整数"),
        ({"kind": "c"}, "类别", "不是可选的值"),
        ({"kind": "a\x00"}, "类别", "不是可选的值"),
        ({"year": "99999"}, "年度", "超出范围"),
        ({"since": "2026-02-30"}, "起始日期", "日期格式应为 YYYY-MM-DD"),
        ({"active": "maybe"}, "状态", "应为 true 或 false"),
        ({"code": "x3"}, "代码", "不是可选的值"),
    ],
)
def test_bad_values_name_the_filter(params, label, message):
    with pytest.raises(BadFilters) as raised:
        Sample.parse(params)
    assert str(raised.value).startswith(f"{label}：{message}")


# --- pages ----------------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "申江\x00"}, "名称或统一社会信用代码"),
        ({"district": "9" * 25}, "所属区局"),
        ({"station": "-1"}, "所属所"),
        ({"status": "gone"}, "登记状态"),
        ({"industry": "ZZZ"}, "行业"),
    ],
)
def test_a_bad_filter_is_a_400_page_that_names_it(client, admin_a, params, named):
    client.force_login(admin_a)
    response = client.get(LIST, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "筛选条件有误" in page and named in page
    assert "\\x00" not in page or "空字符" in page
    export = client.get(reverse("registry:entity_export"), {"format": "csv", **params})
    assert export.status_code == 400
    assert not AuditEvent.objects.filter(note__startswith="导出").exists()  # nothing left


def test_the_api_answers_the_same_declaration_with_422(client, admin_a):
    from jianguan.org.models import ApiToken

    _, key = ApiToken.issue(admin_a, "test")
    headers = {"Authorization": f"Bearer {key}"}
    response = client.get("/api/entities", {"district": "9" * 25}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == {"district": [f"不能大于 {2**63 - 1}"]}
    response = client.get("/api/entities", {"q": "a\x00"}, headers=headers)
    assert response.status_code == 422 and "空字符" in response.json()["errors"]["q"][0]


def test_a_row_id_past_64_bits_in_the_address_is_a_404(client, admin_a):
    client.force_login(admin_a)
    assert client.get(f"{LIST}{'9' * 25}/").status_code == 404
    assert client.get(f"{LIST}{2**63}/").status_code == 404
    assert client.get(f"{LIST}0/").status_code == 404


def test_the_filter_bar_is_drawn_from_the_declaration(client, admin_a, city_admin):
    """Labels and options come from the declaration; options that depend on the caller come
    from the caller's jurisdiction and the other filters (a district's stations)."""
    client.force_login(city_admin)
    page = client.get(LIST)
    names = [c["name"] for c in page.context["controls"]]
    assert names[:2] == ["q", "district"] and "risk_class" in names
    assert filter_control(page, "risk_class")["internal"]  # marked 内部 on the page
    assert filter_control(page, "station") is None  # the city chooses a district first
    b = unit(DISTRICT_B)
    page = client.get(LIST, {"district": b.pk})
    assert filter_control(page, "district")["value"] == str(b.pk)
    stations = Unit.objects.filter(pk__in=filter_options(page, "station"))
    assert stations.exists() and {s.district_id for s in stations} == {b.pk}
    assert 'data-clears="station"' in page.content.decode()


def test_the_export_link_keeps_the_typed_filters(client, admin_a):
    client.force_login(admin_a)
    page = client.get(LIST, {"q": " 申江 ", "status": "active", "page": "2"})
    assert page.context["export_query"] == "q=%E7%94%B3%E6%B1%9F&status=active"
    assert page.context["export_url"] == reverse("registry:entity_export")


def test_an_export_is_on_record_with_its_filters(client, admin_a, make_entity):
    make_entity(DISTRICT_A, name="申江测试有限公司")
    client.force_login(admin_a)
    response = client.get(reverse("credit:abnormal_export"), {"format": "csv", "q": "申江"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="credit.abnormallisting")
    assert event.note == "导出 csv：0 条；筛选条件：q=%E7%94%B3%E6%B1%9F"
