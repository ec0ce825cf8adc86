"""The hostile-parameter sweep: every URL pattern and every API operation, with hostile values in
each path id and each query parameter the endpoint reads, as an anonymous caller and as staff.

Rule (issue 12 item 3; docs/security.md "Hostile parameters"): no input in an address makes the
site answer 500, on SQLite and PostgreSQL alike. A filter value that cannot be understood — text
with a NUL byte (PostgreSQL refuses it in any text column), a number past 64 bits (SQLite
overflows), an impossible date, an unknown choice, text far too long — is a 400 page that names
the filter (an API: 422 with the same message); a row id past 64 bits or of no row is a 404.

The parameters a page reads are found by watching its request: the page is fetched once with no
parameter and every query key it asks for (`request.GET.get/[]/getlist/in`) is swept. API
operations declare theirs in the OpenAPI schema. The objects come from the access matrix's world
(tests/security/conftest.py), so every path id names a row that exists.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, get_resolver, resolve
from tests.security.test_access_matrix import (
    PATTERNS,
    _api_url,
    _client,
    _page_url,
    _rule_for,
    _walk,
)

from jianguan.core.converters import IdConverter

# caller kind (tests/security/conftest.py CALLERS): anonymous, and staff who sees the whole city
CALLERS = ("anonymous", "city")

OVERFLOW = "99999999999999999999999"  # past 64 bits: SQLite's OverflowError
MISSING = "987654321"  # no such row
# name → value sent in one query parameter
HOSTILE = {
    "nul": "ab\x00cd",
    "overflow": OVERFLOW,
    "date": "2026-02-30",
    "choice": "no-such-choice",
    "long": "长" * 5000,
}
# Parameters that are no filter and may ignore what they cannot use: the page number (Django's
# paginator shows the first or last page), the return address (checked to be local, else ignored).
LENIENT = {"page", "next"}
# A form sent with GET (the working-day calculator): its errors show on the page, as on a POST.
GET_FORMS = {"workdays:calendar": {"start", "n"}}


class Reads:
    """The query keys a request asked for."""

    def __init__(self):
        self.keys: set[str] = set()


@contextmanager
def watching_query(reads: Reads):
    """Record every key read from any QueryDict (request.GET) while the block runs."""
    originals = {
        name: getattr(QueryDict, name) for name in ("get", "__getitem__", "getlist", "__contains__")
    }

    def wrap(name):
        original = originals[name]

        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                reads.keys.add(key)
            return original(self, key, *args, **kwargs)

        return read

    for name in originals:
        setattr(QueryDict, name, wrap(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _get(world, caller: str, url: str, params: dict | None = None):
    """GET in a savepoint that is rolled back (an export writes an audit record)."""
    with transaction.atomic():
        client = _client(world, caller)
        client.raise_request_exception = False  # a server error is a 500 like any other answer
        response = client.get(url, params or {})
        transaction.set_rollback(True)
    return response


# --- pages ---------------------------------------------------------------------------------------

ROUTES = {
    (name if p.name else route): route
    for route, name, p in _walk(get_resolver().url_patterns)
    if isinstance(p, URLPattern)
}
GET_PAGES = [
    name
    for name in PATTERNS
    if _rule_for(name) is not None
    and _rule_for(name).get is not None
    # django-admin is Django's own and for operators only
    and not ROUTES.get(name, "").startswith("django-admin/")
]
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _with_path(world, name: str, hostile: dict[str, str]) -> str:
    """The page's URL with some path parameters replaced by hostile values (quoted as sent)."""
    url = _page_url(world, name)
    kwargs = resolve(url).kwargs
    route = ROUTES[name]

    def fill(match):
        param = match[2]
        value = hostile.get(param, kwargs.get(param))
        return quote(str(value), safe="")

    return "/" + PATH_PARAM.sub(fill, route)


def _path_params(name: str) -> dict[str, str]:
    """param → converter name of the page's route ('' for a regex group)."""
    return {m[2]: m[1] or "str" for m in PATH_PARAM.finditer(ROUTES[name])}


def _id_params(name: str) -> list[str]:
    converters = PATTERNS[name].pattern.converters
    return [p for p in _path_params(name) if isinstance(converters.get(p), IdConverter)]


def _text_params(name: str) -> list[str]:
    return [p for p, conv in _path_params(name).items() if conv in ("text", "str", "slug", "path")]


