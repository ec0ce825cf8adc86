"""Pages of draws (抽取): the task page's wizard steps, the draw list, a draw's result and proof,
its printable record.

Thin views: parse (forms), read (selectors), write (services / tasks), render. A draw is always
fetched through `restrict(user, action)`: outside the caller's jurisdiction it is a 404. The
secret and the seed appear only once the draw is made; the proof files are served only through
the permission-checked download below, never from a media URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from jianguan.core import audit
from jianguan.core.downloads import stamped, table_download
from jianguan.core.filters import validated
from jianguan.core.generic import ObjectListView
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import CHANGE, VIEW
from jianguan.core.views import export_format, paginate, query_without
from jianguan.planning.describe import describe
from jianguan.planning.models import Task

from . import exporting, selectors, services, tasks
from .filters import DrawFilters, DrawRowFilters
from .forms import DeclarationForm, EntropyForm, MergeForm, RedrawForm
from .models import Draw, Visit

DIGEST_LABELS = [
    ("rules", "抽取规则"),
    ("targets", "检查对象名单 targets.csv"),
    ("inspectors", "检查人员名单 inspectors.csv"),
    ("experts", "专家名单 experts.csv"),
    ("exclusions", "回避名单 exclusions.csv"),
    ("persons", "人员化名对照 persons.csv"),
    ("targets_public", "公开的检查对象名单 targets.public.csv"),
    ("exclusions_public", "公开的回避名单 exclusions.public.csv"),
    ("entropy_declaration", "外部随机数声明"),
    ("result", "抽取结果 result.csv"),
    ("result_public", "公开的抽取结果 result.public.csv"),
]
STATUS_CSS = {
    Draw.Status.COMMITTED: "info",
    Draw.Status.DRAWN: "success",
    Draw.Status.INFEASIBLE: "danger",
    Draw.Status.SUPERSEDED: "secondary",
}


SAMPLING = ("双随机抽查", None)


def _digests(draw: Draw) -> list[tuple[str, str | None]]:
    """The draw's digests by label; the result's before the draw as a dash (a draw of protocol
    version 1 has no public files)."""
    shown = [(k, label) for k, label in DIGEST_LABELS if k in draw.digests or k == "result"]
    return [(label, draw.digests.get(k)) for k, label in shown]


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [SAMPLING, *items]


def _draws_crumb() -> tuple[str, str]:
    return ("抽取记录", reverse("sampling:draw_list"))


def _task_url(task_id: int) -> str:
    return reverse("planning:task_detail", args=[task_id]) + "#draw"


def _draw_url(draw: Draw, anchor: str = "") -> str:
    return reverse("sampling:draw_detail", args=[draw.pk]) + (f"#{anchor}" if anchor else "")


def _get_draw(user, pk: int, action: str = VIEW) -> Draw:
    try:
        return selectors.draw_get(user, pk, action)
    except Draw.DoesNotExist:
        raise Http404("抽取不存在") from None


def _get_task(user, pk: int, action: str = VIEW) -> Task:
    return get_object_or_404(
        Task.objects.restrict(user, action).select_related("plan", "unit", "district"), pk=pk
    )


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _audit_download(user, draw: Draw, what: str) -> None:
    """Lists of entities and inspectors leaving the system are on record (数据导出留痕)."""
    audit.record(user, AuditEvent.Action.OTHER, draw, note=f"下载{what}")


# --- list ----------------------------------------------------------------------------------------


class DrawList(ObjectListView):
    title = "抽取记录"
    crumbs = [SAMPLING]
    filters = DrawFilters
    selector = staticmethod(selectors.draw_list)
    template_name = "sampling/draw_list.html"
    noun = "次"
    empty = "没有符合条件的抽取。"

    def export_response(self, queryset, fmt, count):
        records = exporting.draw_records(queryset)
        return table_download(exporting.DRAW_COLUMNS, records, fmt, stamped(self.title, fmt))


# --- one draw ------------------------------------------------------------------------------------


@login_required
@validated(DrawRowFilters)
def draw_detail(request, pk: int):
    return _detail(request, _get_draw(request.user, pk))


def _detail(request, draw: Draw, redraw_form: RedrawForm | None = None, status: int = 200):
    user = request.user
    can_change = selectors.can_change(user, draw)
    final = draw.is_final
    ctx = paginate(request, selectors.draw_visits(draw, request.GET)) if final else {}
    if final:
        ctx["rows"] = selectors.annotate_teams(ctx["rows"])
    overlaps, overlaps_total = (
        selectors.overlapping(draw, user) if draw.status == Draw.Status.DRAWN else ([], 0)
    )
    redrawn_by = draw.redrawn_by
    can_redraw = can_change and draw.status == Draw.Status.DRAWN and redrawn_by is None
    ctx.update(
        draw=draw,
        task=draw.task,
        status_css=STATUS_CSS.get(draw.status, "secondary"),
        final=final,
        can_change=can_change,
        job=selectors.running_job(draw) if draw.status == Draw.Status.COMMITTED else None,
        strata=selectors.strata(draw),
        digests=_digests(draw),
        unstaffed=selectors.unstaffed_rows(draw) if draw.status == Draw.Status.INFEASIBLE else [],
        redrawn_by=redrawn_by,
        overlaps=overlaps,
        overlaps_total=overlaps_total,
        can_merge=can_change and draw.status == Draw.Status.DRAWN,
        redraw_form=(redraw_form or RedrawForm()) if can_redraw else None,
        declaration_form=(
            DeclarationForm(request.POST or None, initial={"entropy_kind": "digits"})
            if can_redraw and draw.requires_entropy
            else None
        ),
        q=request.GET.get("q", ""),
        export_query=query_without(request),
        history=audit.history(draw).order_by("-at", "-id")[:100],
        breadcrumbs=_crumbs(_draws_crumb(), (str(draw), None)),
    )
    return render(request, "sampling/draw_detail.html", ctx, status=status)


@login_required
def draw_results_export(request, pk: int):
    """The selected targets with their teams (xlsx or csv), filtered like the page."""
    fmt = export_format(request)
    draw = _get_draw(request.user, pk)
    if not draw.is_final:
        raise Http404("抽取尚未完成")
    _audit_download(request.user, draw, f"抽取结果（{fmt}）")
    qs = selectors.draw_visits(draw, request.GET)
    return table_download(
        exporting.RESULT_COLUMNS,
        exporting.result_records(draw, qs),
        fmt,
        stamped(f"抽取结果-{draw.task.title}-第{draw.number}次", fmt),
    )


@login_required
def draw_proof(request, pk: int):
    """The proof package (rosters, result, proof.json) as a zip, after the jurisdiction check."""
    draw = _get_draw(request.user, pk)
    if not draw.is_final:
        raise Http404("抽取尚未完成，没有抽取证明")
    _audit_download(request.user, draw, "抽取证明")
    return exporting.proof_zip(draw)


@login_required
def draw_print(request, pk: int):
    """The printable draw record (抽取记录) for the file, with signature lines."""
    draw = _get_draw(request.user, pk)
    rules = draw.rules or {}
    cap = (rules.get("sampling") or {}).get("cap")
    try:
        sections = describe(rules, cap) if rules else []
    except (KeyError, TypeError):  # rules of an older protocol version: shown as JSON only
        sections = []
    visits = selectors.annotate_teams(selectors.draw_visits(draw)) if draw.is_final else []
    return render(
        request,
        "sampling/draw_print.html",
        {
            "draw": draw,
            "task": draw.task,
            "items": list(draw.task.items.select_related("department")),
            "sections": sections,
            "strata": selectors.strata(draw),
            "digests": _digests(draw),
            "visits": visits,
            "final": draw.is_final,
            "printed_at": timezone.localtime(),
            "breadcrumbs": _crumbs(
                _draws_crumb(), (str(draw), _draw_url(draw)), ("打印抽取记录", None)
            ),
        },
    )


# --- steps ---------------------------------------------------------------------------------------


@login_required
def task_preview(request, task_pk: int):
    """Step 2: who could be drawn and how many, before anything is frozen."""
    task = _get_task(request.user, task_pk)
    preview = services.preview(task)
    label = selectors.stratum_labeller()
    for row in preview["strata"]:
        row["label"] = label(row["stratum"])
    pools = [(selectors.pool_label(k, label), n) for k, n in preview["inspectors"].items()]
    return render(
        request,
        "sampling/preview.html",
        {
            "task": task,
            "preview": preview,
            "pools": pools,
            "can_change": selectors.can_change(request.user, task),
            "breadcrumbs": _crumbs(
                ("抽查任务", reverse("planning:task_list")),
                (task.title, _task_url(task.pk)),
                ("预览抽取范围", None),
            ),
        },
    )


@login_required
@require_POST
def task_commit(request, task_pk: int):
    """Step 3: freeze the rosters and publish the commitment."""
    task = _get_task(request.user, task_pk, CHANGE)
    try:
        draw = services.commit(task, user=request.user, declaration=_declaration(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except IntegrityError:  # two commits at once: the other one won
        messages.error(request, "该任务刚刚已由他人冻结名单，请查看下方的抽取记录。")
    else:
        messages.success(
            request,
            f"已冻结名单并公布承诺值：{draw.commitment}（"
            f"{timezone.localtime(draw.committed_at):%Y-%m-%d %H:%M:%S}）",
        )
    return redirect(_task_url(task.pk))


def _declaration(request) -> dict | None:
    """The entropy declaration posted with a commit or re-draw (None if none was filled in);
    an incomplete one raises the form's errors as the service would."""
    form = DeclarationForm(request.POST)
    if not any(request.POST.get(name) for name in form.fields if name != "entropy_kind"):
        return None
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()]
        )
    return form.declaration()


