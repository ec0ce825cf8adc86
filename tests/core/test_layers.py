"""The layer contracts (issue 13: "a deliberate cycle or a domain→view import fails CI").

`make lint` runs import-linter with the contracts in pyproject.toml. These tests run the same
check on a copy of the source with one forbidden import added, and show each kind of violation
breaks it; and that every app of the project is placed in the contracts, so a new app cannot
stand outside them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _lint(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}  # the copy comes before the installed package
    return subprocess.run(  # noqa: S603 - our own linter on a copy of our own source
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def source(tmp_path) -> Path:
    """A copy of src/ without compiled files or migrations (they import nothing of ours)."""
    shutil.copytree(
        ROOT / "src" / "jianguan",
        tmp_path / "jianguan",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "locale", "data"),
    )
    return tmp_path


def _add(src: Path, module: str, line: str) -> None:
    """Append `line` to the module (a new module when there is none)."""
    path = (src / Path(*module.split("."))).with_suffix(".py")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text + "\n" + line + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        # core is the bottom layer: it imports no domain app (here also a cycle: registry
        # imports core)
        (
            "jianguan.core.stray",
            "from jianguan.registry import models",
            "layers",
            "jianguan.core.stray",
        ),
        # publication already reads workdays' calendar: the reverse import closes a cycle
        (
            "jianguan.workdays.stray",
            "from jianguan.publication import models",
            "acyclic-apps",
            ".workdays -> .publication",
        ),
        # inspections may read the roster, not import its pages
        (
            "jianguan.inspections.stray",
            "from jianguan.registry import views",
            "views",
            "jianguan.inspections.stray",
        ),
        # a read that writes: selectors import no services (their own app's or another's)
        (
            "jianguan.publication.selectors",
            "from . import services",
            "selectors",
            "jianguan.publication.selectors",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(source, module, line, contract, named):
    assert _lint(source).returncode == 0
    _add(source, module, line)
    result = _lint(source)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # long contract names wrap
    assert f"{_contracts()[contract]['name']} BROKEN" in report, result.stdout
    assert named in report  # the offending import is named


def test_only_the_views_contract_breaks_on_an_import_of_pages(source):
    _add(source, "jianguan.inspections.stray", "from jianguan.registry import views")
    report = " ".join(_lint(source).stdout.split())
    assert report.count(" BROKEN") == 1 and "Contracts: 3 kept, 1 broken" in report


def test_every_app_is_placed_in_the_contracts():
    ours = sorted(c.name for c in apps.get_app_configs() if c.name.startswith("jianguan."))
    contracts = _contracts()
    layered = {m.strip() for layer in contracts["layers"]["layers"] for m in _split(layer)}
    assert [a for a in ours if a not in layered] == []
    with_pages = [
        a for a in ours if (ROOT / "src" / Path(*a.split("."))).joinpath("urls.py").exists()
    ]
    protected = set(contracts["views"]["protected_modules"])
    assert [a for a in with_pages if f"{a}.views" not in protected and a != "jianguan.core"] == []


def _split(layer: str) -> list[str]:
    return layer.replace("|", ":").split(":")
