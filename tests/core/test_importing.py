"""One way to run an import (issue 13): every web import is a registered kind run by the one
background task; a fresh worker finds each kind's importer without the web having run."""

from __future__ import annotations

import os
import subprocess
import sys

KINDS = {
    "import_entities": "jianguan.registry.importing",
    "import_inspectors": "jianguan.personnel.importing",
    "import_experts": "jianguan.personnel.importing_experts",
    "import_check_items": "jianguan.catalog.importing",
    "import_result_codes": "jianguan.catalog.importing",
    "import_keyarea_listings": "jianguan.risk.importing",
    "import_pt_results": "jianguan.testing.proficiency",
    "import_qualifications": "jianguan.testing.importing",
}


def test_fresh_worker_finds_every_import_kind():
    code = (
        "import django; django.setup()\n"
        "from jianguan.core.importing import kind_of\n"
        f"for kind in {sorted(KINDS)!r}:\n"
        "    print(kind, kind_of(kind).importer.__module__)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jianguan.settings.test"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert dict(line.split() for line in out.splitlines()) == KINDS
