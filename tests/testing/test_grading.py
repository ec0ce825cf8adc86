"""Credit grades A–D of testing bodies from an indicator system with veto items (seed 001
§三(四)1: 法律法规、技术要求、管理要求、责任要求、否决项; A, B, C, D)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jianguan.testing import grading as g

MODEL = g.Model(
    indicators=[
        g.Indicator("T1", "pt_unsatisfactory", 10, 30),
        g.Indicator("M1", "check_problems", 5, 20),
    ],
    thresholds={"A": 90, "B": 75, "C": 60},
    vetoes=[g.Veto("V1", "false_report", 1), g.Veto("V2", "false_commitment", 1)],
)


def feats(**cols):
    n = len(next(iter(cols.values())))
    base = {k: np.zeros(n, dtype=np.int64) for k in g.FEATURES}
    return base | {k: np.array(v, dtype=np.int64) for k, v in cols.items()}


def test_score_is_100_minus_capped_deductions_and_grades_by_threshold():
    r = g.grade(MODEL, feats(pt_unsatisfactory=[0, 1, 2, 9], check_problems=[0, 0, 1, 9]))
    assert r.score.tolist() == [100.0, 90.0, 75.0, 50.0]  # caps 30 and 20
    assert r.grades().tolist() == ["A", "A", "B", "D"]


def test_a_veto_item_forces_d_whatever_the_score():
    r = g.grade(MODEL, feats(false_report=[1, 0], false_commitment=[0, 2]))
    assert r.score.tolist() == [100.0, 100.0]
    assert r.grades().tolist() == ["D", "D"]
    assert [MODEL.vetoes[i].code for i in r.veto.tolist()] == ["V1", "V2"]
    assert g.explanation(MODEL, r, 0) == [["veto", "V1"]]


def test_explanation_lists_deductions_largest_first():
    r = g.grade(MODEL, feats(pt_unsatisfactory=[1], check_problems=[3]))
    assert g.explanation(MODEL, r, 0) == [["M1", 15.0], ["T1", 10.0]]


def test_thresholds_must_descend():
    bad = g.Model(MODEL.indicators, {"A": 60, "B": 75, "C": 90})
    try:
        g.grade(bad, feats(check_problems=[0]))
    except g.GradingError as e:
        assert "A ≥ B ≥ C" in str(e)
    else:
        raise AssertionError("thresholds out of order were accepted")


counts = st.lists(st.integers(0, 6), min_size=5, max_size=5)


@settings(max_examples=50)
@given(st.lists(counts, min_size=1, max_size=30))
def test_vectorised_equals_the_row_loop(rows):
    names = ["pt_unsatisfactory", "check_problems", "false_report", "false_commitment", "penalties"]
    cols = {n: [r[j] for r in rows] for j, n in enumerate(names)}
    r = g.grade(MODEL, feats(**cols))
    for i in range(len(rows)):
        row = dict.fromkeys(g.FEATURES, 0) | {n: cols[n][i] for n in names}
        score, grade, veto = g.grade_row(MODEL, row)
        assert (score, grade) == (r.score[i], r.grades()[i])
        assert veto == (MODEL.vetoes[r.veto[i]].code if r.veto[i] >= 0 else "")
