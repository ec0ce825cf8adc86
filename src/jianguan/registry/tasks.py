"""Background work for the entity roster: bulk import from an uploaded file."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from jianguan.core import jobs
from jianguan.core.models import Job

from . import importing

KIND_IMPORT = "import_entities"


@task()
def import_entities_task(job_id: int) -> dict:
    """Import the file stored for the job; result and error report go to the Job."""
    return jobs.run_import(job_id, importing.import_entities)


def start_entity_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return jobs.start_import(
        kind=KIND_IMPORT,
        title=_("导入检查对象"),
        user=user,
        uploaded_file=uploaded_file,
        skip_invalid=skip_invalid,
        task=import_entities_task,
    )
