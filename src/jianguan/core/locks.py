"""Advisory locks between a long writer that commits in steps and the readers that must see its
work whole (PostgreSQL; elsewhere every write is one transaction and these do nothing)."""

from __future__ import annotations

import contextlib

from django.db import connection

# Credit-risk classes rewritten pass by pass (risk.services.classify) vs. a draw freezing its
# roster (sampling.freeze): a roster never mixes old and new classes.
RISK_CLASSES = 0x6A67_0001


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def exclusive(key: int):
    """Held by this session across its own transactions, until the block ends."""
    if not _postgres():
        yield
        return
    with connection.cursor() as c:
        c.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_unlock(%s)", [key])


def shared_until_commit(key: int) -> None:
    """Wait for an exclusive holder, then keep writers out until this transaction ends."""
    if _postgres():
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_xact_lock_shared(%s)", [key])
