"""Unified social credit code (统一社会信用代码, GB 32100-2015). Pure Python, no Django.

18 characters from ALPHABET: 1 registration authority, 2 entity category, 3-8 GB/T 2260 region,
9-17 organisation identifier (GB 11714), 18 check character computed from the first 17.
"""

from __future__ import annotations

import numpy as np

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


class USCCError(ValueError):
    """A code that is not a valid USCC; the message is for the user (Chinese)."""


def normalise(raw: str) -> str:
    """Spaces anywhere and lower case are normalised, not rejected."""
    return "".join(str(raw).split()).upper()


def check_char(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    """Return the normalised code or raise USCCError saying what is wrong."""
    code = normalise(raw)
    if not code:
        raise USCCError("统一社会信用代码不能为空")
    if len(code) != 18:
        raise USCCError(f"统一社会信用代码应为18位，实际为{len(code)}位")
    bad = [c for c in code if c not in _VALUE]
    if bad:
        raise USCCError(f"统一社会信用代码含非法字符“{bad[0]}”（不得使用 I、O、S、V、Z）")
    expected = check_char(code[:17])
    if code[17] != expected:
        raise USCCError(f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except USCCError:
        return False
    return True


# Vectorised forms, for imports and demo data at millions of rows.
_LUT = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(ALPHABET):
    _LUT[ord(_c)] = _i
_W = np.array(WEIGHTS, dtype=np.int64)
_ALPHA_BYTES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)


def _as_matrix(codes: np.ndarray) -> np.ndarray:
    """View an array of 18-byte ASCII strings ('S18') as an (n, 18) uint8 matrix."""
    return np.ascontiguousarray(codes, dtype="S18").view(np.uint8).reshape(-1, 18)


def check_chars_bulk(first17: np.ndarray) -> np.ndarray:
    """Check characters (as uint8 ASCII) for an (n, 17) matrix of alphabet indices."""
    totals = first17.astype(np.int64) @ _W
    return _ALPHA_BYTES[(31 - totals % 31) % 31]


def validate_bulk(codes: list[str]) -> np.ndarray:
    """Boolean mask of the codes (already normalised) that are valid; same rule as validate():
    18 characters of ALPHABET (never I, O, S, V, Z, lower case or full-width) and the check
    character."""
    n = len(codes)
    joined = "".join(codes)
    if len(joined) == 18 * n and joined.isascii() and set(map(len, codes)) <= {18}:
        # The usual column: every code 18 ASCII characters, one byte matrix for all of them.
        mat = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(n, 18)
        ok = np.ones(n, dtype=bool)
    else:
        ok = np.fromiter((len(c) == 18 and c.isascii() for c in codes), dtype=bool, count=n)
        mat = np.zeros((n, 18), dtype=np.uint8)
        if ok.any():
            mat[ok] = _as_matrix(
                np.array([c for c, good in zip(codes, ok, strict=True) if good], dtype="S18")
            )
    values = _LUT[mat]
    ok &= (values >= 0).all(axis=1)  # a character outside the alphabet
    ok &= check_chars_bulk(np.maximum(values[:, :17], 0)) == mat[:, 17]
    return ok


def check_column(values: list[str], blank: str | None = None) -> tuple[list, list[tuple[int, str]]]:
    """A file's column of codes: (normalised codes, errors as (index, Chinese reason)).

    Valid codes come back normalised; an invalid one becomes None with the reason validate()
    gives; an empty cell becomes `blank` without an error (whether it is required is the
    caller's rule). Vectorised: a million codes take well under a second."""
    joined = "".join(values)
    if joined.upper() != joined:
        values = [v.upper() for v in values]
        joined = joined.upper()
    if " " in joined or not joined.isprintable():
        values = [normalise(v) for v in values]
    ok = validate_bulk(values)
    if ok.all():
        return values, []
    codes: list = list(values)
    errors: list[tuple[int, str]] = []
    for i in (~ok).nonzero()[0].tolist():
        if not codes[i]:
            codes[i] = blank
            continue
        try:
            codes[i] = validate(codes[i])
        except USCCError as e:
            errors.append((i, str(e)))
            codes[i] = None
    return codes, errors


def compose(first17: str) -> str:
    """The full code for 17 given characters (used by demo data and tests)."""
    return first17 + check_char(first17)
