"""Facts held by apps above the draw that change the class an entity is drawn as (差异化监管).

The draw must not import those apps (they read the draw's own tables: the testing reports count
drawn bodies), so each one registers its condition here in its `AppConfig.ready`:
`fn(since, day) -> Q` over `registry.Entity`, true for entities with such a fact in
(since, day]. Conditions:

- "missed_pt": the inspection & testing body missed a proficiency test (能力验证未参加),
  registered by `testing`.

A condition nobody registered matches no entity (its app is not installed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q

Condition = Callable[[dt.date, dt.date], Q]
_conditions: dict[str, Condition] = {}


def register(name: str, fn: Condition) -> None:
    _conditions[name] = fn


def matching(name: str, since: dt.date, day: dt.date) -> Q:
    fn = _conditions.get(name)
    return fn(since, day) if fn is not None else Q(pk__in=[])
