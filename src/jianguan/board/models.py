"""The public commitment board (抽取公示板): an append-only hash chain of what every draw commits
to and how it ended, and the audit log's daily head. Nothing here is ever updated or deleted."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

BEIJING = dt.timezone(dt.timedelta(hours=8))


class EntryQuerySet(models.QuerySet):
    """Entries are appended by board.services only; the ORM neither updates nor deletes them."""

    def update(self, **kwargs):
        raise PermissionError("公示板条目不可修改")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("公示板条目不可修改")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("公示板条目只能逐条追加")

    def delete(self):
        raise PermissionError("公示板条目不可删除")


class EntryManager(models.Manager.from_queryset(EntryQuerySet)):  # type: ignore[misc]
    pass


class Entry(models.Model):
    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("抽取承诺")
        DRAWN = "drawn", _("抽取完成")
        SUPERSEDED = "superseded", _("已重新抽取")
        INFEASIBLE = "infeasible", _("抽取失败")
        AUDIT_HEAD = "audit_head", _("审计日志链头")

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("单位"), max_length=200, blank=True)
    task_id = models.PositiveBigIntegerField(
        _("抽查任务编号"), null=True, blank=True, db_index=True
    )
    task_title = models.CharField(_("抽查任务"), max_length=200, blank=True)
    draw_id = models.PositiveBigIntegerField(_("抽取编号"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(_("前一条目哈希"), max_length=64)
    hash = models.CharField(_("条目哈希"), max_length=64, unique=True)

    objects = EntryManager()

    class Meta:
        verbose_name = _("公示板条目")
        verbose_name_plural = _("公示板条目")
        ordering = ["-seq"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.task_title}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self.hash:
            raise PermissionError("公示板条目只能由公示服务追加，且不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("公示板条目不可删除")

    def content(self) -> dict:
        """What the entry's hash covers, exactly as the JSON feed shows it (minus "hash")."""
        return {
            "seq": self.seq,
            "prev": self.prev_hash,
            "at": beijing_iso(self.at),
            "kind": self.kind,
            "unit": self.unit,
            "task_id": self.task_id,
            "task": self.task_title,
            "draw_id": self.draw_id,
            "data": self.data,
        }


def beijing_iso(moment: dt.datetime) -> str:
    """2026-12-05T09:30:00.000000+08:00: Beijing time, microseconds, offset."""
    return moment.astimezone(BEIJING).isoformat(timespec="microseconds")
