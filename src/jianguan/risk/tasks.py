"""Background classification runs (core.jobs: progress bar on the job page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks import task

from jianguan.core import jobs
from jianguan.core.models import Job

from . import services
from .models import RiskModel

KIND = "risk_classify"


@task()
def classify_task(job_id: int) -> dict:
    def work(job: Job, progress) -> tuple[dict, str]:
        model = RiskModel.objects.filter(pk=job.params.get("model")).first()
        try:
            run = services.classify(model=model, user=job.created_by, job=job, progress=progress)
        except ValidationError as e:
            raise jobs.JobFailed("；".join(e.messages)) from e
        counts = {f"{k}类": v for k, v in run.counts.items()}
        counts["分类变化"] = run.changed
        total = sum(run.counts.values())
        return (
            {"counts": counts, "run": run.pk, "url": reverse("risk:run_detail", args=[run.pk])},
            f"已完成 {total:,} 户的信用风险分类（模型 V{run.model.version}）",
        )

    return jobs.run_job(job_id, work)


def start_classify(user, model: RiskModel | None = None) -> Job:
    services._require_editor(user)
    model = model or services.active_model()
    if model is None:
        raise ValidationError("没有启用中的信用风险分类模型")
    job = Job.objects.create(
        kind=KIND,
        title=f"信用风险分类（模型 V{model.version}）",
        created_by=user,
        district=None,
        params={"model": model.pk},
    )
    classify_task.enqueue(job.pk)
    job.refresh_from_db()
    return job
