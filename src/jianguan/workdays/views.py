"""The working-day calendar page: the holiday table per year (city administrators change it)
and a deadline calculator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core.filters import validated
from jianguan.core.forms import add_service_errors
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, DELETE, allowed

from . import core, selectors, services
from .filters import YearParam
from .forms import CalendarEntryForm, DeadlineForm
from .models import CalendarDay


def _year(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@login_required
@require_http_methods(["GET", "POST"])
@validated(YearParam)
def calendar(request):
    user = request.user
    today = timezone.localdate()
    # November on, the next year's schedule is what needs entering.
    year = _year(request) or (today.year + 1 if today.month >= 11 else today.year)
    can_add = allowed(user, ADD, CalendarDay)
    form = CalendarEntryForm(request.POST or None, initial={"start": f"{year}-01-01"})
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("节假日安排由市局维护")
        if form.is_valid():
            try:
                added = services.calendar_add(user=user, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, f"已录入 {len(added)} 天。")
                return redirect(f"{reverse('workdays:calendar')}?year={added[0].date.year}")
    entries = CalendarDay.objects.restrict(user).filter(date__year=year)
    calc = DeadlineForm(request.GET if "n" in request.GET else None)
    result = None
    if calc.is_bound and calc.is_valid():
        result = selectors.add_working_days(calc.cleaned_data["start"], calc.cleaned_data["n"])
    return render(
        request,
        "workdays/calendar.html",
        {
            "year": year,
            "entries": entries,
            "in_package": year in core.PACKAGE_YEARS,
            "package_years": core.PACKAGE_YEARS,
            "known": selectors.year_known(year),
            "form": form,
            "calc": calc,
            "result": result,
            "can_add": can_add,
            "can_delete": allowed(user, DELETE, CalendarDay),
            # City-wide entries: their audit events carry no district, so the city sees them.
            "history": AuditEvent.objects.restrict(user).filter(
                object_type=CalendarDay._meta.label_lower
            )[:30],
            "breadcrumbs": [("系统管理", None), ("工作日历", None)],
        },
    )


@login_required
@require_POST
def calendar_remove(request, pk: int):
    if not allowed(request.user, DELETE, CalendarDay):
        raise PermissionDenied("节假日安排由市局维护")
    entry = get_object_or_404(CalendarDay.objects.restrict(request.user, DELETE), pk=pk)
    services.calendar_remove(user=request.user, entry=entry)
    messages.success(request, f"已删除 {entry}。")
    return redirect(f"{reverse('workdays:calendar')}?year={entry.date.year}")
