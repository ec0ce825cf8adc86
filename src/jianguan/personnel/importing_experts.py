"""Bulk import and export of the expert pool (专家库).

Same rules as the inspector roster (importing.py, whose helpers this reuses): columns by their
Chinese header, all-or-nothing unless `skip_invalid`, a row matching an existing expert updates
it (audited with before/after), one 'import' audit event per batch, export in the same columns.

Key: experts have no natural key (no ID number is kept), so a row is matched to an existing
expert by (姓名, 工作单位), both compared exactly after trimming. A row whose pair matches no
expert creates one; the same pair twice in a file is a row error, and a pair that matches
several stored experts is a row error too (edit those on the expert's page). Renaming an expert
or changing their employer through a file therefore creates a new expert; do that on the page.

The pool is city-wide and kept by the city bureau: only users allowed to add experts
(`allowed(user, "add", Expert)`) may import; `user=None` is the system (command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.core import audit, tabular, uscc
from jianguan.core.downloads import file_download, stamped
from jianguan.core.models import AuditEvent
from jianguan.core.scoping import SYSTEM, VIEW, allowed
from jianguan.core.tabular import (
    Column,
    ImportResult,
    ParseError,
    RowError,
    TableError,
    TableReader,
)

from .importing import Progress, _active, _Rollback, _text, keep_valid
from .models import Expert, Expertise

OBJECT_TYPE = "personnel.expert"
# What a row sets, in the file's column order.
RECORD = (
    "name",
    "field_id",
    "employer",
    "employer_uscc",
    "title",
    "pledge_signed_on",
    "active",
)
DEFAULTS = {"title": "", "employer_uscc": "", "pledge_signed_on": None, "active": True}
KEY_COLUMN = "姓名"


@dataclass
class Lookups:
    expertise: dict[str, int]  # name or code -> id
    expertise_name: dict[int, str]

    @classmethod
    def empty(cls) -> Lookups:
        return cls({}, {})

    @classmethod
    def load(cls) -> Lookups:
        tags = list(Expertise.objects.values_list("id", "code", "name"))
        return cls(
            expertise={**{c: i for i, c, _n in tags}, **{n: i for i, _c, n in tags}},
            expertise_name={i: n for i, _c, n in tags},
        )


# ---------------------------------------------------------------------------------------------
# Columns


def _field_parser(lk: Lookups):
    def parse(text: str) -> int | None:
        if not text:
            return None
        if text not in lk.expertise:
            raise ParseError(
                _("未知的专业领域“%(v)s”。可选：%(opts)s")
                % {"v": text, "opts": "、".join(lk.expertise_name.values())}
            )
        return lk.expertise[text]

    return parse


def _uscc_column(values: list[str]) -> tuple[list, tabular.Errors]:
    """Optional; when given it must be a valid code (the message names the expected check char)."""
    return uscc.check_column(values, blank="")


def expert_columns(lk: Lookups) -> list[Column]:
    """The file layout, for import and export alike."""
    return [
        Column("姓名", "name", True, parse=_text(50)),
        Column(
            "专业领域",
            "field_id",
            True,
            parse=_field_parser(lk),
            format=lambda v: lk.expertise_name.get(v, ""),
        ),
        Column("工作单位", "employer", True, parse=_text(200)),
        Column("工作单位统一社会信用代码", "employer_uscc", parse_many=_uscc_column),
        Column("职称", "title", parse=_text(50)),
        Column(
            "保密承诺签署日期",
            "pledge_signed_on",
            parse=tabular.parse_date,
            format=tabular.format_date,
        ),
        Column("在库", "active", parse=_active, format=tabular.format_yes_no),
    ]


HEADERS = [c.header for c in expert_columns(Lookups.empty())]
assert tuple(c.field for c in expert_columns(Lookups.empty())) == RECORD  # export relies on it


# ---------------------------------------------------------------------------------------------
# Import


def import_experts(
    path: str | Path,
    *,
    user=None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a csv/xlsx expert file; same contract as importing.import_inspectors."""
    if user is not None and not allowed(user, "add", Expert):
        raise PermissionDenied(_("专家库由市局维护，您没有导入专家的权限"))
    lk = Lookups.load()
    path = Path(path)
    result = ImportResult(file_name=file_name or path.name, sha256=tabular.file_sha256(path))
    report = progress or (lambda done, total, phase: None)
    try:
        with transaction.atomic():
            with TableReader(path, expert_columns(lk)) as table:
                rows = _read(table, result, report)
            report(0, len(rows), _("写入"))
            _Writer(lk, user, result).write(rows)
            if result.errors and not skip_invalid:
                raise _Rollback
            audit.record(
                user,
                AuditEvent.Action.IMPORT,
                object_type=OBJECT_TYPE,
                object_repr=(_("专家导入：%(f)s") % {"f": result.file_name})[:255],
                changes={"file": result.file_name, "sha256": result.sha256, **result.counts()},
            )
            result.committed = True
    except _Rollback:
        result.discard()
    except TableError as e:
        result.errors, result.error_rows = e.errors, {x.row for x in e.errors}
    result.errors.sort(key=lambda e: e.row)
    return result


