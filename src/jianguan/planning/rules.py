"""The task definition (抽查任务): one JSON document for the wizard, the API and `run_draw`.

Pure Python, no Django: `normalize()` checks a definition and returns it complete, with every
default written out, so the frozen rules of a draw say everything the draw depended on.
docs/draw-protocol.md documents the schema; examples/draw-task.json is a realistic instance.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

RISK_CLASSES = ("A", "B", "C", "D")
KEY_TIERS = ("special", "general", "")
STATUSES = ("active", "revoked", "cancelled", "moved_out")
ENTITY_TYPES = ("enterprise", "individual", "cooperative", "other")
STRATIFY = ("district", "risk_class")
POOL_BY = ("district", "none")
MODES = ("ratio", "count")


class DefinitionError(ValueError):
    """errors: {"sampling.ratio": ["…"]}: the path of each bad field and why, in Chinese."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("；".join(f"{k}：{'，'.join(v)}" for k, v in errors.items()))


class _Checker:
    def __init__(self, data: dict):
        self.data = data if isinstance(data, dict) else {}
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def section(self, name: str) -> dict:
        value = self.data.get(name) or {}
        if not isinstance(value, dict):
            self.fail(name, "应为对象")
            return {}
        return value

    def text(self, obj, path, key, *, required=False, default="") -> str:
        value = obj.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            self.fail(path, "应为文本")
            return default
        if required and not value.strip():
            self.fail(path, "必填")
        return value.strip()

    def integer(self, obj, path, key, *, default=None, minimum=0, maximum=None):
        value = obj.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "应为整数")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"{minimum}～{maximum}" if maximum is not None else f"不小于 {minimum}"
            self.fail(path, f"应为 {bound} 的整数")
            return default
        return value

    def ratio(self, value, path) -> str | None:
        """A fraction in (0, 1] as a decimal string ("0.05" = 5%): exact, no float rounding."""
        if value is None:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(path, "应为 0 到 1 之间的小数（如 0.05 表示 5%）")
            return None
        if not number.is_finite() or not (0 < number <= 1):
            self.fail(path, "应大于 0 且不超过 1（如 0.05 表示 5%）")
            return None
        return format(number.normalize(), "f")

    def choices(self, obj, path, key, allowed, default=()) -> list[str]:
        value = obj.get(key, list(default))
        if value is None:
            value = list(default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, "应为文本列表")
            return list(default)
        bad = [v for v in value if allowed is not None and v not in allowed]
        if bad:
            self.fail(path, f"不认识的取值：{'、'.join(bad)}（可选：{'、'.join(allowed)}）")
        return sorted(set(value) - set(bad))

    def date(self, obj, path, key, *, required=False) -> str | None:
        value = obj.get(key)
        if value in (None, ""):
            if required:
                self.fail(path, "必填")
            return None
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self.fail(path, "应为日期，格式 YYYY-MM-DD")
            return None


def normalize(data: dict) -> dict:
    """The complete definition, or DefinitionError naming every bad field."""
    c = _Checker(data)
    if not isinstance(data, dict):
        raise DefinitionError({"": ["任务定义应为 JSON 对象"]})
    out = {
        "title": c.text(data, "title", "title", required=True),
        "unit": c.text(data, "unit", "unit", required=True),
        "year": c.integer(data, "year", "year", minimum=2000, maximum=2100),
        "batch": c.integer(data, "batch", "batch", default=1, minimum=1, maximum=99),
        "quarter": c.integer(data, "quarter", "quarter", default=None, minimum=1, maximum=4),
        "items": c.choices(data, "items", "items", None),
        "check_date": c.date(data, "check_date", "check_date", required=True),
        "requires_external_entropy": bool(data.get("requires_external_entropy", False)),
    }
    if not out["items"]:
        c.fail("items", "至少选择一个抽查事项")
    window = c.section("window")
    out["window"] = {
        "start": c.date(window, "window.start", "start"),
        "end": c.date(window, "window.end", "end"),
    }
    if (
        out["window"]["start"]
        and out["window"]["end"]
        and out["window"]["end"] < out["window"]["start"]
    ):
        c.fail("window.end", "结束日期不能早于开始日期")
    if out["year"] is None and out["check_date"]:
        out["year"] = int(out["check_date"][:4])
    out["population"] = _population(c, c.section("population"))
    out["sampling"] = _sampling(c, c.section("sampling"))
    out["team"] = _team(c, c.section("team"))
    experts = c.section("experts")
    out["experts"] = {
        "per_target": c.integer(experts, "experts.per_target", "per_target", default=0, maximum=5),
        "field": c.text(experts, "experts.field", "field"),
    }
    if out["experts"]["per_target"] and not out["experts"]["field"]:
        c.fail("experts.field", "抽取专家时须指定专业领域")
    if c.errors:
        raise DefinitionError(c.errors)
    return out