def _problem(response, where: str, expect: set[int] | None = None) -> str | None:
    code = response.status_code
    if code >= 500:
        return f"{where}: {code}"
    if expect is not None and code not in expect:
        return f"{where}: {code}, expected {sorted(expect)}"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("name", GET_PAGES)
def test_page_parameters(world, name):
    problems = []
    for caller in CALLERS:
        url = _page_url(world, name)
        reads = Reads()
        with watching_query(reads):
            base = _get(world, caller, url)
        open_ = base.status_code == 200  # the caller sees the page: hostile values must be refused
        if base.status_code >= 500:
            problems.append(f"GET {url} as {caller}: {base.status_code}")
            continue
        # Path ids: past 64 bits, or of no row → 404 (for a caller who would see the page).
        for param in _id_params(name):
            for value in (OVERFLOW, MISSING):
                bad = _with_path(world, name, {param: value})
                response = _get(world, caller, bad)
                expect = {404} if open_ else None
                problems.append(_problem(response, f"GET {bad} as {caller}", expect))
        # Text path parameters (codes, kinds, file names): a NUL byte or 5,000 characters name
        # nothing (404).
        for param in _text_params(name):
            for value in (HOSTILE["nul"], HOSTILE["long"]):
                bad = _with_path(world, name, {param: value})
                expect = {404} if open_ else None
                problems.append(_problem(_get(world, caller, bad), f"GET {bad[:80]}", expect))
        # Query parameters the page reads.
        for key in sorted(reads.keys):
            for kind, value in HOSTILE.items():
                response = _get(world, caller, url, {key: value})
                where = f"GET {url}?{key}=<{kind}> as {caller}"
                # A NUL byte is never a usable value: a filter refuses it with a 400.
                strict = open_ and kind == "nul" and key not in LENIENT
                strict = strict and key not in GET_FORMS.get(name, ())
                problems.append(_problem(response, where, {400} if strict else None))
    problems = [p for p in problems if p]
    assert not problems, f"{name}:\n" + "\n".join(problems)


# --- the API -------------------------------------------------------------------------------------


def _openapi():
    from jianguan.api import api

    return api.get_openapi_schema()


def _api_get_operations():
    out = []
    for path, methods in _openapi()["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        params = operation.get("parameters", [])
        key = "GET " + path.rstrip("/")
        if _rule_for(key) is None:
            continue
        out.append(pytest.param(key, params, id=key))
    return out


def _api_send(world, caller: str, url: str, params: dict | None = None):
    headers = {} if caller == "anonymous" else {"Authorization": f"Bearer {world.keys[caller]}"}
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        response = client.get(url, params or {}, headers=headers)
        transaction.set_rollback(True)
    return response


def _api_path(world, key: str, hostile: dict[str, str]) -> str:
    """The operation's URL with some path parameters replaced by hostile values."""
    rule = _rule_for(key)
    own = str(world.pk(rule.obj)) if rule.obj else "0"
    return re.sub(r"\{(\w+)\}", lambda m: hostile.get(m[1], own), key.split(" ", 1)[1])


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "params"), _api_get_operations())
def test_api_parameters(world, key, params):
    problems = []
    url = _api_url(world, key)
    path_names = [p["name"] for p in params if p["in"] == "path"]
    query_names = [p["name"] for p in params if p["in"] == "query"]
    for caller in CALLERS:
        base = _api_send(world, caller, url)
        open_ = base.status_code == 200
        problems.append(_problem(base, f"GET {url} as {caller}"))
        for param in path_names:
            for value in (OVERFLOW, MISSING):
                bad = _api_path(world, key, {param: value})
                # No such row: 404; past 64 bits the id parameter itself is refused (422).
                expect = ({404, 422} if value == OVERFLOW else {404}) if open_ else None
                problems.append(_problem(_api_send(world, caller, bad), f"GET {bad}", expect))
        for name in query_names:
            if name in LENIENT:
                continue
            for kind, value in HOSTILE.items():
                response = _api_send(world, caller, url, {name: value})
                where = f"GET {url}?{name}=<{kind}> as {caller}"
                strict = open_ and kind == "nul"
                problems.append(_problem(response, where, {422} if strict else None))
    problems = [p for p in problems if p]
    assert not problems, f"{key}:\n" + "\n".join(problems)


def test_the_sweep_reaches_the_lists():
    """The sweep is only as good as its reach: the lists named in the issue are in it."""
    for name in ("portal:search", "portal:task_list", "registry:entity_list", "risk:class_list"):
        assert name in GET_PAGES, name
