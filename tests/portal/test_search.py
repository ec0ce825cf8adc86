"""The portal's one search box: a credit code or a part of a name (pure logic, no database)."""

from jianguan.core import uscc
from jianguan.portal.selectors import parse_query

CODE = uscc.compose("91310101MA1FPX123")


def test_code_with_spaces_and_lower_case_is_a_code():
    """DOMAIN.md: spaces and lower case in a USCC are normalised, not rejected."""
    typed = " " + CODE[:6].lower() + " " + CODE[6:12] + "  " + CODE[12:].lower()
    q = parse_query(typed)
    assert (q.kind, q.value) == ("uscc", CODE)


def test_wrong_check_character_names_the_expected_one():
    """GB 32100-2015: the 18th character is a check character; the visitor is told which."""
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    q = parse_query(wrong)
    assert q.kind == "error"
    assert "校验位错误" in q.error and f"应为“{CODE[17]}”" in q.error


def test_code_of_wrong_length_is_told_its_length():
    """A code of the wrong length: the message says how long it is (core/uscc.py)."""
    q = parse_query(CODE[:17])
    assert q.kind == "error" and "应为18位，实际为17位" in q.error


def test_short_name_asks_for_more():
    """A one-character name would match most of the roster: the visitor is asked for more."""
    q = parse_query("食")
    assert q.kind == "error" and "至少输入2个字" in q.error


def test_name_part_and_empty():
    """Anything else is a part of a name; an empty box is no search."""
    assert parse_query("  黄浦食品 ").value == "黄浦食品"
    assert parse_query("黄浦食品").kind == "name"
    assert parse_query("   ").kind == "empty"
