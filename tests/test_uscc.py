"""GB 32100-2015: the unified social credit code and its check character."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jianguan.core import uscc

REAL_CODES = [
    "914403001922038216",  # DOMAIN.md example (Shenzhen)
    "91310000132149237G",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert uscc.validate(code) == code


def test_normalises_spaces_and_lower_case():
    # DOMAIN.md: input with spaces or lower case is normalised, not rejected.
    assert uscc.validate(" 9144 0300 1922 0382 16 ") == "914403001922038216"
    assert uscc.validate("91310000132149237g") == "91310000132149237G"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(uscc.USCCError, match="第18位应为“6”"):
        uscc.validate("914403001922038217")


@pytest.mark.parametrize(
    ("code", "reason"),
    [("", "不能为空"), ("91440300192203821", "18位"), ("91440300192203821I", "非法字符")],
)
def test_malformed_codes(code, reason):
    with pytest.raises(uscc.USCCError, match=reason):
        uscc.validate(code)


def test_one_changed_character_is_caught():
    code = "914403001922038216"
    for i in range(17):
        for c in uscc.ALPHABET:
            if c != code[i]:
                assert not uscc.is_valid(code[:i] + c + code[i + 1 :])


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17))
def test_bulk_agrees_with_scalar(first17):
    good = uscc.compose(first17)
    bad = first17 + uscc.ALPHABET[(uscc.ALPHABET.index(good[-1]) + 1) % 31]
    assert list(uscc.validate_bulk([good, bad, good[:17]])) == [True, False, False]


# GB 32100-2015 §4: the code uses digits and capital letters except I, O, S, V, Z. Each
# variant below replaces the "0" at position 5 of a valid code: with that character read as
# 0 the check character still matches, so only the alphabet check can reject it.
VALID = "914403001922038216"
ILLEGAL = {
    "I": VALID[:4] + "I" + VALID[5:],
    "O": VALID[:4] + "O" + VALID[5:],
    "S": VALID[:4] + "S" + VALID[5:],
    "V": VALID[:4] + "V" + VALID[5:],
    "Z": VALID[:4] + "Z" + VALID[5:],
    "lower-case o": VALID[:4] + "o" + VALID[5:],
    "full-width 0": VALID[:4] + "\uff10" + VALID[5:],
    "full-width O": VALID[:4] + "\uff2f" + VALID[5:],
}


@pytest.mark.parametrize("name", sorted(ILLEGAL))
def test_illegal_characters_are_rejected_scalar_bulk_and_column(name):
    code = ILLEGAL[name]
    with pytest.raises(uscc.USCCError, match="非法字符"):
        uscc.validate(code)
    normalised = uscc.normalise(code)
    # the vectorised mask, alone and amid valid codes (the all-ASCII fast path)
    assert list(uscc.validate_bulk([normalised])) == [False]
    assert list(uscc.validate_bulk([VALID, normalised, VALID])) == [True, False, True]
    values, errors = uscc.check_column([VALID, code, " 9144 0300 1922 0382 16"])
    assert values == [VALID, None, VALID]
    assert [(i, "非法字符" in reason) for i, reason in errors] == [(1, True)]


def test_column_keeps_blanks_for_the_caller():
    assert uscc.check_column(["", VALID], blank="") == (["", VALID], [])
    assert uscc.check_column(["", VALID]) == ([None, VALID], [])
