"""Backtest of a model version against recorded check results (CheckOutcome).

Honest split in time: entities are scored with what was known on the split date (their past
findings count only checks up to that day), and judged on the checks made after it.

Per class c: N_c entities, r_c = share of the later checks that found a problem. Drawing by class
with the model's ratios q_c makes K = Σ q_c·N_c checks and finds Σ q_c·N_c·r_c problems; uniform
drawing with the same K checks finds K·r̄ with r̄ = Σ N_c·r_c / N (the population's rate).

    lift = (Σ q_c·N_c·r_c / K) / r̄           problems found per check, by class / uniform

A class without later checks is counted at the overall rate (it neither helps nor hurts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from . import scoring
from .models import CheckOutcome, RiskModel
from .services import score_entities


@dataclass
class ClassRow:
    klass: str
    entities: int
    checked: int  # entities with a check after the split
    checks: int
    problems: int
    ratio: float

    @property
    def rate(self) -> float | None:
        return self.problems / self.checks if self.checks else None


@dataclass
class Report:
    model: RiskModel
    split: dt.date
    until: dt.date
    rows: list[ClassRow]
    checks: int
    draws: float  # K
    class_rate: float  # expected problems per check, class-based
    uniform_rate: float  # the same, uniform
    lift: float


def run(model: RiskModel, split: dt.date, until: dt.date) -> Report:
    ids, _feats, result = score_entities(model, as_of=split)
    outcomes = np.array(
        list(
            CheckOutcome.objects.filter(checked_on__gt=split, checked_on__lte=until).values_list(
                "entity_id", "problem_found"
            )
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    at = np.searchsorted(ids, outcomes[:, 0]) if len(ids) else np.zeros(0, dtype=np.int64)
    known = (at < len(ids)) & (ids[np.minimum(at, max(len(ids) - 1, 0))] == outcomes[:, 0])
    klass = result.klass[at[known]] if len(ids) else np.zeros(0, dtype=np.uint8)
    found = outcomes[known, 1]
    entity_of = outcomes[known, 0]
    population = np.bincount(result.klass, minlength=4)
    checks = np.bincount(klass, minlength=4)
    problems = np.bincount(klass, weights=found, minlength=4).astype(np.int64)
    rows = []
    for i, c in enumerate(scoring.CLASSES):
        rows.append(
            ClassRow(
                c,
                int(population[i]),
                len(np.unique(entity_of[klass == i])),
                int(checks[i]),
                int(problems[i]),
                float(model.draw_ratios.get(c, 0)),
            )
        )
    overall = problems.sum() / checks.sum() if checks.sum() else 0.0
    rate = np.array([r.rate if r.rate is not None else overall for r in rows])
    q = np.array([r.ratio for r in rows])
    n = population.astype(np.float64)
    draws = float((q * n).sum())
    class_rate = float((q * n * rate).sum() / draws) if draws else 0.0
    uniform_rate = float((n * rate).sum() / n.sum()) if n.sum() else 0.0
    lift = class_rate / uniform_rate if uniform_rate else 0.0
    return Report(
        model, split, until, rows, int(checks.sum()), draws, class_rate, uniform_rate, lift
    )


def table(report: Report) -> str:
    lines = [
        f"回测：模型 V{report.model.version}（{report.model.name}）",
        f"按 {report.split:%Y-%m-%d} 可知的数据分类，以 {report.split:%Y-%m-%d} 之后至 "
        f"{report.until:%Y-%m-%d} 的 {report.checks:,} 次检查结果检验",
        "",
        f"{'分类':<4}{'主体数':>10}{'被检查主体':>10}{'检查次数':>10}{'发现问题':>10}"
        f"{'问题发现率':>10}{'抽查比例':>10}",
    ]
    for r in report.rows:
        rate = f"{r.rate:.1%}" if r.rate is not None else "—"
        lines.append(
            f"{r.klass + '类':<5}{r.entities:>13,}{r.checked:>15,}{r.checks:>14,}"
            f"{r.problems:>14,}{rate:>15}{r.ratio:>14.0%}"
        )
    lines += [
        "",
        f"按分类抽查（各类比例如上）：共 {report.draws:,.0f} 户，"
        f"预计每次检查发现问题 {report.class_rate:.1%}",
        f"同样户数的均匀随机抽查：预计每次检查发现问题 {report.uniform_rate:.1%}",
        f"提升倍数（lift）：{report.lift:.2f}",
    ]
    return "\n".join(lines)


def as_dict(report: Report) -> dict:
    """The report as JSON (a background job's result, shown by the backtest page)."""
    return {
        "model": report.model.version,
        "model_name": report.model.name,
        "split": report.split.isoformat(),
        "until": report.until.isoformat(),
        "rows": [
            {
                "klass": r.klass,
                "entities": r.entities,
                "checked": r.checked,
                "checks": r.checks,
                "problems": r.problems,
                "rate": r.rate,
                "ratio": r.ratio,
                "rate_text": f"{r.rate:.1%}" if r.rate is not None else "—",
                "ratio_text": f"{r.ratio:.0%}",
            }
            for r in report.rows
        ],
        "checks": report.checks,
        "draws": report.draws,
        "class_rate": report.class_rate,
        "uniform_rate": report.uniform_rate,
        "lift": report.lift,
        "class_rate_text": f"{report.class_rate:.1%}",
        "uniform_rate_text": f"{report.uniform_rate:.1%}",
        "lift_text": f"{report.lift:.2f}",
    }
