from django import forms
from django.utils.translation import gettext_lazy as _

from jianguan.core.forms import StyledForm

from .models import CalendarDay


class CalendarEntryForm(StyledForm):
    start = forms.DateField(label=_("日期（起）"), widget=forms.DateInput)
    end = forms.DateField(
        label=_("日期（止）"),
        required=False,
        widget=forms.DateInput,
        help_text=_("录入一个放假期间时填写；单日留空"),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(
        label=_("说明"), max_length=100, required=False, help_text=_("如：国庆节、中秋节")
    )


class DeadlineForm(StyledForm):
    """The page's calculator: a date and a number of working days."""

    start = forms.DateField(label=_("起算日期"), widget=forms.DateInput)
    n = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=3650)
