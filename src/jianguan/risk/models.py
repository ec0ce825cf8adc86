"""Credit-risk classification (信用风险分类) as versioned data, its runs, recorded check outcomes,
and the key-area lists (重点领域“四个清单”, seed 004).

A RiskModel version that has been used for a run (or is active) is never changed: an edit makes a
new draft copy (services.model_draft). Runs keep the version and, per entity, score, class and
explanation, so a past class can always be reproduced.

Risk classes and scores are internal (DOMAIN.md "Credit lists"): nothing here is ever shown on a
public page or in a public answer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager
from jianguan.registry.models import DOMAINS

from . import scoring

CLASSES = scoring.CLASSES

# The key areas of seed 004 (食品、药品、医疗器械、化妆品、特种设备、产品质量安全): registry domain codes.
AREAS = [
    ("food", _("食品")),
    ("drug", _("药品")),
    ("medical_device", _("医疗器械")),
    ("cosmetics", _("化妆品")),
    ("special_equipment", _("特种设备")),
    ("product_quality", _("产品质量安全")),
]


class RiskModel(models.Model):
    """One version of the classification model (通用模型 + 专业调整)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("启用中")
        RETIRED = "retired", _("已停用")

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("基于版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    thresholds = models.JSONField(
        _("分类阈值"),
        default=dict,
        help_text=_('各类得分下限，如 {"B": 20, "C": 35, "D": 50}：低于 B 为 A 类'),
    )
    draw_ratios = models.JSONField(
        _("各类抽查比例"),
        default=dict,
        help_text=_('如 {"A": 0.02, "B": 0.05, "C": 1, "D": 1}：抽取规则和回测的默认值'),
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    scope_district = None  # city-wide: every staff member reads, city admins change
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用风险分类模型")
        verbose_name_plural = _("信用风险分类模型")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"V{self.version} {self.name}"

    def clean(self) -> None:
        errors = {}
        try:
            cuts = [float(self.thresholds[c]) for c in ("B", "C", "D")]
            if not cuts[0] <= cuts[1] <= cuts[2]:
                errors["thresholds"] = _("阈值须满足 B ≤ C ≤ D")
        except (KeyError, TypeError, ValueError):
            errors["thresholds"] = _("请填写 B、C、D 三类的得分下限（数字）")
        try:
            for c in CLASSES:
                r = float(self.draw_ratios[c])
                if not 0 <= r <= 1:
                    errors["draw_ratios"] = _("抽查比例应在 0 到 1 之间")
        except (KeyError, TypeError, ValueError):
            errors["draw_ratios"] = _("请填写 A、B、C、D 四类的抽查比例（0 到 1 的数字）")
        if errors:
            raise ValidationError(errors)

    @property
    def frozen(self) -> bool:
        """Active or used for a run: never changed again (edits go to a new draft)."""
        return self.status != self.Status.DRAFT or self.runs.exists()


def compile_rule(rule: dict) -> dict:
    """A stored rule for the pure core: a mask rule names domains by code ("map": {"food": 20});
    the core wants bit numbers ("bits": {0: 20})."""
    if not isinstance(rule, dict) or rule.get("type") != "mask":
        return rule if isinstance(rule, dict) else {}
    bits = {}
    for code, p in (rule.get("map") or {}).items():
        if code not in DOMAINS.by_code:
            raise scoring.RuleError(f"未知的监管领域：{code}")
        bits[DOMAINS.by_code[code].bit_length() - 1] = p
    return {"type": "mask", "bits": bits, "combine": rule.get("combine", "max")}


class Indicator(models.Model):
    class Group(models.TextChoices):
        BASIC = "basic", _("基本属性")
        DYNAMIC = "dynamic", _("动态信息")
        SUPERVISION = "supervision", _("监管信息")
        RELATIONS = "relations", _("关联关系")
        SOCIAL = "social", _("社会评价")

    model = models.ForeignKey(
        RiskModel, verbose_name=_("模型"), on_delete=models.CASCADE, related_name="indicators"
    )
    group = models.CharField(_("指标类别"), max_length=16, choices=Group.choices)
    code = models.CharField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=100)
    feature = models.CharField(
        _("数据来源"), max_length=40, choices=[(k, v[1]) for k, v in scoring.FEATURES.items()]
    )
    source_note = models.CharField(_("数据来源说明"), max_length=200, blank=True)
    rule = models.JSONField(_("计分规则"), default=dict)
    weight = models.FloatField(_("权重"), default=1.0)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("风险指标")
        verbose_name_plural = _("风险指标")
        ordering = ["model", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="risk_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            scoring.validate_rule(self.feature, compile_rule(self.rule))
        except scoring.RuleError as e:
            raise ValidationError({"rule": str(e)}) from e


class VetoItem(models.Model):
    """否决项: when its condition holds the entity is class D whatever its score."""

    model = models.ForeignKey(
        RiskModel, verbose_name=_("模型"), on_delete=models.CASCADE, related_name="vetoes"
    )
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("否决项"), max_length=100)
    feature = models.CharField(
        _("数据来源"), max_length=40, choices=[(k, v[1]) for k, v in scoring.FEATURES.items()]
    )
    op = models.CharField(
        _("运算符"), max_length=4, choices=[(o, o) for o in scoring.VETO_OPS], default="=="
    )
    value = models.JSONField(_("比较值"), default=bool)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("否决项")
        verbose_name_plural = _("否决项")
        ordering = ["model", "id"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="risk_veto_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            scoring.validate_veto(scoring.Veto(self.code, self.feature, self.op, self.value))
        except scoring.RuleError as e:
            raise ValidationError({"value": str(e)}) from e


class DomainAdjustment(models.Model):
    """专业模型: for entities in one domain, extra points and multipliers of indicators."""

    model = models.ForeignKey(
        RiskModel, verbose_name=_("模型"), on_delete=models.CASCADE, related_name="adjustments"
    )
    domain = models.CharField(_("监管领域"), max_length=32)
    extra_points = models.FloatField(_("附加分"), default=0)
    multipliers = models.JSONField(
        _("指标权重系数"), default=dict, blank=True, help_text=_('如 {"findings": 1.5}')
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("专业模型调整")
        verbose_name_plural = _("专业模型调整")
        ordering = ["model", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "domain"], name="risk_adjustment_domain")
        ]

    def __str__(self) -> str:
        return dict(DOMAINS.choices).get(self.domain, self.domain)

    def clean(self) -> None:
        if self.domain not in DOMAINS.by_code:
            raise ValidationError({"domain": _("未知的监管领域")})
        if not isinstance(self.multipliers, dict) or not all(
            isinstance(v, int | float) and v >= 0 for v in self.multipliers.values()
        ):
            raise ValidationError({"multipliers": _("系数应为 {指标代码: 非负数} 的形式")})


