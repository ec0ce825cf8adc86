"""The public portal (/public/, /api/public): open to everyone, signed in or not.

Issue 4 point 5 and docs/security.md: the portal shows only what is public (published results,
listings in force, public registration data), so every caller — anonymous included — gets the
same answer; no page redirects to the login and no API operation asks for a token (a token sent
anyway is ignored). The objects are named portal_* (tests/portal/builders.py builds them).

The two API operations keyed by what a visitor types answer 422 for everyone here, because the
matrix sends them without a query (GET /api/public/entities) or with a number where the credit
code goes (…/entities/{uscc}); tests/portal/test_api.py shows their 200s.
"""

from __future__ import annotations

from tests.portal.builders import build as build_portal
from tests.portal.builders import uscc_for
from tests.security.access_rules import E, api, page

PUBLIC = E("ok ok ok ok ok ok ok")
PUBLIC_BAD_QUERY = E("422 422 422 422 422 422 422")
SERIAL = 8  # credit codes 91310101MA8…: not used by the shared world
PORTAL_USCC = uscc_for(SERIAL, 0)

RULES = {
    "portal:search": page(PUBLIC),
    "portal:entity_detail": page(PUBLIC, uscc=PORTAL_USCC),
    "portal:task_list": page(PUBLIC),
    "portal:task_detail": page(PUBLIC, obj="portal_task"),
    "portal:draw_proof": page(PUBLIC, obj="portal_draw"),
    "portal:draw_verify": page(PUBLIC, obj="portal_draw"),
    "portal:verifier": page(PUBLIC),
    "portal:board": page(PUBLIC),
    "portal:board_json": page(PUBLIC),
    "GET /api/public/entities": api(PUBLIC_BAD_QUERY),
    "GET /api/public/entities/{uscc}": api(PUBLIC_BAD_QUERY),
    "GET /api/public/tasks": api(PUBLIC),
    "GET /api/public/tasks/{task_id}": api(PUBLIC, "portal_task"),
}


def build(world) -> None:
    portal = build_portal(prefix="portal_", serial=SERIAL, admin=world.users["admin_own"])
    assert portal.entities[0].uscc == PORTAL_USCC
    world.objects.update(
        portal_task=portal.task,
        portal_draw=portal.draw,
        portal_entity=portal.entities[0],
        portal_publication=portal.publication,
    )
