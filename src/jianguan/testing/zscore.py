"""Proficiency-test grading (能力验证评定): pure Python, no Django, no database.

ISO 13528 / CNAS-GL002: z = (x − X) / σ̂, with x the body's result, X the assigned value and
σ̂ the standard deviation for proficiency assessment. The grade comes from the unrounded z
(seed 001 §三(三)1; DOMAIN.md):

    满意 satisfactory      |z| ≤ 2.0
    可疑 questionable      2.0 < |z| < 3.0
    不满意 unsatisfactory   |z| ≥ 3.0

Exactly, with no division: the values are decimals as typed, and |z| ≤ 2 is |x − X| ≤ 2σ̂ in
decimal arithmetic, so a z of exactly 2 or 3 is never pushed across a boundary by binary
floating point (0.6 / 0.3 is 1.9999999999999996 in floats). z itself is shown to 2 decimals,
half away from zero; the grade never reads that rounded figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

SATISFACTORY, QUESTIONABLE, UNSATISFACTORY = "satisfactory", "questionable", "unsatisfactory"
LABELS = {SATISFACTORY: "满意", QUESTIONABLE: "可疑", UNSATISFACTORY: "不满意"}
TWO, THREE = Decimal(2), Decimal(3)
CENT = Decimal("0.01")


class GradeError(ValueError):
    """Values that cannot be graded (message in Chinese)."""


def number(text: str | Decimal | int) -> Decimal:
    """A finite decimal from a cell or a field; GradeError otherwise."""
    try:
        value = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise GradeError(f"应为数字，实际为“{text}”") from None
    if not value.is_finite():
        raise GradeError(f"应为有限的数字，实际为“{text}”")
    return value


def grade(x: Decimal, assigned: Decimal, sigma: Decimal) -> str:
    """The grade of one result from the exact |x − X| against 2σ̂ and 3σ̂."""
    if sigma <= 0:
        raise GradeError("能力评定标准差应大于0")
    with localcontext() as ctx:
        ctx.prec = 60  # exact for any decimals a laboratory reports
        deviation = abs(x - assigned)
        if deviation <= TWO * sigma:
            return SATISFACTORY
        if deviation < THREE * sigma:
            return QUESTIONABLE
        return UNSATISFACTORY


def z_value(x: Decimal, assigned: Decimal, sigma: Decimal) -> Decimal:
    """z to 28 significant digits (for storage and for display after rounding)."""
    if sigma <= 0:
        raise GradeError("能力评定标准差应大于0")
    with localcontext() as ctx:
        ctx.prec = 28
        return (x - assigned) / sigma


Z_PLACES = Decimal("1e-12")  # as stored (testing.PTResult.z)


def z_stored(x: Decimal, assigned: Decimal, sigma: Decimal) -> Decimal:
    """z to 12 decimals, as the database keeps it (display and export only; grades never
    read it)."""
    return z_value(x, assigned, sigma).quantize(Z_PLACES, rounding=ROUND_HALF_UP)


def z_text(z: Decimal) -> str:
    """z to 2 decimals, half away from zero: 2.005 → "2.01", -2.005 → "-2.01"."""
    return str(z.quantize(CENT, rounding=ROUND_HALF_UP))
