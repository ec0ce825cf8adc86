"""The draw's life: freeze and commit, external entropy, draw, re-draw, merge visits, export.

Every step is one transaction with its audit event. The files of a draw (rosters, result,
proof) are written under MEDIA_ROOT/draws/<id>/ before the transaction that records them
commits, so the database never points at a proof that is not there; a crash leaves at most an
unreferenced or overwritable directory, and the step can simply be run again.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit
from jianguan.core.scoping import CHANGE, allowed
from jianguan.planning.models import Task
from jianguan.planning.rules import protocol_rules
from jianguan.planning.services import task_cap
from jianguan.registry.models import Entity

from . import fast, freeze, signals
from . import protocol as P
from .models import Draw, Visit, VisitMember


class DrawError(ValidationError):
    """A step that cannot be taken now (wrong state, missing entropy, rules not applicable)."""


def draw_dir(draw: Draw) -> Path:
    return Path(settings.MEDIA_ROOT) / draw.files_dir


def _require_change(user, task) -> None:
    """user None: the command line (the operator's own shell, city-wide), as in core.commands."""
    if user is None:
        return
    if (
        not allowed(user, CHANGE, Draw)
        or not Task.objects.restrict(user, CHANGE).filter(pk=task.pk).exists()
    ):
        raise PermissionDenied(_("您无权对该任务进行抽取"))


# --- freeze and commit --------------------------------------------------------------------------


def commit(
    task,
    *,
    user,
    declaration: dict | None = None,
    redraw_of: Draw | None = None,
    reason: str = "",
) -> Draw:
    """Freeze the rosters, digest them, make the secret and publish only its commitment.

    The commitment (protocol version 2) binds the secret, the rules, every roster and the
    entropy declaration — which future public value will be the entropy; it is refused once that
    value may be known (announcement time not in the future)."""
    _require_change(user, task)
    if (
        redraw_of is None
        and task.draws.exclude(status__in=[Draw.Status.INFEASIBLE, Draw.Status.SUPERSEDED]).exists()
    ):
        raise DrawError(_("该任务已有抽取；如需重新抽取，请在原抽取页面填写理由后重新抽取"))
    requires = bool(task.definition.get("requires_external_entropy"))
    declaration = clean_declaration(declaration, required=requires)
    frozen_at = timezone.now()
    frozen = freeze.freeze(task, task_cap(task))
    if not len(frozen.targets):
        raise DrawError(_("按任务的抽查范围，没有可抽取的检查对象"))
    _check_quotas(frozen)
    _pseudonymise(frozen)
    secret = secrets.token_bytes(P.SECRET_BYTES)
    with transaction.atomic():
        number = (task.draws.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        draw = Draw.objects.create(
            task=task,
            district=task.district,
            number=number,
            protocol=P.PROTOCOL,
            rules=frozen.rules,
            secret=secret.hex(),
            requires_entropy=declaration is not None,
            entropy_declaration=declaration,
            entropy_source=declaration["identifier"] if declaration else "",
            redraw_of=redraw_of,
            redraw_reason=reason,
            created_by=user,
            frozen_at=frozen_at,
        )
        # Freezing a large city takes a while: the value must still lie in the future now.
        _check_future(declaration, draw.committed_at)
        draw.digests = _write_rosters(draw, frozen)
        draw.digests["entropy_declaration"] = P.declaration_digest(declaration)
        draw.commitment = P.commitment(secret, draw.digests)
        draw.counts = {"targets": len(frozen.targets), **_roster_counts(frozen)}
        Draw.objects.filter(pk=draw.pk).update(
            digests=draw.digests, counts=draw.counts, commitment=draw.commitment
        )
        Task.objects.filter(pk=task.pk).update(status=Task.Status.COMMITTED)
        audit.record(
            user,
            "create",
            draw,
            note=_("冻结名单并公布承诺值 %(c)s") % {"c": draw.commitment},
            # Flat values, one per digest: the history and the audit log show scalars and lists.
            changes={
                **{f"digests.{k}": [None, v] for k, v in draw.digests.items()},
                "commitment": [None, draw.commitment],
            },
        )
        signals.commitment_made.send(sender=Draw, draw=draw)
    draw._frozen = frozen  # the same process may draw at once without re-reading the files
    return draw


def clean_declaration(declaration: dict | None, *, required: bool) -> dict | None:
    """The entropy declaration in its committed form, or DrawError naming the field.

    {"source", "identifier", "announced_at" (aware datetime or ISO 8601 text with offset),
    "format" ("digits:N" / "numbers:N")} → the same keys, text only, the time in UTC."""
    if not declaration or not any(declaration.values()):
        if required:
            raise DrawError(
                {
                    "entropy_identifier": _(
                        "本任务要求外部随机数：请先声明将使用的公开数值（来源、期号、公布时间和格式）"
                    )
                }
            )
        return None
    errors = {}
    out = {}
    for key, field in (("source", "entropy_source"), ("identifier", "entropy_identifier")):
        value = str(declaration.get(key) or "").strip()
        if not value or len(value) > 200:
            errors[field] = _("请填写（不超过 200 字）")
        out[key] = value
    when = declaration.get("announced_at")
    try:
        when = P.parse_time(when) if isinstance(when, str) else when
        if not isinstance(when, dt.datetime) or timezone.is_naive(when):
            raise ValueError
        out["announced_at"] = when.astimezone(dt.UTC).isoformat(timespec="seconds")
    except ValueError:
        errors["entropy_announced_at"] = _("请填写公布时间（年-月-日 时:分）")
    try:
        P.entropy_format(declaration.get("format"))
        out["format"] = declaration["format"]
    except ValueError as e:
        errors["entropy_format"] = str(e)
    if errors:
        raise DrawError(errors)
    _check_future(out, timezone.now())
    return out


def _check_future(declaration: dict | None, now) -> None:
    if declaration and P.parse_time(declaration["announced_at"]) <= now:
        raise DrawError(
            {
                "entropy_announced_at": _(
                    "声明的外部随机数公布时间（%(t)s）不在将来：承诺必须在该数值产生之前作出"
                )
                % {"t": _local(declaration["announced_at"])}
            }
        )


def _local(iso: str) -> str:
    return f"{timezone.localtime(P.parse_time(iso)):%Y-%m-%d %H:%M}"


def _check_quotas(frozen: freeze.Frozen) -> None:
    """The rules' RuleError on these rosters (e.g. a general item's cap exceeded) as a
    DrawError now, and a draw of nothing refused: a committed draw that execute() cannot draw
    would block its task."""
    try:
        n = fast.quotas(frozen.rules, frozen.targets)
    except P.RuleError as e:
        raise DrawError(str(e)) from None
    if not sum(n.values()) and not frozen.targets.certain.any():
        raise DrawError(_NOTHING)


_NOTHING = _(
    "按抽取比例（不超过一般检查事项的比例上限）将抽取 0 户：检查对象太少，请调整抽查范围或比例"
)


def _roster_counts(frozen: freeze.Frozen) -> dict:
    return {
        "certain": int(frozen.targets.certain.sum()),
        "inspectors": len(frozen.rows["inspectors"]),
        "experts": len(frozen.rows["experts"]),
        "exclusions": len(frozen.rows["exclusions"]),
    }


def _pseudonymise(frozen: freeze.Frozen) -> None:
    """Every person under a pseudonym of this draw: the protocol's files carry no stable staff
    id. persons.csv (bound by the commitment, in the full proof only) maps them back."""
    while True:
        key = secrets.token_bytes(32)
        alias = {
            (kind, row[0]): kind[0].upper()
            + hmac.new(key, f"{kind}|{row[0]}".encode(), "sha256").hexdigest()[:16]
            for kind, table in (("inspector", "inspectors"), ("expert", "experts"))
            for row in frozen.rows[table]
        }
        if len(set(alias.values())) == len(alias):  # 64 bits each: a collision is a curiosity
            break
    rows = frozen.rows
    rows["inspectors"] = [(alias["inspector", r[0]], *r[1:]) for r in rows["inspectors"]]
    rows["experts"] = [(alias["expert", r[0]], *r[1:]) for r in rows["experts"]]
    # An exclusion of someone not on the roster changes nothing: it is left out.
    rows["exclusions"] = [
        (u, kind, alias[kind, person], reason)
        for u, kind, person, reason in rows["exclusions"]
        if (kind, person) in alias
    ]
    rows["persons"] = [(name, kind, person) for (kind, person), name in alias.items()]


def _write_rosters(draw: Draw, frozen: freeze.Frozen) -> dict[str, str]:
    folder = draw_dir(draw)
    if folder.exists():
        shutil.rmtree(folder)  # left by an earlier attempt that did not commit
    folder.mkdir(parents=True)
    digests = {"rules": P.sha256_hex(P.canonical_rules(frozen.rules))}
    rows = frozen.rows
    data = {
        "targets": frozen.targets.canonical_csv(),
        "targets_public": frozen.targets.public_csv(),
        "exclusions_public": P.canonical_csv(
            P.EXTRA_FILES["exclusions_public"][1], [e[:3] for e in rows["exclusions"]]
        ),
    }
    for name in ("inspectors", "experts", "exclusions", "persons"):
        data[name] = P.canonical_csv(P.ALL_FILES[name][1], rows[name])
    for name, content in data.items():
        (folder / P.ALL_FILES[name][0]).write_bytes(content)
        digests[name] = P.sha256_hex(content)
    return digests


def _staff_ids(draw: Draw) -> dict[str, int]:
    """pseudonym → person id from persons.csv; {} for draws frozen before pseudonyms, whose
    files carry the ids themselves."""
    frozen = getattr(draw, "_frozen", None)
    path = draw_dir(draw) / P.EXTRA_FILES["persons"][0]
    if frozen is not None and "persons" in frozen.rows:
        rows = frozen.rows["persons"]
    elif path.exists():
        content = path.read_bytes()
        if P.sha256_hex(content) != draw.digests.get("persons"):
            raise DrawError(_("冻结名单文件 persons.csv 与承诺时的摘要不符，不能抽取"))
        rows = P.read_csv(content, P.PERSON_COLUMNS)
    else:
        return {}
    return {name: int(person) for name, _kind, person in rows}


def set_entropy(draw: Draw, *, user, value: str) -> Draw:
    """The declared public value, entered once after its announcement, in its canonical form.

    A second entry is refused: a mistake is corrected only by a re-draw with a written reason."""
    _require_change(user, draw.task)
    recorded = Draw.objects.get(pk=draw.pk)
    declaration = recorded.entropy_declaration
    if recorded.status != Draw.Status.COMMITTED:
        raise DrawError(_("抽取已完成，不能再填写外部随机数"))
    if recorded.entropy_entered_at or recorded.external_entropy:
        raise DrawError(_ENTERED)
    now = timezone.now()
    if recorded.protocol == P.PROTOCOL_V1 and recorded.requires_entropy:
        # Committed before version 2 (no declaration): its free text, once.
        value = (value or "").strip()
        if not value:
            raise DrawError({"external_entropy": _("请填写外部随机数（如公开开奖号码）")})
        declaration = {"identifier": recorded.entropy_source or _("外部随机数")}
    elif not declaration:
        raise DrawError(_("该抽取承诺时未声明外部随机数，不能录入"))
    elif P.parse_time(declaration["announced_at"]) > now:
        raise DrawError(
            {
                "external_entropy": _("声明的%(id)s将于 %(t)s 公布，公布之后才能录入")
                % {"id": declaration["identifier"], "t": _local(declaration["announced_at"])}
            }
        )
    if "format" in declaration:
        try:
            value = P.normalise_entropy(value, declaration["format"])
        except ValueError as e:
            raise DrawError({"external_entropy": str(e)}) from None
    with transaction.atomic():
        # The condition makes two entries at once impossible: only one update finds the row empty.
        if not Draw.objects.filter(
            pk=draw.pk, status=Draw.Status.COMMITTED, entropy_entered_at__isnull=True
        ).update(external_entropy=value, entropy_entered_at=now):
            raise DrawError(_ENTERED)
        draw.external_entropy, draw.entropy_entered_at = value, now
        audit.record(
            user,
            "update",
            draw,
            changes={"external_entropy": ["", value]},
            note=_("录入外部随机数（%(id)s）") % {"id": declaration["identifier"]},
        )
    return draw


_ENTERED = _("外部随机数已经录入，不能更改；如录入有误，须在抽取后填写理由重新抽取")


# --- the draw -----------------------------------------------------------------------------------


def execute(draw: Draw, *, user, progress=None) -> Draw:
    """Draw targets and teams; on success write result and proof and the visits, all or nothing.

    If some target cannot be staffed, the draw is marked infeasible with the reasons and
    nothing else is written; the task returns to draft so its rules can be changed.
    """
    report = progress or (lambda done, total, phase: None)
    _require_change(user, draw.task)
    # The row as recorded (its entropy is the one entered), the rosters as frozen in memory.
    frozen = getattr(draw, "_frozen", None)
    draw = Draw.objects.get(pk=draw.pk)
    if frozen is not None:
        draw._frozen = frozen
    if draw.status != Draw.Status.COMMITTED:
        raise DrawError(_("该抽取已经完成，结果不可更改"))
    if draw.requires_entropy and not draw.external_entropy:
        raise DrawError(_("该任务要求外部随机数：请先录入公开的随机数，再进行抽取"))
    report(1, 4, _("读取冻结名单"))
    targets, rows = _frozen_inputs(draw)
    report(2, 4, _("抽取检查对象并分配检查人员"))
    result = fast.run(draw.rules, _seed(draw), targets, rows, draw.digests)
    if result.unstaffed:
        return _infeasible(draw, user, result.unstaffed)
    report(3, 4, _("写入结果与证明文件"))
    with transaction.atomic():
        now = timezone.now()
        draw.seed = result.seed.hex()
        draw.digests = result.digests
        draw.counts = dict(
            draw.counts,
            population=result.selected.sizes,
            drawn=result.selected.drawn,
            selected=len(result.uscc),
        )
        draw.drawn_at = now
        draw.status = Draw.Status.DRAWN
        _write_proof(draw, result.result_csv)
        _write_visits(draw, result)
        Draw.objects.filter(pk=draw.pk).update(
            seed=draw.seed,
            digests=draw.digests,
            counts=draw.counts,
            drawn_at=now,
            status=Draw.Status.DRAWN,
        )
        Task.objects.filter(pk=draw.task_id).update(status=Task.Status.DRAWN)
        if draw.redraw_of_id:
            Draw.objects.filter(pk=draw.redraw_of_id).update(status=Draw.Status.SUPERSEDED)
            old = Draw.objects.get(pk=draw.redraw_of_id)
            signals.draw_finished.send(sender=Draw, draw=old, outcome=signals.SUPERSEDED)
        signals.draw_finished.send(sender=Draw, draw=draw, outcome=signals.DRAWN)
        audit.record(
            user,
            "other",
            draw,
            note=_("抽取完成：抽中 %(n)s 户，公开密钥，生成抽取证明")
            % {"n": f"{len(result.uscc):,}"},
            changes={"seed": [None, draw.seed], "result": [None, draw.digests["result"]]},
        )
    report(4, 4, _("完成"))
    return draw


def _seed(draw: Draw) -> bytes:
    if draw.protocol == P.PROTOCOL_V1:  # committed before version 2, drawn under its rules
        return P.derive_seed(draw.secret, draw.external_entropy, draw.digests)
    return P.seed_of(P.secret_bytes(draw.secret), draw.commitment, draw.external_entropy)


def _frozen_inputs(draw: Draw):
    frozen = getattr(draw, "_frozen", None)
    if frozen is not None:
        return frozen.targets, frozen.rows
    folder = draw_dir(draw)
    data = {}
    for name, (file, _columns) in P.ROSTER_FILES.items():
        content = (folder / file).read_bytes()
        if P.sha256_hex(content) != draw.digests.get(name):
            raise DrawError(_("冻结名单文件 %(f)s 与承诺时的摘要不符，不能抽取") % {"f": file})
        data[name] = content
    rows = {
        n: P.read_csv(data[n], P.ROSTER_FILES[n][1])
        for n in ("inspectors", "experts", "exclusions")
    }
    return fast.Targets.from_csv(data["targets"]), rows


def _infeasible(draw: Draw, user, unstaffed: dict[str, str]) -> Draw:
    with transaction.atomic():
        Draw.objects.filter(pk=draw.pk).update(status=Draw.Status.INFEASIBLE, unstaffed=unstaffed)
        # A failed re-draw leaves the original draw in force; a failed first draw frees the
        # task's rules for editing.
        status = Task.Status.DRAWN if draw.redraw_of_id else Task.Status.DRAFT
        Task.objects.filter(pk=draw.task_id).update(status=status)
        draw.status, draw.unstaffed = Draw.Status.INFEASIBLE, unstaffed
        audit.record(
            user,
            "other",
            draw,
            note=_("无法配齐检查人员：%(n)s 户，未写入任何抽取结果") % {"n": len(unstaffed)},
        )
        signals.draw_finished.send(sender=Draw, draw=draw, outcome=signals.INFEASIBLE)
    return draw


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def proof(draw: Draw) -> dict:
    """proof.json (docs/draw-protocol.md §2): everything the verifier checks."""
    if draw.protocol == P.PROTOCOL_V1:
        return _proof_v1(draw)
    return {
        "protocol": draw.protocol,
        "draw": {
            "id": draw.pk,
            "task_id": draw.task_id,
            "task": draw.task.title,
            "number": draw.number,
            "redraw_of": draw.redraw_of_id,
            "redraw_of_commitment": draw.redraw_of.commitment if draw.redraw_of_id else None,
            "redraw_reason": draw.redraw_reason,
            "frozen_at": _iso(draw.frozen_at),
            "committed_at": _iso(draw.committed_at),
            "entropy_entered_at": _iso(draw.entropy_entered_at),
            "drawn_at": _iso(draw.drawn_at),
        },
        "rules": draw.rules,
        "requires_entropy": draw.requires_entropy,
        "entropy_declaration": draw.entropy_declaration,
        "commitment": draw.commitment,
        "secret": draw.secret,
        "external_entropy": draw.external_entropy,
        "seed": draw.seed,
        "digests": draw.digests,
        "counts": draw.counts,
        "files": proof_files(draw, public=False)[:-1],
    }


def proof_files(draw: Draw, *, public: bool) -> list[str]:
    """The files of the full or the public proof (version 1 has only the full one); proof.json
    last."""
    if draw.protocol == P.PROTOCOL_V1:
        names = [f for f, _c in P.ROSTER_FILES.values()] + [P.RESULT_FILE]
    elif public:
        names = [P.ALL_FILES[n][0] for n in P.PUBLIC_FILES] + [P.RESULT_PUBLIC_FILE]
    else:
        names = [f for f, _c in P.ALL_FILES.values()] + [P.RESULT_FILE, P.RESULT_PUBLIC_FILE]
    return [*names, P.PROOF_FILE]


def _proof_v1(draw: Draw) -> dict:
    return {
        "protocol": draw.protocol,
        "draw": {
            "id": draw.pk,
            "task_id": draw.task_id,
            "task": draw.task.title,
            "number": draw.number,
            "redraw_of": draw.redraw_of_id,
            "redraw_reason": draw.redraw_reason,
            "committed_at": _iso(draw.committed_at),
            "drawn_at": _iso(draw.drawn_at),
        },
        "rules": draw.rules,
        "commitment": draw.commitment,
        "secret": draw.secret,
        "external_entropy": draw.external_entropy,
        "entropy_source": draw.entropy_source,
        "seed": draw.seed,
        "digests": draw.digests,
        "counts": draw.counts,
        "files": [f for f, _c in P.ROSTER_FILES.values()] + [P.RESULT_FILE],
    }


def _write_proof(draw: Draw, result_csv: bytes) -> None:
    folder = draw_dir(draw)
    (folder / P.RESULT_FILE).write_bytes(result_csv)
    if draw.protocol != P.PROTOCOL_V1:
        public = P.public_result(result_csv)
        (folder / P.RESULT_PUBLIC_FILE).write_bytes(public)
        draw.digests["result_public"] = P.sha256_hex(public)
    text = json.dumps(proof(draw), ensure_ascii=False, indent=2, sort_keys=True)
    (folder / P.PROOF_FILE).write_text(text + "\n", encoding="utf-8")


def _write_visits(draw: Draw, result: fast.Draw) -> None:
    """One Visit per selected entity and one VisitMember per team member, in bulk."""
    uscc = [k.decode() for k in result.uscc.tolist()]
    labels = result.selected.labels
    strata = [labels[k] for k in result.selected.stratum.tolist()]
    ids = _entity_ids(uscc, result)
    visits = [
        (entity, draw.district_id or district, station or None, stratum, flag)
        for (entity, district, station), stratum, flag in zip(
            ids, strata, result.certain.tolist(), strict=True
        )
    ]
    members = []  # (row, inspector, expert, slot)
    staff = _staff_ids(draw)
    for kind, teams in (("inspector", result.inspectors), ("expert", result.experts)):
        people = [staff[i] if staff else int(i) for i in teams.ids]
        for row, team in enumerate(teams.matrix.tolist()):
            for slot, i in enumerate(team):
                if i >= 0:
                    pair = (people[i], None) if kind == "inspector" else (None, people[i])
                    members.append((row, *pair, slot))
    if connection.vendor == "postgresql":
        _copy_visits(draw, visits, members)
        return
    created = Visit.objects.bulk_create(
        Visit(
            draw=draw,
            entity_id=entity,
            district_id=district,
            station_id=station,
            stratum=stratum,
            certain=flag,
        )
        for entity, district, station, stratum, flag in visits
    )
    VisitMember.objects.bulk_create(
        VisitMember(visit=created[row], inspector_id=i, expert_id=e, slot=slot)
        for row, i, e, slot in members
    )


def _entity_ids(uscc: list[str], result: fast.Draw) -> list[tuple[int, int, int]]:
    """(entity, district, station or 0) per selected row: read with the roster when the draw
    follows its freeze in one process, else looked up by code."""
    if result.db_ids is not None:
        return [tuple(row) for row in result.db_ids.tolist()]
    qs = Entity.objects.filter(uscc__in=uscc).values_list("uscc", "pk", "district_id", "station_id")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT uscc, id, district_id, station_id FROM registry_entity"
                " WHERE uscc = ANY(%s)",
                [uscc],
            )
            qs = cursor.fetchall()
    known = {k: (pk, district, station or 0) for k, pk, district, station in qs}
    return [known[k] for k in uscc]


def _copy_visits(draw, visits, members) -> None:
    """PostgreSQL: one COPY per table (text format); the visit ids are read back by entity."""
    null = "\\N"
    with connection.cursor() as c:
        cur = c.cursor
        with cur.copy(
            "COPY sampling_visit (draw_id, entity_id, district_id, station_id, stratum, certain)"
            " FROM STDIN"
        ) as copy:
            copy.write(
                "".join(
                    f"{draw.pk}\t{entity}\t{district}\t{null if station is None else station}"
                    f"\t{stratum}\t{'t' if flag else 'f'}\n"
                    for entity, district, station, stratum, flag in visits
                )
            )
        cur.execute("SELECT entity_id, id FROM sampling_visit WHERE draw_id = %s", [draw.pk])
        visit_of = dict(cur.fetchall())
        ids = [visit_of[v[0]] for v in visits]
        with cur.copy(
            "COPY sampling_visitmember (visit_id, inspector_id, expert_id, slot) FROM STDIN"
        ) as copy:
            copy.write(
                "".join(
                    f"{ids[row]}\t{null if i is None else i}\t{null if e is None else e}\t{slot}\n"
                    for row, i, e, slot in members
                )
            )


# --- re-draw, merge, export ---------------------------------------------------------------------


def redraw(draw: Draw, *, user, reason: str, declaration: dict | None = None) -> Draw:
    """A new draw of the same task with a written reason (and, if the task requires entropy, a
    new declaration); the old one stays visible."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DrawError({"reason": _("重新抽取须书面说明理由（不少于 4 个字）")})
    if draw.status != Draw.Status.DRAWN:
        raise DrawError(_("只有已完成的抽取才能重新抽取"))
    if draw.redraws.filter(status=Draw.Status.COMMITTED).exists():
        raise DrawError(_("该抽取已有一次重新抽取正在进行，请先完成它"))
    return commit(draw.task, user=user, declaration=declaration, redraw_of=draw, reason=reason)


def merge(visit: Visit, *, into: Visit, user) -> Visit:
    """进一次门、查多项事: `visit` joins `into` (same entity, another task of the same period)."""
    if visit.entity_id != into.entity_id or visit.draw.task_id == into.draw.task_id:
        raise DrawError(_("只能合并同一检查对象在不同任务中的检查"))
    if (
        visit.merged_into_id
        or into.merged_into_id
        or visit.pk == into.pk
        or visit.merged.exists()  # a host joining another host would chain the merge
    ):
        raise DrawError(_("该检查已合并，不能重复合并"))
    _require_change(user, visit.draw.task)
    with transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(merged_into=into)
        visit.merged_into = into
        audit.record(
            user,
            "update",
            visit,
            changes={"merged_into": [None, into.pk]},
            note=_("与「%(t)s」的检查合并为一次上门") % {"t": into.draw.task},
        )
    return visit


def export(draw: Draw, *, out: str | Path, public: bool = False) -> Path:
    """Copy the full proof package (or the public one) to `out`."""
    if draw.status not in (Draw.Status.DRAWN, Draw.Status.SUPERSEDED):
        raise DrawError(_("抽取尚未完成，没有可导出的证明"))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in proof_files(draw, public=public):
        shutil.copyfile(draw_dir(draw) / name, out / name)
    return out


def verify(directory, *, checks=()) -> list[str]:
    """protocol.verify with the numpy engine (same answer, faster on large rosters); further
    checks (protocol.Bundle → problems) run after the protocol's own."""
    return P.verify(directory, compute=fast.compute, checks=checks)


# --- preview ------------------------------------------------------------------------------------


def preview(task) -> dict:
    """Population and expected draw per stratum, before anything is frozen (one GROUP BY).

    {"strata": [{"stratum", "population", "expected"}], "certain", "population", "expected",
     "inspectors": {pool: n}, "problems": [..]} — problems are what would stop the draw.
    """
    from django.db.models import Count

    rules = protocol_rules(task.definition, task_cap(task))
    fields = P.stratum_fields(rules)
    qs = (
        freeze.population(task)
        .annotate(
            certain_flag=freeze.certain_case(task.definition), drawn_class=freeze.drawn_class(task)
        )
        .values("district__code", "drawn_class", "certain_flag")
        .annotate(n=Count("id"))
    )
    sizes: dict[str, int] = {}
    class_of: dict[str, str] = {}
    certain = 0
    for row in qs.order_by():
        if row["certain_flag"] == "1":
            certain += row["n"]
            continue
        stratum = P.stratum_of(fields, row["district__code"], row["drawn_class"] or "")
        sizes[stratum] = sizes.get(stratum, 0) + row["n"]
        class_of[stratum] = row["drawn_class"] or ""
    problems = []
    try:
        expected = P.quotas(rules, sizes, class_of)
    except P.RuleError as e:
        problems.append(str(e))
        expected = dict.fromkeys(sizes, 0)
    inspectors: dict[str, int] = {}
    for _id, pool, _skills in freeze.inspector_roster(task):
        inspectors[pool] = inspectors.get(pool, 0) + 1
    total = sum(expected.values()) + certain
    size = task.definition["team"]["size"]
    if total and sum(inspectors.values()) < size:
        problems.append(_("符合条件的检查人员不足 %(n)s 人") % {"n": size})
    if not sizes and not certain:
        problems.append(_("按任务的抽查范围，没有可抽取的检查对象"))
    elif not total:
        problems.append(_NOTHING)
    return {
        "strata": [
            {"stratum": s, "population": sizes[s], "expected": expected.get(s, 0)}
            for s in sorted(sizes)
        ],
        "certain": certain,
        "population": sum(sizes.values()) + certain,
        "expected": total,
        "inspectors": dict(sorted(inspectors.items())),
        "problems": problems,
    }
