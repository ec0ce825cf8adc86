"""`make bench`: every benchmark, each beside its baseline measured in the same run.

Each bench/bench_*.py is run in its own process (so peak memory is its own), writes its figures
into bench/results.json, and this runner prints the table. Needs PostgreSQL (JIANGUAN_BENCH_PG,
default postgres://postgres@127.0.0.1:5432). Not part of `make test`.
"""

from __future__ import annotations

import json
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
    ("draw_3m_end_to_end_s", 30.0, "max"),
    ("draw_3m_peak_rss_mib", 3072.0, "max"),
    ("draw_core_10m_s", 20.0, "max"),
    ("load_errors", 0, "max"),
    ("risk_classify_3m_s", 60.0, "max"),
    ("portal_lookup_p95_ms", 100.0, "max"),
    ("portal_errors", 0, "max"),
]


def main() -> int:
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        if subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0:
            failed.append(script.name)
        print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    results = (
        json.loads((HERE / "results.json").read_text()) if (HERE / "results.json").exists() else {}
    )
    print("\nfigure                                     value      baseline     ratio")
    for figure, baseline, better in PAIRS:
        if figure in results and baseline in results and results[baseline]:
            ours, base = results[figure], results[baseline]
            ratio = ours / base if better == "higher" else base / ours
            print(f"{figure:38s} {ours:>12,.1f} {base:>12,.1f} {ratio:>8.2f}×")
    print("\nfigure                                     value      target    met")
    for figure, target, kind in TARGETS:
        if figure in results:
            value = results[figure]
            met = value <= target if kind == "max" else value >= target
            print(f"{figure:38s} {value:>12,.1f} {target:>11,.1f}    {'yes' if met else 'NO'}")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
