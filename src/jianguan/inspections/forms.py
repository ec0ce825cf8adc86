"""Forms of the inspector's pages: one small form per item (prefix = visit-item), the visit's
check date, an impossible visit, an evidence upload, a follow-up's re-check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.catalog.models import METHODS
from jianguan.core.forms import StyledForm

from . import selectors, services
from .models import FollowUp, Result
from .services import Entry

MEASURE_CHOICES = Result.Measure.choices


class VisitForm(StyledForm):
    checked_on = forms.DateField(label=_("检查日期"), required=False)


class ResultForm(StyledForm):
    """One item's result. The item decides the methods; the service re-checks everything."""

    method = forms.ChoiceField(label=_("检查方式"), required=False)
    # A plain field over a <select>: a code that has sub-kinds gets the service's clear message
    # ("须选择细分类型"), not a generic "invalid choice".
    code = forms.CharField(label=_("检查结果"), required=False, max_length=16, widget=forms.Select)
    findings = forms.CharField(
        label=_("检查情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measure = forms.ChoiceField(
        label=_("后续处置措施"),
        choices=MEASURE_CHOICES,
        initial=Result.Measure.NONE,
        required=False,  # empty means 无需后续处置
    )
    rectify_by = forms.DateField(
        label=_("整改期限"), required=False, help_text=_("责令限期改正时必填，须晚于检查日期")
    )
    public = forms.BooleanField(label=_("公示"), required=False, initial=True)
    non_public_reason = forms.CharField(
        label=_("不予公示理由"), required=False, max_length=200, help_text=_("不公示时必填")
    )
    # Inspection & testing bodies only: the violation found (总局令第39号 code list).
    violation = forms.CharField(
        label=_("违法行为"), required=False, max_length=16, widget=forms.Select
    )

    def __init__(self, *args, line, checked_on=None, **kwargs):
        self.line = line
        self.checked_on = checked_on
        result = line.result
        if result is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "method": result.method,
                "code": result.code.code,
                "findings": result.findings,
                "measure": result.measure,
                "rectify_by": result.rectify_by,
                "public": result.public,
                "non_public_reason": result.non_public_reason,
                "violation": result.violation.code if result.violation_id else "",
            }
        super().__init__(*args, prefix=f"r{line.key}", **kwargs)
        codes = METHODS.codes(line.item.methods) or [c for c, _l in METHODS.choices]
        labels = dict(METHODS.choices)
        self.fields["method"].choices = [("", "—— 请选择 ——")] + [(c, labels[c]) for c in codes]
        if len(codes) == 1 and not self.initial.get("method"):
            self.initial["method"] = codes[0]
        self.fields["code"].widget.choices = [("", "—— 请选择 ——")] + selectors.code_choices()
        if selectors.is_testing_body(line.visit.entity):
            self.fields["violation"].widget.choices = [
                ("", "—— 未发现违法行为 ——")
            ] + selectors.violation_choices()
        else:
            del self.fields["violation"]

    @property
    def touched(self) -> bool:
        """Has the member entered anything for this item (a draft may leave items empty)?"""
        data = self.cleaned_data
        return bool(data.get("code") or data.get("findings"))

    def entry(self) -> Entry:
        d = self.cleaned_data
        return Entry(
            visit_id=self.line.visit.pk,
            item_id=self.line.item.pk,
            method=d.get("method") or "",
            code=d.get("code") or "",
            findings=d.get("findings") or "",
            measure=d.get("measure") or Result.Measure.NONE,
            rectify_by=d.get("rectify_by"),
            public=bool(d.get("public")),
            non_public_reason=d.get("non_public_reason") or "",
            violation=d.get("violation") or "",
        )

    def clean(self):
        data = super().clean()
        if self.touched:
            errors = services.entry_errors(
                self.entry(), item=self.line.item, checked_on=self.checked_on
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


class ImpossibleForm(StyledForm):
    checked_on = forms.DateField(
        label=_("上门日期"), error_messages={"required": _("请填写上门日期")}
    )
    code = forms.CharField(
        label=_("检查结果"),
        max_length=16,
        widget=forms.Select,
        error_messages={"required": _("请选择检查结果")},
        help_text=_("将作为本次检查全部事项的结果，如“通过登记的住所（经营场所）无法联系”"),
    )
    reason = forms.CharField(
        label=_("无法实施检查的原因"),
        max_length=2000,
        error_messages={"required": _("请填写无法实施检查的原因")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明上门时间、所见情况、联系经过等"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.choices = [("", "—— 请选择 ——")] + selectors.code_choices()
        if not self.is_bound:
            self.initial.setdefault("code", "0203")


class EvidenceForm(StyledForm):
    file = forms.FileField(
        label=_("证据材料"),
        help_text=_("照片（JPEG、PNG）或 PDF，单个文件不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        error_messages={"required": _("请选择要上传的照片或 PDF 文件")},
    )


class RecheckForm(StyledForm):
    OUTCOMES = [
        (FollowUp.Status.RECTIFIED, _("已整改")),
        (FollowUp.Status.TRANSFERRED, _("未整改，移送案件办理")),
    ]
    outcome = forms.ChoiceField(
        label=_("复查结论"),
        choices=[("", "—— 请选择 ——"), *OUTCOMES],
        error_messages={"required": _("请选择复查结论")},
    )
    rechecked_on = forms.DateField(
        label=_("复查日期"), error_messages={"required": _("请填写复查日期")}
    )
    note = forms.CharField(
        label=_("复查情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    case_ref = forms.CharField(
        label=_("移送案件编号"),
        required=False,
        max_length=60,
        help_text=_("未整改移送案件办理时填写（与案件办理模块关联）"),
    )
