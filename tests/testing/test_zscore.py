"""Grading proficiency-test results (seed 001 §三(三)1; ISO 13528 / CNAS-GL002):
z = (x − X) / σ̂ and the grade from the unrounded z: 满意 |z| ≤ 2.0; 可疑 2.0 < |z| < 3.0;
不满意 |z| ≥ 3.0."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jianguan.testing import zscore


@pytest.mark.parametrize(
    "x, assigned, sigma, expected",
    [
        ("12", "10", "1", "satisfactory"),  # z = 2.0 exactly: 满意
        ("8", "10", "1", "satisfactory"),  # z = -2.0: 满意 alike
        ("13", "10", "1", "unsatisfactory"),  # z = 3.0 exactly: 不满意
        ("7", "10", "1", "unsatisfactory"),  # z = -3.0: 不满意 alike
        ("12.0001", "10", "1", "questionable"),  # just above 2: 可疑
        ("7.0001", "10", "1", "questionable"),  # just inside -3: 可疑
        ("12.9999", "10", "1", "questionable"),
        ("10", "10", "1", "satisfactory"),
        # 0.6 / 0.3 is 1.9999999999999996 in binary floats and 0.9/0.3 is 3.0000000000000004:
        # the decimal comparison keeps both exactly on their boundary.
        ("10.6", "10.0", "0.3", "satisfactory"),
        ("10.9", "10.0", "0.3", "unsatisfactory"),
        ("9.1", "10.0", "0.3", "unsatisfactory"),
    ],
)
def test_boundaries_are_graded_from_the_unrounded_z(x, assigned, sigma, expected):
    assert zscore.grade(D(x), D(assigned), D(sigma)) == expected


def test_a_z_that_rounds_to_two_is_still_questionable():
    # z = 2.004 shows as 2.00 but is above 2.0: the grade reads the unrounded z.
    z = zscore.z_value(D("12.004"), D("10"), D("1"))
    assert zscore.z_text(z) == "2.00"
    assert zscore.grade(D("12.004"), D("10"), D("1")) == "questionable"


def test_z_shown_to_two_decimals_half_away_from_zero():
    assert zscore.z_text(D("2.005")) == "2.01"
    assert zscore.z_text(D("-2.005")) == "-2.01"
    assert zscore.z_text(zscore.z_value(D("10.6"), D("10.0"), D("0.3"))) == "2.00"


def test_sigma_must_be_positive():
    with pytest.raises(zscore.GradeError, match="标准差应大于0"):
        zscore.grade(D("1"), D("1"), D("0"))


def test_number_refuses_non_finite_and_text():
    for text in ("abc", "NaN", "Infinity", ""):
        with pytest.raises(zscore.GradeError):
            zscore.number(text)


decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False)


@given(decimals, decimals, st.decimals(min_value="0.0001", max_value=10**4, places=4))
def test_grade_agrees_with_exact_rational_z(x, assigned, sigma):
    z = abs(Fraction(x) - Fraction(assigned)) / Fraction(sigma)
    expected = "satisfactory" if z <= 2 else "questionable" if z < 3 else "unsatisfactory"
    assert zscore.grade(x, assigned, sigma) == expected
