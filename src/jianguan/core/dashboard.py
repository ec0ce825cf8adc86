"""The home page's numbers, each contributed by the app that owns the data.

Core knows no domain app: an app registers its counters in its `AppConfig.ready`, and the home
page merges what the installed apps give. Two kinds:

- `counts`: figures about the caller's jurisdiction, cached per jurisdiction for a minute
  (counting millions of rows on every visit would be the slowest thing on the page);
- `todo`: the caller's own waiting work, never cached (it changes with each record confirmed).

Each counter is `fn(user) -> dict` of template keys; keys must not collide between apps.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone

Counter = Callable[[object], dict]

COUNTS_TTL = 60  # seconds
_counts: list[Counter] = []
_todo: list[Counter] = []


def register(*, counts: Counter | None = None, todo: Counter | None = None) -> None:
    """Called from an app's `ready()`; registering the same function twice has no effect."""
    for table, fn in ((_counts, counts), (_todo, todo)):
        if fn is not None and fn not in table:
            table.append(fn)


def _merge(table: list[Counter], user) -> dict:
    out: dict = {}
    for fn in table:
        part = fn(user)
        if clash := out.keys() & part.keys():
            raise RuntimeError(f"dashboard keys registered twice: {sorted(clash)}")
        out.update(part)
    return out


def counts(user) -> dict:
    """Counts the user may see, cached per jurisdiction (the same numbers for everyone in it)."""
    if user.is_superuser:
        key = "home:superuser"
    else:
        key = f"home:{user.role}:{user.scope_level}:{user.unit_id}"
    value = cache.get(key)
    if value is None:
        value = _merge(_counts, user) | {"at": timezone.localtime()}
        cache.set(key, value, COUNTS_TTL)
    return value


def todo(user) -> dict:
    return _merge(_todo, user)
