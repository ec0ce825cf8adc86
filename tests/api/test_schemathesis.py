"""schemathesis against the OpenAPI schema, with a valid city-admin token (issue 6 item 2).

Rule (ENGINEERING.md "the schema is what fuzzers test"; "errors a user can cause produce a clear
Chinese message, never a stack trace"): for every operation, with valid and invalid parameters
and bodies drawn from the schema,
- no 5xx;
- the status is one the operation documents, with the documented content type and body;
- every error is {"detail": "<Chinese>", "errors": {...}}.

Bounded and reproducible: 20 examples per operation, derandomized, no deadline. The app is called
in-process through Django's WSGI handler; each operation's examples share one test transaction.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jianguan.org.models import ApiToken

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def keep_connection():
    """Django's test client keeps the test transaction's connection open across a request; a
    bare WSGI call would close it (close_old_connections on request_started/finished)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(keep_connection, city_admin, make_entity):
    make_entity()  # something for list and detail operations to find
    return ApiToken.issue(city_admin, "schemathesis")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )
    if response.status_code >= 400:
        # Methods a path does not offer (schemathesis sends them too) answer 405, also with the
        # one error body.
        content_type = response.headers["content-type"][0]
        assert content_type.startswith("application/json"), (case.method, response.content[:200])
        body = json.loads(response.content)
        assert set(body) == {"detail", "errors"}, body
        assert CHINESE.search(body["detail"]), body
