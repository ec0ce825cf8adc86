"""Forms mark invalid fields for the user and keep what was typed."""

from django import forms

from jianguan.core.forms import StyledForm


class UnitForm(StyledForm):
    name = forms.CharField(label="名称")
    kind = forms.ChoiceField(label="层级", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("district", "区局")]  # set after construction, as views do


def test_choices_set_in_init_are_validated_and_errors_marked():
    form = UnitForm(data={"name": "", "kind": "district"})
    assert not form.is_valid()
    assert "kind" not in form.errors  # validation ran after the subclass set its choices
    assert "is-invalid" in str(form["name"]) and "is-invalid" not in str(form["kind"])
    assert 'class="form-select"' in str(form["kind"])
