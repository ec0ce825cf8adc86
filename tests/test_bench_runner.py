"""Issue 12: `make bench` fails when a figure misses its target or was not measured in this run
(an older run's figure says nothing about this commit), and records where it ran."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "bench_run", Path(__file__).resolve().parents[1] / "bench" / "run.py"
)
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)

STARTED = "2026-12-05T10:00:00+00:00"


def results(**over) -> dict:
    figures = {
        figure: (target if kind == "max" else target) for figure, target, kind in run.TARGETS
    }
    figures.update(over)
    figures["_measured_at"] = dict.fromkeys(figures, "2026-12-05T10:30:00+00:00")
    return figures


def test_all_targets_met_passes():
    assert run.check_targets(results(), STARTED) == []


def test_a_missed_target_fails():
    assert run.check_targets(results(import_rows_per_s=80_649.3), STARTED) == ["import_rows_per_s"]
    assert run.check_targets(results(portal_lookup_p95_ms=101.0), STARTED) == [
        "portal_lookup_p95_ms"
    ]


def test_a_figure_from_an_older_run_counts_as_not_measured():
    stale = results()
    stale["_measured_at"]["draw_core_10m_s"] = "2026-12-01T09:00:00+00:00"
    del stale["load_errors"]
    assert run.check_targets(stale, STARTED) == ["draw_core_10m_s", "load_errors"]


def test_the_run_records_commit_and_machine():
    machine = run.machine()
    assert machine["cores"] >= 1 and machine["memory_gib"] > 0
    assert len(run.commit().split("-")[0]) == 40
