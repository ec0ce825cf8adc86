"""Append-only hash chains: the canonical serialisation and the link hash (no Django).

Both the audit log and the public commitment board are chains of this form: entry n carries
the hash of entry n-1 (`GENESIS` for the first), and its own hash is SHA-256 over the canonical
JSON of its content including that previous hash. Changing, removing or reordering any entry
changes every hash after it, so a head (hash, count) saved by anyone pins the whole history.

Canonical JSON (docs/draw-protocol.md, "The public commitment board"): UTF-8, keys sorted by
code point, no whitespace (separators "," and ":"), non-ASCII characters written as themselves
(not \\u escapes), a float with an integral value written as an integer (PostgreSQL's jsonb gives
back 1e20 as 100000000000000000000; the hash must not depend on the database).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def normalised(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): normalised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalised(v) for v in value]
    return str(value)  # lazy translation strings and the like: their text


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(
        normalised(content), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def link_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()
