"""Load: 200 concurrent clients for 2 minutes against gunicorn on PostgreSQL, 1,000,000 entities.

    .venv/bin/python bench/bench_load.py [--entities N] [--users U] [--minutes M]

A fresh database with the demo city, gunicorn (4 workers) in front of it, locust headless with
bench/locustfile.py: roster list, search and detail pages mixed with API list and detail calls,
and (one client in four) anonymous portal lookups by credit code and name, pages and API (the
portal's rate limit is off for the run: every client has the same address).
Records per endpoint p95 in ms (load_<endpoint>_p95_ms), the staff pages' worst p95
(load_staff_p95_ms) and the number of failed or 5xx responses (load_errors, which must be 0).
The baseline beside it is the same mix with a single client (load_single_client_p95_ms): how
much the 200 clients slow each other down.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import demo_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_load"
PORT = 8911
PASSWORD = "Load-Test-Password-1"  # noqa: S105 - a throwaway benchmark account


def prepare(url: str) -> dict[str, str]:
    setup_django(url)
    from jianguan.org.models import ApiToken, Unit, User
    from jianguan.registry.models import Entity

    district = Unit.objects.get(code="310101")
    user = User.objects.create_user(
        "load_admin", password=PASSWORD, role="district_admin", unit=district
    )
    _token, key = ApiToken.issue(user, "load test")
    ids = Entity.objects.filter(district=district).values_list("pk", flat=True)[:2000]
    codes = Entity.objects.order_by("?").values_list("uscc", flat=True)[:2000]
    return {
        "JIANGUAN_LOAD_SESSIONS": ",".join(signed_in_sessions(user, 400)),
        "JIANGUAN_LOAD_TOKEN": key,
        "JIANGUAN_LOAD_ENTITIES": ",".join(map(str, ids)),
        "JIANGUAN_LOAD_WORDS": "餐饮,贸易,科技,食品,咨询,建筑",
        "JIANGUAN_LOAD_USCCS": ",".join(codes),
    }


def signed_in_sessions(user, n: int) -> list[str]:
    """Session keys of `user`, as the login page would make them: the clients arrive signed in
    (400 simultaneous password checks would measure PBKDF2, not the pages)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for _ in range(n):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def serve(url: str, var: Path) -> subprocess.Popen:
    return common.serve(url, var, PORT, "/login/")


def swarm(env: dict[str, str], users: int, seconds: int, prefix: Path) -> dict[str, dict]:
    subprocess.run(  # noqa: S603 - our own tool
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(Path(__file__).resolve().parent / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 10)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        env={**os.environ, **env},
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    url = demo_database(DB_NAME, args.entities)
    env = prepare(url)
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(url, Path(tmp) / "var")
        try:
            swarm(env, 8, 15, Path(tmp) / "warmup")  # every worker has served each page once
            single = swarm(env, 1, 30, Path(tmp) / "single")
            stats = swarm(env, args.users, int(args.minutes * 60), Path(tmp) / "load")
        finally:
            server.terminate()
            server.wait()
    figures: dict[str, float] = {}
    for name, row in stats.items():
        if name in ("Aggregated", "login"):
            continue
        figures[f"load_{slug(name)}_p95_ms"] = float(row["95%"])
    staff = [v for k, v in figures.items() if k.startswith("load_staff")]
    figures["load_staff_p95_ms"] = max(staff)
    portal = [v for k, v in figures.items() if k.startswith("load_portal")]
    if portal:
        figures["load_portal_p95_ms"] = max(portal)
    figures["load_errors"] = int(stats["Aggregated"]["Failure Count"])
    figures["load_requests"] = int(stats["Aggregated"]["Request Count"])
    figures["load_single_client_p95_ms"] = float(single["Aggregated"]["95%"])
    record(figures)
    return 0 if figures["load_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
