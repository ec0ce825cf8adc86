"""The demo checks' choices (seed_demo_checks), without Django: dates, task definitions, and which
result each drawn entity gets.

The draws themselves are genuine (a fresh secret each time, as the protocol requires), so which
entities are drawn differs between runs; everything chosen here is a function of the seed and the
entity's code, so the same entity always gets the same result under the same seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from fractions import Fraction

DISTRICT = "310101"  # 黄浦区: the district the README's demo logins administer
FOOD_ITEM = "SH-SC-007"  # 食品生产者生产过程控制检查 (key item: no ratio cap)
INFO_ITEM = "SH-SC-001"  # 企业公示信息抽查 (general item)
INFO_SHARE = Fraction(3, 100)  # 企业公示信息抽查: not less than 3%


@dataclass(frozen=True)
class Outcome:
    """What the team records for one visit's items."""

    code: str  # catalog.ResultCode.code
    findings: str
    rectify_days: int | None = None  # 责令限期改正: deadline this many days after the check


OK = Outcome("01", "现场检查生产场所、原辅料进货查验记录和生产过程控制记录，未发现问题。")
# One pass of this cycle is 20 visits: 70% 未发现问题, 20% problems, 10% not applicable. It starts
# with a problem so that even a tiny demo shows a follow-up.
CYCLE: tuple[Outcome, ...] = (
    Outcome("03", "原料进货查验记录不完整，部分批次缺少供货者资质证明。", 15),
    OK,
    OK,
    Outcome("0201", "未按规定在国家企业信用信息公示系统公示食品生产许可信息。", 20),
    OK,
    OK,
    Outcome("04", "经现场核实，该主体目前未从事食品生产活动。"),
    OK,
    OK,
    Outcome("0203", "通过登记的住所无法联系，经电话联系未果。", 30),
    OK,
    OK,
    OK,
    Outcome("03", "生产车间防蝇防虫设施损坏，已当场指出。", 15),
    OK,
    Outcome("05", "该主体已停业，正在组织清算。"),
    OK,
    OK,
    OK,
    OK,
)


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def outcomes(seed: int, usccs: list[str]) -> dict[str, Outcome]:
    """Each entity's outcome: entities ordered by a hash of (seed, code), then the cycle."""
    order = sorted(usccs, key=lambda u: _digest(seed, "order", u))
    return {u: CYCLE[i % len(CYCLE)] for i, u in enumerate(order)}


def checked_on(seed: int, uscc: str, start: dt.date, end: dt.date) -> dt.date:
    """A day in [start, end] for the visit, the same for the same seed and entity."""
    span = (end - start).days + 1
    return start + dt.timedelta(days=int.from_bytes(_digest(seed, "day", uscc)[:4]) % span)


@dataclass(frozen=True)
class Dates:
    done_start: dt.date  # the finished task: its checks happened in [done_start, done_end]
    done_end: dt.date
    open_start: dt.date  # the task under way: started, ends in about a month
    open_end: dt.date


def dates(today: dt.date) -> Dates:
    """Both tasks in today's year where possible; no check date after today."""
    jan1, dec31 = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    done_start = max(jan1, today - dt.timedelta(days=45))
    # Ended a few days ago, so the 20-working-day publication deadline is still ahead.
    done_end = max(done_start, today - dt.timedelta(days=3))
    open_start = max(jan1, today - dt.timedelta(days=7))
    open_end = max(today, min(dec31, today + dt.timedelta(days=30)))
    return Dates(done_start, done_end, open_start, open_end)


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def food_definition(d: Dates) -> dict:
    """A key-item task on food producers, special key tier with certainty. Not drawn by credit
    class, so that its proof package is public on the portal (a draw by class keeps its proof
    internal: its roster shows the classes)."""
    year = d.done_start.year
    return {
        "title": f"{year}年黄浦区食品生产者生产过程控制双随机抽查（演示）",
        "unit": DISTRICT,
        "year": year,
        "quarter": _quarter(d.done_start),
        "items": [FOOD_ITEM],
        "check_date": d.done_start.isoformat(),
        "window": {"start": d.done_start.isoformat(), "end": d.done_end.isoformat()},
        "population": {"domains": ["food"], "statuses": ["active"]},
        "sampling": {
            "mode": "ratio",
            "ratio": "0.05",
            "stratify_by": ["district"],
            "min_per_stratum": 1,
            "certainty": {"key_tiers": ["special"]},
        },
        "team": {"size": 2, "skills": ["food"], "pool_by": "district", "rotation": True},
        "experts": {"per_target": 0},
    }


def info_definition(d: Dates, team_units: list[str], count: int) -> dict:
    """A general-item task on enterprises' public information, drawn by count (see info_count:
    a ratio is rounded up per stratum, which at a small demo's sizes overshoots the cap)."""
    year = d.open_start.year
    return {
        "title": f"{year}年黄浦区企业公示信息双随机抽查（演示）",
        "unit": DISTRICT,
        "year": year,
        "quarter": _quarter(d.open_start),
        "items": [INFO_ITEM],
        "check_date": d.open_start.isoformat(),
        "window": {"start": d.open_start.isoformat(), "end": d.open_end.isoformat()},
        "population": {
            "domains": ["public_info"],
            "entity_types": ["enterprise", "cooperative"],
            "statuses": ["active"],
        },
        "sampling": {"mode": "count", "count": count},
        "team": {"size": 2, "units": team_units, "pool_by": "district", "rotation": True},
        "experts": {"per_target": 0},
    }


def info_count(population: int, cap: Fraction | None) -> int:
    """At least 3% of the population (企业公示信息抽查: not less than 3%, DOMAIN.md), at least one;
    but never more than the item's cap, which a tiny demo district would otherwise exceed."""
    count = max(1, math.ceil(population * INFO_SHARE))
    if cap is not None:
        count = min(count, max(1, math.floor(population * cap)))
    return count
