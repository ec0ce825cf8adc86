"""The three-level jurisdiction of Shanghai: 市局 → 16 区局 (GB/T 2260) + 临港新片区 + 机场分局 → 所队."""

import pytest

from jianguan.org.models import Unit

pytestmark = pytest.mark.django_db

GBT2260 = {
    "黄浦区": "310101",
    "徐汇区": "310104",
    "长宁区": "310105",
    "静安区": "310106",
    "普陀区": "310107",
    "虹口区": "310109",
    "杨浦区": "310110",
    "闵行区": "310112",
    "宝山区": "310113",
    "嘉定区": "310114",
    "浦东新区": "310115",
    "金山区": "310116",
    "松江区": "310117",
    "青浦区": "310118",
    "奉贤区": "310120",
    "崇明区": "310151",
}


def test_sixteen_districts_with_their_real_codes_plus_two_special_bureaus():
    districts = Unit.objects.filter(kind="district")
    by_name = {u.short_name: u.region_code for u in districts}
    assert {k: by_name[k] for k in GBT2260} == GBT2260
    assert {"临港新片区", "机场分局"} <= set(by_name)
    assert districts.count() == 18


def test_every_station_and_team_sits_under_a_district():
    city = Unit.objects.get(kind="city")
    for district in Unit.objects.filter(kind="district"):
        assert district.parent == city and district.district == district
        children = Unit.objects.filter(parent=district)
        assert (
            children.filter(kind="station").exists() and children.filter(kind="team").count() == 1
        )
        assert all(c.district == district for c in children)
