"""Pages of inspections: 我的检查 (phone first), the record page of a visit, evidence, the
scoped list of records, follow-ups and their re-check. Thin: parse, call, render.

Outside the caller's reach (neither jurisdiction nor team) is a 404; a member-only action by
someone who may see the record but is not on its team is a 403 ("谁检查、谁录入").
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jianguan.core import audit
from jianguan.core.downloads import stamped, table_download
from jianguan.core.filters import validated
from jianguan.core.forms import add_service_errors
from jianguan.core.generic import ObjectListView
from jianguan.core.middleware import body_limit
from jianguan.sampling.models import Visit
from jianguan.sampling.selectors import annotate_teams

from . import exporting, selectors, services
from .filters import DownloadParam, FollowUpFilters, VisitFilters
from .forms import EvidenceForm, ImpossibleForm, RecheckForm, ResultForm, VisitForm
from .models import Evidence, FollowUp, Inspection

INSPECTIONS = ("检查实施", None)


def _host(user, pk: int) -> Visit:
    try:
        visit = selectors.visit_get(user, pk)
    except Visit.DoesNotExist:
        raise Http404("检查不存在或不在您的管辖范围内") from None
    return visit.merged_into if visit.merged_into_id else visit


def _visit_url(visit: Visit, anchor: str = "") -> str:
    return reverse("inspections:visit", args=[visit.pk]) + anchor


def _messages(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# --- 我的检查 ---------------------------------------------------------------------------------


@login_required
@validated(VisitFilters)
def my_visits(request):
    inspector = selectors.inspector_of(request.user)
    rows = selectors.my_visits(user=request.user, filters=request.filters)
    f = {k: request.GET.get(k, "") for k in ("q", "status")}
    open_rows = [v for v in rows if v.status != Inspection.Status.CONFIRMED]
    return render(
        request,
        "inspections/my_visits.html",
        {
            "inspector": inspector,
            "rows": rows,
            "open_count": len(open_rows),
            "f": f,
            "any_filter": any(f.values()),
            "statuses": selectors.STATUS_CHOICES,
            "breadcrumbs": [INSPECTIONS, ("我的检查", None)],
        },
    )


# --- the record page --------------------------------------------------------------------------


@login_required
def visit(request, pk: int):
    user = request.user
    host = _host(user, pk)
    if host.pk != pk:  # a merged visit is recorded on its host
        return redirect(_visit_url(host))
    member = selectors.is_member(user, host)
    lines = selectors.lines(host)
    inspection = selectors.inspection_of(host)
    editable = member and (inspection is None or inspection.status != Inspection.Status.CONFIRMED)
    if request.method == "POST":
        if not member:
            raise PermissionDenied("只有本次检查的检查人员才能录入（谁检查、谁录入）")
        if not editable:
            messages.error(request, "检查记录已确认，不能再修改")
            return redirect(_visit_url(host))
        visit_form, forms = _bound_forms(request.POST, lines)
        submit = request.POST.get("action") == "submit"
        if _save(request, host, visit_form, forms, submit):
            return redirect(_visit_url(host, "#record"))
    elif editable:
        checked_on = inspection.checked_on if inspection else None
        visit_form = VisitForm(initial={"checked_on": checked_on or timezone.localdate()})
        forms = [ResultForm(line=line) for line in lines]
    else:
        visit_form, forms = None, []
    return render(
        request,
        "inspections/visit.html",
        _visit_context(user, host, lines, inspection, member, visit_form, forms),
    )


def _bound_forms(data, lines):
    visit_form = VisitForm(data)
    checked_on = visit_form.cleaned_data.get("checked_on") if visit_form.is_valid() else None
    forms = [ResultForm(data, line=line, checked_on=checked_on) for line in lines]
    return visit_form, forms


def _save(request, host, visit_form, forms, submit: bool) -> bool:
    checked = [f.is_valid() for f in forms]  # every form, so every error shows at once
    if not (visit_form.is_valid() and all(checked)):
        return False
    entries = [f.entry() for f in forms if f.touched]
    try:
        services.record(
            user=request.user,
            visit=host,
            checked_on=visit_form.cleaned_data.get("checked_on"),
            entries=entries,
            submit=submit,
        )
    except ValidationError as exc:
        _spread(exc, visit_form, forms)
        return False
    if submit:
        messages.success(request, "检查结果已提交，请由另一名检查人员确认")
    else:
        messages.success(request, "已暂存，可继续录入")
    return True


def _spread(exc: ValidationError, visit_form, forms) -> None:
    """Put a service's errors next to the fields they name ("<visit>-<item>:<field>")."""
    by_key = {f.line.key: f for f in forms}
    if not hasattr(exc, "error_dict"):
        visit_form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        key, _sep, field = name.partition(":")
        form = by_key.get(key)
        if form is not None and field in form.fields:
            form.add_error(field, errors)
        elif name in visit_form.fields:
            visit_form.add_error(name, errors)
        else:
            visit_form.add_error(None, errors)


