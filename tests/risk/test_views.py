"""Pages: every list renders, city-admin forms, district listings, coverage counts, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jianguan.risk import services
from jianguan.risk.models import KeyAreaListing, KeyAreaMatter, RiskModel
from jianguan.sampling.models import Draw
from tests.conftest import DISTRICT_A, DISTRICT_B

PAGES = [
    "risk:model_list",
    "risk:keyarea_list",
    "risk:matter_list",
    "risk:info_list",
    "risk:listing_list",
    "risk:class_list",
    "risk:coverage",
    "risk:backtest",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_staff(client, city_admin, admin_a, make_entity, name):
    make_entity(key_tier="special", risk_class="B")
    services.classify()
    for user in (city_admin, admin_a):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 200


def test_model_detail_edit_creates_draft(client, city_admin):
    v1 = RiskModel.objects.get(version=1)
    client.force_login(city_admin)
    assert client.get(reverse("risk:model_detail", args=[v1.pk])).status_code == 200
    url = reverse("risk:child_edit", args=[v1.pk, "indicator", "age"])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "group": "basic",
            "code": "age",
            "name": "成立年限",
            "feature": "age_years",
            "rule": '{"type": "bins", "bins": [[2, 10]], "else": 0}',
            "weight": "1.5",
            "position": "0",
        },
    )
    assert r.status_code == 302
    draft = RiskModel.objects.get(version=2)
    assert draft.indicators.get(code="age").weight == 1.5
    assert RiskModel.objects.get(version=1).indicators.get(code="age").weight == 1.0
    r = client.post(reverse("risk:model_activate", args=[draft.pk]))
    assert RiskModel.objects.get(version=2).status == "active"


def test_district_admin_cannot_edit_models(client, admin_a):
    client.force_login(admin_a)
    v1 = RiskModel.objects.get(version=1)
    assert client.get(reverse("risk:model_edit", args=[v1.pk])).status_code == 403
    assert client.post(reverse("risk:run_start")).status_code == 403
    assert client.get(reverse("risk:matter_create")).status_code == 403


def test_city_admin_adds_a_matter(client, city_admin):
    client.force_login(city_admin)
    r = client.post(
        reverse("risk:matter_create"),
        {
            "area": "food",
            "title": "网络餐饮服务监督检查",
            "subject": "网络餐饮服务提供者",
            "content": "入网资质、线上线下一致",
            "supervisor": "食品条线",
            "measures": "监督检查",
            "active": "on",
        },
    )
    assert r.status_code == 302
    assert KeyAreaMatter.objects.filter(title="网络餐饮服务监督检查").exists()
    r = client.get(reverse("risk:matter_export", args=["csv"]))
    assert r.status_code == 200
    assert "网络餐饮服务监督检查" in b"".join(r.streaming_content).decode("utf-8-sig")


def test_district_admin_lists_an_enterprise_in_own_district_only(client, admin_a, make_entity):
    mine, other = make_entity(), make_entity(DISTRICT_B)
    client.force_login(admin_a)
    data = {"area": "food", "tier": "special", "reason": "大型餐饮", "listed_on": "2026-03-01"}
    r = client.post(reverse("risk:listing_create"), {"uscc": mine.uscc, **data})
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.key_tier == "special"
    r = client.post(reverse("risk:listing_create"), {"uscc": other.uscc, **data})
    assert r.status_code == 200 and "不在您的管辖范围内" in r.content.decode()
    # another district's listing: 404
    theirs = KeyAreaListing.objects.create(
        entity=other, area="food", tier="general", reason="x", listed_on=dt.date(2026, 1, 1)
    )
    assert client.get(reverse("risk:listing_remove", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("risk:listing_list")).content.decode()
    assert mine.name in page and other.name not in page


def test_special_key_coverage_counts(client, city_admin, admin_a, make_entity, visit):
    year = timezone.localdate().year
    a1 = make_entity(key_tier="special", name="甲特殊重点一")
    a2 = make_entity(key_tier="special", name="甲特殊重点二")
    a3 = make_entity(key_tier="special", name="甲特殊重点三")
    b1 = make_entity(DISTRICT_B, key_tier="special", name="乙特殊重点一")
    make_entity(key_tier="general", name="甲一般重点")
    visit(a1, dt.date(year, 3, 1))  # visited this year
    visit(a2, dt.date(year - 1, 11, 1))  # last year: does not count
    visit(a3, dt.date(year, 4, 1), status=Draw.Status.SUPERSEDED)  # not a final draw
    client.force_login(city_admin)
    r = client.get(reverse("risk:coverage"))
    rows = {row["district_id"]: row for row in r.context["per_district"]}
    a = rows[a1.district_id]
    assert (a["total"], a["visited"], a["missing"]) == (3, 1, 2)
    assert rows[b1.district_id]["missing"] == 1
    names = {e.name for e in r.context["page_obj"].object_list}
    assert names == {"甲特殊重点二", "甲特殊重点三", "乙特殊重点一"}
    client.force_login(admin_a)  # district A sees its own district only
    r = client.get(reverse("risk:coverage"))
    assert [row["district_id"] for row in r.context["per_district"]] == [a1.district_id]


def test_run_detail_and_scoping_of_entity_risk_api(client, admin_a, make_entity):
    from jianguan.org.models import ApiToken

    other = make_entity(DISTRICT_B)
    mine = make_entity(DISTRICT_A)
    run = services.classify()
    client.force_login(admin_a)
    assert client.get(reverse("risk:run_detail", args=[run.pk])).status_code == 200
    token = ApiToken.issue(admin_a, "t")[1]
    h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/risk/entities/{mine.pk}", **h).status_code == 200
    assert client.get(f"/api/risk/entities/{other.pk}", **h).status_code == 404


def test_entity_section_shows_class_score_explanation_and_draw_reasons(rf_user, make_entity):
    e = make_entity(established_on=dt.date(2026, 1, 1), domains=2, key_tier="special")
    services.classify()
    e.refresh_from_db()
    html = rf_user("city_admin", e)
    assert "当前分类" in html and "影响得分最多的指标" in html
    assert "监管领域风险" in html  # drug domain: the largest contribution
    assert "特殊重点领域企业" in html and "抽查概率说明" in html
    assert "仅供执法监管人员查看" in rf_user("read_only", e)


@pytest.fixture
def rf_user(make_user):
    def render(role, entity):
        request = RequestFactory().get("/")
        request.user = make_user(role, "310000")
        return Template("{% load risk %}{% risk_section entity %}").render(
            Context({"request": request, "entity": entity})
        )

    return render