class ClassRun(models.Model):
    """One classification of every entity with one model version."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    model = models.ForeignKey(
        RiskModel, verbose_name=_("模型版本"), on_delete=models.PROTECT, related_name="runs"
    )
    as_of = models.DateField(_("数据基准日"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    counts = models.JSONField(_("各类户数"), default=dict)
    changed = models.PositiveIntegerField(_("分类变化户数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("分类运行")
        verbose_name_plural = _("分类运行")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 次分类（{self.model}）"


class EntityRiskClass(models.Model):
    """One entity's score and class in one run: the class history. Written in bulk (COPY on
    PostgreSQL), millions per run: no foreign-key triggers (as sampling.Visit), Django still
    refuses deletes that would orphan them."""

    run = models.ForeignKey(
        ClassRun,
        verbose_name=_("分类运行"),
        on_delete=models.PROTECT,
        related_name="rows",
        db_constraint=False,
        db_index=False,  # a run's rows are read per entity; its counts are kept on the run
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="risk_history",
        db_constraint=False,
        db_index=False,  # the (entity, run) index serves it
    )
    score = models.FloatField(_("得分"))
    risk_class = models.CharField(_("信用风险分类"), max_length=1)
    explanation = models.TextField(_("得分说明"), blank=True)  # compact JSON, see scoring

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用风险分类记录")
        verbose_name_plural = _("信用风险分类记录")
        ordering = ["-run_id"]
        indexes = [models.Index(fields=["entity", "run"], name="risk_history_entity_run")]

    def __str__(self) -> str:
        return f"{self.entity_id}：{self.risk_class}（{self.score}）"


class CheckOutcome(models.Model):
    """A recorded check result: was a problem found? The inspections module will feed it; the
    demo history (seed_risk_history) fills it with source 'demo'. Read by the model (feature
    problem_findings_3y) and by the backtest."""

    class Source(models.TextChoices):
        DEMO = "demo", _("演示数据")
        INSPECTION = "inspection", _("检查结果")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="check_outcomes",
        db_constraint=False,
    )
    checked_on = models.DateField(_("检查日期"))
    problem_found = models.BooleanField(_("发现问题"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查结果记录")
        verbose_name_plural = _("检查结果记录")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["checked_on"], name="risk_outcome_checked_on")]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.checked_on}：{'发现问题' if self.problem_found else '未发现问题'}"


# --- 重点领域“四个清单” ------------------------------------------------------------------------------


class KeyAreaMatter(models.Model):
    """监管事项清单: who supervises what, in which key area, by which measures."""

    area = models.CharField(_("重点领域"), max_length=32, choices=AREAS)
    title = models.CharField(_("监管事项"), max_length=200)
    subject = models.CharField(_("监管对象"), max_length=200)
    content = models.TextField(_("监管内容"))
    supervisor = models.CharField(_("监管主体（责任单位/科室）"), max_length=200)
    measures = models.TextField(_("监管措施"))
    basis = models.TextField(_("设定依据"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点领域监管事项")
        verbose_name_plural = _("重点领域监管事项")
        ordering = ["area", "id"]

    def __str__(self) -> str:
        return self.title


class KeyAreaInfo(models.Model):
    """信息归集公示事项清单: what to collect and publish per key area (谁产生、谁提供、谁负责)."""

    class Category(models.TextChoices):
        LICENCE = "licence", _("行政许可")
        PENALTY = "penalty", _("行政处罚")
        SAMPLING = "sampling", _("抽查检验")
        INSPECTION = "inspection", _("监督检查结果")
        OTHER = "other", _("其他")

    area = models.CharField(_("重点领域"), max_length=32, choices=AREAS)
    category = models.CharField(_("信息类别"), max_length=16, choices=Category.choices)
    title = models.CharField(_("信息事项"), max_length=200)
    provider = models.CharField(_("提供单位（谁产生、谁提供、谁负责）"), max_length=200)
    time_limit = models.CharField(_("归集公示时限"), max_length=100, blank=True)
    published = models.BooleanField(_("向社会公示"), default=True)
    basis = models.TextField(_("依据"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点领域信息归集公示事项")
        verbose_name_plural = _("重点领域信息归集公示事项")
        ordering = ["area", "category", "id"]

    def __str__(self) -> str:
        return self.title


class KeyAreaListing(models.Model):
    """企业清单: one entity listed as special-key (特殊重点) or general-key (一般重点) in one area,
    with the reason. Entity.key_tier follows the active listings (services.sync_key_tier)."""

    class Tier(models.TextChoices):
        SPECIAL = "special", _("特殊重点")
        GENERAL = "general", _("一般重点")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="key_area_listings",
    )
    area = models.CharField(_("重点领域"), max_length=32, choices=AREAS)
    tier = models.CharField(_("类别"), max_length=16, choices=Tier.choices)
    reason = models.TextField(_("列入理由"))
    listed_on = models.DateField(_("列入日期"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("列入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.CharField(_("移出理由"), max_length=200, blank=True)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点领域企业")
        verbose_name_plural = _("重点领域企业")
        ordering = ["-listed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "area"],
                condition=models.Q(removed_on__isnull=True),
                name="risk_keyarea_one_active_per_area",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity.name}（{self.get_area_display()}·{self.get_tier_display()}）"

    @property
    def is_active(self) -> bool:
        return self.removed_on is None

    def clean(self) -> None:
        if self.removed_on and self.listed_on and self.removed_on < self.listed_on:
            raise ValidationError({"removed_on": _("移出日期不能早于列入日期")})
