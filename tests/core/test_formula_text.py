"""Issue 12 item 9: the one rule for formula-like text (docs/security.md). Data is kept as
entered; every way out to a spreadsheet (csv and xlsx exports, the interchange file) prefixes
text that a spreadsheet would run as a formula (= + - @) with a quote and writes it as text;
JSON (the staff API and the public API) returns it exactly as entered, and the API description
says so; an export imports back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from jianguan.credit import services as credit
from jianguan.org.models import ApiToken
from tests.conftest import DISTRICT_A, unit

pytestmark = pytest.mark.django_db
NAME = '=HYPERLINK("http://evil.example","点击查看")有限公司'
REP = "@SUM(1+1)"


@pytest.fixture
def entity(make_entity):
    return make_entity(DISTRICT_A, name=NAME, legal_rep=REP)


def download(client, url, fmt) -> bytes:
    return b"".join(client.get(url, {"format": fmt}).streaming_content)


def test_csv_and_xlsx_exports_neutralise_and_mark_as_text(client, admin_a, entity):
    client.force_login(admin_a)
    url = reverse("registry:entity_export")
    rows = list(csv.DictReader(io.StringIO(download(client, url, "csv").decode("utf-8-sig"))))
    assert rows[0]["名称"] == "'" + NAME and rows[0]["法定代表人"] == "'" + REP
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, url, "xlsx"))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("名称") + 1)
    assert cell.value == "'" + NAME and cell.data_type == "s"  # a string, never a formula


def test_every_list_export_goes_through_the_same_writer(client, admin_a, entity):
    """A second list (the business-abnormal list) names the same entity: neutralised too."""
    data = {"entity": entity, "reason": "annual_report", "trigger_date": dt.date(2025, 6, 30)}
    data |= {"listed_on": dt.date(2025, 7, 10), "decided_by": unit(DISTRICT_A)}
    credit.abnormal_create(user=admin_a, data=data | {"decision_no": "黄市监异〔2025〕1号"})
    client.force_login(admin_a)
    text = download(client, reverse("credit:abnormal_export"), "csv").decode("utf-8-sig")
    assert "'" + NAME.replace('"', '""') in text
    assert "\n" + NAME[:10] not in text and "," + NAME[:10] not in text


def test_json_apis_return_the_text_as_entered(client, admin_a, entity):
    _token, key = ApiToken.issue(admin_a, "test")
    staff = client.get(
        f"/api/entities/{entity.pk}", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert staff["name"] == NAME and staff["legal_rep"] == REP
    public = client.get("/api/public/entities", {"q": entity.uscc}).json()
    assert public["items"][0]["name"] == NAME
    schema = client.get("/api/openapi.json").json()
    assert "调用方写入 csv 或 Excel 文件前须自行处理" in schema["info"]["description"]


def test_pages_show_the_text_as_entered_and_escaped(client, admin_a, entity):
    client.force_login(admin_a)
    page = client.get(reverse("registry:entity_detail", args=[entity.pk])).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in page
