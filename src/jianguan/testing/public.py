"""What the public may read about testing bodies (seed 001 §二(三)2: departments buying testing
services consult the supervision results — 双随机抽查、能力验证、信用等级评价; §二(四)3: typical
cases are exposed). No request user: these are the publication rules themselves.

Shown: qualification status (certificate, fields, scope, validity), the credit grade where the
active indicator system publishes grades, PT outcomes (the grade, not the values), published
check results (the portal's own), legal handling marked public, typical cases. Never: the
internal risk class, scores, explanations, draft or pending records.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from jianguan.registry.models import Entity

from .models import BodyGrade, GradeModel, Handling, PTResult, Qualification, TypicalCase

SEARCH_CAP = 100
PUBLIC_MEASURES = (Handling.Measure.PENALTY, Handling.Measure.REVOKE, Handling.Measure.ORDER)


def search(text: str) -> list[dict]:
    """Bodies whose name contains `text`, or whose credit code or certificate number is it."""
    text = (text or "").strip()[:100]
    if len(text) < 2:
        return []
    code = text.upper().replace(" ", "")
    bodies = Entity.objects.filter(testing_body__isnull=False).filter(
        Q(name__contains=text) | Q(uscc=code) | Q(qualifications__cert_no=code)
    )
    return list(bodies.values("uscc", "name").distinct().order_by("name")[:SEARCH_CAP])


def body(uscc: str) -> dict | None:
    entity = (
        Entity.objects.filter(uscc=uscc, testing_body__isnull=False)
        .values("id", "uscc", "name")
        .first()
    )
    if entity is None:
        return None
    quals = list(
        Qualification.objects.filter(entity_id=entity["id"])
        .order_by("-issued_on")
        .only(
            "cert_no", "status", "status_on", "issued_on", "expires_on", "fields", "scope", "route"
        )
    )
    return {
        **entity,
        "qualification": next((q for q in quals if q.in_force), quals[0] if quals else None),
        "grade": grade(entity["id"]),
        "pt": list(
            PTResult.objects.filter(entity_id=entity["id"])
            .select_related("scheme")
            .only(
                "grade",
                "reported_on",
                "item",
                "scheme__number",
                "scheme__name",
                "scheme__kind",
                "scheme__year",
            )
            .order_by("-reported_on")[:50]
        ),
        "handlings": list(
            Handling.objects.filter(
                entity_id=entity["id"], public=True, measure__in=PUBLIC_MEASURES
            )
            .exclude(decision_no="")
            .select_related("violation")
            .order_by("-decided_on")
        ),
    }


def grade(entity_id: int) -> BodyGrade | None:
    """The current grade, when the active indicator system publishes grades."""
    model = GradeModel.objects.filter(status=GradeModel.Status.ACTIVE).first()
    if model is None or not model.published:
        return None
    return (
        BodyGrade.objects.filter(entity_id=entity_id, current=True)
        .select_related("run")
        .only("grade", "run__as_of")
        .first()
    )


def cases() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(
        published=True, published_on__lte=timezone.localdate()
    ).select_related("violation")
