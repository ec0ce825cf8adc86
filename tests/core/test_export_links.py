"""Every list's export buttons carry the list's filters: what the user sees filtered is what the
file holds (brief: lists with search, filters, paging and export)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    ("catalog:item_list", "catalog:item_export"),
    ("catalog:result_code_list", "catalog:result_code_export"),
    ("inspections:follow_up_list", "inspections:follow_up_export"),
    ("inspections:inspection_list", "inspections:inspection_export"),
    ("personnel:expert_list", "personnel:expert_export"),
    ("personnel:inspector_list", "personnel:inspector_export"),
    ("planning:plan_list", "planning:plan_export"),
    ("planning:task_list", "planning:task_export"),
    ("publication:publication_list", "publication:publication_export"),
    ("publication:result_list", "publication:result_export"),
    ("sampling:draw_list", "sampling:draw_export"),
]


@pytest.mark.parametrize(("list_name", "export_name"), LISTS)
def test_export_buttons_keep_the_filters(client, city_admin, list_name, export_name):
    client.force_login(city_admin)
    html = client.get(reverse(list_name), {"q": "申江", "page": "1"}).content.decode()
    export = reverse(export_name)
    for fmt in ("xlsx", "csv"):
        assert f'href="{export}?q=%E7%94%B3%E6%B1%9F&amp;format={fmt}"' in html
