"""Writes of the org app: API tokens, accounts and passwords (each with an audit event)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.services import snapshot

from . import selectors
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


# --- user management --------------------------------------------------------------------------

USER_FIELDS = ["username", "last_name", "first_name", "unit", "role", "is_active"]


def _require_scope(actor, unit, role: str) -> None:
    """The target unit within the actor's units, the role no wider than the actor's own."""
    if unit is None or not selectors.manageable_units(user=actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("只能管理本单位管辖范围内机构的账号")})
    if role not in selectors.grantable_roles(user=actor):
        raise ValidationError({"role": _("不能授予高于本人角色的权限")})


def _require_manager(actor, target: User | None = None) -> None:
    if not selectors.may_manage_users(actor):
        raise PermissionDenied(_("只有市局、区局管理员可以管理账号"))
    if target is not None and not selectors.user_list(user=actor).filter(pk=target.pk).exists():
        raise PermissionDenied(_("该账号不在您的管理范围内"))


@transaction.atomic
def user_create(*, actor, data: dict[str, Any], password: str) -> User:
    _require_manager(actor)
    user = User(**{k: data[k] for k in USER_FIELDS if k in data})
    _require_scope(actor, user.unit, user.role)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(
        actor, "create", user, changes=audit.diff({}, snapshot(user, USER_FIELDS)), note="新建账号"
    )
    return user


@transaction.atomic
def user_update(*, actor, target: User, data: dict[str, Any]) -> User:
    _require_manager(actor, target)
    target = User.objects.select_for_update().get(pk=target.pk)
    before = snapshot(target, USER_FIELDS)
    for key in USER_FIELDS:
        if key in data:
            setattr(target, key, data[key])
    _require_scope(actor, target.unit, target.role)
    if target.pk == actor.pk and not target.is_active:
        raise ValidationError({"is_active": _("不能停用自己的账号")})
    target.full_clean()
    target.save()
    audit.record(actor, "update", target, changes=audit.diff(before, snapshot(target, USER_FIELDS)))
    return target


@transaction.atomic
def user_set_password(*, actor, target: User, password: str) -> None:
    """An administrator sets a new password (the user should change it at first login)."""
    _require_manager(actor, target)
    password_validation.validate_password(password, target)
    target.set_password(password)
    target.save(update_fields=["password"])
    audit.record(actor, "update", target, note="管理员重设密码")


def password_changed(*, user: User) -> None:
    """The audit event of a user changing their own password (the password is never logged)."""
    audit.record(user, "update", user, note="修改本人密码")
