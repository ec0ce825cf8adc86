"""Hostile import files: a clear error and the database unchanged, whatever arrives.

Broken xlsx, one 10 MB line, a million rows with one bad row at the very end, a DDE payload that
must come out of an export neutralised, and an import killed half-way.
"""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from openpyxl import load_workbook

from jianguan.core import uscc
from jianguan.registry.importing import export_entities, import_entities
from jianguan.registry.models import Entity
from tests.registry.test_import import row, snapshot_db, write_csv

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HEADER = "统一社会信用代码,名称,所属区\n"


def codes(n: int, seed: int = 1) -> list[str]:
    """n distinct valid codes (GB 32100 check character), fast."""
    rng = np.random.default_rng(seed)
    bodies = rng.choice(10**7, n, replace=False)
    return [uscc.compose(f"91310101MA{b:07d}") for b in bodies.tolist()]


def test_broken_xlsx_is_a_clear_error(tmp_path, make_entity):
    make_entity()
    before = snapshot_db()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    result = import_entities(path)
    assert not result.committed and result.errors
    assert "xlsx" in result.errors[0].reason or "文件" in result.errors[0].reason
    assert snapshot_db() == before


def test_ten_megabytes_on_one_line(tmp_path):
    before = snapshot_db()
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "9" * (10 * 1024 * 1024) + ",名称,黄浦区\n", encoding="utf-8")
    result = import_entities(path)
    assert not result.committed and result.errors
    assert result.errors[0].row == 2  # the row is named
    assert snapshot_db() == before


def test_a_million_rows_with_one_bad_row_at_the_end(tmp_path):
    """All-or-nothing: the last of 1,000,000 rows is wrong, so none is written."""
    path = tmp_path / "million.csv"
    good = codes(999_999)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        f.writelines(f"{c},上海测试{i}有限公司,黄浦区\n" for i, c in enumerate(good))
        f.write("91310101MA00000000,坏行有限公司,黄浦区\n")  # wrong check character
    result = import_entities(path)
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [(1_000_001, "统一社会信用代码")]
    assert Entity.objects.count() == 0


def test_dde_payload_is_neutralised_in_every_export(tmp_path, make_entity):
    """=cmd|' /C calc'!A0 must never reach a spreadsheet as a formula."""
    payload = "=cmd|' /C calc'!A0"
    make_entity(name=payload, legal_rep="-2+3+cmd|' /C calc'!A0")
    path = tmp_path / "out.csv"
    export_entities(path)
    [data] = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert data["名称"] == "'" + payload
    assert data["法定代表人"].startswith("'")
    path = tmp_path / "out.xlsx"
    export_entities(path)
    cell = load_workbook(path).worksheets[0]["B2"]
    assert cell.value == "'" + payload and cell.data_type == "s"
    # and importing the export back does not change the name into a formula either
    result = import_entities(path)
    assert result.committed or not result.errors


def test_an_import_killed_half_way_writes_nothing(tmp_path):
    """SIGKILL in the middle of a large import: no row of it is in the database; run it again."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        from tests.core.test_backup import scratch_postgres

        context = scratch_postgres("killimport")
    else:
        from contextlib import nullcontext

        context = nullcontext(f"sqlite:///{tmp_path / 'kill.sqlite3'}")
    path = write_csv(tmp_path / "big.csv", [row(c) for c in codes(200_000, seed=7)])
    with context as url:
        env = {**os.environ, "DATABASE_URL": url, "JIANGUAN_VAR": str(tmp_path / "var")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        command = [sys.executable, "-m", "jianguan"]
        subprocess.run([*command, "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
        for delay in (2.0, 4.0):
            process = subprocess.Popen(  # noqa: S603 - our own program
                [*command, "import_entities", str(path)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert count_entities(url) in (0, 200_000)  # never a part
        subprocess.run([*command, "import_entities", str(path)], env=env, cwd=ROOT, check=True)  # noqa: S603
        assert count_entities(url) == 200_000


def count_entities(url: str) -> int:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute("SELECT COUNT(*) FROM registry_entity").fetchone()[0]
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute("SELECT COUNT(*) FROM registry_entity").fetchone()[0]
