"""Form helpers: Bootstrap classes on every widget, `is-invalid` on fields with errors."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StyledMixin:
    """Widgets get Bootstrap classes at construction; invalid fields are marked after cleaning,
    so subclasses may still set querysets and choices in their own __init__."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class StyledForm(StyledMixin, forms.Form):
    pass


class StyledModelForm(StyledMixin, forms.ModelForm):
    pass


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if css not in widget.attrs.get("class", ""):
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ImportForm(StyledForm):
    """Upload of a roster file (csv or xlsx) for a background import."""

    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码），第一行为表头，列名与模板一致。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "col": "col-12"}),
    )
    skip_invalid = forms.BooleanField(
        label=_("跳过错误行（--skip-invalid）"),
        required=False,
        help_text=_(
            "不勾选时，只要有一行出错就整批不导入；勾选后导入正确的行，错误行列入错误报告。"
        ),
        widget=forms.CheckboxInput(attrs={"col": "col-12"}),
    )

    def clean_file(self):
        from .jobs import check_upload  # the same rule the import task applies

        check_upload(self.cleaned_data["file"])
        return self.cleaned_data["file"]


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form: next to the field it names when the form
    has that field, on top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