def _population(c: _Checker, p: dict) -> dict:
    return {
        "domains": c.choices(p, "population.domains", "domains", None),
        "districts": c.choices(p, "population.districts", "districts", None),
        "stations": c.choices(p, "population.stations", "stations", None),
        "industries": c.choices(p, "population.industries", "industries", None),
        "key_tiers": c.choices(p, "population.key_tiers", "key_tiers", KEY_TIERS),
        "risk_classes": c.choices(p, "population.risk_classes", "risk_classes", RISK_CLASSES),
        "statuses": c.choices(p, "population.statuses", "statuses", STATUSES, ["active"]),
        "entity_types": c.choices(p, "population.entity_types", "entity_types", ENTITY_TYPES),
    }


def _sampling(c: _Checker, s: dict) -> dict:
    mode = s.get("mode", "ratio")
    if mode not in MODES:
        c.fail("sampling.mode", "应为 ratio（按比例）或 count（按数量）")
    out = {
        "mode": mode,
        "ratio": c.ratio(s.get("ratio"), "sampling.ratio"),
        "count": c.integer(s, "sampling.count", "count", minimum=1),
        "class_ratios": {},
        "stratify_by": c.choices(s, "sampling.stratify_by", "stratify_by", STRATIFY),
        "min_per_stratum": c.integer(s, "sampling.min_per_stratum", "min_per_stratum", default=0),
        "exclude_checked_months": c.integer(
            s, "sampling.exclude_checked_months", "exclude_checked_months", default=0, maximum=120
        ),
    }
    class_ratios = s.get("class_ratios") or {}
    if not isinstance(class_ratios, dict):
        c.fail("sampling.class_ratios", '应为对象，如 {"A": "0.02", "B": "0.05"}')
        class_ratios = {}
    for cls, value in sorted(class_ratios.items()):
        if cls not in RISK_CLASSES:
            c.fail("sampling.class_ratios", f"不认识的风险分类「{cls}」")
        elif (r := c.ratio(value, f"sampling.class_ratios.{cls}")) is not None:
            out["class_ratios"][cls] = r
    if mode == "ratio" and out["ratio"] is None and set(out["class_ratios"]) != set(RISK_CLASSES):
        c.fail("sampling.ratio", "按比例抽取时须填写抽查比例，或为 A、B、C、D 每类填写比例")
    if mode == "count" and out["count"] is None:
        c.fail("sampling.count", "按数量抽取时须填写抽取户数")
    if mode == "count" and out["class_ratios"]:
        c.fail("sampling.class_ratios", "按数量抽取时不能再按风险分类规定比例")
    listed = s.get("listed_class") or ""
    if listed not in ("",) + RISK_CLASSES:
        c.fail("sampling.listed_class", "应为 A、B、C、D 之一，或留空")
        listed = ""
    # Differentiated supervision: entities on the business-abnormal or serious-violation list
    # are drawn as this class (its stratum and ratio) instead of their own.
    out["listed_class"] = listed
    # Differentiated supervision: inspection & testing bodies that missed a proficiency test
    # (能力验证未参加) within the last missed_pt_months (default 12) before the check date are
    # drawn as this class. Written out only when set: definitions without the rule (and the
    # frozen rules of past draws) stay exactly as they were.
    missed = s.get("missed_pt_class") or ""
    if missed not in ("",) + RISK_CLASSES:
        c.fail("sampling.missed_pt_class", "应为 A、B、C、D 之一，或留空")
        missed = ""
    months = c.integer(
        s, "sampling.missed_pt_months", "missed_pt_months", default=12, minimum=1, maximum=60
    )
    if missed:
        out["missed_pt_class"] = missed
        out["missed_pt_months"] = months
    certainty = s.get("certainty") or {}
    if not isinstance(certainty, dict):
        c.fail("sampling.certainty", "应为对象")
        certainty = {}
    out["certainty"] = {
        "key_tiers": c.choices(
            certainty, "sampling.certainty.key_tiers", "key_tiers", ("special", "general")
        ),
        "risk_classes": c.choices(
            certainty, "sampling.certainty.risk_classes", "risk_classes", RISK_CLASSES
        ),
    }
    return out


def _team(c: _Checker, t: dict) -> dict:
    size = t.get("size")
    if isinstance(size, int) and not isinstance(size, bool) and size < 2:
        # Same rule as the minimum below; the message names the law that sets it.
        c.fail("team.size", "每户至少派 2 名执法人员（《中华人民共和国行政处罚法》第四十二条）")
        t = {k: v for k, v in t.items() if k != "size"}
    out = {
        # 行政处罚法 art. 42: at least two inspectors with enforcement certificates
        "size": c.integer(t, "team.size", "size", default=2, minimum=2, maximum=10),
        "skills": c.choices(t, "team.skills", "skills", None),
        "units": c.choices(t, "team.units", "units", None),
        "pool_by": t.get("pool_by", "district"),
        "max_load": c.integer(t, "team.max_load", "max_load", default=None, minimum=1),
        "rotation": bool(t.get("rotation", True)),
    }
    if out["pool_by"] not in POOL_BY:
        c.fail("team.pool_by", "应为 district（检查人员只查本区对象）或 none（不分区）")
    return out


def protocol_rules(definition: dict, cap: str | None) -> dict:
    """What the draw freezes and hashes: the whole definition plus the items' ratio cap."""
    rules = dict(definition)
    rules["sampling"] = dict(definition["sampling"], cap=cap)
    return rules
