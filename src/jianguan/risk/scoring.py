"""The pure scoring core of the credit-risk classification (信用风险分类): no Django, no database.

Input: a risk model compiled into plain dataclasses (`Model`) and the features of n entities as
numpy arrays (`Features`). Output (`Result`): per entity the score, the class A-D, which veto
item (否决项) forced class D if any, and the top contributions: which indicators moved the score
and by how much. Everything is vectorised over the entities.

The score is the sum of the contributions, exactly:

    contribution(indicator) = weight × points(rule, feature) × multiplier(entity's domains)
    contribution(专业调整 of domain d) = extra points of d, for entities in domain d
    score = Σ contributions

Class: score < cut B → A; < cut C → B; < cut D → C; else D. A veto item that holds forces D
whatever the score ("veto items that force class D", issue 5 item 1; DOMAIN.md 否决项).

Scoring rules (JSON data stored with each indicator):

    {"type": "bins", "bins": [[upper, points], ...], "else": p, "missing": p}
        first bin whose upper bound (exclusive; null = no bound) exceeds the value;
        "else" beyond the last bin, "missing" when the value is unknown (NaN)
    {"type": "flag", "points": p}                      points when the feature is true
    {"type": "map", "map": {"category": p}, "default": p}    categorical features
    {"type": "mask", "bits": {bit: p}, "combine": "max"|"sum"}
        bit masks (监管领域): the Django side turns domain codes into bit numbers

Veto conditions: {"feature": name, "op": "==|!=|>=|>|<=|<|in", "value": v}.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

CLASSES = ("A", "B", "C", "D")
TOP = 3  # contributions kept per entity in the explanation

# The features a model may read. The Django side (risk.features) provides every one of them.
FEATURES = {
    "age_years": ("number", "成立年限（年）"),
    "entity_type": ("category", "主体类型"),
    "capital_wan": ("number", "注册资本（万元）"),
    "industry_section": ("category", "行业门类（GB/T 4754）"),
    "domains": ("mask", "监管领域"),
    "key_tier": ("category", "重点领域类别"),
    "status": ("category", "登记状态"),
    "abnormal_active": ("flag", "列入经营异常名录（列入中）"),
    "serious_active": ("flag", "列入严重违法失信名单（列入中）"),
    "problem_findings_3y": ("number", "近3年检查发现问题次数"),
    "complaints_1y": ("number", "近1年投诉举报件数（占位：投诉举报模块上线前恒为0）"),
}
RULE_TYPES = ("bins", "flag", "map", "mask")
VETO_OPS = ("==", "!=", ">=", ">", "<=", "<", "in")


class RuleError(ValueError):
    """A rule or condition that cannot be applied (message in Chinese, for the forms)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    feature: str
    rule: dict
    weight: float = 1.0


@dataclass(frozen=True)
class Veto:
    code: str
    feature: str
    op: str
    value: object


@dataclass(frozen=True)
class Adjustment:
    """专业模型: entities with domain bit `bit` get `extra` points and indicator multipliers."""

    code: str  # the domain code, shown in explanations as "domain:<code>"
    bit: int
    extra: float = 0.0
    multipliers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Model:
    indicators: list[Indicator]
    cuts: dict[str, float]  # lower bounds of classes B, C, D
    vetoes: list[Veto] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)


