"""Background work of the testing app: the result and register imports, grade runs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from jianguan.core import importing as imports
from jianguan.core import jobs
from jianguan.core.models import Job
from jianguan.core.scoping import user_district

from . import grades, importing, proficiency

KIND_PT_IMPORT = imports.register(
    "import_pt_results", gettext_lazy("导入能力验证结果"), proficiency.import_results
).kind
KIND_REGISTER_IMPORT = imports.register(
    "import_qualifications", gettext_lazy("导入资质认定登记"), importing.import_register
).kind
KIND_GRADES = "grade_testing_bodies"


def start_pt_import(user, uploaded_file) -> Job:
    return imports.start(KIND_PT_IMPORT, user, uploaded_file)


def start_register_import(user, uploaded_file) -> Job:
    return imports.start(KIND_REGISTER_IMPORT, user, uploaded_file)


@task()
def grade_task(job_id: int) -> dict:
    def work(job: Job, progress) -> tuple[dict, str]:
        run = grades.run(
            user=job.created_by,
            trigger=job.params.get("trigger", "manual"),
            progress=progress,
            job=job,
        )
        counts = "，".join(f"{g}级 {n}" for g, n in run.counts.items())
        return (
            {"total": sum(run.counts.values()), "url": f"/testing/grades/?run={run.pk}"},
            _("信用等级评价完成：%(c)s；等级变化 %(n)d 家") % {"c": counts, "n": run.changed},
        )

    return jobs.run_job(job_id, work)


def start_grades(user, trigger: str = "manual") -> Job:
    job = Job.objects.create(
        kind=KIND_GRADES,
        title=_("检验检测机构信用等级评价"),
        created_by=user if getattr(user, "pk", None) else None,
        district=user_district(user) if user is not None else None,
        params={"trigger": trigger},
    )
    grade_task.enqueue(job.pk)
    job.refresh_from_db()
    return job
