"""Supervision of inspection & testing bodies (检验检测机构, seed 001 §三、§四).

The body itself is on the entity roster (registry.Entity with registry.TestingBody, its current
certificate and fields); this app holds what supervision adds to it:

- the qualification register (资质认定) with the status history and the 3-year bar after a
  revocation for a false commitment, and the applications on which the bar is enforced;
- tracked changes (法定代表人、技术负责人、授权签字人、场所、主要设备、范围) that monitoring reads;
- commitment follow-up (告知承诺后续核查) of every body approved on commitment;
- yearly risk-monitoring plans per district (风险监测) and the city's summaries;
- proficiency testing and blind samples (能力验证、盲样考核): the scheme library, results graded
  by z (zscore.py), rectification with a deadline, appeals;
- capability assessments (综合能力考核);
- credit grades A–D from an indicator system kept as data (信用等级评价);
- online-platform monitoring leads (网络平台监测线索) and the targeted checks they lead to;
- legal handling (依法处理) of what these find, with the 39号令 fine rule;
- typical cases published for the public (典型案例).

Rows that belong to one body are scoped by the body's district and station, like the entity.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.core.scoping import ScopedManager
from jianguan.core.validators import past_dates
from jianguan.registry.models import TESTING_FIELDS

from . import zscore

VALID_YEARS = 6  # a qualification certificate is valid 6 years (资质认定证书有效期)
BAR_YEARS = 3  # revoked for a false commitment: no new application for 3 years
FOLLOW_UP_MONTHS = 3  # on-site verification within 3 months of approval (seed 001 §三(一))
MIN_EXPERTS = 2  # at least 2 technical experts on site
APPEAL_WORKING_DAYS = 15  # appeal against a PT grade within 15 working days


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _BodyScoped(models.Model):
    """A row of one body: scoped by the body's district and station."""

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_district = "entity__district"
    scope_station = "entity__station"
    objects = ScopedManager()

    class Meta:
        abstract = True


# --- qualification (资质认定) --------------------------------------------------------------------


class Route(models.TextChoices):
    COMMITMENT = "commitment", _("告知承诺")
    REVIEW = "review", _("一般程序（技术评审）")


