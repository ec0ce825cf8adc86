"""Running a background Job and reporting its progress.

Progress goes to the cache, not the Job row: the work itself usually holds a database
transaction, and a progress bar must see updates before that transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job
from .scoping import user_district

logger = logging.getLogger(__name__)
PROGRESS_TTL = 24 * 3600

Progress = Callable[[int, int, str], None]


class JobFailed(Exception):
    """An expected failure (bad file, rejected rows): the job ends 'failed' with this message."""

    def __init__(self, message: str, result: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


def progress_key(job_id: int) -> str:
    return f"jianguan:job:{job_id}:progress"


def set_progress(job_id: int, done: int, total: int, phase: str) -> None:
    percent = min(100, int(done * 100 / total)) if total else 0
    cache.set(
        progress_key(job_id),
        {"done": done, "total": total, "phase": phase, "percent": percent},
        PROGRESS_TTL,
    )


def get_progress(job_id: int) -> dict[str, Any] | None:
    """{'done', 'total', 'phase', 'percent'} or None when nothing was reported yet."""
    return cache.get(progress_key(job_id))


def reporter(job_id: int) -> Progress:
    def report(done: int, total: int, phase: str) -> None:
        set_progress(job_id, done, total, phase)

    return report


def run_job(
    job_id: int, work: Callable[[Job, Progress], tuple[dict[str, Any], str]]
) -> dict[str, Any]:
    """Mark the job running, call `work(job, progress)`, record its outcome.

    `work` returns (result, message). JobFailed marks the job failed with its message and
    result; any other exception marks it failed too and is re-raised for the task backend's
    log. Either way the job never stays 'running'.
    """
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING)
    set_progress(job_id, 0, 0, _("开始"))
    try:
        result, message = work(job, reporter(job_id))
    except JobFailed as e:
        _finish(job_id, Job.Status.FAILED, e.result, e.message)
        return e.result
    except Exception as e:
        logger.exception("job %s failed", job_id)
        _finish(
            job_id,
            Job.Status.FAILED,
            {},
            _("任务执行出错（%(e)s），请联系系统管理员") % {"e": type(e).__name__},
        )
        raise
    _finish(job_id, Job.Status.DONE, result, message)
    return result


def _finish(job_id: int, status: str, result: dict[str, Any], message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=status, result=result, message=message, finished_at=timezone.now()
    )
    total = (get_progress(job_id) or {}).get("total") or 0
    cache.set(
        progress_key(job_id),
        {"done": total, "total": total, "phase": str(Job.Status(status).label), "percent": 100},
        PROGRESS_TTL,
    )


# ---------------------------------------------------------------------------------------------
# Import jobs: an uploaded file stored under MEDIA_ROOT/imports/<job id>/ (outside the web
# root), imported by a task, with an error report written next to it.

IMPORT_DIR = "imports"


def check_upload(uploaded_file) -> str:
    """The file's format ('.csv'/'.xlsx'); ValidationError with a Chinese message otherwise."""
    suffix = Path(uploaded_file.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(_("请上传 .csv 或 .xlsx（Excel 2007 及以后版本）文件"))
    limit = settings.JIANGUAN_IMPORT_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError(_("文件过大：上限为 %(mb)d MB") % {"mb": limit // (1 << 20)})
    if not uploaded_file.size:
        raise ValidationError(_("文件为空"))
    return suffix


def start_import(*, kind: str, title: str, user, uploaded_file, skip_invalid: bool, task) -> Job:
    """Create the Job, store the upload, enqueue `task(job_id)`; return the job (refreshed)."""
    suffix = check_upload(uploaded_file)
    name = Path(uploaded_file.name).name
    job = Job.objects.create(
        kind=kind,
        title=f"{title}：{name}"[:200],
        created_by=user,
        district=user_district(user),
        params={"name": name, "skip_invalid": bool(skip_invalid)},
    )
    rel = f"{IMPORT_DIR}/{job.pk}/upload{suffix}"  # never the user's name: no path tricks
    target = Path(settings.MEDIA_ROOT) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as f:
        for block in uploaded_file.chunks():
            f.write(block)
    job.params["file"] = rel
    Job.objects.filter(pk=job.pk).update(params=job.params)
    task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def run_import(job_id: int, importer: Callable[..., Any]) -> dict[str, Any]:
    """Run `importer(path, user=, skip_invalid=, progress=, file_name=)` for an import job.

    The importer returns a result with as_dict(), summary(), errors and committed (see
    registry.importing.ImportResult). The job's result gets the counts, the first errors and
    'error_report' (path under MEDIA_ROOT) when there were errors.
    """

    def work(job: Job, progress: Progress) -> tuple[dict[str, Any], str]:
        path = Path(settings.MEDIA_ROOT) / job.params["file"]
        try:
            result = importer(
                path,
                user=job.created_by,
                skip_invalid=job.params.get("skip_invalid", False),
                progress=progress,
                file_name=job.params.get("name"),
            )
        except PermissionDenied as e:
            raise JobFailed(str(e) or _("无权导入")) from e
        data = result.as_dict()
        if result.errors:
            data["error_report"] = write_error_report(path, result.errors)
            data["errors_truncated"] = bool(getattr(result, "truncated", False))
        if not result.committed:
            raise JobFailed(result.summary(), data)
        return data, result.summary()

    return run_job(job_id, work)


def write_error_report(upload: Path, errors) -> str:
    """errors.csv / errors.xlsx beside the upload (same format); path relative to MEDIA_ROOT."""
    from .tabular import write_errors

    report = upload.with_name(f"errors{upload.suffix.lower()}")
    write_errors(report, errors)
    return str(report.relative_to(Path(settings.MEDIA_ROOT)))
