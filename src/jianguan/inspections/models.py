"""Inspection records (检查记录): what the drawn team found, item by item, and what follows.

One Inspection per visit that is carried out. A host visit (see sampling.Visit.merged_into) is
recorded once, on site, for its own items and those of every visit merged into it; each item's
Result still points at the visit (and so the task) it belongs to, because each task publishes its
own results. "谁检查、谁录入": only members of the visit's team record and confirm.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.models import METHODS
from jianguan.core.scoping import ScopedManager


class Inspection(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("录入中")
        RECORDED = "recorded", _("待确认")  # recorded by one member, a second must confirm
        CONFIRMED = "confirmed", _("已确认")

    visit = models.OneToOneField(
        "sampling.Visit",
        verbose_name=_("检查任务（户）"),
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    # Copies of the visit's entity and scope paths: lists and scoping without joins.
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    # The visit could not be carried out; its items then carry the result code that says why
    # (e.g. 通过登记的住所（经营场所）无法联系 is itself a result).
    impossible = models.BooleanField(_("无法实施检查"), default=False)
    impossible_reason = models.TextField(_("无法检查原因"), blank=True)
    recorded_by = models.ForeignKey(
        "personnel.Inspector",
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "personnel.Inspector",
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_district = "district"
    scope_station = "station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "status"], name="inspection_district_status")]

    def __str__(self) -> str:
        return f"{self.entity} 检查记录"


class Result(models.Model):
    """One check item's result on one visit: method, result code, findings, follow-up measure."""

    class Measure(models.TextChoices):
        NONE = "none", _("无需后续处置")
        RECTIFY = "rectify", _("责令限期改正")
        CASE = "case", _("移送立案调查")
        TRANSFER = "transfer", _("移交有关部门处理")
        ABNORMAL = "abnormal", _("列入经营异常名录")
        OTHER = "other", _("其他处置")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    # The visit (host or merged) whose task owns the item; task and entity copied for lists.
    visit = models.ForeignKey("sampling.Visit", on_delete=models.PROTECT, related_name="results")
    task = models.ForeignKey(
        "planning.Task",
        verbose_name=_("抽查任务"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.CheckItem",
        verbose_name=_("抽查事项"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    method = models.CharField(_("检查方式"), max_length=20, choices=METHODS.choices)
    code = models.ForeignKey(
        "catalog.ResultCode",
        verbose_name=_("检查结果"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    findings = models.TextField(_("检查情况"), blank=True)
    # For inspection & testing bodies: the violation found (总局令第39号 code list).
    violation = models.ForeignKey(
        "catalog.Violation",
        verbose_name=_("违法行为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(
        _("后续处置措施"), max_length=16, choices=Measure.choices, default=Measure.NONE
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    # 依法不予公示: kept off the publication, with the legal reason.
    public = models.BooleanField(_("公示"), default=True)
    non_public_reason = models.CharField(_("不予公示理由"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), auto_now=True)

    scope_district = "district"
    scope_station = "station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="result_once_per_visit_item")
        ]

    def __str__(self) -> str:
        return f"{self.entity} · {self.item} · {self.code}"


def evidence_path(evidence: Evidence, filename: str) -> str:
    # Under MEDIA_ROOT, outside the web root; the stored name is ours, never the uploader's.
    return f"evidence/{evidence.inspection.visit_id}/{evidence.sha256[:16]}{evidence.suffix}"


class Evidence(models.Model):
    """A photo or PDF taken on site. Served only through a permission-checking view."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("原文件名"), max_length=200)
    suffix = models.CharField(max_length=8)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["inspection", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class FollowUp(models.Model):
    """后续处置 (谁管辖、谁负责): a problem found, followed by the unit with jurisdiction over the
    entity (its district and station), whichever unit ran the check."""

    class Status(models.TextChoices):
        OPEN = "open", _("待复查")
        RECTIFIED = "rectified", _("已整改")
        TRANSFERRED = "transferred", _("未整改，已移送案件办理")

    result = models.OneToOneField(
        Result, verbose_name=_("检查结果"), on_delete=models.PROTECT, related_name="follow_up"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    district = models.ForeignKey(
        "org.Unit", verbose_name=_("管辖区局"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "org.Unit",
        verbose_name=_("管辖所队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    rechecked_on = models.DateField(_("复查日期"), null=True, blank=True)
    recheck_note = models.TextField(_("复查情况"), blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Link point for case handling (a later module): the case number it was transferred under.
    case_ref = models.CharField(_("移送案件编号"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_district = "district"
    scope_station = "station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("后续处置")
        verbose_name_plural = _("后续处置")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="follow_up_status_due")]

    def __str__(self) -> str:
        return f"{self.entity} 后续处置"
