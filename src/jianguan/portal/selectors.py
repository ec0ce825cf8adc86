"""What the public may read, and nothing else (DOMAIN.md "Double random, one public").

The portal reads:
- registry.Entity: name, USCC, registration status, address — never the risk class, key-area tier,
  legal representative or anything internal (every query names its columns with .values()/.only());
- publication.PublicResult of published publications: the frozen public copy of a result. A
  result recorded but not published, or kept non-public by law, has no row there; an entity drawn
  but not yet checked has none either, so it shows no result at all (never a default);
- credit.selectors.public_listings: listings in force;
- planning.Task / sampling.Draw only through a published Publication.

No request user is involved: the portal is anonymous, so no .restrict() — the filters here are
the publication rules themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from jianguan.core import uscc
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.credit.selectors import public_listings
from jianguan.publication.models import Publication, PublicResult
from jianguan.registry.models import Entity
from jianguan.sampling import protocol
from jianguan.sampling.models import Draw

SEARCH_CAP = 200  # names matching more than this: the visitor is asked to type more
NAME_MIN = 2
NAME_MAX = 100
# A query of ASCII letters and digits this long is meant as a credit code (a name never is).
USCC_LIKE = range(15, 21)

ENTITY_FIELDS = ("id", "uscc", "name", "status", "address")
RESULT_FIELDS = (
    "id",
    "uscc",
    "entity_name",
    "task_title",
    "item",
    "authority",
    "checked_on",
    "code",
    "code_text",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
    "publication_id",
    "publication__task_id",
)


@dataclass
class Query:
    """What a visitor typed, understood: a credit code, a part of a name, or a mistake."""

    kind: str  # "empty" | "uscc" | "name" | "error"
    value: str = ""
    error: str = ""


def parse_query(text: str | None) -> Query:
    """One search box for both: an 18-character code (spaces and lower case normalised) or part
    of a name. Pure logic."""
    raw = (text or "").strip()
    if not raw:
        return Query("empty")
    code = uscc.normalise(raw)
    if code.isascii() and code.isalnum() and len(code) in USCC_LIKE:
        try:
            return Query("uscc", uscc.validate(code))
        except uscc.USCCError as e:
            return Query("error", code, str(e))
    if len(raw) < NAME_MIN:
        return Query("error", raw, f"请至少输入{NAME_MIN}个字的名称，或完整的18位统一社会信用代码")
    if len(raw) > NAME_MAX:
        return Query("error", raw, f"名称不能超过{NAME_MAX}个字")
    return Query("name", raw)


@dataclass
class Found:
    query: Query
    rows: list[dict] = field(default_factory=list)
    capped: bool = False  # more than SEARCH_CAP matched; only the first SEARCH_CAP are in rows


def search(text: str | None) -> Found:
    """Entities by credit code (exact) or by a part of the name (substring; on PostgreSQL served
    by the trigram index of registry migration 0005). At most SEARCH_CAP rows, in roster order;
    no count over a million rows, one bounded query."""
    query = parse_query(text)
    if query.kind == "uscc":
        return Found(query, list(_entities().filter(uscc=query.value)))
    if query.kind != "name":
        return Found(query)
    # No ORDER BY: the first SEARCH_CAP + 1 rows the trigram index (or a scan) finds, then
    # sorted here. Ordering by id in SQL makes PostgreSQL either fetch and sort every match of a
    # common fragment or walk the primary key through a million rows for a rare one (measured:
    # up to 0.4 s instead of 5 ms). Past the cap the visitor is asked to type more anyway.
    matches = _entities().filter(name__contains=query.value).order_by()[: SEARCH_CAP + 1]
    rows = sorted(matches, key=lambda row: row["id"])
    return Found(query, rows[:SEARCH_CAP], capped=len(rows) > SEARCH_CAP)


def _entities() -> QuerySet:
    return Entity.objects.values(*ENTITY_FIELDS)


def entity(code: str) -> dict | None:
    """The public part of one entity, by its (normalised, valid) credit code."""
    try:
        code = uscc.validate(code)
    except uscc.USCCError:
        return None
    row = _entities().filter(uscc=code).first()
    if row is not None:
        row["status_label"] = str(Entity.Status(row["status"]).label)
    return row


def entity_results(entity_id: int) -> QuerySet:
    """The entity's published results, newest check first; withdrawn ones stay (shown as such)."""
    return (
        PublicResult.objects.filter(
            entity_id=entity_id, publication__status=Publication.Status.PUBLISHED
        )
        .order_by("-checked_on", "-id")
        .values(*RESULT_FIELDS)
    )


