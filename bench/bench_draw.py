"""The draw at the scale of a province, against the unverifiable draw a developer writes first.

    .venv/bin/python bench/bench_draw.py [--entities N] [--core N]

On a fresh PostgreSQL database holding the demo city (seed_demo, 3,000,000 entities and about
20,000 inspectors), a city-wide task: 15% of every stratum of 17 districts × 4 risk classes,
teams of 2 from the target's district.

  draw_3m_end_to_end_s       freeze (roster COPY out of PostgreSQL, canonical files, digests),
                             commit, draw, assign, write visits and proof; its own process
  draw_3m_peak_rss_mib       that process's peak resident memory plus its hashing workers'
  draw_3m_select_s           target selection alone: roster read from PostgreSQL → selected
                             keys (keyed SHA-256 of every USCC), median of 3
  draw_3m_baseline_order_by_random_s
                             the same counts with one `ORDER BY random() LIMIT n` query per
                             stratum, median of 3, alternating with ours
  draw_core_10m_s            the pure core (no database) on 10,000,000 entities, sorted
                             roster in memory → digests, selection, teams, result.csv
  draw_3m_protocol_v2_s      a whole draw (digests → result.csv) of 3,000,000 synthetic
  draw_3m_protocol_v1_s      entities under protocol version 2 and version 1, median of 3,
  draw_3m_v2_over_v1         alternating; their ratio (issue 11: at most 1.05)

    .venv/bin/python bench/bench_draw.py --versions-only   # just the v2/v1 figures
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_draw"
DISTRICTS_EXCLUDED = ["AIRPORT"]  # 17 districts: the airport bureau has few entities


def definition(year: int = 2026) -> dict:
    from jianguan.org.models import Unit

    districts = list(
        Unit.objects.filter(kind="district")
        .exclude(code__in=DISTRICTS_EXCLUDED)
        .values_list("code", flat=True)
    )
    return {
        "title": "全市 15% 分层抽查（基准）",
        "unit": "310000",
        "year": year,
        "items": ["SH-SC-011"],  # a key item: no cap on the ratio
        "check_date": f"{year}-12-01",
        "population": {"districts": districts, "statuses": ["active"]},
        "sampling": {"mode": "ratio", "ratio": "0.15", "stratify_by": ["district", "risk_class"]},
        "team": {"size": 2, "pool_by": "district", "rotation": False},
    }


def end_to_end(url: str) -> None:
    """Run in a child process: one complete draw; prints its figures as JSON."""
    setup_django(url)
    from jianguan.planning.services import task_save
    from jianguan.sampling import services

    task = task_save(None, definition=definition())
    started = time.perf_counter()
    draw = services.commit(task, user=None)
    draw = services.execute(draw, user=None)
    seconds = time.perf_counter() - started
    assert draw.status == draw.Status.DRAWN, draw.unstaffed
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_mib": (own + workers) / 1024,
                "selected": draw.counts["selected"],
                "strata": len(draw.counts["drawn"]),
            }
        )
    )


def selection_against_baseline(url: str) -> tuple[float, float]:
    setup_django(url)
    from django.db import connection
    from django.db.models import Count

    from jianguan.planning.services import task_save
    from jianguan.sampling import fast, freeze
    from jianguan.sampling import protocol as P

    task = task_save(None, definition={**definition(), "title": "选择基准"})
    rules = dict(task.definition, protocol=P.PROTOCOL)
    seed = P.seed_of(b"\xab" * 32, "00" * 32, "")

    def ours() -> int:
        targets = freeze.target_roster(task)
        return len(fast.select(rules, seed, targets).index)

    strata = list(
        freeze.population(task)
        .values_list("district_id", "risk_class")
        .annotate(n=Count("id"))
        .order_by()
    )

    def baseline() -> int:
        drawn = 0
        with connection.cursor() as cursor:
            for district, risk, n in strata:
                cursor.execute(
                    "SELECT uscc FROM registry_entity WHERE status = 'active' AND district_id = %s"
                    " AND risk_class = %s ORDER BY random() LIMIT %s",
                    [district, risk, math.ceil(n * 0.15)],
                )
                drawn += len(cursor.fetchall())
        return drawn

    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    counts = {}
    for _ in range(3):
        for name, fn in (("ours", ours), ("baseline", baseline)):
            started = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - started)
    assert counts["ours"] == counts["baseline"], counts
    return statistics.median(times["ours"]), statistics.median(times["baseline"])


def synthetic(n: int):
    """n synthetic entities (sorted, as a frozen roster file is), 17 districts, the demo's class
    shares; inspectors in proportion (20,000 per 3 M), a conflict per 1,000 entities."""
    from jianguan.sampling import fast

    rng = np.random.default_rng(7)
    codes = [f"3101{i:02d}" for i in range(1, 18)]
    body = rng.choice(10**10, n, replace=False).astype("S10")
    uscc = np.sort(np.char.add(b"91310000", body).astype("S18"))
    targets = fast.Targets(
        uscc,
        codes,
        rng.integers(0, 17, n).astype(np.int32),
        rng.choice(np.array([b"A", b"B", b"C", b"D"]), n, p=[0.55, 0.3, 0.12, 0.03]),
        np.zeros(n, dtype=bool),
    )
    inspectors = n * 20_000 // 3_000_000
    rows = {
        "inspectors": [(str(i), codes[i % 17], "") for i in range(inspectors)],
        "experts": [],
        "exclusions": [
            (uscc[i].decode(), "inspector", str(i % inspectors), "回避声明")
            for i in range(0, n, 1000)
        ],
    }
    rules = {
        "sampling": {"mode": "ratio", "ratio": "0.15", "stratify_by": ["district", "risk_class"]},
        "team": {"size": 2, "skills": [], "max_load": None, "pool_by": "district"},
        "experts": {"per_target": 0},
    }
    return rules, targets, rows


def core(n: int) -> float:
    """The pure core on n synthetic entities: digests, seed, selection, teams, result.csv."""
    from jianguan.sampling import fast

    rules, targets, rows = synthetic(n)
    started = time.perf_counter()
    draw = fast.run(rules, b"\xcd" * 32, targets, rows)
    seconds = time.perf_counter() - started
    assert not draw.unstaffed and len(draw.uscc) >= 0.15 * n
    return seconds


DECLARATION = {
    "source": "中国福利彩票 福彩3D",
    "identifier": "福彩3D 第2026340期 开奖号码",
    "announced_at": "2026-12-06T13:15:00+00:00",
    "format": "digits:3",
}


def versions(n: int) -> tuple[float, float]:
    """A whole draw of n synthetic entities under protocol version 1 and version 2, from the
    roster digests to result.csv, alternating, median of 3 each.

    Version 2 adds the public files' and persons' digests, the entropy declaration's digest,
    the commitment over every digest, the seed from the commitment and the public result;
    version 1 hashed the secret's text with the digests."""
    from jianguan.sampling import fast
    from jianguan.sampling import protocol as P

    rules, targets, rows = synthetic(n)
    secret = b"\xcd" * 32

    def v1() -> bytes:
        digests = fast.digests_of(rules, targets, rows)
        seed = P.derive_seed(secret.hex(), "517", digests)
        return fast.run(rules, seed, targets, rows, digests).result_csv

    def v2() -> bytes:
        digests = fast.digests_of(rules, targets, rows)
        digests["targets_public"] = P.sha256_hex(targets.public_csv())
        public = [e[:3] for e in rows["exclusions"]]
        digests["exclusions_public"] = P.sha256_hex(P.canonical_csv(("u", "k", "p"), public))
        persons = [(p[0], "inspector", p[0]) for p in rows["inspectors"]]
        digests["persons"] = P.sha256_hex(P.canonical_csv(P.PERSON_COLUMNS, persons))
        digests["entropy_declaration"] = P.declaration_digest(DECLARATION)
        seed = P.seed_of(
            secret, P.commitment(secret, digests), P.normalise_entropy("517", "digits:3")
        )
        result = fast.run(rules, seed, targets, rows, digests).result_csv
        P.sha256_hex(P.public_result(result))
        return result

    times: dict[str, list[float]] = {"v1": [], "v2": []}
    for _ in range(3):
        for name, fn in (("v1", v1), ("v2", v2)):
            started = time.perf_counter()
            assert fn()
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["v1"]), statistics.median(times["v2"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=3_000_000)
    parser.add_argument("--core", type=int, default=10_000_000)
    parser.add_argument("--e2e", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--versions-only", action="store_true", help="仅测协议 v2 与 v1 之比")
    args = parser.parse_args()
    label = "3m" if args.entities == 3_000_000 else f"{args.entities}"
    if args.versions_only:
        record_versions(label, args.entities)
        return 0
    if args.e2e:
        end_to_end(args.e2e)
        return 0
    url = demo_database(DB_NAME, args.entities)
    child = subprocess.run(
        [sys.executable, __file__, "--e2e", url], check=True, capture_output=True, text=True
    )
    e2e = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"  (drew {e2e['selected']:,} targets in {e2e['strata']} strata)")
    ours, baseline = selection_against_baseline(url)
    record(
        {
            f"draw_{label}_end_to_end_s": e2e["seconds"],
            f"draw_{label}_peak_rss_mib": e2e["rss_mib"],
            f"draw_{label}_select_s": ours,
            f"draw_{label}_baseline_order_by_random_s": baseline,
        }
    )
    core_label = "10m" if args.core == 10_000_000 else f"{args.core}"
    record({f"draw_core_{core_label}_s": core(args.core)})
    record_versions(label, args.entities)
    return 0


def record_versions(label: str, n: int) -> None:
    v1, v2 = versions(n)
    record(
        {
            f"draw_{label}_protocol_v1_s": v1,
            f"draw_{label}_protocol_v2_s": v2,
            f"draw_{label}_v2_over_v1": v2 / v1,
        }
    )


if __name__ == "__main__":
    sys.exit(main())
