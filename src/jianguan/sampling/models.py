"""Draws (抽取) and the visits they produce (one visit per entity, every item of the task)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager


class Draw(models.Model):
    """One run of the protocol for a task. Frozen and committed first, drawn once, then immutable.

    The rosters and the proof live as files under MEDIA_ROOT/draws/<id>/ (served only through
    a permission check); their digests are here. A re-draw is a new Draw with a written reason.
    """

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已冻结名单并承诺")
        DRAWN = "drawn", _("已抽取")
        INFEASIBLE = "infeasible", _("无法配齐人员")
        SUPERSEDED = "superseded", _("已重新抽取")

    task = models.ForeignKey(
        "planning.Task", verbose_name=_("抽查任务"), on_delete=models.PROTECT, related_name="draws"
    )
    district = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属区局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("第几次抽取"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.COMMITTED
    )
    # Draws committed before protocol version 2 keep the version 1 rules (docs/draw-protocol.md).
    protocol = models.CharField(_("抽取协议"), max_length=20, default="jianguan-draw/1")
    rules = models.JSONField(_("抽取规则"), default=dict)
    digests = models.JSONField(_("摘要"), default=dict)
    counts = models.JSONField(_("各层数量"), default=dict)
    commitment = models.CharField(_("承诺值"), max_length=64)
    # Kept out of every page and answer until the draw is made; then published in proof.json.
    secret = models.CharField(_("密钥"), max_length=64)
    requires_entropy = models.BooleanField(_("需要外部随机数"), default=False)
    external_entropy = models.CharField(_("外部随机数"), max_length=200, blank=True)
    entropy_source = models.CharField(_("外部随机数来源"), max_length=200, blank=True)
    # Which future public value will be the entropy (source, identifier, announced_at, format):
    # declared before the commitment, bound by it (protocol version 2).
    entropy_declaration = models.JSONField(_("外部随机数声明"), null=True, blank=True)
    entropy_entered_at = models.DateTimeField(_("外部随机数录入时间"), null=True, blank=True)
    seed = models.CharField(_("随机种子"), max_length=64, blank=True)
    unstaffed = models.JSONField(_("无法配齐的检查对象"), default=dict, blank=True)
    # A re-draw that turns out infeasible leaves the original in force: it may be tried again.
    redraw_of = models.ForeignKey(
        "self",
        verbose_name=_("重新抽取自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redraws",
    )
    redraw_reason = models.TextField(_("重新抽取理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(_("冻结名单时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽取")
        verbose_name_plural = _("抽取")
        ordering = ["-committed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="draw_number_per_task")
        ]

    def __str__(self) -> str:
        return f"{self.task} 第{self.number}次抽取"

    def save(self, *args, **kwargs):
        # A made draw is a legal record: only its status may move on (to superseded), and only
        # through services' queryset updates.
        if (
            self.pk
            and Draw.objects.filter(pk=self.pk).exclude(status=self.Status.COMMITTED).exists()
        ):
            raise PermissionError("已完成的抽取不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("抽取记录不可删除")

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.DRAWN, self.Status.SUPERSEDED)

    @property
    def redrawn_by(self) -> Draw | None:
        """The re-draw that replaced this draw, or the one under way (not the infeasible ones)."""
        return self.redraws.exclude(status=self.Status.INFEASIBLE).order_by("-number").first()

    @property
    def files_dir(self) -> str:
        return f"draws/{self.pk}"


class Visit(models.Model):
    """One selected entity of a draw: one visit carrying every item of the task.

    A visit merged into another (进一次门、查多项事) points at it: the host visit then carries
    its own items and those of every visit merged into it, and their teams go together.

    Visits and their members are written once, by the draw, in bulk (a city-wide draw writes
    hundreds of thousands) from rows it has just read; the rows they point at are never deleted
    (entities change status, inspectors leave the roster). So the database keeps no foreign-key
    triggers on them — those would cost more than the draw itself — and Django still refuses
    deletes that would orphan them (on_delete=PROTECT).
    """

    draw = models.ForeignKey(
        Draw,
        verbose_name=_("抽取"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_constraint=False,
        db_index=False,  # the unique (draw, entity) index serves it
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_constraint=False,
    )
    # Copies of the draw's district and the entity's station: the scope paths, without joins.
    district = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    station = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    stratum = models.CharField(_("抽取层"), max_length=40)
    certain = models.BooleanField(_("必查"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        db_index=False,  # see the partial index below: almost every row is NULL
    )

    scope_district = "district"
    scope_station = "station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查任务（户）")
        verbose_name_plural = _("检查任务（户）")
        ordering = ["draw", "id"]
        indexes = [
            models.Index(
                fields=["merged_into"],
                name="visit_merged_into",
                condition=models.Q(merged_into__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["draw", "entity"], name="visit_once_per_draw")
        ]

    def __str__(self) -> str:
        return f"{self.entity} · {self.draw.task}"


class VisitMember(models.Model):
    """An inspector or an expert drawn for a visit, in slot order (slot 0: the skilled member)."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="members", db_constraint=False
    )
    inspector = models.ForeignKey(
        "personnel.Inspector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_members",
        db_constraint=False,
    )
    expert = models.ForeignKey(
        "personnel.Expert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_members",
        db_constraint=False,
        db_index=False,  # partial index below
    )
    slot = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["visit", "expert", "slot"]
        indexes = [
            models.Index(
                fields=["expert"],
                name="visit_member_expert",
                condition=models.Q(expert__isnull=False),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inspector__isnull=False, expert__isnull=True)
                | models.Q(inspector__isnull=True, expert__isnull=False),
                name="visit_member_one_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.inspector or self.expert)
