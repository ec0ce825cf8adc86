"""Forms of the entity roster pages. They parse and validate; registry.services writes."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.core import uscc
from jianguan.core.converters import MAX_ID
from jianguan.core.forms import StyledModelForm
from jianguan.org.models import Unit
from jianguan.org.selectors import district_list, station_list

from .models import DOMAINS, TESTING_FIELDS, Entity, Industry, TestingBody


class FlagChoiceField(forms.MultipleChoiceField):
    """A multi-checkbox over a FlagSet whose cleaned value is the bit mask (an int)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, flagset, *args, **kwargs):
        self.flagset = flagset
        kwargs.setdefault("required", False)
        super().__init__(*args, choices=flagset.choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return self.flagset.codes(value)
        return value

    def clean(self, value):
        return self.flagset.mask(super().clean(value))

    def has_changed(self, initial, data):
        return self.flagset.mask(data or []) != (initial if isinstance(initial, int) else 0)


class EntityForm(StyledModelForm):
    # Longer than 18: spaces and lower case are normalised (clean_uscc), not rejected.
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    domains = FlagChoiceField(DOMAINS, label=_("监管领域"))

    class Meta:
        model = Entity
        fields = [
            "uscc",
            "name",
            "entity_type",
            "status",
            "district",
            "station",
            "address",
            "industry_code",
            "established_on",
            "capital_wan",
            "legal_rep",
            "key_tier",
            "risk_class",
            "domains",
        ]
        widgets = {
            "established_on": forms.DateInput(),
            "industry_code": forms.TextInput(
                attrs={"list": "industry-options", "placeholder": "如 52 或 5211"}
            ),
        }
        help_texts = {
            "industry_code": _("GB/T 4754-2017 行业大类（2位）或中类、小类（3–4位）代码。"),
            "risk_class": _("内部分类，不对外公示。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        action = "change" if self.instance.pk else "add"
        districts = district_list(user=user, action=action)
        self.fields["district"].queryset = districts
        self.fields["district"].empty_label = _("请选择区局")
        self.fields["station"].empty_label = _("（不属于具体所队）")
        # Station options follow the district: the one submitted, the entity's own, or the only one.
        district_id = self._district_id(districts)
        self.fields["station"].queryset = (
            station_list(user=user, district=district_id, action=action)
            if district_id
            else Unit.objects.none()
        )
        # Choosing a district reloads the station options (htmx; no inline script).
        self.fields["district"].widget.attrs.update(
            {
                "hx-get": reverse("registry:station_options"),
                "hx-target": "#id_station",
                "hx-trigger": "change",
            }
        )
        self.fields["uscc"].help_text = _("18位；可含空格或小写字母，保存时自动规范。")
        self.fields["uscc"].widget.attrs["class"] += " mono"
        self.fields["uscc"].widget.attrs["autocomplete"] = "off"
        for name in ("name", "address"):
            self.fields[name].widget.attrs["col"] = "col-md-12" if name == "address" else "col-md-6"
        self.fields["risk_class"].choices = [("", _("未分类")), *Entity.RiskClass.choices]
        if self.instance.capital_wan is not None and not self.is_bound:
            # 3000.0000 → 3000: the column keeps 4 decimals, people type what they mean.
            self.initial["capital_wan"] = format(self.instance.capital_wan.normalize(), "f")
        self.fields["domains"].widget.attrs.update({"col": "col-12", "class": "form-check-input"})

    def _district_id(self, districts):
        raw = self.data.get(self.add_prefix("district")) if self.is_bound else None
        if raw is None and self.instance.district_id:
            raw = self.instance.district_id
        if raw is None and self.initial.get("district"):
            raw = getattr(self.initial["district"], "pk", self.initial["district"])
        if raw is None and len(districts) == 1:
            return districts[0].pk
        raw = str(raw or "")
        return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_ID else None

    def clean_uscc(self):
        return uscc.normalise(self.cleaned_data.get("uscc") or "")

    def clean_industry_code(self):
        return (self.cleaned_data.get("industry_code") or "").strip()

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TestingBodyForm(StyledModelForm):
    fields = FlagChoiceField(TESTING_FIELDS, label=_("检验检测领域"))

    class Meta:
        model = TestingBody
        fields = [
            "cert_no",
            "cert_issued_on",
            "cert_expires_on",
            "by_commitment",
            "scope",
            "fields",
        ]
        widgets = {
            "cert_issued_on": forms.DateInput(),
            "cert_expires_on": forms.DateInput(),
            "scope": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"cert_expires_on": _("资质认定证书有效期为6年。")}

    CERTIFICATE = ("cert_no", "cert_issued_on", "cert_expires_on", "by_commitment", "scope")

    def __init__(self, *args, registered: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].widget.attrs["col"] = "col-12"
        self.fields["fields"].widget.attrs.update({"col": "col-12", "class": "form-check-input"})
        self.fields["cert_no"].widget.attrs["class"] += " mono"
        if registered:  # the qualification register (testing) keeps the certificate
            for name in self.CERTIFICATE:
                self.fields[name].disabled = True
            self.fields["cert_no"].help_text = _(
                "证书信息由资质认定登记维护（检验检测监管 › 资质认定），此处不能修改"
            )

    def clean(self):
        data = super().clean()
        issued, expires = data.get("cert_issued_on"), data.get("cert_expires_on")
        if issued and expires and expires <= issued:
            self.add_error("cert_expires_on", _("有效期至应晚于发证日期"))
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def industry_options() -> list[tuple[str, str, str]]:
    """(code, name, level) of every section and division, for filters and the datalist."""
    return list(Industry.objects.order_by("section", "code").values_list("code", "name", "level"))
