"""Credit grades of testing bodies (信用等级评价, seed 001 §三(四)1): the pure core. No Django.

A model is an indicator system kept as data: each indicator reads one feature (a count per
body, e.g. 近3年能力验证不满意次数) and deducts `points` per occurrence up to `cap`; veto items
(否决项) force grade D when their feature reaches `at_least`. The score is 100 minus the
deductions; the grade is the first of A, B, C whose lower bound the score reaches, else D:

    score = 100 − Σ min(points × count, cap)
    grade = A if score ≥ t_A, B if ≥ t_B, C if ≥ t_C, else D; any veto that holds → D

Everything is vectorised over bodies (numpy); `grade_row` is the same for one body in plain
Python (the naive loop of the benchmark, and a cross-check in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

GRADES = ("A", "B", "C", "D")
FULL = 100.0

# What an indicator or veto may read: (label, window). The Django side (testing.features)
# computes every one per body as of a date.
FEATURES = {
    "false_report": "近3年出具虚假检验检测报告次数",
    "untrue_report": "近3年出具不实检验检测报告次数",
    "no_qualification": "近3年未取得资质认定出具报告次数",
    "check_problems": "近3年监督检查发现问题次数",
    "penalties": "近3年受到行政处罚次数",
    "pt_unsatisfactory": "近3年能力验证（盲样）不满意次数",
    "pt_questionable": "近3年能力验证（盲样）可疑次数",
    "pt_missed": "近3年未参加强制能力验证次数",
    "pt_overdue": "能力验证逾期未整改项数",
    "assessment_failed": "近3年综合能力考核不符合次数",
    "assessment_rectify": "近3年综合能力考核需整改次数",
    "monitoring_problems": "近1年风险监测发现问题项数",
    "unreported_changes": "近1年未按规定报告的变更次数",
    "online_violations": "近1年网络监测线索查实次数",
    "false_commitment": "告知承诺核查不实（次）",
    "revoked": "资质认定被撤销（次）",
    "suspended": "资质认定处于暂停状态",
    "serious_listed": "列入严重违法失信名单（列入中）",
    "abnormal_listed": "列入经营异常名录（列入中）",
}


class GradingError(ValueError):
    """A model that cannot be applied (message in Chinese)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    feature: str
    points: float
    cap: float


@dataclass(frozen=True)
class Veto:
    code: str
    feature: str
    at_least: int = 1


@dataclass(frozen=True)
class Model:
    indicators: list[Indicator]
    thresholds: dict[str, float]  # lower bounds of A, B, C
    vetoes: list[Veto] = field(default_factory=list)


@dataclass
class Result:
    score: np.ndarray  # float64, one decimal
    grade: np.ndarray  # uint8 index into GRADES
    veto: np.ndarray  # int16 index into model.vetoes, -1 for none
    deductions: np.ndarray  # (n, k) float64, one column per indicator

    def grades(self) -> np.ndarray:
        return np.array(GRADES)[self.grade]

    def counts(self) -> dict[str, int]:
        c = np.bincount(self.grade, minlength=4)
        return {g: int(c[i]) for i, g in enumerate(GRADES)}


def check_thresholds(thresholds: dict) -> list[float]:
    try:
        cuts = [float(thresholds[g]) for g in ("A", "B", "C")]
    except (KeyError, TypeError, ValueError):
        raise GradingError("请填写 A、B、C 三个等级的得分下限（数字）") from None
    if not (FULL >= cuts[0] >= cuts[1] >= cuts[2] >= 0):
        raise GradingError("等级分数线须满足 100 ≥ A ≥ B ≥ C ≥ 0")
    return cuts


def check_ratios(ratios: dict) -> None:
    try:
        values = [Decimal(str(ratios[g])) for g in GRADES]
    except (KeyError, ArithmeticError):
        raise GradingError("请填写 A、B、C、D 四个等级的抽查比例（0 到 1 的小数）") from None
    if not all(0 < v <= 1 for v in values):
        raise GradingError("抽查比例应大于 0 且不超过 1")


def grade(model: Model, features: dict[str, np.ndarray]) -> Result:
    """Grades of n bodies; `features[name]` is an array of n counts for every feature used."""
    cuts = check_thresholds(model.thresholds)
    n = len(next(iter(features.values()))) if features else 0
    deductions = np.zeros((n, len(model.indicators)))
    for j, ind in enumerate(model.indicators):
        counts = features[ind.feature].astype(np.float64)
        deductions[:, j] = np.minimum(counts * ind.points, ind.cap)
    deductions = np.round(deductions, 1)
    score = np.round(np.maximum(FULL - deductions.sum(axis=1), 0.0), 1)
    # A (0) where score ≥ cut A, B (1) where ≥ cut B, …: count the cuts the score falls below.
    klass = (score[:, None] < np.array(cuts)[None, :]).sum(axis=1).astype(np.uint8)
    veto = np.full(n, -1, dtype=np.int16)
    for i in range(len(model.vetoes) - 1, -1, -1):  # the first veto that holds is reported
        v = model.vetoes[i]
        veto[features[v.feature] >= v.at_least] = i
    klass[veto >= 0] = 3
    return Result(score, klass, veto, deductions)


def explanation(model: Model, result: Result, row: int) -> list[list]:
    """[[indicator code, deduction], ...] of one body's non-zero deductions, largest first,
    then ["veto", code] when a veto forced D."""
    out = [
        [ind.code, round(float(result.deductions[row, j]), 1)]
        for j, ind in enumerate(model.indicators)
        if result.deductions[row, j]
    ]
    out.sort(key=lambda pair: -pair[1])
    if result.veto[row] >= 0:
        out.append(["veto", model.vetoes[int(result.veto[row])].code])
    return out


def grade_row(model: Model, row: dict[str, int]) -> tuple[float, str, str]:
    """(score, grade, veto code) of one body in plain Python."""
    cuts = check_thresholds(model.thresholds)
    total = sum(round(min(row[i.feature] * i.points, i.cap), 1) for i in model.indicators)
    score = round(max(FULL - total, 0.0), 1)
    klass = sum(score < c for c in cuts)
    veto = next((v.code for v in model.vetoes if row[v.feature] >= v.at_least), "")
    return score, GRADES[3 if veto else klass], veto
