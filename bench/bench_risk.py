"""Credit-risk classification of a province's roster, against the per-row loop a developer writes
first.

    .venv/bin/python bench/bench_risk.py [--entities N]

On a fresh PostgreSQL database holding the demo city (seed_demo, 3,000,000 entities):

  risk_classify_3m_s         classifying every entity with the default model, end to end, in
                             its own process: features read with one COPY → numpy scoring and
                             explanations → history rows written with COPY → only the changed
                             Entity.risk_class values, COPY'd into a temporary table and
                             written by UPDATE … FROM in short passes (a few rows per heap
                             page per transaction: HOT updates, no index entries; see
                             risk.services._update_entities)
  risk_classify_3m_baseline_rowloop_s
                             the same scoring as a plain Python loop over rows (dict per entity,
                             scoring.score_row), timed on a 100,000-row slice of the same
                             features and extrapolated to all entities (reading and writing not
                             counted: the baseline is flattered)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import demo_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_risk"
SLICE = 100_000


def end_to_end(url: str) -> None:
    """Run in a child process: one complete classification; prints its figures as JSON."""
    setup_django(url)
    from jianguan.risk import services

    started = time.perf_counter()
    run = services.classify()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "entities": sum(run.counts.values()), **run.counts}))


def baseline(url: str) -> tuple[float, int]:
    setup_django(url)
    from jianguan.risk import features, scoring, selectors, services

    model = services.compile_model(selectors.active_model())
    ids, feats = features.read(dt.date.today())
    n = len(ids)
    part = feats.take(slice(0, min(SLICE, n)))
    columns = {k: v.tolist() for k, v in part.columns.items()}
    names = list(columns)
    rows = len(part)
    started = time.perf_counter()
    for i in range(rows):
        row = {k: columns[k][i] for k in names}
        scoring.score_row(model, row)
    seconds = time.perf_counter() - started
    return seconds * n / rows, n


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=3_000_000)
    parser.add_argument("--e2e", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.e2e:
        end_to_end(args.e2e)
        return 0
    url = demo_database(DB_NAME, args.entities)
    child = subprocess.run(
        [sys.executable, __file__, "--e2e", url], check=True, capture_output=True, text=True
    )
    e2e = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"  (classified {e2e['entities']:,} entities: "
        + ", ".join(f"{k} {e2e[k]:,}" for k in "ABCD")
        + ")"
    )
    rowloop, _n = baseline(url)
    label = "3m" if args.entities == 3_000_000 else f"{args.entities}"
    record(
        {
            f"risk_classify_{label}_s": e2e["seconds"],
            f"risk_classify_{label}_baseline_rowloop_s": rowloop,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
