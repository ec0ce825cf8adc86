"""Risk classes and scores are internal (DOMAIN.md "Credit lists"; issue 5 item 7): never on a
public page, never in a public API answer.

Rule for staff (risk.selectors.may_see_scores): scores and explanations only for the roles that
direct checks — city admin, district admin, station inspector; read-only users and experts get
neither (403 from /api/risk, a note instead of the section on the entity page).
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from jianguan.org.models import ApiToken
from jianguan.risk import services
from jianguan.risk.models import EntityRiskClass

LEAKS = ("风险分类", "A类（", "B类（", "C类（", "D类（", "risk_class", "得分", "score")


def _plain_paths(patterns=None, prefix=""):
    """Every URL of the site without parameters (the pages a visitor can reach by address)."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _plain_paths(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern) and not re.search(r"[<(\\]", route):
            yield "/" + (prefix + route).lstrip("^").replace("^", "").rstrip("$")


@pytest.fixture
def classified(make_entity):
    e = make_entity(name="保密测试食品经营部", domains=1, risk_class="D")
    services.classify()
    row = EntityRiskClass.objects.get(entity=e)
    return e, row


def test_no_public_page_shows_classes_or_scores(client, classified):
    entity, row = classified
    public = []
    for path in sorted(set(_plain_paths())):
        if path.startswith(("/api/", "/django-admin/")) or "logout" in path:
            continue
        response = client.get(path)
        if response.status_code != 200:
            # everything else asks for a login first (a page that takes only POST says 405)
            if response.status_code == 405:
                assert response["Allow"] == "POST", path
            else:
                assert response.status_code == 302, path
                assert response["Location"].startswith(("/login/", "/public/")), path
            continue
        public.append(path)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        if response.get("Content-Type", "").startswith(("text/html", "application/json")):
            # (a downloadable program such as the draw verifier names the words in its code)
            for word in LEAKS:
                assert word not in body, (path, word)
        assert entity.name not in body and str(row.score) not in body
    assert "/login/" in public


def test_api_answers_nothing_without_a_staff_token(client, classified, make_user):
    entity, _row = classified
    for path in ("/api/entities", f"/api/entities/{entity.pk}", f"/api/risk/entities/{entity.pk}"):
        assert client.get(path).status_code == 401
    # an expert (no roster rights) with a token: no class, no score
    expert = make_user("expert", "310000")
    h = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(expert, 't')[1]}"}
    assert client.get(f"/api/risk/entities/{entity.pk}", **h).status_code == 403
    # an expert holds no roster rights: the scoped list answers, empty (access_rules.py API_LIST)
    r = client.get("/api/entities", **h)
    assert r.status_code == 200 and r.json()["count"] == 0


def test_read_only_staff_get_no_scores_from_the_api(client, classified, make_user):
    entity, row = classified
    reader = make_user("read_only", "310000")
    h = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(reader, 't')[1]}"}
    r = client.get(f"/api/risk/entities/{entity.pk}", **h)
    assert r.status_code == 403
    assert str(row.score) not in r.content.decode()
    inspector = make_user("city_admin", "310000")
    h = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(inspector, 't')[1]}"}
    data = client.get(f"/api/risk/entities/{entity.pk}", **h).json()
    assert data["score"] == row.score and data["risk_class"] == row.risk_class


def test_public_api_operations_carry_no_class_or_score(client, classified):
    """Only the public portal's API (/api/public, issue 6) answers without a staff token, and
    nothing it can answer holds a class or a score: no such field in its schema, none in its
    answers."""
    entity, row = classified
    r = client.get("/api/openapi.json")
    if r.status_code != 200:
        return  # the schema itself is not public
    schema = r.json()
    if schema.get("security"):
        return  # every operation requires a token
    open_ops = [
        (path, method, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if not op.get("security")
    ]
    for path, _method, _op in open_ops:
        assert path.startswith("/api/public"), path
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(open_ops)))
    for name in refs:
        props = schema["components"]["schemas"][name].get("properties", {})
        assert not {"risk_class", "score"} & set(props), name
    for path, method, _op in open_ops:
        if method == "get" and "{" not in path:
            body = client.get(path).content.decode("utf-8", "replace")
            assert "risk_class" not in body and str(row.score) not in body, path
