"""Bulk import and export of the inspector roster (执法检查人员名录库).

Same rules as the entity roster (registry.importing): columns by their Chinese header,
all-or-nothing unless `skip_invalid`, a row whose 工号 exists updates that inspector (audited
with before/after), one 'import' audit event per batch, export in the same columns. Inspectors
number in the thousands, so the ORM's bulk operations are fast enough here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular
from jianguan.core.downloads import file_download, stamped
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import ADD, CHANGE, SYSTEM, VIEW
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)
from jianguan.org.models import Unit

from .models import Expertise, Inspector

Progress = Callable[[int, int, str], None]
NO_PERMISSION = "无权导入其他区局的数据"
# What a row sets, in order; "expertise" is a sorted tuple of Expertise ids.
RECORD = (
    "staff_no",
    "name",
    "unit_id",
    "cert_no",
    "cert_expires_on",
    "expertise",
    "active",
    "inactive_since",
)
DEFAULTS = {
    "cert_no": "",
    "cert_expires_on": None,
    "expertise": (),
    "active": True,
    "inactive_since": None,
}


@dataclass
class Lookups:
    units: dict[str, int | None]  # code / name / short name -> id (None: short name not unique)
    unit_name: dict[int, str]
    unit_district: dict[int, int | None]
    expertise: dict[str, int]  # name or code -> id
    expertise_name: dict[int, str]
    may_add: set[int] | None  # units the user may place inspectors in; None: all
    may_change: set[int] | None

    @classmethod
    def empty(cls) -> Lookups:
        """No reference data: enough for the headers (templates need no database)."""
        return cls({}, {}, {}, {}, {}, None, None)

    @classmethod
    def load(cls, user=None) -> Lookups:
        units = list(Unit.objects.filter(active=True).values("id", "code", "name", "short_name"))
        short: dict[str, int | None] = {}
        for u in units:
            short[u["short_name"]] = None if u["short_name"] in short else u["id"]
        by_key = {
            **short,
            **{u["name"]: u["id"] for u in units},
            **{u["code"]: u["id"] for u in units},
        }
        tags = list(Expertise.objects.values_list("id", "code", "name"))
        lk = cls(
            units=by_key,
            unit_name=dict(Unit.objects.values_list("id", "name")),
            unit_district=dict(Unit.objects.values_list("id", "district_id")),
            expertise={**{c: i for i, c, _n in tags}, **{n: i for i, _c, n in tags}},
            expertise_name={i: n for i, _c, n in tags},
            may_add=None,
            may_change=None,
        )
        if user is not None:
            lk.may_add = set(Unit.objects.restrict(user, ADD).values_list("id", flat=True))
            lk.may_change = set(Unit.objects.restrict(user, CHANGE).values_list("id", flat=True))
        return lk


# ---------------------------------------------------------------------------------------------
# Columns


def _unit_parser(lk: Lookups):
    def parse(text: str) -> int | None:
        if not text:
            return None
        if text not in lk.units:
            raise ParseError(_("未知的机构“%(v)s”：请填写机构全称、简称或机构代码") % {"v": text})
        unit = lk.units[text]
        if unit is None:
            raise ParseError(_("机构简称“%(v)s”不唯一，请填写机构全称或机构代码") % {"v": text})
        return unit

    return parse


def _expertise_parser(lk: Lookups):
    def parse(text: str) -> tuple[int, ...]:
        parts = tabular.split_list(text)
        unknown = [p for p in parts if p not in lk.expertise]
        if unknown:
            raise ParseError(
                _("未知的业务专长：%(bad)s。可选：%(opts)s")
                % {"bad": "、".join(unknown), "opts": "、".join(lk.expertise_name.values())}
            )
        return tuple(sorted({lk.expertise[p] for p in parts}))

    return parse


def _text(limit: int):
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ParseError(_("长度不能超过%(n)d个字符") % {"n": limit})
        return text

    return parse


def _active(text: str) -> bool:
    value = tabular.parse_yes_no(text)
    return True if value is None else value


def inspector_columns(lk: Lookups) -> list[Column]:
    """The file layout, for import and export alike."""
    return [
        Column("工号", "staff_no", True, parse=_text(32)),
        Column("姓名", "name", True, parse=_text(50)),
        Column(
            "所属机构",
            "unit_id",
            True,
            parse=_unit_parser(lk),
            format=lambda v: lk.unit_name.get(v, ""),
        ),
        Column("执法证号", "cert_no", parse=_text(32)),
        Column(
            "执法证有效期至",
            "cert_expires_on",
            parse=tabular.parse_date,
            format=tabular.format_date,
        ),
        Column(
            "业务专长",
            "expertise",
            parse=_expertise_parser(lk),
            format=lambda ids: "；".join(lk.expertise_name[i] for i in ids),
        ),
        Column("在岗", "active", parse=_active, format=tabular.format_yes_no),
        Column("离岗日期", "inactive_since", parse=tabular.parse_date, format=tabular.format_date),
    ]


HEADERS = [c.header for c in inspector_columns(Lookups.empty())]


# ---------------------------------------------------------------------------------------------
# Import


class _Rollback(Exception):
    pass


def import_inspectors(
    path: str | Path,
    *,
    user=None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a csv/xlsx inspector file; same contract as registry.importing.import_entities."""
    lk = Lookups.load(user)
    if lk.may_add is not None and not lk.may_add:
        raise PermissionDenied(_("您没有导入检查人员的权限"))
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    report = progress or (lambda done, total, phase: None)
    try:
        with transaction.atomic():
            with TableReader(path, inspector_columns(lk)) as table:
                rows = _read(table, lk, result, report)
            # Written even when rows were rejected, to report the rules that need the stored
            # inspector too (few rows; the rollback below undoes it).
            report(0, len(rows), _("写入"))
            _Writer(lk, user, table.fields, result).write(rows)
            if result.errors and not skip_invalid:
                raise _Rollback
            _record_import(user, result)
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


