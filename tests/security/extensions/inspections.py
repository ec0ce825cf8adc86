"""Access declarations of inspections (检查实施): the inspector's pages, records, evidence,
follow-ups and /api/inspections.

Two ways in: jurisdiction (restrict) to see a record, team membership to write it
("谁检查、谁录入"). In the world, the station caller (acc-station) is linked as the Inspector of
a team member of `inspection_visit` (a visit of drawn_draw, not yet recorded): it may record
there; every other caller who may see the visit gets 403 on a write, the rest 404.
`confirmed_visit` is another visit of the same draw, recorded with a problem (0201, 责令限期改正),
with a photo as evidence, and confirmed by two other members: it gives `evidence` and
`follow_up` (the entity's station S01 follows it up).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

from django.conf import settings
from tests.security.access_rules import (
    API_LIST,
    API_STATION_OBJECT,
    LIST,
    STATION_OBJECT,
    E,
    action,
    api,
    form,
    page,
)

# Only the team member may write; who may see the visit but is not on its team gets 403.
MEMBER_FORM = E("login  ok     403    404    403    404    403")
MEMBER_ACTION = E("login  bounce 403    404    403    404    403")
# A follow-up is re-checked by the inspectors of the entity's station and by who may change its
# district (谁管辖、谁负责); read-only callers get 403.
RECHECK = E("login  ok     ok     404    ok     404    403")

RULES = {
    # Scoped lists: every signed-in caller gets one (empty where nothing is in reach).
    "inspections:inspection_list": page(LIST),
    "inspections:inspection_export": page(LIST),
    "inspections:my_visits": page(LIST),
    "inspections:follow_up_list": page(LIST),
    "inspections:follow_up_export": page(LIST),
    # The record page: seen in jurisdiction (or by the team); its form posts for members only.
    "inspections:visit": page(STATION_OBJECT, MEMBER_FORM, obj="inspection_visit"),
    "inspections:impossible": form(MEMBER_FORM, obj="inspection_visit"),
    # Empty upload / nothing to confirm: the member is sent back with a message, nothing written.
    "inspections:evidence_upload": action(MEMBER_ACTION, "inspection_visit"),
    "inspections:confirm": action(MEMBER_ACTION, "inspection_visit"),
    # Evidence only through the permission check of its record.
    "inspections:evidence": page(STATION_OBJECT, obj="evidence"),
    # The world's evidence belongs to a confirmed record of a team without acc-station: no one
    # may take it back (members only, and only before confirmation).
    "inspections:evidence_delete": action(E("login 403 403 404 403 404 403"), "evidence"),
    "inspections:follow_up_detail": page(STATION_OBJECT, RECHECK, obj="follow_up"),
    # --- API: reads only --------------------------------------------------------------------
    "GET /api/inspections": api(API_LIST),
    "GET /api/inspections/mine": api(API_LIST),
    "GET /api/inspections/visits/{visit_id}": api(API_STATION_OBJECT, "inspection_visit"),
    "GET /api/inspections/follow-ups": api(API_LIST),
}


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00"
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _login_of(inspector, username: str):
    from jianguan.org.models import User

    if inspector.user_id:
        return inspector.user
    user = User.objects.create_user(
        username=username,
        password="pw-for-tests-only",
        role="station_inspector",
        unit=inspector.unit,
    )
    inspector.user = user
    inspector.save(update_fields=["user"])
    return user


def _team(visit) -> list:
    return [m.inspector for m in visit.members.order_by("slot") if m.inspector_id]


def build(world) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from jianguan.inspections import services
    from jianguan.inspections.models import FollowUp
    from jianguan.inspections.services import Entry
    from jianguan.sampling.models import Visit

    visits = list(Visit.objects.filter(draw=world.objects["drawn_draw"]).order_by("pk"))
    assert len(visits) >= 2, "the drawn draw needs two visits"
    target = visits[0]
    station_inspector = _team(target)[0]
    station_user = world.users["station"]
    station_inspector.user = station_user
    station_inspector.save(update_fields=["user"])

    # Another visit, recorded and confirmed by two members (not necessarily acc-station).
    done = next((v for v in visits[1:] if station_inspector not in _team(v)), visits[1])
    first, second = _team(done)[:2]
    recorder = _login_of(first, "acc-insp-recorder")
    confirmer = _login_of(second, "acc-insp-confirmer")
    today = timezone.localdate()
    entries = [
        Entry(
            done.pk,
            item.pk,
            method="onsite",
            code="0201",
            findings="未按规定公示年度报告",
            measure="rectify",
            rectify_by=today + dt.timedelta(days=10),
        )
        for item in done.draw.task.items.all()
    ]
    services.record(user=recorder, visit=done, checked_on=today, entries=entries, submit=True)
    evidence = services.add_evidence(
        user=recorder,
        visit=done,
        upload=SimpleUploadedFile("现场.png", _png(), content_type="image/png"),
    )
    world.files.append(Path(settings.MEDIA_ROOT) / "evidence" / str(done.pk))
    services.confirm(user=confirmer, visit=done)
    world.objects.update(
        inspection_visit=target,
        confirmed_visit=done,
        evidence=evidence,
        follow_up=FollowUp.objects.filter(result__visit=done).first(),
    )
