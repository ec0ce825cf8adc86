"""The API's description: OpenAPI 3 at /api/openapi.json, Swagger UI at /api/docs without a CDN.

Rules checked (ENGINEERING.md "The stack": OpenAPI 3 at /api/docs, "the schema is what fuzzers
test"; "pages": never a CDN, the offices have no internet):
- openapi.json loads, is OpenAPI 3, every $ref resolves, bearer auth is declared;
- every operation declares its error answers (401 and 422 everywhere, 404 where an id is given,
  403 on creates, 400 and 409 on writes) with the one error body;
- the docs page loads Swagger UI from the site's own static files, with no inline script.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/entities"),
    ("post", "/api/entities"),
    ("get", "/api/entities/{entity_id}"),
    ("patch", "/api/entities/{entity_id}"),
    ("get", "/api/inspectors"),
    ("post", "/api/inspectors"),
    ("get", "/api/inspectors/{inspector_id}"),
    ("patch", "/api/inspectors/{inspector_id}"),
}


@pytest.fixture
def schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_json_is_openapi_3_and_self_consistent(schema):
    """Rule: a valid OpenAPI 3 document: every $ref points at a defined component."""
    assert schema["openapi"].startswith("3.")
    components = schema["components"]["schemas"]
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref
    schemes = schema["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    found = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert found >= OPERATIONS


def test_every_operation_declares_its_error_responses(schema):
    """Rule: clients (and fuzzers) learn every 4xx from the schema, each with the one error body."""
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if path.startswith("/api/public/"):
                _check_public(method, path, op)
                continue
            expected = {"401", "422"}
            if "{" in path:
                expected.add("404")
            if method == "post":
                expected |= {"400", "403", "409"}
            if method == "patch":
                expected |= {"400", "409"}
            declared = {code for code in op["responses"] if code.startswith("4")}
            # a read restricted by role (e.g. risk scores: staff only) also answers 403
            assert declared - {"403"} == expected - {"403"} <= declared, (method, path, declared)
            for code in declared:
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, code)
            assert op.get("security"), (method, path)
            assert op["summary"] and re.search(r"[\u4e00-\u9fff]", op["summary"])


def test_internal_risk_class_is_marked_internal(schema):
    """Rule (DOMAIN.md "Credit lists"): risk classes are internal; the schema says so."""
    for name in ("EntityOut", "EntityIn", "EntityPatch"):
        assert (
            "内部"
            in schema["components"]["schemas"][name]["properties"]["risk_class"]["description"]
        )


def test_docs_page_uses_local_files_only(client):
    """Rule: Swagger UI from static/ (no CDN, no inline script under the site's CSP)."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-settings" in html and "/api/openapi.json" in html
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    for attrs in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    sources = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert len(sources) == 3
    for path in sources:
        assert finders.find(path), path
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _check_public(method, path, op):
    """The portal's API: no token (never 401), rate-limited (429), read-only."""
    assert method == "get" and not op.get("security"), (method, path)
    declared = {code for code in op["responses"] if code.startswith("4")}
    assert {"422", "429"} <= declared <= {"404", "422", "429"}, (method, path, declared)
    for code in declared:
        ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorOut"), (method, path, code)


def test_schema_names_are_unique_across_modules():
    """Rule: OpenAPI components are named by class; two modules' schemas of one name would
    silently describe one another's answers (the portal's EntityPage once replaced the roster's)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import jianguan

    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(jianguan.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"jianguan.{info.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                assert name not in seen, f"{name}: {seen[name]} and {module.__name__}"
                seen[name] = module.__name__
