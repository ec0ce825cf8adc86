"""Importing entity rows into PostgreSQL with full validation, against Django's bulk_create.

    .venv/bin/python bench/bench_import.py [--rows N] [--csv PATH]

Generates N valid rows (default 1,000,000) into a csv, makes a fresh database, then times
(a) `import_entities` of that file into an empty table: read, validate every cell, write;
(b) the baseline: the same rows, already parsed as dicts, through
    `Entity.objects.bulk_create(batch_size=5000)` into an empty table, with no validation.
Writes import_rows_per_s and import_baseline_bulk_create_rows_per_s to bench/results.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import fresh_database, record, setup_django  # noqa: E402

DB_NAME = "jg_bench_import"
SEED = 20261123


def generate(path: Path, n: int) -> None:
    """n valid rows in the import layout, random order of codes, real districts and stations."""
    from jianguan.core import uscc
    from jianguan.org.units import DISTRICTS
    from jianguan.registry.importing import HEADERS

    rng = np.random.default_rng(SEED)
    districts = [
        (short, region or "310115", [f"{s}所" for s in stations])
        for _code, _name, short, region, stations in DISTRICTS
    ]
    d_idx = rng.integers(0, len(districts), n)
    codes = _codes(
        rng, n, np.array([int(districts[i][1]) for i in range(len(districts))])[d_idx], uscc
    )
    station_pick = rng.random(n)
    divisions = _divisions()
    industries = np.array(divisions + [d + "1" for d in divisions] + [d + "12" for d in divisions])
    days = np.datetime64("1990-01-01") + rng.integers(0, 12_000, n)
    capital = np.round(rng.lognormal(4, 1.5, n), 2)
    domains = np.array(
        ["", "食品", "食品；药品", "特种设备", "产品质量；计量器具许可", "检验检测机构"]
    )
    tiers = np.array(["", "", "", "", "一般重点", "特殊重点"])
    types = np.array(["企业", "企业", "企业", "个体工商户", "农民专业合作社"])
    columns = [
        codes,
        [
            f"上海{w}{i}有限公司"
            for w, i in zip(rng.choice(_WORDS, n), rng.integers(0, 10**6, n), strict=True)
        ],
        rng.choice(types, n).tolist(),
        [districts[i][0] for i in d_idx.tolist()],
        [
            _station(districts[i][2], p)
            for i, p in zip(d_idx.tolist(), station_pick.tolist(), strict=True)
        ],
        [
            f"上海市{districts[i][0]}某路{k}号"
            for i, k in zip(d_idx.tolist(), rng.integers(1, 2000, n).tolist(), strict=True)
        ],
        rng.choice(industries, n).tolist(),
        np.datetime_as_string(days).tolist(),
        [f"{c:.2f}" for c in capital.tolist()],
        rng.choice(np.array(list("张王李赵刘陈杨黄周吴")), n).tolist(),
        rng.choice(np.array(["存续"] * 9 + ["注销"]), n).tolist(),
        rng.choice(domains, n).tolist(),
        rng.choice(tiers, n).tolist(),
    ]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        f.write(",".join(HEADERS) + "\n")
        for start in range(0, n, 100_000):
            part = [c[start : start + 100_000] for c in columns]
            f.write("\n".join(map(",".join, zip(*part, strict=True))) + "\n")


_WORDS = np.array(["浦江", "申城", "东方", "长江", "明珠", "金桥", "华亭", "松云", "嘉禾", "新沪"])


def _station(stations: list[str], pick: float) -> str:
    return stations[int(pick * 10 * len(stations)) % len(stations)] if pick < 0.7 else ""


def _codes(rng, n: int, regions: np.ndarray, uscc) -> list[str]:
    """9 1 <region> <9-char identifier> <check>: unique, in random order."""
    alphabet = np.frombuffer(uscc.ALPHABET.encode(), dtype=np.uint8)
    values = np.zeros((n, 17), dtype=np.int64)
    values[:, 0], values[:, 1] = 9, 1
    for k in range(6):  # region digits
        values[:, 2 + k] = regions // 10 ** (5 - k) % 10
    serial = rng.permutation(n).astype(np.int64) + 31**6  # unique identifiers
    for k in range(9):
        values[:, 16 - k] = serial % 31
        serial //= 31
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = alphabet[values]
    chars[:, 17] = uscc.check_chars_bulk(values)
    return chars.view("S18").ravel().astype("U18").tolist()


def _divisions() -> list[str]:
    from jianguan.registry import models

    data = Path(models.__file__).parent / "data" / "gbt4754_2017.csv"
    with data.open(encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f) if r["level"] == "division"]


# ---------------------------------------------------------------------------------------------


def run_ours(path: Path) -> tuple[float, int]:
    from jianguan.registry.importing import import_entities

    started = time.perf_counter()
    result = import_entities(path)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"import rejected: {result.errors[:5]}")
    return seconds, result.created


def parsed_rows(path: Path) -> list[dict]:
    """The file's rows as model-ready dicts (done before the clock starts: the baseline gets
    its parsing for free)."""
    from jianguan.org.models import Unit
    from jianguan.registry.importing import ENTITY_TYPES, STATUSES, TIERS
    from jianguan.registry.models import DOMAINS

    districts = {u.short_name: u.id for u in Unit.objects.filter(kind="district")}
    stations = {(u.district_id, u.short_name): u.id for u in Unit.objects.filter(kind="station")}
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            district = districts[r["所属区"]]
            code = r["统一社会信用代码"]
            rows.append(
                {
                    "uscc": code,
                    "name": r["名称"],
                    "entity_type": ENTITY_TYPES[r["主体类型"]],
                    "region_code": code[2:8],
                    "district_id": district,
                    "station_id": stations.get((district, r["所属所"])),
                    "address": r["住所"],
                    "industry_code": r["行业代码"],
                    "established_on": dt.date.fromisoformat(r["成立日期"]),
                    "capital_wan": Decimal(r["注册资本（万元）"]),
                    "legal_rep": r["法定代表人"],
                    "status": STATUSES[r["登记状态"]],
                    "domains": DOMAINS.parse(r["监管领域"])[0],
                    "key_tier": TIERS.get(r["重点领域类别"], ""),
                }
            )
    return rows


def run_baseline(rows: list[dict]) -> float:
    from jianguan.registry.models import Entity

    started = time.perf_counter()
    Entity.objects.bulk_create([Entity(**r) for r in rows], batch_size=5000)
    return time.perf_counter() - started


def empty_table() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("TRUNCATE registry_entity CASCADE")
        c.execute("CHECKPOINT")  # neither run pays for the other's dirty pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--csv", type=Path, help="reuse or keep the generated file here")
    args = parser.parse_args()
    url = fresh_database(DB_NAME)
    setup_django(url)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.csv or Path(tmp) / "entities.csv"
        if not path.exists():
            started = time.perf_counter()
            generate(path, args.rows)
            print(
                f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s "
                f"({path.stat().st_size / 1e6:.0f} MB)",
                flush=True,
            )
        empty_table()
        ours, created = run_ours(path)
        print(f"import_entities: {created:,} rows in {ours:.2f} s", flush=True)
        rows = parsed_rows(path)
    empty_table()
    base = run_baseline(rows)
    print(f"bulk_create baseline: {len(rows):,} rows in {base:.2f} s", flush=True)
    record(
        {
            "import_rows_per_s": created / ours,
            "import_baseline_bulk_create_rows_per_s": len(rows) / base,
        }
    )
    print(f"  ratio {(created / ours) / (len(rows) / base):.2f}×")


if __name__ == "__main__":
    main()
