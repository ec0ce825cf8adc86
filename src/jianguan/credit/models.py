"""The credit lists: business-abnormal list (经营异常名录), serious-violation list (严重违法失信名单,
总局令第44号), credit commitments (信用承诺).

Every row belongs to its entity's district (and station): the one scoping mechanism applies
through `entity__district` / `entity__station`. Legal clocks are computed in credit.clocks.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager
from jianguan.core.validators import past_dates

from . import clocks

LISTING_UNIT_KINDS = ("city", "district")  # units that decide listings: 市局、区局


def _unit_fk(label):
    return models.ForeignKey(
        "org.Unit",
        verbose_name=label,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": LISTING_UNIT_KINDS},
    )


def _check_order(errors: dict, later_field: str, later, earlier, message) -> None:
    if later and earlier and later < earlier:
        errors.setdefault(later_field, []).append(message)


class AbnormalListing(models.Model):
    """经营异常名录: one listing of one entity for one reason."""

    class Reason(models.TextChoices):
        ANNUAL_REPORT = "annual_report", _("未按规定期限公示年度报告")
        INSTANT_INFO = "instant_info", _("未在20个工作日内公示即时信息")
        FALSE_INFO = "false_info", _("公示信息隐瞒真实情况弄虚作假")
        UNREACHABLE = "unreachable", _("通过登记的住所或者经营场所无法联系")

    class Status(models.TextChoices):
        LISTED = "listed", _("列入中")
        REMOVED = "removed", _("已移出")

    class RemovalReason(models.TextChoices):
        CURED = "cured", _("列入事由已消除")
        OBJECTION = "objection", _("异议成立")
        ERROR = "error", _("列入错误，依职权更正")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="abnormal_listings",
    )
    reason = models.CharField(_("列入事由"), max_length=16, choices=Reason.choices)
    trigger_date = models.DateField(
        _("事由发生日期"),
        help_text=_("未按期年报填年报公示截止日（6月30日）；其他填发现或认定事由之日。"),
    )
    listed_on = models.DateField(_("列入日期"))
    decided_by = _unit_fk(_("作出决定机关"))
    decision_no = models.CharField(_("列入决定书文号"), max_length=100)
    note = models.TextField(_("内部备注"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.LISTED
    )
    cured_on = models.DateField(
        _("事由消除日期"),
        null=True,
        blank=True,
        help_text=_(
            "补报年报、补充公示、更正信息或恢复联系之日；移出决定应在其后5个工作日内作出。"
        ),
    )
    removed_on = models.DateField(_("移出决定日期"), null=True, blank=True)
    removal_reason = models.CharField(
        _("移出原因"), max_length=16, choices=RemovalReason.choices, blank=True
    )
    removal_decision_no = models.CharField(_("移出决定书文号"), max_length=100, blank=True)
    escalated_to = models.OneToOneField(
        "SeriousListing",
        verbose_name=_("转入严重违法失信名单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_abnormal",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("经营异常名录")
        verbose_name_plural = _("经营异常名录")
        ordering = ["-listed_on", "-id"]
        indexes = [models.Index(fields=["status", "listed_on"])]

    def __str__(self) -> str:
        return f"{self.entity.name}（{self.get_reason_display()}）"

    def clean(self) -> None:
        # A listing dated after today would be public at once (the portal shows what is in
        # force): every date of the record is a fact that has already happened.
        errors: dict = past_dates(self, "trigger_date", "listed_on", "cured_on", "removed_on")
        _check_order(
            errors,
            "listed_on",
            self.listed_on,
            self.trigger_date,
            _("列入日期不能早于事由发生日期"),
        )
        _check_order(
            errors, "cured_on", self.cured_on, self.listed_on, _("事由消除日期不能早于列入日期")
        )
        _check_order(
            errors, "removed_on", self.removed_on, self.listed_on, _("移出日期不能早于列入日期")
        )
        _check_order(
            errors, "removed_on", self.removed_on, self.cured_on, _("移出日期不能早于事由消除日期")
        )
        if self.status == self.Status.REMOVED:
            if not self.removed_on:
                errors.setdefault("removed_on", []).append(_("请填写移出决定日期"))
            if not self.removal_reason:
                errors.setdefault("removal_reason", []).append(_("请选择移出原因"))
            if self.removal_reason == self.RemovalReason.CURED and not self.cured_on:
                errors.setdefault("cured_on", []).append(_("因事由消除移出的，请填写事由消除日期"))
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.LISTED

    @property
    def escalation_due(self):
        return clocks.escalation_due(self.listed_on)


class AbnormalObjection(models.Model):
    """异议: the entity disputes its listing."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待处理")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("异议不成立")

    listing = models.ForeignKey(
        AbnormalListing,
        verbose_name=_("经营异常名录"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    filed_on = models.DateField(_("提出日期"))
    content = models.TextField(_("异议内容"))
    outcome = models.CharField(
        _("处理结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    reply = models.TextField(_("处理意见"), blank=True)

    scope_district = "listing__entity__district"
    scope_station = "listing__entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("经营异常名录异议")
        verbose_name_plural = _("经营异常名录异议")
        ordering = ["filed_on", "id"]

    def __str__(self) -> str:
        return f"{self.listing.entity.name} 异议（{self.filed_on:%Y-%m-%d}）"

    def clean(self) -> None:
        errors: dict = past_dates(self, "filed_on", "decided_on")
        _check_order(
            errors, "decided_on", self.decided_on, self.filed_on, _("处理日期不能早于提出日期")
        )
        if self.outcome != self.Outcome.PENDING and not self.decided_on:
            errors["decided_on"] = [_("请填写处理日期")]
        if errors:
            raise ValidationError(errors)


class SeriousListing(models.Model):
    """严重违法失信名单 (总局令第44号): a grave violation that drew a heavy penalty.

    "谁处罚、谁列入、谁移出": the listing unit (or the city) changes and removes it. Steps: notice
    of the intended listing (告知), statement of defence (陈述申辩), decision (the listing date),
    publication. Listed 3 years, then removed; early removal (信用修复) after at least 1 year.
    """

    class Category(models.TextChoices):
        FOOD = "food", _("食品安全领域严重违法行为")
        DRUG = "drug", _("药品、医疗器械、化妆品领域严重违法行为")
        QUALITY = "quality", _("质量安全领域严重违法行为")
        CONSUMER = "consumer", _("侵害消费者权益的严重违法行为")
        COMPETITION = "competition", _("破坏公平竞争秩序和扰乱市场秩序的严重违法行为")
        OBSTRUCTION = "obstruction", _("拒绝、阻碍、干扰市场监管部门监督检查和事故调查")
        ABNORMAL_3Y = "abnormal_3y", _("列入经营异常名录届满3年仍未履行相关义务")
        OTHER = "other", _("其他严重违法失信行为")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟列入")
        LISTED = "listed", _("列入中")
        REMOVED = "removed", _("已移出")

    class Defence(models.TextChoices):
        NONE = "", _("未提出")
        ACCEPTED = "accepted", _("采纳")
        REJECTED = "rejected", _("不予采纳")

    class RemovalReason(models.TextChoices):
        EXPIRED = "expired", _("列入满三年移出")
        REPAIR = "repair", _("信用修复，提前移出")
        REVOKED = "revoked", _("不予列入、处罚决定被撤销或列入错误")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="serious_listings",
    )
    category = models.CharField(_("列入情形"), max_length=16, choices=Category.choices)
    violation = models.TextField(_("违法行为"), help_text=_("严重违法行为的事实摘要"))
    penalty_decision_no = models.CharField(
        _("较重行政处罚决定书文号"),
        max_length=100,
        blank=True,
        help_text=_("经营异常名录届满3年转入的可不填"),
    )
    penalty_on = models.DateField(_("处罚决定日期"), null=True, blank=True)
    listed_by = _unit_fk(_("列入机关"))
    notice_on = models.DateField(_("告知日期"), null=True, blank=True)
    defence_received_on = models.DateField(_("陈述申辩收到日期"), null=True, blank=True)
    defence_outcome = models.CharField(
        _("陈述申辩处理"), max_length=16, choices=Defence.choices, blank=True, default=""
    )
    defence_decided_on = models.DateField(_("陈述申辩处理日期"), null=True, blank=True)
    listed_on = models.DateField(
        _("列入日期"), null=True, blank=True, help_text=_("列入决定作出之日")
    )
    decision_no = models.CharField(_("列入决定书文号"), max_length=100, blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    expires_on = models.DateField(_("期满移出日期"), null=True, blank=True, editable=False)
    note = models.TextField(_("内部备注"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.CharField(
        _("移出原因"), max_length=16, choices=RemovalReason.choices, blank=True
    )
    removal_note = models.TextField(_("移出说明"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("严重违法失信名单")
        verbose_name_plural = _("严重违法失信名单")
        ordering = ["-listed_on", "-id"]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.entity.name}（{self.get_category_display()}）"

    def save(self, *args, **kwargs):
        # 总局令第44号: listed 3 years; stored so that the expiry run is one indexed query.
        self.expires_on = clocks.serious_expiry(self.listed_on) if self.listed_on else None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict = past_dates(
            self,
            "penalty_on",
            "notice_on",
            "defence_received_on",
            "defence_decided_on",
            "listed_on",
            "published_on",
            "removed_on",
        )
        if self.category != self.Category.ABNORMAL_3Y and not self.penalty_decision_no:
            errors["penalty_decision_no"] = [_("请填写较重行政处罚决定书文号")]
        if self.listed_on and not self.notice_on:
            # 总局令第44号: the party is told of the intended listing and may state a defence.
            errors["notice_on"] = [_("列入前应当告知当事人，请填写告知日期")]
        if self.listed_on and not self.decision_no:
            errors["decision_no"] = [_("请填写列入决定书文号")]
        if self.defence_outcome and not self.defence_decided_on:
            errors["defence_decided_on"] = [_("请填写陈述申辩处理日期")]
        for field, later, earlier, message in (
            ("notice_on", self.notice_on, self.penalty_on, _("告知日期不能早于处罚决定日期")),
            (
                "defence_received_on",
                self.defence_received_on,
                self.notice_on,
                _("陈述申辩不能早于告知"),
            ),
            (
                "defence_decided_on",
                self.defence_decided_on,
                self.defence_received_on,
                _("处理日期不能早于收到日期"),
            ),
            ("listed_on", self.listed_on, self.notice_on, _("列入日期不能早于告知日期")),
            (
                "listed_on",
                self.listed_on,
                self.defence_decided_on,
                _("列入日期不能早于陈述申辩处理日期"),
            ),
            ("published_on", self.published_on, self.listed_on, _("公示日期不能早于列入日期")),
            ("removed_on", self.removed_on, self.listed_on, _("移出日期不能早于列入日期")),
        ):
            _check_order(errors, field, later, earlier, message)
        if self.published_on and not self.listed_on:
            errors.setdefault("published_on", []).append(_("尚未作出列入决定，不能公示"))
        if self.status == self.Status.REMOVED and not (self.removed_on and self.removal_reason):
            errors.setdefault("removed_on", []).append(_("请填写移出日期和移出原因"))
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.LISTED

    @property
    def repair_eligible_on(self):
        return clocks.repair_eligible_on(self.listed_on) if self.listed_on else None


class CreditRepair(models.Model):
    """信用修复: an application for early removal from the serious-violation list."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待决定")
        GRANTED = "granted", _("准予提前移出")
        REFUSED = "refused", _("不予提前移出")

    listing = models.ForeignKey(
        SeriousListing,
        verbose_name=_("严重违法失信名单"),
        on_delete=models.PROTECT,
        related_name="repairs",
    )
    applied_on = models.DateField(_("申请日期"))
    # 总局令第44号: the three conditions of early removal.
    obligations_met = models.BooleanField(_("已自觉履行行政处罚决定中规定的义务"), default=False)
    harm_removed = models.BooleanField(_("已主动消除危害后果和不良影响"), default=False)
    no_new_penalty = models.BooleanField(_("未再受到市场监管部门较重行政处罚"), default=False)
    evidence = models.TextField(_("证明材料"), blank=True)
    outcome = models.CharField(
        _("决定"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_note = models.TextField(_("决定理由"), blank=True)

    scope_district = "listing__entity__district"
    scope_station = "listing__entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["applied_on", "id"]

    def __str__(self) -> str:
        return f"{self.listing.entity.name} 信用修复申请（{self.applied_on:%Y-%m-%d}）"

    def clean(self) -> None:
        errors = past_dates(self, "applied_on", "decided_on")
        if errors:
            raise ValidationError(errors)

    @property
    def conditions_met(self) -> bool:
        return self.obligations_met and self.harm_removed and self.no_new_penalty


class CreditCommitment(models.Model):
    """信用承诺 (seed 004: 推行重点领域信用承诺)."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("审批替代型（告知承诺）")
        TOLERANCE = "tolerance", _("容缺受理型")
        INDUSTRY = "industry", _("行业自律型")
        REPAIR = "repair", _("信用修复型")
        VOLUNTARY = "voluntary", _("主动型")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("履行中")
        FULFILLED = "fulfilled", _("已履行")
        BREACHED = "breached", _("违反承诺")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="credit_commitments",
    )
    kind = models.CharField(_("承诺类型"), max_length=16, choices=Kind.choices)
    content = models.TextField(_("承诺内容"))
    signed_on = models.DateField(_("承诺日期"))
    status = models.CharField(
        _("履行状态"), max_length=16, choices=Status.choices, default=Status.IN_FORCE
    )
    status_on = models.DateField(_("履行/违诺认定日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用承诺")
        verbose_name_plural = _("信用承诺")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity.name} {self.get_kind_display()}（{self.signed_on:%Y-%m-%d}）"

    def clean(self) -> None:
        errors = past_dates(self, "signed_on", "status_on")
        if errors:
            raise ValidationError(errors)
        if self.status != self.Status.IN_FORCE and not self.status_on:
            raise ValidationError({"status_on": _("请填写履行或违诺的认定日期")})
        if self.status_on and self.signed_on and self.status_on < self.signed_on:
            raise ValidationError({"status_on": _("认定日期不能早于承诺日期")})
