"""The entity roster (检查对象名录库): market entities keyed by their USCC."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core import uscc
from jianguan.core.flags import FlagSet
from jianguan.core.scoping import ScopedManager

DOMAINS = FlagSet(
    [
        (0, "food", "食品"),
        (1, "drug", "药品"),
        (2, "medical_device", "医疗器械"),
        (3, "cosmetics", "化妆品"),
        (4, "special_equipment", "特种设备"),
        (5, "product_quality", "产品质量"),
        (6, "metrology", "计量器具许可"),
        (7, "testing_body", "检验检测机构"),
        (8, "industrial_licence", "工业产品生产许可"),
        (9, "advertising", "广告"),
        (10, "pricing", "价格"),
        (11, "online_trade", "网络交易"),
        (12, "public_info", "企业公示信息"),
        (13, "standards", "标准化"),
        (14, "certification", "认证"),
    ]
)

# Fields of inspection & testing bodies; the first four are the key fields of seed 001, where
# each district covers every body at least once a year.
TESTING_FIELDS = FlagSet(
    [
        (0, "epidemic_supplies", "防疫物资检测"),
        (1, "motor_vehicle", "机动车检验"),
        (2, "eco_monitoring", "生态环境监测"),
        (3, "food_testing", "食品检验"),
        (4, "construction", "建设工程检测"),
        (5, "product_testing", "产品质量检验"),
        (6, "health_testing", "卫生检测"),
        (7, "calibration", "计量校准"),
    ]
)
KEY_TESTING_FIELDS = ("epidemic_supplies", "motor_vehicle", "eco_monitoring", "food_testing")


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类: sections (A-T) and divisions (01-97)."""

    code = models.CharField(_("代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10)  # section / division
    section = models.CharField(_("门类"), max_length=1)

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Entity(models.Model):
    class Type(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL = "individual", _("个体工商户")
        COOPERATIVE = "cooperative", _("农民专业合作社")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("存续")
        REVOKED = "revoked", _("吊销")
        CANCELLED = "cancelled", _("注销")
        MOVED_OUT = "moved_out", _("迁出")

    class Tier(models.TextChoices):
        NONE = "", _("非重点")
        SPECIAL = "special", _("特殊重点")
        GENERAL = "general", _("一般重点")

    class RiskClass(models.TextChoices):
        A = "A", _("A类（低风险）")
        B = "B", _("B类（一般风险）")
        C = "C", _("C类（较高风险）")
        D = "D", _("D类（高风险）")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    # No plain index: the roster is searched by "name contains", which a btree cannot serve.
    name = models.CharField(_("名称"), max_length=200)
    entity_type = models.CharField(
        _("主体类型"), max_length=16, choices=Type.choices, default=Type.ENTERPRISE
    )
    region_code = models.CharField(_("登记地行政区划"), max_length=6, blank=True)
    # Indexed through the (district, station) index below.
    district = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属区局"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    station = models.ForeignKey(
        "org.Unit",
        verbose_name=_("所属所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("住所"), max_length=300, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=4, blank=True, db_index=True)
    status = models.CharField(
        _("登记状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    capital_wan = models.DecimalField(
        _("注册资本（万元）"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    legal_rep = models.CharField(_("法定代表人"), max_length=100, blank=True)
    domains = models.BigIntegerField(_("监管领域"), default=0)
    key_tier = models.CharField(
        _("重点领域类别"), max_length=16, choices=Tier.choices, blank=True, default=""
    )
    # Internal: steers draws, never published (DOMAIN.md "Credit lists").
    risk_class = models.CharField(
        _("信用风险分类"), max_length=1, choices=RiskClass.choices, blank=True
    )
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = "district"
    scope_station = "station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        ordering = ["id"]
        # risk_class is not indexed: a classification run rewrites it for millions of rows, and
        # unindexed columns update in place (HOT, with the fillfactor set in migration 0004).
        indexes = [models.Index(fields=["district", "station"])]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Spaces and lower case are normalised before the length check (DOMAIN.md).
        self.uscc = uscc.normalise(self.uscc or "")
        super().clean_fields(exclude)

    def clean(self) -> None:
        try:
            self.uscc = uscc.validate(self.uscc)
        except uscc.USCCError as e:
            raise ValidationError({"uscc": str(e)}) from e
        self.region_code = self.uscc[2:8]
        if self.district_id and not self.district.is_district:
            raise ValidationError({"district": _("所属区局须为区级市场监管局")})
        if self.station_id and not self.station.is_station:
            raise ValidationError({"station": _("所属所须为市场监管所或执法大队")})
        if self.station_id and self.district_id and self.station.district_id != self.district_id:
            raise ValidationError({"station": _("所属所不属于所选区局")})
        if self.industry_code and not industry_known(self.industry_code):
            raise ValidationError({"industry_code": _("行业代码不在 GB/T 4754-2017 中")})

    @property
    def domain_labels(self) -> list[str]:
        return DOMAINS.labels(self.domains)

    @property
    def industry(self) -> Industry | None:
        return (
            Industry.objects.filter(code=self.industry_code[:2]).first()
            if self.industry_code
            else None
        )


def industry_known(code: str) -> bool:
    """A division code, or a group/class code (3-4 digits) under a known division."""
    return (
        code.isdigit() and 2 <= len(code) <= 4 and Industry.objects.filter(code=code[:2]).exists()
    )


class TestingBody(models.Model):
    """Extra data of an inspection & testing body (检验检测机构)."""

    entity = models.OneToOneField(
        Entity,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="testing_body",
        verbose_name=_("市场主体"),
    )
    cert_no = models.CharField(_("资质认定证书编号"), max_length=32, blank=True)
    scope = models.TextField(_("资质认定范围"), blank=True)
    cert_issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    cert_expires_on = models.DateField(_("有效期至"), null=True, blank=True)  # valid 6 years
    by_commitment = models.BooleanField(_("告知承诺方式取得"), default=False)
    fields = models.BigIntegerField(_("检验检测领域"), default=0)

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("检验检测机构信息")
        verbose_name_plural = _("检验检测机构信息")

    def __str__(self) -> str:
        return f"{self.entity.name}（{self.cert_no}）"

    @property
    def field_labels(self) -> list[str]:
        return TESTING_FIELDS.labels(self.fields)
