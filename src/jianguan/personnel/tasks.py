"""Background work for the inspector roster and the expert pool: bulk import from an upload."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jianguan.core import importing as imports
from jianguan.core.models import Job

from . import importing, importing_experts

KIND_IMPORT = imports.register(
    "import_inspectors", _("导入检查人员"), importing.import_inspectors
).kind
KIND_IMPORT_EXPERTS = imports.register(
    "import_experts", _("导入专家"), importing_experts.import_experts
).kind


def start_inspector_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return imports.start(KIND_IMPORT, user, uploaded_file, skip_invalid=skip_invalid)


def start_expert_import(user, uploaded_file, skip_invalid: bool = False) -> Job:
    """Store the upload and queue its import. ValidationError for a wrong file type or size."""
    return imports.start(KIND_IMPORT_EXPERTS, user, uploaded_file, skip_invalid=skip_invalid)
