"""Access rules of 结果公示 (publication): the dashboard, a task's publication, publishing,
queueing, withdrawal, the published results and their exports, and /api/publication.

Publications and published results belong to the task's district (no station): a station
inspector sees none (404), like tasks and draws. Publishing, queueing and withdrawal are a
supervisor's acts: the administrator of the task's district or the city. A read-only user of the
district may see them and is refused (403); anyone outside the jurisdiction gets 404.
"""

from __future__ import annotations

import datetime as dt

from tests.security.access_rules import (
    API_DISTRICT_OBJECT,
    API_LIST,
    DISTRICT_OBJECT,
    LIST,
    E,
    action,
    api,
    form,
    page,
)

#                        anon   stat   own      other  city     expert read
SUPERVISOR_FORM = E("login  404    ok       404    ok       404    403")
SUPERVISOR_ACTION = E("login  404    redirect 404    redirect 404    403")
# cancelling a queue that does not exist: refused with a message, nothing written
SUPERVISOR_BOUNCE = E("login  404    bounce   404    bounce   404    403")

RULES = {
    "publication:publication_list": page(LIST),
    "publication:publication_export": page(LIST),
    "publication:publication_detail": page(DISTRICT_OBJECT, obj="publication"),
    "publication:publication_publish": action(SUPERVISOR_ACTION, obj="publication"),
    "publication:publication_queue": form(SUPERVISOR_FORM, obj="publication"),
    "publication:publication_unqueue": action(SUPERVISOR_BOUNCE, obj="publication"),
    "publication:result_list": page(LIST),
    "publication:result_export": page(LIST),
    "publication:result_interchange": page(LIST),
    "publication:result_withdraw": form(SUPERVISOR_FORM, obj="public_result"),
    "GET /api/publication/publications": api(API_LIST),
    "GET /api/publication/publications/{publication_id}": api(API_DISTRICT_OBJECT, "publication"),
    "POST /api/publication/publications/{publication_id}/publish": api(
        E("401    404    ok     404    ok     404    403"), "publication"
    ),
    "GET /api/publication/results": api(API_LIST),
}


def build(world) -> None:
    """Two finished tasks of 310101 over the world's entities: one pending publication, one
    published with its PublicResult rows."""
    from tests.publication import factories as F

    from jianguan.publication import services
    from jianguan.publication.models import PublicResult

    admin = world.users["admin_own"]
    F.inspectors(4)
    pending = F.finished_task(
        admin, title="访问矩阵待公示任务", finished_on=dt.date(2026, 5, 29), make_entities=False
    )
    done = F.finished_task(
        admin, title="访问矩阵已公示任务", finished_on=dt.date(2026, 5, 29), make_entities=False
    )
    services.publish(user=admin, publication=done.publication)
    world.objects.update(
        publication=pending.publication,
        published_publication=done.publication,
        public_result=PublicResult.objects.filter(publication=done.publication).first(),
    )
