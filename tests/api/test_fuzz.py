"""Property: whatever a client sends, the API answers 2xx or 4xx, never 5xx, and a refused write
leaves nothing behind.

Rule (ENGINEERING.md: "the schema is what fuzzers test"; errors a user can cause produce a clear
message, never a stack trace). Values are drawn from everything a query string or a JSON body can
carry: text with control characters, huge and negative numbers, floats, nulls, lists, objects.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jianguan.core.models import AuditEvent
from jianguan.org.models import ApiToken
from jianguan.personnel.models import Inspector
from jianguan.registry.models import Entity
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
query_value = st.one_of(
    text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "0", "1", "true", "F", "52", "food", "none"]),
)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
ENTITY_PARAMS = [
    "q",
    "district",
    "station",
    "domain",
    "tier",
    "status",
    "industry",
    "entity_type",
    "risk_class",
    "limit",
    "offset",
]
INSPECTOR_PARAMS = ["q", "unit", "expertise", "active", "cert", "limit", "offset"]
ENTITY_FIELDS = [
    "uscc",
    "name",
    "entity_type",
    "district",
    "station",
    "address",
    "industry_code",
    "status",
    "established_on",
    "capital_wan",
    "legal_rep",
    "domains",
    "key_tier",
    "risk_class",
]
INSPECTOR_FIELDS = [
    "name",
    "staff_no",
    "unit",
    "cert_no",
    "cert_expires_on",
    "expertise",
    "active",
    "inactive_since",
]


@pytest.fixture
def client(city_admin):
    _token, key = ApiToken.issue(city_admin, "fuzz")
    return ApiClient(key)


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(ENTITY_PARAMS + INSPECTOR_PARAMS), query_value, max_size=4
    )
)
def test_list_queries_never_5xx(client, params):
    for path in ("/entities", "/inspectors"):
        response = client.get(path, params)
        # 200, unless a value sent is refused: then 422 naming that parameter
        if response.status_code == 422:
            assert set(response.json()["errors"]) & set(params), (path, params, response.content)
        else:
            assert response.status_code == 200, (path, params, response.content)


@FUZZ
@given(entity_id=query_value)
@example(entity_id="\n").via("an id the URL parser drops: no address matches, 404")
@example(entity_id="12\t3").via("a tab inside an id is dropped: the id 123 is well formed")
def test_detail_ids_never_5xx(client, entity_id):
    for path in ("/entities/", "/inspectors/"):
        raw = entity_id.replace("/", "").replace("?", "").replace("#", "")
        response = client.get(path + raw)
        # what reached the server: URL parsing drops tabs and line breaks (WHATWG URL rules)
        raw = urlsplit(path + raw).path[len(path) :]
        # no object exists: a well-formed id is 404, anything else 422 (or 404 when no
        # address matches at all)
        well_formed = raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63
        if well_formed or not raw:
            assert response.status_code == 404, (raw, response.content)
        else:
            assert response.status_code == 422, (raw, response.content)


@FUZZ
@given(
    entity=st.dictionaries(st.sampled_from(ENTITY_FIELDS), json_value, max_size=6),
    inspector=st.dictionaries(st.sampled_from(INSPECTOR_FIELDS), json_value, max_size=6),
)
def test_write_bodies_never_5xx_and_refusals_write_nothing(client, make_entity, entity, inspector):
    target = make_entity()
    for method, path, body in (
        ("post", "/entities", entity),
        ("patch", f"/entities/{target.pk}", entity),
        ("post", "/inspectors", inspector),
    ):
        before = (Entity.objects.count(), Inspector.objects.count(), AuditEvent.objects.count())
        response = getattr(client, method)(path, json.dumps(body))
        assert response.status_code < 500, (method, path, body, response.content)
        if response.status_code >= 400:
            assert set(response.json()) == {"detail", "errors"}
            after = (Entity.objects.count(), Inspector.objects.count(), AuditEvent.objects.count())
            assert after == before, (method, path, body)
