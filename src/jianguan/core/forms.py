"""Form helpers: Bootstrap classes on every widget."""

from django import forms


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if form.is_bound and form.errors.get(_name(form, field)):
            widget.attrs["class"] += " is-invalid"


def _name(form, field) -> str:
    return next((n for n, f in form.fields.items() if f is field), "")
