"""API tokens (docs: ENGINEERING.md "The stack": Django Ninja API for other systems).

Rules checked: a token's key is shown once, in the response that created it; only its SHA-256 is
stored (ApiToken.key_hash); a revoked token no longer authenticates; a user never sees or revokes
another user's tokens (404); `jianguan create_token` prints a working key.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.org.models import ApiToken

pytestmark = pytest.mark.django_db


def create(client, name="数据中心同步"):
    response = client.post(reverse("org:token_create"), {"name": name})
    assert response.status_code == 200
    return response, response.context["key"]


def test_key_is_shown_once_and_only_its_sha256_is_stored(client, admin_a):
    """The key appears in the creation response only; the database holds its SHA-256, never the key."""
    client.force_login(admin_a)
    response, key = create(client)
    assert key in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=admin_a)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key)
    stored = [
        str(v)
        for v in ApiToken.objects.values_list(
            *[f.attname for f in ApiToken._meta.concrete_fields]
        ).get()
    ]
    assert key not in stored
    # Nowhere else either: not in the audit trail, not on the list page.
    assert not any(key in str(e.changes) + e.note + e.object_repr for e in AuditEvent.objects.all())
    listing = client.get(reverse("org:token_list")).content.decode()
    assert key not in listing and token.prefix in listing and "数据中心同步" in listing
    assert ApiToken.authenticate(key) == admin_a


def test_empty_name_is_refused_inline(client, admin_a):
    client.force_login(admin_a)
    response = client.post(reverse("org:token_create"), {"name": "  "})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoke_stops_the_key_working_and_keeps_the_row(client, admin_a):
    """吊销 (POST): the token stays listed as revoked and no longer authenticates; audited."""
    client.force_login(admin_a)
    _, key = create(client)
    token = ApiToken.objects.get()
    url = reverse("org:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405  # a link or prefetch cannot revoke
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert ApiToken.authenticate(key) is None
    assert "已吊销" in client.get(reverse("org:token_list")).content.decode()
    assert AuditEvent.objects.filter(
        object_type="org.apitoken", object_id=str(token.pk), action="update"
    ).exists()


def test_a_user_never_sees_or_revokes_another_users_tokens(client, admin_a, admin_b):
    """Tokens are the owner's alone: other users do not see them and get 404 on revoke."""
    theirs, key = ApiToken.issue(admin_b, "徐汇脚本")
    client.force_login(admin_a)
    listing = client.get(reverse("org:token_list"))
    assert list(listing.context["tokens"]) == []
    assert theirs.prefix not in listing.content.decode()
    assert client.post(reverse("org:token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked and ApiToken.authenticate(key) == admin_b


def test_token_pages_require_login(client):
    for url in (reverse("org:token_list"), reverse("org:token_create")):
        response = client.post(url, {"name": "x"})
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_create_token_command_prints_a_working_key(admin_a):
    """`jianguan create_token USERNAME --name NAME` prints only the key; the key authenticates."""
    out, err = io.StringIO(), io.StringIO()
    call_command("create_token", "admin_a", "--name", "测试脚本", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith("jg_")
    token = ApiToken.objects.get(user=admin_a)
    assert token.name == "测试脚本" and token.key_hash == ApiToken.digest(key)
    assert ApiToken.authenticate(key) == admin_a
    assert key not in err.getvalue()


def test_create_token_command_refuses_unknown_or_inactive_users(admin_a):
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    admin_a.is_active = False
    admin_a.save()
    with pytest.raises(CommandError, match="停用"):
        call_command("create_token", "admin_a", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()
