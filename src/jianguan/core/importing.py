"""One way to run an import from the web: the upload is stored, one background task imports
it (progress bar, error report to download), and the job's page shows the outcome.

An app declares each of its imports once with `register(kind, title, importer)` in its
`tasks` module; `importer(path, *, user, skip_invalid, progress, file_name)` returns a
tabular.ImportResult. The worker opens the file once, through tabular (the xlsx guard first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.module_loading import autodiscover_modules
from django_tasks import task

from . import jobs
from .models import Job


@dataclass(frozen=True)
class ImportKind:
    kind: str  # Job.kind
    title: str  # the job's title, before the file name
    importer: Callable[..., Any]


KINDS: dict[str, ImportKind] = {}


def register(kind: str, title: str, importer: Callable[..., Any]) -> ImportKind:
    KINDS[kind] = ImportKind(kind, title, importer)
    return KINDS[kind]


def kind_of(name: str) -> ImportKind:
    if name not in KINDS:
        autodiscover_modules("tasks")  # a fresh worker: the apps declare their imports there
    return KINDS[name]


@task()
def import_task(job_id: int) -> dict:
    """Import the file stored for the job with the importer its kind names."""
    kind = Job.objects.values_list("kind", flat=True).get(pk=job_id)
    return jobs.run_import(job_id, kind_of(kind).importer)


def start(kind: str, user, uploaded_file, *, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import; ValidationError for a wrong file type or size."""
    spec = kind_of(kind)
    return jobs.start_import(
        kind=spec.kind,
        title=spec.title,
        user=user,
        uploaded_file=uploaded_file,
        skip_invalid=skip_invalid,
        task=import_task,
    )


def start_from_form(request, form, kind: str, *, skip_invalid: bool = False):
    """The POST of an upload form: a redirect to the job's page, or None with the reason
    added to the form (the caller renders it again)."""
    try:
        job = start(kind, request.user, form.cleaned_data["file"], skip_invalid=skip_invalid)
    except ValidationError as e:
        form.add_error("file", e)
        return None
    return redirect("core:job_detail", pk=job.pk)
