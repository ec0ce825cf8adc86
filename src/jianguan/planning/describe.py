"""A task definition in plain Chinese, for the task page: what is checked, whom, how many, by whom.

Reads the names behind the codes (units, expertise tags, industries); never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jianguan.catalog.models import percent
from jianguan.org.models import Unit
from jianguan.personnel.models import Expertise
from jianguan.registry.models import DOMAINS, Entity, Industry

KEY_TIER_LABELS = {"special": "特殊重点", "general": "一般重点", "": "非重点"}
RISK_LABELS = dict(Entity.RiskClass.choices)
STATUS_LABELS = dict(Entity.Status.choices)
TYPE_LABELS = dict(Entity.Type.choices)
STRATIFY_LABELS = {"district": "按区局", "risk_class": "按信用风险分类"}
POOL_LABELS = {
    "district": "按区局分组：检查人员只检查本区局的对象",
    "none": "不分区：全部检查人员统一抽取",
}
MODE_LABELS = {"ratio": "按比例抽取", "count": "按数量抽取"}
ANY = "不限"


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    # Per-class ratios (label, percent, certain) for the sampling section's small table.
    classes: list[tuple[str, str, bool]] = field(default_factory=list)


def ratio_text(value: str | None) -> str:
    return percent(Decimal(value)) if value else ""


def _names(model, codes: list[str], key: str = "code") -> str:
    if not codes:
        return ANY
    rows = {getattr(r, key): r for r in model.objects.filter(**{f"{key}__in": codes})}
    return "、".join(f"{rows[c].name}（{c}）" if c in rows else f"{c}（未知代码）" for c in codes)


def _labels(codes: list[str], labels: dict[str, str]) -> str:
    return "、".join(str(labels.get(c, c)) for c in codes) if codes else ANY


def describe(d: dict, cap: str | None) -> list[Section]:
    """Sections of (label, text) rows for a normalized definition and the items' cap."""
    p, s, t, e = d["population"], d["sampling"], d["team"], d["experts"]
    window = d.get("window") or {}
    if window.get("start") or window.get("end"):
        period = f"{window.get('start') or '（未定）'} 至 {window.get('end') or '（未定）'}"
    else:
        period = "未规定"

    basics = Section(
        "基本信息",
        [
            ("任务名称", d["title"]),
            ("组织单位", _names(Unit, [d["unit"]])),
            ("年度", f"{d['year']} 年"),
            ("批次", f"第 {d['batch']} 批"),
            ("季度", f"第 {d['quarter']} 季度" if d.get("quarter") else "未指定"),
            ("计划检查日期", d["check_date"]),
            ("检查期间", period),
        ],
    )

    population = Section(
        "检查对象范围",
        [
            ("监管领域", _labels(p["domains"], dict(DOMAINS.choices))),
            ("区局", _names(Unit, p["districts"])),
            ("市场监管所/执法大队", _names(Unit, p["stations"])),
            ("行业（GB/T 4754）", _names(Industry, p["industries"])),
            ("重点领域类别", _labels(p["key_tiers"], KEY_TIER_LABELS)),
            ("信用风险分类", _labels(p["risk_classes"], RISK_LABELS)),
            ("登记状态", _labels(p["statuses"], STATUS_LABELS)),
            ("主体类型", _labels(p["entity_types"], TYPE_LABELS)),
        ],
    )

    sampling = Section("抽取规则", [("抽取方式", MODE_LABELS.get(s["mode"], s["mode"]))])
    certain = s.get("certainty") or {"key_tiers": [], "risk_classes": []}
    if s["mode"] == "ratio":
        if s.get("ratio"):
            scope = "（未单独规定比例的风险分类）" if s.get("class_ratios") else ""
            sampling.rows.append(("抽查比例", f"{ratio_text(s['ratio'])}{scope}"))
        for cls in ("A", "B", "C", "D"):
            value = (s.get("class_ratios") or {}).get(cls)
            if value:
                sampling.classes.append(
                    (RISK_LABELS[cls], ratio_text(value), cls in certain["risk_classes"])
                )
    else:
        sampling.rows.append(("抽取户数", f"{s['count']} 户（按各层规模分配）"))
    sampling.rows += [
        ("分层抽取", _labels(s["stratify_by"], STRATIFY_LABELS) if s["stratify_by"] else "不分层"),
        (
            "每层至少抽取",
            f"{s['min_per_stratum']} 户（不足时全部抽取）" if s["min_per_stratum"] else "不设下限",
        ),
        (
            "排除近期已检查对象",
            f"排除近 {s['exclude_checked_months']} 个月内已被抽查的对象"
            if s["exclude_checked_months"]
            else "不排除",
        ),
    ]
    groups = [f"{KEY_TIER_LABELS[k]}对象" for k in certain["key_tiers"]] + [
        str(RISK_LABELS[c]) for c in certain["risk_classes"]
    ]
    if s.get("listed_class"):
        sampling.rows.append(
            (
                "列入名录的对象",
                f"列入经营异常名录或严重违法失信名单的对象按 {RISK_LABELS[s['listed_class']]} 抽取",
            )
        )
    if s.get("missed_pt_class"):
        sampling.rows.append(
            (
                "未参加能力验证的机构",
                f"近 {s['missed_pt_months']} 个月内未参加能力验证的检验检测机构按 "
                f"{RISK_LABELS[s['missed_pt_class']]} 抽取",
            )
        )
    sampling.rows.append(
        ("必查对象", "、".join(groups) + "：全部列入检查，不参与随机抽取" if groups else "无")
    )
    sampling.rows.append(
        (
            "比例上限",
            f"{ratio_text(cap)}（一般检查事项中最小的上限；随机抽取的户数不得超过）"
            if cap
            else "不设上限（仅含重点检查事项）",
        )
    )

    team = Section(
        "检查人员",
        [
            ("每户检查人员", f"{t['size']} 人（《行政处罚法》第四十二条：执法人员不得少于两人）"),
            (
                "业务专长要求",
                _names(Expertise, t["skills"]) + "（每组至少 1 人具备）" if t["skills"] else "不限",
            ),
            ("人员所属单位", _names(Unit, t["units"]) if t["units"] else "组织单位辖区内全部人员"),
            ("人员分组", POOL_LABELS.get(t["pool_by"], t["pool_by"])),
            (
                "每人最多检查",
                f"{t['max_load']} 户" if t.get("max_load") else "不设上限（尽量均衡）",
            ),
            (
                "轮换回避",
                "是：上次检查过该对象的人员本次不再抽取" if t["rotation"] else "否",
            ),
        ],
    )

    experts = Section(
        "专家",
        [
            (
                "每户专家",
                f"{e['per_target']} 名，专业领域：{_names(Expertise, [e['field']])}"
                if e["per_target"]
                else "不抽取专家",
            )
        ],
    )

    entropy = Section(
        "随机数",
        [
            (
                "外部随机数",
                "须在抽取前录入公开的外部随机数（如当日彩票开奖号码），与承诺值一起决定抽取结果"
                if d.get("requires_external_entropy")
                else "不需要；由系统密钥和承诺值决定，抽取后公开可验证",
            )
        ],
    )
    return [basics, population, sampling, team, experts, entropy]
