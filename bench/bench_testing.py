"""Testing-body supervision at the national scale, against the per-row loop a developer writes
first.

    .venv/bin/python bench/bench_testing.py [--bodies N] [--results N]

On a fresh PostgreSQL database holding 53,000 testing bodies (the national count) and a PT round
file of 100,000 results:

  pt_grade_100k_s                 importing and grading 100,000 PT results as the background job
                                  the 导入 page starts (core.jobs with progress): read, check every
                                  row against the database, grade from the exact z, insert in
                                  batches with the rectifications of 可疑 and 不满意
  pt_grade_100k_baseline_rowloop_s
                                  the same file as a per-row loop (look the scheme and the body up,
                                  grade, save, open the rectification), timed on a 2,000-row slice
                                  and extrapolated (rolled back)
  grades_53k_s                    grading every body as the background job 立即重新评价 starts:
                                  one grouped query per feature, numpy grading, rows in batches
  grades_53k_baseline_rowloop_s   the per-row loop (each body's features by its own queries,
                                  plain-Python grading, one save each), timed on 300 bodies and
                                  extrapolated (rolled back)
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_testing"
PT_SLICE = 2_000
GRADE_SLICE = 300


def bodies(n: int) -> list[str]:
    """n testing bodies spread over the districts; their credit codes."""
    from jianguan.core import uscc
    from jianguan.org.models import Unit
    from jianguan.registry.models import DOMAINS, TESTING_FIELDS, Entity, TestingBody

    districts = list(Unit.objects.filter(kind=Unit.Kind.DISTRICT))
    mask = DOMAINS.mask(["testing_body"])
    codes = [uscc.compose(f"91310000MA{i:07d}") for i in range(n)]
    for start in range(0, n, 5000):
        chunk = codes[start : start + 5000]
        made = Entity.objects.bulk_create(
            Entity(
                uscc=c,
                region_code="310000",
                name=f"基准检验检测机构{start + i:06d}有限公司",
                district=districts[(start + i) % len(districts)],
                domains=mask,
            )
            for i, c in enumerate(chunk)
        )
        TestingBody.objects.bulk_create(
            TestingBody(entity=e, fields=TESTING_FIELDS.mask(["food_testing"])) for e in made
        )
    return codes


def pt_file(codes: list[str], rows: int, path: Path) -> None:
    """A round's file: 20 schemes × items, results around the assigned value."""
    from jianguan.testing.models import PTScheme

    rng = random.Random(1)
    schemes = [
        PTScheme.objects.create(
            number=f"BENCH-{k:02d}",
            name=f"基准能力验证{k}",
            field="food_testing",
            items="铅\n镉",
            year=2026,
            provider="基准",
            deadline="2026-06-30",
        ).number
        for k in range(20)
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["统一社会信用代码", "能力验证计划编号", "项目", "结果值", "指定值", "能力评定标准差"]
        )
        for i in range(rows):
            assigned = round(rng.uniform(1, 100), 2)
            sigma = round(assigned * 0.05, 3)
            x = round(assigned + sigma * rng.gauss(0, 1.2), 4)
            code = codes[i % len(codes)]
            scheme = schemes[(i // len(codes)) % len(schemes)]
            item = ("铅", "镉")[(i // (len(codes) * len(schemes))) % 2]
            w.writerow([code, scheme, item, x, assigned, sigma])


def as_job(kind: str, work) -> float:
    """Run `work(job, progress)` the way a background job runs; its seconds."""
    from jianguan.core import jobs
    from jianguan.core.models import Job

    job = Job.objects.create(kind=kind, title=kind)
    started = time.perf_counter()
    jobs.run_job(job.pk, work)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    return seconds


class _Rollback(Exception):
    pass


def rolled_back(fn):
    from django.db import transaction

    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=53_000)
    parser.add_argument("--results", type=int, default=100_000)
    args = parser.parse_args()
    url = fresh_database(DB_NAME)
    setup_django(url)
    from jianguan.testing import grades, proficiency

    codes = bodies(args.bodies)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pt.csv"
        pt_file(codes, args.results, path)
        head = Path(tmp) / "slice.csv"
        with path.open(encoding="utf-8") as f, head.open("w", encoding="utf-8") as out:
            for i, line in enumerate(f):
                if i > PT_SLICE:
                    break
                out.write(line)

        started = time.perf_counter()
        rolled_back(lambda: proficiency.import_results_naive(head))
        rowloop_pt = (time.perf_counter() - started) * args.results / PT_SLICE

        def import_work(job, progress):
            result = proficiency.import_results(path, progress=progress)
            assert result.committed, result.errors[:3]
            return {"total": result.total}, result.summary()

        pt_seconds = as_job("bench_pt_import", import_work)

    started = time.perf_counter()
    rolled_back(lambda: grades.run_naive(limit=GRADE_SLICE))
    rowloop_grades = (time.perf_counter() - started) * args.bodies / GRADE_SLICE
    grade_seconds = as_job(
        "bench_grades",
        lambda job, progress: ({"total": 1}, str(grades.run(progress=progress).counts)),
    )
    label_pt = "100k" if args.results == 100_000 else str(args.results)
    label_b = "53k" if args.bodies == 53_000 else str(args.bodies)
    record(
        {
            f"pt_grade_{label_pt}_s": pt_seconds,
            f"pt_grade_{label_pt}_baseline_rowloop_s": rowloop_pt,
            f"grades_{label_b}_s": grade_seconds,
            f"grades_{label_b}_baseline_rowloop_s": rowloop_grades,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