def _read(
    table: TableReader, lk: Lookups, result: ImportResult, progress
) -> list[tuple[int, dict]]:
    """Validated rows as (row number, {field: value}) for the fields the file has."""
    header = {c.field: c.header for c in table.columns}
    seen: dict[str, int] = {}
    out = []
    for chunk in table.chunks(10_000):
        parsed, errors = tabular.parse_chunk(chunk, table.columns)
        for i, (code, row) in enumerate(zip(parsed["staff_no"], chunk.rows, strict=True)):
            if code and seen.setdefault(code, row) != row:
                errors.append(
                    (
                        i,
                        header["staff_no"],
                        _("工号在文件中重复（与第%(r)d行相同）") % {"r": seen[code]},
                    )
                )
        for i, unit in enumerate(parsed["unit_id"]):
            if unit is not None and lk.may_add is not None and unit not in lk.may_add:
                errors.append((i, header["unit_id"], _(NO_PERMISSION)))
        keep_valid(chunk, parsed, errors, result, out)
        progress(result.total, result.total, _("校验"))
    return out


def keep_valid(
    chunk, parsed: dict[str, list], errors: list, result: ImportResult, out: list
) -> None:
    """Record a chunk's row errors; append its valid rows to `out` as (row number, values)."""
    result.total += len(chunk)
    result.add_errors(RowError(chunk.rows[i], h, r) for i, h, r in errors)
    bad = {i for i, _h, _r in errors}
    out += [
        (row, {f: parsed[f][i] for f in parsed}) for i, row in enumerate(chunk.rows) if i not in bad
    ]


