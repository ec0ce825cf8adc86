"""Publication: a task becomes finished when every visit of its draw in force is recorded; its
results then go public within 20 working days ("谁检查、谁录入、谁公开").

Writes only. Publishing copies what the public may see into PublicResult in one transaction with
its audit event; results marked non-public by law are never copied. A withdrawal keeps the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from jianguan.core import audit
from jianguan.inspections.models import Result
from jianguan.planning.models import Task
from jianguan.sampling.models import Visit
from jianguan.workdays import selectors as workdays
from jianguan.workdays.core import Deadline

from .models import PUBLICATION_WORKING_DAYS, Publication, PublicResult
from .permissions import may_publish
from .selectors import confirmed_results, draw_in_force, is_finished

WITHDRAWAL_REASON_MIN = 5  # a reason is a sentence, not "x"
PUBLISH_CHUNK = 2000


def deadline_for(finished_on: dt.date) -> Deadline:
    """20 working days after the day the task finished (that day not counted); provisional when
    it reaches a year without a holiday schedule."""
    return workdays.add_working_days(finished_on, PUBLICATION_WORKING_DAYS)


@transaction.atomic
def record_progress(tasks: Iterable[Task], *, on: dt.date, actor=None) -> list[Publication]:
    """Called when inspections are confirmed: open the publication of each task just finished,
    with its deadline of 20 working days (the day itself not counted)."""
    opened = []
    for task in tasks:
        if Publication.objects.filter(task=task).exists():
            continue
        draw = draw_in_force(task)
        if not is_finished(task, draw):
            continue
        # The task finished on the day of its last check, whatever the order of confirmations.
        last = confirmed_results(task, draw).aggregate(last=Max("inspection__checked_on"))
        finished_on = last["last"]
        finished_on = max(on, finished_on or on)
        deadline = deadline_for(finished_on)
        publication = Publication(
            task=task,
            district=task.district,
            finished_on=finished_on,
            deadline=deadline.date,
            deadline_provisional=deadline.provisional,
        )
        publication.full_clean()
        publication.save()
        audit.record(
            actor,
            "create",
            publication,
            note=f"任务完成（{finished_on:%Y-%m-%d}），公示期限 {deadline.date:%Y-%m-%d}"
            + ("（暂定）" if deadline.provisional else ""),
        )
        opened.append(publication)
    return opened


def tasks_of(visit: Visit) -> list[Task]:
    """The tasks a host visit's record touches: its own and those of visits merged into it."""
    ids = Visit.objects.filter(Q(pk=visit.pk) | Q(merged_into=visit)).values("draw__task")
    return list(Task.objects.filter(pk__in=ids))


# --- deadlines follow the holiday table ------------------------------------------------------

# A 20-working-day deadline spans at most about six weeks (the Spring Festival week included);
# a calendar entry can move only the deadlines of tasks finished shortly before it.
DEADLINE_REACH_DAYS = 70


def refresh_deadlines(changed: dt.date | None = None) -> int:
    """Recompute stored deadlines after the holiday table changed (an administrator entered a
    year's schedule, or removed an entry): those finished within reach of `changed`, and every
    provisional one (any entry of its year can make that year known). All when None. The stored
    deadline is then the one every page, filter and export reads. Returns how many changed."""
    qs = Publication.objects.all()
    if changed is not None:
        qs = qs.filter(
            Q(
                finished_on__lte=changed,
                finished_on__gte=changed - dt.timedelta(days=DEADLINE_REACH_DAYS),
            )
            | Q(deadline_provisional=True)
        )
    count = 0
    for publication in qs.only("pk", "finished_on", "deadline", "deadline_provisional"):
        due = deadline_for(publication.finished_on)
        if (publication.deadline, publication.deadline_provisional) != tuple(due):
            Publication.objects.filter(pk=publication.pk).update(
                deadline=due.date, deadline_provisional=due.provisional
            )
            count += 1
    return count


# --- who publishes -----------------------------------------------------------------------------


