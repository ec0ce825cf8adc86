"""Background imports of the check-item catalogue and the result codes (core.importing)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jianguan.core import importing as imports

from . import importing

KIND_ITEMS = imports.register("import_check_items", _("导入抽查事项"), importing.import_items).kind
KIND_RESULT_CODES = imports.register(
    "import_result_codes", _("导入检查结果代码"), importing.import_result_codes
).kind
