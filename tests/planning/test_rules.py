"""The task definition document (planning.rules.normalize): one JSON for form, API and run_draw.

Rules checked (DOMAIN.md "Double random, one public"; docs/draw-protocol.md):
- every default is written out, so the frozen rules of a draw say everything it depended on;
- ratios are fractions in (0, 1], kept exactly as decimal text;
- at least two inspectors per check (《行政处罚法》第四十二条);
- count mode needs a count; ratio mode needs a ratio or one per risk class (A–D);
- every bad field is reported under its path, in Chinese.
"""

from __future__ import annotations

import pytest

from jianguan.planning.rules import DefinitionError, normalize, protocol_rules

BASE = {
    "title": "2026年食品经营者抽查",
    "unit": "310101",
    "items": ["SH-SC-002"],
    "check_date": "2026-05-20",
    "sampling": {"ratio": "0.05"},
}


def errors_of(**over) -> dict[str, list[str]]:
    data = {**BASE, **over}
    with pytest.raises(DefinitionError) as exc:
        normalize(data)
    return exc.value.errors


def test_defaults_are_written_out():
    d = normalize(BASE)
    assert d["year"] == 2026  # from the check date
    assert d["batch"] == 1 and d["quarter"] is None
    assert d["window"] == {"start": None, "end": None}
    assert d["population"]["statuses"] == ["active"]
    assert d["population"]["domains"] == []
    assert d["sampling"]["mode"] == "ratio"
    assert d["sampling"]["ratio"] == "0.05"
    assert d["sampling"]["certainty"] == {"key_tiers": [], "risk_classes": []}
    assert d["team"] == {
        "size": 2,
        "skills": [],
        "units": [],
        "pool_by": "district",
        "max_load": None,
        "rotation": True,
    }
    assert d["experts"] == {"per_target": 0, "field": ""}
    assert d["requires_external_entropy"] is False
    # Normalizing twice changes nothing: the stored form is a fixed point.
    assert normalize(d) == d


def test_ratio_is_exact_decimal_text():
    d = normalize({**BASE, "sampling": {"ratio": 0.1, "class_ratios": {"D": "1.00"}}})
    assert d["sampling"]["ratio"] == "0.1"
    assert d["sampling"]["class_ratios"] == {"D": "1"}


@pytest.mark.parametrize("ratio", ["0", "1.5", "-0.1", "abc", "NaN", "Infinity"])
def test_bad_ratio_is_refused(ratio):
    errors = errors_of(sampling={"ratio": ratio})
    assert "sampling.ratio" in errors
    assert any("0.05 表示 5%" in m for m in errors["sampling.ratio"])


@pytest.mark.parametrize("size", [0, 1])
def test_team_of_fewer_than_two_is_refused(size):
    """《中华人民共和国行政处罚法》第四十二条: no fewer than two enforcement officers."""
    errors = errors_of(team={"size": size})
    assert errors == {"team.size": [errors["team.size"][0]]}
    assert "行政处罚法" in errors["team.size"][0] and "第四十二条" in errors["team.size"][0]


def test_team_size_above_ten_is_refused():
    assert "team.size" in errors_of(team={"size": 11})


def test_count_mode_needs_a_count():
    errors = errors_of(sampling={"mode": "count"})
    assert "按数量抽取时须填写抽取户数" in errors["sampling.count"]


def test_count_mode_refuses_class_ratios():
    errors = errors_of(sampling={"mode": "count", "count": 10, "class_ratios": {"A": "0.1"}})
    assert "sampling.class_ratios" in errors


def test_ratio_mode_needs_a_ratio_or_all_four_classes():
    assert "sampling.ratio" in errors_of(sampling={"class_ratios": {"A": "0.02", "B": "0.05"}})
    d = normalize(
        {
            **BASE,
            "sampling": {"class_ratios": {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}},
        }
    )
    assert d["sampling"]["ratio"] is None
    assert d["sampling"]["class_ratios"] == {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}


def test_unknown_risk_class_is_refused():
    errors = errors_of(sampling={"ratio": "0.05", "class_ratios": {"E": "0.1"}})
    assert any("E" in m for m in errors["sampling.class_ratios"])
    errors = errors_of(population={"risk_classes": ["A", "X"]})
    assert any("X" in m for m in errors["population.risk_classes"])


def test_unknown_mode_and_pool_are_refused():
    assert "sampling.mode" in errors_of(sampling={"mode": "all", "ratio": "0.1"})
    assert "team.pool_by" in errors_of(team={"pool_by": "city"})


def test_required_fields_and_every_error_at_once():
    with pytest.raises(DefinitionError) as exc:
        normalize({"sampling": {"ratio": "2"}, "team": {"size": 1}})
    errors = exc.value.errors
    assert {"title", "unit", "items", "check_date", "sampling.ratio", "team.size"} <= set(errors)


def test_window_end_not_before_start_and_dates_checked():
    assert "window.end" in errors_of(window={"start": "2026-06-30", "end": "2026-06-01"})
    assert "check_date" in errors_of(check_date="2026-02-30")


def test_experts_need_a_field():
    assert "experts.field" in errors_of(experts={"per_target": 1})
    assert "experts.per_target" in errors_of(experts={"per_target": 6, "field": "food"})


def test_not_an_object():
    with pytest.raises(DefinitionError) as exc:
        normalize(["not", "an", "object"])
    assert "" in exc.value.errors


def test_protocol_rules_adds_the_cap():
    d = normalize(BASE)
    rules = protocol_rules(d, "0.02")
    assert rules["sampling"]["cap"] == "0.02"
    assert "cap" not in d["sampling"]  # the definition itself is not changed
