"""Scoping of every list: a caller of another district never sees the district's rows.

Rule (issue 12 "Scoping of every list"; docs/security.md "Threat model"; NetBox tests a
constrained permission for every model this way): every page, export and API operation the
district administrator of 徐汇区 (310104) may open is fetched as that caller, and the response —
HTML, JSON, csv or xlsx — must not hold the name, credit code, title or address of any row of
the access matrix's world (tests/security/conftest.py) that is hidden from that caller. Which
rows are hidden is read from the access rules: an object whose page answers that caller 404.

The world holds every kind of row (entities, key-area listings, risk classes, commitments,
proficiency-test results…), so a list whose selector stops restricting fails here, naming the
page and what leaked.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.security import access_rules as rules
from tests.security.conftest import DISTRICT_OWN
from tests.security.test_access_matrix import (
    OPERATIONS,
    PATTERNS,
    _api_url,
    _client,
    _page_url,
    _rule_for,
)

CALLER = "admin_other"  # district_admin of 310104; every world row belongs to 310101
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Words of a row that identify it (shorter ones would match ordinary text).
FIELDS = ("name", "title", "uscc", "decision_no", "cert_no", "staff_no", "number", "address")
MIN_MARK = 4


def _seen_by_caller(expect) -> bool:
    return expect is not None and expect.get(CALLER) == rules.OK


def _hidden_objects() -> set[str]:
    """World objects of the district: a page of theirs answers its own administrator and
    answers the caller 404 (and none answers the caller 200). City-wide reference rows (check
    items, result codes) are seen by both."""
    hidden, shown = set(), set()
    for rule in rules.RULES.values():
        if rule.obj is None or rule.get is None:
            continue
        if _seen_by_caller(rule.get):
            shown.add(rule.obj)
        elif rule.get.get("admin_own") == rules.OK and rule.get.get(CALLER) == "404":
            hidden.add(rule.obj)
    return hidden - shown


def _marks(world) -> dict[str, str]:
    """Text that must not reach the caller → what it belongs to."""
    from jianguan.registry.models import Entity

    marks = {}
    for entity in Entity.objects.filter(district__code=DISTRICT_OWN):
        marks[entity.name] = f"entity {entity.pk}"
        marks[entity.uscc] = f"entity {entity.pk}"
    for name in _hidden_objects():
        obj = world.objects.get(name)
        if obj is None:
            continue
        for field in FIELDS:
            value = getattr(obj, field, None)
            if isinstance(value, str) and len(value) >= MIN_MARK:
                marks[value] = f"{name}.{field}"
    # ids: the address of each hidden object's page (an id in a link is an id leaked)
    for key, rule in rules.RULES.items():
        if rule.obj in _hidden_objects() and key in PATTERNS and rule.get is not None:
            marks[_page_url(world, key)] = f"{rule.obj} (address)"
    return marks


def text_of(response) -> str:
    """What the caller receives, as text: a page, JSON, csv, an xlsx workbook or a zip of them."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return _decode(body, response.get("Content-Type", ""))


def _decode(body: bytes, content_type: str) -> str:
    if body[:2] == b"PK":  # xlsx or zip
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            if XLSX in content_type or "xl/workbook.xml" in archive.namelist():
                book = load_workbook(io.BytesIO(body), read_only=True)
                return "\n".join(
                    "\t".join("" if v is None else str(v) for v in row)
                    for sheet in book.worksheets
                    for row in sheet.iter_rows(values_only=True)
                )
            return "\n".join(_decode(archive.read(n), "") for n in archive.namelist())
    text = body.decode("utf-8-sig", errors="replace")
    if "json" in content_type:
        text += json.dumps(json.loads(text or "null"), ensure_ascii=False)  # \u escapes undone
    return text


def _leaks(text: str, marks: dict[str, str]) -> list[str]:
    return sorted(f"{owner}: {mark!r}" for mark, owner in marks.items() if mark in text)


PAGES = [
    pytest.param(name, id=name)
    for name in PATTERNS
    if _rule_for(name) is not None
    and _seen_by_caller(_rule_for(name).get)
    and not name.startswith(("portal:", "admin:"))  # the portal is public by law; django-admin
]
API = [
    pytest.param(key, id=key)
    for key in OPERATIONS
    if key.startswith("GET ")
    and _rule_for(key) is not None
    and _seen_by_caller(_rule_for(key).get)
    and not key.startswith("GET /api/public")
]


@pytest.fixture(scope="module")
def marks(world, django_db_blocker):
    with django_db_blocker.unblock():
        return _marks(world)


def test_the_world_is_hidden_from_the_caller(world, marks):
    """The test means something only if the caller is refused the world's rows and the marks
    cover the lists the issue names (risk classes, key-area entities and listings, PT results,
    commitments)."""
    for name in ("entity", "keyarea_listing", "commitment", "pt_result", "qualification"):
        assert name in _hidden_objects(), name
    assert any(owner.startswith("entity") for owner in marks.values())
    assert len(PAGES) > 100 and len(API) > 15


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_page_shows_no_row_of_another_district(world, marks, name):
    url = _page_url(world, name)
    response = _client(world, CALLER).get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    leaked = _leaks(text_of(response), marks)
    assert not leaked, f"{url} shows rows of {DISTRICT_OWN}:\n" + "\n".join(leaked)
    if "export" in name and "format" not in url:  # exports: both formats
        csv = _client(world, CALLER).get(url, {"format": "csv"})
        if csv.status_code == 200:
            leaked = _leaks(text_of(csv), marks)
            assert not leaked, f"{url}?format=csv:\n" + "\n".join(leaked)


@pytest.mark.django_db
@pytest.mark.parametrize("key", API)
def test_api_shows_no_row_of_another_district(world, marks, key):
    url = _api_url(world, key)
    response = Client().get(url, headers={"Authorization": f"Bearer {world.keys[CALLER]}"})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    leaked = _leaks(text_of(response), marks)
    assert not leaked, f"{url} shows rows of {DISTRICT_OWN}:\n" + "\n".join(leaked)


def test_marks_catch_a_leak(world, marks):
    """The check itself: the own district's administrator does see the entity list's rows."""
    from django.db import transaction

    with transaction.atomic():
        response = _client(world, "admin_own").get(reverse("registry:entity_list"))
        transaction.set_rollback(True)
    assert _leaks(text_of(response), marks)
