"""Publication (公示): a finished task's results go public within 20 working days.

What went public is copied into PublicResult at the moment of publication: the public portal and
the interchange exports read that table alone, so nothing unpublished, internal (risk class) or
personal (inspectors) can reach them by a join. A withdrawal keeps the row and says why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager
from jianguan.workdays.core import Deadline

PUBLICATION_WORKING_DAYS = 20  # DOMAIN.md: within 20 working days after the task is finished


class Publication(models.Model):
    """One task's publication: finished (every visit recorded) → deadline → published."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待公示")
        QUEUED = "queued", _("已排期公示")
        PUBLISHED = "published", _("已公示")

    task = models.OneToOneField(
        "planning.Task",
        verbose_name=_("抽查任务"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    district = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_on = models.DateField(_("任务完成日期"))
    deadline = models.DateField(_("公示期限"))
    deadline_provisional = models.BooleanField(_("期限为暂定"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    publish_on = models.DateField(_("排期公示日期"), null=True, blank=True)
    # `publish_due` publishes on behalf of the supervisor who queued it.
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("结果公示")
        verbose_name_plural = _("结果公示")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="publication_status_deadline")]

    def __str__(self) -> str:
        return f"{self.task} 结果公示"

    @property
    def due(self) -> Deadline:
        """The deadline as stored: services.refresh_deadlines keeps it in step with the holiday
        table, in the transaction that changes the table."""
        return Deadline(self.deadline, self.deadline_provisional)


class PublicResult(models.Model):
    """A result as published: only what the public may see, frozen at publication."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="entries")
    result = models.OneToOneField(
        "inspections.Result", on_delete=models.PROTECT, related_name="public_entry"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        on_delete=models.PROTECT,
        related_name="public_results",
        db_constraint=False,
    )
    district = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    entity_name = models.CharField(_("名称"), max_length=200)
    task_title = models.CharField(_("抽查任务"), max_length=200)
    item = models.CharField(_("抽查事项"), max_length=300)
    authority = models.CharField(_("检查机关"), max_length=200)
    checked_on = models.DateField(_("检查日期"))
    code = models.CharField(_("结果代码"), max_length=16)
    # a sub-kind with its parent: 发现问题待后续处理（未按规定公示应当公示的信息）
    code_text = models.CharField(_("检查结果"), max_length=300)
    published_at = models.DateTimeField(_("公示时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示结果")
        verbose_name_plural = _("公示结果")
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["uscc", "checked_on"], name="public_result_uscc"),
            models.Index(fields=["entity", "checked_on"], name="public_result_entity"),
            # interchange exports: "published since DATE"
            models.Index(fields=["published_at"], name="public_result_published"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_name} · {self.item} · {self.code_text}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
