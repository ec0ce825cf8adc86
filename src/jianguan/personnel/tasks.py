"""Background work for the inspector roster and the expert pool: bulk import from an upload."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from jianguan.core import jobs
from jianguan.core.models import Job

from . import importing, importing_experts

KIND_IMPORT = "import_inspectors"
KIND_IMPORT_EXPERTS = "import_experts"


@task()
def import_inspectors_task(job_id: int) -> dict:
    """Import the file stored for the job; result and error report go to the Job."""
    return jobs.run_import(job_id, importing.import_inspectors)


def start_inspector_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return jobs.start_import(
        kind=KIND_IMPORT,
        title=_("导入检查人员"),
        user=user,
        uploaded_file=uploaded_file,
        skip_invalid=skip_invalid,
        task=import_inspectors_task,
    )


@task()
def import_experts_task(job_id: int) -> dict:
    """Import the expert file stored for the job; result and error report go to the Job."""
    return jobs.run_import(job_id, importing_experts.import_experts)


def start_expert_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return jobs.start_import(
        kind=KIND_IMPORT_EXPERTS,
        title=_("导入专家"),
        user=user,
        uploaded_file=uploaded_file,
        skip_invalid=skip_invalid,
        task=import_experts_task,
    )
