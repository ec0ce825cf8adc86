"""Issue 12 "Skips": a PostgreSQL-only test (@pytest.mark.postgresql) is skipped on SQLite, but
a skip of it in the PostgreSQL run fails that run, and a run told to expect PostgreSQL
(JIANGUAN_EXPECT_DATABASE, set by .ci/run) fails at once on SQLite. Each case runs pytest on a
probe test in a separate process, with tests/conftest.py's hooks as CI has them."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """import pytest


@pytest.mark.postgresql
def test_probe():
    pytest.skip("left out")
"""


def run_probe(**env) -> subprocess.CompletedProcess:
    path = ROOT / "tests" / f"_probe_{uuid.uuid4().hex}.py"
    path.write_text(PROBE)
    environ = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_XDIST_WORKER")
    }
    environ.pop("JIANGUAN_EXPECT_DATABASE", None)
    environ.update(env)
    try:
        return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:xdist", "-rs"],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        path.unlink()


def test_on_sqlite_a_postgresql_test_is_skipped():
    done = run_probe()
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout + done.stderr


def test_a_run_expecting_postgresql_fails_on_sqlite():
    done = run_probe(JIANGUAN_EXPECT_DATABASE="postgresql")
    assert done.returncode != 0
    assert "JIANGUAN_EXPECT_DATABASE=postgresql but the tests would run on sqlite3" in (
        done.stdout + done.stderr
    )


@pytest.mark.postgresql
def test_on_postgresql_a_skipped_postgresql_test_fails_the_run():
    done = run_probe(DATABASE_URL=os.environ["DATABASE_URL"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert "PostgreSQL-only test skipped in the PostgreSQL run" in done.stdout