@dataclass
class Features:
    """n entities: `columns[name]` is an array of length n for each feature of FEATURES."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, rows) -> Features:
        return Features({k: v[rows] for k, v in self.columns.items()})


@dataclass
class Result:
    score: np.ndarray  # float64, rounded to 2 decimals
    klass: np.ndarray  # uint8 index into CLASSES
    veto: np.ndarray  # int16: index into model.vetoes, -1 for none
    contributions: np.ndarray  # (n, k) float64: one column per term of `terms`
    terms: list[str]  # indicator codes, then "domain:<code>" per adjustment with extra points

    def classes(self) -> np.ndarray:
        return np.array(CLASSES)[self.klass]

    def counts(self) -> dict[str, int]:
        c = np.bincount(self.klass, minlength=4)
        return {k: int(c[i]) for i, k in enumerate(CLASSES)}

    def top(self, k: int = TOP) -> tuple[np.ndarray, np.ndarray]:
        """(index (n, k) into terms, value (n, k)) of the largest contributions by size;
        ties and zero contributions in term order, zeros last.

        k rounds of argmax (the first maximum wins: the stable order) instead of sorting every
        row: k is 3, the terms a dozen or more, the rows millions."""
        n, m = self.contributions.shape
        k = min(k, m)
        if not m:
            return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0))
        size = np.abs(self.contributions)
        rows = np.arange(n)
        order = np.empty((n, k), dtype=np.int64)
        for j in range(k):
            order[:, j] = pick = np.argmax(size, axis=1)
            size[rows, pick] = -1.0  # taken: below every real size, zero included
        return order, np.take_along_axis(self.contributions, order, axis=1)


def points(rule: dict, values: np.ndarray) -> np.ndarray:
    """Points of one rule for an array of feature values (float64)."""
    kind = rule.get("type")
    n = len(values)
    if kind == "flag":
        return np.where(values.astype(bool), float(rule.get("points", 0)), 0.0)
    if kind == "bins":
        v = values.astype(np.float64)
        bins = rule.get("bins") or []
        out = np.full(n, float(rule.get("else", 0)))
        uppers = [math.inf if u is None else float(u) for u, _p in bins]
        if uppers != sorted(uppers):
            raise RuleError("分段上限须从小到大排列")
        if bins:
            at = np.searchsorted(np.array(uppers), v, side="right")
            table = np.array([float(p) for _u, p in bins] + [float(rule.get("else", 0))])
            out = table[np.minimum(at, len(bins))]
        return np.where(np.isnan(v), float(rule.get("missing", 0)), out)
    if kind == "map":
        out = np.full(n, float(rule.get("default", 0)))
        for key, p in (rule.get("map") or {}).items():
            out[values == key] = float(p)
        return out
    if kind == "mask":
        combine = rule.get("combine", "max")
        out = np.zeros(n)
        for bit, p in (rule.get("bits") or {}).items():
            hit = (values.astype(np.int64) >> int(bit)) & 1 == 1
            if combine == "sum":
                out += np.where(hit, float(p), 0.0)
            else:
                out = np.where(hit, np.maximum(out, float(p)), out)
        return out
    raise RuleError(f"未知的计分规则类型：{kind}")


def condition(veto: Veto, values: np.ndarray) -> np.ndarray:
    """Where a veto item's condition holds (bool array)."""
    v, op, target = values, veto.op, veto.value
    if op == "in":
        return np.isin(v, list(target))
    if isinstance(target, bool):
        v = v.astype(bool)
    ops = {
        "==": np.equal,
        "!=": np.not_equal,
        ">=": np.greater_equal,
        ">": np.greater,
        "<=": np.less_equal,
        "<": np.less,
    }
    if op not in ops:
        raise RuleError(f"未知的否决条件运算符：{op}")
    return np.asarray(ops[op](v, target), dtype=bool)


def score(model: Model, features: Features) -> Result:
    n = len(features)
    cols = features.columns
    mult = {ind.code: np.ones(n) for ind in model.indicators}
    for adj in model.adjustments:
        if not adj.multipliers:
            continue
        hit = (cols["domains"].astype(np.int64) >> adj.bit) & 1 == 1
        for code, factor in adj.multipliers.items():
            if code in mult:
                mult[code] = np.where(hit, mult[code] * float(factor), mult[code])
    terms = [ind.code for ind in model.indicators]
    contribution = np.zeros((n, len(terms) + sum(1 for a in model.adjustments if a.extra)))
    for j, ind in enumerate(model.indicators):
        contribution[:, j] = (
            float(ind.weight) * points(ind.rule, cols[ind.feature]) * mult[ind.code]
        )
    j = len(terms)
    for adj in model.adjustments:
        if adj.extra:
            hit = (cols["domains"].astype(np.int64) >> adj.bit) & 1 == 1
            contribution[:, j] = np.where(hit, float(adj.extra), 0.0)
            terms.append(f"domain:{adj.code}")
            j += 1
    contribution = np.round(contribution, 2)
    total = np.round(contribution.sum(axis=1), 2)
    cuts = np.array([float(model.cuts[c]) for c in ("B", "C", "D")])
    if not (cuts[0] <= cuts[1] <= cuts[2]):
        raise RuleError("分类阈值须满足 B ≤ C ≤ D")
    klass = np.searchsorted(cuts, total, side="right").astype(np.uint8)
    veto = np.full(n, -1, dtype=np.int16)
    for i in range(len(model.vetoes) - 1, -1, -1):  # the first veto that holds is reported
        veto[condition(model.vetoes[i], cols[model.vetoes[i].feature])] = i
    klass[veto >= 0] = 3
    return Result(total, klass, veto, contribution, terms)


def explanation_table(model: Model, result: Result, k: int = TOP) -> tuple[list[str], np.ndarray]:
    """(distinct explanations, index into them per entity). Each explanation is compact JSON:
    {"t": [[term, points], ...the top k non-zero], "v": veto code (when one holds)}.

    Vectorised: entities share few distinct explanations (points come from bins and maps), so
    each distinct one is formatted once."""
    n = len(result.score)
    if not n:
        return [], np.zeros(0, dtype=np.int64)
    idx, val = result.top(k)
    # Values are rounded to 2 decimals: as whole hundredths they are exact integers.
    cents = np.rint(val * 100).astype(np.int64)
    columns = [idx[:, j] for j in range(idx.shape[1])]
    columns += [cents[:, j] for j in range(cents.shape[1])]
    columns.append(result.veto.astype(np.int64))
    first, inverse = _factorize(columns)
    texts = []
    for row in first.tolist():
        top = [
            [result.terms[int(t)], round(float(v), 2)]
            for t, v in zip(idx[row].tolist(), val[row].tolist(), strict=True)
            if v != 0
        ]
        item: dict = {"t": top}
        if result.veto[row] >= 0:
            item["v"] = model.vetoes[int(result.veto[row])].code
        texts.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    return texts, inverse


