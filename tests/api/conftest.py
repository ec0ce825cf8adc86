"""An API client that authenticates with a real token (ApiToken.issue), as other systems do."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jianguan.org.models import ApiToken


class ApiClient:
    def __init__(self, key: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api{path}", params or {}, headers=self.headers)

    def post(self, path: str, data):
        return self._send("post", path, data)

    def patch(self, path: str, data):
        return self._send("patch", path, data)

    def _send(self, method: str, path: str, data):
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        return getattr(self.client, method)(
            f"/api{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as(db):
    """api_as(user) → a client carrying a fresh token of `user`."""

    def make(user) -> ApiClient:
        _token, key = ApiToken.issue(user, "test")
        return ApiClient(key)

    return make


@pytest.fixture
def anonymous():
    return ApiClient(None)
