"""Jurisdiction (市 → 区 → 所队), users and their roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ADD, CHANGE, DELETE, VIEW, ScopedManager


class Unit(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("市局")
        DISTRICT = "district", _("区局")
        STATION = "station", _("市场监管所")
        TEAM = "team", _("执法大队")

    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50)
    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The district bureau this unit belongs to (itself for a district; empty for the city).
    district = models.ForeignKey(
        "self",
        verbose_name=_("所属区局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    sort = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("启用"), default=True)

    scope_district = "district"
    scope_station = "pk"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_district(self) -> bool:
        return self.kind == self.Kind.DISTRICT

    @property
    def is_station(self) -> bool:
        return self.kind in (self.Kind.STATION, self.Kind.TEAM)


# Grants: what a role may do beyond the four actions on rows (answered by core.scoping.granted,
# always within the user's jurisdiction).
SEE_RISK_SCORES = "see_risk_scores"  # credit-risk scores and explanations (internal, DOMAIN.md)
RECHECK_ON_SITE = "recheck_on_site"  # re-check the follow-ups of one's own station (谁管辖、谁负责)


@dataclass(frozen=True)
class RoleSpec:
    actions: frozenset[str]
    level: str | None  # "city" / "district" / "station", or None: follows the unit's level
    grants: frozenset[str] = frozenset()


# The one table of role gates: every permission question is answered from here, through
# core.scoping (allowed / restrict for the actions and the level, granted for the grants).
ROLE_SPECS = {
    "city_admin": RoleSpec(
        frozenset({VIEW, ADD, CHANGE, DELETE}), "city", frozenset({SEE_RISK_SCORES})
    ),
    "district_admin": RoleSpec(
        frozenset({VIEW, ADD, CHANGE}), "district", frozenset({SEE_RISK_SCORES})
    ),
    # a station's inspectors only read rows, but direct checks and re-check on site
    "station_inspector": RoleSpec(
        frozenset({VIEW}), "station", frozenset({SEE_RISK_SCORES, RECHECK_ON_SITE})
    ),
    "expert": RoleSpec(frozenset(), None),
    "read_only": RoleSpec(frozenset({VIEW}), None),
}
_LEVEL_OF_KIND = {"city": "city", "district": "district", "station": "station", "team": "station"}


class User(AbstractUser):
    class Role(models.TextChoices):
        CITY_ADMIN = "city_admin", _("市局管理员")
        DISTRICT_ADMIN = "district_admin", _("区局管理员")
        STATION_INSPECTOR = "station_inspector", _("所队检查人员")
        EXPERT = "expert", _("专家")
        READ_ONLY = "read_only", _("只读用户")

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.READ_ONLY)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names: family name first, no space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def role_spec(self) -> RoleSpec:
        return ROLE_SPECS[self.role]

    @property
    def scope_level(self) -> str | None:
        """ "city", "district", "station", or None (sees no roster data)."""
        if self.unit_id is None:
            return None
        unit_level = _LEVEL_OF_KIND[self.unit.kind]
        role_level = self.role_spec.level
        if role_level is None:
            return unit_level if self.role_spec.actions else None
        # A role never reaches wider than the unit the user belongs to.
        order = ["station", "district", "city"]
        return min(role_level, unit_level, key=order.index)

    def can(self, action: str) -> bool:
        return self.is_superuser or action in self.role_spec.actions

    def clean(self) -> None:
        super().clean()
        if self.is_superuser:
            return
        if self.unit is None:
            raise ValidationError({"unit": _("请选择所属机构")})
        expected = {
            "city_admin": {"city"},
            "district_admin": {"district"},
            "station_inspector": {"station", "team"},
        }.get(self.role)
        if expected and self.unit.kind not in expected:
            raise ValidationError(
                {
                    "role": _("角色“%(role)s”与所属机构层级“%(kind)s”不符")
                    % {"role": self.get_role_display(), "kind": self.unit.get_kind_display()}
                }
            )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        key = "jg_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:10], key_hash=cls.digest(key))
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = (
            cls.objects.select_related("user", "user__unit")
            .filter(key_hash=cls.digest(key), revoked=False, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