def _visit_context(user, host, lines, inspection, member, visit_form, forms) -> dict:
    group = selectors.group_of(host)
    team = annotate_teams(
        Visit.objects.filter(pk__in=[v.pk for v in group]).prefetch_related(
            "members__inspector__unit", "members__expert"
        )
    )
    inspector = selectors.inspector_of(user)
    status = selectors.status_of(host)
    can_confirm = (
        member
        and inspection is not None
        and inspection.status == Inspection.Status.RECORDED
        and inspector is not None
        and inspection.recorded_by_id != inspector.pk
    )
    confirmed = inspection is not None and inspection.status == Inspection.Status.CONFIRMED
    return {
        "title": host.entity.name,
        "visit": host,
        "entity": host.entity,
        "task": host.draw.task,
        "merged": [v for v in group if v.pk != host.pk],
        "team": team,
        "lines": lines,
        "rows": list(zip(lines, forms, strict=True)) if forms else [(line, None) for line in lines],
        "inspection": inspection,
        "status": status,
        "status_label": dict(selectors.STATUS_CHOICES)[status],
        "status_css": selectors.STATUS_CSS[status],
        "member": member,
        "editable": member and not confirmed,
        "can_confirm": can_confirm,
        "recorder_is_me": bool(
            member and inspection and inspector and inspection.recorded_by_id == inspector.pk
        ),
        "visit_form": visit_form,
        "evidence": list(inspection.evidence.all()) if inspection else [],
        "evidence_form": EvidenceForm() if member and not confirmed else None,
        "history": audit.history(inspection) if inspection else None,
        "follow_ups": (
            list(selectors.follow_up_list(user=user).filter(result__inspection=inspection))
            if confirmed
            else []
        ),
        "breadcrumbs": [
            INSPECTIONS,
            ("我的检查", reverse("inspections:my_visits"))
            if member
            else ("检查记录", reverse("inspections:inspection_list")),
            (host.entity.name, None),
        ],
    }


@body_limit("JIANGUAN_EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def evidence_upload(request, pk: int):
    host = _host(request.user, pk)
    if not selectors.is_member(request.user, host):
        raise PermissionDenied("只有本次检查的检查人员才能上传证据材料")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的照片或 PDF 文件")
        return redirect(_visit_url(host, "#evidence"))
    try:
        evidence = services.add_evidence(
            user=request.user, visit=host, upload=form.cleaned_data["file"]
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, f"已上传「{evidence.name}」")
    return redirect(_visit_url(host, "#evidence"))


@login_required
@validated(DownloadParam)
def evidence_file(request, pk: int):
    """An evidence file, after the same check as its record page; never served directly."""
    try:
        evidence = Evidence.objects.select_related("inspection").get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    _host(request.user, evidence.inspection.visit_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    suffix = evidence.suffix or ""
    return FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=f"证据材料-{evidence.pk}{suffix}",
    )


@login_required
@require_POST
def evidence_delete(request, pk: int):
    try:
        evidence = Evidence.objects.select_related("inspection__visit").get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    host = _host(request.user, evidence.inspection.visit_id)
    if not selectors.is_member(request.user, host):
        raise PermissionDenied("只有本次检查的检查人员才能删除证据材料")
    try:
        services.remove_evidence(user=request.user, evidence=evidence)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, f"已删除「{evidence.name}」")
    return redirect(_visit_url(host, "#evidence"))


@login_required
@require_POST
def confirm(request, pk: int):
    host = _host(request.user, pk)
    if not selectors.is_member(request.user, host):
        raise PermissionDenied("只有本次检查的检查人员才能确认（谁检查、谁录入）")
    try:
        services.confirm(user=request.user, visit=host)
    except ValidationError as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, "检查结果已确认")
    return redirect(_visit_url(host))


