"""Forms of the planning pages. They parse input; planning.services validates and writes.

The task form is the definition document (planning.rules) laid out as fields: a field is named
by its path in the document with "_" for "." (sampling.class_ratios.A → sampling_class_ratios_A),
so that a DefinitionError's paths land on the fields they are about.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.models import CheckItem
from jianguan.core.forms import StyledForm, StyledModelForm
from jianguan.org import selectors as org
from jianguan.org.models import Unit
from jianguan.personnel.models import Expertise
from jianguan.registry.models import DOMAINS, Entity

from . import rules, selectors
from .models import Plan
from .services import without_nulls

NON_FIELD = "__all__"
# Checkbox values cannot be empty: "none" stands for the definition's "" (非重点).
KEY_TIER_CHOICES = [("special", "特殊重点"), ("general", "一般重点"), ("none", "非重点")]
CERTAIN_TIER_CHOICES = [("special", "特殊重点对象"), ("general", "一般重点对象")]
RISK_CHOICES = list(Entity.RiskClass.choices)
STATUS_CHOICES = list(Entity.Status.choices)
TYPE_CHOICES = list(Entity.Type.choices)
QUARTER_CHOICES = [
    ("", "（不指定）"),
    ("1", "第一季度"),
    ("2", "第二季度"),
    ("3", "第三季度"),
    ("4", "第四季度"),
]
MODE_CHOICES = [("ratio", "按比例抽取"), ("count", "按数量抽取")]
STRATIFY_CHOICES = [("district", "按区局分层"), ("risk_class", "按信用风险分类分层")]
POOL_CHOICES = [
    ("district", "按区局分组（检查人员只检查本区局的对象）"),
    ("none", "不分区（全部人员统一抽取）"),
]
SECTION_LABELS = {
    "window": "检查期间",
    "population": "检查对象范围",
    "sampling": "抽取规则",
    "team": "检查人员",
    "experts": "专家",
}


def unit_label(unit: Unit) -> str:
    return f"\u3000{unit.name}" if unit.is_station else unit.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return unit_label(obj)


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CheckItem) -> str:
        rule = "重点，不设上限" if obj.is_key else f"一般，上限 {obj.cap_percent}"
        return f"{obj.code} {obj.name}（{obj.department.name}；{rule}）"


class PercentField(forms.DecimalField):
    """A ratio typed in percent (5 or 2.5), given to the definition as a fraction string."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("step", "any")
        self.widget.attrs.setdefault("placeholder", "%")

    def validate(self, value):
        super().validate(value)
        if value is not None and not (0 < value <= 100):
            raise forms.ValidationError(_("应大于 0 且不超过 100（填百分数，如 5 表示 5%）"))


def percent_of(fraction: str | None) -> Decimal | None:
    """ "0.05" → Decimal("5") for the form's percent fields."""
    if fraction in (None, ""):
        return None
    try:
        return (Decimal(str(fraction)) * 100).normalize()
    except InvalidOperation:
        return None


def fraction_of(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format((value / 100).normalize(), "f")


def split_codes(text: str) -> list[str]:
    """'5211 5212、F；52' → ['5211', '5212', 'F', '52']: spaces, commas, 、 and ；."""
    return [p for p in re.split(r"[\s,，、;；]+", text or "") if p]


def _multi(label, choices=(), col="col-12", help_text="", widget=forms.CheckboxSelectMultiple):
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=widget(attrs={"col": col}),
    )


def _int(label, col="col-md-3", help_text="", **kwargs):
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"col": col}),
        **kwargs,
    )


class Fieldset:
    """A titled group of a form's fields, shaped for includes/form.html."""

    def __init__(self, title: str, fields: list, note: str = ""):
        self.title = title
        self.note = note
        self.fields = fields

    def visible_fields(self):
        return self.fields

    def hidden_fields(self):
        return []

    def non_field_errors(self):
        return []


