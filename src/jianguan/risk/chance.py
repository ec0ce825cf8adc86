"""抽查概率说明: why an entity's draw probability in a task is what it is (issue 5 item 6).

Pure Python, no Django: given the facts about one entity and a task's normalized definition
(planning.rules), which rule applies and with what ratio. It mirrors sampling.freeze: the
certainty groups (drawn for sure), the class the entity is drawn as (its own; the task's
listed_class when on the business-abnormal or serious-violation list; the task's missed_pt_class
when it missed a proficiency test within missed_pt_months — the riskier when both), and that
class's ratio (class_ratios, else the general ratio). Population filters that can be judged
from the entity's own columns are checked; the others (domains, industries, recently checked)
are left to the draw's roster.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

CLASS_LABELS = {"A": "A类", "B": "B类", "C": "C类", "D": "D类", "": "未分类"}
TIER_LABELS = {"special": "特殊重点", "general": "一般重点", "": "非重点"}


@dataclass
class Facts:
    risk_class: str
    key_tier: str
    status: str
    entity_type: str
    district_code: str
    listed: list[str] = field(default_factory=list)  # e.g. ["经营异常名录"]
    missed_pt: list[dt.date] = field(default_factory=list)  # dates of missed proficiency tests


@dataclass
class Chance:
    in_population: bool
    certain: bool
    drawn_class: str
    ratio: str | None  # a percentage text, or None (count mode / not in population)
    reasons: list[str]


def months_before(day: dt.date, months: int) -> dt.date:
    """As sampling.freeze._months_before (the same window)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def _percent(ratio: str) -> str:
    value = Decimal(ratio) * 100
    return f"{value.normalize():f}%"


def explain(facts: Facts, definition: dict, check_date: dt.date) -> Chance:
    pop = definition.get("population") or {}
    s = definition.get("sampling") or {}
    reasons: list[str] = []
    outside = _outside(facts, pop)
    if outside:
        return Chance(
            False, False, facts.risk_class, None, [f"不在本任务抽查对象范围内：{outside}"]
        )
    certainty = s.get("certainty") or {}
    if facts.key_tier and facts.key_tier in certainty.get("key_tiers", []):
        reasons.append(f"{TIER_LABELS[facts.key_tier]}领域企业：本任务规定全部检查")
        return Chance(True, True, facts.risk_class, "100%", reasons)
    if facts.risk_class and facts.risk_class in certainty.get("risk_classes", []):
        reasons.append(f"{CLASS_LABELS[facts.risk_class]}：本任务规定全部检查")
        return Chance(True, True, facts.risk_class, "100%", reasons)
    drawn = facts.risk_class
    reasons.append(f"本身的信用风险分类：{CLASS_LABELS[facts.risk_class]}")
    listed_class = s.get("listed_class") or ""
    missed_class = s.get("missed_pt_class") or ""
    rule_classes = []
    if listed_class and facts.listed:
        rule_classes.append(listed_class)
        reasons.append(
            f"列入{'、'.join(facts.listed)}：本任务规定按{CLASS_LABELS[listed_class]}抽取"
        )
    if missed_class:
        since = months_before(check_date, int(s.get("missed_pt_months") or 12))
        missed = [d for d in facts.missed_pt if since < d <= check_date]
        if missed:
            rule_classes.append(missed_class)
            reasons.append(
                f"{max(missed):%Y-%m-%d} 能力验证未参加（近 {s.get('missed_pt_months') or 12} "
                f"个月内）：本任务规定按{CLASS_LABELS[missed_class]}抽取"
            )
    if rule_classes:
        drawn = max(rule_classes)
    if s.get("mode") == "count":
        reasons.append(f"按数量抽取 {s.get('count')} 户：概率为抽取户数与对象总数之比")
        return Chance(True, False, drawn, None, reasons)
    ratio = (s.get("class_ratios") or {}).get(drawn) or s.get("ratio")
    if ratio is None:
        reasons.append(f"本任务未规定{CLASS_LABELS[drawn]}的抽查比例")
        return Chance(True, False, drawn, None, reasons)
    source = "分类比例" if (s.get("class_ratios") or {}).get(drawn) else "一般比例"
    reasons.append(f"按{CLASS_LABELS[drawn]}适用本任务的{source} {_percent(ratio)}")
    return Chance(True, False, drawn, _percent(ratio), reasons)


def _outside(facts: Facts, pop: dict) -> str:
    checks = [
        ("statuses", facts.status, "登记状态"),
        ("entity_types", facts.entity_type, "主体类型"),
        ("key_tiers", facts.key_tier, "重点领域类别"),
        ("risk_classes", facts.risk_class, "信用风险分类"),
        ("districts", facts.district_code, "所属区局"),
    ]
    for key, value, label in checks:
        allowed = pop.get(key) or []
        if allowed and value not in allowed:
            return f"{label}不符"
    return ""