def _read(table: TableReader, result: ImportResult, progress) -> list[tuple[int, dict]]:
    """Validated rows as (row number, {field: value}) for the fields the file has."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for chunk in table.chunks(10_000):
        parsed, errors = tabular.parse_chunk(chunk, table.columns)
        keys = zip(parsed["name"], parsed["employer"], strict=True)
        for i, (key, row) in enumerate(zip(keys, chunk.rows, strict=True)):
            if all(key) and seen.setdefault(key, row) != row:
                msg = _("姓名和工作单位在文件中重复（与第%(r)d行相同）") % {"r": seen[key]}
                errors.append((i, KEY_COLUMN, msg))
        keep_valid(chunk, parsed, errors, result, out)
        progress(result.total, result.total, _("校验"))
    return out


class _Writer:
    """Create new experts, update changed ones (with audit)."""

    def __init__(self, lk: Lookups, user, result: ImportResult):
        self.lk, self.user, self.result = lk, user, result

    def write(self, rows: list[tuple[int, dict]]) -> None:
        existing: dict[tuple[str, str], list[Expert]] = {}
        names = {r["name"] for _n, r in rows}
        for e in Expert.objects.filter(name__in=names).order_by("pk"):
            existing.setdefault((e.name, e.employer), []).append(e)
        new, changed = [], []
        for row, values in rows:
            matches = existing.get((values["name"], values["employer"]), [])
            if len(matches) > 1:
                reason = _("专家库中已有%(n)d位同名且同工作单位的专家，无法确定更新哪一位") % {
                    "n": len(matches)
                }
                self.result.add_errors([RowError(row, KEY_COLUMN, reason)])
                continue
            old = matches[0] if matches else None
            record = _merge(values, old)
            if old is None:
                new.append(record)
            elif (before := _record_of(old)) != record:
                changed.append((old, before, record))
            else:
                self.result.unchanged += 1
        if new:
            Expert.objects.bulk_create([Expert(**_fields(r)) for r in new], batch_size=1000)
            self.result.created += len(new)
        self._update(changed)

    def _update(self, changed: list[tuple[Expert, tuple, tuple]]) -> None:
        if not changed:
            return
        now = timezone.now()
        for expert, _before, rec in changed:
            for f, v in _fields(rec).items():
                setattr(expert, f, v)
            expert.updated_at = now
        Expert.objects.bulk_update(
            [e for e, _b, _r in changed], [*RECORD, "updated_at"], batch_size=1000
        )
        AuditEvent.objects.bulk_create(
            [self._event(e, before, rec) for e, before, rec in changed], batch_size=1000
        )
        self.result.updated += len(changed)

    def _event(self, expert: Expert, before: tuple, after: tuple) -> AuditEvent:
        return AuditEvent(
            actor=self.user if getattr(self.user, "pk", None) else None,
            actor_label=audit._label(self.user),
            action=AuditEvent.Action.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=str(expert.pk),
            object_repr=str(expert)[:255],
            changes=audit.diff(self._shown(before), self._shown(after)),
            note=_("批量导入"),
        )

    def _shown(self, record: tuple) -> dict[str, Any]:
        """As services.snapshot shows an expert: the field by name."""
        rec = dict(zip(RECORD, record, strict=True))
        rec["field"] = self.lk.expertise_name.get(rec.pop("field_id"))
        return rec


def _merge(values: dict, old: Expert | None) -> tuple:
    """The full record: the file's columns, the rest from the stored expert (or defaults)."""
    base = dict(zip(RECORD, _record_of(old), strict=True)) if old is not None else DEFAULTS
    return tuple(values[f] if f in values else base[f] for f in RECORD)


def _record_of(expert: Expert) -> tuple:
    return tuple(getattr(expert, f) for f in RECORD)


def _fields(record: tuple) -> dict[str, Any]:
    return dict(zip(RECORD, record, strict=True))


# ---------------------------------------------------------------------------------------------
# Export and template


def export_experts(
    target: tabular.Target,
    *,
    user=SYSTEM,
    district: str | None = None,
    queryset=None,
    fmt: str | None = None,
) -> int:
    """Write experts in the import layout (round-trips). `queryset` if given (already scoped by
    the caller), else what `user` may see (all for the system). The pool is city-wide, so
    `district` (kept for the shared command signature) must not be given."""
    if district:
        raise ValueError("专家库为全市共用，不能按区局导出")
    if queryset is None:
        queryset = Expert.objects.restrict(user, VIEW)
    columns = expert_columns(Lookups.load())
    qs = queryset.order_by("name", "employer", "pk")
    return tabular.write_table(
        target, columns, (_record_of(e) for e in qs.iterator(chunk_size=2000)), fmt
    )


def write_template(target: tabular.Target, fmt: str | None = None) -> None:
    """An empty file with the import headers (csv or xlsx)."""
    tabular.write_table(target, expert_columns(Lookups.empty()), [], fmt)


def export_experts_response(queryset, fmt: str) -> FileResponse:
    """A download of `queryset` (the caller scoped and filtered it) as csv or xlsx."""
    return file_download(
        lambda f: export_experts(f, queryset=queryset, fmt=fmt), stamped("专家库", fmt)
    )


def template_response(fmt: str) -> FileResponse:
    return file_download(lambda f: write_template(f, fmt), f"专家导入模板.{fmt}")
