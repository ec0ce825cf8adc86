"""URL path converters. `<id:pk>` is the one way a page's address names a row; `<text:code>` the
one way it carries a code, a kind or a file name."""

from __future__ import annotations

from django.urls import register_converter

# Largest value of a 64-bit primary key; Django's <id:> would pass a longer number on to the
# database, where SQLite overflows (a 500). Beyond it no row can exist: the address is a 404.
MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError("not a row id")  # the pattern does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class TextConverter:
    """A path segment without control characters, at most 200 long. Django's <str:> passes a NUL
    byte on to the database, where PostgreSQL refuses it (a 500); here the address is a 404."""

    regex = "[^/\x00-\x1f\x7f]{1,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(TextConverter, "text")