def entity_listings(entity_id: int) -> list[dict]:
    """Credit listings in force (经营异常名录, 严重违法失信名单), public fields only."""
    # Most entities are on no list: cheap indexed probes spare the two joined queries. A
    # necessary condition only — public_listings decides what is in force and public.
    listed = (
        AbnormalListing.objects.filter(entity_id=entity_id, status=AbnormalListing.Status.LISTED)
        .order_by()
        .exists()
        or SeriousListing.objects.filter(entity_id=entity_id, status=SeriousListing.Status.LISTED)
        .order_by()
        .exists()
    )
    if not listed:
        return []
    return public_listings(Entity(pk=entity_id))


def published() -> QuerySet:
    """Publications that went public, newest first."""
    return (
        Publication.objects.filter(status=Publication.Status.PUBLISHED)
        .select_related("task", "task__unit", "district")
        .order_by("-published_at", "-id")
    )


def task_publication(task_id: int) -> Publication | None:
    return published().filter(task_id=task_id).first()


def task_summary(publication: Publication) -> dict:
    """A published task as the public sees it: title, authority, dates, items, counts, draws."""
    task = publication.task
    entries = PublicResult.objects.filter(publication=publication)
    withdrawn = entries.filter(withdrawn_at__isnull=False).count()
    total = entries.count()
    return {
        "task_id": task.pk,
        "title": task.title,
        "authority": authority(publication),
        "published_at": publication.published_at,
        "window_start": task.window_start,
        "window_end": task.window_end,
        "items": list(task.items.order_by("code").values_list("name", flat=True)),
        "results": total - withdrawn,
        "withdrawn": withdrawn,
        "draws": [{"draw": d, "proof_public": proof_is_public(d)} for d in draws_in_force(task.pk)],
    }


def authority(publication: Publication) -> str:
    unit = publication.district or publication.task.unit
    return unit.name if unit else ""


def draws_in_force(task_id: int) -> QuerySet:
    """The task's draws in force (a superseded draw is replaced by its re-draw)."""
    return Draw.objects.filter(task_id=task_id, status=Draw.Status.DRAWN).order_by("number")


def proof_is_public(draw: Draw) -> bool:
    """Whether the draw's proof package may be handed to anyone. Its rosters show credit-risk
    classes, which are internal (DOMAIN.md "Credit lists"), when the rules draw by class: the
    class column of the targets (strata or ratios by class), the certainty flag (classes drawn
    with certainty) or the roster itself (a population limited to some classes). Such a proof
    stays with staff and oversight bodies; every other proof is public."""
    rules = draw.rules or {}
    sampling = rules.get("sampling") or {}
    return not (
        "risk_class" in protocol.stratum_fields(rules)
        or (sampling.get("certainty") or {}).get("risk_classes")
        or (rules.get("population") or {}).get("risk_classes")
    )


def published_draw(draw_id: int) -> Draw | None:
    """A draw in force of a published task: the only draws whose proof the portal hands out."""
    return (
        Draw.objects.filter(
            pk=draw_id,
            status=Draw.Status.DRAWN,
            task__publication__status=Publication.Status.PUBLISHED,
        )
        .select_related("task")
        .first()
    )