class Qualification(_BodyScoped):
    """One certificate. A body has at most one qualification in force (有效 or 暂停); a new
    certificate after revocation, cancellation or expiry is a new row."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("撤销")
        CANCELLED = "cancelled", _("注销")
        EXPIRED = "expired", _("过期")

    IN_FORCE = (Status.VALID, Status.SUSPENDED)

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    cert_no = models.CharField(_("资质认定证书编号"), max_length=32, unique=True)
    scope = models.TextField(
        _("资质认定范围（项目/参数）"), help_text=_("每行一项，如：食品 / 铅 / GB 5009.12")
    )
    fields = models.BigIntegerField(_("检验检测领域"), default=0)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"))
    route = models.CharField(_("取得方式"), max_length=16, choices=Route.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.VALID
    )
    status_on = models.DateField(_("状态变更日期"))
    # Revoked because the commitment was false: no new application before bar_until.
    false_commitment = models.BooleanField(_("因虚假承诺撤销"), default=False)
    bar_until = models.DateField(_("不得再次申请至"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资质认定")
        verbose_name_plural = _("资质认定")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"],
                condition=models.Q(status__in=["valid", "suspended"]),
                name="testing_one_qualification_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cert_no}（{self.get_status_display()}）"

    @property
    def field_labels(self) -> list[str]:
        return TESTING_FIELDS.labels(self.fields)

    @property
    def in_force(self) -> bool:
        return self.status in self.IN_FORCE

    @property
    def scope_lines(self) -> list[str]:
        return [line.strip() for line in self.scope.splitlines() if line.strip()]

    def clean(self) -> None:
        errors = {}
        if self.issued_on and self.expires_on:
            if self.expires_on <= self.issued_on:
                errors["expires_on"] = _("有效期至应晚于发证日期")
            elif self.expires_on > add_years(self.issued_on, VALID_YEARS):
                errors["expires_on"] = _("资质认定证书有效期为6年，有效期至不能晚于 %(d)s") % {
                    "d": add_years(self.issued_on, VALID_YEARS).isoformat()
                }
        if self.fields & ~TESTING_FIELDS.mask(TESTING_FIELDS.by_code):
            errors["fields"] = _("检验检测领域含未知代码")
        if errors:
            raise ValidationError(errors)


class QualificationEvent(models.Model):
    """The status history of a qualification: every change with its date and reason."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="events"
    )
    status_from = models.CharField(
        _("原状态"), max_length=16, choices=Qualification.Status.choices, blank=True
    )
    status_to = models.CharField(_("新状态"), max_length=16, choices=Qualification.Status.choices)
    on = models.DateField(_("日期"))
    reason = models.CharField(_("事由"), max_length=300)
    decision_no = models.CharField(_("决定书文号"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_district = "qualification__entity__district"
    scope_station = "qualification__entity__station"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("资质认定状态变更")
        verbose_name_plural = _("资质认定状态变更")
        ordering = ["qualification", "on", "id"]

    def __str__(self) -> str:
        return f"{self.qualification.cert_no}：{self.get_status_to_display()}（{self.on}）"


class Application(_BodyScoped):
    """A qualification application (资质认定申请) as received: where the 3-year bar after a
    revocation for a false commitment is enforced."""

    class Status(models.TextChoices):
        PENDING = "pending", _("办理中")
        APPROVED = "approved", _("已准予")
        REFUSED = "refused", _("不予许可")
        WITHDRAWN = "withdrawn", _("已撤回")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="qualification_applications",
    )
    received_on = models.DateField(_("受理日期"))
    route = models.CharField(_("申请方式"), max_length=16, choices=Route.choices)
    scope = models.TextField(_("申请范围（项目/参数）"))
    fields = models.BigIntegerField(_("检验检测领域"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=300, blank=True)
    qualification = models.OneToOneField(
        Qualification,
        verbose_name=_("资质认定证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资质认定申请")
        verbose_name_plural = _("资质认定申请")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity} {self.received_on} 资质认定申请"


class BodyChange(_BodyScoped):
    """A change that matters (seed 001 §三(二)3: 人员、场地、仪器设备等的变化), with its date."""

    class Kind(models.TextChoices):
        LEGAL_REP = "legal_rep", _("法定代表人")
        TECH_DIRECTOR = "tech_director", _("技术负责人")
        SIGNATORY = "signatory", _("授权签字人")
        SITE = "site", _("检验检测场所地址")
        EQUIPMENT = "equipment", _("主要仪器设备")
        SCOPE = "scope", _("资质认定范围")

    class Source(models.TextChoices):
        REPORTED = "reported", _("机构报告")
        MONITORING = "monitoring", _("风险监测发现")
        CHECK = "check", _("检查发现")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="testing_changes",
    )
    kind = models.CharField(_("变更事项"), max_length=16, choices=Kind.choices)
    before = models.CharField(_("变更前"), max_length=300, blank=True)
    after = models.CharField(_("变更后"), max_length=300)
    changed_on = models.DateField(_("变更日期"))
    source = models.CharField(
        _("来源"), max_length=16, choices=Source.choices, default=Source.REPORTED
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构变更")
        verbose_name_plural = _("机构变更")
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity}：{self.get_kind_display()}变更（{self.changed_on}）"

    @property
    def unreported(self) -> bool:
        return self.source != self.Source.REPORTED


# --- commitment follow-up (告知承诺后续核查) ------------------------------------------------------


class FollowUp(_BodyScoped):
    """告知承诺后续核查 of one qualification approved on commitment: a document review or an
    on-site verification within 3 months of approval by at least 2 drawn technical experts.
    The experts are drawn through the draw (its expert assignment and its proof): `task` is
    the follow-up's own one-body task."""

    class Method(models.TextChoices):
        DOCUMENT = "document", _("文件检查")
        ONSITE = "onsite", _("现场检查")

    class Outcome(models.TextChoices):
        PENDING = "", _("待核查")
        TRUE = "true", _("承诺属实")
        RECTIFY = "rectify", _("承诺基本属实，责令整改")
        UNTRUE = "untrue", _("承诺不实（启动撤销程序）")

    qualification = models.OneToOneField(
        Qualification,
        verbose_name=_("资质认定"),
        on_delete=models.PROTECT,
        related_name="follow_up",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="commitment_follow_ups",
    )
    method = models.CharField(_("核查方式"), max_length=16, choices=Method.choices)
    due_on = models.DateField(_("核查期限"))
    task = models.OneToOneField(
        "planning.Task",
        verbose_name=_("专家抽取任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment_follow_up",
    )
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    experts_present = models.ManyToManyField(
        "personnel.Expert", verbose_name=_("到场专家"), blank=True, related_name="+"
    )
    findings = models.TextField(_("核查情况"), blank=True)
    outcome = models.CharField(
        _("核查结论"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("告知承诺后续核查")
        verbose_name_plural = _("告知承诺后续核查")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.entity} 告知承诺后续核查"

    @property
    def done(self) -> bool:
        return bool(self.outcome)

    @property
    def on_time(self) -> bool | None:
        """Checked by the due date (None while pending)."""
        return None if self.checked_on is None else self.checked_on <= self.due_on


# --- risk monitoring (风险监测) ------------------------------------------------------------------


class MonitoringPlan(models.Model):
    """A district's yearly monitoring plan: every body of the district, at least once."""

    district = models.ForeignKey(
        "org.Unit", verbose_name=_("区局"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    note = models.TextField(_("工作要求"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("风险监测计划")
        verbose_name_plural = _("风险监测计划")
        ordering = ["-year", "district__sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], name="testing_monitoring_plan_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class MonitoringTarget(_BodyScoped):
    """One body in a plan (the plan covers every body of its district), with its station."""

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.PROTECT, related_name="targets")
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="monitoring_targets",
    )
    station = models.ForeignKey(
        "org.Unit",
        verbose_name=_("负责所队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_station = "station"

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["plan", "entity__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "entity"], name="testing_monitoring_target")
        ]

    def __str__(self) -> str:
        return f"{self.plan}：{self.entity}"


class Aspect(models.TextChoices):
    OK = "ok", _("与登记一致")
    REPORTED = "reported", _("有变化，已报告")
    UNREPORTED = "unreported", _("有变化，未报告")
    PROBLEM = "problem", _("发现问题")


class MonitoringVisit(_BodyScoped):
    """One monitoring visit: staff, site, equipment and basic compliance against the tracked
    changes."""

    target = models.ForeignKey(MonitoringTarget, on_delete=models.PROTECT, related_name="visits")
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="monitoring_visits",
    )
    visited_on = models.DateField(_("监测日期"))
    staff = models.CharField(_("人员"), max_length=16, choices=Aspect.choices)
    site = models.CharField(_("场地"), max_length=16, choices=Aspect.choices)
    equipment = models.CharField(_("仪器设备"), max_length=16, choices=Aspect.choices)
    compliance = models.CharField(
        _("检验检测活动基本合规性"),
        max_length=16,
        choices=[(Aspect.OK, _("未发现问题")), (Aspect.PROBLEM, _("发现问题"))],
    )
    findings = models.TextField(_("监测情况"), blank=True)
    inspectors = models.CharField(_("监测人员"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    ASPECTS = ("staff", "site", "equipment", "compliance")

    class Meta:
        verbose_name = _("风险监测记录")
        verbose_name_plural = _("风险监测记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity} {self.visited_on} 风险监测"

    @property
    def problems(self) -> int:
        """Aspects with an unreported change or a problem."""
        return sum(getattr(self, a) in (Aspect.UNREPORTED, Aspect.PROBLEM) for a in self.ASPECTS)


class MonitoringSummary(models.Model):
    """市市场监管局定期汇总并通报各区风险监测信息: a frozen copy of the figures of a period."""

    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    figures = models.JSONField(_("各区数据"), default=list)
    note = models.TextField(_("通报意见"), blank=True)
    issued_on = models.DateField(_("通报日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_district = None  # a city document that every district reads
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("风险监测通报")
        verbose_name_plural = _("风险监测通报")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.title


# --- proficiency testing (能力验证、盲样考核) ------------------------------------------------------


class PTScheme(models.Model):
    """The city's scheme library (能力验证项目库): a scheme or a blind-sample round."""

    class Kind(models.TextChoices):
        PT = "pt", _("能力验证")
        BLIND = "blind", _("盲样考核")

    number = models.CharField(_("能力验证计划编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.PT)
    field = models.CharField(_("领域"), max_length=32, choices=TESTING_FIELDS.choices)
    items = models.TextField(_("项目"), help_text=_("每行一个项目，如：铅、镉"))
    year = models.PositiveSmallIntegerField(_("年度"))
    provider = models.CharField(_("提供者"), max_length=200)
    # Mandatory for every body whose fields include one of these (0: voluntary).
    required_fields = models.BigIntegerField(_("强制参加的领域"), default=0)
    deadline = models.DateField(_("结果报送截止日期"))
    active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_district = None  # city-wide: the city keeps the library, every district reads it
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("能力验证计划")
        verbose_name_plural = _("能力验证计划")
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def item_list(self) -> list[str]:
        return [i.strip() for i in self.items.splitlines() if i.strip()]

    @property
    def required_labels(self) -> list[str]:
        return TESTING_FIELDS.labels(self.required_fields)


class Grade(models.TextChoices):
    SATISFACTORY = zscore.SATISFACTORY, _("满意")
    QUESTIONABLE = zscore.QUESTIONABLE, _("可疑")
    UNSATISFACTORY = zscore.UNSATISFACTORY, _("不满意")
    MISSED = "missed", _("未参加")


POOR = (Grade.QUESTIONABLE, Grade.UNSATISFACTORY)

_VALUE = {"max_digits": 24, "decimal_places": 8, "null": True, "blank": True}


class PTResult(_BodyScoped):
    """One body's result for one item of one scheme: x, X, σ̂, z and the grade. A missed
    mandatory scheme is a row with grade 未参加 and no values."""

    scheme = models.ForeignKey(
        PTScheme, verbose_name=_("能力验证计划"), on_delete=models.PROTECT, related_name="results"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="pt_results",
    )
    item = models.CharField(_("项目"), max_length=100, blank=True)
    x = models.DecimalField(_("结果值"), **_VALUE)
    assigned = models.DecimalField(_("指定值"), **_VALUE)
    sigma = models.DecimalField(
        _("能力评定标准差"), validators=[MinValueValidator(Decimal("0.00000001"))], **_VALUE
    )
    z = models.DecimalField(_("z值"), max_digits=30, decimal_places=12, null=True, blank=True)
    grade = models.CharField(_("评定结果"), max_length=16, choices=Grade.choices)
    reported_on = models.DateField(_("结果通报日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("能力验证结果")
        verbose_name_plural = _("能力验证结果")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "entity", "item"], name="testing_pt_result_once"
            )
        ]
        indexes = [models.Index(fields=["grade", "reported_on"], name="testing_pt_grade_day")]

    def __str__(self) -> str:
        return f"{self.entity}：{self.scheme.number} {self.item}（{self.get_grade_display()}）"

    @property
    def z_text(self) -> str:
        return zscore.z_text(self.z) if self.z is not None else ""

    @property
    def poor(self) -> bool:
        return self.grade in POOR

    def clean_fields(self, exclude=None) -> None:
        # The grade and z follow from the values: set before the fields are checked.
        values = (self.x, self.assigned, self.sigma)
        if self.grade != Grade.MISSED and all(v is not None for v in values) and self.sigma > 0:
            self.grade = zscore.grade(self.x, self.assigned, self.sigma)
            self.z = zscore.z_stored(self.x, self.assigned, self.sigma)
        super().clean_fields(exclude)

    def clean(self) -> None:
        values = (self.x, self.assigned, self.sigma)
        if self.grade == Grade.MISSED:
            if any(v is not None for v in values):
                raise ValidationError(_("未参加的记录不填结果值、指定值和标准差"))
        elif any(v is None for v in values):
            raise ValidationError(_("请填写结果值、指定值和能力评定标准差"))


class Rectification(_BodyScoped):
    """责令限期整改 after a 可疑 or 不满意 grade: a deadline, a re-test, and what follows."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        RECTIFIED = "rectified", _("整改合格")
        FAILED = "failed", _("复测仍不合格")
        HANDLED = "handled", _("逾期或不合格，已依法处理")

    result = models.OneToOneField(
        PTResult,
        verbose_name=_("能力验证结果"),
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="pt_rectifications",
    )
    ordered_on = models.DateField(_("责令整改日期"))
    due_on = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    retest_x = models.DecimalField(_("复测结果值"), **_VALUE)
    retest_on = models.DateField(_("复测日期"), null=True, blank=True)
    retest_grade = models.CharField(
        _("复测评定结果"), max_length=16, choices=Grade.choices, blank=True
    )
    handling = models.OneToOneField(
        "Handling",
        verbose_name=_("依法处理"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pt_rectification",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("能力验证整改")
        verbose_name_plural = _("能力验证整改")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.result} 整改"

    def overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today


class Appeal(_BodyScoped):
    """申诉 against a PT grade, filed within 15 working days of the result notification."""

    class Outcome(models.TextChoices):
        PENDING = "", _("待处理")
        UPHELD = "upheld", _("维持原评定")
        CORRECTED = "corrected", _("更正评定")

    result = models.ForeignKey(
        PTResult, verbose_name=_("能力验证结果"), on_delete=models.PROTECT, related_name="appeals"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="pt_appeals",
    )
    filed_on = models.DateField(_("申诉日期"))
    reason = models.TextField(_("申诉理由"))
    outcome = models.CharField(
        _("处理结果"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    decided_on = models.DateField(_("处理日期"), null=True, blank=True)
    reply = models.TextField(_("处理意见"), blank=True)
    grade_before = models.CharField(_("原评定结果"), max_length=16, choices=Grade.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("能力验证申诉")
        verbose_name_plural = _("能力验证申诉")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.result} 申诉"


# --- capability assessment (综合能力考核) ---------------------------------------------------------


class Assessment(_BodyScoped):
    """综合能力考核: exams and practical tests of key staff, expert review of equipment, site,
    reports and management system; scores, findings, rectification."""

    class Conclusion(models.TextChoices):
        PASS = "pass", _("符合资质认定要求")
        RECTIFY = "rectify", _("基本符合，责令限期整改")
        FAIL = "fail", _("不符合资质认定要求")

    class Review(models.TextChoices):
        OK = "ok", _("符合")
        MINOR = "minor", _("基本符合")
        FAIL = "fail", _("不符合")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="capability_assessments",
    )
    held_on = models.DateField(_("考核日期"))
    field = models.CharField(_("考核领域"), max_length=32, choices=TESTING_FIELDS.choices)
    exam_score = models.DecimalField(
        _("理论考试成绩"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    practical_score = models.DecimalField(
        _("实践操作成绩"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    equipment = models.CharField(_("仪器设备"), max_length=8, choices=Review.choices)
    site = models.CharField(_("场地设施"), max_length=8, choices=Review.choices)
    reports = models.CharField(_("检验检测报告"), max_length=8, choices=Review.choices)
    system = models.CharField(_("管理体系运行"), max_length=8, choices=Review.choices)
    experts = models.ManyToManyField(
        "personnel.Expert", verbose_name=_("审查专家"), blank=True, related_name="+"
    )
    findings = models.TextField(_("考核发现"), blank=True)
    conclusion = models.CharField(_("考核结论"), max_length=8, choices=Conclusion.choices)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    REVIEWS = ("equipment", "site", "reports", "system")
    PASS_SCORE = Decimal(60)

    class Meta:
        verbose_name = _("综合能力考核")
        verbose_name_plural = _("综合能力考核")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity} {self.held_on} 综合能力考核"

    def clean(self) -> None:
        errors = {}
        for name in ("exam_score", "practical_score"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                errors[name] = _("成绩应在 0 到 100 之间")
        if (
            self.conclusion in (self.Conclusion.RECTIFY, self.Conclusion.FAIL)
            and not self.rectify_by
        ):
            errors["rectify_by"] = _("考核结论需整改的，请填写整改期限")
        if self.rectify_by and self.held_on and self.rectify_by <= self.held_on:
            errors["rectify_by"] = _("整改期限应晚于考核日期")
        if errors:
            raise ValidationError(errors)


# --- credit grades (信用等级评价) ------------------------------------------------------------------


class GradeModel(models.Model):
    """One version of the indicator system (评价指标体系): deductions from 100 by indicator,
    veto items that force D, and the grade thresholds. Used or active versions never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("启用中")
        RETIRED = "retired", _("已停用")

    version = models.PositiveIntegerField(_("版本号"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    thresholds = models.JSONField(
        _("等级分数线"), default=dict, help_text=_('各等级得分下限，如 {"A": 90, "B": 75, "C": 60}')
    )
    draw_ratios = models.JSONField(
        _("各等级抽查比例"), default=dict, help_text=_('如 {"A": 0.15, "B": 0.3, "C": 0.6, "D": 1}')
    )
    # Seed 001 §二(三)2: departments buying testing services consult the grades.
    published = models.BooleanField(_("向社会公开等级"), default=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用等级评价指标体系")
        verbose_name_plural = _("信用等级评价指标体系")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"V{self.version} {self.name}"

    @property
    def frozen(self) -> bool:
        return self.status != self.Status.DRAFT or self.runs.exists()

    def clean(self) -> None:
        from . import grading

        try:
            grading.check_thresholds(self.thresholds)
            grading.check_ratios(self.draw_ratios)
        except grading.GradingError as e:
            raise ValidationError(str(e)) from e


class GradeIndicator(models.Model):
    class Category(models.TextChoices):
        LAW = "law", _("法律法规")
        TECHNICAL = "technical", _("技术要求")
        MANAGEMENT = "management", _("管理要求")
        RESPONSIBILITY = "responsibility", _("责任要求")

    model = models.ForeignKey(GradeModel, on_delete=models.CASCADE, related_name="indicators")
    category = models.CharField(_("指标类别"), max_length=16, choices=Category.choices)
    code = models.CharField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=100)
    feature = models.CharField(_("数据来源"), max_length=40)
    points = models.DecimalField(_("每次扣分"), max_digits=5, decimal_places=1)
    cap = models.DecimalField(_("最多扣分"), max_digits=5, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["model", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="testing_indicator_code")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from . import grading

        if self.feature not in grading.FEATURES:
            raise ValidationError({"feature": _("未知的数据来源")})
        if self.points is not None and self.points < 0:
            raise ValidationError({"points": _("扣分不能为负数")})
        if self.cap is not None and self.points is not None and self.cap < self.points:
            raise ValidationError({"cap": _("最多扣分不能小于每次扣分")})


class GradeVeto(models.Model):
    """否决项: when its feature reaches `at_least`, the grade is D whatever the score."""

    model = models.ForeignKey(GradeModel, on_delete=models.CASCADE, related_name="vetoes")
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("否决项"), max_length=100)
    feature = models.CharField(_("数据来源"), max_length=40)
    at_least = models.PositiveIntegerField(_("达到次数"), default=1)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("评价否决项")
        verbose_name_plural = _("评价否决项")
        ordering = ["model", "id"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="testing_veto_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from . import grading

        if self.feature not in grading.FEATURES:
            raise ValidationError({"feature": _("未知的数据来源")})
        if not self.at_least:
            raise ValidationError({"at_least": _("达到次数应至少为 1")})


class GradeRun(models.Model):
    """One grading of every body with one model version (on demand or monthly)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    model = models.ForeignKey(
        GradeModel, verbose_name=_("指标体系版本"), on_delete=models.PROTECT, related_name="runs"
    )
    as_of = models.DateField(_("数据基准日"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(_("触发方式"), max_length=16, default="manual")
    counts = models.JSONField(_("各等级机构数"), default=dict)
    changed = models.PositiveIntegerField(_("等级变化机构数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("信用等级评价")
        verbose_name_plural = _("信用等级评价")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"第 {self.pk} 次信用等级评价（{self.as_of}）"


class BodyGrade(_BodyScoped):
    """One body's grade in one run (the grade history); `current` marks the latest done run's."""

    run = models.ForeignKey(GradeRun, on_delete=models.PROTECT, related_name="rows")
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="testing_grades",
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("信用等级"), max_length=1)
    veto = models.CharField(_("否决项"), max_length=40, blank=True)
    explanation = models.JSONField(_("扣分说明"), default=list)
    current = models.BooleanField(_("现行"), default=False)

    class Meta:
        verbose_name = _("机构信用等级")
        verbose_name_plural = _("机构信用等级")
        ordering = ["-run_id"]
        indexes = [models.Index(fields=["entity", "run"], name="testing_grade_entity_run")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity"], condition=models.Q(current=True), name="testing_grade_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity}：{self.grade}"


# --- online platforms, targeted checks, legal handling ------------------------------------------


class OnlineLead(models.Model):
    """A lead from monitoring testing services sold online (seed 001 §三(二)4)."""

    class Kind(models.TextChoices):
        UNQUALIFIED = "unqualified", _("无资质销售检验检测服务")
        FAKE_REPORT = "fake_report", _("买卖伪造、变造检验检测报告")
        IMPERSONATION = "impersonation", _("冒用检验检测机构资质")
        FALSE_AD = "false_ad", _("虚假广告宣传")

    class Status(models.TextChoices):
        NEW = "new", _("待核查")
        CHECK = "check", _("已转定向检查")
        CLOSED = "closed", _("核查无问题，已办结")
        TRANSFERRED = "transferred", _("已移送有关部门")

    district = models.ForeignKey(
        "org.Unit", verbose_name=_("承办区局"), on_delete=models.PROTECT, related_name="+"
    )
    platform = models.CharField(_("平台"), max_length=100)
    url = models.URLField(_("网址"), max_length=500)
    seller = models.CharField(_("销售者名称"), max_length=200)
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("对应市场主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_leads",
    )
    kind = models.CharField(_("线索类型"), max_length=16, choices=Kind.choices)
    evidence = models.TextField(_("证据"), help_text=_("截图、页面存证编号、订单号等"))
    found_on = models.DateField(_("发现日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    closing_note = models.CharField(_("办结说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_district = "district"
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("网络平台监测线索")
        verbose_name_plural = _("网络平台监测线索")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return f"{self.platform}：{self.seller}（{self.get_kind_display()}）"


class TargetedCheck(_BodyScoped):
    """定向检查: a check of one body on a lead (not drawn), with its result and violation."""

    class Result(models.TextChoices):
        PENDING = "", _("待检查")
        NO_PROBLEM = "no_problem", _("未发现问题")
        VIOLATION = "violation", _("发现违法行为")

    lead = models.ForeignKey(
        OnlineLead,
        verbose_name=_("线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="targeted_checks",
    )
    reason = models.CharField(_("检查事由"), max_length=300)
    due_on = models.DateField(_("完成期限"))
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    result = models.CharField(
        _("检查结果"), max_length=16, choices=Result.choices, blank=True, default=""
    )
    violation = models.ForeignKey(
        "catalog.Violation",
        verbose_name=_("违法行为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    findings = models.TextField(_("检查情况"), blank=True)
    inspectors = models.CharField(_("检查人员"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定向检查")
        verbose_name_plural = _("定向检查")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entity} 定向检查（{self.reason}）"


class Handling(_BodyScoped):
    """依法处理: the legal handling of a finding (a PT not rectified in time, an untrue
    commitment, a targeted check's violation …) while case handling is not linked, and the
    link to the case (case_ref) once it is. The fine follows 39号令 art. 26 where the finding
    names a violation whose rule applies and no other law sets the fine."""

    class Measure(models.TextChoices):
        TALK = "talk", _("约谈")
        WARN = "warn", _("告诫")
        ORDER = "order", _("责令改正")
        PENALTY = "penalty", _("行政处罚")
        REVOKE = "revoke", _("撤销资质认定")
        CASE = "case", _("移送立案调查")

    class Source(models.TextChoices):
        PT = "pt", _("能力验证逾期未整改或整改后仍不合格")
        COMMITMENT = "commitment", _("告知承诺核查不实")
        TARGETED = "targeted", _("定向检查发现违法行为")
        ASSESSMENT = "assessment", _("综合能力考核不符合要求")
        CHECK = "check", _("双随机抽查发现违法行为")

    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("检验检测机构"),
        on_delete=models.PROTECT,
        related_name="testing_handlings",
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    violation = models.ForeignKey(
        "catalog.Violation",
        verbose_name=_("违法行为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(_("处理措施"), max_length=16, choices=Measure.choices)
    other_law = models.CharField(
        _("其他法律法规的处罚规定"),
        max_length=300,
        blank=True,
        help_text=_("法律、法规另有罚款规定的，写明依据；未作规定的留空，适用3万元"),
    )
    fine_yuan = models.DecimalField(
        _("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_on = models.DateField(_("决定日期"))
    decision_no = models.CharField(_("决定书文号"), max_length=100, blank=True)
    case_ref = models.CharField(_("案件编号"), max_length=60, blank=True)
    facts = models.TextField(_("违法事实及处理情况"))
    public = models.BooleanField(_("公开"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("依法处理")
        verbose_name_plural = _("依法处理")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entity} {self.get_measure_display()}（{self.decided_on}）"

    def clean(self) -> None:
        # a public handling (a penalty among them) is a decision already taken
        errors = past_dates(self, "decided_on")
        if errors:
            raise ValidationError(errors)


class TypicalCase(models.Model):
    """典型案例: a case the city exposes to the public (seed 001 §二(四)3, §五(四))."""

    title = models.CharField(_("标题"), max_length=200)
    entity_name = models.CharField(_("当事人"), max_length=200)
    violation = models.ForeignKey(
        "catalog.Violation",
        verbose_name=_("违法行为"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("案情"))
    outcome = models.TextField(_("处理结果"))
    published_on = models.DateField(_("发布日期"))
    published = models.BooleanField(_("已发布"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_district = None
    scope_station = None
    objects = ScopedManager()

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title
