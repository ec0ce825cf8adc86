"""Writes of the org app: API tokens (issued and revoked with an audit event)."""

from __future__ import annotations

from django.db import transaction

from jianguan.core import audit

from .models import ApiToken, User


@transaction.atomic
def token_issue(*, user: User, name: str, actor) -> tuple[ApiToken, str]:
    """A new token for `user`; the key is returned once and never stored."""
    token, key = ApiToken.issue(user, name[:100])
    audit.record(actor, "create", token, note=f"签发 API 令牌（用户 {user.get_username()}）")
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    token.revoked = True
    audit.record(actor, "update", token, changes={"revoked": [False, True]}, note="吊销 API 令牌")
