"""Background work for the entity roster: bulk import from an uploaded file, large exports."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from jianguan.core import importing as imports
from jianguan.core import jobs
from jianguan.core.models import Job
from jianguan.core.scoping import user_district

from . import importing, selectors
from .filters import EntityFilters

KIND_IMPORT = imports.register(
    "import_entities", gettext_lazy("导入检查对象"), importing.import_entities
).kind


def start_entity_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return imports.start(KIND_IMPORT, user, uploaded_file, skip_invalid=skip_invalid)


KIND_EXPORT = "export_entities"
EXPORT_DIR = "exports"


@task()
def export_entities_task(job_id: int) -> dict:
    """Write the filtered roster to MEDIA_ROOT/exports/<job>/ for a download after the job."""

    def work(job: Job, progress) -> tuple[dict, str]:
        fmt = job.params["fmt"]
        filters = EntityFilters.model_validate(job.params["filters"])
        qs = selectors.entity_list(user=job.created_by, filters=filters)
        progress(0, 0, _("导出中"))
        rel = f"{EXPORT_DIR}/{job.pk}/entities.{fmt}"
        path = Path(settings.MEDIA_ROOT) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = importing.export_entities(path, queryset=qs, fmt=fmt)
        return {"total": rows, "output": rel}, _("已导出 %(n)s 行") % {"n": f"{rows:,}"}

    return jobs.run_job(job_id, work)


def start_entity_export(*, user, filters: EntityFilters, fmt: str) -> Job:
    """Queue an export of what `user` sees under `filters` (the list page's)."""
    job = Job.objects.create(
        kind=KIND_EXPORT,
        title=_("导出检查对象（%(fmt)s）") % {"fmt": fmt},
        created_by=user,
        district=user_district(user),
        params={"filters": filters.model_dump(mode="json", exclude_none=True), "fmt": fmt},
    )
    export_entities_task.enqueue(job.pk)
    job.refresh_from_db()
    return job