@login_required
@require_http_methods(["GET", "POST"])
def draw_entropy(request, pk: int):
    """Step 4: the declared public value, entered once after its announcement."""
    draw = _get_draw(request.user, pk, CHANGE)
    form = EntropyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_entropy(
                draw, user=request.user, value=form.cleaned_data["external_entropy"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errs in exc.error_dict.items():
                    form.add_error(key if key in form.fields else None, errs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "已录入外部随机数，可以进行抽取。")
            return redirect(_task_url(draw.task_id))
    return render(
        request,
        "sampling/entropy.html",
        {
            "draw": draw,
            "form": form,
            "breadcrumbs": _crumbs(
                ("抽查任务", reverse("planning:task_list")),
                (draw.task.title, _task_url(draw.task_id)),
                ("录入外部随机数", None),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def draw_execute(request, pk: int):
    """Step 5: the draw runs as a background job; its page shows the progress."""
    draw = _get_draw(request.user, pk, CHANGE)
    try:
        job = tasks.start_draw(draw, request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_task_url(draw.task_id))
    messages.info(request, "抽取已在后台开始；完成后可在抽取记录中查看结果。")
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_POST
def draw_redraw(request, pk: int):
    draw = _get_draw(request.user, pk, CHANGE)
    form = RedrawForm(request.POST)
    if form.is_valid():
        try:
            new = services.redraw(
                draw,
                user=request.user,
                reason=form.cleaned_data["reason"],
                declaration=_declaration(request),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errs in exc.error_dict.items():
                    form.add_error(key if key in form.fields else None, errs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"已重新冻结名单（第{new.number}次抽取），承诺值：{new.commitment}。"
                "原抽取结果保留备查；重新抽取完成后标记为“已重新抽取”。",
            )
            return redirect(_task_url(draw.task_id))
    return _detail(request, draw, redraw_form=form, status=400)


@login_required
@require_POST
def visit_merge(request, pk: int):
    """进一次门、查多项事: this draw's visit of an entity joins another task's visit of it."""
    user = request.user
    draw = _get_draw(user, pk, CHANGE)
    form = MergeForm(request.POST)
    if not form.is_valid() or draw.status != Draw.Status.DRAWN:
        messages.error(request, "无法合并：请从本页的“同期其他任务”列表中选择要合并的检查。")
        return redirect(_draw_url(draw, "overlaps"))
    mine = get_object_or_404(Visit.objects.filter(draw=draw), pk=form.cleaned_data["visit"])
    others = selectors.overlaps(draw).filter(pk__in=Visit.objects.restrict(user).values("pk"))
    into = get_object_or_404(others, pk=form.cleaned_data["into"])
    try:
        services.merge(mine, into=into, user=user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, f"已合并：{mine.entity.name} 与「{into.draw.task.title}」的检查一次上门完成。"
        )
    return redirect(_draw_url(draw, "overlaps"))
