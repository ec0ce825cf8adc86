"""Audit events and background jobs: shared by every domain app."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .hashchain import GENESIS, link_hash
from .scoping import ScopedManager, ScopedQuerySet

# pg_advisory_xact_lock key serialising appends to the audit chain ("jgau").
AUDIT_CHAIN_LOCK = 0x6A676175


class AuditQuerySet(ScopedQuerySet):
    """Audit events are appended through the chain and never updated or deleted."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain_append(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise PermissionError("审计事件不可修改")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("审计事件不可修改")

    def delete(self):
        raise PermissionError("审计事件不可删除")


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):  # type: ignore[misc]
    pass


class AuditEvent(models.Model):
    """One change of legal weight: who, when, what, before/after. Append-only and chained:
    each event carries the hash of the one before it (see `chain_content`, `audit_verify`)."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        IMPORT = "import", _("批量导入")
        OTHER = "other", _("其他")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=255)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.TextField(_("说明"), blank=True)
    district = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属区局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    seq = models.PositiveBigIntegerField(_("链序号"), unique=True, null=True, editable=False)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, editable=False, default="")
    hash = models.CharField(_("事件哈希"), max_length=64, editable=False, default="")

    scope_district = "district"
    scope_station = None
    objects = AuditManager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        base_manager_name = "objects"  # no plain manager that could update or delete events
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计事件不可修改")
        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            chain_append([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计事件不可删除")


def chain_content(event: AuditEvent) -> dict:
    """What an audit event's hash covers (the canonical form is core.hashchain's).

    `changes` is taken through JSON as the database stores it, so that the hash computed before
    the insert equals the one recomputed from the row read back."""
    return {
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_id,
        "actor_label": str(event.actor_label),
        "action": str(event.action),
        "object_type": str(event.object_type),
        "object_id": str(event.object_id),
        "object_repr": str(event.object_repr),
        "changes": json.loads(json.dumps(event.changes)),
        "note": str(event.note),
        "district": event.district_id,
    }


def chain_head(using: str = "default") -> tuple[int, str]:
    """(count, hash) of the last event in the chain; (0, GENESIS) when empty."""
    last = (
        AuditEvent.objects.using(using)
        .filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    return last or (0, GENESIS)


def chain_append(events: list[AuditEvent], *, using: str = "default") -> None:
    """Give new events their place in the chain. Call inside the transaction that inserts them.

    On PostgreSQL a transaction-scoped advisory lock serialises appenders until commit, so two
    transactions never read the same head; SQLite has one writer at a time, and the unique
    `seq` turns any race that slipped through into an error instead of a fork."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
    seq, prev = chain_head(using)
    now = timezone.now()  # the time of writing, in chain order
    for event in events:
        seq += 1
        event.seq, event.prev_hash, event.at = seq, prev, now
        event.actor_label = str(event.actor_label)
        event.note = str(event.note)
        event.hash = prev = link_hash(chain_content(event))


class Job(models.Model):
    """A long piece of work (import, draw, scoring) run by the task backend, with its progress.

    Progress while running lives in the cache (see core.jobs) so that it is visible while the
    work itself holds a database transaction; the row holds the outcome.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=32)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("结果说明"), blank=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
