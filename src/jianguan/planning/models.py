"""Annual plans (年度抽查工作计划) and their tasks (抽查任务)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager


class Plan(models.Model):
    """A unit's plan for a year, filed with the level above (报上级备案) and approved there."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FILED = "filed", _("已报备")
        APPROVED = "approved", _("已批准")

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="+"
    )
    # The district the plan belongs to (empty for the city's own plans): the scope path.
    district = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属区局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("计划名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("说明"), blank=True)
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报备人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度抽查计划")
        verbose_name_plural = _("年度抽查计划")
        ordering = ["-year", "unit__sort"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "title"], name="plan_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    """A random-check task: items, population, sampling rule, inspector rule (the definition).

    `definition` is the normalized JSON of planning.rules; the columns beside it repeat what
    lists filter on. A task with a final draw is not edited any more.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("待抽取")
        COMMITTED = "committed", _("已承诺待抽取")
        DRAWN = "drawn", _("已抽取")

    plan = models.ForeignKey(
        Plan, verbose_name=_("所属计划"), on_delete=models.PROTECT, related_name="tasks"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属区局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("任务名称"), max_length=200)
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    items = models.ManyToManyField(
        "catalog.CheckItem", verbose_name=_("抽查事项"), related_name="tasks"
    )
    check_date = models.DateField(_("计划检查日期"))
    window_start = models.DateField(_("检查开始日期"), null=True, blank=True)
    window_end = models.DateField(_("检查结束日期"), null=True, blank=True)
    definition = models.JSONField(_("任务定义"), default=dict)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        ordering = ["-check_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_joint(self) -> bool:
        """联合抽查: items from more than one department."""
        return self.items.values("department").distinct().count() > 1
