"""The pure scoring core (risk.scoring): no database."""

from __future__ import annotations

import json

import numpy as np

from jianguan.risk import scoring

MODEL = scoring.Model(
    indicators=[
        scoring.Indicator(
            "age", "age_years", {"type": "bins", "bins": [[1, 12], [3, 8]], "else": 0, "missing": 6}
        ),
        scoring.Indicator(
            "type", "entity_type", {"type": "map", "map": {"individual": 4}, "default": 2}
        ),
        scoring.Indicator("dom", "domains", {"type": "mask", "bits": {0: 10, 1: 16}}, 1.0),
        scoring.Indicator("serious", "serious_active", {"type": "flag", "points": 40}),
        scoring.Indicator(
            "findings",
            "problem_findings_3y",
            {"type": "bins", "bins": [[1, 0], [2, 15]], "else": 35},
            0.5,
        ),
    ],
    cuts={"B": 10, "C": 20, "D": 60},
    vetoes=[scoring.Veto("serious_listed", "serious_active", "==", True)],
    adjustments=[scoring.Adjustment("drug", 1, extra=4, multipliers={"findings": 1.5})],
)


def features(n=6):
    return scoring.Features(
        {
            "age_years": np.array([0.5, 2.0, 5.0, np.nan, 20.0, 4.0][:n]),
            "entity_type": np.array(
                ["individual", "enterprise", "enterprise", "other", "individual", "enterprise"][:n]
            ),
            "domains": np.array([0, 1, 2, 3, 0, 0][:n], dtype=np.int64),
            "serious_active": np.array([False, False, False, False, True, False][:n]),
            "problem_findings_3y": np.array([0, 1, 2, 0, 0, 5][:n], dtype=np.float64),
        }
    )


def test_veto_forces_class_d_whatever_the_score():
    """Issue 5 item 1 / DOMAIN.md: veto items (否决项) force class D.

    Entity 4 scores 4 + 2 + 40 = 46 (< the D cut of 60) but is on the serious-violation list."""
    result = scoring.score(MODEL, features())
    assert result.score[4] < 60
    assert result.classes()[4] == "D"
    assert result.veto[4] == 0
    assert (result.veto[np.arange(6) != 4] == -1).all()
    text = scoring.explanations(MODEL, result)[4]
    assert json.loads(text)["v"] == "serious_listed"


def test_scores_classes_and_domain_adjustment():
    result = scoring.score(MODEL, features())
    # entity 1: age 2 → 8, enterprise 2, food bit 0 → 10, findings 1 → 15 × 0.5 = 7.5
    assert result.score[1] == 27.5 and result.classes()[1] == "C"
    # entity 2: drug (bit 1): 16 + extra 4; findings 2 → 35 × 0.5 × 1.5 = 26.25; age 5 → 0; 2
    assert result.score[2] == 48.25
    # entity 3: age unknown → 6; other → 2; food+drug → max 16; drug extra 4
    assert result.score[3] == 28.0
    assert result.counts() == {"A": 0, "B": 2, "C": 3, "D": 1}


def test_explanation_sums_to_the_score():
    """Every contribution is kept, so they add up to the score exactly; the top 3 are the
    largest by size."""
    rng = np.random.default_rng(3)
    n = 5000
    feats = scoring.Features(
        {
            "age_years": rng.exponential(6, n),
            "entity_type": rng.choice(["enterprise", "individual", "other"], n),
            "domains": rng.integers(0, 4, n).astype(np.int64),
            "serious_active": rng.random(n) < 0.01,
            "problem_findings_3y": rng.poisson(0.4, n).astype(np.float64),
        }
    )
    result = scoring.score(MODEL, feats)
    assert np.allclose(result.contributions.sum(axis=1), result.score, atol=1e-6)
    idx, val = result.top(3)
    assert (np.abs(val[:, 0]) >= np.abs(val[:, 1])).all()
    assert (np.abs(val[:, 1]) >= np.abs(val[:, 2])).all()
    texts = scoring.explanations(MODEL, result)
    for i in rng.choice(n, 50, replace=False).tolist():
        top = json.loads(texts[i])["t"]
        assert len(top) <= 3
        shown = sum(p for _t, p in top)
        rest = result.score[i] - shown
        # what is not shown is made of contributions no larger than the smallest shown one
        others = sorted(np.abs(result.contributions[i]))[:-3]
        assert abs(rest) <= sum(others) + 1e-6


def test_vectorised_core_matches_the_row_loop():
    feats = features()
    result = scoring.score(MODEL, feats)
    for i in range(len(feats)):
        row = {k: v[i] for k, v in feats.columns.items()}
        total, klass = scoring.score_row(MODEL, row)
        assert abs(total - result.score[i]) < 1e-6
        assert klass == result.classes()[i]


def test_rules_are_validated():
    import pytest

    with pytest.raises(scoring.RuleError):
        scoring.validate_rule("age_years", {"type": "flag", "points": 1})
    with pytest.raises(scoring.RuleError):
        scoring.validate_rule("nope", {"type": "flag"})
    with pytest.raises(scoring.RuleError):
        scoring.validate_rule("age_years", {"type": "bins", "bins": [[5, 1], [2, 3]]})
