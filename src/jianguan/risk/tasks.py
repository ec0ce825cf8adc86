"""Background classification runs (core.jobs: progress bar on the job page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from jianguan.core import importing as imports
from jianguan.core import jobs
from jianguan.core.models import Job

from . import importing, selectors, services
from .models import RiskModel

KIND = "risk_classify"
KIND_LISTINGS = imports.register(
    "import_keyarea_listings", _("导入重点领域企业清单"), importing.import_listings
).kind


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
    model = model or selectors.active_model()
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


BACKTEST_KIND = "risk_backtest"


@task()
def backtest_task(job_id: int) -> dict:
    """A backtest as a background job (scoring every entity takes a while on a city's roster);
    the per-class table goes into the job's result, which the backtest page shows."""
    import datetime as dt

    from . import backtest

    def work(job: Job, progress) -> tuple[dict, str]:
        model = RiskModel.objects.filter(pk=job.params.get("model")).first()
        if model is None:
            raise jobs.JobFailed("模型版本不存在")
        split = dt.date.fromisoformat(job.params["split"])
        until = dt.date.fromisoformat(job.params["until"])
        progress(0, 2, "计算分类")
        report = backtest.run(model, split, until)
        progress(2, 2, "完成")
        if not report.checks:
            raise jobs.JobFailed("分界日期之后没有检查结果记录，无法回测")
        return backtest.as_dict(report), f"回测完成：提升倍数 {report.lift:.2f}"

    return jobs.run_job(job_id, work)


UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)


@transaction.atomic
def start_backtest(user, model: RiskModel, split, until) -> Job:
    """Queue a backtest. Scoring the whole city is heavy and any staff member may ask for it, so
    one backtest runs at a time for a model version and split date (a second asker is pointed to
    the running one), and each user has at most one unfinished backtest."""
    # the model's row lock orders two requests for the same model: the second sees the first
    RiskModel.objects.select_for_update().filter(pk=model.pk).first()
    unfinished = Job.objects.filter(kind=BACKTEST_KIND, status__in=UNFINISHED)
    same = unfinished.filter(params__model=model.pk, params__split=split.isoformat()).first()
    if same is not None:
        raise ValidationError(
            _("模型 V%(v)s 以 %(d)s 为分界日期的回测正在进行（任务 %(n)s），请等它完成后查看结果")
            % {"v": model.version, "d": f"{split:%Y-%m-%d}", "n": same.pk}
        )
    if user is not None and unfinished.filter(created_by=user).exists():
        raise ValidationError(_("您已有一项回测正在进行，请等它完成后再发起新的回测"))
    job = Job.objects.create(
        kind=BACKTEST_KIND,
        title=f"信用风险分类回测（模型 V{model.version}）",
        created_by=user,
        district=None,
        params={"model": model.pk, "split": split.isoformat(), "until": until.isoformat()},
    )
    backtest_task.enqueue(job.pk)
    job.refresh_from_db()
    return job
