"""Freezing a task's rosters (冻结名单): what the draw may choose from, as protocol rows.

Targets: the task's population (filters of the definition, within the organising unit's
jurisdiction), minus entities already checked for one of the task's items within N months,
with the certainty-group flag. Inspectors: active, certificate valid on the check date, in an
allowed unit. Experts: active, in the field, pledge signed. Exclusions: declared conflicts in
force on the check date, the inspectors of each entity's previous check (rotation), experts'
employers. On PostgreSQL the target roster streams out with one COPY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, LPad

from jianguan.core import locks
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.org.models import Unit
from jianguan.personnel.models import ConflictDeclaration, Expert, Inspector
from jianguan.planning.rules import protocol_rules
from jianguan.registry.models import DOMAINS, Entity, Industry

from . import conditions, fast
from . import protocol as P
from .models import Draw, Visit, VisitMember


@dataclass
class Frozen:
    rules: dict
    targets: fast.Targets
    rows: dict[str, list[tuple[str, ...]]]  # inspectors, experts, exclusions
    counts: dict = field(default_factory=dict)


def population(task) -> QuerySet[Entity]:
    """The entities the task may draw from (before the certainty flag)."""
    d = task.definition
    pop = d["population"]
    qs = Entity.objects.all()
    if task.unit.kind != Unit.Kind.CITY:
        qs = qs.filter(district_id=task.unit.district_id)
    if task.unit.is_station:
        qs = qs.filter(station_id=task.unit_id)
    if pop["districts"]:
        qs = qs.filter(district__code__in=pop["districts"])
    if pop["stations"]:
        qs = qs.filter(station__code__in=pop["stations"])
    if pop["statuses"]:
        qs = qs.filter(status__in=pop["statuses"])
    if pop["entity_types"]:
        qs = qs.filter(entity_type__in=pop["entity_types"])
    if pop["key_tiers"]:
        qs = qs.filter(key_tier__in=pop["key_tiers"])
    if pop["risk_classes"]:
        qs = qs.filter(risk_class__in=pop["risk_classes"])
    if pop["domains"]:
        qs = DOMAINS.filter(qs, "domains", pop["domains"])
    if pop["industries"]:
        qs = qs.filter(industry_code__in=_divisions(pop["industries"]))
    months = d["sampling"]["exclude_checked_months"]
    if months:
        qs = qs.exclude(id__in=recently_checked(task, months))
    return qs


def _divisions(codes: list[str]) -> list[str]:
    """GB/T 4754 codes: a section letter stands for all its divisions."""
    sections = [c for c in codes if c.isalpha()]
    divisions = [c for c in codes if not c.isalpha()]
    if sections:
        divisions += Industry.objects.filter(section__in=sections, level="division").values_list(
            "code", flat=True
        )
    return divisions


def recently_checked(task, months: int) -> QuerySet:
    """Entities of final draws of other tasks sharing an item, checked within `months`."""
    since = _months_before(task.check_date, months)
    return (
        Visit.objects.filter(
            draw__status=Draw.Status.DRAWN,
            draw__task__items__in=task.items.all(),
            draw__task__check_date__gte=since,
            draw__task__check_date__lte=task.check_date,
        )
        .exclude(draw__task=task)
        .values("entity_id")
    )


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


def _certain(definition: dict) -> Q:
    groups = definition["sampling"]["certainty"]
    q = Q(pk__in=[])
    if groups["key_tiers"]:
        q |= Q(key_tier__in=groups["key_tiers"])
    if groups["risk_classes"]:
        q |= Q(risk_class__in=groups["risk_classes"])
    return q


def drawn_class(task):
    """The class an entity is drawn as (差异化监管, issue 5 item 6): its own; or the task's
    listed_class for entities on the business-abnormal or serious-violation list on the check
    date; or the task's missed_pt_class for inspection & testing bodies that missed a
    proficiency test (能力验证未参加) within missed_pt_months before the check date. An entity
    both listed and missing a test is drawn as the riskier of the two classes (D riskiest)."""
    sampling = task.definition["sampling"]
    listed_class = sampling.get("listed_class") or ""
    missed_class = sampling.get("missed_pt_class") or ""
    whens = []
    listed = _listed(task.check_date) if listed_class else None
    missed = (
        _missed_pt(task.check_date, sampling.get("missed_pt_months") or 12)
        if missed_class
        else None
    )
    if listed is not None and missed is not None:
        whens.append(When(listed & missed, then=Value(max(listed_class, missed_class))))
    if listed is not None:
        whens.append(When(listed, then=Value(listed_class)))
    if missed is not None:
        whens.append(When(missed, then=Value(missed_class)))
    if not whens:
        return F("risk_class")
    return Case(*whens, default=F("risk_class"))


def _listed(day: dt.date) -> Q:
    abnormal = AbnormalListing.objects.filter(
        entity=OuterRef("pk"), status=AbnormalListing.Status.LISTED, listed_on__lte=day
    )
    serious = SeriousListing.objects.filter(
        entity=OuterRef("pk"), status=SeriousListing.Status.LISTED, listed_on__lte=day
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))
    return Q(Exists(abnormal)) | Q(Exists(serious))


def missed_pt_since(day: dt.date, months: int) -> dt.date:
    """The first day of the window in which a missed proficiency test counts."""
    return _months_before(day, months)


def _missed_pt(day: dt.date, months: int) -> Q:
    return conditions.matching("missed_pt", missed_pt_since(day, months), day)


def certain_case(definition: dict) -> Case:
    """'1' for members of a certainty group (drawn with certainty), else '0'."""
    return Case(When(_certain(definition), then=Value("1")), default=Value("0"))


def target_roster(task) -> fast.Targets:
    # Credit-risk classes are internal (DOMAIN.md): the roster, which goes into the proof
    # package, carries them only when the selection reads them (strata or ratios by class).
    uses_class = "risk_class" in P.stratum_fields(task.definition)
    locks.shared_until_commit(locks.RISK_CLASSES)  # not while a classification run writes
    qs = population(task).annotate(
        certain_flag=certain_case(task.definition),
        drawn_class=drawn_class(task) if uses_class else Value(""),
    )
    codes = dict(Unit.objects.filter(kind=Unit.Kind.DISTRICT).values_list("id", "code"))
    if connection.vendor == "postgresql":
        return _copy_targets(qs, codes)
    rows = [
        (uscc, codes[district], risk or "", flag)
        for uscc, district, risk, flag in qs.values_list(
            "uscc", "district_id", "drawn_class", "certain_flag"
        ).iterator(chunk_size=20000)
    ]
    return fast.Targets.from_rows(rows)


LINE = 18 + 1 + 1 + 3 * 12 + 1  # uscc, class or '-', certain, 3 ids of 12 digits, newline


def _copy_targets(qs: QuerySet, codes: dict[int, str]) -> fast.Targets:
    """One COPY of fixed-width lines, read into numpy columns without parsing row by row.

    Besides the roster, each line carries the entity's, district's and station's database
    ids, kept beside the roster (not part of it) for writing the visits."""

    def digits(field):
        return LPad(Cast(Coalesce(field, Value(0)), CharField()), 12, Value("0"))

    fixed = (
        qs.annotate(
            line=Concat(
                F("uscc"),
                Case(When(drawn_class="", then=Value("-")), default=F("drawn_class")),
                F("certain_flag"),
                digits(F("id")),
                digits(F("district_id")),
                digits(F("station_id")),
                output_field=CharField(),
            )
        )
        .values_list("line", flat=True)
        .order_by()  # no ORDER BY: numpy sorts faster
    )
    sql, params = fixed.query.sql_with_params()
    data = bytearray()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        for row in copy:  # one row per read; joining a list of them is far slower
            data += row
    buf = np.frombuffer(data, dtype=np.uint8)
    if len(buf) % LINE:
        raise ValueError("冻结名单时读取到格式异常的行")
    m = buf.reshape(-1, LINE)
    uscc = np.ascontiguousarray(m[:, :18]).view("S18").ravel()
    risk = np.ascontiguousarray(m[:, 18]).view("S1").copy()
    risk[risk == b"-"] = b""
    certain = m[:, 19] == ord("1")
    powers = 10 ** np.arange(11, -1, -1, dtype=np.int64)
    ids = np.stack(
        [(m[:, 20 + 12 * i : 32 + 12 * i].astype(np.int64) - ord("0")) @ powers for i in range(3)],
        axis=1,
    )
    order = sorted(codes)
    district = np.searchsorted(np.array(order), ids[:, 1]).astype(np.int32)
    targets = fast.Targets(uscc, [codes[i] for i in order], district, risk, certain, ids)
    return targets.sorted()


def inspector_roster(task) -> list[tuple[str, str, str]]:
    """(id, pool, skills ';'-joined): qualified on the check date, in an allowed unit."""
    d = task.definition
    day = task.check_date
    qs = Inspector.objects.filter(active=True, cert_expires_on__gte=day).exclude(cert_no="")
    if task.unit.kind != Unit.Kind.CITY:
        qs = qs.filter(unit__district_id=task.unit.district_id)
    if d["team"]["units"]:
        codes = d["team"]["units"]
        qs = qs.filter(Q(unit__code__in=codes) | Q(unit__district__code__in=codes))
    by_district = d["team"]["pool_by"] == "district"
    tags: dict[int, list[str]] = {}
    for pk, code in Inspector.expertise.through.objects.filter(inspector__in=qs).values_list(
        "inspector_id", "expertise__code"
    ):
        tags.setdefault(pk, []).append(code)
    return [
        (
            str(pk),
            (district or "") if by_district else P.ALL_POOL,
            ";".join(sorted(tags.get(pk, []))),
        )
        for pk, district in qs.values_list("pk", "unit__district__code")
    ]


def expert_roster(task) -> list[tuple[str]]:
    experts = task.definition["experts"]
    if not experts["per_target"]:
        return []
    qs = Expert.objects.filter(
        active=True, field__code=experts["field"], pledge_signed_on__isnull=False
    )
    return [(str(pk),) for pk in qs.values_list("pk", flat=True)]


def exclusions(task, targets: fast.Targets, inspectors, experts) -> list[tuple[str, ...]]:
    """(uscc, kind, person id, reason) for targets of the roster and people of the rosters."""
    day = task.check_date
    inspector_ids = {int(r[0]) for r in inspectors}
    expert_ids = {int(r[0]) for r in experts}
    rows = []
    conflicts = ConflictDeclaration.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    for uscc, inspector, expert in conflicts.values_list(
        "entity__uscc", "inspector_id", "expert_id"
    ):
        if inspector in inspector_ids:
            rows.append((uscc, "inspector", str(inspector), "回避声明"))
        if expert in expert_ids:
            rows.append((uscc, "expert", str(expert), "回避声明"))
    if expert_ids:
        employers = Expert.objects.filter(pk__in=expert_ids).exclude(employer_uscc="")
        for pk, employer in employers.values_list("pk", "employer_uscc"):
            rows.append((employer, "expert", str(pk), "工作单位"))
    if task.definition["team"]["rotation"]:
        rows += _previous_teams(task, inspector_ids)
    keep = in_roster(targets, [r[0] for r in rows])
    return sorted({r for r, k in zip(rows, keep.tolist(), strict=True) if k})


def _previous_teams(task, inspector_ids) -> list[tuple[str, ...]]:
    """轮换: the inspectors of each entity's latest previous check (any other task)."""
    latest: dict[str, tuple] = {}
    members = VisitMember.objects.filter(
        inspector__isnull=False, visit__draw__status=Draw.Status.DRAWN
    ).exclude(visit__draw__task=task)
    for uscc, drawn_at, visit, inspector in members.values_list(
        "visit__entity__uscc", "visit__draw__drawn_at", "visit_id", "inspector_id"
    ).iterator(chunk_size=20000):
        key = (drawn_at, visit)
        if uscc not in latest or key > latest[uscc][0]:
            latest[uscc] = (key, {inspector})
        elif key == latest[uscc][0]:
            latest[uscc][1].add(inspector)
    return [
        (uscc, "inspector", str(i), "上次检查人员（轮换）")
        for uscc, (_key, team) in latest.items()
        for i in team
        if i in inspector_ids
    ]


def in_roster(targets: fast.Targets, usccs: list[str]) -> np.ndarray:
    """For each code, whether the (sorted) target roster holds it."""
    if not usccs or not len(targets):
        return np.zeros(len(usccs), dtype=bool)
    column = targets.sorted().uscc
    keys = np.array([u.encode() for u in usccs], dtype="S18")
    at = np.minimum(np.searchsorted(column, keys), len(column) - 1)
    return column[at] == keys


def freeze(task, cap: str | None) -> Frozen:
    rules = dict(protocol_rules(task.definition, cap), protocol=P.PROTOCOL)
    targets = target_roster(task)
    inspectors = inspector_roster(task)
    experts = expert_roster(task)
    rows = {
        "inspectors": inspectors,
        "experts": experts,
        "exclusions": exclusions(task, targets, inspectors, experts),
    }
    return Frozen(rules, targets, rows, {"targets": len(targets)})
