"""`make bench`: every benchmark, each beside its baseline measured in the same run.

Each bench/bench_*.py is run in its own process (so peak memory is its own), writes its figures
into bench/results.json, and this runner prints the table. Needs PostgreSQL (JIANGUAN_BENCH_PG,
default postgres://postgres@127.0.0.1:5432). Not part of `make test`.

Exits non-zero when a benchmark fails, or when a figure misses its target or was not measured in
this run. bench/results.json records, under `_run`, the commit, the machine (cores, memory, CPU)
and the start and end of the run; `_measured_at` says when each figure was measured.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (figure, baseline figure, "higher" or "lower" is better)
PAIRS = [
    ("import_rows_per_s", "import_baseline_bulk_create_rows_per_s", "higher"),
    ("draw_3m_select_s", "draw_3m_baseline_order_by_random_s", "lower"),
    ("load_staff_p95_ms", "load_single_client_p95_ms", "lower"),
    ("risk_classify_3m_s", "risk_classify_3m_baseline_rowloop_s", "lower"),
    # the portal's throughput beside a constant page's (the server floor), same 50 clients
    ("portal_rps", "portal_baseline_floor_rps", "higher"),
    # a name search on the database with the trigram index and as a sequential scan
    ("portal_name_query_ms", "portal_name_query_noindex_ms", "lower"),
    # testing bodies: a PT round of 100,000 results graded, 53,000 bodies graded (background jobs)
    ("pt_grade_100k_s", "pt_grade_100k_baseline_rowloop_s", "lower"),
    ("grades_53k_s", "grades_53k_baseline_rowloop_s", "lower"),
]
# (figure, target, "max" or "min"): the figures the issues require, checked in the same table
TARGETS = [
    ("import_rows_per_s", 100_000, "min"),  # issue 2: full validation, 1,000,000 rows
    ("draw_3m_end_to_end_s", 30.0, "max"),
    ("draw_3m_peak_rss_mib", 3072.0, "max"),
    ("draw_core_10m_s", 20.0, "max"),
    ("draw_3m_v2_over_v1", 1.05, "max"),
    ("load_errors", 0, "max"),
    ("risk_classify_3m_s", 60.0, "max"),
    ("portal_lookup_p95_ms", 100.0, "max"),
    ("portal_errors", 0, "max"),
]


def machine() -> dict:
    """Where the figures were measured: they mean little without it."""
    memory_kib = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / (1 << 20), 1),
        "cpu": cpu,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
        ).stdout.strip()

    sha = git("rev-parse", "HEAD") or "unknown"
    return sha + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_targets(results: dict, started: str) -> list[str]:
    """Print the target table; the figures that missed their target or were not measured in
    this run (an older run's value proves nothing about this commit)."""
    measured = results.get("_measured_at", {})
    missed = []
    print("\\nfigure                                     value      target    met")
    for figure, target, kind in TARGETS:
        if figure not in results or measured.get(figure, "") < started:
            print(f"{figure:38s} {'—':>12s} {target:>11,.1f}    NOT MEASURED")
            missed.append(figure)
            continue
        value = results[figure]
        met = value <= target if kind == "max" else value >= target
        print(f"{figure:38s} {value:>12,.1f} {target:>11,.1f}    {'yes' if met else 'NO'}")
        if not met:
            missed.append(figure)
    return missed


def main() -> int:
    started = utc_now()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        t0 = time.monotonic()
        if subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0:
            failed.append(script.name)
        print(f"   ({time.monotonic() - t0:.0f} s)", flush=True)
    path = HERE / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["_run"] = {
        "commit": commit(),
        "machine": machine(),
        "started_at": started,
        "finished_at": utc_now(),
        "scripts_failed": failed,
    }
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, sort_keys=True) + "\\n")
    print("\\nfigure                                     value      baseline     ratio")
    for figure, baseline, better in PAIRS:
        if figure in results and baseline in results and results[baseline]:
            ours, base = results[figure], results[baseline]
            ratio = ours / base if better == "higher" else base / ours
            print(f"{figure:38s} {ours:>12,.1f} {base:>12,.1f} {ratio:>8.2f}×")
    missed = check_targets(results, started)
    if failed:
        print("failed:", ", ".join(failed))
    if missed:
        print("targets missed or not measured:", ", ".join(missed))
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
