"""Small fixed code lists stored as bit masks (domains of an entity, fields of a testing body).

A mask is one integer column: cheap to COPY, to index and to load into numpy for the draw.
Bits are stable: never renumber a code, only add.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet


class FlagSet:
    def __init__(self, items: Iterable[tuple[int, str, str]]):
        self.items = [(bit, code, label) for bit, code, label in items]
        self.by_code = {code: 1 << bit for bit, code, _ in self.items}
        self.by_label = {label: 1 << bit for bit, _, label in self.items}
        self.choices = [(code, label) for _, code, label in self.items]

    def mask(self, codes: Iterable[str]) -> int:
        return sum({self.by_code[c] for c in codes})

    def codes(self, mask: int) -> list[str]:
        return [code for bit, code, _ in self.items if mask & (1 << bit)]

    def labels(self, mask: int) -> list[str]:
        return [label for bit, _, label in self.items if mask & (1 << bit)]

    def parse(self, text: str) -> tuple[int, list[str]]:
        """Parse '食品；药品' (labels or codes, separated by ；;、,) -> (mask, unknown parts)."""
        mask, unknown = 0, []
        for part in _split(text):
            bit = self.by_label.get(part) or self.by_code.get(part)
            if bit is None:
                unknown.append(part)
            else:
                mask |= bit
        return mask, unknown

    def format(self, mask: int) -> str:
        return "；".join(self.labels(mask))

    def filter(self, qs: QuerySet, field: str, codes: Iterable[str]) -> QuerySet:
        """Rows whose mask has any of the given codes."""
        wanted = self.mask(codes)
        if not wanted:
            return qs
        return qs.alias(**{f"_{field}_hit": F(field).bitand(wanted)}).filter(
            **{f"_{field}_hit__gt": 0}
        )


def _split(text: str) -> list[str]:
    for sep in ("；", "、", ",", "，"):
        text = text.replace(sep, ";")
    return [p.strip() for p in text.split(";") if p.strip()]
