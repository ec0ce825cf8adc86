"""Appending to the public commitment board, and checking it.

Every entry is written inside the transaction of the step it records (a draw committed, made,
superseded or failed), so the board holds an entry exactly when the step happened. On
PostgreSQL a transaction-scoped advisory lock serialises appenders; `seq` and `hash` are unique,
so a race that slipped through fails instead of forking the chain.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from jianguan.core import audit
from jianguan.core.hashchain import GENESIS, link_hash, normalised

from .models import BEIJING, Entry, beijing_iso

BOARD_LOCK = 0x6A67626F  # "jgbo"


def head() -> tuple[int, str]:
    """(count, hash) of the board: the number of entries and the hash of the last one."""
    return Entry.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS)


@transaction.atomic
def append(
    kind: str,
    *,
    data: dict[str, Any],
    unit: str = "",
    task_id: int | None = None,
    task_title: str = "",
    draw_id: int | None = None,
) -> Entry:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOARD_LOCK])
    seq, prev = head()
    entry = Entry(
        seq=seq + 1,
        prev_hash=prev,
        at=timezone.now(),
        kind=kind,
        unit=unit,
        task_id=task_id,
        task_title=task_title,
        draw_id=draw_id,
        # exactly the JSON the database gives back, so the hash recomputes from the row
        data=normalised(json.loads(json.dumps(data, cls=DjangoJSONEncoder))),
    )
    entry.hash = link_hash(entry.content())
    entry.save()
    return entry


# --- what each step of a draw puts on the board -------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    return beijing_iso(moment) if moment else None


def _append_for(draw, kind: str, data: dict[str, Any]) -> Entry:
    task = draw.task
    return append(
        kind,
        data={"number": draw.number, "commitment": draw.commitment, **data},
        unit=str(task.unit),
        task_id=task.pk,
        task_title=task.title,
        draw_id=draw.pk,
    )


def _roster_digests(draw) -> dict[str, str]:
    return {k: v for k, v in (draw.digests or {}).items() if k != "result"}


def commitment_made(draw) -> Entry:
    """Before any randomness exists: the commitment, what it binds, and which public value will
    be the entropy."""
    return _append_for(
        draw,
        Entry.Kind.COMMITMENT,
        {
            "committed_at": _iso(draw.committed_at),
            "requires_entropy": bool(draw.requires_entropy),
            "entropy_declaration": getattr(draw, "entropy_declaration", None) or None,
            "digests": _roster_digests(draw),
            "redraw_of": draw.redraw_of_id,
            "redraw_reason": draw.redraw_reason,
        },
    )


def draw_made(draw) -> Entry:
    """The draw is made. Neither the secret nor the seed goes on the board before the results are
    published: with them and the (public) register anyone could tell which entities are about to
    be inspected. The result digest binds the result now; the proof reveals the rest."""
    return _append_for(
        draw,
        Entry.Kind.DRAWN,
        {
            "external_entropy": draw.external_entropy or None,
            "entropy_entered_at": _iso(getattr(draw, "entropy_entered_at", None)),
            "drawn_at": _iso(draw.drawn_at),
            "result_digest": (draw.digests or {}).get("result"),
            "selected": (draw.counts or {}).get("selected"),
        },
    )


def draw_superseded(draw) -> Entry:
    new = draw.redrawn_by
    return _append_for(
        draw,
        Entry.Kind.SUPERSEDED,
        {
            "redrawn_by": new.pk if new else None,
            "redrawn_by_number": new.number if new else None,
            "reason": new.redraw_reason if new else "",
        },
    )


def draw_failed(draw) -> Entry:
    """An infeasible draw reveals its secret and the rosters' digests, so that anyone given the
    rosters can recompute that the failure was real. Which entities could not be staffed is not
    published (they are the would-be targets); only how many."""
    return _append_for(
        draw,
        Entry.Kind.INFEASIBLE,
        {
            "secret": draw.secret,
            "external_entropy": draw.external_entropy or None,
            "digests": _roster_digests(draw),
            "unstaffed": len(draw.unstaffed or {}),
        },
    )


# --- the audit log's head -----------------------------------------------------------------------


def publish_audit_head(*, today: dt.date | None = None) -> tuple[Entry, bool]:
    """Put the audit chain's head on the board once a (Beijing) day: (entry, newly published)."""
    today = today or timezone.now().astimezone(BEIJING).date()
    with transaction.atomic():
        existing = Entry.objects.filter(kind=Entry.Kind.AUDIT_HEAD, data__date=today.isoformat())
        if found := existing.first():
            return found, False
        count, hash_ = audit.head()
        entry = append(
            Entry.Kind.AUDIT_HEAD, data={"date": today.isoformat(), "count": count, "hash": hash_}
        )
    return entry, True


# --- checking -----------------------------------------------------------------------------------


def verify() -> tuple[int, str | None]:
    """Walk the board from entry 1: (entries checked, the first problem in Chinese or None).
    Also checks every published audit head against the audit log at that position."""
    from jianguan.core.models import AuditEvent

    prev, expected = GENESIS, 1
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        where = f"公示板第 {entry.seq} 条（{entry.get_kind_display()}）"
        if entry.seq != expected:
            return expected - 1, f"{where}：应为第 {expected} 条，中间的条目缺失"
        if entry.prev_hash != prev:
            return expected - 1, f"{where}：所记前一条目哈希与链不符"
        if link_hash(entry.content()) != entry.hash:
            return expected - 1, f"{where}：内容与其哈希不符（条目被改动）"
        if entry.kind == Entry.Kind.AUDIT_HEAD:
            at = AuditEvent.objects.filter(seq=entry.data.get("count")).values_list("hash")
            if entry.data.get("count") and at.first() != (entry.data.get("hash"),):
                return expected - 1, (
                    f"{where}：公布的审计日志链头（第 {entry.data.get('count')} 条事件）"
                    "与审计日志不符，审计日志在公布后被改写或删除"
                )
        prev, expected = entry.hash, expected + 1
    return expected - 1, None
