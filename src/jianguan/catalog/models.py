"""The check-item list (随机抽查事项清单), the departments that own items, and result codes.

All three are city-wide reference data (scope_district = scope_station = None): every member of
staff reads them, only city administrators change them (core.scoping).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from jianguan.core.flags import FlagSet
from jianguan.core.scoping import ScopedManager
from jianguan.registry.models import DOMAINS

# Check methods (DOMAIN.md "Double random, one public"; seed 003 §六). Bits are stable.
METHODS = FlagSet(
    [
        (0, "onsite", "实地检查"),
        (1, "document", "书面检查"),
        (2, "online", "网络检查"),
        (3, "entrusted", "委托专业机构"),
        (4, "testing", "检验检测"),
        (5, "other_conclusion", "采信其他部门结论"),
    ]
)

# Ratios are fractions (0.03 = 3%) with four decimals: 0.01% is the finest step.
RATIO_DIGITS, RATIO_PLACES = 5, 4
RATIO_MAX = Decimal(1)
LEGAL_BASIS_MAX = 2000


class Department(models.Model):
    """A department owning check items (市场监管, 公安, 生态环境 …): joint tasks combine them."""

    code = models.CharField(_("部门代码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=50, unique=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        self.code = (self.code or "").strip()
        self.name = (self.name or "").strip()
        super().clean_fields(exclude)


def _ratio_field(label, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=RATIO_DIGITS,
        decimal_places=RATIO_PLACES,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(RATIO_MAX)],
        **kwargs,
    )


class CheckItem(models.Model):
    """One item of the random-check list: who owns it, its basis, what and how it checks, and
    the sampling ratio. Key items (重点检查事项) have no upper cap on the ratio; general items
    (一般检查事项) have a cap (seed 003: 2%) that the default ratio may not exceed."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("一般检查事项")
        KEY = "key", _("重点检查事项")

    KIND = Kind

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("事项编码"), max_length=32, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    legal_basis = models.TextField(
        _("法律依据"),
        max_length=LEGAL_BASIS_MAX,
        validators=[MaxLengthValidator(LEGAL_BASIS_MAX)],
    )
    object_type = models.CharField(_("检查对象类型"), max_length=200)
    methods = models.PositiveIntegerField(_("检查方式"), default=0)
    kind = models.CharField(
        _("事项类别"), max_length=16, choices=Kind.choices, default=Kind.GENERAL
    )
    default_ratio = _ratio_field(_("默认抽查比例"))
    cap = _ratio_field(_("比例上限"), null=True, blank=True)
    # A floor as well as a cap: a task with this item may not sample less (seed 001 §三(二)1:
    # testing bodies at least 15% a year).
    min_ratio = _ratio_field(_("比例下限"), null=True, blank=True)
    domains = models.BigIntegerField(_("监管领域"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项")
        ordering = ["department__code", "code"]
        constraints = [
            # The ratio rule of seed 003, also in the database (clean() gives the messages).
            models.CheckConstraint(
                condition=models.Q(default_ratio__gt=0)
                & (
                    models.Q(kind="key", cap__isnull=True)
                    | models.Q(kind="general", cap__isnull=False, default_ratio__lte=F("cap"))
                ),
                name="catalog_item_ratio_cap",
                violation_error_message=_("抽查比例与比例上限不符合事项类别的规定"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean_fields(self, exclude=None) -> None:
        self.code = (self.code or "").strip()
        self.name = (self.name or "").strip()
        self.object_type = (self.object_type or "").strip()
        # One line: the list is exchanged as csv/xlsx, whose cells take no line breaks.
        self.legal_basis = " ".join((self.legal_basis or "").split())
        super().clean_fields(exclude)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.methods:
            errors["methods"] = _("请至少选择一种检查方式")
        elif self.methods & ~METHODS.mask(METHODS.by_code):
            errors["methods"] = _("检查方式含未知代码")
        if self.domains & ~DOMAINS.mask(DOMAINS.by_code):
            errors["domains"] = _("监管领域含未知代码")
        ratio, cap = self.default_ratio, self.cap
        if ratio is not None and ratio <= 0:
            errors["default_ratio"] = _("默认抽查比例应大于0")
        if self.kind == self.Kind.KEY:
            if cap is not None:
                errors["cap"] = _("重点检查事项抽查比例不设上限，请清空比例上限")
        elif cap is None:
            errors["cap"] = _("一般检查事项须设比例上限（如 2%）")
        elif cap <= 0:
            errors["cap"] = _("比例上限应大于0")
        elif ratio is not None and ratio > cap:
            errors["default_ratio"] = _("默认抽查比例（%(r)s）不能高于比例上限（%(c)s）") % {
                "r": percent(ratio),
                "c": percent(cap),
            }
        floor = self.min_ratio
        if floor is not None and "cap" not in errors:
            if floor <= 0:
                errors["min_ratio"] = _("比例下限应大于0，不设下限请留空")
            elif cap is not None and floor > cap:
                errors["min_ratio"] = _("比例下限（%(f)s）不能高于比例上限（%(c)s）") % {
                    "f": percent(floor),
                    "c": percent(cap),
                }
            elif ratio is not None and ratio < floor:
                errors["default_ratio"] = _("默认抽查比例（%(r)s）不能低于比例下限（%(f)s）") % {
                    "r": percent(ratio),
                    "f": percent(floor),
                }
        if errors:
            raise ValidationError(errors)

    @property
    def is_key(self) -> bool:
        return self.kind == self.Kind.KEY

    @property
    def method_labels(self) -> list[str]:
        return METHODS.labels(self.methods)

    @property
    def domain_labels(self) -> list[str]:
        return DOMAINS.labels(self.domains)

    @property
    def default_ratio_percent(self) -> str:
        return percent(self.default_ratio)

    @property
    def cap_percent(self) -> str:
        return percent(self.cap) if self.cap is not None else ""

    @property
    def min_ratio_percent(self) -> str:
        return percent(self.min_ratio) if self.min_ratio is not None else ""


KIND = CheckItem.Kind


def percent(fraction: Decimal | None) -> str:
    """0.0300 → "3%", 0.0250 → "2.5%"."""
    if fraction is None:
        return ""
    return f"{percent_number(fraction)}%"


def percent_number(fraction: Decimal) -> str:
    """0.0300 → "3", 0.0250 → "2.5": the number of percent, without trailing zeros."""
    value = (Decimal(fraction) * 100).normalize()
    return format(value, "f")


class ResultCode(models.Model):
    """An inspection result code (检查结果代码): an editable list of two levels, where sub-kinds
    (e.g. of 发现问题待后续处理) have a parent. `problem_found` says whether the code means the
    check found a problem (for statistics and follow-up)."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级代码"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    problem_found = models.BooleanField(_("发现问题"), default=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检查结果代码")
        verbose_name_plural = _("检查结果代码")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean_fields(self, exclude=None) -> None:
        self.code = (self.code or "").strip()
        self.name = (self.name or "").strip()
        super().clean_fields(exclude)

    def clean(self) -> None:
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        if self.pk is not None and parent.pk == self.pk:
            raise ValidationError({"parent": _("上级代码不能是其本身")})
        if parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("上级代码“%(c)s”本身是细分类型；结果代码只分两级") % {"c": parent}}
            )
        if self.pk is not None and self.children.exists():
            raise ValidationError({"parent": _("该代码下已有细分类型，不能再设上级代码")})
        if parent.problem_found != self.problem_found:
            raise ValidationError(
                {
                    "problem_found": _("细分类型的“发现问题”须与上级代码“%(c)s”一致（%(v)s）")
                    % {"c": parent, "v": "是" if parent.problem_found else "否"}
                }
            )


class Violation(models.Model):
    """A violation type (违法行为代码) of inspection & testing bodies, from 检验检测机构监督管理办法
    (总局令第39号): used in check results, targeted checks, legal handling and cases.

    `fine_yuan` is the fixed fine of the rule where no other law or regulation sets one
    (39号令 art. 26: 3万元 for untrue or false reports); empty when the rule sets none."""

    class Category(models.TextChoices):
        NO_QUALIFICATION = "no_qualification", _("未取得资质认定")
        FALSE_REPORT = "false_report", _("出具虚假检验检测报告")
        UNTRUE_REPORT = "untrue_report", _("出具不实检验检测报告")
        OTHER = "other", _("其他违法行为")

    code = models.CharField(_("代码"), max_length=16, unique=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    name = models.CharField(_("违法行为"), max_length=200)
    article = models.CharField(_("条款"), max_length=100)
    penalty_basis = models.CharField(_("处罚依据"), max_length=300, blank=True)
    fine_yuan = models.DecimalField(
        _("罚款金额（元，法律法规未另行规定时）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("违法行为代码")
        verbose_name_plural = _("违法行为代码")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def fine(self, other_law: str = "") -> Decimal | None:
        """The fine the rule sets: none where another law or regulation sets its own."""
        return None if other_law.strip() else self.fine_yuan
