"""The inspector roster (执法检查人员名录库), the expert pool (专家库) and conflict declarations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager


class Expertise(models.Model):
    """A tag for inspectors' expertise (业务专长) and experts' fields."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("业务专长")
        verbose_name_plural = _("业务专长")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    staff_no = models.CharField(_("工号"), max_length=32, unique=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="inspectors"
    )
    cert_no = models.CharField(_("执法证号"), max_length=32, blank=True, db_index=True)
    cert_expires_on = models.DateField(_("执法证有效期至"), null=True, blank=True)
    expertise = models.ManyToManyField(
        Expertise, verbose_name=_("业务专长"), blank=True, related_name="inspectors"
    )
    active = models.BooleanField(_("在岗"), default=True)
    inactive_since = models.DateField(_("离岗日期"), null=True, blank=True)
    user = models.OneToOneField(
        "org.User",
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_district = "unit__district"
    scope_station = "unit"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员")
        ordering = ["unit__sort", "staff_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    def clean(self) -> None:
        if not self.active and not self.inactive_since:
            raise ValidationError({"inactive_since": _("离岗人员须填写离岗日期")})
        if self.active:
            self.inactive_since = None

    def qualified_on(self, day: dt.date) -> bool:
        """Holds a valid enforcement certificate on `day` (行政处罚法 art. 42)."""
        return bool(
            self.active and self.cert_no and self.cert_expires_on and self.cert_expires_on >= day
        )


class Expert(models.Model):
    """City-wide expert pool: every staff member may read it; the city bureau keeps it."""

    name = models.CharField(_("姓名"), max_length=50)
    field = models.ForeignKey(
        Expertise, verbose_name=_("专业领域"), on_delete=models.PROTECT, related_name="experts"
    )
    title = models.CharField(_("职称"), max_length=50, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200)
    employer_uscc = models.CharField(
        _("工作单位统一社会信用代码"), max_length=18, blank=True, db_index=True
    )
    pledge_signed_on = models.DateField(_("保密承诺签署日期"), null=True, blank=True)
    active = models.BooleanField(_("在库"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employer}）"

    @property
    def has_pledge(self) -> bool:
        return self.pledge_signed_on is not None


class ConflictDeclaration(models.Model):
    """回避: an inspector or expert must not be drawn for this entity in this period."""

    inspector = models.ForeignKey(
        Inspector,
        verbose_name=_("检查人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("专家"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    reason = models.CharField(_("回避事由"), max_length=200)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("回避声明")
        verbose_name_plural = _("回避声明")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspector__isnull=False, expert__isnull=True)
                | models.Q(inspector__isnull=True, expert__isnull=False),
                name="conflict_one_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ↔ {self.entity}：{self.reason}"

    @property
    def person(self):
        return self.inspector or self.expert

    def clean(self) -> None:
        if (self.inspector_id is None) == (self.expert_id is None):
            raise ValidationError(_("请在检查人员和专家中选择且只选择一人"))
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("截止日期不能早于起始日期")})

    def active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
