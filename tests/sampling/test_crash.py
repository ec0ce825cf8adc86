"""Crash safety of the draw: SIGKILL at any moment leaves no half-written draw.

A draw is either absent, committed (frozen rosters on disk, no visits), or drawn (result, proof
and every visit present). A killed draw is simply run again. Runs against a file SQLite database,
and against a scratch PostgreSQL database when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from jianguan.sampling import protocol as P

ROOT = Path(__file__).resolve().parents[2]
TASK = {
    "title": "全市全覆盖检查（崩溃测试）",
    "unit": "310000",
    "items": ["SH-SC-011"],
    "check_date": "2026-12-01",
    "sampling": {"mode": "ratio", "ratio": "1", "stratify_by": ["district"]},
    "team": {"size": 2, "pool_by": "district", "rotation": False},
}


class Site:
    def __init__(self, url: str, var: Path):
        self.url, self.var = url, var
        self.env = {**os.environ, "DATABASE_URL": url, "JIANGUAN_VAR": str(var)}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own program, fixed arguments
            [sys.executable, "-m", "jianguan", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )

    def start_draw(self, task_file: Path) -> subprocess.Popen:
        out = self.var / f"proof-{time.monotonic_ns()}"
        return subprocess.Popen(  # noqa: S603 - our own program, fixed arguments
            [sys.executable, "-m", "jianguan", "run_draw", str(task_file), "--out", str(out)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def query(site: Site, sql: str) -> list[tuple]:
    if site.url.startswith("sqlite"):
        with sqlite3.connect(site.url.removeprefix("sqlite:///")) as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(site.url) as db:
        return db.execute(sql).fetchall()


def assert_consistent(site: Site) -> dict[str, int]:
    """Every draw is wholly committed or wholly drawn; nothing else is in the database."""
    states = {"committed": 0, "drawn": 0}
    visits = dict(query(site, "SELECT draw_id, COUNT(*) FROM sampling_visit GROUP BY draw_id"))
    for pk, status, counts, digests in query(
        site, "SELECT id, status, counts, digests FROM sampling_draw"
    ):
        counts = json.loads(counts) if isinstance(counts, str) else counts
        digests = json.loads(digests) if isinstance(digests, str) else digests
        folder = site.var / "files" / "draws" / str(pk)
        for name, (file, _columns) in P.ROSTER_FILES.items():
            assert P.sha256_hex((folder / file).read_bytes()) == digests[name], (pk, file)
        if status == "drawn":
            assert (folder / "proof.json").exists() and (folder / "result.csv").exists()
            assert visits.get(pk, 0) == counts["selected"]
        else:
            assert status == "committed" and pk not in visits  # no visit without its proof
        states[status] += 1
    assert set(visits) <= {pk for pk, status in query(site, "SELECT id, status FROM sampling_draw")}
    return states


@contextmanager
def database(tmp_path: Path):
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        from tests.core.test_backup import scratch_postgres

        with scratch_postgres("crash") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"


@pytest.mark.django_db
def test_a_draw_killed_at_any_moment_leaves_the_database_consistent(tmp_path):
    with database(tmp_path) as url:
        site = Site(url, tmp_path / "var")
        site.run("migrate", "-v0")
        site.run("seed_demo", "--entities", "20000", "--seed", "3")
        task_file = tmp_path / "task.json"
        task_file.write_text(json.dumps(TASK, ensure_ascii=False), "utf-8")
        started = time.monotonic()
        assert site.start_draw(task_file).wait() == 0
        whole = time.monotonic() - started
        assert assert_consistent(site) == {"committed": 0, "drawn": 1}
        for fraction in (0.35, 0.55, 0.7, 0.85, 0.95):
            process = site.start_draw(task_file)
            time.sleep(whole * fraction)
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert_consistent(site)
        # and a killed draw is simply run again
        assert site.start_draw(task_file).wait() == 0
        states = assert_consistent(site)
        assert states["drawn"] >= 2
        proofs = sorted(site.var.glob("proof-*/proof.json"))
        assert proofs and P.verify(proofs[-1].parent) == []
