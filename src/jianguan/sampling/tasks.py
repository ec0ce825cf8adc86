"""Background work of the draw: the draw itself (services.execute) runs as a Job with progress.

The page (or the API) starts the job and sends the user to core's job page, whose bar follows
the engine's phases; the job's result names the draw and its page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from jianguan.core import jobs
from jianguan.core.models import Job

from . import selectors, services
from .models import Draw

KIND = selectors.JOB_KIND


def _link(draw: Draw) -> dict:
    return {"draw_id": draw.pk, "url": reverse("sampling:draw_detail", args=[draw.pk])}


@task()
def execute_draw_task(job_id: int) -> dict:
    """Draw targets and teams for the job's draw, as the user who started it."""

    def work(job: Job, progress) -> tuple[dict, str]:
        draw = Draw.objects.select_related("task").get(pk=job.params["draw_id"])
        link = _link(draw)
        try:
            draw = services.execute(draw, user=job.created_by, progress=progress)
        except PermissionDenied as e:
            raise jobs.JobFailed(str(e) or _("无权进行抽取"), link) from e
        except ValidationError as e:  # DrawError: wrong state, entropy missing, files changed
            raise jobs.JobFailed("；".join(e.messages), link) from e
        if draw.status == Draw.Status.INFEASIBLE:
            raise jobs.JobFailed(
                _(
                    "无法配齐检查人员：%(n)s 户没有足够的合格检查人员，未写入任何抽取结果。"
                    "任务已退回待抽取，可调整规则或人员后重新冻结名单。"
                )
                % {"n": len(draw.unstaffed)},
                # Chinese keys: core's job page shows the int values of "counts" as they are.
                {**link, "counts": {"无法配齐户数": len(draw.unstaffed)}},
            )
        counts = draw.counts or {}
        selected = int(counts.get("selected") or 0)
        result = {
            **link,
            "counts": {
                "抽中户数": selected,
                "必查户数": int(counts.get("certain") or 0),
                "随机抽取户数": sum((counts.get("drawn") or {}).values()),
            },
        }
        message = _(
            "抽取完成：抽中 %(n)s 户，已公开密钥并生成抽取证明。"
            "结果见“双随机抽查 › 抽取记录”或抽查任务页面。"
        ) % {"n": f"{selected:,}"}
        return result, message

    return jobs.run_job(job_id, work)


def start_draw(draw: Draw, user) -> Job:
    """Queue the draw of a committed draw; the job (refreshed) for its progress page.

    Refuses at once (DrawError) what the engine would refuse, so the user is not sent to a job
    that can only fail; a draw already queued or running answers with that job.
    """
    if not selectors.can_change(user, draw):
        raise PermissionDenied(_("您无权对该任务进行抽取"))
    if draw.status != Draw.Status.COMMITTED:
        raise services.DrawError(_("该抽取已经完成，结果不可更改"))
    if draw.requires_entropy and not draw.external_entropy:
        raise services.DrawError(_("该任务要求外部随机数：请先录入公开的随机数，再进行抽取"))
    running = selectors.running_job(draw)
    if running is not None:
        return running
    job = Job.objects.create(
        kind=KIND,
        title=(_("抽取：%(task)s") % {"task": draw.task})[:200],
        created_by=user,
        district=draw.district,
        params={"draw_id": draw.pk, "task_id": draw.task_id},
    )
    execute_draw_task.enqueue(job.pk)
    job.refresh_from_db()
    return job
