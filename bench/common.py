"""Shared by the benchmarks: a PostgreSQL database of their own, and bench/results.json."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PG_BASE = os.environ.get("JIANGUAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def fresh_database(name: str) -> str:
    """Drop and create a PostgreSQL database, migrate it, return its URL."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", f"{PG_BASE}/postgres", "-q", "-c", sql], check=True)
    url = f"{PG_BASE}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "jianguan", "migrate", "-v0"], check=True, env=env)
    return url


def demo_database(name: str, entities: int) -> str:
    """A fresh database holding the demo city, vacuumed, analysed and checkpointed: every
    benchmark starts from the same steady state, not from the seed's unwritten pages."""
    url = fresh_database(name)
    subprocess.run(
        [sys.executable, "-m", "jianguan", "seed_demo", "--entities", str(entities)],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
    )
    for sql in ("VACUUM (ANALYZE)", "CHECKPOINT"):
        subprocess.run(["psql", url, "-q", "-c", sql], check=True)
    return url


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.settings.base")
    os.environ.setdefault("JIANGUAN_TASKS", "immediate")
    import django

    django.setup()


def record(figures: dict[str, float]) -> None:
    """Merge figures (name → value, unit in the name) into bench/results.json, each with the
    time it was measured (`_measured_at`), so that the runner can tell this run's figures from
    an older run's."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data.setdefault("_measured_at", {}).update(dict.fromkeys(figures, now))
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    for key, value in figures.items():
        print(
            f"  {key:48s} {value:>14,.1f}"
            if isinstance(value, float | int)
            else f"  {key}: {value}"
        )


def serve(url: str, var: Path, port: int, probe: str, extra: tuple[str, ...] = ()):
    """gunicorn (4 sync workers, settings.base) on the database `url`, once `probe` answers.
    The portal's rate limit is off: every simulated client comes from 127.0.0.1."""
    import time
    import urllib.request

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JIANGUAN_VAR": str(var),
        "JIANGUAN_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "jianguan.settings.base",
        "JIANGUAN_PORTAL_RATE": "off",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    args = [gunicorn, "jianguan.wsgi", "--workers", "4", *extra, "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # noqa: S603 - our own program
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")