class _Writer:
    """Create new inspectors, update changed ones (with audit), set expertise."""

    def __init__(self, lk: Lookups, user, present: set[str], result: ImportResult):
        self.lk, self.user, self.present, self.result = lk, user, present, result

    def write(self, rows: list[tuple[int, dict]]) -> None:
        existing = {
            i.staff_no: i
            for i in Inspector.objects.filter(
                staff_no__in=[r["staff_no"] for _n, r in rows]
            ).prefetch_related("expertise")
        }
        new, changed = [], []
        for row, values in rows:
            old = existing.get(values["staff_no"])
            record = self._record(values, old)
            if error := self._check(record, old):
                self.result.add_errors([RowError(row, *error)])
            elif old is None:
                new.append(record)
            elif (before := _record_of(old)) != record:
                changed.append((old, before, record))
            else:
                self.result.unchanged += 1
        self._create(new)
        self._update(changed)

    def _record(self, values: dict, old: Inspector | None) -> tuple:
        """The full record: the file's columns, the rest from the inspector (or defaults)."""
        base = _record_of(old) if old is not None else None
        out = []
        for i, f in enumerate(RECORD):
            if f in values:
                out.append(values[f])
            else:
                out.append(base[i] if base is not None else DEFAULTS[f])
        return tuple(out)

    def _check(self, record: tuple, old: Inspector | None) -> tuple[str, str] | None:
        rec = dict(zip(RECORD, record, strict=True))
        may = self.lk.may_change
        if old is not None and may is not None and not {old.unit_id, rec["unit_id"]} <= may:
            return "工号", _(NO_PERMISSION)
        if not rec["active"] and not rec["inactive_since"]:
            return "离岗日期", _("离岗人员须填写离岗日期")
        if rec["active"] and rec["inactive_since"]:
            return "离岗日期", _("在岗人员不应填写离岗日期（离岗请将“在岗”填为“否”）")
        return None

    def _create(self, records: list[tuple]) -> None:
        if not records:
            return
        objs = [Inspector(**_fields(rec)) for rec in records]
        Inspector.objects.bulk_create(objs, batch_size=1000)
        if "expertise" in self.present:
            pks = dict(
                Inspector.objects.filter(staff_no__in=[r[0] for r in records]).values_list(
                    "staff_no", "pk"
                )
            )
            _set_expertise({pks[rec[0]]: rec[5] for rec in records})
        self.result.created += len(records)

    def _update(self, changed: list[tuple[Inspector, tuple, tuple]]) -> None:
        if not changed:
            return
        now = timezone.now()
        objs = []
        for inspector, _before, rec in changed:
            for f, v in _fields(rec).items():
                setattr(inspector, f, v)
            inspector.updated_at = now
            objs.append(inspector)
        fields = [f for f in RECORD if f != "expertise"] + ["updated_at"]
        Inspector.objects.bulk_update(objs, fields, batch_size=1000)
        _set_expertise({i.pk: rec[5] for i, before, rec in changed if before[5] != rec[5]})
        AuditEvent.objects.bulk_create(
            [self._event(i, before, rec) for i, before, rec in changed], batch_size=1000
        )
        self.result.updated += len(changed)

    def _event(self, inspector: Inspector, before: tuple, after: tuple) -> AuditEvent:
        return AuditEvent(
            actor=self.user if getattr(self.user, "pk", None) else None,
            actor_label=audit._label(self.user),
            action=AuditEvent.Action.UPDATE,
            object_type="personnel.inspector",
            object_id=str(inspector.pk),
            object_repr=str(inspector)[:255],
            changes=audit.diff(self._shown(before), self._shown(after)),
            note=_("批量导入"),
            district_id=self.lk.unit_district.get(after[2]),
        )

    def _shown(self, record: tuple) -> dict[str, Any]:
        """As services.snapshot shows an inspector: unit by name, expertise as sorted names."""
        rec = dict(zip(RECORD, record, strict=True))
        rec["unit"] = self.lk.unit_name.get(rec.pop("unit_id"))
        rec["expertise"] = sorted(self.lk.expertise_name[i] for i in rec["expertise"])
        return rec


def _record_of(inspector: Inspector) -> tuple:
    expertise = tuple(sorted(e.pk for e in inspector.expertise.all()))
    return tuple(expertise if f == "expertise" else getattr(inspector, f) for f in RECORD)


def _fields(record: tuple) -> dict[str, Any]:
    return {f: v for f, v in zip(RECORD, record, strict=True) if f != "expertise"}


def _set_expertise(wanted: dict[int, tuple[int, ...]]) -> None:
    """Replace the expertise of these inspectors, in two bulk statements."""
    if not wanted:
        return
    through = Inspector.expertise.through
    through.objects.filter(inspector_id__in=list(wanted)).delete()
    through.objects.bulk_create(
        [through(inspector_id=pk, expertise_id=e) for pk, tags in wanted.items() for e in tags],
        batch_size=2000,
    )


def _record_import(user, result: ImportResult) -> None:
    district = None
    if user is not None and user.scope_level != "city" and user.unit_id:
        district = user.unit.district
    audit.record(
        user,
        AuditEvent.Action.IMPORT,
        object_type="personnel.inspector",
        object_repr=(_("检查人员导入：%(f)s") % {"f": result.file_name})[:255],
        changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
        district=district,
    )


# ---------------------------------------------------------------------------------------------
# Export and template


def export_inspectors(
    target: tabular.Target,
    *,
    user=SYSTEM,
    district: str | None = None,
    queryset=None,
    fmt: str | None = None,
) -> int:
    """Write inspectors in the import layout (round-trips). `queryset` if given (already
    scoped by the caller), else what `user` may see (all for the system)."""
    if queryset is None:
        queryset = Inspector.objects.restrict(user, VIEW)
    if district:
        queryset = queryset.filter(unit__district__code=district)
    columns = inspector_columns(Lookups.load())
    qs = queryset.order_by("staff_no").prefetch_related("expertise")
    return tabular.write_table(
        target, columns, (_record_of(i) for i in qs.iterator(chunk_size=2000)), fmt
    )


def write_template(target: tabular.Target, fmt: str | None = None) -> None:
    """An empty file with the import headers (csv or xlsx)."""
    tabular.write_table(target, inspector_columns(Lookups.empty()), [], fmt)


def export_inspectors_response(queryset, fmt: str) -> FileResponse:
    """A download of `queryset` (the caller scoped and filtered it) as csv or xlsx."""
    return file_download(
        lambda f: export_inspectors(f, queryset=queryset, fmt=fmt), stamped("检查人员名录", fmt)
    )


def template_response(fmt: str) -> FileResponse:
    return file_download(lambda f: write_template(f, fmt), f"检查人员导入模板.{fmt}")