class TaskForm(StyledForm):
    """A random-check task; `definition()` is the document planning.services.task_save takes."""

    title = forms.CharField(
        label=_("任务名称"), max_length=200, widget=forms.TextInput(attrs={"col": "col-md-8"})
    )
    unit = UnitChoiceField(
        label=_("组织单位"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        widget=forms.Select(attrs={"col": "col-md-4"}),
    )
    year = _int(_("年度"), help_text=_("不填则取计划检查日期所在年度"))
    batch = _int(_("批次"), help_text=_("同一计划中的第几批"), initial=1)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        choices=QUARTER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"col": "col-md-3"}),
    )
    check_date = forms.DateField(
        label=_("计划检查日期"), widget=forms.DateInput(attrs={"col": "col-md-3"})
    )
    window_start = forms.DateField(
        label=_("检查开始日期"), required=False, widget=forms.DateInput(attrs={"col": "col-md-3"})
    )
    window_end = forms.DateField(
        label=_("检查结束日期"), required=False, widget=forms.DateInput(attrs={"col": "col-md-3"})
    )
    items = ItemChoiceField(
        label=_("抽查事项"),
        queryset=CheckItem.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_(
            "按住 Ctrl（Mac 上为 ⌘）可多选。事项分属多个部门时为联合抽查；"
            "含一般检查事项时，抽查比例不得超过其中最小的比例上限"
        ),
        widget=forms.SelectMultiple(attrs={"col": "col-12", "size": 10}),
    )

    population_domains = _multi(_("监管领域"), DOMAINS.choices, help_text=_("不选表示不限"))
    population_districts = _multi(_("区局"), help_text=_("不选表示组织单位辖区内全部"))
    population_stations = forms.CharField(
        label=_("市场监管所/执法大队（代码）"),
        required=False,
        help_text=_("填写机构代码，多个用空格或逗号分隔，如 310101-S01 310101-T01；不填表示不限"),
        widget=forms.TextInput(attrs={"col": "col-md-6"}),
    )
    population_industries = forms.CharField(
        label=_("行业（GB/T 4754-2017 代码）"),
        required=False,
        help_text=_("门类字母或两位大类代码，多个用空格或逗号分隔，如 F 52 61；不填表示不限"),
        widget=forms.TextInput(attrs={"col": "col-md-6"}),
    )
    population_key_tiers = _multi(_("重点领域类别"), KEY_TIER_CHOICES, "col-md-6")
    population_risk_classes = _multi(_("信用风险分类"), RISK_CHOICES, "col-md-6")
    population_statuses = _multi(_("登记状态"), STATUS_CHOICES, "col-md-6", _("默认只抽存续的主体"))
    population_entity_types = _multi(_("主体类型"), TYPE_CHOICES, "col-md-6")

    sampling_mode = forms.ChoiceField(
        label=_("抽取方式"),
        choices=MODE_CHOICES,
        initial="ratio",
        widget=forms.Select(attrs={"col": "col-md-4"}),
    )
    sampling_ratio = PercentField(
        label=_("抽查比例（%）"),
        help_text=_("按比例抽取时填写，如 5 表示 5%"),
        widget=forms.NumberInput(attrs={"col": "col-md-4"}),
    )
    sampling_count = _int(_("抽取户数"), "col-md-4", _("按数量抽取时填写"))
    sampling_class_ratios_A = PercentField(
        label=_("A类（低风险）比例（%）"), widget=forms.NumberInput(attrs={"col": "col-md-3"})
    )
    sampling_class_ratios_B = PercentField(
        label=_("B类（一般风险）比例（%）"), widget=forms.NumberInput(attrs={"col": "col-md-3"})
    )
    sampling_class_ratios_C = PercentField(
        label=_("C类（较高风险）比例（%）"), widget=forms.NumberInput(attrs={"col": "col-md-3"})
    )
    sampling_class_ratios_D = PercentField(
        label=_("D类（高风险）比例（%）"), widget=forms.NumberInput(attrs={"col": "col-md-3"})
    )
    sampling_stratify_by = _multi(_("分层抽取"), STRATIFY_CHOICES, "col-md-6")
    sampling_min_per_stratum = _int(_("每层至少抽取（户）"), help_text=_("0 表示不设下限"))
    sampling_exclude_checked_months = _int(
        _("排除近几个月已检查的对象"), help_text=_("0 表示不排除；最多 120 个月")
    )
    sampling_certainty_key_tiers = _multi(
        _("必查：重点领域对象"),
        CERTAIN_TIER_CHOICES,
        "col-md-6",
        _("选中的对象全部列入检查，不参与随机抽取"),
    )
    sampling_listed_class = forms.ChoiceField(
        label=_("列入名录的对象按"),
        choices=[("", _("本身的风险分类抽取"))] + [(c, _("%s 类抽取") % c) for c in "ABCD"],
        required=False,
        help_text=_("列入经营异常名录或严重违法失信名单的对象，提高抽查概率"),
        widget=forms.Select(attrs={"col": "col-md-6"}),
    )
    sampling_missed_pt_class = forms.ChoiceField(
        label=_("未参加能力验证的机构按"),
        choices=[("", _("本身的风险分类抽取"))] + [(c, _("%s 类抽取") % c) for c in "ABCD"],
        required=False,
        help_text=_("检验检测机构近期未参加能力验证的，提高抽查概率"),
        widget=forms.Select(attrs={"col": "col-md-3"}),
    )
    sampling_missed_pt_months = forms.IntegerField(
        label=_("回溯月数"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("默认 12 个月"),
        widget=forms.NumberInput(attrs={"col": "col-md-3"}),
    )
    sampling_certainty_risk_classes = _multi(
        _("必查：信用风险分类"), RISK_CHOICES, "col-md-6", _("如 D 类（高风险）全部检查")
    )

    team_size = _int(
        _("每户检查人员（人）"),
        help_text=_("不少于 2 人（《行政处罚法》第四十二条）"),
        initial=2,
    )
    team_max_load = _int(_("每人最多检查（户）"), help_text=_("不填表示不设上限，尽量均衡"))
    team_pool_by = forms.ChoiceField(
        label=_("人员分组"),
        choices=POOL_CHOICES,
        initial="district",
        widget=forms.Select(attrs={"col": "col-md-6"}),
    )
    team_rotation = forms.BooleanField(
        label=_("轮换回避：上次检查过该对象的人员本次不再抽取"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"col": "col-12"}),
    )
    team_skills = _multi(
        _("业务专长要求"), help_text=_("每个检查组至少 1 人具备所选专长之一；不选表示不限")
    )
    team_units = _multi(
        _("人员所属单位"),
        col="col-12",
        help_text=_("只从所选单位的检查人员中抽取；不选表示组织单位辖区内全部人员"),
        widget=forms.SelectMultiple,
    )

    experts_per_target = _int(_("每户专家（名）"), help_text=_("0 表示不抽取专家；最多 5 名"))
    experts_field = forms.ChoiceField(
        label=_("专家专业领域"), required=False, widget=forms.Select(attrs={"col": "col-md-4"})
    )
    requires_external_entropy = forms.BooleanField(
        label=_("须录入外部随机数后才能抽取（如当日公开的彩票开奖号码）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"col": "col-12"}),
    )

    FIELDSETS = [
        ("基本信息", "", ["title", "unit", "year", "batch", "quarter", "check_date"]),
        ("检查期间", "", ["window_start", "window_end"]),
        ("抽查事项", "", ["items"]),
        (
            "检查对象范围",
            "各项条件同时满足的对象进入抽取名录；不选的条件不限。",
            [
                "population_domains",
                "population_districts",
                "population_stations",
                "population_industries",
                "population_key_tiers",
                "population_risk_classes",
                "population_statuses",
                "population_entity_types",
            ],
        ),
        (
            "抽取规则",
            "可按信用风险分类分别规定比例（如 A 2%、B 5%、C 100%、D 100%）；"
            "未单独规定的分类按“抽查比例”。",
            [
                "sampling_mode",
                "sampling_ratio",
                "sampling_count",
                "sampling_class_ratios_A",
                "sampling_class_ratios_B",
                "sampling_class_ratios_C",
                "sampling_class_ratios_D",
                "sampling_stratify_by",
                "sampling_min_per_stratum",
                "sampling_exclude_checked_months",
                "sampling_certainty_key_tiers",
                "sampling_certainty_risk_classes",
                "sampling_listed_class",
                "sampling_missed_pt_class",
                "sampling_missed_pt_months",
            ],
        ),
        (
            "检查人员",
            "",
            [
                "team_size",
                "team_max_load",
                "team_pool_by",
                "team_rotation",
                "team_skills",
                "team_units",
            ],
        ),
        ("专家与随机数", "", ["experts_per_target", "experts_field", "requires_external_entropy"]),
    ]

    def __init__(self, *args, user, action: str = "add", **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["unit"].queryset = selectors.plan_units(user=user, action=action)
        f["items"].queryset = (
            CheckItem.objects.filter(active=True)
            .select_related("department")
            .order_by("department__code", "code")
        )
        f["population_districts"].choices = [(u.code, u.name) for u in org.district_list(user=user)]
        tags = [(t.code, t.name) for t in Expertise.objects.order_by("id")]
        f["team_skills"].choices = tags
        f["experts_field"].choices = [("", "（不抽取专家时不填）"), *tags]
        f["team_units"].choices = [(u.code, unit_label(u)) for u in org.unit_list(user=user)]
        f["team_units"].widget.attrs["size"] = 8

    def fieldsets(self) -> list[Fieldset]:
        return [
            Fieldset(title, [self[name] for name in names], note)
            for title, note, names in self.FIELDSETS
        ]

    def definition(self) -> dict:
        """The cleaned form as a definition document (fields left empty are left out)."""
        c = self.cleaned_data

        def iso(day: dt.date | None) -> str | None:
            return day.isoformat() if day else None

        tiers = [("" if t == "none" else t) for t in c["population_key_tiers"]]
        class_ratios = {
            cls: fraction_of(c[f"sampling_class_ratios_{cls}"])
            for cls in rules.RISK_CLASSES
            if c[f"sampling_class_ratios_{cls}"] is not None
        }
        d = {
            "title": c["title"],
            "unit": c["unit"].code if c.get("unit") else "",
            "year": c["year"],
            "batch": c["batch"],
            "quarter": c["quarter"],
            "items": [i.code for i in c["items"]],
            "check_date": iso(c["check_date"]),
            "window": {"start": iso(c["window_start"]), "end": iso(c["window_end"])},
            "population": {
                "domains": c["population_domains"],
                "districts": c["population_districts"],
                "stations": split_codes(c["population_stations"]),
                "industries": [x.upper() for x in split_codes(c["population_industries"])],
                "key_tiers": tiers,
                "risk_classes": c["population_risk_classes"],
                "statuses": c["population_statuses"],
                "entity_types": c["population_entity_types"],
            },
            "sampling": {
                "mode": c["sampling_mode"],
                "ratio": fraction_of(c["sampling_ratio"]),
                "count": c["sampling_count"],
                "class_ratios": class_ratios,
                "stratify_by": c["sampling_stratify_by"],
                "min_per_stratum": c["sampling_min_per_stratum"],
                "exclude_checked_months": c["sampling_exclude_checked_months"],
                "certainty": {
                    "key_tiers": c["sampling_certainty_key_tiers"],
                    "risk_classes": c["sampling_certainty_risk_classes"],
                },
                "listed_class": c["sampling_listed_class"],
                "missed_pt_class": c["sampling_missed_pt_class"],
                "missed_pt_months": c["sampling_missed_pt_months"],
            },
            "team": {
                "size": c["team_size"],
                "skills": c["team_skills"],
                "units": c["team_units"],
                "pool_by": c["team_pool_by"],
                "max_load": c["team_max_load"],
                "rotation": c["team_rotation"],
            },
            "experts": {"per_target": c["experts_per_target"], "field": c["experts_field"]},
            "requires_external_entropy": c["requires_external_entropy"],
        }
        return without_nulls(d)

    def add_definition_errors(self, errors: dict[str, list[str]]) -> None:
        """Put each message of a DefinitionError on the field its path names."""
        for path, messages in errors.items():
            name = field_of(path)
            if name == "sampling_class_ratios":
                filled = [
                    f"sampling_class_ratios_{c}"
                    for c in rules.RISK_CLASSES
                    if self.cleaned_data.get(f"sampling_class_ratios_{c}") is not None
                ]
                name = filled[0] if filled else "sampling_ratio"
            if name in self.fields:
                self.add_error(name, list(messages))
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            else:
                label = path_label(path, self)
                self.add_error(None, [f"{label}：{m}" if label else m for m in messages])


def field_of(path: str) -> str:
    return path.replace(".", "_") if path else NON_FIELD


def path_label(path: str, form: TaskForm | None = None) -> str:
    """A definition path as users read it: 抽取规则 › 抽查比例（%）."""
    if not path:
        return ""
    name = field_of(path)
    if form is not None and name in form.fields:
        field_label = str(form.fields[name].label)
        section = SECTION_LABELS.get(path.split(".")[0])
        return f"{section} › {field_label}" if section and "." in path else field_label
    parts = path.split(".")
    if parts[0] in SECTION_LABELS:
        parts[0] = SECTION_LABELS[parts[0]]
    return " › ".join(parts)


def initial_from_definition(d: dict) -> dict:
    """A stored (normalized) definition as the task form's initial values."""
    p, s, t, e = d["population"], d["sampling"], d["team"], d["experts"]
    window = d.get("window") or {}
    certain = s.get("certainty") or {}
    initial = {
        "title": d["title"],
        "unit": d["unit"],
        "year": d.get("year"),
        "batch": d.get("batch"),
        "quarter": d.get("quarter"),
        "items": d["items"],
        "check_date": d["check_date"],
        "window_start": window.get("start"),
        "window_end": window.get("end"),
        "population_domains": p["domains"],
        "population_districts": p["districts"],
        "population_stations": " ".join(p["stations"]),
        "population_industries": " ".join(p["industries"]),
        "population_key_tiers": [t or "none" for t in p["key_tiers"]],
        "population_risk_classes": p["risk_classes"],
        "population_statuses": p["statuses"],
        "population_entity_types": p["entity_types"],
        "sampling_mode": s["mode"],
        "sampling_ratio": percent_of(s.get("ratio")),
        "sampling_count": s.get("count"),
        "sampling_stratify_by": s["stratify_by"],
        "sampling_min_per_stratum": s["min_per_stratum"],
        "sampling_exclude_checked_months": s["exclude_checked_months"],
        "sampling_certainty_key_tiers": certain.get("key_tiers", []),
        "sampling_certainty_risk_classes": certain.get("risk_classes", []),
        "sampling_listed_class": s.get("listed_class", ""),
        "sampling_missed_pt_class": s.get("missed_pt_class", ""),
        "sampling_missed_pt_months": s.get("missed_pt_months"),
        "team_size": t["size"],
        "team_max_load": t.get("max_load"),
        "team_pool_by": t["pool_by"],
        "team_rotation": t["rotation"],
        "team_skills": t["skills"],
        "team_units": t["units"],
        "experts_per_target": e["per_target"],
        "experts_field": e["field"],
        "requires_external_entropy": d.get("requires_external_entropy", False),
    }
    for cls in rules.RISK_CLASSES:
        initial[f"sampling_class_ratios_{cls}"] = percent_of((s.get("class_ratios") or {}).get(cls))
    return initial


class DefinitionUploadForm(StyledForm):
    """导入任务定义 JSON: a file as downloaded from a task page (or examples/draw-task.json)."""

    definition_file = forms.FileField(
        label=_("导入任务定义 JSON"),
        help_text=_("UTF-8 编码的 .json 文件，格式与任务页“下载任务定义 JSON”一致"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,application/json", "col": "col-12"}
        ),
    )

    MAX_BYTES = 1_000_000

    def clean_definition_file(self):
        upload = self.cleaned_data["definition_file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件过大：任务定义 JSON 不应超过 1 MB"))
        return upload


# ---------------------------------------------------------------------------------------------
# Plans


class PlanForm(StyledModelForm):
    unit = UnitChoiceField(label=_("制定单位"), queryset=Unit.objects.none())

    class Meta:
        model = Plan
        fields = ["unit", "year", "title", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4, "col": "col-12"})}
        help_texts = {"title": _("不填则为“某年度某单位双随机抽查工作计划”")}

    def __init__(self, *args, user, action: str = "add", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.plan_units(user=user, action=action)
        self.fields["title"].required = False
        self.fields["title"].widget.attrs["col"] = "col-12"

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("unit") and data.get("year"):
            from .services import plan_title

            data["title"] = plan_title(data["unit"], year=data["year"])
        if not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("请填写计划名称"))
        return data

    def validate_unique(self):
        # The (unit, year, title) uniqueness is checked by full_clean() in the service.
        pass

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("unit", "year", "title", "note")}


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "col": "col-12"}),
    )
