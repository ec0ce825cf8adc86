"""The public portal under 50 concurrent clients: lookups by USCC and name searches.

    .venv/bin/python bench/bench_portal.py [--entities N] [--results R] [--clients C] [--seconds S]

Data: PostgreSQL with the demo city's 1,000,000 entities and 500,000 published results
(PublicResult) over five published tasks. The results are written by one INSERT … SELECT on the
server (faster than COPY: no row crosses the wire); their result_id points at no inspections
Result (foreign-key triggers are off while loading: the portal reads PublicResult alone). The
database is kept as jg_bench_portal and reused by the next run when it holds the same numbers
(COMMENT ON DATABASE says what it holds); --fresh rebuilds it.

Served by gunicorn (4 sync workers, settings.base, rate limit off: JIANGUAN_PORTAL_RATE=off), hit by
C client threads, each request a new connection (sync workers close it), in this mix:

    40% entity page by USCC        /public/entities/<uscc>/
    10% API entity by USCC         /api/public/entities/<uscc>
    40% name search page           /public/?q=<part of a name>
    10% API name search            /api/public/entities?q=<part of a name>

USCCs: 80% of entities with results, 20% without; name parts: 3-6 characters cut from real names
(a visitor types part of a name they know), plus a few common words (餐饮, 贸易, …).

Two phases with the same C clients:
- visitors: each client waits 0.5-1.5 s (uniform) between its requests, as a person reading the
  page does; the latency figures are from this phase: portal_lookup_p50_ms / _p95_ms / _p99_ms
  (target p95 <= 100 ms), portal_uscc_p95_ms, portal_name_p95_ms;
- saturated: no pause at all; the throughput the server sustains is portal_rps, with its latency
  portal_saturated_p95_ms (with C clients and no pause that is mostly queueing: C / rps).
portal_errors counts non-2xx answers and failed connections (must be 0).

Baseline in the same run, same C clients, saturated: the server floor, a constant page (the empty
search page: template only, no query): portal_baseline_floor_rps and _p95_ms. And the trigram
index's share on the database alone: the mean time of the name queries of the mix with the index
(portal_name_query_ms) and with index scans disabled (portal_name_query_noindex_ms: the sequential
scan the search would be without registry migration 0005).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import PG_BASE, demo_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_portal"
PORT = 8912
TASKS = 5
COMMON_WORDS = ["餐饮", "贸易", "科技", "食品", "咨询", "建筑"]


# --- the database ----------------------------------------------------------------------------


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _marker(entities: int, results: int) -> str:
    return f"jianguan portal bench: entities={entities} results={results}"


def database(entities: int, results: int, fresh: bool) -> str:
    url = f"{PG_BASE}/{DB_NAME}"
    exists = _psql(f"{PG_BASE}/postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'")
    if exists and not fresh:
        comment = _psql(
            url,
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            f" WHERE datname = '{DB_NAME}'",
        )
        if comment == _marker(entities, results):
            env = {**os.environ, "DATABASE_URL": url}
            subprocess.run(
                [sys.executable, "-m", "jianguan", "migrate", "-v0"], check=True, env=env
            )
            print(f"  reusing {DB_NAME} ({comment})", flush=True)
            return url
    started = time.monotonic()
    url = demo_database(DB_NAME, entities)
    print(f"  demo city of {entities:,} entities: {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    publish(url, results)
    for sql in ("VACUUM (ANALYZE)", "CHECKPOINT"):
        _psql(url, sql)
    _psql(url, f"COMMENT ON DATABASE {DB_NAME} IS '{_marker(entities, results)}'")
    print(f"  {results:,} published results: {time.monotonic() - started:.0f} s", flush=True)
    return url


def publish(url: str, results: int) -> None:
    """TASKS published tasks and `results` PublicResult rows spread over the roster."""
    setup_django(url)
    from django.db import connection
    from django.utils import timezone

    from jianguan.catalog.models import CheckItem, ResultCode
    from jianguan.org.models import Unit, User
    from jianguan.planning.services import task_save
    from jianguan.publication.models import Publication, PublicResult

    district = Unit.objects.get(code="310101")
    admin = User.objects.create_user(
        "portal_bench_admin", password=None, role="district_admin", unit=district
    )
    item = CheckItem.objects.get(code="SH-SC-007")
    now = timezone.now()
    publications = []
    for i in range(TASKS):
        task = task_save(
            admin,
            definition={
                "title": f"2026年第{i + 1}批食品经营者双随机抽查",
                "unit": "310101",
                "items": [item.code],
                "check_date": "2026-05-20",
                "window": {"start": "2026-05-20", "end": "2026-06-30"},
                "sampling": {"mode": "ratio", "ratio": "0.05"},
                "team": {"size": 2, "skills": ["food"], "pool_by": "district"},
            },
        )
        publications.append(
            Publication.objects.create(
                task=task,
                district=district,
                finished_on=dt_date(2026, 7, 1),
                deadline=dt_date(2026, 7, 29),
                status=Publication.Status.PUBLISHED,
                published_at=now,
                published_by=admin,
            )
        )
    codes = list(ResultCode.objects.filter(parent__isnull=True).values_list("code", "name")[:6])
    pub_ids = "ARRAY[" + ",".join(str(p.pk) for p in publications) + "]"
    titles = "ARRAY[" + ",".join(_lit(p.task.title) for p in publications) + "]"
    code_ids = "ARRAY[" + ",".join(_lit(c) for c, _n in codes) + "]"
    code_names = "ARRAY[" + ",".join(_lit(n) for _c, n in codes) + "]"
    table = PublicResult._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers: no Result rows
        cur.execute(
            f"""
            WITH roster AS (
                SELECT id, uscc, name, district_id, row_number() OVER (ORDER BY id) AS rn
                FROM registry_entity
            ), n AS (SELECT count(*) AS total FROM registry_entity)
            INSERT INTO {table} (publication_id, result_id, entity_id, district_id, uscc,
                entity_name, task_title, item, authority, checked_on, code, code_text,
                published_at, withdrawn_at, withdrawal_reason, withdrawn_by_id)
            SELECT ({pub_ids})[1 + mod(g, {TASKS})], g, e.id, e.district_id, e.uscc, e.name,
                ({titles})[1 + mod(g, {TASKS})], %s, %s, DATE '2026-05-20' + mod(g, 40),
                ({code_ids})[1 + mod(g, {len(codes)})], ({code_names})[1 + mod(g, {len(codes)})],
                %s, CASE WHEN mod(g, 97) = 0 THEN %s::timestamptz END,
                CASE WHEN mod(g, 97) = 0 THEN '检查结果录入有误，予以撤回' ELSE '' END, NULL
            FROM generate_series(1, %s) AS g CROSS JOIN n
            JOIN roster e ON e.rn = 1 + mod(g::bigint * 7919, n.total * 2 / 5)
            """,
            [item.name, district.name, now, now, results],
        )
        cur.execute("SET session_replication_role = origin")
    connection.close()


def dt_date(y: int, m: int, d: int):
    import datetime

    return datetime.date(y, m, d)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def workload(url: str, seed: int = 1) -> tuple[list[str], list[str]]:
    """USCCs to look up and name parts to search, from the data itself."""
    rng = random.Random(seed)
    with_results = _psql(
        url, "SELECT uscc FROM publication_publicresult TABLESAMPLE SYSTEM (2) LIMIT 4000"
    ).split()
    others = _psql(
        url, "SELECT uscc FROM registry_entity TABLESAMPLE SYSTEM (1) LIMIT 1000"
    ).split()
    names = _psql(url, "SELECT name FROM registry_entity TABLESAMPLE SYSTEM (1) LIMIT 3000").split()
    parts = []
    for name in names:
        size = rng.randint(3, 6)
        start = rng.randrange(max(1, len(name) - size))
        parts.append(name[start : start + size])
    return with_results + others[: len(with_results) // 4], parts + COMMON_WORDS


# --- the server and the clients ---------------------------------------------------------------


def serve(url: str, var: Path) -> subprocess.Popen:
    return common.serve(url, var, PORT, "/public/", ("--backlog", "256"))


def _mix(usccs: list[str], parts: list[str]):
    def next_path(rng: random.Random) -> tuple[str, str]:
        roll = rng.random()
        if roll < 0.5:
            code = rng.choice(usccs)
            if roll < 0.4:
                return "uscc", f"/public/entities/{code}/"
            return "uscc", f"/api/public/entities/{code}"
        q = urllib.parse.quote(rng.choice(parts))
        if roll < 0.9:
            return "name", f"/public/?q={q}"
        return "name", f"/api/public/entities?q={q}"

    return next_path


def _floor(_usccs=None, _parts=None):
    return lambda rng: ("floor", "/public/")


def run_clients(next_path, clients: int, seconds: float, think=None) -> dict[str, list]:
    """`clients` threads requesting for `seconds`, pausing uniform(*think) seconds between
    requests (None: no pause); latencies (ms) per kind."""
    stop = time.monotonic() + seconds
    samples: dict[str, list] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        mine: dict[str, list] = {}
        while time.monotonic() < stop:
            kind, path = next_path(rng)
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    errors.append(f"{response.status} {path}")
            except OSError as e:
                errors.append(f"{e} {path}")
                continue
            mine.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            if think:
                time.sleep(rng.uniform(*think))
        with lock:
            for kind, values in mine.items():
                samples.setdefault(kind, []).extend(values)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    samples["_elapsed"] = [time.monotonic() - started]
    samples["_errors"] = errors
    return samples


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def name_query_ms(url: str, parts: list[str], index: bool) -> float:
    """Mean time of the portal's name query on the database alone (EXPLAIN ANALYZE)."""
    sample = parts[:40]
    setting = "" if index else "SET enable_bitmapscan = off; SET enable_indexscan = off; "
    total = 0.0
    for part in sample:
        like = "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        out = _psql(
            url,
            setting + "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id, uscc, name, status, address "
            f"FROM registry_entity WHERE name LIKE {_lit(like)} LIMIT 201",
        )
        total += float(out.split('"Execution Time":')[1].split("}")[0].split(",")[0])
    return total / len(sample)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--results", type=int, default=500_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database")
    args, _rest = parser.parse_known_args()
    url = database(args.entities, args.results, args.fresh)
    usccs, parts = workload(url)
    figures: dict[str, float] = {
        "portal_name_query_ms": name_query_ms(url, parts, index=True),
        "portal_name_query_noindex_ms": name_query_ms(url, parts, index=False),
    }
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(url, Path(tmp) / "var")
        try:
            run_clients(_mix(usccs, parts), 8, 5)  # every worker has served each kind once
            floor = run_clients(_floor(), args.clients, min(15.0, args.seconds))
            saturated = run_clients(_mix(usccs, parts), args.clients, min(20.0, args.seconds))
            load = run_clients(_mix(usccs, parts), args.clients, args.seconds, think=(0.5, 1.5))
        finally:
            server.terminate()
            server.wait()
    every = [v for k, vs in load.items() if not k.startswith("_") for v in vs]
    busy = [v for k, vs in saturated.items() if not k.startswith("_") for v in vs]
    errors = load["_errors"] + saturated["_errors"] + floor["_errors"]
    figures.update(
        {
            "portal_lookup_p50_ms": percentile(every, 50),
            "portal_lookup_p95_ms": percentile(every, 95),
            "portal_lookup_p99_ms": percentile(every, 99),
            "portal_uscc_p95_ms": percentile(load["uscc"], 95),
            "portal_name_p95_ms": percentile(load["name"], 95),
            "portal_visitors_rps": len(every) / load["_elapsed"][0],
            "portal_rps": len(busy) / saturated["_elapsed"][0],
            "portal_saturated_p95_ms": percentile(busy, 95),
            "portal_requests": len(every) + len(busy),
            "portal_errors": len(errors),
            "portal_baseline_floor_p95_ms": percentile(floor["floor"], 95),
            "portal_baseline_floor_rps": len(floor["floor"]) / floor["_elapsed"][0],
        }
    )
    for line in errors[:10]:
        print("  error:", line)
    record(figures)
    return 0 if figures["portal_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