def _factorize(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of integer columns: (a row index of each distinct row, the distinct row's
    number per row). One int64 key built column by column (mixed radix), renumbered whenever
    the next column would overflow it: 1-D sorts only, no row-wise unique."""
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    size = 1  # key values lie in [0, size)
    for col in columns:
        low = int(col.min())
        span = int(col.max()) - low + 1
        if size * span >= 2**62:
            uniq, key = np.unique(key, return_inverse=True)
            key = key.ravel().astype(np.int64)
            size = len(uniq)
            if size * span >= 2**62:  # a column of huge spread: renumber it too
                vals, code = np.unique(col, return_inverse=True)
                col, low, span = code.ravel().astype(np.int64), 0, len(vals)
        key = key * span + (col - low)
        size *= span
    _uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def explanations(model: Model, result: Result, k: int = TOP) -> list[str]:
    """The explanation of every entity (see explanation_table)."""
    texts, inverse = explanation_table(model, result, k)
    return [texts[i] for i in inverse.tolist()]


def score_row(model: Model, row: dict) -> tuple[float, str]:
    """One entity, plain Python, no numpy: the naive per-row loop (a benchmark's baseline, and a
    cross-check of the vectorised core in the tests)."""
    mult = {ind.code: 1.0 for ind in model.indicators}
    for adj in model.adjustments:
        if (int(row["domains"]) >> adj.bit) & 1:
            for code, factor in adj.multipliers.items():
                if code in mult:
                    mult[code] *= float(factor)
    total = 0.0
    for ind in model.indicators:
        total += round(
            float(ind.weight) * _points_one(ind.rule, row[ind.feature]) * mult[ind.code], 2
        )
    for adj in model.adjustments:
        if adj.extra and (int(row["domains"]) >> adj.bit) & 1:
            total += round(float(adj.extra), 2)
    total = round(total, 2)
    klass = sum(total >= float(model.cuts[c]) for c in ("B", "C", "D"))
    for veto in model.vetoes:
        if _holds(veto, row[veto.feature]):
            klass = 3
            break
    return total, CLASSES[klass]


def _holds(veto: Veto, value) -> bool:
    target = veto.value
    if veto.op == "in":
        return value in target
    if isinstance(target, bool):
        value = bool(value)
    return {
        "==": value == target,
        "!=": value != target,
        ">=": value >= target,
        ">": value > target,
        "<=": value <= target,
        "<": value < target,
    }[veto.op]


def _points_one(rule: dict, value) -> float:
    kind = rule.get("type")
    if kind == "flag":
        return float(rule.get("points", 0)) if value else 0.0
    if kind == "bins":
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return float(rule.get("missing", 0))
        for upper, p in rule.get("bins") or []:
            if upper is None or value < upper:
                return float(p)
        return float(rule.get("else", 0))
    if kind == "map":
        return float((rule.get("map") or {}).get(value, rule.get("default", 0)))
    if kind == "mask":
        hits = [
            float(p) for bit, p in (rule.get("bits") or {}).items() if (int(value) >> int(bit)) & 1
        ]
        if rule.get("combine") == "sum":
            return sum(hits)
        return max([0.0, *hits])
    raise RuleError(f"未知的计分规则类型：{kind}")


def validate_rule(feature: str, rule: dict) -> None:
    """RuleError with a Chinese message when a rule does not fit its feature."""
    if feature not in FEATURES:
        raise RuleError(f"未知的数据来源：{feature}")
    kind = FEATURES[feature][0]
    rtype = rule.get("type") if isinstance(rule, dict) else None
    allowed = {
        "number": ("bins",),
        "flag": ("flag",),
        "category": ("map",),
        "mask": ("mask",),
    }[kind]
    if rtype not in allowed:
        raise RuleError(f"数据来源“{FEATURES[feature][1]}”应使用计分规则类型：{'、'.join(allowed)}")
    sample = {
        "number": np.array([0.0, 1.0, np.nan]),
        "flag": np.array([True, False]),
        "category": np.array(["", "x"]),
        "mask": np.array([0, 1], dtype=np.int64),
    }[kind]
    try:
        points(rule, sample)
    except (TypeError, ValueError) as e:
        raise RuleError(f"计分规则格式不正确：{e}") from e


def validate_veto(veto: Veto) -> None:
    if veto.feature not in FEATURES:
        raise RuleError(f"未知的数据来源：{veto.feature}")
    if veto.op not in VETO_OPS:
        raise RuleError(f"运算符应为：{' '.join(VETO_OPS)}")
    if veto.op == "in" and not isinstance(veto.value, list):
        raise RuleError("运算符 in 的比较值应为列表")
