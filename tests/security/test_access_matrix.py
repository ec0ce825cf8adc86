"""The access matrix: every URL pattern and every API operation, against every kind of caller.

Rule (issue 6 item 1; docs/security.md "Threat model"): each endpoint declares, in
tests/security/access_rules.py, what each caller gets — the login page, the page, 403, 404
(outside the jurisdiction: existence does not leak), 405 — and this module checks all of it
against the running project:

- the enumeration walks the URL resolver (pages, django-admin and the axes admin) and the Ninja
  routers (every operation, also those left out of the schema); an endpoint without a declared
  rule fails the suite, naming it ("新增的地址未声明访问规则：…");
- every endpoint is fetched with GET by every caller; endpoints that take POST are also POSTed
  with an empty body (API writes: an empty JSON object), so a refusal is seen on the write path;
- a refused caller never writes: the audit log has as many events after the request as before,
  and a refusal is never a 200, a redirect elsewhere than the login page, or a 5xx.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.security import access_rules as rules
from tests.security.conftest import CALLERS

from jianguan.core.models import AuditEvent

CALLER_KINDS = list(CALLERS)
# Drafting aid: ACCESS_MATRIX_RECORD=FILE writes what each caller gets instead of checking it.
# A draft is not a rule: read every line against the threat model before declaring it.
RECORD = os.environ.get("ACCESS_MATRIX_RECORD")


# --- enumeration ---------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else namespace or ""
            ns = ns or (p.namespace or "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else (p.name or "")
            yield prefix + str(p.pattern), name, p


def _is_api_operation(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "__module__", "") == "ninja.operation"


def url_patterns() -> dict[str, URLPattern]:
    """Every page pattern by its name (API operations are enumerated by api_operations())."""
    found = {}
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if not _is_api_operation(pattern):
            found[name if pattern.name else route] = pattern
    return dict(sorted(found.items()))


def api_operations() -> list[str]:
    """ "METHOD /api/path" of every operation of every router (also those outside the schema)."""
    from jianguan.api import api

    root = _api_root()
    ops = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = (root + prefix.strip("/") + "/" + path.strip("/")).replace("//", "/")
                    ops.add(f"{method} {full.rstrip('/')}")
    return sorted(ops)


def _api_root() -> str:
    return reverse("api:openapi-json").removesuffix("openapi.json")


def _rule_for(key: str) -> rules.Rule | None:
    if key in rules.RULES:
        return rules.RULES[key]
    for pattern, rule in rules.PATTERN_RULES:
        if re.fullmatch(pattern, key):
            return rule
    return None


PATTERNS = url_patterns()
ENDPOINTS = list(PATTERNS)
OPERATIONS = api_operations()


def test_every_endpoint_declares_a_rule():
    missing = [k for k in ENDPOINTS + OPERATIONS if _rule_for(k) is None]
    assert not missing, "新增的地址未声明访问规则：" + "、".join(missing)


def test_no_rule_is_left_over():
    """A rule for an endpoint that no longer exists is a stale promise: remove it."""
    stale = sorted(set(rules.RULES) - set(ENDPOINTS) - set(OPERATIONS))
    assert not stale, f"访问规则指向不存在的地址：{stale}"


def test_rules_name_every_caller():
    for key, rule in {**rules.RULES, **dict(rules.PATTERN_RULES)}.items():
        for expect in (rule.get, rule.post):
            if expect is not None:
                assert set(expect) == set(CALLER_KINDS), key


# --- the requests --------------------------------------------------------------------------------


def _client(world, caller: str) -> Client:
    client = Client()
    if caller != "anonymous":  # a session made once with the world: no login per request
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[caller]
    return client


def _route_url(route: str, world) -> str:
    """URL of an unnamed pattern: its route with every parameter filled."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(rules.generic_kwarg(world, m[1])), route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(rules.generic_kwarg(world, m[1])), route)
    return "/" + route


def _page_url(world, name: str) -> str:
    if not PATTERNS[name].name:  # an unnamed pattern is keyed by its route
        return _route_url(name, world)
    rule = _rule_for(name)
    kwargs = dict(rule.kwargs)
    if rule.obj:
        kwargs[rule.pk_name] = world.pk(rule.obj)
    for param in PATTERNS[name].pattern.regex.groupindex:
        kwargs.setdefault(param, rules.generic_kwarg(world, param))
    return reverse(name, kwargs=kwargs or None)


def _api_url(world, key: str) -> str:
    rule = _rule_for(key)
    path = key.split(" ", 1)[1]
    return re.sub(r"\{\w+\}", str(world.pk(rule.obj)) if rule.obj else "0", path)


def outcome(response) -> str:
    """The caller-visible result, in the vocabulary of access_rules."""
    code = response.status_code
    if 200 <= code < 300:
        return rules.OK
    if code in (301, 302, 303):
        location = response.get("Location", "")
        if location.startswith(reverse("login") + "?"):
            return rules.LOGIN
        if location.startswith(reverse("admin:login") + "?"):
            return rules.ADMIN_LOGIN
        return rules.REDIRECT
    return str(code)


def _run(world, key: str, expect: dict[str, str], send) -> list[str]:
    """Send the request as every caller (each in a savepoint, rolled back); the mismatches."""
    problems = []
    for caller in CALLER_KINDS:
        expected = expect[caller]
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = send(caller)
            wrote = AuditEvent.objects.count() - before
            transaction.set_rollback(True)
        got = outcome(response)
        if got == rules.REDIRECT and expected == rules.BOUNCE and not wrote:
            got = rules.BOUNCE
        if RECORD:
            with open(RECORD, "a", encoding="utf-8") as out:
                row = [key, response.request["REQUEST_METHOD"], caller, got, wrote]
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} as {caller}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        elif got != expected and not RECORD:
            problems.append(f"{where}: got {got} ({response.status_code}), declared {expected}")
        elif wrote and expected not in rules.SUCCESS:
            problems.append(f"{where}: refused ({got}) but wrote {wrote} audit event(s)")
    return problems


PAGE_CASES = [
    pytest.param(name, method, id=f"{name}-{method}")
    for name in ENDPOINTS
    if _rule_for(name) is not None
    for method in ("get", "post")
    if getattr(_rule_for(name), method) is not None
]
API_CASES = [pytest.param(key, id=key) for key in OPERATIONS if _rule_for(key) is not None]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), PAGE_CASES)
def test_page(world, name, method):
    url = _page_url(world, name)
    expect = getattr(_rule_for(name), method)
    problems = _run(
        world, name, expect, lambda caller: getattr(_client(world, caller), method)(url)
    )
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("key", API_CASES)
def test_api_operation(world, key):
    method = key.split(" ", 1)[0].lower()
    url = _api_url(world, key)

    def send(caller):
        headers = {} if caller == "anonymous" else {"Authorization": f"Bearer {world.keys[caller]}"}
        if method == "get":
            return Client().get(url, headers=headers)
        return getattr(Client(), method)(
            url, json.dumps({}), content_type="application/json", headers=headers
        )

    problems = _run(world, key, _rule_for(key).get, send)
    assert not problems, f"{key}:\n" + "\n".join(problems)
