"""URL path converters. `<id:pk>` is the one way a page's address names a row."""

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


def register() -> None:
    register_converter(IdConverter, "id")