@login_required
def impossible(request, pk: int):
    host = _host(request.user, pk)
    if not selectors.is_member(request.user, host):
        raise PermissionDenied("只有本次检查的检查人员才能录入（谁检查、谁录入）")
    inspection = selectors.inspection_of(host)
    if inspection is not None and inspection.status == Inspection.Status.CONFIRMED:
        messages.error(request, "检查记录已确认，不能再修改")
        return redirect(_visit_url(host))
    if request.method == "POST":
        form = ImpossibleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.mark_impossible(
                    user=request.user,
                    visit=host,
                    checked_on=d["checked_on"],
                    code=d["code"],
                    reason=d["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已记录无法实施检查，请由另一名检查人员确认")
                return redirect(_visit_url(host))
    else:
        form = ImpossibleForm(initial={"checked_on": timezone.localdate()})
    return render(
        request,
        "inspections/impossible.html",
        {
            "title": "无法实施检查",
            "visit": host,
            "entity": host.entity,
            "form": form,
            "breadcrumbs": [
                INSPECTIONS,
                ("我的检查", reverse("inspections:my_visits")),
                (host.entity.name, _visit_url(host)),
                ("无法实施检查", None),
            ],
        },
    )


# --- the scoped list of records ---------------------------------------------------------------


class InspectionList(ObjectListView):
    title = "检查记录"
    crumbs = [INSPECTIONS]
    filters = VisitFilters
    selector = staticmethod(selectors.inspection_list)
    template_name = "inspections/inspection_list.html"
    noun = "户"
    empty = "没有符合条件的检查记录。"

    def decorate(self, rows):
        return rows if self.exporting else selectors.annotate(rows)

    def export_response(self, queryset, fmt, count):
        records = exporting.inspection_records(queryset)
        return table_download(exporting.INSPECTION_COLUMNS, records, fmt, stamped(self.title, fmt))


class FollowUpList(ObjectListView):
    title = "后续处置"
    crumbs = [INSPECTIONS]
    filters = FollowUpFilters
    selector = staticmethod(selectors.follow_up_list)
    template_name = "inspections/follow_up_list.html"
    noun = "项"
    intro = "检查发现的问题由对该主体有管辖权的单位负责后续处置（谁管辖、谁负责）。"
    empty = "没有符合条件的后续处置事项。"

    def decorate(self, rows):
        today = timezone.localdate()
        for f in rows:
            f.overdue = selectors.is_overdue(f, today)
        return rows

    def export_response(self, queryset, fmt, count):
        records = exporting.follow_up_records(queryset)
        return table_download(exporting.FOLLOW_UP_COLUMNS, records, fmt, stamped(self.title, fmt))


@login_required
def follow_up_detail(request, pk: int):
    user = request.user
    try:
        follow_up = selectors.follow_up_get(user, pk)
    except FollowUp.DoesNotExist:
        raise Http404("后续处置事项不存在或不在您的管辖范围内") from None
    can_recheck = (
        selectors.can_recheck(user, follow_up) and follow_up.status == FollowUp.Status.OPEN
    )
    form = None
    if request.method == "POST":
        if not selectors.can_recheck(user, follow_up):
            raise PermissionDenied("只有对该主体有管辖权的单位才能复查")
        form = RecheckForm(request.POST)
        if form.is_valid() and can_recheck:
            d = form.cleaned_data
            try:
                services.recheck(
                    user=user,
                    follow_up=follow_up,
                    outcome=d["outcome"],
                    rechecked_on=d["rechecked_on"],
                    note=d["note"],
                    case_ref=d["case_ref"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "复查结论已记录")
                return redirect("inspections:follow_up_detail", pk=follow_up.pk)
        elif form.is_valid():
            form.add_error(None, "该事项已复查完毕，不能重复处理")
    elif can_recheck:
        form = RecheckForm(initial={"rechecked_on": timezone.localdate()})
    result = follow_up.result
    return render(
        request,
        "inspections/follow_up_detail.html",
        {
            "title": f"{follow_up.entity.name} 后续处置",
            "f": follow_up,
            "r": result,
            "overdue": selectors.is_overdue(follow_up),
            "form": form if (can_recheck or form is not None) else None,
            "visit_visible": _visible(user, result.inspection.visit_id),
            "history": audit.history(follow_up),
            "breadcrumbs": [
                INSPECTIONS,
                ("后续处置", reverse("inspections:follow_up_list")),
                (follow_up.entity.name, None),
            ],
        },
    )


def _visible(user, visit_pk: int) -> bool:
    try:
        selectors.visit_get(user, visit_pk)
    except Visit.DoesNotExist:
        return False
    return True