def _require_supervisor(user, publication: Publication) -> None:
    if not may_publish(user, publication):
        raise PermissionDenied("只有任务所属区局或市局的管理员可以公示检查结果")


def _require_open(publication: Publication) -> None:
    if publication.status == Publication.Status.PUBLISHED:
        raise ValidationError(
            f"该任务的检查结果已于 {timezone.localtime(publication.published_at):%Y-%m-%d} 公示"
        )


def _locked(publication: Publication) -> Publication:
    # Two supervisors pressing 公示 at once: the second waits, then sees it published.
    return Publication.objects.select_for_update().get(pk=publication.pk)


def _code_text(code) -> str:
    """A sub-kind is shown with its parent: 发现问题待后续处理（未按规定公示应当公示的信息）."""
    return f"{code.parent.name}（{code.name}）" if code.parent_id else code.name


def _moment(value: dt.datetime) -> str:
    """A moment as the audit log shows it: local time, to the minute."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _checked_on(result: Result, publication: Publication) -> dt.date:
    inspection = result.inspection
    if inspection.checked_on:
        return inspection.checked_on
    if inspection.confirmed_at:
        return timezone.localdate(inspection.confirmed_at)
    return publication.finished_on


@transaction.atomic
def publish(*, user, publication: Publication, now: dt.datetime | None = None) -> int:
    """Copy every public, confirmed result of the task into PublicResult; return how many.

    Results marked non-public by law (with their reason) stay off. The copy holds only what the
    public may read: no inspector, no risk class, no findings text.
    """
    _require_supervisor(user, publication)
    publication = _locked(publication)
    _require_open(publication)
    task = publication.task
    if not is_finished(task):
        raise ValidationError("该任务尚有检查未确认，不能公示")
    now = now or timezone.now()
    results = (
        confirmed_results(task)
        .filter(public=True)
        .select_related("inspection", "entity", "item", "code", "code__parent")
        .order_by("pk")
    )
    authority = task.unit.name
    count = 0
    # In chunks: a city-wide task publishes hundreds of thousands of results. The copied values
    # come from validated rows whose limits are within PublicResult's, so no per-row full_clean.
    batch: list[PublicResult] = []
    for r in results.iterator(chunk_size=PUBLISH_CHUNK):
        batch.append(
            PublicResult(
                publication=publication,
                result=r,
                entity=r.entity,
                district=publication.district,
                uscc=r.entity.uscc,
                entity_name=r.entity.name,
                task_title=task.title,
                item=r.item.name,
                authority=authority,
                checked_on=_checked_on(r, publication),
                code=r.code.code,
                code_text=_code_text(r.code),
                published_at=now,
            )
        )
        if len(batch) >= PUBLISH_CHUNK:
            count += len(PublicResult.objects.bulk_create(batch))
            batch = []
    count += len(PublicResult.objects.bulk_create(batch))
    before = {"status": publication.status, "published_at": None}
    publication.status = Publication.Status.PUBLISHED
    publication.published_at = now
    publication.published_by = user
    publication.save(update_fields=["status", "published_at", "published_by"])
    withheld = confirmed_results(task).filter(public=False).count()
    late = timezone.localdate(now) > publication.deadline
    audit.record(
        user,
        "update",
        publication,
        changes=audit.diff(before, {"status": publication.status, "published_at": _moment(now)}),
        note=f"公示检查结果 {count} 条；依法不予公示 {withheld} 条"
        + ("；超过公示期限" if late else ""),
    )
    return count


@transaction.atomic
def queue(*, user, publication: Publication, publish_on: dt.date, today=None) -> Publication:
    """Schedule publication for a day, no later than the deadline (`jianguan publish_due`)."""
    _require_supervisor(user, publication)
    publication = _locked(publication)
    _require_open(publication)
    today = today or timezone.localdate()
    due = publication.due
    if publish_on < today:
        raise ValidationError({"publish_on": "排期公示日期不能早于今天"})
    if publish_on > due.date:
        raise ValidationError(
            {
                "publish_on": f"排期公示日期不能晚于公示期限 {due.date:%Y-%m-%d}"
                + ("（暂定）" if due.provisional else "")
                + "：检查结果应在任务完成后20个工作日内公示"
            }
        )
    before = {"status": publication.status, "publish_on": publication.publish_on}
    publication.status = Publication.Status.QUEUED
    publication.publish_on = publish_on
    publication.queued_by = user
    publication.full_clean()
    publication.save(update_fields=["status", "publish_on", "queued_by"])
    audit.record(
        user,
        "update",
        publication,
        changes=audit.diff(before, {"status": publication.status, "publish_on": publish_on}),
        note=f"排期于 {publish_on:%Y-%m-%d} 公示",
    )
    return publication


@transaction.atomic
def unqueue(*, user, publication: Publication) -> Publication:
    """Cancel a scheduled publication: back to 待公示."""
    _require_supervisor(user, publication)
    publication = _locked(publication)
    _require_open(publication)
    if publication.status != Publication.Status.QUEUED:
        raise ValidationError("该任务没有排期公示")
    before = {"status": publication.status, "publish_on": publication.publish_on}
    publication.status = Publication.Status.PENDING
    publication.publish_on = None
    publication.queued_by = None
    publication.save(update_fields=["status", "publish_on", "queued_by"])
    audit.record(
        user,
        "update",
        publication,
        changes=audit.diff(before, {"status": publication.status, "publish_on": None}),
        note="取消排期公示",
    )
    return publication


def publish_due(today: dt.date | None = None) -> list[tuple[Publication, int | str]]:
    """Publish every queued publication whose day has come, each in its own transaction, on
    behalf of the supervisor who queued it (the audit log names them). Returns (publication,
    count published) and, for one that could not be published, (publication, the reason)."""
    today = today or timezone.localdate()
    done: list[tuple[Publication, int | str]] = []
    due = Publication.objects.filter(status=Publication.Status.QUEUED, publish_on__lte=today)
    for publication in due.select_related("queued_by", "task").order_by("publish_on", "pk"):
        try:
            count = publish(user=publication.queued_by, publication=publication)
        except (PermissionDenied, ValidationError) as exc:
            # e.g. the supervisor has since left: it stays queued, and is listed as overdue
            done.append((publication, "；".join(getattr(exc, "messages", None) or [str(exc)])))
            continue
        done.append((publication, count))
    return done


# --- withdrawal ----------------------------------------------------------------------------------


@transaction.atomic
def withdraw(*, user, entry: PublicResult, reason: str, now=None) -> PublicResult:
    """Take a published result off the public record with a written reason; the row stays."""
    entry = PublicResult.objects.select_for_update().select_related("publication").get(pk=entry.pk)
    _require_supervisor(user, entry.publication)
    reason = (reason or "").strip()
    if entry.withdrawn_at:
        raise ValidationError(f"该结果已于 {timezone.localtime(entry.withdrawn_at):%Y-%m-%d} 撤回")
    if len(reason) < WITHDRAWAL_REASON_MIN:
        raise ValidationError(
            {"reason": f"请写明撤回理由（至少 {WITHDRAWAL_REASON_MIN} 个字），撤回理由将对外公示"}
        )
    entry.withdrawn_at = now or timezone.now()
    entry.withdrawal_reason = reason
    entry.withdrawn_by = user
    entry.full_clean(exclude=["publication", "result", "entity", "district"])
    entry.save(update_fields=["withdrawn_at", "withdrawal_reason", "withdrawn_by"])
    audit.record(
        user,
        "update",
        entry,
        changes=audit.diff(
            {"withdrawn_at": None, "withdrawal_reason": ""},
            {"withdrawn_at": _moment(entry.withdrawn_at), "withdrawal_reason": reason},
        ),
        note=f"撤回公示：{reason}",
    )
    return entry
