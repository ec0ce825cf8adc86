"""Form helpers: Bootstrap classes on every widget, `is-invalid` on fields with errors."""

from django import forms


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
